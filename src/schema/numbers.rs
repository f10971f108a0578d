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
    pub const DEPTH_TO_SPACE: u32 = 5;
    pub const DEQUANTIZE: u32 = 6;
    pub const FULLY_CONNECTED: u32 = 9;
    pub const L2_NORMALIZATION: u32 = 11;
    pub const LOGISTIC: u32 = 14;
    pub const MAX_POOL_2D: u32 = 17;
    pub const MUL: u32 = 18;
    pub const RELU: u32 = 19;
    pub const RELU6: u32 = 21;
    pub const RESHAPE: u32 = 22;
    pub const RESIZE_BILINEAR: u32 = 23;
    pub const SOFTMAX: u32 = 25;
    pub const SPACE_TO_DEPTH: u32 = 26;
    pub const TANH: u32 = 28;
    /// A custom operator, named by `OperatorCode.custom_code`.
    pub const CUSTOM: u32 = 32;
    pub const PAD: u32 = 34;
    pub const GATHER: u32 = 36;
    pub const BATCH_TO_SPACE_ND: u32 = 37;
    pub const SPACE_TO_BATCH_ND: u32 = 38;
    pub const TRANSPOSE: u32 = 39;
    pub const MEAN: u32 = 40;
    pub const SUB: u32 = 41;
    pub const SQUEEZE: u32 = 43;
    pub const STRIDED_SLICE: u32 = 45;
    pub const SPLIT: u32 = 49;
    pub const PRELU: u32 = 54;
    pub const MAXIMUM: u32 = 55;
    pub const ARG_MAX: u32 = 56;
    pub const MINIMUM: u32 = 57;
    pub const PADV2: u32 = 60;
    pub const SLICE: u32 = 65;
    pub const TRANSPOSE_CONV: u32 = 67;
    pub const EXPAND_DIMS: u32 = 70;
    pub const ARG_MIN: u32 = 79;
    pub const PACK: u32 = 83;
    pub const UNPACK: u32 = 88;
    pub const RESIZE_NEAREST_NEIGHBOR: u32 = 97;
    pub const LEAKY_RELU: u32 = 98;
    pub const SQUARED_DIFFERENCE: u32 = 99;
    pub const SPLIT_V: u32 = 102;
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
    pub const L2_NORM_OPTIONS: u8 = 12;
    pub const RESIZE_BILINEAR_OPTIONS: u8 = 15;
    pub const RESHAPE_OPTIONS: u8 = 17;
    pub const SPACE_TO_DEPTH_OPTIONS: u8 = 19;
    pub const MUL_OPTIONS: u8 = 21;
    pub const PAD_OPTIONS: u8 = 22;
    pub const GATHER_OPTIONS: u8 = 23;
    pub const BATCH_TO_SPACE_ND_OPTIONS: u8 = 24;
    pub const SPACE_TO_BATCH_ND_OPTIONS: u8 = 25;
    pub const TRANSPOSE_OPTIONS: u8 = 26;
    pub const REDUCER_OPTIONS: u8 = 27;
    pub const SUB_OPTIONS: u8 = 28;
    pub const SQUEEZE_OPTIONS: u8 = 30;
    pub const STRIDED_SLICE_OPTIONS: u8 = 32;
    pub const SPLIT_OPTIONS: u8 = 35;
    pub const DEQUANTIZE_OPTIONS: u8 = 38;
    pub const MAXIMUM_MINIMUM_OPTIONS: u8 = 39;
    pub const ARG_MAX_OPTIONS: u8 = 40;
    pub const PAD_V2_OPTIONS: u8 = 43;
    pub const SLICE_OPTIONS: u8 = 48;
    pub const TRANSPOSE_CONV_OPTIONS: u8 = 49;
    pub const EXPAND_DIMS_OPTIONS: u8 = 52;
    pub const ARG_MIN_OPTIONS: u8 = 57;
    pub const PACK_OPTIONS: u8 = 59;
    pub const UNPACK_OPTIONS: u8 = 64;
    pub const RESIZE_NEAREST_NEIGHBOR_OPTIONS: u8 = 74;
    pub const LEAKY_RELU_OPTIONS: u8 = 75;
    pub const SQUARED_DIFFERENCE_OPTIONS: u8 = 76;
    pub const SPLIT_V_OPTIONS: u8 = 79;
    pub const QUANTIZE_OPTIONS: u8 = 89;
    pub const HARD_SWISH_OPTIONS: u8 = 91;
    pub const DEPTH_TO_SPACE_OPTIONS: u8 = 94;
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
    pub const QUANTIZED_BIAS_TYPE: usize = 6;
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
    pub const QUANTIZED_BIAS_TYPE: usize = 4;
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

/// Field ids of table `LeakyReluOptions`.
pub mod leaky_relu_options {
    pub const ALPHA: usize = 0;
}

/// Field ids of table `SplitOptions` (also `SplitVOptions`).
pub mod split_options {
    pub const NUM_SPLITS: usize = 0;
}

/// Field ids of table `StridedSliceOptions`.
pub mod strided_slice_options {
    pub const BEGIN_MASK: usize = 0;
    pub const END_MASK: usize = 1;
    pub const ELLIPSIS_MASK: usize = 2;
    pub const NEW_AXIS_MASK: usize = 3;
    pub const SHRINK_AXIS_MASK: usize = 4;
    pub const OFFSET: usize = 5;
}

/// Field ids of table `SubOptions`.
pub mod sub_options {
    pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
    pub const POT_SCALE_INT16: usize = 1;
}

/// Field ids of tables `SpaceToDepthOptions` and `DepthToSpaceOptions`.
pub mod block_size_options {
    pub const BLOCK_SIZE: usize = 0;
}

/// Field ids of table `GatherOptions`.
pub mod gather_options {
    pub const AXIS: usize = 0;
    pub const BATCH_DIMS: usize = 1;
}

/// Field ids of table `PackOptions`.
pub mod pack_options {
    pub const VALUES_COUNT: usize = 0;
    pub const AXIS: usize = 1;
}

/// Field ids of table `UnpackOptions`.
pub mod unpack_options {
    pub const NUM: usize = 0;
    pub const AXIS: usize = 1;
}

/// Field ids of table `L2NormOptions`.
pub mod l2_norm_options {
    pub const FUSED_ACTIVATION_FUNCTION: usize = 0;
}

/// Field ids of table `TransposeConvOptions`.
pub mod transpose_conv_options {
    pub const PADDING: usize = 0;
    pub const STRIDE_W: usize = 1;
    pub const STRIDE_H: usize = 2;
    pub const FUSED_ACTIVATION_FUNCTION: usize = 3;
    pub const QUANTIZED_BIAS_TYPE: usize = 4;
}

/// Field ids of table `ResizeBilinearOptions` (the first two are deprecated).
pub mod resize_bilinear_options {
    pub const NEW_HEIGHT: usize = 0;
    pub const NEW_WIDTH: usize = 1;
    pub const ALIGN_CORNERS: usize = 2;
    pub const HALF_PIXEL_CENTERS: usize = 3;
}

/// Field ids of tables `ArgMaxOptions` and `ArgMinOptions`.
pub mod arg_options {
    pub const OUTPUT_TYPE: usize = 0;
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
        let tables: [&[usize]; 31] = [
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
            &[leaky_relu_options::ALPHA],
            &[split_options::NUM_SPLITS],
            &[
                strided_slice_options::BEGIN_MASK,
                strided_slice_options::END_MASK,
                strided_slice_options::ELLIPSIS_MASK,
                strided_slice_options::NEW_AXIS_MASK,
                strided_slice_options::SHRINK_AXIS_MASK,
                strided_slice_options::OFFSET,
            ],
            &[sub_options::FUSED_ACTIVATION_FUNCTION, sub_options::POT_SCALE_INT16],
            &[block_size_options::BLOCK_SIZE],
            &[gather_options::AXIS, gather_options::BATCH_DIMS],
            &[pack_options::VALUES_COUNT, pack_options::AXIS],
            &[unpack_options::NUM, unpack_options::AXIS],
            &[l2_norm_options::FUSED_ACTIVATION_FUNCTION],
            &[
                transpose_conv_options::PADDING,
                transpose_conv_options::STRIDE_W,
                transpose_conv_options::STRIDE_H,
                transpose_conv_options::FUSED_ACTIVATION_FUNCTION,
                transpose_conv_options::QUANTIZED_BIAS_TYPE,
            ],
            &[
                resize_bilinear_options::NEW_HEIGHT,
                resize_bilinear_options::NEW_WIDTH,
                resize_bilinear_options::ALIGN_CORNERS,
                resize_bilinear_options::HALF_PIXEL_CENTERS,
            ],
            &[arg_options::OUTPUT_TYPE],
        ];
        for (t, ids) in tables.iter().enumerate() {
            assert!(ids.iter().copied().eq(0..ids.len()), "table {t}: {ids:?}");
        }
    }

    /// The supported operators have distinct codes, none of them `CUSTOM` or past the
    /// placeholder (custom operators have codes no model can state); only the two pools, and MAXIMUM with MINIMUM, share an options table.
    #[test]
    fn supported_codes_and_union_ids_are_distinct() {
        use crate::schema::opcodes::OpKind;
        for (i, a) in OpKind::ALL.into_iter().enumerate() {
            let code = a.code();
            let custom = code >= crate::schema::opcodes::CUSTOM_CODES;
            assert!(custom || (code < builtin::PLACEHOLDER_FOR_GREATER_OP_CODES && code != builtin::CUSTOM));
            for b in OpKind::ALL.into_iter().skip(i + 1) {
                assert_ne!(code, b.code(), "{a:?} {b:?}");
                let shared = a.options_type() == b.options_type() && a.options_type() != options_type::NONE;
                let may_share = [options_type::POOL_2D_OPTIONS, options_type::MAXIMUM_MINIMUM_OPTIONS];
                assert!(!shared || may_share.contains(&a.options_type()), "{a:?} {b:?}");
            }
        }
    }
}
