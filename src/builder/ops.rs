//! Builtin operator codes and the builtin option tables the builder can write.
//!
//! Numbers (operator codes, `BuiltinOptions` union ids, table field ids, enum values) come from
//! [`crate::schema::numbers`], the TFLite schema v3 (`schema.fbs`) that the TFLM oracle uses.

use super::fb::{FbWriter, Off};
use crate::schema::numbers::{activation_function_type as act, builtin, options_type, padding};
use crate::schema::numbers::{
    add_options, concatenation_options, conv_2d_options, depthwise_conv_2d_options, fully_connected_options,
    mul_options, pool_2d_options, reducer_options, reshape_options, resize_nearest_neighbor_options, softmax_options,
    squeeze_options,
};
use crate::schema::numbers::{
    arg_options, block_size_options, gather_options, l2_norm_options, leaky_relu_options, pack_options,
    resize_bilinear_options, split_options, strided_slice_options, sub_options, transpose_conv_options, unpack_options,
};

/// A builtin operator code (`BuiltinOperator` in the schema). Any code may be written; the
/// associated constants name the ones patchwise cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuiltinOp(pub i32);

impl BuiltinOp {
    /// `ADD`.
    pub const ADD: BuiltinOp = BuiltinOp(builtin::ADD as i32);
    /// `AVERAGE_POOL_2D`.
    pub const AVERAGE_POOL_2D: BuiltinOp = BuiltinOp(builtin::AVERAGE_POOL_2D as i32);
    /// `CONCATENATION`.
    pub const CONCATENATION: BuiltinOp = BuiltinOp(builtin::CONCATENATION as i32);
    /// `CONV_2D`.
    pub const CONV_2D: BuiltinOp = BuiltinOp(builtin::CONV_2D as i32);
    /// `DEPTHWISE_CONV_2D`.
    pub const DEPTHWISE_CONV_2D: BuiltinOp = BuiltinOp(builtin::DEPTHWISE_CONV_2D as i32);
    /// `DEQUANTIZE`.
    pub const DEQUANTIZE: BuiltinOp = BuiltinOp(builtin::DEQUANTIZE as i32);
    /// `FULLY_CONNECTED`.
    pub const FULLY_CONNECTED: BuiltinOp = BuiltinOp(builtin::FULLY_CONNECTED as i32);
    /// `LOGISTIC`.
    pub const LOGISTIC: BuiltinOp = BuiltinOp(builtin::LOGISTIC as i32);
    /// `MAX_POOL_2D`.
    pub const MAX_POOL_2D: BuiltinOp = BuiltinOp(builtin::MAX_POOL_2D as i32);
    /// `MUL`.
    pub const MUL: BuiltinOp = BuiltinOp(builtin::MUL as i32);
    /// `RELU`.
    pub const RELU: BuiltinOp = BuiltinOp(builtin::RELU as i32);
    /// `RELU6`.
    pub const RELU6: BuiltinOp = BuiltinOp(builtin::RELU6 as i32);
    /// `RESHAPE`.
    pub const RESHAPE: BuiltinOp = BuiltinOp(builtin::RESHAPE as i32);
    /// `SOFTMAX`.
    pub const SOFTMAX: BuiltinOp = BuiltinOp(builtin::SOFTMAX as i32);
    /// `CUSTOM`: written by [`super::ModelBuilder::add_custom_op`].
    pub const CUSTOM: BuiltinOp = BuiltinOp(builtin::CUSTOM as i32);
    /// `PAD`.
    pub const PAD: BuiltinOp = BuiltinOp(builtin::PAD as i32);
    /// `TRANSPOSE`.
    pub const TRANSPOSE: BuiltinOp = BuiltinOp(builtin::TRANSPOSE as i32);
    /// `MEAN`.
    pub const MEAN: BuiltinOp = BuiltinOp(builtin::MEAN as i32);
    /// `SUB`.
    pub const SUB: BuiltinOp = BuiltinOp(builtin::SUB as i32);
    /// `SQUEEZE`.
    pub const SQUEEZE: BuiltinOp = BuiltinOp(builtin::SQUEEZE as i32);
    /// `PADV2`.
    pub const PADV2: BuiltinOp = BuiltinOp(builtin::PADV2 as i32);
    /// `RESIZE_NEAREST_NEIGHBOR`.
    pub const RESIZE_NEAREST_NEIGHBOR: BuiltinOp = BuiltinOp(builtin::RESIZE_NEAREST_NEIGHBOR as i32);
    /// `QUANTIZE`.
    pub const QUANTIZE: BuiltinOp = BuiltinOp(builtin::QUANTIZE as i32);
    /// `HARD_SWISH`.
    pub const HARD_SWISH: BuiltinOp = BuiltinOp(builtin::HARD_SWISH as i32);
    /// `DEPTH_TO_SPACE`.
    pub const DEPTH_TO_SPACE: BuiltinOp = BuiltinOp(builtin::DEPTH_TO_SPACE as i32);
    /// `L2_NORMALIZATION`.
    pub const L2_NORMALIZATION: BuiltinOp = BuiltinOp(builtin::L2_NORMALIZATION as i32);
    /// `RESIZE_BILINEAR`.
    pub const RESIZE_BILINEAR: BuiltinOp = BuiltinOp(builtin::RESIZE_BILINEAR as i32);
    /// `SPACE_TO_DEPTH`.
    pub const SPACE_TO_DEPTH: BuiltinOp = BuiltinOp(builtin::SPACE_TO_DEPTH as i32);
    /// `TANH`.
    pub const TANH: BuiltinOp = BuiltinOp(builtin::TANH as i32);
    /// `BATCH_TO_SPACE_ND`.
    pub const BATCH_TO_SPACE_ND: BuiltinOp = BuiltinOp(builtin::BATCH_TO_SPACE_ND as i32);
    /// `SPACE_TO_BATCH_ND`.
    pub const SPACE_TO_BATCH_ND: BuiltinOp = BuiltinOp(builtin::SPACE_TO_BATCH_ND as i32);
    /// `GATHER`.
    pub const GATHER: BuiltinOp = BuiltinOp(builtin::GATHER as i32);
    /// `STRIDED_SLICE`.
    pub const STRIDED_SLICE: BuiltinOp = BuiltinOp(builtin::STRIDED_SLICE as i32);
    /// `SPLIT`.
    pub const SPLIT: BuiltinOp = BuiltinOp(builtin::SPLIT as i32);
    /// `PRELU`.
    pub const PRELU: BuiltinOp = BuiltinOp(builtin::PRELU as i32);
    /// `MAXIMUM`.
    pub const MAXIMUM: BuiltinOp = BuiltinOp(builtin::MAXIMUM as i32);
    /// `ARG_MAX`.
    pub const ARG_MAX: BuiltinOp = BuiltinOp(builtin::ARG_MAX as i32);
    /// `MINIMUM`.
    pub const MINIMUM: BuiltinOp = BuiltinOp(builtin::MINIMUM as i32);
    /// `SLICE`.
    pub const SLICE: BuiltinOp = BuiltinOp(builtin::SLICE as i32);
    /// `TRANSPOSE_CONV`.
    pub const TRANSPOSE_CONV: BuiltinOp = BuiltinOp(builtin::TRANSPOSE_CONV as i32);
    /// `EXPAND_DIMS`.
    pub const EXPAND_DIMS: BuiltinOp = BuiltinOp(builtin::EXPAND_DIMS as i32);
    /// `ARG_MIN`.
    pub const ARG_MIN: BuiltinOp = BuiltinOp(builtin::ARG_MIN as i32);
    /// `PACK`.
    pub const PACK: BuiltinOp = BuiltinOp(builtin::PACK as i32);
    /// `UNPACK`.
    pub const UNPACK: BuiltinOp = BuiltinOp(builtin::UNPACK as i32);
    /// `LEAKY_RELU`.
    pub const LEAKY_RELU: BuiltinOp = BuiltinOp(builtin::LEAKY_RELU as i32);
    /// `SQUARED_DIFFERENCE`.
    pub const SQUARED_DIFFERENCE: BuiltinOp = BuiltinOp(builtin::SQUARED_DIFFERENCE as i32);
    /// `SPLIT_V`.
    pub const SPLIT_V: BuiltinOp = BuiltinOp(builtin::SPLIT_V as i32);
    /// `PLACEHOLDER_FOR_GREATER_OP_CODES`: the `deprecated_builtin_code` of every op whose code
    /// is this or more.
    pub const PLACEHOLDER_FOR_GREATER_OP_CODES: BuiltinOp = BuiltinOp(builtin::PLACEHOLDER_FOR_GREATER_OP_CODES as i32);

    /// The value the converter writes into `OperatorCode.deprecated_builtin_code`:
    /// `min(code, PLACEHOLDER_FOR_GREATER_OP_CODES)`.
    pub fn deprecated_code(self) -> i8 {
        self.0.clamp(0, BuiltinOp::PLACEHOLDER_FOR_GREATER_OP_CODES.0) as i8
    }
}

/// `Padding` of convolutions and pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding {
    /// `SAME`: output size `ceil(in / stride)`.
    #[default]
    Same = padding::SAME as isize,
    /// `VALID`: output size `ceil((in - dilated_kernel + 1) / stride)`.
    Valid = padding::VALID as isize,
}

/// `ActivationFunctionType` fused into an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Activation {
    /// `NONE`.
    #[default]
    None = act::NONE as isize,
    /// `RELU`.
    Relu = act::RELU as isize,
    /// `RELU_N1_TO_1`.
    ReluN1To1 = act::RELU_N1_TO_1 as isize,
    /// `RELU6`.
    Relu6 = act::RELU6 as isize,
    /// `TANH`.
    Tanh = act::TANH as isize,
    /// `SIGN_BIT`.
    SignBit = act::SIGN_BIT as isize,
}

/// `Conv2DOptions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2DOptions {
    /// `padding`.
    pub padding: Padding,
    /// `stride_w`.
    pub stride_w: i32,
    /// `stride_h`.
    pub stride_h: i32,
    /// `fused_activation_function`.
    pub activation: Activation,
    /// `dilation_w_factor` (schema default 1).
    pub dilation_w: i32,
    /// `dilation_h_factor` (schema default 1).
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

/// `DepthwiseConv2DOptions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseConv2DOptions {
    /// `padding`.
    pub padding: Padding,
    /// `stride_w`.
    pub stride_w: i32,
    /// `stride_h`.
    pub stride_h: i32,
    /// `depth_multiplier` (TFLM derives the multiplier from the shapes; the converter still
    /// writes it).
    pub depth_multiplier: i32,
    /// `fused_activation_function`.
    pub activation: Activation,
    /// `dilation_w_factor` (schema default 1).
    pub dilation_w: i32,
    /// `dilation_h_factor` (schema default 1).
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

/// `FullyConnectedOptions`. `weights_format` is always `DEFAULT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FullyConnectedOptions {
    /// `fused_activation_function`.
    pub activation: Activation,
    /// `keep_num_dims`.
    pub keep_num_dims: bool,
}

/// `Pool2DOptions`, for AVERAGE_POOL_2D and MAX_POOL_2D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2DOptions {
    /// `padding`.
    pub padding: Padding,
    /// `stride_w`.
    pub stride_w: i32,
    /// `stride_h`.
    pub stride_h: i32,
    /// `filter_width`.
    pub filter_width: i32,
    /// `filter_height`.
    pub filter_height: i32,
    /// `fused_activation_function`.
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
    /// No options table (`BuiltinOptions_NONE`): LOGISTIC, RELU, RELU6 and others.
    #[default]
    None,
    /// `Conv2DOptions`.
    Conv2D(Conv2DOptions),
    /// `DepthwiseConv2DOptions`.
    DepthwiseConv2D(DepthwiseConv2DOptions),
    /// `Pool2DOptions`.
    Pool2D(Pool2DOptions),
    /// `FullyConnectedOptions`.
    FullyConnected(FullyConnectedOptions),
    /// `SoftmaxOptions`.
    Softmax {
        /// `beta`.
        beta: f32,
    },
    /// `ConcatenationOptions`.
    Concatenation {
        /// `axis` (negative counts from the end).
        axis: i32,
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `AddOptions`. `pot_scale_int16` is left at its default (true).
    Add {
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `ReshapeOptions`.
    Reshape {
        /// `new_shape`, written only if `Some`.
        new_shape: Option<Vec<i32>>,
    },
    /// `MulOptions`.
    Mul {
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `PadOptions`, empty table.
    Pad,
    /// `TransposeOptions`, empty table.
    Transpose,
    /// `ReducerOptions`, for MEAN (and SUM, REDUCE_MAX, …).
    Reducer {
        /// `keep_dims`.
        keep_dims: bool,
    },
    /// `SqueezeOptions`.
    Squeeze {
        /// `squeeze_dims`; empty = every size-1 dimension.
        squeeze_dims: Vec<i32>,
    },
    /// `DequantizeOptions`, empty table.
    Dequantize,
    /// `PadV2Options`, empty table.
    PadV2,
    /// `ResizeNearestNeighborOptions`.
    ResizeNearestNeighbor {
        /// `align_corners`.
        align_corners: bool,
        /// `half_pixel_centers`.
        half_pixel_centers: bool,
    },
    /// `QuantizeOptions`, empty table.
    Quantize,
    /// `HardSwishOptions`, empty table.
    HardSwish,
    /// `LeakyReluOptions`.
    LeakyRelu {
        /// `alpha`.
        alpha: f32,
    },
    /// `SplitOptions`.
    Split {
        /// `num_splits`.
        num_splits: i32,
    },
    /// `SplitVOptions`.
    SplitV {
        /// `num_splits`.
        num_splits: i32,
    },
    /// `StridedSliceOptions` (masks as bit sets over the axes).
    StridedSlice {
        /// `begin_mask`.
        begin_mask: i32,
        /// `end_mask`.
        end_mask: i32,
        /// `ellipsis_mask`.
        ellipsis_mask: i32,
        /// `new_axis_mask`.
        new_axis_mask: i32,
        /// `shrink_axis_mask`.
        shrink_axis_mask: i32,
        /// `offset`.
        offset: bool,
    },
    /// `SubOptions`. `pot_scale_int16` is left at its default (true).
    Sub {
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `MaximumMinimumOptions`, empty table (MAXIMUM and MINIMUM).
    MaximumMinimum,
    /// `SquaredDifferenceOptions`, empty table.
    SquaredDifference,
    /// `SpaceToDepthOptions`.
    SpaceToDepth {
        /// `block_size`.
        block_size: i32,
    },
    /// `DepthToSpaceOptions`.
    DepthToSpace {
        /// `block_size`.
        block_size: i32,
    },
    /// `GatherOptions`.
    Gather {
        /// `axis`.
        axis: i32,
        /// `batch_dims`.
        batch_dims: i32,
    },
    /// `PackOptions`.
    Pack {
        /// `values_count`.
        values_count: i32,
        /// `axis`.
        axis: i32,
    },
    /// `UnpackOptions`.
    Unpack {
        /// `num`.
        num: i32,
        /// `axis`.
        axis: i32,
    },
    /// `L2NormOptions`.
    L2Norm {
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `TransposeConvOptions`.
    TransposeConv {
        /// `padding`.
        padding: Padding,
        /// `stride_w`.
        stride_w: i32,
        /// `stride_h`.
        stride_h: i32,
        /// `fused_activation_function`.
        activation: Activation,
    },
    /// `ResizeBilinearOptions`.
    ResizeBilinear {
        /// `align_corners`.
        align_corners: bool,
        /// `half_pixel_centers`.
        half_pixel_centers: bool,
    },
    /// `ArgMaxOptions`.
    ArgMax {
        /// `output_type` (a `TensorType` value).
        output_type: i8,
    },
    /// `ArgMinOptions`.
    ArgMin {
        /// `output_type` (a `TensorType` value).
        output_type: i8,
    },
    /// `SliceOptions`, empty table.
    Slice,
    /// `ExpandDimsOptions`, empty table.
    ExpandDims,
    /// `SpaceToBatchNDOptions`, empty table.
    SpaceToBatchNd,
    /// `BatchToSpaceNDOptions`, empty table.
    BatchToSpaceNd,
}

impl OpOptions {
    /// The `BuiltinOptions` union type id (`builtin_options_type`).
    pub fn union_type(&self) -> u8 {
        match self {
            OpOptions::None => options_type::NONE,
            OpOptions::Conv2D(_) => options_type::CONV_2D_OPTIONS,
            OpOptions::DepthwiseConv2D(_) => options_type::DEPTHWISE_CONV_2D_OPTIONS,
            OpOptions::Pool2D(_) => options_type::POOL_2D_OPTIONS,
            OpOptions::FullyConnected(_) => options_type::FULLY_CONNECTED_OPTIONS,
            OpOptions::Softmax { .. } => options_type::SOFTMAX_OPTIONS,
            OpOptions::Concatenation { .. } => options_type::CONCATENATION_OPTIONS,
            OpOptions::Add { .. } => options_type::ADD_OPTIONS,
            OpOptions::Reshape { .. } => options_type::RESHAPE_OPTIONS,
            OpOptions::Mul { .. } => options_type::MUL_OPTIONS,
            OpOptions::Pad => options_type::PAD_OPTIONS,
            OpOptions::Transpose => options_type::TRANSPOSE_OPTIONS,
            OpOptions::Reducer { .. } => options_type::REDUCER_OPTIONS,
            OpOptions::Squeeze { .. } => options_type::SQUEEZE_OPTIONS,
            OpOptions::Dequantize => options_type::DEQUANTIZE_OPTIONS,
            OpOptions::PadV2 => options_type::PAD_V2_OPTIONS,
            OpOptions::ResizeNearestNeighbor { .. } => options_type::RESIZE_NEAREST_NEIGHBOR_OPTIONS,
            OpOptions::Quantize => options_type::QUANTIZE_OPTIONS,
            OpOptions::HardSwish => options_type::HARD_SWISH_OPTIONS,
            OpOptions::LeakyRelu { .. } => options_type::LEAKY_RELU_OPTIONS,
            OpOptions::Split { .. } => options_type::SPLIT_OPTIONS,
            OpOptions::SplitV { .. } => options_type::SPLIT_V_OPTIONS,
            OpOptions::StridedSlice { .. } => options_type::STRIDED_SLICE_OPTIONS,
            OpOptions::Sub { .. } => options_type::SUB_OPTIONS,
            OpOptions::MaximumMinimum => options_type::MAXIMUM_MINIMUM_OPTIONS,
            OpOptions::SquaredDifference => options_type::SQUARED_DIFFERENCE_OPTIONS,
            OpOptions::SpaceToDepth { .. } => options_type::SPACE_TO_DEPTH_OPTIONS,
            OpOptions::DepthToSpace { .. } => options_type::DEPTH_TO_SPACE_OPTIONS,
            OpOptions::Gather { .. } => options_type::GATHER_OPTIONS,
            OpOptions::Pack { .. } => options_type::PACK_OPTIONS,
            OpOptions::Unpack { .. } => options_type::UNPACK_OPTIONS,
            OpOptions::L2Norm { .. } => options_type::L2_NORM_OPTIONS,
            OpOptions::TransposeConv { .. } => options_type::TRANSPOSE_CONV_OPTIONS,
            OpOptions::ResizeBilinear { .. } => options_type::RESIZE_BILINEAR_OPTIONS,
            OpOptions::ArgMax { .. } => options_type::ARG_MAX_OPTIONS,
            OpOptions::ArgMin { .. } => options_type::ARG_MIN_OPTIONS,
            OpOptions::Slice => options_type::SLICE_OPTIONS,
            OpOptions::ExpandDims => options_type::EXPAND_DIMS_OPTIONS,
            OpOptions::SpaceToBatchNd => options_type::SPACE_TO_BATCH_ND_OPTIONS,
            OpOptions::BatchToSpaceNd => options_type::BATCH_TO_SPACE_ND_OPTIONS,
        }
    }

    /// Writes the options table; `None` for [`OpOptions::None`].
    pub(crate) fn write(&self, w: &mut FbWriter) -> Option<Off> {
        if *self == OpOptions::None {
            return None;
        }
        // Vectors are children: write them before the table starts.
        let vec_field = match self {
            OpOptions::Reshape { new_shape: Some(s) } => Some((reshape_options::NEW_SHAPE, w.vec_i32(s))),
            OpOptions::Squeeze { squeeze_dims } => Some((squeeze_options::SQUEEZE_DIMS, w.vec_i32(squeeze_dims))),
            _ => None,
        };
        w.start_table();
        match self {
            OpOptions::Conv2D(o) => {
                use conv_2d_options as f;
                w.add_i32(f::STRIDE_W, o.stride_w, 0);
                w.add_i32(f::STRIDE_H, o.stride_h, 0);
                w.add_i32(f::DILATION_W_FACTOR, o.dilation_w, 1);
                w.add_i32(f::DILATION_H_FACTOR, o.dilation_h, 1);
                w.add_i8(f::PADDING, o.padding as i8, 0);
                w.add_i8(f::FUSED_ACTIVATION_FUNCTION, o.activation as i8, 0);
            }
            OpOptions::DepthwiseConv2D(o) => {
                use depthwise_conv_2d_options as f;
                w.add_i32(f::STRIDE_W, o.stride_w, 0);
                w.add_i32(f::STRIDE_H, o.stride_h, 0);
                w.add_i32(f::DEPTH_MULTIPLIER, o.depth_multiplier, 0);
                w.add_i32(f::DILATION_W_FACTOR, o.dilation_w, 1);
                w.add_i32(f::DILATION_H_FACTOR, o.dilation_h, 1);
                w.add_i8(f::PADDING, o.padding as i8, 0);
                w.add_i8(f::FUSED_ACTIVATION_FUNCTION, o.activation as i8, 0);
            }
            OpOptions::Pool2D(o) => {
                use pool_2d_options as f;
                w.add_i32(f::STRIDE_W, o.stride_w, 0);
                w.add_i32(f::STRIDE_H, o.stride_h, 0);
                w.add_i32(f::FILTER_WIDTH, o.filter_width, 0);
                w.add_i32(f::FILTER_HEIGHT, o.filter_height, 0);
                w.add_i8(f::PADDING, o.padding as i8, 0);
                w.add_i8(f::FUSED_ACTIVATION_FUNCTION, o.activation as i8, 0);
            }
            OpOptions::FullyConnected(o) => {
                use fully_connected_options as f;
                w.add_i8(f::FUSED_ACTIVATION_FUNCTION, o.activation as i8, 0);
                w.add_bool(f::KEEP_NUM_DIMS, o.keep_num_dims, false);
            }
            OpOptions::Softmax { beta } => w.add_f32(softmax_options::BETA, *beta, 0.0),
            OpOptions::Concatenation { axis, activation } => {
                w.add_i32(concatenation_options::AXIS, *axis, 0);
                w.add_i8(concatenation_options::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0);
            }
            OpOptions::Add { activation } => w.add_i8(add_options::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0),
            OpOptions::Mul { activation } => w.add_i8(mul_options::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0),
            OpOptions::Reducer { keep_dims } => w.add_bool(reducer_options::KEEP_DIMS, *keep_dims, false),
            OpOptions::ResizeNearestNeighbor { align_corners, half_pixel_centers } => {
                use resize_nearest_neighbor_options as f;
                w.add_bool(f::ALIGN_CORNERS, *align_corners, false);
                w.add_bool(f::HALF_PIXEL_CENTERS, *half_pixel_centers, false);
            }
            OpOptions::LeakyRelu { alpha } => w.add_f32(leaky_relu_options::ALPHA, *alpha, 0.0),
            OpOptions::Split { num_splits } => w.add_i32(split_options::NUM_SPLITS, *num_splits, 0),
            OpOptions::SplitV { num_splits } => w.add_i32(split_options::NUM_SPLITS, *num_splits, 0),
            OpOptions::StridedSlice {
                begin_mask,
                end_mask,
                ellipsis_mask,
                new_axis_mask,
                shrink_axis_mask,
                offset,
            } => {
                use strided_slice_options as f;
                w.add_i32(f::BEGIN_MASK, *begin_mask, 0);
                w.add_i32(f::END_MASK, *end_mask, 0);
                w.add_i32(f::ELLIPSIS_MASK, *ellipsis_mask, 0);
                w.add_i32(f::NEW_AXIS_MASK, *new_axis_mask, 0);
                w.add_i32(f::SHRINK_AXIS_MASK, *shrink_axis_mask, 0);
                w.add_bool(f::OFFSET, *offset, false);
            }
            OpOptions::Sub { activation } => w.add_i8(sub_options::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0),
            OpOptions::SpaceToDepth { block_size } | OpOptions::DepthToSpace { block_size } => {
                w.add_i32(block_size_options::BLOCK_SIZE, *block_size, 0)
            }
            OpOptions::Gather { axis, batch_dims } => {
                w.add_i32(gather_options::AXIS, *axis, 0);
                w.add_i32(gather_options::BATCH_DIMS, *batch_dims, 0);
            }
            OpOptions::Pack { values_count, axis } => {
                w.add_i32(pack_options::VALUES_COUNT, *values_count, 0);
                w.add_i32(pack_options::AXIS, *axis, 0);
            }
            OpOptions::Unpack { num, axis } => {
                w.add_i32(unpack_options::NUM, *num, 0);
                w.add_i32(unpack_options::AXIS, *axis, 0);
            }
            OpOptions::L2Norm { activation } => {
                w.add_i8(l2_norm_options::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0)
            }
            OpOptions::TransposeConv { padding, stride_w, stride_h, activation } => {
                use transpose_conv_options as f;
                w.add_i32(f::STRIDE_W, *stride_w, 0);
                w.add_i32(f::STRIDE_H, *stride_h, 0);
                w.add_i8(f::PADDING, *padding as i8, 0);
                w.add_i8(f::FUSED_ACTIVATION_FUNCTION, *activation as i8, 0);
            }
            OpOptions::ResizeBilinear { align_corners, half_pixel_centers } => {
                use resize_bilinear_options as f;
                w.add_bool(f::ALIGN_CORNERS, *align_corners, false);
                w.add_bool(f::HALF_PIXEL_CENTERS, *half_pixel_centers, false);
            }
            OpOptions::ArgMax { output_type } | OpOptions::ArgMin { output_type } => {
                w.add_i8(arg_options::OUTPUT_TYPE, *output_type, 0)
            }
            OpOptions::None
            | OpOptions::MaximumMinimum
            | OpOptions::SquaredDifference
            | OpOptions::Slice
            | OpOptions::ExpandDims
            | OpOptions::SpaceToBatchNd
            | OpOptions::BatchToSpaceNd
            | OpOptions::Reshape { .. }
            | OpOptions::Squeeze { .. }
            | OpOptions::Pad
            | OpOptions::Transpose
            | OpOptions::Dequantize
            | OpOptions::PadV2
            | OpOptions::Quantize
            | OpOptions::HardSwish => {}
        }
        if let Some((id, v)) = vec_field {
            w.add_offset(id, v);
        }
        Some(w.end_table())
    }
}
