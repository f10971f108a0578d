//! The numbers of the TensorFlow Lite flatbuffer schema that patchwise uses, written once.
//!
//! Every number comes from the TFLite schema v3 (`schema.fbs`, file identifier `"TFL3"`):
//! the `BuiltinOperator` codes ([`builtin`](crate::schema::numbers::builtin)), the
//! `BuiltinOptions` union type ids ([`options_type`](crate::schema::numbers::options_type)), the
//! `TensorType`, `Padding` and `ActivationFunctionType` values, and one module per table with the
//! field ids (vtable slot indices, in declaration order; a union field takes two: its type, then
//! its value) of the fields patchwise reads, writes or walks. Names are the schema's, upper-cased.
//!
//! Three places take their numbers from here and nowhere else: the verifying reader
//! ([`crate::schema`] and [`crate::schema::opcodes`]), the model builder (`crate::builder`,
//! feature `builder`) and the fuzz mutator's flatbuffer walker (`fuzz/src/fb.rs`), so they cannot
//! disagree with each other. Agreement with the schema itself is checked by the tests below (ids
//! in declaration order, distinct codes), by the builder's tests (an independent reader with the
//! schema's slot numbers), by the op goldens (TFLM runs the models the builder writes) and by the
//! converter-made models under `../shared`.
//!
//! Field ids are `usize` (what [`crate::schema::flatbuf::Table`]'s accessors take), builtin
//! codes `u32` (as in [`crate::schema::Operator::opcode`]), union type ids `u8`, enum values
//! `i8` (the schema's `byte` enums).

/// File identifier at bytes 4..8 of every schema v3 model.
pub const FILE_IDENTIFIER: [u8; 4] = *b"TFL3";

/// `Model.version` of schema v3 (TFLM refuses any other).
pub const SCHEMA_VERSION: u32 = 3;

/// `BuiltinOperator` codes.
pub mod builtin {
    pub const ADD: u32 = 0;
    pub const AVERAGE_POOL_2D: u32 = 1;
    pub const CONCATENATION: u32 = 2;
    pub const CONV_2D: u32 = 3;
    pub const DEPTHWISE_CONV_2D: u32 = 4;
    pub const DEQUANTIZE: u32 = 6;
    pub const FULLY_CONNECTED: u32 = 9;
    pub const LOGISTIC: u32 = 14;
    pub const MAX_POOL_2D: u32 = 17;
    pub const MUL: u32 = 18;
    pub const RELU: u32 = 19;
    pub const RELU6: u32 = 21;
    pub const RESHAPE: u32 = 22;
    pub const SOFTMAX: u32 = 25;
    /// A custom operator, named by `OperatorCode.custom_code`.
    pub const CUSTOM: u32 = 32;
    pub const PAD: u32 = 34;
    pub const TRANSPOSE: u32 = 39;
    pub const MEAN: u32 = 40;
    pub const SUB: u32 = 41;
    pub const SQUEEZE: u32 = 43;
    pub const PADV2: u32 = 60;
    pub const RESIZE_NEAREST_NEIGHBOR: u32 = 97;
    pub const QUANTIZE: u32 = 114;
    pub const HARD_SWISH: u32 = 117;
    /// The `deprecated_builtin_code` (an `i8`) of every operator whose code is this or more;
    /// the real code is then only in `builtin_code`.
    pub const PLACEHOLDER_FOR_GREATER_OP_CODES: u32 = 127;
}

/// `BuiltinOptions` union type ids (`Operator.builtin_options_type`).
pub mod options_type {
    /// No options table.
    pub const NONE: u8 = 0;
    pub const CONV_2D_OPTIONS: u8 = 1;
    pub const DEPTHWISE_CONV_2D_OPTIONS: u8 = 2;
    pub const POOL_2D_OPTIONS: u8 = 5;
    pub const FULLY_CONNECTED_OPTIONS: u8 = 8;
    pub const SOFTMAX_OPTIONS: u8 = 9;
    pub const CONCATENATION_OPTIONS: u8 = 10;
    pub const ADD_OPTIONS: u8 = 11;
    pub const RESHAPE_OPTIONS: u8 = 17;
    pub const MUL_OPTIONS: u8 = 21;
    pub const PAD_OPTIONS: u8 = 22;
    pub const TRANSPOSE_OPTIONS: u8 = 26;
    pub const REDUCER_OPTIONS: u8 = 27;
    pub const SQUEEZE_OPTIONS: u8 = 30;
    pub const DEQUANTIZE_OPTIONS: u8 = 38;
    pub const PAD_V2_OPTIONS: u8 = 43;
    pub const RESIZE_NEAREST_NEIGHBOR_OPTIONS: u8 = 74;
    pub const QUANTIZE_OPTIONS: u8 = 89;
    pub const HARD_SWISH_OPTIONS: u8 = 91;
}

/// `TensorType` values (`Tensor.type`).
pub mod tensor_type {
    pub const FLOAT32: i8 = 0;
    pub const INT32: i8 = 2;
    pub const UINT8: i8 = 3;
    pub const INT64: i8 = 4;
    pub const BOOL: i8 = 6;
    pub const INT16: i8 = 7;
    pub const INT8: i8 = 9;
}

/// `Padding` values of convolutions and pools.
pub mod padding {
    pub const SAME: i8 = 0;
    pub const VALID: i8 = 1;
}

/// `ActivationFunctionType` values (`fused_activation_function`).
pub mod activation_function_type {
    pub const NONE: i8 = 0;
    pub const RELU: i8 = 1;
    pub const RELU_N1_TO_1: i8 = 2;
    pub const RELU6: i8 = 3;
    pub const TANH: i8 = 4;
    pub const SIGN_BIT: i8 = 5;
}

/// Field ids of table `Model` (the root).
pub mod model {
    pub const VERSION: usize = 0;
    pub const OPERATOR_CODES: usize = 1;
    pub const SUBGRAPHS: usize = 2;
    pub const DESCRIPTION: usize = 3;
    pub const BUFFERS: usize = 4;
}

/// Field ids of table `OperatorCode`.
pub mod operator_code {
    pub const DEPRECATED_BUILTIN_CODE: usize = 0;
    pub const CUSTOM_CODE: usize = 1;
    pub const VERSION: usize = 2;
    pub const BUILTIN_CODE: usize = 3;
}

/// Field ids of table `SubGraph`.
pub mod sub_graph {
    pub const TENSORS: usize = 0;
    pub const INPUTS: usize = 1;
    pub const OUTPUTS: usize = 2;
    pub const OPERATORS: usize = 3;
    pub const NAME: usize = 4;
}

/// Field ids of table `Tensor`.
pub mod tensor {
    pub const SHAPE: usize = 0;
    pub const TYPE: usize = 1;
    pub const BUFFER: usize = 2;
    pub const NAME: usize = 3;
    pub const QUANTIZATION: usize = 4;
    pub const IS_VARIABLE: usize = 5;
    pub const SPARSITY: usize = 6;
    pub const SHAPE_SIGNATURE: usize = 7;
    pub const HAS_RANK: usize = 8;
}

/// Field ids of table `QuantizationParameters`.
pub mod quantization {
    pub const MIN: usize = 0;
    pub const MAX: usize = 1;
    pub const SCALE: usize = 2;
    pub const ZERO_POINT: usize = 3;
    /// Type of the `details` union (`QuantizationDetails`).
    pub const DETAILS_TYPE: usize = 4;
    pub const DETAILS: usize = 5;
    pub const QUANTIZED_DIMENSION: usize = 6;
}

/// Field ids of table `Buffer`.
pub mod buffer {
    pub const DATA: usize = 0;
    /// Position of the data in the file (models over 2 GB keep it outside the flatbuffer).
    pub const OFFSET: usize = 1;
    pub const SIZE: usize = 2;
}

/// Field ids of table `Operator`.
pub mod operator {
    /// Index into `Model.operator_codes`.
    pub const OPCODE_INDEX: usize = 0;
    pub const INPUTS: usize = 1;
    pub const OUTPUTS: usize = 2;
    /// Type of the `builtin_options` union (an [`options_type`](super::options_type) id).
    pub const BUILTIN_OPTIONS_TYPE: usize = 3;
    pub const BUILTIN_OPTIONS: usize = 4;
    pub const CUSTOM_OPTIONS: usize = 5;
    pub const CUSTOM_OPTIONS_FORMAT: usize = 6;
    pub const MUTATING_VARIABLE_INPUTS: usize = 7;
    pub const INTERMEDIATES: usize = 8;
}

/// Field ids of table `Conv2DOptions`.
pub mod conv_2d_options {
    pub const PADDING: usize = 0;
    pub const STRIDE_W: usize = 1;
    pub const STRIDE_H: usize = 2;
    pub const FUSED_ACTIVATION_FUNCTION: usize = 3;
    pub const DILATION_W_FACTOR: usize = 4;
    pub const DILATION_H_FACTOR: usize = 5;
}

/// Field ids of table `DepthwiseConv2DOptions`.
pub mod depthwise_conv_2d_options {
    pub const PADDING: usize = 0;
    pub const STRIDE_W: usize = 1;
    pub const STRIDE_H: usize = 2;
    pub const DEPTH_MULTIPLIER: usize = 3;
    pub const FUSED_ACTIVATION_FUNCTION: usize = 4;
    pub const DILATION_W_FACTOR: usize = 5;
    pub const DILATION_H_FACTOR: usize = 6;
}

/// Field ids of table `Pool2DOptions`.
pub mod pool_2d_options {
    pub const PADDING: usize = 0;
    pub const STRIDE_W: usize = 1;
    pub const STRIDE_H: usize = 2;
    pub const FILTER_WIDTH: usize = 3;
    pub const FILTER_HEIGHT: usize = 4;
    pub const FUSED_ACTIVATION_FUNCTION: usize = 5;
}

/// Field ids of table `FullyConnectedOptions`.
pub mod fully_connected_options {
    pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    pub const WEIGHTS_FORMAT: usize = 1;
    pub const KEEP_NUM_DIMS: usize = 2;
    pub const ASYMMETRIC_QUANTIZE_INPUTS: usize = 3;
}

/// Field ids of table `SoftmaxOptions`.
pub mod softmax_options {
    pub const BETA: usize = 0;
}

/// Field ids of table `ConcatenationOptions`.
pub mod concatenation_options {
    pub const AXIS: usize = 0;
    pub const FUSED_ACTIVATION_FUNCTION: usize = 1;
}

/// Field ids of table `AddOptions`.
pub mod add_options {
    pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    pub const POT_SCALE_INT16: usize = 1;
}

/// Field ids of table `ReshapeOptions`.
pub mod reshape_options {
    pub const NEW_SHAPE: usize = 0;
}

/// Field ids of table `MulOptions`.
pub mod mul_options {
    pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
}

/// Field ids of table `ReducerOptions` (MEAN, SUM, REDUCE_MAX, ...).
pub mod reducer_options {
    pub const KEEP_DIMS: usize = 0;
}

/// Field ids of table `SqueezeOptions`.
pub mod squeeze_options {
    pub const SQUEEZE_DIMS: usize = 0;
}

/// Field ids of table `ResizeNearestNeighborOptions`.
pub mod resize_nearest_neighbor_options {
    pub const ALIGN_CORNERS: usize = 0;
    pub const HALF_PIXEL_CENTERS: usize = 1;
}

// Tests assert by panicking and compute freely.
#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// Ids of each table in declaration order: they must count 0, 1, 2, ... (a union field
    /// takes two), so a copy-paste slip in the table shows up here.
    #[test]
    fn field_ids_follow_the_declaration_order() {
        let tables: [&[usize]; 19] = [
            &[model::VERSION, model::OPERATOR_CODES, model::SUBGRAPHS, model::DESCRIPTION, model::BUFFERS],
            &[
                operator_code::DEPRECATED_BUILTIN_CODE,
                operator_code::CUSTOM_CODE,
                operator_code::VERSION,
                operator_code::BUILTIN_CODE,
            ],
            &[sub_graph::TENSORS, sub_graph::INPUTS, sub_graph::OUTPUTS, sub_graph::OPERATORS, sub_graph::NAME],
            &[
                tensor::SHAPE,
                tensor::TYPE,
                tensor::BUFFER,
                tensor::NAME,
                tensor::QUANTIZATION,
                tensor::IS_VARIABLE,
                tensor::SPARSITY,
                tensor::SHAPE_SIGNATURE,
                tensor::HAS_RANK,
            ],
            &[
                quantization::MIN,
                quantization::MAX,
                quantization::SCALE,
                quantization::ZERO_POINT,
                quantization::DETAILS_TYPE,
                quantization::DETAILS,
                quantization::QUANTIZED_DIMENSION,
            ],
            &[buffer::DATA, buffer::OFFSET, buffer::SIZE],
            &[
                operator::OPCODE_INDEX,
                operator::INPUTS,
                operator::OUTPUTS,
                operator::BUILTIN_OPTIONS_TYPE,
                operator::BUILTIN_OPTIONS,
                operator::CUSTOM_OPTIONS,
                operator::CUSTOM_OPTIONS_FORMAT,
                operator::MUTATING_VARIABLE_INPUTS,
                operator::INTERMEDIATES,
            ],
            &[
                conv_2d_options::PADDING,
                conv_2d_options::STRIDE_W,
                conv_2d_options::STRIDE_H,
                conv_2d_options::FUSED_ACTIVATION_FUNCTION,
                conv_2d_options::DILATION_W_FACTOR,
                conv_2d_options::DILATION_H_FACTOR,
            ],
            &[
                depthwise_conv_2d_options::PADDING,
                depthwise_conv_2d_options::STRIDE_W,
                depthwise_conv_2d_options::STRIDE_H,
                depthwise_conv_2d_options::DEPTH_MULTIPLIER,
                depthwise_conv_2d_options::FUSED_ACTIVATION_FUNCTION,
                depthwise_conv_2d_options::DILATION_W_FACTOR,
                depthwise_conv_2d_options::DILATION_H_FACTOR,
            ],
            &[
                pool_2d_options::PADDING,
                pool_2d_options::STRIDE_W,
                pool_2d_options::STRIDE_H,
                pool_2d_options::FILTER_WIDTH,
                pool_2d_options::FILTER_HEIGHT,
                pool_2d_options::FUSED_ACTIVATION_FUNCTION,
            ],
            &[
                fully_connected_options::FUSED_ACTIVATION_FUNCTION,
                fully_connected_options::WEIGHTS_FORMAT,
                fully_connected_options::KEEP_NUM_DIMS,
                fully_connected_options::ASYMMETRIC_QUANTIZE_INPUTS,
            ],
            &[softmax_options::BETA],
            &[concatenation_options::AXIS, concatenation_options::FUSED_ACTIVATION_FUNCTION],
            &[add_options::FUSED_ACTIVATION_FUNCTION, add_options::POT_SCALE_INT16],
            &[reshape_options::NEW_SHAPE],
            &[mul_options::FUSED_ACTIVATION_FUNCTION],
            &[reducer_options::KEEP_DIMS],
            &[squeeze_options::SQUEEZE_DIMS],
            &[resize_nearest_neighbor_options::ALIGN_CORNERS, resize_nearest_neighbor_options::HALF_PIXEL_CENTERS],
        ];
        for (t, ids) in tables.iter().enumerate() {
            assert!(ids.iter().copied().eq(0..ids.len()), "table {t}: {ids:?}");
        }
    }

    /// The supported operators have distinct codes, none of them `CUSTOM`, `SUB` or past the
    /// placeholder; only the two pools share an options table.
    #[test]
    fn supported_codes_and_union_ids_are_distinct() {
        use crate::schema::opcodes::OpKind;
        for (i, a) in OpKind::ALL.into_iter().enumerate() {
            let code = a.code();
            assert!(
                code < builtin::PLACEHOLDER_FOR_GREATER_OP_CODES && code != builtin::CUSTOM && code != builtin::SUB
            );
            for b in OpKind::ALL.into_iter().skip(i + 1) {
                assert_ne!(code, b.code(), "{a:?} {b:?}");
                let shared = a.options_type() == b.options_type() && a.options_type() != options_type::NONE;
                assert!(!shared || a.options_type() == options_type::POOL_2D_OPTIONS, "{a:?} {b:?}");
            }
        }
    }
}
