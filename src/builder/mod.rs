//! Builds TFLite (schema v3) model files in memory: a small FlatBuffers writer of our own plus a
//! model-level API. Host-only (feature `builder`); used by tests, the CLI demo and the generator
//! of per-op golden cases (`cli/examples/gen_op_cases.rs`).
//!
//! ```
//! use patchwise::builder::*;
//! let mut b = ModelBuilder::new();
//! let x = b.add_tensor(TensorSpec::int8("x", &[1, 4], 0.5, -3));
//! let y = b.add_tensor(TensorSpec::int8("y", &[1, 4], 0.5, -3));
//! b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
//! b.set_io(&[x], &[y]);
//! let bytes = b.finish();
//! assert_eq!(&bytes[4..8], b"TFL3");
//! ```
//!
//! What the writer produces, like the TFLite converter: `Model.version` 3, buffer 0 the empty
//! sentinel, one buffer per constant tensor (data 16-byte aligned), non-constant tensors on
//! buffer 0, one `OperatorCode` per distinct (code, version, custom name) with both
//! `deprecated_builtin_code = min(code, 127)` and `builtin_code`, fields equal to their schema
//! default omitted, identical vtables shared. The builder does not validate shapes, indices or
//! data sizes, so tests can also build malformed models on purpose.

// Host-only tooling (feature `builder`, never in firmware): a writer of test models that may
// index and compute freely on the sizes it builds itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod demo;
mod fb;
mod flexbuf;
mod layers;
mod ops;
mod prng;
#[cfg(test)]
mod tests;

pub use demo::demo_model;
pub use flexbuf::{FlexMap, FlexValue};
pub use layers::{add_random_layer, add_random_layer_with_bias, quant_for, uniform_q_rms, LayerSpec, RandomLayer};
pub use ops::{
    Activation, BuiltinOp, Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions, OpOptions, Padding,
    Pool2DOptions,
};
pub use prng::{f32_bytes, i16_bytes, i32_bytes, i64_bytes, i8_bytes, Prng};

use crate::schema::numbers::FILE_IDENTIFIER;
use crate::schema::numbers::{buffer, model, operator, operator_code, quantization, sub_graph, tensor, tensor_type};
use fb::{FbWriter, Off};

/// Schema version written into `Model.version` (TFLM refuses any other).
pub use crate::schema::numbers::SCHEMA_VERSION;

/// Tensor element types (`TensorType` in the schema) the builder names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorType {
    /// `FLOAT32`.
    Float32 = tensor_type::FLOAT32 as isize,
    /// `INT32`.
    Int32 = tensor_type::INT32 as isize,
    /// `UINT8`.
    UInt8 = tensor_type::UINT8 as isize,
    /// `INT64`.
    Int64 = tensor_type::INT64 as isize,
    /// `BOOL`.
    Bool = tensor_type::BOOL as isize,
    /// `INT16`.
    Int16 = tensor_type::INT16 as isize,
    /// `INT8`.
    Int8 = tensor_type::INT8 as isize,
}

impl TensorType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            TensorType::Int8 | TensorType::UInt8 | TensorType::Bool => 1,
            TensorType::Int16 => 2,
            TensorType::Float32 | TensorType::Int32 => 4,
            TensorType::Int64 => 8,
        }
    }
}

/// Affine quantization (`QuantizationParameters`): `real = scale * (q - zero_point)`.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantSpec {
    /// One scale (per-tensor) or one per slice along `quantized_dimension` (per-channel).
    pub scale: Vec<f32>,
    /// Same length as `scale`.
    pub zero_point: Vec<i64>,
    /// The axis the per-channel parameters run along (0 for conv filters and biases, 3 for
    /// depthwise filters).
    pub quantized_dimension: i32,
}

impl QuantSpec {
    /// Per-tensor parameters.
    pub fn per_tensor(scale: f32, zero_point: i64) -> Self {
        QuantSpec { scale: vec![scale], zero_point: vec![zero_point], quantized_dimension: 0 }
    }

    /// Per-channel parameters along `dim`, all zero points 0 (symmetric, as for filters).
    pub fn per_channel(scale: Vec<f32>, dim: i32) -> Self {
        let zero_point = vec![0; scale.len()];
        QuantSpec { scale, zero_point, quantized_dimension: dim }
    }
}

/// Description of one tensor for [`ModelBuilder::add_tensor`].
#[derive(Clone, Debug, PartialEq)]
pub struct TensorSpec {
    /// Tensor name (any string).
    pub name: String,
    /// Dimensions (`[]` for a scalar; `has_rank` is always written true).
    pub shape: Vec<i32>,
    /// Element type.
    pub dtype: TensorType,
    /// Quantization, if any.
    pub quant: Option<QuantSpec>,
    /// Constant data (little-endian, row-major); `Some` makes the tensor constant with its own
    /// buffer, `None` leaves it on the empty buffer 0.
    pub data: Option<Vec<u8>>,
}

impl TensorSpec {
    /// A non-constant tensor without quantization.
    pub fn new(name: &str, shape: &[i32], dtype: TensorType) -> Self {
        TensorSpec { name: name.to_string(), shape: shape.to_vec(), dtype, quant: None, data: None }
    }

    /// A non-constant int8 tensor with per-tensor quantization.
    pub fn int8(name: &str, shape: &[i32], scale: f32, zero_point: i64) -> Self {
        TensorSpec::new(name, shape, TensorType::Int8).with_quant(QuantSpec::per_tensor(scale, zero_point))
    }

    /// Sets the quantization.
    pub fn with_quant(mut self, quant: QuantSpec) -> Self {
        self.quant = Some(quant);
        self
    }

    /// Sets constant data (see [`i8_bytes`], [`i32_bytes`], [`f32_bytes`]).
    pub fn with_data(mut self, data: Vec<u8>) -> Self {
        self.data = Some(data);
        self
    }
}

/// One stored tensor: the spec without its data, plus its buffer index.
#[derive(Clone, Debug)]
struct TensorRec {
    spec: TensorSpec,
    buffer: u32,
}

/// One distinct operator code.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OpcodeRec {
    code: BuiltinOp,
    version: i32,
    custom: Option<String>,
}

#[derive(Clone, Debug)]
struct OperatorRec {
    opcode_index: u32,
    inputs: Vec<i32>,
    outputs: Vec<i32>,
    options: OpOptions,
    /// `custom_options` bytes (FlexBuffers), empty for none.
    custom_options: Vec<u8>,
}

/// Builds one TFLite model with a single subgraph. Tensor indices are returned as `i32` (the
/// schema's type; `-1` marks an omitted optional input).
#[derive(Clone, Debug)]
pub struct ModelBuilder {
    tensors: Vec<TensorRec>,
    buffers: Vec<Vec<u8>>,
    opcodes: Vec<OpcodeRec>,
    operators: Vec<OperatorRec>,
    inputs: Vec<i32>,
    outputs: Vec<i32>,
    description: String,
}

impl Default for ModelBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelBuilder {
    /// An empty model: no tensors, no operators, buffer 0 (the empty sentinel) only.
    pub fn new() -> Self {
        ModelBuilder {
            tensors: Vec::new(),
            buffers: vec![Vec::new()],
            opcodes: Vec::new(),
            operators: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            description: "patchwise builder".to_string(),
        }
    }

    /// Sets `Model.description` (default `"patchwise builder"`).
    pub fn set_description(&mut self, description: &str) {
        self.description = description.to_string();
    }

    /// Appends a buffer holding `data` and returns its index (never 0).
    pub fn add_buffer(&mut self, data: Vec<u8>) -> u32 {
        self.buffers.push(data);
        (self.buffers.len() - 1) as u32
    }

    /// Adds a tensor and returns its index. If `spec.data` is `Some`, a new buffer holds it.
    pub fn add_tensor(&mut self, mut spec: TensorSpec) -> i32 {
        let buffer = match spec.data.take() {
            Some(d) => self.add_buffer(d),
            None => 0,
        };
        self.add_tensor_on_buffer(spec, buffer)
    }

    /// Adds a tensor that refers to an existing buffer index (`spec.data` is ignored), e.g. to
    /// share one buffer between tensors or to point at a missing one.
    pub fn add_tensor_on_buffer(&mut self, mut spec: TensorSpec, buffer: u32) -> i32 {
        spec.data = None;
        self.tensors.push(TensorRec { spec, buffer });
        (self.tensors.len() - 1) as i32
    }

    /// Adds a constant tensor holding `data` (raw little-endian bytes) in a new buffer.
    pub fn add_const_tensor(
        &mut self,
        name: &str,
        shape: &[i32],
        dtype: TensorType,
        quant: Option<QuantSpec>,
        data: Vec<u8>,
    ) -> i32 {
        let mut spec = TensorSpec::new(name, shape, dtype).with_data(data);
        spec.quant = quant;
        self.add_tensor(spec)
    }

    /// Adds a constant int32 tensor without quantization (shapes, axes, permutations, paddings).
    pub fn add_const_i32(&mut self, name: &str, shape: &[i32], values: &[i32]) -> i32 {
        self.add_const_tensor(name, shape, TensorType::Int32, None, i32_bytes(values))
    }

    /// Adds a constant int8 tensor with the given quantization (filters, scalars).
    pub fn add_const_i8(&mut self, name: &str, shape: &[i32], values: &[i8], quant: QuantSpec) -> i32 {
        self.add_const_tensor(name, shape, TensorType::Int8, Some(quant), i8_bytes(values))
    }

    /// Adds an operator (opcode version 1) and returns its index in execution order.
    pub fn add_op(&mut self, op: BuiltinOp, inputs: &[i32], outputs: &[i32], options: OpOptions) -> usize {
        self.add_op_with_version(op, 1, inputs, outputs, options)
    }

    /// Adds an operator whose `OperatorCode.version` is `version` (TFLM ignores versions).
    pub fn add_op_with_version(
        &mut self,
        op: BuiltinOp,
        version: i32,
        inputs: &[i32],
        outputs: &[i32],
        options: OpOptions,
    ) -> usize {
        let opcode_index = self.opcode(OpcodeRec { code: op, version, custom: None });
        self.push_op(opcode_index, inputs, outputs, options)
    }

    /// Adds a `CUSTOM` operator named `custom_code` (no custom options), e.g. to test how an
    /// engine refuses unknown operators.
    pub fn add_custom_op(&mut self, custom_code: &str, inputs: &[i32], outputs: &[i32]) -> usize {
        let opcode_index =
            self.opcode(OpcodeRec { code: BuiltinOp::CUSTOM, version: 1, custom: Some(custom_code.to_string()) });
        self.push_op(opcode_index, inputs, outputs, OpOptions::None)
    }

    /// Adds a `CUSTOM` operator named `custom_code` whose `custom_options` are `options` (a
    /// FlexBuffer, e.g. from [`FlexMap::finish`]).
    pub fn add_custom_op_with_options(
        &mut self,
        custom_code: &str,
        inputs: &[i32],
        outputs: &[i32],
        options: Vec<u8>,
    ) -> usize {
        let i = self.add_custom_op(custom_code, inputs, outputs);
        self.operators[i].custom_options = options;
        i
    }

    fn opcode(&mut self, rec: OpcodeRec) -> u32 {
        let index = match self.opcodes.iter().position(|o| *o == rec) {
            Some(i) => i,
            None => {
                self.opcodes.push(rec);
                self.opcodes.len() - 1
            }
        };
        index as u32
    }

    fn push_op(&mut self, opcode_index: u32, inputs: &[i32], outputs: &[i32], options: OpOptions) -> usize {
        self.operators.push(OperatorRec {
            opcode_index,
            inputs: inputs.to_vec(),
            outputs: outputs.to_vec(),
            options,
            custom_options: Vec::new(),
        });
        self.operators.len() - 1
    }

    /// Sets the subgraph's input and output tensor lists (in this order for the caller).
    pub fn set_io(&mut self, inputs: &[i32], outputs: &[i32]) {
        self.inputs = inputs.to_vec();
        self.outputs = outputs.to_vec();
    }

    /// Number of tensors added so far.
    pub fn tensor_count(&self) -> usize {
        self.tensors.len()
    }

    /// Encodes the model as a `.tflite` file (identifier [`FILE_IDENTIFIER`], `"TFL3"`).
    pub fn finish(&self) -> Vec<u8> {
        let mut w = FbWriter::new();

        // Buffers go first, so their data lands at the end of the file (as the converter does);
        // written in reverse so that they appear in index order.
        let mut buffer_offs = Vec::with_capacity(self.buffers.len());
        for (i, data) in self.buffers.iter().enumerate().rev() {
            let data_off = (i != 0 && !data.is_empty()).then(|| w.raw_vector(data, 1, 16));
            w.start_table();
            if let Some(d) = data_off {
                w.add_offset(buffer::DATA, d);
            }
            buffer_offs.push(w.end_table());
        }
        buffer_offs.reverse();

        let subgraph = self.write_subgraph(&mut w);

        let mut opcode_offs = Vec::with_capacity(self.opcodes.len());
        for oc in &self.opcodes {
            let custom = oc.custom.as_deref().map(|s| w.string(s));
            w.start_table();
            w.add_i32(operator_code::BUILTIN_CODE, oc.code.0, 0);
            w.add_i32(operator_code::VERSION, oc.version, 1);
            if let Some(c) = custom {
                w.add_offset(operator_code::CUSTOM_CODE, c);
            }
            w.add_i8(operator_code::DEPRECATED_BUILTIN_CODE, oc.code.deprecated_code(), 0);
            opcode_offs.push(w.end_table());
        }

        let description = w.string(&self.description);
        let buffers = w.vec_offsets(&buffer_offs);
        let subgraphs = w.vec_offsets(&[subgraph]);
        let opcodes = w.vec_offsets(&opcode_offs);
        w.start_table();
        w.add_u32(model::VERSION, SCHEMA_VERSION, 0);
        w.add_offset(model::OPERATOR_CODES, opcodes);
        w.add_offset(model::SUBGRAPHS, subgraphs);
        w.add_offset(model::DESCRIPTION, description);
        w.add_offset(model::BUFFERS, buffers);
        let root = w.end_table();
        w.finish(root, &FILE_IDENTIFIER)
    }

    fn write_subgraph(&self, w: &mut FbWriter) -> Off {
        let mut op_offs = Vec::with_capacity(self.operators.len());
        for op in self.operators.iter().rev() {
            let options = op.options.write(w);
            let custom = (!op.custom_options.is_empty()).then(|| w.raw_vector(&op.custom_options, 1, 1));
            let outputs = w.vec_i32(&op.outputs);
            let inputs = w.vec_i32(&op.inputs);
            w.start_table();
            w.add_u32(operator::OPCODE_INDEX, op.opcode_index, 0);
            w.add_offset(operator::INPUTS, inputs);
            w.add_offset(operator::OUTPUTS, outputs);
            if let Some(o) = options {
                w.add_offset(operator::BUILTIN_OPTIONS, o);
            }
            w.add_u8(operator::BUILTIN_OPTIONS_TYPE, op.options.union_type(), 0);
            if let Some(c) = custom {
                w.add_offset(operator::CUSTOM_OPTIONS, c);
            }
            op_offs.push(w.end_table());
        }
        op_offs.reverse();

        let mut tensor_offs = Vec::with_capacity(self.tensors.len());
        for t in self.tensors.iter().rev() {
            tensor_offs.push(write_tensor(w, t));
        }
        tensor_offs.reverse();

        let name = w.string("main");
        let operators = w.vec_offsets(&op_offs);
        let outputs = w.vec_i32(&self.outputs);
        let inputs = w.vec_i32(&self.inputs);
        let tensors = w.vec_offsets(&tensor_offs);
        w.start_table();
        w.add_offset(sub_graph::TENSORS, tensors);
        w.add_offset(sub_graph::INPUTS, inputs);
        w.add_offset(sub_graph::OUTPUTS, outputs);
        w.add_offset(sub_graph::OPERATORS, operators);
        w.add_offset(sub_graph::NAME, name);
        w.end_table()
    }
}

fn write_tensor(w: &mut FbWriter, t: &TensorRec) -> Off {
    let quant = t.spec.quant.as_ref().map(|q| {
        let zp = w.vec_i64(&q.zero_point);
        let scale = w.vec_f32(&q.scale);
        w.start_table();
        w.add_offset(quantization::SCALE, scale);
        w.add_offset(quantization::ZERO_POINT, zp);
        w.add_i32(quantization::QUANTIZED_DIMENSION, q.quantized_dimension, 0);
        w.end_table()
    });
    let name = w.string(&t.spec.name);
    let shape = w.vec_i32(&t.spec.shape);
    w.start_table();
    w.add_offset(tensor::SHAPE, shape);
    w.add_u32(tensor::BUFFER, t.buffer, 0);
    w.add_offset(tensor::NAME, name);
    if let Some(q) = quant {
        w.add_offset(tensor::QUANTIZATION, q);
    }
    w.add_i8(tensor::TYPE, t.spec.dtype as i8, 0);
    w.add_bool(tensor::HAS_RANK, true, false);
    w.end_table()
}
