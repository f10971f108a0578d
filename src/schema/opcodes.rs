//! The builtin operators patchwise executes, and their options-union type ids (TFLite schema).

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
}

impl OpKind {
    /// Every supported operator.
    pub const ALL: [OpKind; 22] = [
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
    ];

    /// The schema's `BuiltinOperator` code.
    pub const fn code(self) -> u32 {
        match self {
            OpKind::Add => 0,
            OpKind::AveragePool2d => 1,
            OpKind::Concatenation => 2,
            OpKind::Conv2d => 3,
            OpKind::DepthwiseConv2d => 4,
            OpKind::Dequantize => 6,
            OpKind::FullyConnected => 9,
            OpKind::Logistic => 14,
            OpKind::MaxPool2d => 17,
            OpKind::Mul => 18,
            OpKind::Relu => 19,
            OpKind::Relu6 => 21,
            OpKind::Reshape => 22,
            OpKind::Softmax => 25,
            OpKind::Pad => 34,
            OpKind::Transpose => 39,
            OpKind::Mean => 40,
            OpKind::Squeeze => 43,
            OpKind::PadV2 => 60,
            OpKind::ResizeNearestNeighbor => 97,
            OpKind::Quantize => 114,
            OpKind::HardSwish => 117,
        }
    }

    /// The operator for a builtin code, if supported.
    pub fn from_code(code: u32) -> Option<OpKind> {
        OpKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The `BuiltinOptions` union type this operator's options table has (0 = none).
    pub const fn options_type(self) -> u8 {
        match self {
            OpKind::Conv2d => 1,
            OpKind::DepthwiseConv2d => 2,
            OpKind::AveragePool2d | OpKind::MaxPool2d => 5,
            OpKind::FullyConnected => 8,
            OpKind::Softmax => 9,
            OpKind::Concatenation => 10,
            OpKind::Add => 11,
            OpKind::Reshape => 17,
            OpKind::Mul => 21,
            OpKind::Pad => 22,
            OpKind::Transpose => 26,
            OpKind::Mean => 27,
            OpKind::Squeeze => 30,
            OpKind::Dequantize => 38,
            OpKind::PadV2 => 43,
            OpKind::ResizeNearestNeighbor => 74,
            OpKind::Quantize => 89,
            OpKind::HardSwish => 91,
            OpKind::Logistic | OpKind::Relu | OpKind::Relu6 => 0,
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
        }
    }
}
