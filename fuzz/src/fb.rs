//! A tolerant flatbuffer walker over (possibly broken) TFLite models, written for the mutator.
//!
//! Unlike the library's verifier it never rejects a whole model: it follows whatever it can
//! follow and records every place worth mutating (a [`Site`]) together with the tables it
//! passed through (a [`TabRec`], so that a table can be rebuilt with a field added or removed).
//! The walk is driven by a small description of the TFLite schema (the subset patchwise reads,
//! plus a few fields it must ignore), so it terminates whatever the offsets say. Every field
//! id, union type and operator code comes from `patchwise::schema::numbers`, the table the
//! reader and the builder use too.

use patchwise::schema::numbers::{
    add_options, concatenation_options, conv_2d_options, depthwise_conv_2d_options, fully_connected_options,
    mul_options, pool_2d_options, reducer_options, reshape_options, resize_nearest_neighbor_options, softmax_options,
    squeeze_options,
};
use patchwise::schema::numbers::{
    arg_options, block_size_options, gather_options, l2_norm_options, leaky_relu_options, pack_options,
    resize_bilinear_options, split_options, strided_slice_options, sub_options, transpose_conv_options, unpack_options,
};
use patchwise::schema::numbers::{buffer, model, operator, operator_code, options_type, quantization};
use patchwise::schema::numbers::{sub_graph, tensor, tensor_type};
use patchwise::schema::opcodes::OpKind;

/// What a scalar means; picks the menu of replacement values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sem {
    Generic,
    Version,
    ShapeDim,
    TensorType,
    BufferIndex,
    Scale,
    ZeroPoint,
    QuantDim,
    TensorIdx,
    IoIdx,
    OpcodeIdx,
    BuiltinCode,
    DeprecatedCode,
    OptionsType,
    Padding,
    Activation,
    Stride,
    Dilation,
    Filter,
    DepthMult,
    Axis,
    Beta,
    WeightsFormat,
    Bool,
    BufOffset,
    BufSize,
    ConstI32,
    ConstByte,
}

/// The type of a schema field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I8(Sem),
    U8(Sem),
    I32(Sem),
    U32(Sem),
    U64(Sem),
    F32(Sem),
    I64(Sem),
    /// A vector of scalars: element width and meaning.
    Vec(u8, Sem),
    Str,
    Table(Schema),
    VecTable(Schema),
}

impl Ty {
    /// Width of a scalar field, `None` for offsets.
    pub fn width(self) -> Option<usize> {
        match self {
            Ty::I8(_) | Ty::U8(_) => Some(1),
            Ty::I32(_) | Ty::U32(_) | Ty::F32(_) => Some(4),
            Ty::U64(_) | Ty::I64(_) => Some(8),
            _ => None,
        }
    }
}

/// Table types of the TFLite schema the walker knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Model,
    OperatorCode,
    SubGraph,
    Tensor,
    Quant,
    Buffer,
    Operator,
    /// A `builtin_options` table of the given union type.
    Options(u8),
    /// A table whose fields are unknown (sparsity, metadata, ...): only its framing is mutated.
    Opaque,
}

/// `(field id, type)` pairs of each table type.
pub fn fields(s: Schema) -> &'static [(usize, Ty)] {
    use Sem::*;
    match s {
        Schema::Model => &[
            (model::VERSION, Ty::U32(Version)),
            (model::OPERATOR_CODES, Ty::VecTable(Schema::OperatorCode)),
            (model::SUBGRAPHS, Ty::VecTable(Schema::SubGraph)),
            (model::DESCRIPTION, Ty::Str),
            (model::BUFFERS, Ty::VecTable(Schema::Buffer)),
        ],
        Schema::OperatorCode => &[
            (operator_code::DEPRECATED_BUILTIN_CODE, Ty::I8(DeprecatedCode)),
            (operator_code::CUSTOM_CODE, Ty::Str),
            (operator_code::VERSION, Ty::I32(Generic)),
            (operator_code::BUILTIN_CODE, Ty::I32(BuiltinCode)),
        ],
        Schema::SubGraph => &[
            (sub_graph::TENSORS, Ty::VecTable(Schema::Tensor)),
            (sub_graph::INPUTS, Ty::Vec(4, IoIdx)),
            (sub_graph::OUTPUTS, Ty::Vec(4, IoIdx)),
            (sub_graph::OPERATORS, Ty::VecTable(Schema::Operator)),
            (sub_graph::NAME, Ty::Str),
        ],
        Schema::Tensor => &[
            (tensor::SHAPE, Ty::Vec(4, ShapeDim)),
            (tensor::TYPE, Ty::I8(TensorType)),
            (tensor::BUFFER, Ty::U32(BufferIndex)),
            (tensor::NAME, Ty::Str),
            (tensor::QUANTIZATION, Ty::Table(Schema::Quant)),
            (tensor::IS_VARIABLE, Ty::U8(Bool)),
            (tensor::SPARSITY, Ty::Table(Schema::Opaque)),
            (tensor::SHAPE_SIGNATURE, Ty::Vec(4, ShapeDim)),
            (tensor::HAS_RANK, Ty::U8(Bool)),
        ],
        Schema::Quant => &[
            (quantization::MIN, Ty::Vec(4, Scale)),
            (quantization::MAX, Ty::Vec(4, Scale)),
            (quantization::SCALE, Ty::Vec(4, Scale)),
            (quantization::ZERO_POINT, Ty::Vec(8, ZeroPoint)),
            (quantization::DETAILS_TYPE, Ty::U8(Generic)),
            (quantization::DETAILS, Ty::Table(Schema::Opaque)),
            (quantization::QUANTIZED_DIMENSION, Ty::I32(QuantDim)),
        ],
        Schema::Buffer => &[
            (buffer::DATA, Ty::Vec(1, ConstByte)),
            (buffer::OFFSET, Ty::U64(BufOffset)),
            (buffer::SIZE, Ty::U64(BufSize)),
        ],
        Schema::Operator => &[
            (operator::OPCODE_INDEX, Ty::U32(OpcodeIdx)),
            (operator::INPUTS, Ty::Vec(4, TensorIdx)),
            (operator::OUTPUTS, Ty::Vec(4, TensorIdx)),
            (operator::BUILTIN_OPTIONS_TYPE, Ty::U8(OptionsType)),
            // BUILTIN_OPTIONS is typed by BUILTIN_OPTIONS_TYPE: handled by the walker.
            (operator::CUSTOM_OPTIONS, Ty::Vec(1, ConstByte)),
            (operator::CUSTOM_OPTIONS_FORMAT, Ty::I8(Generic)),
            (operator::MUTATING_VARIABLE_INPUTS, Ty::Vec(1, Bool)),
            (operator::INTERMEDIATES, Ty::Vec(4, TensorIdx)),
        ],
        Schema::Options(t) => options_fields(t),
        Schema::Opaque => &[],
    }
}

/// Fields of the `BuiltinOptions` tables of the operators patchwise supports.
pub fn options_fields(t: u8) -> &'static [(usize, Ty)] {
    use Sem::*;
    match t {
        options_type::CONV_2D_OPTIONS => &[
            (conv_2d_options::PADDING, Ty::I8(Padding)),
            (conv_2d_options::STRIDE_W, Ty::I32(Stride)),
            (conv_2d_options::STRIDE_H, Ty::I32(Stride)),
            (conv_2d_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (conv_2d_options::DILATION_W_FACTOR, Ty::I32(Dilation)),
            (conv_2d_options::DILATION_H_FACTOR, Ty::I32(Dilation)),
        ],
        options_type::DEPTHWISE_CONV_2D_OPTIONS => &[
            (depthwise_conv_2d_options::PADDING, Ty::I8(Padding)),
            (depthwise_conv_2d_options::STRIDE_W, Ty::I32(Stride)),
            (depthwise_conv_2d_options::STRIDE_H, Ty::I32(Stride)),
            (depthwise_conv_2d_options::DEPTH_MULTIPLIER, Ty::I32(DepthMult)),
            (depthwise_conv_2d_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (depthwise_conv_2d_options::DILATION_W_FACTOR, Ty::I32(Dilation)),
            (depthwise_conv_2d_options::DILATION_H_FACTOR, Ty::I32(Dilation)),
        ],
        options_type::POOL_2D_OPTIONS => &[
            (pool_2d_options::PADDING, Ty::I8(Padding)),
            (pool_2d_options::STRIDE_W, Ty::I32(Stride)),
            (pool_2d_options::STRIDE_H, Ty::I32(Stride)),
            (pool_2d_options::FILTER_WIDTH, Ty::I32(Filter)),
            (pool_2d_options::FILTER_HEIGHT, Ty::I32(Filter)),
            (pool_2d_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
        ],
        options_type::FULLY_CONNECTED_OPTIONS => &[
            (fully_connected_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (fully_connected_options::WEIGHTS_FORMAT, Ty::I8(WeightsFormat)),
            (fully_connected_options::KEEP_NUM_DIMS, Ty::U8(Bool)),
            (fully_connected_options::ASYMMETRIC_QUANTIZE_INPUTS, Ty::U8(Bool)),
        ],
        options_type::SOFTMAX_OPTIONS => &[(softmax_options::BETA, Ty::F32(Beta))],
        options_type::CONCATENATION_OPTIONS => &[
            (concatenation_options::AXIS, Ty::I32(Axis)),
            (concatenation_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
        ],
        options_type::ADD_OPTIONS => &[
            (add_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (add_options::POT_SCALE_INT16, Ty::U8(Bool)),
        ],
        options_type::RESHAPE_OPTIONS => &[(reshape_options::NEW_SHAPE, Ty::Vec(4, ShapeDim))],
        options_type::MUL_OPTIONS => &[(mul_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation))],
        options_type::REDUCER_OPTIONS => &[(reducer_options::KEEP_DIMS, Ty::U8(Bool))],
        options_type::SQUEEZE_OPTIONS => &[(squeeze_options::SQUEEZE_DIMS, Ty::Vec(4, Axis))],
        options_type::RESIZE_NEAREST_NEIGHBOR_OPTIONS => &[
            (resize_nearest_neighbor_options::ALIGN_CORNERS, Ty::U8(Bool)),
            (resize_nearest_neighbor_options::HALF_PIXEL_CENTERS, Ty::U8(Bool)),
        ],
        options_type::LEAKY_RELU_OPTIONS => &[(leaky_relu_options::ALPHA, Ty::F32(Beta))],
        options_type::SPLIT_OPTIONS | options_type::SPLIT_V_OPTIONS => &[(split_options::NUM_SPLITS, Ty::I32(Generic))],
        options_type::STRIDED_SLICE_OPTIONS => &[
            (strided_slice_options::BEGIN_MASK, Ty::I32(Generic)),
            (strided_slice_options::END_MASK, Ty::I32(Generic)),
            (strided_slice_options::ELLIPSIS_MASK, Ty::I32(Generic)),
            (strided_slice_options::NEW_AXIS_MASK, Ty::I32(Generic)),
            (strided_slice_options::SHRINK_AXIS_MASK, Ty::I32(Generic)),
            (strided_slice_options::OFFSET, Ty::U8(Bool)),
        ],
        options_type::SUB_OPTIONS => &[
            (sub_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (sub_options::POT_SCALE_INT16, Ty::U8(Bool)),
        ],
        options_type::SPACE_TO_DEPTH_OPTIONS | options_type::DEPTH_TO_SPACE_OPTIONS => {
            &[(block_size_options::BLOCK_SIZE, Ty::I32(Stride))]
        }
        options_type::GATHER_OPTIONS => {
            &[(gather_options::AXIS, Ty::I32(Axis)), (gather_options::BATCH_DIMS, Ty::I32(Axis))]
        }
        options_type::PACK_OPTIONS => {
            &[(pack_options::VALUES_COUNT, Ty::I32(Generic)), (pack_options::AXIS, Ty::I32(Axis))]
        }
        options_type::UNPACK_OPTIONS => {
            &[(unpack_options::NUM, Ty::I32(Generic)), (unpack_options::AXIS, Ty::I32(Axis))]
        }
        options_type::L2_NORM_OPTIONS => &[(l2_norm_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation))],
        options_type::TRANSPOSE_CONV_OPTIONS => &[
            (transpose_conv_options::PADDING, Ty::I8(Padding)),
            (transpose_conv_options::STRIDE_W, Ty::I32(Stride)),
            (transpose_conv_options::STRIDE_H, Ty::I32(Stride)),
            (transpose_conv_options::FUSED_ACTIVATION_FUNCTION, Ty::I8(Activation)),
            (transpose_conv_options::QUANTIZED_BIAS_TYPE, Ty::I8(TensorType)),
        ],
        options_type::RESIZE_BILINEAR_OPTIONS => &[
            (resize_bilinear_options::NEW_HEIGHT, Ty::I32(Generic)),
            (resize_bilinear_options::NEW_WIDTH, Ty::I32(Generic)),
            (resize_bilinear_options::ALIGN_CORNERS, Ty::U8(Bool)),
            (resize_bilinear_options::HALF_PIXEL_CENTERS, Ty::U8(Bool)),
        ],
        options_type::ARG_MAX_OPTIONS | options_type::ARG_MIN_OPTIONS => {
            &[(arg_options::OUTPUT_TYPE, Ty::I8(TensorType))]
        }
        _ => &[],
    }
}

/// Options union types of the operators patchwise supports (and `NONE`), in id order.
pub const OPTION_TYPES: [u8; 40] = [
    options_type::NONE,
    options_type::CONV_2D_OPTIONS,
    options_type::DEPTHWISE_CONV_2D_OPTIONS,
    options_type::POOL_2D_OPTIONS,
    options_type::FULLY_CONNECTED_OPTIONS,
    options_type::SOFTMAX_OPTIONS,
    options_type::CONCATENATION_OPTIONS,
    options_type::ADD_OPTIONS,
    options_type::L2_NORM_OPTIONS,
    options_type::RESIZE_BILINEAR_OPTIONS,
    options_type::RESHAPE_OPTIONS,
    options_type::SPACE_TO_DEPTH_OPTIONS,
    options_type::MUL_OPTIONS,
    options_type::PAD_OPTIONS,
    options_type::GATHER_OPTIONS,
    options_type::BATCH_TO_SPACE_ND_OPTIONS,
    options_type::SPACE_TO_BATCH_ND_OPTIONS,
    options_type::TRANSPOSE_OPTIONS,
    options_type::REDUCER_OPTIONS,
    options_type::SUB_OPTIONS,
    options_type::SQUEEZE_OPTIONS,
    options_type::STRIDED_SLICE_OPTIONS,
    options_type::SPLIT_OPTIONS,
    options_type::DEQUANTIZE_OPTIONS,
    options_type::MAXIMUM_MINIMUM_OPTIONS,
    options_type::ARG_MAX_OPTIONS,
    options_type::PAD_V2_OPTIONS,
    options_type::SLICE_OPTIONS,
    options_type::TRANSPOSE_CONV_OPTIONS,
    options_type::EXPAND_DIMS_OPTIONS,
    options_type::ARG_MIN_OPTIONS,
    options_type::PACK_OPTIONS,
    options_type::UNPACK_OPTIONS,
    options_type::RESIZE_NEAREST_NEIGHBOR_OPTIONS,
    options_type::LEAKY_RELU_OPTIONS,
    options_type::SQUARED_DIFFERENCE_OPTIONS,
    options_type::SPLIT_V_OPTIONS,
    options_type::QUANTIZE_OPTIONS,
    options_type::HARD_SWISH_OPTIONS,
    options_type::DEPTH_TO_SPACE_OPTIONS,
];

/// Builtin codes patchwise supports: those of [`OpKind::ALL`], in that order.
pub const BUILTIN_CODES: [i32; OpKind::ALL.len()] = {
    let mut codes = [0; OpKind::ALL.len()];
    let mut i = 0;
    while i < codes.len() {
        codes[i] = OpKind::ALL[i].code() as i32;
        i += 1;
    }
    codes
};

/// A place in the model bytes worth mutating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A scalar of `width` bytes (1, 2, 4, 8) with meaning `sem`; `float` for f32 fields.
    Scalar { width: u8, sem: Sem, float: bool },
    /// A vector's element count (`elem` bytes per element).
    VecLen { elem: u8 },
    /// A `uoffset` (forward, relative to its own position).
    UOffset,
    /// A table's `soffset` to its vtable.
    SOffset,
    /// A vtable's first two `u16`s (vtable bytes, object bytes).
    VtHeader,
    /// A vtable slot (field offset inside the object; 0 = absent).
    VtEntry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    pub pos: usize,
    pub kind: Kind,
}

/// A table met during the walk.
#[derive(Clone, Copy, Debug)]
pub struct TabRec {
    /// Position of the `uoffset` that points at the table (0 for the root).
    pub ref_pos: usize,
    pub tab: Tab,
    pub schema: Schema,
}

/// A table's framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tab {
    pub pos: usize,
    pub vt: usize,
    pub vt_len: usize,
    pub obj_len: usize,
}

/// Bounds-checked little-endian reads.
#[derive(Clone, Copy)]
pub struct R<'a>(pub &'a [u8]);

impl<'a> R<'a> {
    pub fn get<const N: usize>(&self, p: usize) -> Option<[u8; N]> {
        let s = self.0.get(p..p.checked_add(N)?)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Some(a)
    }
    pub fn u8(&self, p: usize) -> Option<u8> {
        self.0.get(p).copied()
    }
    pub fn u16(&self, p: usize) -> Option<u16> {
        self.get::<2>(p).map(u16::from_le_bytes)
    }
    pub fn u32(&self, p: usize) -> Option<u32> {
        self.get::<4>(p).map(u32::from_le_bytes)
    }
    /// Follows the `uoffset` at `p`.
    pub fn deref(&self, p: usize) -> Option<usize> {
        let t = p.checked_add(self.u32(p)? as usize)?;
        (t < self.0.len()).then_some(t)
    }
    pub fn table(&self, pos: usize) -> Option<Tab> {
        let soff = self.u32(pos)? as i32 as i64;
        let vt = pos as i64 - soff;
        if vt < 0 || vt as usize >= self.0.len() {
            return None;
        }
        let vt = vt as usize;
        let vt_len = self.u16(vt)? as usize;
        let obj_len = self.u16(vt + 2)? as usize;
        if vt_len < 4 || vt + vt_len > self.0.len() || pos + obj_len.max(4) > self.0.len() {
            return None;
        }
        Some(Tab { pos, vt, vt_len, obj_len })
    }
    /// Position of the vtable slot of field `id`, if inside the vtable.
    pub fn slot(&self, t: &Tab, id: usize) -> Option<usize> {
        let s = 4 + 2 * id;
        (s + 2 <= t.vt_len).then_some(t.vt + s)
    }
    /// Position of field `id` (present, `size` bytes inside the buffer).
    pub fn field(&self, t: &Tab, id: usize, size: usize) -> Option<usize> {
        let off = self.u16(self.slot(t, id)?)? as usize;
        if off == 0 {
            return None;
        }
        let p = t.pos + off;
        (p + size <= self.0.len()).then_some(p)
    }
    /// The vector at `p` (its length word): `(first element, count)` clipped to the buffer.
    pub fn vector(&self, p: usize, elem: usize) -> Option<(usize, usize)> {
        let len = self.u32(p)? as usize;
        let start = p + 4;
        let fit = (self.0.len().saturating_sub(start)) / elem.max(1);
        Some((start, len.min(fit)))
    }
}

/// Everything the walk found.
#[derive(Default, Debug)]
pub struct Walk {
    pub sites: Vec<Site>,
    pub tables: Vec<TabRec>,
    /// Start positions of every table and vector (targets for `uoffset` retargeting).
    pub targets: Vec<usize>,
    /// Vtable positions (targets for `soffset` retargeting).
    pub vtables: Vec<usize>,
    pub n_tensors: usize,
    pub n_ops: usize,
    pub n_buffers: usize,
    pub n_opcodes: usize,
    /// `(start, len)` of each buffer's data vector (index = buffer index).
    buffers: Vec<Option<(usize, usize)>>,
    /// Tensors' (type, buffer index), to find int32 constants afterwards.
    tensor_bufs: Vec<(i8, usize)>,
}

/// Caps that keep the walk cheap on large models.
const MAX_SITES: usize = 60_000;
const MAX_ELEMS: usize = 64;

impl Walk {
    /// Walks a model (all of `buf`).
    pub fn of(buf: &[u8]) -> Walk {
        let mut w = Walk::default();
        let r = R(buf);
        if buf.len() < 8 {
            return w;
        }
        w.sites.push(Site { pos: 0, kind: Kind::UOffset });
        if let Some(root) = r.deref(0).and_then(|p| r.table(p)) {
            w.table(r, 0, root, Schema::Model, 0);
        }
        // int32 constants (axes, paddings, permutations, shapes): their elements are scalars too.
        for &(ty, b) in &w.tensor_bufs.clone() {
            if ty != tensor_type::INT32 {
                continue;
            }
            if let Some(Some((start, len))) = w.buffers.get(b).copied() {
                for i in 0..(len / 4).min(MAX_ELEMS) {
                    w.push(start + 4 * i, Kind::Scalar { width: 4, sem: Sem::ConstI32, float: false });
                }
            }
        }
        w
    }

    fn push(&mut self, pos: usize, kind: Kind) {
        if self.sites.len() < MAX_SITES {
            self.sites.push(Site { pos, kind });
        }
    }

    fn table(&mut self, r: R<'_>, ref_pos: usize, t: Tab, schema: Schema, depth: usize) {
        if depth > 6 || self.sites.len() >= MAX_SITES {
            return;
        }
        self.tables.push(TabRec { ref_pos, tab: t, schema });
        self.targets.push(t.pos);
        self.push(t.pos, Kind::SOffset);
        if !self.vtables.contains(&t.vt) || self.vtables.len() > 4096 {
            self.vtables.push(t.vt);
            self.push(t.vt, Kind::VtHeader);
            self.push(t.vt + 2, Kind::VtHeader);
            for s in (4..t.vt_len).step_by(2) {
                self.push(t.vt + s, Kind::VtEntry);
            }
        }
        // Model: walk the buffers before the subgraphs (constant data sites need them).
        let mut order: Vec<(usize, Ty)> = fields(schema).to_vec();
        if schema == Schema::Model {
            order.sort_by_key(|&(id, _)| if id == model::BUFFERS { 0 } else { 1 });
        }
        if schema == Schema::Operator {
            let ty = r.field(&t, operator::BUILTIN_OPTIONS_TYPE, 1).and_then(|p| r.u8(p)).unwrap_or(0);
            order.push((operator::BUILTIN_OPTIONS, Ty::Table(Schema::Options(ty))));
        }
        let mut tensor_type = 0i8;
        let mut tensor_buf = 0usize;
        for (id, ty) in order {
            if let Some(wd) = ty.width() {
                let Some(p) = r.field(&t, id, wd) else { continue };
                let (sem, float) = match ty {
                    Ty::I8(s) | Ty::U8(s) | Ty::I32(s) | Ty::U32(s) | Ty::U64(s) | Ty::I64(s) => (s, false),
                    Ty::F32(s) => (s, true),
                    _ => (Sem::Generic, false),
                };
                if schema == Schema::Tensor && id == tensor::TYPE {
                    tensor_type = r.u8(p).unwrap_or(0) as i8;
                }
                if schema == Schema::Tensor && id == tensor::BUFFER {
                    tensor_buf = r.u32(p).unwrap_or(0) as usize;
                }
                self.push(p, Kind::Scalar { width: wd as u8, sem, float });
                continue;
            }
            let Some(p) = r.field(&t, id, 4) else { continue };
            self.push(p, Kind::UOffset);
            let Some(target) = r.deref(p) else { continue };
            self.targets.push(target);
            match ty {
                Ty::Table(s) => {
                    if let Some(child) = r.table(target) {
                        self.table(r, p, child, s, depth + 1);
                    }
                }
                Ty::Str | Ty::Vec(..) | Ty::VecTable(_) => {
                    let elem = match ty {
                        Ty::Vec(e, _) => e as usize,
                        Ty::Str => 1,
                        _ => 4,
                    };
                    self.push(target, Kind::VecLen { elem: elem as u8 });
                    let Some((start, len)) = r.vector(target, elem) else { continue };
                    match ty {
                        Ty::VecTable(s) => {
                            match (schema, id) {
                                (Schema::Model, model::OPERATOR_CODES) => self.n_opcodes = len,
                                (Schema::Model, model::BUFFERS) => self.n_buffers = len,
                                (Schema::SubGraph, sub_graph::TENSORS) if self.n_tensors == 0 => self.n_tensors = len,
                                (Schema::SubGraph, sub_graph::OPERATORS) if self.n_ops == 0 => self.n_ops = len,
                                _ => {}
                            }
                            for i in 0..len {
                                let ep = start + 4 * i;
                                self.push(ep, Kind::UOffset);
                                if let Some(child) = r.deref(ep).and_then(|q| r.table(q)) {
                                    self.table(r, ep, child, s, depth + 1);
                                } else if s == Schema::Buffer {
                                    self.buffers.push(None);
                                }
                                if self.sites.len() >= MAX_SITES {
                                    break;
                                }
                            }
                        }
                        Ty::Vec(e, sem) => {
                            let cap = if matches!(sem, Sem::ConstByte) { 16 } else { MAX_ELEMS };
                            for i in 0..len.min(cap) {
                                let float = sem == Sem::Scale;
                                self.push(start + e as usize * i, Kind::Scalar { width: e, sem, float });
                            }
                            if schema == Schema::Buffer && id == buffer::DATA {
                                // Recorded below (buffer data).
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if schema == Schema::Buffer {
            let data = r.field(&t, buffer::DATA, 4).and_then(|p| r.deref(p)).and_then(|v| r.vector(v, 1));
            self.buffers.push(data);
        }
        if schema == Schema::Tensor {
            self.tensor_bufs.push((tensor_type, tensor_buf));
        }
    }

    /// Sites of one kind class (used to borrow values from elsewhere in the model).
    pub fn same_sem(&self, sem: Sem) -> impl Iterator<Item = &Site> {
        self.sites.iter().filter(move |s| matches!(s.kind, Kind::Scalar { sem: x, .. } if x == sem))
    }
}

/// A field value read out of a table, for rebuilding it.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// Scalar bytes (1, 4 or 8).
    Scalar(Vec<u8>),
    /// A vector of scalars: element width and the raw elements.
    Vector(u8, Vec<u8>),
    /// A string (bytes without the terminating 0).
    Str(Vec<u8>),
    /// A sub-table.
    Table(Spec),
    /// A vector of sub-tables.
    Tables(Vec<Spec>),
}

/// A table's content: `(field id, value)` in id order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Spec {
    pub schema: Option<Schema>,
    pub fields: Vec<(usize, Val)>,
}

impl Spec {
    /// Reads table `t` of type `schema` (children included, to `depth` levels; vectors of
    /// tables are copied only for small ones).
    pub fn read(r: R<'_>, t: &Tab, schema: Schema, depth: usize) -> Spec {
        let mut spec = Spec { schema: Some(schema), fields: Vec::new() };
        let mut list: Vec<(usize, Ty)> = fields(schema).to_vec();
        if schema == Schema::Operator {
            let ty = r.field(t, operator::BUILTIN_OPTIONS_TYPE, 1).and_then(|p| r.u8(p)).unwrap_or(0);
            list.push((operator::BUILTIN_OPTIONS, Ty::Table(Schema::Options(ty))));
        }
        list.sort_by_key(|&(id, _)| id);
        for (id, ty) in list {
            if let Some(wd) = ty.width() {
                if let Some(p) = r.field(t, id, wd) {
                    spec.fields.push((id, Val::Scalar(r.0[p..p + wd].to_vec())));
                }
                continue;
            }
            let Some(target) = r.field(t, id, 4).and_then(|p| r.deref(p)) else { continue };
            let val = match ty {
                Ty::Table(s) if depth > 0 => r.table(target).map(|c| Val::Table(Spec::read(r, &c, s, depth - 1))),
                Ty::VecTable(s) if depth > 0 => r.vector(target, 4).and_then(|(start, len)| {
                    (len <= 64).then(|| {
                        Val::Tables(
                            (0..len)
                                .filter_map(|i| r.deref(start + 4 * i).and_then(|q| r.table(q)))
                                .map(|c| Spec::read(r, &c, s, depth - 1))
                                .collect(),
                        )
                    })
                }),
                Ty::Vec(e, _) => r.vector(target, e as usize).and_then(|(start, len)| {
                    (len <= 4096).then(|| Val::Vector(e, r.0[start..start + len * e as usize].to_vec()))
                }),
                Ty::Str => r.vector(target, 1).map(|(start, len)| Val::Str(r.0[start..start + len.min(256)].to_vec())),
                _ => None,
            };
            if let Some(v) = val {
                spec.fields.push((id, v));
            }
        }
        spec
    }

    pub fn get(&self, id: usize) -> Option<&Val> {
        self.fields.iter().find(|(i, _)| *i == id).map(|(_, v)| v)
    }

    pub fn set(&mut self, id: usize, v: Val) {
        match self.fields.iter_mut().find(|(i, _)| *i == id) {
            Some(slot) => slot.1 = v,
            None => {
                self.fields.push((id, v));
                self.fields.sort_by_key(|(i, _)| *i);
            }
        }
    }

    pub fn remove(&mut self, id: usize) {
        self.fields.retain(|(i, _)| *i != id);
    }
}

/// Appends flatbuffer objects at the end of a buffer. Every `uoffset` it writes points forward
/// (children are written after their parent), so any earlier `uoffset` may point at what it
/// appends.
pub struct Appender<'b> {
    pub out: &'b mut Vec<u8>,
}

impl Appender<'_> {
    fn pad_to(&mut self, align: usize) {
        while !self.out.len().is_multiple_of(align) {
            self.out.push(0);
        }
    }

    fn patch_uoffset(&mut self, at: usize, target: usize) {
        let off = (target - at) as u32;
        self.out[at..at + 4].copy_from_slice(&off.to_le_bytes());
    }

    /// Writes a table (vtable first, then the object, then the children); returns its position.
    pub fn table(&mut self, spec: &Spec) -> usize {
        // Object layout: soffset, then fields widest first, each aligned to its size.
        let mut slots: Vec<(usize, usize, usize)> = Vec::new(); // (id, offset in object, width)
        let width = |v: &Val| match v {
            Val::Scalar(b) => b.len(),
            _ => 4,
        };
        let mut by_width: Vec<&(usize, Val)> = spec.fields.iter().collect();
        by_width.sort_by_key(|(_, v)| core::cmp::Reverse(width(v)));
        let mut obj = 4usize;
        for (id, v) in &by_width {
            let w = width(v);
            obj = obj.div_ceil(w) * w;
            slots.push((*id, obj, w));
            obj += w;
        }
        let max_id = spec.fields.iter().map(|(i, _)| *i + 1).max().unwrap_or(0);
        let vt_len = 4 + 2 * max_id;
        // Align so that the object (after the vtable) starts on 8 bytes.
        self.pad_to(2);
        while !(self.out.len() + vt_len).is_multiple_of(8) {
            self.out.extend_from_slice(&[0, 0]);
        }
        let vt = self.out.len();
        self.out.extend_from_slice(&(vt_len as u16).to_le_bytes());
        self.out.extend_from_slice(&(obj as u16).to_le_bytes());
        for id in 0..max_id {
            let off = slots.iter().find(|s| s.0 == id).map_or(0, |s| s.1);
            self.out.extend_from_slice(&(off as u16).to_le_bytes());
        }
        let pos = self.out.len();
        self.out.extend_from_slice(&((pos - vt) as i32).to_le_bytes());
        self.out.resize(pos + obj, 0);
        for &(id, off, _) in &slots {
            if let Some(Val::Scalar(b)) = spec.get(id) {
                self.out[pos + off..pos + off + b.len()].copy_from_slice(b);
            }
        }
        for &(id, off, _) in &slots {
            let at = pos + off;
            let child = match spec.get(id) {
                Some(Val::Scalar(_)) | None => continue,
                Some(Val::Vector(e, data)) => self.vector(*e as usize, data),
                Some(Val::Str(s)) => {
                    let p = self.vector(1, s);
                    self.out.push(0);
                    p
                }
                Some(Val::Table(t)) => self.table(t),
                Some(Val::Tables(ts)) => {
                    self.pad_to(4);
                    let v = self.out.len();
                    self.out.extend_from_slice(&(ts.len() as u32).to_le_bytes());
                    let start = self.out.len();
                    self.out.resize(start + 4 * ts.len(), 0);
                    for (i, t) in ts.iter().enumerate() {
                        let p = self.table(t);
                        self.patch_uoffset(start + 4 * i, p);
                    }
                    v
                }
            };
            self.patch_uoffset(at, child);
        }
        pos
    }

    /// Writes a vector of `elem`-byte elements; returns the position of its length word.
    pub fn vector(&mut self, elem: usize, data: &[u8]) -> usize {
        let align = elem.max(4);
        self.pad_to(4);
        while !(self.out.len() + 4).is_multiple_of(align) {
            self.out.extend_from_slice(&[0; 4]);
        }
        let p = self.out.len();
        self.out.extend_from_slice(&((data.len() / elem.max(1)) as u32).to_le_bytes());
        self.out.extend_from_slice(data);
        p
    }
}
