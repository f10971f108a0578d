//! The builtin operators patchwise executes, and their options-union type ids (TFLite schema;
//! the numbers are those of [`super::numbers`]).

use super::numbers::{builtin, options_type};

/// A supported builtin operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum OpKind {
    Add,
    AveragePool2d,
    Concatenation,
    Conv2d,
    DepthwiseConv2d,
    Dequantize,
    FullyConnected,
    Logistic,
    MaxPool2d,
    Mul,
    Relu,
    Relu6,
    Reshape,
    Softmax,
    Pad,
    Transpose,
    Mean,
    Squeeze,
    PadV2,
    ResizeNearestNeighbor,
    Quantize,
    HardSwish,
    LeakyRelu,
    Split,
    SplitV,
    Unpack,
    StridedSlice,
}

impl OpKind {
    /// Every supported operator.
    pub const ALL: [OpKind; 27] = [
        OpKind::Add,
        OpKind::AveragePool2d,
        OpKind::Concatenation,
        OpKind::Conv2d,
        OpKind::DepthwiseConv2d,
        OpKind::Dequantize,
        OpKind::FullyConnected,
        OpKind::Logistic,
        OpKind::MaxPool2d,
        OpKind::Mul,
        OpKind::Relu,
        OpKind::Relu6,
        OpKind::Reshape,
        OpKind::Softmax,
        OpKind::Pad,
        OpKind::Transpose,
        OpKind::Mean,
        OpKind::Squeeze,
        OpKind::PadV2,
        OpKind::ResizeNearestNeighbor,
        OpKind::Quantize,
        OpKind::HardSwish,
        OpKind::LeakyRelu,
        OpKind::Split,
        OpKind::SplitV,
        OpKind::Unpack,
        OpKind::StridedSlice,
    ];

    /// The schema's `BuiltinOperator` code.
    pub const fn code(self) -> u32 {
        match self {
            OpKind::Add => builtin::ADD,
            OpKind::AveragePool2d => builtin::AVERAGE_POOL_2D,
            OpKind::Concatenation => builtin::CONCATENATION,
            OpKind::Conv2d => builtin::CONV_2D,
            OpKind::DepthwiseConv2d => builtin::DEPTHWISE_CONV_2D,
            OpKind::Dequantize => builtin::DEQUANTIZE,
            OpKind::FullyConnected => builtin::FULLY_CONNECTED,
            OpKind::Logistic => builtin::LOGISTIC,
            OpKind::MaxPool2d => builtin::MAX_POOL_2D,
            OpKind::Mul => builtin::MUL,
            OpKind::Relu => builtin::RELU,
            OpKind::Relu6 => builtin::RELU6,
            OpKind::Reshape => builtin::RESHAPE,
            OpKind::Softmax => builtin::SOFTMAX,
            OpKind::Pad => builtin::PAD,
            OpKind::Transpose => builtin::TRANSPOSE,
            OpKind::Mean => builtin::MEAN,
            OpKind::Squeeze => builtin::SQUEEZE,
            OpKind::PadV2 => builtin::PADV2,
            OpKind::ResizeNearestNeighbor => builtin::RESIZE_NEAREST_NEIGHBOR,
            OpKind::Quantize => builtin::QUANTIZE,
            OpKind::HardSwish => builtin::HARD_SWISH,
            OpKind::LeakyRelu => builtin::LEAKY_RELU,
            OpKind::Split => builtin::SPLIT,
            OpKind::SplitV => builtin::SPLIT_V,
            OpKind::Unpack => builtin::UNPACK,
            OpKind::StridedSlice => builtin::STRIDED_SLICE,
        }
    }

    /// The operator for a builtin code, if supported.
    pub fn from_code(code: u32) -> Option<OpKind> {
        OpKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The `BuiltinOptions` union type this operator's options table has (`NONE` for none).
    pub const fn options_type(self) -> u8 {
        match self {
            OpKind::Conv2d => options_type::CONV_2D_OPTIONS,
            OpKind::DepthwiseConv2d => options_type::DEPTHWISE_CONV_2D_OPTIONS,
            OpKind::AveragePool2d | OpKind::MaxPool2d => options_type::POOL_2D_OPTIONS,
            OpKind::FullyConnected => options_type::FULLY_CONNECTED_OPTIONS,
            OpKind::Softmax => options_type::SOFTMAX_OPTIONS,
            OpKind::Concatenation => options_type::CONCATENATION_OPTIONS,
            OpKind::Add => options_type::ADD_OPTIONS,
            OpKind::Reshape => options_type::RESHAPE_OPTIONS,
            OpKind::Mul => options_type::MUL_OPTIONS,
            OpKind::Pad => options_type::PAD_OPTIONS,
            OpKind::Transpose => options_type::TRANSPOSE_OPTIONS,
            OpKind::Mean => options_type::REDUCER_OPTIONS,
            OpKind::Squeeze => options_type::SQUEEZE_OPTIONS,
            OpKind::Dequantize => options_type::DEQUANTIZE_OPTIONS,
            OpKind::PadV2 => options_type::PAD_V2_OPTIONS,
            OpKind::ResizeNearestNeighbor => options_type::RESIZE_NEAREST_NEIGHBOR_OPTIONS,
            OpKind::Quantize => options_type::QUANTIZE_OPTIONS,
            OpKind::HardSwish => options_type::HARD_SWISH_OPTIONS,
            OpKind::LeakyRelu => options_type::LEAKY_RELU_OPTIONS,
            OpKind::Split => options_type::SPLIT_OPTIONS,
            OpKind::SplitV => options_type::SPLIT_V_OPTIONS,
            OpKind::Unpack => options_type::UNPACK_OPTIONS,
            OpKind::StridedSlice => options_type::STRIDED_SLICE_OPTIONS,
            OpKind::Logistic | OpKind::Relu | OpKind::Relu6 => options_type::NONE,
        }
    }

    /// Upper-case name as in the TFLite schema.
    pub const fn name(self) -> &'static str {
        match self {
            OpKind::Add => "ADD",
            OpKind::AveragePool2d => "AVERAGE_POOL_2D",
            OpKind::Concatenation => "CONCATENATION",
            OpKind::Conv2d => "CONV_2D",
            OpKind::DepthwiseConv2d => "DEPTHWISE_CONV_2D",
            OpKind::Dequantize => "DEQUANTIZE",
            OpKind::FullyConnected => "FULLY_CONNECTED",
            OpKind::Logistic => "LOGISTIC",
            OpKind::MaxPool2d => "MAX_POOL_2D",
            OpKind::Mul => "MUL",
            OpKind::Relu => "RELU",
            OpKind::Relu6 => "RELU6",
            OpKind::Reshape => "RESHAPE",
            OpKind::Softmax => "SOFTMAX",
            OpKind::Pad => "PAD",
            OpKind::Transpose => "TRANSPOSE",
            OpKind::Mean => "MEAN",
            OpKind::Squeeze => "SQUEEZE",
            OpKind::PadV2 => "PADV2",
            OpKind::ResizeNearestNeighbor => "RESIZE_NEAREST_NEIGHBOR",
            OpKind::Quantize => "QUANTIZE",
            OpKind::HardSwish => "HARD_SWISH",
            OpKind::LeakyRelu => "LEAKY_RELU",
            OpKind::Split => "SPLIT",
            OpKind::SplitV => "SPLIT_V",
            OpKind::Unpack => "UNPACK",
            OpKind::StridedSlice => "STRIDED_SLICE",
        }
    }
}
