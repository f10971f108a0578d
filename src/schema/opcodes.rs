//! The builtin operators patchwise executes, and their options-union type ids (TFLite schema;
//! the numbers are those of [`super::numbers`]).

use super::numbers::{builtin, options_type};

/// The one table of operator cargo features: defines [`OpKind::feature`] and
/// [`OpKind::enabled`] from `Kind | Kind => "feature"` rows. RESHAPE, SQUEEZE and EXPAND_DIMS
/// (shape only: aliased by the planner, a copy at most) need no feature.
macro_rules! operator_features {
    ($($($kind:ident)|+ => $feature:literal,)*) => {
        /// The cargo feature that compiles this operator in (`None`: always compiled in).
        /// `ops::prepare` refuses an operator whose feature is off ([`OpKind::enabled`]) and
        /// `patchwise plan` prints the features a model needs.
        pub const fn feature(self) -> Option<&'static str> {
            match self {
                $($(OpKind::$kind)|+ => Some($feature),)*
                OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims => None,
            }
        }

        /// True when this operator's feature is compiled in (see [`OpKind::feature`]).
        pub const fn enabled(self) -> bool {
            match self {
                $($(OpKind::$kind)|+ => cfg!(feature = $feature),)*
                OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims => true,
            }
        }

        /// Every operator feature, in table order, then `int16` (the 16x8 forms of the
        /// operators that have one). The C API numbers features by their place here
        /// (`pw_feature_name`, the masks of `pw_model_summary`).
        pub const FEATURES: &'static [&'static str] = &[$($feature),*, INT16_FEATURE];
    };
}

/// The cargo feature of the int16-activation ("16x8") operator forms: needed by a model with
/// int16 tensors, last in [`OpKind::FEATURES`].
pub const INT16_FEATURE: &str = "int16";

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
    Sub,
    Maximum,
    Minimum,
    SquaredDifference,
    Tanh,
    L2Normalization,
    Gather,
    Pack,
    SpaceToDepth,
    DepthToSpace,
    TransposeConv,
    Prelu,
    ResizeBilinear,
    ArgMax,
    ArgMin,
    Slice,
    ExpandDims,
    BatchToSpaceNd,
    SpaceToBatchNd,
    /// The custom operator `TFLite_Detection_PostProcess` (SSD heads).
    DetectionPostprocess,
}

/// The code [`super::Operator::opcode`] holds for a `CUSTOM` operator named
/// `TFLite_Detection_PostProcess`. Custom operators patchwise runs get codes from
/// [`CUSTOM_CODES`] up, which no model can state (the schema's codes are `i32`, and negative
/// ones read as unknown), so a builtin code never selects a custom kernel.
pub const DETECTION_POSTPROCESS: u32 = CUSTOM_CODES;

/// The first code of the custom operators patchwise runs (see [`DETECTION_POSTPROCESS`]).
pub const CUSTOM_CODES: u32 = 0x8000_0000;

/// The custom operators patchwise runs: `(custom_code, code)`.
pub const CUSTOM_OPERATORS: [(&[u8], u32); 1] = [(b"TFLite_Detection_PostProcess", DETECTION_POSTPROCESS)];

impl OpKind {
    /// Every supported operator.
    pub const ALL: [OpKind; 47] = [
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
        OpKind::Sub,
        OpKind::Maximum,
        OpKind::Minimum,
        OpKind::SquaredDifference,
        OpKind::Tanh,
        OpKind::L2Normalization,
        OpKind::Gather,
        OpKind::Pack,
        OpKind::SpaceToDepth,
        OpKind::DepthToSpace,
        OpKind::TransposeConv,
        OpKind::Prelu,
        OpKind::ResizeBilinear,
        OpKind::ArgMax,
        OpKind::ArgMin,
        OpKind::Slice,
        OpKind::ExpandDims,
        OpKind::BatchToSpaceNd,
        OpKind::SpaceToBatchNd,
        OpKind::DetectionPostprocess,
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
            OpKind::Sub => builtin::SUB,
            OpKind::Maximum => builtin::MAXIMUM,
            OpKind::Minimum => builtin::MINIMUM,
            OpKind::SquaredDifference => builtin::SQUARED_DIFFERENCE,
            OpKind::Tanh => builtin::TANH,
            OpKind::L2Normalization => builtin::L2_NORMALIZATION,
            OpKind::Gather => builtin::GATHER,
            OpKind::Pack => builtin::PACK,
            OpKind::SpaceToDepth => builtin::SPACE_TO_DEPTH,
            OpKind::DepthToSpace => builtin::DEPTH_TO_SPACE,
            OpKind::TransposeConv => builtin::TRANSPOSE_CONV,
            OpKind::Prelu => builtin::PRELU,
            OpKind::ResizeBilinear => builtin::RESIZE_BILINEAR,
            OpKind::ArgMax => builtin::ARG_MAX,
            OpKind::ArgMin => builtin::ARG_MIN,
            OpKind::Slice => builtin::SLICE,
            OpKind::ExpandDims => builtin::EXPAND_DIMS,
            OpKind::BatchToSpaceNd => builtin::BATCH_TO_SPACE_ND,
            OpKind::SpaceToBatchNd => builtin::SPACE_TO_BATCH_ND,
            OpKind::DetectionPostprocess => DETECTION_POSTPROCESS,
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
            OpKind::Sub => options_type::SUB_OPTIONS,
            OpKind::Maximum => options_type::MAXIMUM_MINIMUM_OPTIONS,
            OpKind::Minimum => options_type::MAXIMUM_MINIMUM_OPTIONS,
            OpKind::SquaredDifference => options_type::SQUARED_DIFFERENCE_OPTIONS,
            OpKind::L2Normalization => options_type::L2_NORM_OPTIONS,
            OpKind::Gather => options_type::GATHER_OPTIONS,
            OpKind::Pack => options_type::PACK_OPTIONS,
            OpKind::SpaceToDepth => options_type::SPACE_TO_DEPTH_OPTIONS,
            OpKind::DepthToSpace => options_type::DEPTH_TO_SPACE_OPTIONS,
            OpKind::TransposeConv => options_type::TRANSPOSE_CONV_OPTIONS,
            OpKind::ResizeBilinear => options_type::RESIZE_BILINEAR_OPTIONS,
            OpKind::ArgMax => options_type::ARG_MAX_OPTIONS,
            OpKind::ArgMin => options_type::ARG_MIN_OPTIONS,
            OpKind::Slice => options_type::SLICE_OPTIONS,
            OpKind::ExpandDims => options_type::EXPAND_DIMS_OPTIONS,
            OpKind::BatchToSpaceNd => options_type::BATCH_TO_SPACE_ND_OPTIONS,
            OpKind::SpaceToBatchNd => options_type::SPACE_TO_BATCH_ND_OPTIONS,
            OpKind::Logistic | OpKind::Relu | OpKind::Relu6 | OpKind::Tanh | OpKind::Prelu => options_type::NONE,
            // Custom operators keep their options in `custom_options` (a FlexBuffer).
            OpKind::DetectionPostprocess => options_type::NONE,
        }
    }

    operator_features! {
        Add => "op-add",
        AveragePool2d | MaxPool2d => "op-pool",
        Concatenation => "op-concatenation",
        Conv2d => "op-conv",
        DepthwiseConv2d => "op-depthwise",
        Dequantize => "op-dequantize",
        FullyConnected => "op-fully-connected",
        Logistic => "op-logistic",
        Mul => "op-mul",
        Relu | Relu6 => "op-relu",
        Softmax => "op-softmax",
        Pad | PadV2 => "op-pad",
        Transpose => "op-transpose",
        Mean => "op-mean",
        ResizeNearestNeighbor => "op-resize-nearest",
        Quantize => "op-quantize",
        HardSwish => "op-hard-swish",
        LeakyRelu => "op-leaky-relu",
        Split | SplitV | Unpack => "op-split",
        StridedSlice => "op-strided-slice",
        Sub => "op-sub",
        Maximum | Minimum => "op-maximum-minimum",
        SquaredDifference => "op-squared-difference",
        Tanh => "op-tanh",
        L2Normalization => "op-l2norm",
        Gather => "op-gather",
        Pack => "op-pack",
        SpaceToDepth | DepthToSpace => "op-space-to-depth",
        TransposeConv => "op-transpose-conv",
        Prelu => "op-prelu",
        ResizeBilinear => "op-resize-bilinear",
        ArgMax | ArgMin => "op-arg-min-max",
        Slice => "op-slice",
        BatchToSpaceNd | SpaceToBatchNd => "op-space-batch",
        DetectionPostprocess => "op-detection-postprocess",
    }

    /// The place of [`OpKind::feature`] in [`OpKind::FEATURES`] (`None`: needs no feature).
    pub fn feature_index(self) -> Option<usize> {
        let f = self.feature()?;
        OpKind::FEATURES.iter().position(|&g| g == f)
    }

    /// Upper-case name as in the TFLite schema; a custom operator's `custom_code`.
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
            OpKind::Sub => "SUB",
            OpKind::Maximum => "MAXIMUM",
            OpKind::Minimum => "MINIMUM",
            OpKind::SquaredDifference => "SQUARED_DIFFERENCE",
            OpKind::Tanh => "TANH",
            OpKind::L2Normalization => "L2_NORMALIZATION",
            OpKind::Gather => "GATHER",
            OpKind::Pack => "PACK",
            OpKind::SpaceToDepth => "SPACE_TO_DEPTH",
            OpKind::DepthToSpace => "DEPTH_TO_SPACE",
            OpKind::TransposeConv => "TRANSPOSE_CONV",
            OpKind::Prelu => "PRELU",
            OpKind::ResizeBilinear => "RESIZE_BILINEAR",
            OpKind::ArgMax => "ARG_MAX",
            OpKind::ArgMin => "ARG_MIN",
            OpKind::Slice => "SLICE",
            OpKind::ExpandDims => "EXPAND_DIMS",
            OpKind::BatchToSpaceNd => "BATCH_TO_SPACE_ND",
            OpKind::SpaceToBatchNd => "SPACE_TO_BATCH_ND",
            OpKind::DetectionPostprocess => "TFLite_Detection_PostProcess",
        }
    }
}

/// The schema's `BuiltinOperator` names, indexed by code, up to RIGHT_SHIFT (161); the later
/// codes (StableHLO and newer) are not named, to keep firmware small.
const BUILTIN_NAMES: [&core::ffi::CStr; 162] = [
    c"ADD",
    c"AVERAGE_POOL_2D",
    c"CONCATENATION",
    c"CONV_2D",
    c"DEPTHWISE_CONV_2D",
    c"DEPTH_TO_SPACE",
    c"DEQUANTIZE",
    c"EMBEDDING_LOOKUP",
    c"FLOOR",
    c"FULLY_CONNECTED",
    c"HASHTABLE_LOOKUP",
    c"L2_NORMALIZATION",
    c"L2_POOL_2D",
    c"LOCAL_RESPONSE_NORMALIZATION",
    c"LOGISTIC",
    c"LSH_PROJECTION",
    c"LSTM",
    c"MAX_POOL_2D",
    c"MUL",
    c"RELU",
    c"RELU_N1_TO_1",
    c"RELU6",
    c"RESHAPE",
    c"RESIZE_BILINEAR",
    c"RNN",
    c"SOFTMAX",
    c"SPACE_TO_DEPTH",
    c"SVDF",
    c"TANH",
    c"CONCAT_EMBEDDINGS",
    c"SKIP_GRAM",
    c"CALL",
    c"CUSTOM",
    c"EMBEDDING_LOOKUP_SPARSE",
    c"PAD",
    c"UNIDIRECTIONAL_SEQUENCE_RNN",
    c"GATHER",
    c"BATCH_TO_SPACE_ND",
    c"SPACE_TO_BATCH_ND",
    c"TRANSPOSE",
    c"MEAN",
    c"SUB",
    c"DIV",
    c"SQUEEZE",
    c"UNIDIRECTIONAL_SEQUENCE_LSTM",
    c"STRIDED_SLICE",
    c"BIDIRECTIONAL_SEQUENCE_RNN",
    c"EXP",
    c"TOPK_V2",
    c"SPLIT",
    c"LOG_SOFTMAX",
    c"DELEGATE",
    c"BIDIRECTIONAL_SEQUENCE_LSTM",
    c"CAST",
    c"PRELU",
    c"MAXIMUM",
    c"ARG_MAX",
    c"MINIMUM",
    c"LESS",
    c"NEG",
    c"PADV2",
    c"GREATER",
    c"GREATER_EQUAL",
    c"LESS_EQUAL",
    c"SELECT",
    c"SLICE",
    c"SIN",
    c"TRANSPOSE_CONV",
    c"SPARSE_TO_DENSE",
    c"TILE",
    c"EXPAND_DIMS",
    c"EQUAL",
    c"NOT_EQUAL",
    c"LOG",
    c"SUM",
    c"SQRT",
    c"RSQRT",
    c"SHAPE",
    c"POW",
    c"ARG_MIN",
    c"FAKE_QUANT",
    c"REDUCE_PROD",
    c"REDUCE_MAX",
    c"PACK",
    c"LOGICAL_OR",
    c"ONE_HOT",
    c"LOGICAL_AND",
    c"LOGICAL_NOT",
    c"UNPACK",
    c"REDUCE_MIN",
    c"FLOOR_DIV",
    c"REDUCE_ANY",
    c"SQUARE",
    c"ZEROS_LIKE",
    c"FILL",
    c"FLOOR_MOD",
    c"RANGE",
    c"RESIZE_NEAREST_NEIGHBOR",
    c"LEAKY_RELU",
    c"SQUARED_DIFFERENCE",
    c"MIRROR_PAD",
    c"ABS",
    c"SPLIT_V",
    c"UNIQUE",
    c"CEIL",
    c"REVERSE_V2",
    c"ADD_N",
    c"GATHER_ND",
    c"COS",
    c"WHERE",
    c"RANK",
    c"ELU",
    c"REVERSE_SEQUENCE",
    c"MATRIX_DIAG",
    c"QUANTIZE",
    c"MATRIX_SET_DIAG",
    c"ROUND",
    c"HARD_SWISH",
    c"IF",
    c"WHILE",
    c"NON_MAX_SUPPRESSION_V4",
    c"NON_MAX_SUPPRESSION_V5",
    c"SCATTER_ND",
    c"SELECT_V2",
    c"DENSIFY",
    c"SEGMENT_SUM",
    c"BATCH_MATMUL",
    c"PLACEHOLDER_FOR_GREATER_OP_CODES",
    c"CUMSUM",
    c"CALL_ONCE",
    c"BROADCAST_TO",
    c"RFFT2D",
    c"CONV_3D",
    c"IMAG",
    c"REAL",
    c"COMPLEX_ABS",
    c"HASHTABLE",
    c"HASHTABLE_FIND",
    c"HASHTABLE_IMPORT",
    c"HASHTABLE_SIZE",
    c"REDUCE_ALL",
    c"CONV_3D_TRANSPOSE",
    c"VAR_HANDLE",
    c"READ_VARIABLE",
    c"ASSIGN_VARIABLE",
    c"BROADCAST_ARGS",
    c"RANDOM_STANDARD_NORMAL",
    c"BUCKETIZE",
    c"RANDOM_UNIFORM",
    c"MULTINOMIAL",
    c"GELU",
    c"DYNAMIC_UPDATE_SLICE",
    c"RELU_0_TO_1",
    c"UNSORTED_SEGMENT_PROD",
    c"UNSORTED_SEGMENT_MAX",
    c"UNSORTED_SEGMENT_SUM",
    c"ATAN2",
    c"UNSORTED_SEGMENT_MIN",
    c"SIGN",
    c"BITCAST",
    c"BITWISE_XOR",
    c"RIGHT_SHIFT",
];

/// The schema name of builtin operator `code` ("CONV_2D"), NUL-terminated; `None` for codes
/// past [`BUILTIN_NAMES`]. Custom operators are `CUSTOM` here; their own name is the operator
/// code's `custom_code` ([`super::Model::custom_name`]). The codes of the custom operators
/// patchwise runs ([`CUSTOM_OPERATORS`]) give their custom names.
pub fn builtin_cname(code: u32) -> Option<&'static core::ffi::CStr> {
    if code == DETECTION_POSTPROCESS {
        return Some(c"TFLite_Detection_PostProcess");
    }
    BUILTIN_NAMES.get(code as usize).copied()
}

/// [`builtin_cname`] as a `str`.
pub fn builtin_name(code: u32) -> Option<&'static str> {
    builtin_cname(code).and_then(|c| c.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::OpKind;

    #[test]
    fn builtin_names_agree_with_the_supported_operators() {
        for k in OpKind::ALL {
            assert_eq!(super::builtin_name(k.code()), Some(k.name()));
        }
        assert_eq!(super::builtin_name(super::super::numbers::builtin::CUSTOM), Some("CUSTOM"));
        assert_eq!(super::builtin_name(162), None);
        assert_eq!(super::builtin_name(super::DETECTION_POSTPROCESS), Some("TFLite_Detection_PostProcess"));
        assert_eq!(super::builtin_name(u32::MAX), None);
    }

    #[test]
    fn every_feature_has_its_index() {
        assert!(OpKind::FEATURES.len() <= 64, "the C API's feature masks are 64 bits wide");
        for k in OpKind::ALL {
            assert_eq!(k.feature_index().map(|i| OpKind::FEATURES[i]), k.feature(), "{}", k.name());
        }
    }

    /// The feature names of `[features]` list `name` in Cargo.toml.
    fn cargo_list(name: &str) -> Vec<&'static str> {
        let toml = include_str!("../../Cargo.toml");
        let key = format!("\n{name} = [");
        let body = toml.split_once(&key).map(|(_, rest)| rest).and_then(|t| t.get(..t.find(']')?)).unwrap_or_default();
        body.split(',').map(|f| f.trim().trim_matches('"')).filter(|f| !f.is_empty()).collect()
    }

    #[test]
    fn every_operator_feature_is_in_all_ops() {
        let all = cargo_list("all-ops");
        let mut table: Vec<&str> = OpKind::ALL.iter().filter_map(|k| k.feature()).collect();
        table.sort_unstable();
        table.dedup();
        let mut listed = all.clone();
        listed.sort_unstable();
        assert_eq!(table, listed, "all-ops in Cargo.toml and OpKind::feature disagree");
        let toml = include_str!("../../Cargo.toml");
        for f in &all {
            assert!(toml.contains(&format!("\n{f} = []")), "feature {f} not declared");
            assert!(f.starts_with("op-"), "{f}");
        }
    }

    #[test]
    fn enabled_follows_the_features() {
        // Both come from one macro table; with all-ops every operator is in.
        for k in OpKind::ALL {
            // The default build (all-ops) has every operator; `enabled` names the same feature.
            assert_eq!(k.enabled(), cfg!(feature = "all-ops") || k.feature().is_none(), "{}", k.name());
        }
    }
}
