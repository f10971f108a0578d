//! Kernel variants as data.
//!
//! Each backend has a const table of [`Variant`]s; a row says which operator specs the
//! variant supports, the scratch bytes it needs (the CMSIS-NN `*_get_buffer_size` twin), how
//! it walks memory ([`Access`]: what the planner may overlap), whether it can compute part of
//! an output, and how to run it. The portable kernels ([`portable`]) cover every operator and
//! are the fallback; a port's table (feature-gated) comes first, then the fast portable
//! kernels ([`fast`]: common CONV_2D and DEPTHWISE_CONV_2D shapes, in use with their operators
//! unless `arm-dsp` is on), then the portable table.
//!
//! The planner (`crate::plan`) chooses one variant per operator at init among those that
//! support its spec and stores its [`VariantId`] in the run-plan (one byte); the executor
//! (`crate::exec`) looks the id up at invoke ([`get`], found by its id) and runs it. Nothing about
//! variants lives in the arena but that byte.

#[cfg(feature = "arm-dsp")]
pub mod arm;
pub mod fast;
pub mod portable;
#[cfg(feature = "xtensa")]
pub mod xtensa;

use crate::error::Result;
use crate::memory::Bound;
use crate::ops::{Family, OpSpec};
use core::ops::Range;

/// Identifies a kernel variant in a run-plan entry (one byte; 0xff is reserved for skipped
/// operators). Portable variants are numbered from 0 in the order of [`portable::TABLE`]; the
/// numbers never change (run-plans store them), also when operator features leave rows out.
/// Port tables take blocks of their own (`arm-dsp` from 64, `xtensa` from 80), the fast
/// portable kernels ([`fast::TABLE`]) from 96.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum VariantId {
    Conv = 0,
    Depthwise,
    DepthwiseChannelwise,
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
    /// The 16x8 kernels (int16 activations, int8 filters).
    Conv16,
    Depthwise16,
    FullyConnected16,
    Mean16,
    Softmax16,
    Requantize16,
    Quantize16,
    Dequantize16,
    Add16,
    Mul16,
    Logistic16,
    Tanh16,
    /// TFLite_Detection_PostProcess (float32 decoding and NMS).
    DetectionPostprocess,
    /// Arm DSP port (`arm-dsp`): CONV_2D through two-pixel im2col.
    #[cfg(feature = "arm-dsp")]
    ArmConv = 64,
    /// Arm DSP port (`arm-dsp`): DEPTHWISE_CONV_2D, SIMD across channels.
    #[cfg(feature = "arm-dsp")]
    ArmDepthwise,
    /// Xtensa port (`xtensa`): CONV_2D with a 1×1 filter, a GEMM over four pixels.
    #[cfg(feature = "xtensa")]
    XtensaConv1x1 = 80,
    /// Xtensa port (`xtensa`): DEPTHWISE_CONV_2D, depth multiplier 1 or 4k, four channels at a time.
    #[cfg(feature = "xtensa")]
    XtensaDepthwise,
    /// Fast portable kernels: CONV_2D with a 1×1 filter, stride 1, no padding, as a GEMM.
    FastConv1x1 = 96,
    /// Fast portable kernels: DEPTHWISE_CONV_2D 3×3, depth multiplier 1, no dilation.
    FastDepthwise3x3,
    /// Fast portable kernels: the same, channel by channel in place.
    FastDepthwise3x3Channelwise,
    /// Fast portable kernels: CONV_2D of one group with at most 512 taps per output (im2col
    /// columns on the stack, then the GEMM).
    FastConv,
}

impl VariantId {
    /// The variant stored as `v` in a run-plan entry, if any.
    pub fn from_u8(v: u8) -> Option<VariantId> {
        all().find(|row| row.id as u8 == v).map(|row| row.id)
    }
}

/// How a variant walks its operands: what the planner may overlap, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The output must not overlap any input.
    Separate,
    /// Elementwise, ascending: each output element is written after its input elements are
    /// read, so the output may start at or before an input it overlaps.
    Forward,
    /// Elementwise, descending: the output may start at or after an input it overlaps.
    Backward,
    /// A sliding window walking output pixels forward or backward (the executor picks the walk
    /// from where the plan put the output). A pixel's window is read while the pixel is
    /// written; `lead` more pixels beyond it may already have been written then (0: writes of
    /// a pixel interleave only with reads of its own window).
    Window { lead: u8 },
    /// Channel by channel through a scratch plane: the output may take exactly its input's
    /// bytes (same offset, same layout) or lie apart from it, nothing in between.
    SameOffset,
}

/// Which part of an operator's output a call computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// All of it.
    Whole,
    /// Output rows `rows` and columns `cols` of an NHWC output (all batches and channels),
    /// for variants with [`Variant::parts`].
    Part { rows: Range<usize>, cols: Range<usize> },
}

/// Runs a variant on an operator's bound memory.
pub type RunFn = for<'s, 'm> fn(&OpSpec<'m>, &mut Bound<'s, 'm>, &Region) -> Result<()>;

/// One call of a variant inside a fused segment (`crate::tiling`): full-width output rows
/// `rows` of a batch-1 NHWC operator, from an input whose buffer holds image rows from
/// `in_first` on and into an output buffer holding rows from `out_first` on (row buffers, or
/// whole tensors with first row 0). The inputs and the output never overlap.
pub struct RowCall<'a> {
    pub input: &'a [i8],
    pub in_first: usize,
    /// A two-input map's operand 1 (a residual ADD): rows from `in2_first` on, the output's
    /// shape; empty for one-input operators.
    pub input2: &'a [i8],
    pub in2_first: usize,
    pub output: &'a mut [i8],
    pub out_first: usize,
    pub rows: Range<usize>,
    /// Elements of one full-width input row and output row.
    pub row_len: [usize; 2],
    /// The operator's scratch, live for the whole segment.
    pub scratch: &'a mut [u8],
    /// True on the operator's first call of an invoke: per-invoke tables in the scratch
    /// (requantization) are filled then and reused by the later calls.
    pub setup: bool,
}

/// Computes a [`RowCall`].
pub type RowsFn = for<'a, 'm> fn(&OpSpec<'m>, RowCall<'a>) -> Result<()>;

/// One kernel variant.
pub struct Variant {
    pub id: VariantId,
    /// Kernel name, for plans and profiles.
    pub name: &'static str,
    /// The operator family it computes.
    pub family: Family,
    /// Further conditions on the spec, if any (e.g. a depth multiplier of 1).
    pub requires: Option<fn(&OpSpec<'_>) -> bool>,
    /// Scratch bytes for a supported spec (whole output).
    pub scratch: fn(&OpSpec<'_>) -> Result<usize>,
    /// How it walks memory.
    pub access: Access,
    /// Computes [`Region::Part`]s as well as whole outputs.
    pub parts: bool,
    pub run: RunFn,
    /// Computes rows from row buffers inside a fused segment, if it can.
    pub rows: Option<RowsFn>,
}

impl Variant {
    /// True when the variant computes `spec`.
    pub fn supports(&self, spec: &OpSpec<'_>) -> bool {
        spec.params.family() == self.family && self.requires.is_none_or(|f| f(spec))
    }
}

/// The variant stored as `id`.
pub fn get(id: VariantId) -> Option<&'static Variant> {
    all().find(|row| row.id == id)
}

/// Every variant compiled in: the portable rows, then the fast ones, then the port's.
fn all() -> impl Iterator<Item = &'static Variant> {
    portable::TABLE.iter().chain(fast_table()).chain(port_table())
}

/// The fast portable kernels in use: none with `arm-dsp`, whose kernels cover the same shapes
/// in fewer instructions (with them, person_detect and mlperf_vww ran 0.004% faster for 16 KB
/// more code); the conformance harness still tests [`fast::TABLE`] in every build.
fn fast_table() -> &'static [Variant] {
    if cfg!(feature = "arm-dsp") {
        &[]
    } else {
        fast::TABLE
    }
}

/// The variants of the port compiled in (none without a port feature), most preferred first.
/// One port per build: with both `arm-dsp` and `xtensa` on, the Arm table is used.
pub fn port_table() -> &'static [Variant] {
    #[cfg(feature = "arm-dsp")]
    return arm::TABLE;
    #[cfg(all(feature = "xtensa", not(feature = "arm-dsp")))]
    return xtensa::TABLE;
    #[cfg(not(any(feature = "arm-dsp", feature = "xtensa")))]
    return &[];
}

/// True for a variant of a port's table (not the portable fallback).
pub fn is_port(v: &Variant) -> bool {
    port_table().iter().any(|row| row.id == v.id)
}

/// Every variant that supports `spec`, most preferred first (the port's table, then the fast
/// portable kernels, then the portable ones).
pub fn candidates<'a>(spec: &'a OpSpec<'_>) -> impl Iterator<Item = &'static Variant> + 'a {
    port_table().iter().chain(fast_table()).chain(portable::TABLE.iter()).filter(move |v| v.supports(spec))
}
