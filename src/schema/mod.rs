//! Zero-copy views of a TensorFlow Lite flatbuffer (schema v3), verified once at load.
//!
//! [`Model::parse`] walks every table, vector and string patchwise reads, checks every offset and
//! length against the model's bytes, and checks tensors (rank, type, byte size against their
//! constant buffer, quantization lengths) and operators (opcode and tensor indices). After that
//! the accessors cannot fail on the same bytes; they still return `Result` so that nothing can
//! panic even if a caller breaks the contract and changes the bytes afterwards.

pub mod flatbuf;
// The annotation below keeps the FlexBuffer type numbers out of the generated C header.
/// FlexBuffer maps (custom operators' options).
///
/// cbindgen:ignore
pub mod flexbuf;
// The annotation below keeps these constants out of the generated C header.
/// The schema's numbers, written once for the reader, the builder and the fuzz walker.
///
/// cbindgen:ignore
pub mod numbers;
pub mod opcodes;
// Tests assert by panicking, and index and compute freely on their own small fixtures.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests;

use crate::error::{Error, Result, TensorFault};
use crate::tensor::{LeF32s, Shape, MAX_RANK};
use flatbuf::{Table, VecRef, Vector};
use numbers::{buffer, model, operator, operator_code, quantization, sub_graph, tensor, tensor_type};
use numbers::{FILE_IDENTIFIER, SCHEMA_VERSION};

/// Largest byte size of one tensor (fits an `i32`, so every offset computed from it does too).
pub const MAX_TENSOR_BYTES: u64 = i32::MAX as u64;

/// Element types patchwise can hold (others are rejected at load).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DType {
    F32 = tensor_type::FLOAT32 as u8,
    I32 = tensor_type::INT32 as u8,
    U8 = tensor_type::UINT8 as u8,
    I64 = tensor_type::INT64 as u8,
    Bool = tensor_type::BOOL as u8,
    I16 = tensor_type::INT16 as u8,
    I8 = tensor_type::INT8 as u8,
}

impl DType {
    /// From the schema's `TensorType` value.
    pub fn from_schema(v: i8) -> Option<DType> {
        Some(match v {
            tensor_type::FLOAT32 => DType::F32,
            tensor_type::INT32 => DType::I32,
            tensor_type::UINT8 => DType::U8,
            tensor_type::INT64 => DType::I64,
            tensor_type::BOOL => DType::Bool,
            tensor_type::INT16 => DType::I16,
            tensor_type::INT8 => DType::I8,
            _ => return None,
        })
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::U8 | DType::I8 | DType::Bool => 1,
            DType::I16 => 2,
            DType::F32 | DType::I32 => 4,
            DType::I64 => 8,
        }
    }
    /// Name as in the TFLite schema.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::I32 => "int32",
            DType::U8 => "uint8",
            DType::I64 => "int64",
            DType::Bool => "bool",
            DType::I16 => "int16",
            DType::I8 => "int8",
        }
    }
}

/// Quantization parameters of a tensor (affine; absent means scale 0, zero point 0).
#[derive(Clone, Copy, Debug)]
pub struct Quant<'a> {
    /// One scale (per-tensor) or one per channel along `quantized_dimension`.
    pub scales: LeF32s<'a>,
    zero_points: Option<Vector<'a>>,
    /// Channel axis of per-channel quantization.
    pub quantized_dimension: i32,
}

impl<'a> Quant<'a> {
    const NONE: Quant<'static> = Quant { scales: LeF32s::new(&[]), zero_points: None, quantized_dimension: 0 };

    /// The (first) scale, 0.0 when the tensor is not quantized.
    pub fn scale(&self) -> f32 {
        self.scales.get(0)
    }
    /// The (first) zero point, 0 when absent. Verified to fit in `i32`.
    pub fn zero_point(&self) -> i32 {
        self.zero_point_at(0)
    }
    /// Zero point of channel `i` (or the only one).
    pub fn zero_point_at(&self, i: usize) -> i32 {
        match self.zero_points {
            Some(v) if v.len() > i => v.i64(i).unwrap_or(0) as i32,
            Some(v) if v.len() == 1 => v.i64(0).unwrap_or(0) as i32,
            _ => 0,
        }
    }
    /// True when there is more than one scale.
    pub fn is_per_channel(&self) -> bool {
        self.scales.len() > 1
    }
    /// Number of zero points stored.
    pub fn zero_point_count(&self) -> usize {
        self.zero_points.map_or(0, |v| v.len())
    }
}

/// A verified tensor description.
#[derive(Clone, Copy, Debug)]
pub struct Tensor<'a> {
    pub shape: Shape,
    pub dtype: DType,
    /// Constant data inside the model, `shape × dtype` bytes exactly; `None` for activations.
    pub data: Option<&'a [u8]>,
    pub quant: Quant<'a>,
    pub is_variable: bool,
    /// Name bytes (informative).
    pub name: &'a [u8],
}

impl Tensor<'_> {
    /// Byte size (`elements × element size`; verified ≤ [`MAX_TENSOR_BYTES`] for every tensor
    /// [`Model`] returns). Saturates instead of wrapping for a hand-made `Tensor`, so that
    /// the checked offset arithmetic of its users rejects it.
    pub fn bytes(&self) -> usize {
        self.shape.num_elements().saturating_mul(self.dtype.size())
    }
    /// Element count.
    pub fn elements(&self) -> usize {
        self.shape.num_elements()
    }
}

/// A verified operator: its builtin code, tensor index lists and options table.
#[derive(Clone, Copy, Debug)]
pub struct Operator<'a> {
    /// Builtin operator code (`max(deprecated_builtin_code, builtin_code)`), a
    /// [`numbers::builtin`] code ([`numbers::builtin::CUSTOM`] for custom operators, except
    /// the custom operators patchwise runs: [`opcodes::CUSTOM_OPERATORS`]).
    pub opcode: u32,
    inputs: Option<Vector<'a>>,
    outputs: Option<Vector<'a>>,
    /// Union type of `builtin_options`, a [`numbers::options_type`] id (`NONE` when absent).
    pub options_type: u8,
    /// The `builtin_options` table, if present.
    pub options: Option<Table<'a>>,
}

impl<'a> Operator<'a> {
    /// Number of inputs.
    pub fn num_inputs(&self) -> usize {
        self.inputs.map_or(0, |v| v.len())
    }
    /// Number of outputs.
    pub fn num_outputs(&self) -> usize {
        self.outputs.map_or(0, |v| v.len())
    }
    /// Tensor index of input `i`; `None` for an absent optional input (-1) or past the end.
    pub fn input(&self, i: usize) -> Option<usize> {
        index_at(self.inputs, i)
    }
    /// Tensor index of output `i`.
    pub fn output(&self, i: usize) -> Option<usize> {
        index_at(self.outputs, i)
    }
}

fn index_at(v: Option<Vector<'_>>, i: usize) -> Option<usize> {
    let v = v?;
    if i >= v.len() {
        return None;
    }
    let x = v.i32(i).ok()?;
    if x < 0 {
        None
    } else {
        Some(x as usize)
    }
}

/// A verified model. Cheap to copy; all views borrow the model bytes.
#[derive(Clone, Copy, Debug)]
pub struct Model<'a> {
    bytes: &'a [u8],
    // Compact positions of subgraph 0's vectors (absent ones are empty); the model is kept
    // inside the interpreter handle, so it stays small.
    opcodes: VecRef,
    buffers: VecRef,
    tensors: VecRef,
    operators: VecRef,
    inputs: VecRef,
    outputs: VecRef,
}

/// Largest number of operators in a subgraph (bounds the planner's work and its `u16`
/// lifetimes, which count one step past the last operator).
pub const MAX_OPERATORS: usize = 16_000;

/// Largest number of tensors plus operators in a subgraph: the planner numbers one buffer per
/// tensor and one scratch buffer per operator with `u16` indices, `0xffff` meaning none.
pub const MAX_BUFFERS: usize = 0xfffe;

impl<'a> Model<'a> {
    /// Verifies `bytes` as a TFLite model and returns views of subgraph 0.
    pub fn parse(bytes: &'a [u8]) -> Result<Model<'a>> {
        if bytes.len() < 8 {
            return Err(Error::Truncated);
        }
        // Flatbuffer offsets are 32-bit, and views keep positions as `u32` (`VecRef`).
        if u32::try_from(bytes.len()).is_err() {
            return Err(Error::TooLarge);
        }
        if bytes.get(4..8) != Some(FILE_IDENTIFIER.as_slice()) {
            return Err(Error::UnsupportedSchema);
        }
        let root = Table::root(bytes)?;
        if root.u32(model::VERSION, 0)? != SCHEMA_VERSION {
            return Err(Error::UnsupportedSchema);
        }
        root.string(model::DESCRIPTION)?;
        let opcodes = root.vector(model::OPERATOR_CODES, 4)?.ok_or(Error::MissingField)?;
        for i in 0..opcodes.len() {
            let oc = opcodes.table(i)?;
            oc.i8(operator_code::DEPRECATED_BUILTIN_CODE, 0)?;
            oc.i32(operator_code::BUILTIN_CODE, 0)?;
            oc.string(operator_code::CUSTOM_CODE)?;
        }
        let buffers = root.vector(model::BUFFERS, 4)?;
        if let Some(b) = buffers {
            for i in 0..b.len() {
                buffer_data(bytes, b.table(i)?)?;
            }
        }
        let subgraphs = root.vector(model::SUBGRAPHS, 4)?.ok_or(Error::NoSubgraph)?;
        if subgraphs.is_empty() {
            return Err(Error::NoSubgraph);
        }
        let mut first = None;
        for s in 0..subgraphs.len() {
            let m = Self::parse_subgraph(bytes, opcodes, buffers, subgraphs.table(s)?)?;
            if s == 0 {
                first = Some(m);
            }
        }
        let m = first.ok_or(Error::NoSubgraph)?;
        if m.num_inputs() == 0 || m.num_outputs() == 0 {
            return Err(Error::NoSubgraph);
        }
        Ok(m)
    }

    fn parse_subgraph(
        bytes: &'a [u8],
        opcodes: Vector<'a>,
        buffers: Option<Vector<'a>>,
        sg: Table<'a>,
    ) -> Result<Model<'a>> {
        let tensors = sg.vector(sub_graph::TENSORS, 4)?.ok_or(Error::MissingField)?;
        let inputs = sg.vector(sub_graph::INPUTS, 4)?.ok_or(Error::MissingField)?;
        let outputs = sg.vector(sub_graph::OUTPUTS, 4)?.ok_or(Error::MissingField)?;
        let operators = sg.vector(sub_graph::OPERATORS, 4)?;
        sg.string(sub_graph::NAME)?;
        let num_ops = operators.map_or(0, |v| v.len());
        if num_ops > MAX_OPERATORS || tensors.len().saturating_add(num_ops) > MAX_BUFFERS {
            return Err(Error::TooLarge);
        }
        let r = |v: Option<Vector<'a>>| v.map(|v| v.to_ref()).unwrap_or_default();
        let m = Model {
            bytes,
            opcodes: opcodes.to_ref(),
            buffers: r(buffers),
            tensors: tensors.to_ref(),
            operators: r(operators),
            inputs: inputs.to_ref(),
            outputs: outputs.to_ref(),
        };
        for t in 0..tensors.len() {
            m.tensor_checked(t, true)?;
        }
        for list in [inputs, outputs] {
            for i in 0..list.len() {
                let t = list.i32(i)?;
                if t < 0 || t as usize >= tensors.len() {
                    return Err(Error::BadTensorIndex { op: u32::MAX });
                }
            }
        }
        for o in 0..m.num_operators() {
            let op = m.operator(o)?;
            let bad = Error::BadTensorIndex { op: o as u32 };
            for (list, optional_ok) in [(op.inputs, true), (op.outputs, false)] {
                let Some(list) = list else { continue };
                for i in 0..list.len() {
                    let t = list.i32(i)?;
                    let ok = if t < 0 { optional_ok && t == -1 } else { (t as usize) < tensors.len() };
                    if !ok {
                        return Err(bad);
                    }
                }
            }
        }
        Ok(m)
    }

    fn vec(&self, r: VecRef) -> Vector<'a> {
        Vector::at_ref(self.bytes, r, 4)
    }

    /// The model bytes this view reads.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Every number this view keeps (the model's address and length, then its vector
    /// positions), each passed to `f`: what the interpreter handle's checksum covers.
    pub fn fingerprint(&self, mut f: impl FnMut(usize)) {
        f(self.bytes.as_ptr() as usize);
        f(self.bytes.len());
        for r in [&self.opcodes, &self.buffers, &self.tensors, &self.operators, &self.inputs, &self.outputs] {
            for w in r.words() {
                f(w as usize);
            }
        }
    }
    /// Number of tensors in subgraph 0.
    pub fn num_tensors(&self) -> usize {
        self.vec(self.tensors).len()
    }
    /// Number of operators in subgraph 0.
    pub fn num_operators(&self) -> usize {
        self.vec(self.operators).len()
    }
    /// Number of subgraph inputs.
    pub fn num_inputs(&self) -> usize {
        self.vec(self.inputs).len()
    }
    /// Number of subgraph outputs.
    pub fn num_outputs(&self) -> usize {
        self.vec(self.outputs).len()
    }
    /// Tensor index of subgraph input `i`.
    pub fn input(&self, i: usize) -> Result<usize> {
        index_at(Some(self.vec(self.inputs)), i).ok_or(Error::InvalidArgument)
    }
    /// Tensor index of subgraph output `i`.
    pub fn output(&self, i: usize) -> Result<usize> {
        index_at(Some(self.vec(self.outputs)), i).ok_or(Error::InvalidArgument)
    }

    /// Tensor `i` of subgraph 0.
    ///
    /// Every structural check runs again (offsets, lengths, shapes); the per-element value
    /// checks of the quantization vectors (finite non-negative scales, zero points in `i32`) ran
    /// once for every tensor in [`Model::parse`] and are not repeated: the model's bytes are
    /// borrowed immutably for the model's lifetime.
    pub fn tensor(&self, i: usize) -> Result<Tensor<'a>> {
        self.tensor_checked(i, false)
    }

    /// Tensor `i`'s `is_variable` flag alone (what [`Model::tensor`] reports, without parsing
    /// the rest of the tensor: the planner asks it of every tensor).
    pub fn tensor_is_variable(&self, i: usize) -> Result<bool> {
        self.vec(self.tensors).table(i)?.bool(tensor::IS_VARIABLE, false)
    }

    /// Tensor `i`'s constant data alone (what [`Model::tensor`] reports as `data`, without
    /// parsing the rest of the tensor: the planner asks it of every tensor). Its length was
    /// checked against the shape in [`Model::parse`].
    pub fn tensor_data(&self, i: usize) -> Result<Option<&'a [u8]>> {
        self.buffer_of(i as u32, self.vec(self.tensors).table(i)?)
    }

    /// Tensor `i`'s byte size alone (what [`Tensor::bytes`] gives for [`Model::tensor`]'s
    /// tensor, without parsing the rest of it): its dimensions (checked positive and their
    /// product bounded in [`Model::parse`]) times its element size.
    pub fn tensor_byte_size(&self, i: usize) -> Result<usize> {
        let t = self.vec(self.tensors).table(i)?;
        let raw_type = t.i8(tensor::TYPE, 0)?;
        let dtype =
            DType::from_schema(raw_type).ok_or(Error::UnsupportedType { tensor: i as u32, tensor_type: raw_type })?;
        let mut bytes = dtype.size();
        if let Some(shape) = t.vector(tensor::SHAPE, 4)? {
            for d in 0..shape.len() {
                bytes = bytes.saturating_mul(shape.i32(d)?.max(0) as usize);
            }
        }
        Ok(bytes)
    }

    /// The data of the buffer that tensor table `t` (tensor `tensor`) names, if any.
    #[inline(always)]
    fn buffer_of(&self, tensor: u32, t: Table<'a>) -> Result<Option<&'a [u8]>> {
        let buffer = t.u32(tensor::BUFFER, 0)? as usize;
        let buffers = self.vec(self.buffers);
        if buffer < buffers.len() {
            buffer_data(self.bytes, buffers.table(buffer)?)
        } else if buffer == 0 && buffers.is_empty() {
            Ok(None)
        } else {
            Err(Error::BadTensor { tensor, fault: TensorFault::BufferIndex })
        }
    }

    /// Tensor `i`; with `values`, the quantization vectors' elements are checked as well.
    fn tensor_checked(&self, i: usize, values: bool) -> Result<Tensor<'a>> {
        let tensor = i as u32;
        let bad = |fault| Error::BadTensor { tensor, fault };
        let t = self.vec(self.tensors).table(i)?;
        let mut dims = [0usize; MAX_RANK];
        let mut rank = 0;
        if let Some(shape) = t.vector(tensor::SHAPE, 4)? {
            if shape.len() > MAX_RANK {
                return Err(bad(TensorFault::BadShape));
            }
            for (d, slot) in dims.iter_mut().enumerate().take(shape.len()) {
                let v = shape.i32(d)?;
                if v <= 0 {
                    return Err(bad(TensorFault::BadShape));
                }
                *slot = v as usize;
            }
            rank = shape.len();
        }
        let raw_type = t.i8(tensor::TYPE, 0)?;
        let dtype = DType::from_schema(raw_type).ok_or(Error::UnsupportedType { tensor, tensor_type: raw_type })?;
        let dims = dims.get(..rank).unwrap_or(&[]);
        let mut total = dtype.size() as u64;
        for &d in dims {
            total = total.checked_mul(d as u64).ok_or(bad(TensorFault::SizeOverflow))?;
            if total > MAX_TENSOR_BYTES {
                return Err(bad(TensorFault::SizeOverflow));
            }
        }
        let shape = Shape::new(dims).ok_or(bad(TensorFault::BadShape))?;
        if t.table(tensor::SPARSITY)?.is_some() {
            return Err(Error::UnsupportedType { tensor, tensor_type: raw_type });
        }
        let data = self.buffer_of(tensor, t)?;
        if let Some(d) = data {
            if d.len() as u64 != total {
                return Err(bad(TensorFault::BufferSize));
            }
        }
        let quant = match t.table(tensor::QUANTIZATION)? {
            Some(q) => parse_quant(q, &shape, values).map_err(|_| bad(TensorFault::Quantization))?,
            None => Quant::NONE,
        };
        let name = t.string(tensor::NAME)?.unwrap_or(&[]);
        let is_variable = t.bool(tensor::IS_VARIABLE, false)?;
        Ok(Tensor { shape, dtype, data, quant, is_variable, name })
    }

    /// The `custom_code` of operator `i`'s operator code (a custom operator's name), if any.
    pub fn custom_name(&self, i: usize) -> Result<Option<&'a [u8]>> {
        let t = self.vec(self.operators).table(i)?;
        let oi = t.u32(operator::OPCODE_INDEX, 0)? as usize;
        let opcodes = self.vec(self.opcodes);
        if oi >= opcodes.len() {
            return Err(Error::BadOpcodeIndex { op: i as u32 });
        }
        opcodes.table(oi)?.string(operator_code::CUSTOM_CODE)
    }

    /// The `custom_options` bytes of operator `i` (empty when absent): a FlexBuffer for the
    /// custom operators patchwise runs ([`flexbuf::Map::root`]).
    pub fn custom_options(&self, i: usize) -> Result<&'a [u8]> {
        let t = self.vec(self.operators).table(i)?;
        Ok(t.vector(operator::CUSTOM_OPTIONS, 1)?.map_or(&[][..], |v| v.bytes()))
    }

    /// The name of operator `i`: a custom operator's own name (its `custom_code`), else the
    /// schema's builtin name ("CONV_2D"); empty for a builtin code newer than patchwise knows.
    pub fn operator_name(&self, i: usize) -> Result<&'a [u8]> {
        let op = self.operator(i)?;
        if op.opcode == numbers::builtin::CUSTOM || op.opcode >= opcodes::CUSTOM_CODES {
            if let Some(name) = self.custom_name(i)?.filter(|n| !n.is_empty()) {
                return Ok(name);
            }
        }
        Ok(opcodes::builtin_name(op.opcode).map_or(&[], str::as_bytes))
    }

    /// Operator `i` of subgraph 0.
    pub fn operator(&self, i: usize) -> Result<Operator<'a>> {
        let ops = self.vec(self.operators);
        if i >= ops.len() {
            return Err(Error::InvalidArgument);
        }
        let t = ops.table(i)?;
        let oi = t.u32(operator::OPCODE_INDEX, 0)? as usize;
        let opcodes = self.vec(self.opcodes);
        if oi >= opcodes.len() {
            return Err(Error::BadOpcodeIndex { op: i as u32 });
        }
        let oc = opcodes.table(oi)?;
        let deprecated = oc.i8(operator_code::DEPRECATED_BUILTIN_CODE, 0)? as i32;
        let builtin = oc.i32(operator_code::BUILTIN_CODE, 0)?;
        let code = deprecated.max(builtin);
        let mut opcode = if code < 0 { u32::MAX } else { code as u32 };
        if opcode == numbers::builtin::CUSTOM {
            let name = oc.string(operator_code::CUSTOM_CODE)?.unwrap_or(&[]);
            if let Some(&(_, c)) = opcodes::CUSTOM_OPERATORS.iter().find(|(n, _)| *n == name) {
                opcode = c;
            }
        }
        let options_type = t.u8(operator::BUILTIN_OPTIONS_TYPE, 0)?;
        let options =
            if options_type != numbers::options_type::NONE { t.table(operator::BUILTIN_OPTIONS)? } else { None };
        Ok(Operator {
            opcode,
            inputs: t.vector(operator::INPUTS, 4)?,
            outputs: t.vector(operator::OUTPUTS, 4)?,
            options_type,
            options,
        })
    }
}

/// The name of tensor `t` of subgraph 0 in `bytes`, read without verifying the rest of the
/// model (for describing a model [`Model::parse`] refused); `None` when it cannot be read.
pub fn tensor_name(bytes: &[u8], t: usize) -> Option<&[u8]> {
    if bytes.get(4..8) != Some(FILE_IDENTIFIER.as_slice()) {
        return None;
    }
    let sg = Table::root(bytes).ok()?.vector(model::SUBGRAPHS, 4).ok()??.table(0).ok()?;
    let tensors = sg.vector(sub_graph::TENSORS, 4).ok()??;
    if t >= tensors.len() {
        return None;
    }
    tensors.table(t).ok()?.string(tensor::NAME).ok()?
}

fn buffer_data<'a>(bytes: &'a [u8], b: Table<'a>) -> Result<Option<&'a [u8]>> {
    if let Some(v) = b.vector(buffer::DATA, 1)? {
        if !v.is_empty() {
            return Ok(Some(v.bytes()));
        }
    }
    let offset = b.u64(buffer::OFFSET, 0)?;
    let size = b.u64(buffer::SIZE, 0)?;
    // The converter writes offset 1 / size 0 style placeholders for empty external buffers.
    if offset > 1 && size > 0 {
        let end = offset.checked_add(size).ok_or(Error::BadOffset)?;
        if end > bytes.len() as u64 {
            return Err(Error::Truncated);
        }
        return Ok(bytes.get(offset as usize..end as usize));
    }
    Ok(None)
}

fn parse_quant<'a>(q: Table<'a>, shape: &Shape, values: bool) -> Result<Quant<'a>> {
    let scales = q.vector(quantization::SCALE, 4)?;
    let zero_points = q.vector(quantization::ZERO_POINT, 8)?;
    let quantized_dimension = q.i32(quantization::QUANTIZED_DIMENSION, 0)?;
    let n = scales.map_or(0, |v| v.len());
    let scale_bytes = scales.map_or(&[][..], |v| v.bytes());
    // On the bits (no float compare per scale): not finite (exponent all ones) or below zero
    // (sign set on a nonzero magnitude; -0.0 is not below zero).
    let bad_scale = |c: &[u8]| {
        let bits = c.try_into().map_or(0, u32::from_le_bytes);
        let magnitude = bits & 0x7fff_ffff;
        magnitude >= 0x7f80_0000 || (bits >> 31 == 1 && magnitude != 0)
    };
    if values && scale_bytes.chunks_exact(4).take(n).any(bad_scale) {
        return Err(Error::InvalidArgument);
    }
    let scales = LeF32s::new(scale_bytes);
    if n > 1 {
        // Per-channel: one scale per slice along the quantized dimension.
        // TOCO-era models (person_detect) give 1-D biases quantized_dimension 3; TFLM accepts
        // them, so a rank-1 tensor with one scale per element is accepted whatever the dimension.
        let d = quantized_dimension;
        let along_d = d >= 0 && (d as usize) < shape.rank() && shape.dim(d as usize) == n;
        let bias_like = shape.rank() == 1 && shape.dim(0) == n;
        if !along_d && !bias_like {
            return Err(Error::InvalidArgument);
        }
    }
    // A single scale ignores quantized_dimension (TFLM accepts e.g. 1-D biases with dimension 3).
    if let Some(z) = zero_points {
        if !z.is_empty() && z.len() != 1 && z.len() != n {
            return Err(Error::InvalidArgument);
        }
        if values {
            let out_of_range = |c: &[u8]| {
                let v = c.try_into().map_or(0, i64::from_le_bytes);
                v < i32::MIN as i64 || v > i32::MAX as i64
            };
            if z.bytes().chunks_exact(8).take(z.len()).any(out_of_range) {
                return Err(Error::InvalidArgument);
            }
        }
    }
    Ok(Quant { scales, zero_points, quantized_dimension })
}
