//! Operator specs: from a verified operator to what the planner and the kernels need.
//!
//! [`prepare`] validates one operator — types, shapes, quantization, options, and a PAD folded
//! into it — and returns its [`OpSpec`]: the validated kernel parameters and constants, the
//! tensors it reads and writes, and its [`Dataflow`] (how the output depends on the inputs,
//! which the planner turns into overlap permissions and the tiler into regions). One file per
//! operator family, named as in `src/kernels/`.
//!
//! Nothing here runs a kernel or knows the memory plan: the planner (`crate::plan`) chooses a
//! kernel variant for the spec, the executor (`crate::exec`) prepares the same spec again at
//! invoke and runs exactly that — so invoke cannot reach a kernel with parameters init did
//! not accept.

#[cfg(feature = "op-relu")]
mod activations;
// Also the broadcasting binary shape check of MUL, SUB, MAXIMUM/MINIMUM, SQUARED_DIFFERENCE, PRELU.
#[cfg_attr(not(feature = "op-add"), allow(dead_code))]
mod add;
#[cfg(feature = "op-arg-min-max")]
mod arg_min_max;
#[cfg(any(feature = "op-sub", feature = "op-maximum-minimum", feature = "op-squared-difference"))]
mod binary;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-concatenation"), allow(dead_code))]
mod concatenation;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-conv"), allow(dead_code))]
mod conv;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-depthwise"), allow(dead_code))]
mod depthwise_conv;
#[cfg(feature = "op-dequantize")]
mod dequantize;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-detection-postprocess"), allow(dead_code))]
mod detection_postprocess;
mod expand_dims;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-fully-connected"), allow(dead_code))]
mod fully_connected;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-gather"), allow(dead_code))]
mod gather;
#[cfg(feature = "op-hard-swish")]
mod hard_swish;
// The int16 forms of several operators; its spec type stays (a `Params` variant).
#[cfg_attr(not(feature = "all-ops"), allow(dead_code))]
mod int16;
#[cfg(feature = "op-l2norm")]
mod l2norm;
#[cfg(feature = "op-leaky-relu")]
mod leaky_relu;
#[cfg(feature = "op-logistic")]
mod logistic;
#[cfg(feature = "op-mean")]
mod mean;
#[cfg(feature = "op-mul")]
mod mul;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-pack"), allow(dead_code))]
mod pack;
#[cfg(feature = "op-pad")]
mod pad;
#[cfg(feature = "op-pool")]
mod pooling;
#[cfg(feature = "op-prelu")]
mod prelu;
#[cfg(feature = "op-quantize")]
mod quantize;
mod reshape;
#[cfg(feature = "op-resize-bilinear")]
mod resize_bilinear;
#[cfg(feature = "op-resize-nearest")]
mod resize_nearest;
#[cfg(feature = "op-slice")]
mod slice;
#[cfg(feature = "op-softmax")]
mod softmax;
#[cfg(feature = "op-space-batch")]
mod space_batch;
#[cfg(feature = "op-space-to-depth")]
mod space_depth;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-split"), allow(dead_code))]
mod split;
#[cfg(feature = "op-strided-slice")]
mod strided_slice;
#[cfg(feature = "op-tanh")]
mod tanh;
#[cfg(feature = "op-transpose")]
mod transpose;
// Its spec type stays (a `Params` variant); its preparation is unused with the feature off.
#[cfg_attr(not(feature = "op-transpose-conv"), allow(dead_code))]
mod transpose_conv;

pub use concatenation::ConcatSpec;
pub use conv::{ConvSpec, RequantSource};
pub use depthwise_conv::DepthwiseSpec;
pub use detection_postprocess::DetectionSpec;
pub use fully_connected::FullyConnectedSpec;
pub use gather::GatherSpec;
pub use int16::{Fc16, Filtered16, Int16Spec};
pub use pack::PackSpec;
pub use split::SplitSpec;
pub use transpose_conv::TransposeConvSpec;

use crate::error::{Error, Result};
use crate::geometry::{Padding, Window};
use crate::kernels::{
    activations::{Relu6Params, ReluParams},
    add::AddParams,
    arg_min_max::ArgParams,
    dequantize::DequantizeParams,
    hard_swish::HardSwishParams,
    l2norm::L2NormParams,
    leaky_relu::LeakyReluParams,
    logistic::LogisticParams,
    maximum_minimum::MinMaxParams,
    mean::MeanParams,
    mul::MulParams,
    pad::PadParams,
    pooling::PoolParams,
    prelu::PreluParams,
    quantize::{QuantizeParams, RequantizeParams},
    resize_bilinear::ResizeBilinearParams,
    resize_nearest::ResizeNearestParams,
    softmax::SoftmaxParams,
    space_batch::SpaceBatchParams,
    squared_difference::SquaredDifferenceParams,
    strided_copy::StridedCopy,
    sub::SubParams,
    tanh::TanhParams,
    transpose::TransposeParams,
};
use crate::quant::Activation;
use crate::schema::flatbuf::Table;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Model, Operator, Tensor};
use crate::tensor::Dims4;

/// A validated operator: everything a kernel variant needs, nothing about memory.
#[derive(Clone, Copy, Debug)]
pub struct OpSpec<'m> {
    /// Operator index in subgraph 0.
    pub index: usize,
    /// Its builtin code.
    pub opcode: u32,
    /// The tensor it writes (output 0).
    pub output: usize,
    /// The activation tensors the kernel reads through its I/O, in kernel order (input 0 is a
    /// folded PAD's input when one is folded in). Constants travel in [`OpSpec::params`].
    pub inputs: [Option<usize>; 2],
    /// How the output depends on the inputs.
    pub dataflow: Dataflow,
    /// Validated kernel parameters and constant data.
    pub params: Params<'m>,
}

/// How an operator's output depends on its inputs, as far as memory and tiling care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataflow {
    /// Any output element may depend on any input element (reductions, data movement).
    Global,
    /// Output element `i` depends only on element `i` of `inputs` (same shape as the output;
    /// either may be overwritten in place, the first preferred). Elements are `in_bytes` and
    /// `out_bytes` wide.
    Elementwise { inputs: [Option<usize>; 2], in_bytes: usize, out_bytes: usize },
    /// A sliding window over `input` (NHWC): output pixel `(b, y, x)` depends on the input
    /// pixels of its window in batch `b`, all channels ([`OpSpec::window`] describes it).
    Window { input: usize },
}

/// Validated kernel parameters per operator family.
#[derive(Clone, Copy, Debug)]
pub enum Params<'m> {
    Conv(ConvSpec<'m>),
    Depthwise(DepthwiseSpec<'m>),
    FullyConnected(FullyConnectedSpec<'m>),
    AveragePool(PoolParams),
    MaxPool(PoolParams),
    Mean(MeanParams),
    Pad(PadParams),
    Concat(ConcatSpec),
    ResizeNearest(ResizeNearestParams),
    Transpose(TransposeParams),
    /// RESHAPE / SQUEEZE / EXPAND_DIMS not aliased: the same bytes copied.
    Copy,
    Add(AddParams),
    Mul(MulParams),
    Softmax(SoftmaxParams),
    Logistic(LogisticParams),
    HardSwish(HardSwishParams),
    Relu(ReluParams),
    Relu6(Relu6Params),
    /// QUANTIZE int8 → int8.
    Requantize(RequantizeParams),
    /// QUANTIZE float32 → int8 over `elements` values.
    Quantize(QuantizeParams, usize),
    /// DEQUANTIZE int8 → float32 over `elements` values.
    Dequantize(DequantizeParams, usize),
    LeakyRelu(LeakyReluParams),
    /// SPLIT, SPLIT_V, UNPACK: one input, several outputs.
    Split(SplitSpec),
    /// Data movement as one strided walk: STRIDED_SLICE, SLICE, SPACE_TO_DEPTH, DEPTH_TO_SPACE.
    Walk(StridedCopy),
    Sub(SubParams),
    /// MAXIMUM and MINIMUM.
    MinMax(MinMaxParams),
    SquaredDifference(SquaredDifferenceParams),
    Tanh(TanhParams),
    L2Norm(L2NormParams),
    Gather(GatherSpec<'m>),
    Pack(PackSpec),
    TransposeConv(TransposeConvSpec<'m>),
    Prelu(PreluParams),
    ResizeBilinear(ResizeBilinearParams),
    /// ARG_MAX and ARG_MIN.
    Arg(ArgParams),
    /// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND.
    SpaceBatch(SpaceBatchParams),
    /// The int16-activation forms (16x8 kernels).
    Int16(Int16Spec<'m>),
    /// TFLite_Detection_PostProcess (float32, four outputs).
    Detection(DetectionSpec),
}

/// A sliding-window operator's window over its images, their batches, and the channels of an
/// input and an output pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowShape<'a> {
    pub window: &'a Window,
    pub batches: usize,
    pub in_channels: usize,
    pub out_channels: usize,
}

impl OpSpec<'_> {
    /// The window of a [`Dataflow::Window`] operator.
    pub fn window(&self) -> Option<WindowShape<'_>> {
        let (window, input, output) = match &self.params {
            Params::Conv(s) => (s.params.window(), s.params.input(), s.params.output()),
            Params::Depthwise(s) => (s.params.window(), s.params.input(), s.params.output()),
            Params::AveragePool(p) | Params::MaxPool(p) => (p.window(), p.input(), p.output()),
            _ => return None,
        };
        Some(WindowShape { window, batches: input.n, in_channels: input.c, out_channels: output.c })
    }
}

/// The kernel family of a spec's parameters (which kernels can compute it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Family {
    Conv,
    Depthwise,
    FullyConnected,
    AveragePool,
    MaxPool,
    Mean,
    Pad,
    Concat,
    ResizeNearest,
    Transpose,
    Copy,
    Add,
    Mul,
    Softmax,
    Logistic,
    HardSwish,
    Relu,
    Relu6,
    Requantize,
    Quantize,
    Dequantize,
    LeakyRelu,
    Split,
    Walk,
    Sub,
    MinMax,
    SquaredDifference,
    Tanh,
    L2Norm,
    Gather,
    Pack,
    TransposeConv,
    Prelu,
    ResizeBilinear,
    Arg,
    SpaceBatch,
    Int16,
    Detection,
}

impl Params<'_> {
    /// The kernel family of these parameters.
    pub fn family(&self) -> Family {
        match self {
            Params::Conv(_) => Family::Conv,
            Params::Depthwise(_) => Family::Depthwise,
            Params::FullyConnected(_) => Family::FullyConnected,
            Params::AveragePool(_) => Family::AveragePool,
            Params::MaxPool(_) => Family::MaxPool,
            Params::Mean(_) => Family::Mean,
            Params::Pad(_) => Family::Pad,
            Params::Concat(_) => Family::Concat,
            Params::ResizeNearest(_) => Family::ResizeNearest,
            Params::Transpose(_) => Family::Transpose,
            Params::Copy => Family::Copy,
            Params::Add(_) => Family::Add,
            Params::Mul(_) => Family::Mul,
            Params::Softmax(_) => Family::Softmax,
            Params::Logistic(_) => Family::Logistic,
            Params::HardSwish(_) => Family::HardSwish,
            Params::Relu(_) => Family::Relu,
            Params::Relu6(_) => Family::Relu6,
            Params::Requantize(_) => Family::Requantize,
            Params::Quantize(..) => Family::Quantize,
            Params::Dequantize(..) => Family::Dequantize,
            Params::LeakyRelu(_) => Family::LeakyRelu,
            Params::Split(_) => Family::Split,
            Params::Walk(_) => Family::Walk,
            Params::Sub(_) => Family::Sub,
            Params::MinMax(_) => Family::MinMax,
            Params::SquaredDifference(_) => Family::SquaredDifference,
            Params::Tanh(_) => Family::Tanh,
            Params::L2Norm(_) => Family::L2Norm,
            Params::Gather(_) => Family::Gather,
            Params::Pack(_) => Family::Pack,
            Params::TransposeConv(_) => Family::TransposeConv,
            Params::Prelu(_) => Family::Prelu,
            Params::ResizeBilinear(_) => Family::ResizeBilinear,
            Params::Arg(_) => Family::Arg,
            Params::SpaceBatch(_) => Family::SpaceBatch,
            Params::Int16(_) => Family::Int16,
            Params::Detection(_) => Family::Detection,
        }
    }
}

/// Validates operator `index` (with PAD `fused_pad` folded in) and returns its spec.
pub fn prepare<'m>(model: &Model<'m>, index: usize, fused_pad: Option<usize>) -> Result<OpSpec<'m>> {
    let c = Ctx::new(model, index, fused_pad)?;
    if fused_pad.is_some() && !matches!(c.kind, OpKind::Conv2d | OpKind::DepthwiseConv2d) {
        return Err(c.bad());
    }
    // One call through a table: each family's preparation keeps its own stack frame (a
    // `match` lets the compiler inline the small ones here, and invoke's stack then holds all
    // of their locals at once).
    // Only the operators whose cargo feature is on are compiled in (`OpKind::feature`).
    let prepare: Prepare = match c.kind {
        #[cfg(feature = "op-conv")]
        OpKind::Conv2d => conv::prepare,
        #[cfg(feature = "op-depthwise")]
        OpKind::DepthwiseConv2d => depthwise_conv::prepare,
        #[cfg(feature = "op-fully-connected")]
        OpKind::FullyConnected => fully_connected::prepare,
        #[cfg(feature = "op-pool")]
        OpKind::AveragePool2d | OpKind::MaxPool2d => pooling::prepare,
        #[cfg(feature = "op-mean")]
        OpKind::Mean => mean::prepare,
        #[cfg(feature = "op-pad")]
        OpKind::Pad | OpKind::PadV2 => pad::prepare,
        #[cfg(feature = "op-concatenation")]
        OpKind::Concatenation => concatenation::prepare,
        #[cfg(feature = "op-resize-nearest")]
        OpKind::ResizeNearestNeighbor => resize_nearest::prepare,
        #[cfg(feature = "op-transpose")]
        OpKind::Transpose => transpose::prepare,
        OpKind::Reshape | OpKind::Squeeze => reshape::prepare,
        #[cfg(feature = "op-add")]
        OpKind::Add => add::prepare,
        #[cfg(feature = "op-mul")]
        OpKind::Mul => mul::prepare,
        #[cfg(feature = "op-softmax")]
        OpKind::Softmax => softmax::prepare,
        #[cfg(feature = "op-logistic")]
        OpKind::Logistic => logistic::prepare,
        #[cfg(feature = "op-hard-swish")]
        OpKind::HardSwish => hard_swish::prepare,
        #[cfg(feature = "op-relu")]
        OpKind::Relu | OpKind::Relu6 => activations::prepare,
        #[cfg(feature = "op-quantize")]
        OpKind::Quantize => quantize::prepare,
        #[cfg(feature = "op-dequantize")]
        OpKind::Dequantize => dequantize::prepare,
        #[cfg(feature = "op-leaky-relu")]
        OpKind::LeakyRelu => leaky_relu::prepare,
        #[cfg(feature = "op-split")]
        OpKind::Split | OpKind::SplitV | OpKind::Unpack => split::prepare,
        #[cfg(feature = "op-strided-slice")]
        OpKind::StridedSlice => strided_slice::prepare,
        #[cfg(feature = "op-sub")]
        OpKind::Sub => binary::prepare,
        #[cfg(feature = "op-maximum-minimum")]
        OpKind::Maximum | OpKind::Minimum => binary::prepare,
        #[cfg(feature = "op-squared-difference")]
        OpKind::SquaredDifference => binary::prepare,
        #[cfg(feature = "op-tanh")]
        OpKind::Tanh => tanh::prepare,
        #[cfg(feature = "op-l2norm")]
        OpKind::L2Normalization => l2norm::prepare,
        #[cfg(feature = "op-gather")]
        OpKind::Gather => gather::prepare,
        #[cfg(feature = "op-pack")]
        OpKind::Pack => pack::prepare,
        #[cfg(feature = "op-space-to-depth")]
        OpKind::SpaceToDepth | OpKind::DepthToSpace => space_depth::prepare,
        #[cfg(feature = "op-transpose-conv")]
        OpKind::TransposeConv => transpose_conv::prepare,
        #[cfg(feature = "op-prelu")]
        OpKind::Prelu => prelu::prepare,
        #[cfg(feature = "op-resize-bilinear")]
        OpKind::ResizeBilinear => resize_bilinear::prepare,
        #[cfg(feature = "op-arg-min-max")]
        OpKind::ArgMax | OpKind::ArgMin => arg_min_max::prepare,
        #[cfg(feature = "op-slice")]
        OpKind::Slice => slice::prepare,
        OpKind::ExpandDims => expand_dims::prepare,
        #[cfg(feature = "op-space-batch")]
        OpKind::SpaceToBatchNd | OpKind::BatchToSpaceNd => space_batch::prepare,
        #[cfg(feature = "op-detection-postprocess")]
        OpKind::DetectionPostprocess => detection_postprocess::prepare,
        // Operators whose feature is off (`Ctx::new` has refused them already).
        #[allow(unreachable_patterns)]
        _ => return Err(Error::UnsupportedOp { op: index as u32, opcode: c.op.opcode }),
    };
    core::hint::black_box(prepare)(&c).map_err(|e| c.explain(e))
}

/// One operator family's preparation.
type Prepare = for<'m> fn(&Ctx<'m>) -> Result<OpSpec<'m>>;

/// True when PAD/PADV2 operator `pad` can be folded into operator `consumer` as virtual
/// padding with bit-identical results: the consumer is a CONV_2D or DEPTHWISE_CONV_2D reading
/// the PAD's output as input 0, the padding touches only H and W, and the pad value equals the
/// consumer's input zero point (padded taps then contribute nothing, as in the kernel).
pub fn pad_foldable(model: &Model<'_>, pad: usize, consumer: usize) -> Result<bool> {
    // An unsupported consumer or PAD is not folded; the operator's own validation, in
    // schedule order, reports it (so the error names the same operator whatever the options).
    let Ok(c) = Ctx::new(model, consumer, Some(pad)) else { return Ok(false) };
    if !matches!(c.kind, OpKind::Conv2d | OpKind::DepthwiseConv2d) {
        return Ok(false);
    }
    let Ok(p) = Ctx::new(model, pad, None) else { return Ok(false) };
    if prepare(model, pad, None).is_err() || p.op.output(0) != c.op.input(0) {
        return Ok(false);
    }
    Ok(conv::folded_padding(&c).is_ok() && prepare(model, consumer, Some(pad)).is_ok())
}

/// One operator being prepared.
pub(crate) struct Ctx<'m> {
    pub model: Model<'m>,
    pub op: Operator<'m>,
    pub index: usize,
    pub kind: OpKind,
    /// A PAD operator folded into this one (its input replaces input 0, its paddings are
    /// applied virtually).
    pub fused_pad: Option<usize>,
}

impl<'m> Ctx<'m> {
    fn new(model: &Model<'m>, index: usize, fused_pad: Option<usize>) -> Result<Ctx<'m>> {
        let op = model.operator(index)?;
        let unsupported = Error::UnsupportedOp { op: index as u32, opcode: op.opcode };
        // An operator whose cargo feature is off is unsupported, as one patchwise lacks.
        let kind = OpKind::from_code(op.opcode).filter(|k| k.enabled()).ok_or(unsupported)?;
        Ok(Ctx { model: *model, op, index, kind, fused_pad })
    }

    /// A spec of this operator writing output 0.
    pub fn spec(&self, inputs: [Option<usize>; 2], dataflow: Dataflow, params: Params<'m>) -> Result<OpSpec<'m>> {
        let output = self.op.output(0).ok_or(self.bad())?;
        Ok(OpSpec { index: self.index, opcode: self.op.opcode, output, inputs, dataflow, params })
    }
    /// The error for an operator whose tensors or options are inconsistent.
    pub fn bad(&self) -> Error {
        Error::BadOperator { op: self.index as u32, opcode: self.op.opcode }
    }
    /// A refusal in plainer words: an operator refused for its tensors that reads or writes
    /// float32 (outside QUANTIZE, DEQUANTIZE, ARG_MAX, ARG_MIN and the float-only
    /// TFLite_Detection_PostProcess) belongs
    /// to a float model, which patchwise does not run ([`Error::NotQuantized`]).
    fn explain(&self, e: Error) -> Error {
        let float_ok = matches!(
            self.kind,
            OpKind::Quantize | OpKind::Dequantize | OpKind::ArgMax | OpKind::ArgMin | OpKind::DetectionPostprocess
        );
        if !matches!(e, Error::BadOperator { .. }) || float_ok {
            return e;
        }
        let tensors = (0..self.op.num_inputs())
            .map(|i| self.op.input(i))
            .chain((0..self.op.num_outputs()).map(|i| self.op.output(i)));
        for t in tensors.flatten() {
            if self.model.tensor(t).is_ok_and(|x| x.dtype == crate::schema::DType::F32) {
                return Error::NotQuantized { op: self.index as u32, opcode: self.op.opcode, tensor: t as u32 };
            }
        }
        e
    }
    /// The error for missing or malformed options.
    pub fn bad_options(&self) -> Error {
        Error::BadOptions { op: self.index as u32, opcode: self.op.opcode }
    }
    /// Required input `i`: its tensor index and description.
    pub fn input(&self, i: usize) -> Result<(usize, Tensor<'m>)> {
        let t = self.op.input(i).ok_or(self.bad())?;
        Ok((t, self.model.tensor(t)?))
    }
    /// Optional input `i` (absent or index -1 gives `None`).
    pub fn opt_input(&self, i: usize) -> Result<Option<(usize, Tensor<'m>)>> {
        match self.op.input(i) {
            Some(t) => Ok(Some((t, self.model.tensor(t)?))),
            None => Ok(None),
        }
    }
    /// Required output `i`.
    pub fn output(&self, i: usize) -> Result<(usize, Tensor<'m>)> {
        let t = self.op.output(i).ok_or(self.bad())?;
        let tensor = self.model.tensor(t)?;
        if tensor.data.is_some() {
            return Err(self.bad());
        }
        Ok((t, tensor))
    }
    /// The options table, checked to be of the operator's own options type. `None` if absent
    /// (the schema defaults then apply, as in TFLM).
    pub fn options(&self) -> Result<Option<Table<'m>>> {
        match self.op.options {
            Some(t) if self.op.options_type == self.kind.options_type() => Ok(Some(t)),
            Some(_) => Err(self.bad_options()),
            None if self.op.options_type != 0 => Err(self.bad_options()),
            None => Ok(None),
        }
    }
    /// Requires `n_in` inputs (trailing absent ones count) and exactly `n_out` outputs.
    pub fn arity(&self, n_in: core::ops::RangeInclusive<usize>, n_out: usize) -> Result<()> {
        if !n_in.contains(&self.op.num_inputs()) || self.op.num_outputs() != n_out {
            return Err(self.bad());
        }
        Ok(())
    }
    /// Requires `t` to have type `d`.
    pub fn want(&self, t: &Tensor<'_>, d: DType) -> Result<()> {
        if t.dtype == d {
            Ok(())
        } else {
            Err(self.bad())
        }
    }
    /// Per-tensor int8 quantization `(scale, zero_point)`, checked usable (scale > 0, zp in
    /// range).
    pub fn q8(&self, t: &Tensor<'_>) -> Result<(f32, i32)> {
        self.want(t, DType::I8)?;
        let s = t.quant.scale();
        let zp = t.quant.zero_point();
        if s.is_nan() || s <= 0.0 || !(-128..=127).contains(&zp) {
            return Err(self.bad());
        }
        Ok((s, zp))
    }
    /// A 4-D tensor's NHWC shape.
    pub fn dims4(&self, t: &Tensor<'_>) -> Result<Dims4> {
        t.shape.nhwc().ok_or(self.bad())
    }
    /// Maps a kernel constructor's rejection to this operator.
    pub fn k<T>(&self, r: Result<T>) -> Result<T> {
        r.map_err(|_| self.bad())
    }
    /// The fused activation in options field `id`.
    pub fn activation(&self, o: Option<Table<'_>>, id: usize) -> Result<Activation> {
        let v = o.map_or(Ok(0), |t| t.i8(id, 0))?;
        Activation::from_schema(v).ok_or(self.bad_options())
    }
    /// The padding type in options field `id`.
    pub fn padding(&self, o: Option<Table<'_>>, id: usize) -> Result<Padding> {
        match o.map_or(Ok(0), |t| t.i8(id, 0))? {
            0 => Ok(Padding::Same),
            1 => Ok(Padding::Valid),
            _ => Err(self.bad_options()),
        }
    }
    /// An axis (negative counts from the end) resolved against `rank`: `0..rank`.
    pub fn axis(&self, axis: i32, rank: usize) -> Result<usize> {
        let r = if axis < 0 { (rank as i64).checked_add(i64::from(axis)) } else { Some(i64::from(axis)) };
        r.and_then(|r| usize::try_from(r).ok()).filter(|&a| a < rank).ok_or(self.bad())
    }
    /// A non-negative option value as `usize` (negative values are malformed options).
    pub fn positive(&self, v: i32) -> Result<usize> {
        usize::try_from(v).map_err(|_| self.bad_options())
    }
}

/// Integer option `id` (the schema default when the table or field is absent).
#[cfg_attr(not(feature = "all-ops"), allow(dead_code))] // used by some operators only
pub(crate) fn opt_i32(o: Option<Table<'_>>, id: usize, default: i32) -> Result<i32> {
    o.map_or(Ok(default), |t| t.i32(id, default))
}

/// Boolean option `id` (false when absent).
#[cfg_attr(not(feature = "all-ops"), allow(dead_code))] // used by some operators only
pub(crate) fn opt_bool(o: Option<Table<'_>>, id: usize) -> Result<bool> {
    o.map_or(Ok(false), |t| t.bool(id, false))
}

/// The common shape of one-input, one-output operators: the input's tensor index and both
/// descriptions, with equal element counts.
#[cfg_attr(not(feature = "all-ops"), allow(dead_code))] // used by some operators only
pub(crate) fn unary<'m>(c: &Ctx<'m>) -> Result<(usize, Tensor<'m>, Tensor<'m>)> {
    c.arity(1..=1, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    if input.elements() != output.elements() {
        return Err(c.bad());
    }
    Ok((ti, input, output))
}

/// The dataflow of a same-shape elementwise operator on `input` with `in_bytes` and
/// `out_bytes` wide elements.
#[cfg_attr(not(feature = "all-ops"), allow(dead_code))] // used by some operators only
pub(crate) fn elementwise(input: usize, in_bytes: usize, out_bytes: usize) -> Dataflow {
    Dataflow::Elementwise { inputs: [Some(input), None], in_bytes, out_bytes }
}
