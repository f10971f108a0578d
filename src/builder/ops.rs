//! Builtin operator codes and the builtin option tables the builder can write.
//!
//! Numbers (operator codes, `BuiltinOptions` union ids, table field slots) are those of the
//! TFLite schema v3 (`schema.fbs`) that the TFLM oracle uses.

use super::fb::{FbWriter, Off};

/// A builtin operator code (`BuiltinOperator` in the schema). Any code may be written; the
/// associated constants name the ones patchwise cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuiltinOp(pub i32);

impl BuiltinOp {
    /// `ADD` (0).
    pub const ADD: BuiltinOp = BuiltinOp(0);
    /// `AVERAGE_POOL_2D` (1).
    pub const AVERAGE_POOL_2D: BuiltinOp = BuiltinOp(1);
    /// `CONCATENATION` (2).
    pub const CONCATENATION: BuiltinOp = BuiltinOp(2);
    /// `CONV_2D` (3).
    pub const CONV_2D: BuiltinOp = BuiltinOp(3);
    /// `DEPTHWISE_CONV_2D` (4).
    pub const DEPTHWISE_CONV_2D: BuiltinOp = BuiltinOp(4);
    /// `DEQUANTIZE` (6).
    pub const DEQUANTIZE: BuiltinOp = BuiltinOp(6);
    /// `FULLY_CONNECTED` (9).
    pub const FULLY_CONNECTED: BuiltinOp = BuiltinOp(9);
    /// `LOGISTIC` (14).
    pub const LOGISTIC: BuiltinOp = BuiltinOp(14);
    /// `MAX_POOL_2D` (17).
    pub const MAX_POOL_2D: BuiltinOp = BuiltinOp(17);
    /// `MUL` (18).
    pub const MUL: BuiltinOp = BuiltinOp(18);
    /// `RELU` (19).
    pub const RELU: BuiltinOp = BuiltinOp(19);
    /// `RELU6` (21).
    pub const RELU6: BuiltinOp = BuiltinOp(21);
    /// `RESHAPE` (22).
    pub const RESHAPE: BuiltinOp = BuiltinOp(22);
    /// `SOFTMAX` (25).
    pub const SOFTMAX: BuiltinOp = BuiltinOp(25);
    /// `CUSTOM` (32): written by [`super::ModelBuilder::add_custom_op`].
    pub const CUSTOM: BuiltinOp = BuiltinOp(32);
    /// `PAD` (34).
    pub const PAD: BuiltinOp = BuiltinOp(34);
    /// `TRANSPOSE` (39).
    pub const TRANSPOSE: BuiltinOp = BuiltinOp(39);
    /// `MEAN` (40).
    pub const MEAN: BuiltinOp = BuiltinOp(40);
    /// `SUB` (41).
    pub const SUB: BuiltinOp = BuiltinOp(41);
    /// `SQUEEZE` (43).
    pub const SQUEEZE: BuiltinOp = BuiltinOp(43);
    /// `PADV2` (60).
    pub const PADV2: BuiltinOp = BuiltinOp(60);
    /// `RESIZE_NEAREST_NEIGHBOR` (97).
    pub const RESIZE_NEAREST_NEIGHBOR: BuiltinOp = BuiltinOp(97);
    /// `QUANTIZE` (114).
    pub const QUANTIZE: BuiltinOp = BuiltinOp(114);
    /// `HARD_SWISH` (117).
    pub const HARD_SWISH: BuiltinOp = BuiltinOp(117);
    /// `PLACEHOLDER_FOR_GREATER_OP_CODES` (127): the `deprecated_builtin_code` of every op whose
    /// code is 127 or more.
    pub const PLACEHOLDER_FOR_GREATER_OP_CODES: BuiltinOp = BuiltinOp(127);

    /// The value the converter writes into `OperatorCode.deprecated_builtin_code`:
    /// `min(code, 127)`.
    pub fn deprecated_code(self) -> i8 {
        self.0.clamp(0, 127) as i8
    }
}

/// `Padding` of convolutions and pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding {
    /// `SAME` (0): output size `ceil(in / stride)`.
    #[default]
    Same = 0,
    /// `VALID` (1): output size `ceil((in - dilated_kernel + 1) / stride)`.
    Valid = 1,
}

/// `ActivationFunctionType` fused into an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Activation {
    /// `NONE` (0).
    #[default]
    None = 0,
    /// `RELU` (1).
    Relu = 1,
    /// `RELU_N1_TO_1` (2).
    ReluN1To1 = 2,
    /// `RELU6` (3).
    Relu6 = 3,
    /// `TANH` (4).
    Tanh = 4,
    /// `SIGN_BIT` (5).
    SignBit = 5,
}

/// `Conv2DOptions` (union id 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2DOptions {
    /// Slot 0.
    pub padding: Padding,
    /// Slot 1.
    pub stride_w: i32,
    /// Slot 2.
    pub stride_h: i32,
    /// Slot 3.
    pub activation: Activation,
    /// Slot 4 (schema default 1).
    pub dilation_w: i32,
    /// Slot 5 (schema default 1).
    pub dilation_h: i32,
}

impl Default for Conv2DOptions {
    /// SAME, stride 1, no activation, dilation 1.
    fn default() -> Self {
        Conv2DOptions {
            padding: Padding::Same,
            stride_w: 1,
            stride_h: 1,
            activation: Activation::None,
            dilation_w: 1,
            dilation_h: 1,
        }
    }
}

/// `DepthwiseConv2DOptions` (union id 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseConv2DOptions {
    /// Slot 0.
    pub padding: Padding,
    /// Slot 1.
    pub stride_w: i32,
    /// Slot 2.
    pub stride_h: i32,
    /// Slot 3 (TFLM derives the multiplier from the shapes; the converter still writes it).
    pub depth_multiplier: i32,
    /// Slot 4.
    pub activation: Activation,
    /// Slot 5 (schema default 1).
    pub dilation_w: i32,
    /// Slot 6 (schema default 1).
    pub dilation_h: i32,
}

impl Default for DepthwiseConv2DOptions {
    /// SAME, stride 1, multiplier 1, no activation, dilation 1.
    fn default() -> Self {
        DepthwiseConv2DOptions {
            padding: Padding::Same,
            stride_w: 1,
            stride_h: 1,
            depth_multiplier: 1,
            activation: Activation::None,
            dilation_w: 1,
            dilation_h: 1,
        }
    }
}

/// `FullyConnectedOptions` (union id 8). `weights_format` is always `DEFAULT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FullyConnectedOptions {
    /// Slot 0.
    pub activation: Activation,
    /// Slot 2.
    pub keep_num_dims: bool,
}

/// `Pool2DOptions` (union id 5), for AVERAGE_POOL_2D and MAX_POOL_2D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2DOptions {
    /// Slot 0.
    pub padding: Padding,
    /// Slot 1.
    pub stride_w: i32,
    /// Slot 2.
    pub stride_h: i32,
    /// Slot 3.
    pub filter_width: i32,
    /// Slot 4.
    pub filter_height: i32,
    /// Slot 5.
    pub activation: Activation,
}

impl Default for Pool2DOptions {
    /// VALID 2x2 stride 2, no activation.
    fn default() -> Self {
        Pool2DOptions {
            padding: Padding::Valid,
            stride_w: 2,
            stride_h: 2,
            filter_width: 2,
            filter_height: 2,
            activation: Activation::None,
        }
    }
}

/// Options of one operator: a member of the schema's `BuiltinOptions` union.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum OpOptions {
    /// No options table (`BuiltinOptions_NONE`, id 0): LOGISTIC, RELU, RELU6 and others.
    #[default]
    None,
    /// `Conv2DOptions` (id 1).
    Conv2D(Conv2DOptions),
    /// `DepthwiseConv2DOptions` (id 2).
    DepthwiseConv2D(DepthwiseConv2DOptions),
    /// `Pool2DOptions` (id 5).
    Pool2D(Pool2DOptions),
    /// `FullyConnectedOptions` (id 8).
    FullyConnected(FullyConnectedOptions),
    /// `SoftmaxOptions` (id 9): `beta` (slot 0).
    Softmax {
        /// Slot 0.
        beta: f32,
    },
    /// `ConcatenationOptions` (id 10).
    Concatenation {
        /// Slot 0 (negative counts from the end).
        axis: i32,
        /// Slot 1.
        activation: Activation,
    },
    /// `AddOptions` (id 11). `pot_scale_int16` is left at its default (true).
    Add {
        /// Slot 0.
        activation: Activation,
    },
    /// `ReshapeOptions` (id 17): `new_shape` (slot 0), written only if `Some`.
    Reshape {
        /// Slot 0.
        new_shape: Option<Vec<i32>>,
    },
    /// `MulOptions` (id 21).
    Mul {
        /// Slot 0.
        activation: Activation,
    },
    /// `PadOptions` (id 22), empty table.
    Pad,
    /// `TransposeOptions` (id 26), empty table.
    Transpose,
    /// `ReducerOptions` (id 27), for MEAN (and SUM, REDUCE_MAX, …).
    Reducer {
        /// Slot 0.
        keep_dims: bool,
    },
    /// `SqueezeOptions` (id 30): `squeeze_dims` (slot 0); empty = every size-1 dimension.
    Squeeze {
        /// Slot 0.
        squeeze_dims: Vec<i32>,
    },
    /// `DequantizeOptions` (id 38), empty table.
    Dequantize,
    /// `PadV2Options` (id 43), empty table.
    PadV2,
    /// `ResizeNearestNeighborOptions` (id 74).
    ResizeNearestNeighbor {
        /// Slot 0.
        align_corners: bool,
        /// Slot 1.
        half_pixel_centers: bool,
    },
    /// `QuantizeOptions` (id 89), empty table.
    Quantize,
    /// `HardSwishOptions` (id 91), empty table.
    HardSwish,
}

impl OpOptions {
    /// The `BuiltinOptions` union type id (`builtin_options_type`).
    pub fn union_type(&self) -> u8 {
        match self {
            OpOptions::None => 0,
            OpOptions::Conv2D(_) => 1,
            OpOptions::DepthwiseConv2D(_) => 2,
            OpOptions::Pool2D(_) => 5,
            OpOptions::FullyConnected(_) => 8,
            OpOptions::Softmax { .. } => 9,
            OpOptions::Concatenation { .. } => 10,
            OpOptions::Add { .. } => 11,
            OpOptions::Reshape { .. } => 17,
            OpOptions::Mul { .. } => 21,
            OpOptions::Pad => 22,
            OpOptions::Transpose => 26,
            OpOptions::Reducer { .. } => 27,
            OpOptions::Squeeze { .. } => 30,
            OpOptions::Dequantize => 38,
            OpOptions::PadV2 => 43,
            OpOptions::ResizeNearestNeighbor { .. } => 74,
            OpOptions::Quantize => 89,
            OpOptions::HardSwish => 91,
        }
    }

    /// Writes the options table; `None` for [`OpOptions::None`].
    pub(crate) fn write(&self, w: &mut FbWriter) -> Option<Off> {
        if *self == OpOptions::None {
            return None;
        }
        // Vectors are children: write them before the table starts.
        let vec_field = match self {
            OpOptions::Reshape { new_shape: Some(s) } => Some(w.vec_i32(s)),
            OpOptions::Squeeze { squeeze_dims } => Some(w.vec_i32(squeeze_dims)),
            _ => None,
        };
        w.start_table();
        match self {
            OpOptions::Conv2D(o) => {
                w.add_i32(1, o.stride_w, 0);
                w.add_i32(2, o.stride_h, 0);
                w.add_i32(4, o.dilation_w, 1);
                w.add_i32(5, o.dilation_h, 1);
                w.add_i8(0, o.padding as i8, 0);
                w.add_i8(3, o.activation as i8, 0);
            }
            OpOptions::DepthwiseConv2D(o) => {
                w.add_i32(1, o.stride_w, 0);
                w.add_i32(2, o.stride_h, 0);
                w.add_i32(3, o.depth_multiplier, 0);
                w.add_i32(5, o.dilation_w, 1);
                w.add_i32(6, o.dilation_h, 1);
                w.add_i8(0, o.padding as i8, 0);
                w.add_i8(4, o.activation as i8, 0);
            }
            OpOptions::Pool2D(o) => {
                w.add_i32(1, o.stride_w, 0);
                w.add_i32(2, o.stride_h, 0);
                w.add_i32(3, o.filter_width, 0);
                w.add_i32(4, o.filter_height, 0);
                w.add_i8(0, o.padding as i8, 0);
                w.add_i8(5, o.activation as i8, 0);
            }
            OpOptions::FullyConnected(o) => {
                w.add_i8(0, o.activation as i8, 0);
                w.add_bool(2, o.keep_num_dims, false);
            }
            OpOptions::Softmax { beta } => w.add_f32(0, *beta, 0.0),
            OpOptions::Concatenation { axis, activation } => {
                w.add_i32(0, *axis, 0);
                w.add_i8(1, *activation as i8, 0);
            }
            OpOptions::Add { activation } | OpOptions::Mul { activation } => w.add_i8(0, *activation as i8, 0),
            OpOptions::Reducer { keep_dims } => w.add_bool(0, *keep_dims, false),
            OpOptions::ResizeNearestNeighbor { align_corners, half_pixel_centers } => {
                w.add_bool(0, *align_corners, false);
                w.add_bool(1, *half_pixel_centers, false);
            }
            OpOptions::None
            | OpOptions::Reshape { .. }
            | OpOptions::Squeeze { .. }
            | OpOptions::Pad
            | OpOptions::Transpose
            | OpOptions::Dequantize
            | OpOptions::PadV2
            | OpOptions::Quantize
            | OpOptions::HardSwish => {}
        }
        if let Some(v) = vec_field {
            w.add_offset(0, v);
        }
        Some(w.end_table())
    }
}
