//! Unit tests of the verified model views (models built with our own writer).

use super::opcodes::OpKind;
use super::*;
use crate::builder::{BuiltinOp, ModelBuilder, OpOptions, QuantSpec, TensorSpec, TensorType};

fn relu_model() -> std::vec::Vec<u8> {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("x", &[1, 2, 3, 4], 0.5, -3));
    let w = b.add_const_i8("w", &[4], &[1, -2, 3, -4], QuantSpec::per_tensor(0.25, 0));
    let y = b.add_tensor(TensorSpec::int8("y", &[1, 2, 3, 4], 0.5, -3));
    b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
    b.set_io(&[x], &[y]);
    let _ = w;
    b.finish()
}

#[test]
fn a_valid_model_reads_back() {
    let bytes = relu_model();
    let m = Model::parse(&bytes).unwrap();
    assert_eq!((m.num_tensors(), m.num_operators(), m.num_inputs(), m.num_outputs()), (3, 1, 1, 1));
    let x = m.tensor(0).unwrap();
    assert_eq!((x.shape.dims(), x.dtype, x.data.is_none()), (&[1, 2, 3, 4][..], DType::I8, true));
    assert_eq!((x.quant.scale(), x.quant.zero_point()), (0.5, -3));
    let w = m.tensor(1).unwrap();
    assert_eq!(w.data, Some(&[1u8, 0xfe, 3, 0xfc][..]));
    let op = m.operator(0).unwrap();
    assert_eq!((op.opcode, op.input(0), op.output(0), op.input(1)), (19, Some(0), Some(2), None));
}

/// The single-field reads give what the whole tensor gives (a scalar constant, a shaped
/// constant, activations).
#[test]
fn single_field_reads_match_the_tensor() {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("x", &[1, 2, 3, 4], 0.5, -3));
    let s = b.add_const_i8("s", &[], &[7], QuantSpec::per_tensor(0.25, 0));
    let y = b.add_tensor(TensorSpec::int8("y", &[1, 2, 3, 4], 0.5, -3));
    b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
    b.set_io(&[x], &[y]);
    let _ = s;
    let models = [b.finish(), relu_model()];
    for bytes in &models {
        let m = Model::parse(bytes).unwrap();
        for t in 0..m.num_tensors() {
            let whole = m.tensor(t).unwrap();
            assert_eq!(m.tensor_data(t).unwrap(), whole.data);
            assert_eq!(m.tensor_byte_size(t).unwrap(), whole.bytes());
            assert_eq!(m.tensor_is_variable(t).unwrap(), whole.is_variable);
        }
    }
}

#[test]
fn any_alignment_of_the_model_bytes() {
    let bytes = relu_model();
    let mut shifted = std::vec![0u8; bytes.len() + 3];
    shifted[3..].copy_from_slice(&bytes);
    assert_eq!(Model::parse(&shifted[3..]).unwrap().num_tensors(), 3);
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = relu_model();
    for cut in 0..bytes.len() {
        if bytes[cut..].iter().all(|&b| b == 0) {
            continue;
        }
        assert!(Model::parse(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn wrong_identifier_or_version() {
    let mut bytes = relu_model();
    bytes[4] = b'X';
    assert_eq!(Model::parse(&bytes).err(), Some(Error::UnsupportedSchema));
}

#[test]
fn sizes_that_overflow_a_32_bit_address_space() {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::new("x", &[1 << 20, 1 << 12], TensorType::Float32));
    b.set_io(&[x], &[x]);
    let bytes = b.finish();
    assert_eq!(Model::parse(&bytes).err(), Some(Error::BadTensor { tensor: 0, fault: TensorFault::SizeOverflow }));
}

/// The builder's operator constant and options variant for each kind (exhaustive, so a new kind
/// must be added here).
fn builder_op(kind: OpKind) -> (BuiltinOp, OpOptions) {
    use crate::builder::{Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions, Pool2DOptions};
    let act = crate::builder::Activation::Relu;
    match kind {
        OpKind::Add => (BuiltinOp::ADD, OpOptions::Add { activation: act }),
        OpKind::AveragePool2d => (BuiltinOp::AVERAGE_POOL_2D, OpOptions::Pool2D(Pool2DOptions::default())),
        OpKind::Concatenation => (BuiltinOp::CONCATENATION, OpOptions::Concatenation { axis: 1, activation: act }),
        OpKind::Conv2d => (BuiltinOp::CONV_2D, OpOptions::Conv2D(Conv2DOptions::default())),
        OpKind::DepthwiseConv2d => {
            (BuiltinOp::DEPTHWISE_CONV_2D, OpOptions::DepthwiseConv2D(DepthwiseConv2DOptions::default()))
        }
        OpKind::Dequantize => (BuiltinOp::DEQUANTIZE, OpOptions::Dequantize),
        OpKind::FullyConnected => {
            (BuiltinOp::FULLY_CONNECTED, OpOptions::FullyConnected(FullyConnectedOptions::default()))
        }
        OpKind::Logistic => (BuiltinOp::LOGISTIC, OpOptions::None),
        OpKind::MaxPool2d => (BuiltinOp::MAX_POOL_2D, OpOptions::Pool2D(Pool2DOptions::default())),
        OpKind::Mul => (BuiltinOp::MUL, OpOptions::Mul { activation: act }),
        OpKind::Relu => (BuiltinOp::RELU, OpOptions::None),
        OpKind::Relu6 => (BuiltinOp::RELU6, OpOptions::None),
        OpKind::Reshape => (BuiltinOp::RESHAPE, OpOptions::Reshape { new_shape: Some(std::vec![2, 12]) }),
        OpKind::Softmax => (BuiltinOp::SOFTMAX, OpOptions::Softmax { beta: 1.0 }),
        OpKind::Pad => (BuiltinOp::PAD, OpOptions::Pad),
        OpKind::Transpose => (BuiltinOp::TRANSPOSE, OpOptions::Transpose),
        OpKind::Mean => (BuiltinOp::MEAN, OpOptions::Reducer { keep_dims: true }),
        OpKind::Squeeze => (BuiltinOp::SQUEEZE, OpOptions::Squeeze { squeeze_dims: std::vec![0] }),
        OpKind::PadV2 => (BuiltinOp::PADV2, OpOptions::PadV2),
        OpKind::ResizeNearestNeighbor => (
            BuiltinOp::RESIZE_NEAREST_NEIGHBOR,
            OpOptions::ResizeNearestNeighbor { align_corners: false, half_pixel_centers: true },
        ),
        OpKind::Quantize => (BuiltinOp::QUANTIZE, OpOptions::Quantize),
        OpKind::HardSwish => (BuiltinOp::HARD_SWISH, OpOptions::HardSwish),
        OpKind::LeakyRelu => (BuiltinOp::LEAKY_RELU, OpOptions::LeakyRelu { alpha: 0.2 }),
        OpKind::Split => (BuiltinOp::SPLIT, OpOptions::Split { num_splits: 2 }),
        OpKind::SplitV => (BuiltinOp::SPLIT_V, OpOptions::SplitV { num_splits: 2 }),
        OpKind::Unpack => (BuiltinOp::UNPACK, OpOptions::Unpack { num: 2, axis: 1 }),
        OpKind::Sub => (BuiltinOp::SUB, OpOptions::Sub { activation: act }),
        OpKind::Maximum => (BuiltinOp::MAXIMUM, OpOptions::MaximumMinimum),
        OpKind::Minimum => (BuiltinOp::MINIMUM, OpOptions::MaximumMinimum),
        OpKind::SquaredDifference => (BuiltinOp::SQUARED_DIFFERENCE, OpOptions::SquaredDifference),
        OpKind::Tanh => (BuiltinOp::TANH, OpOptions::None),
        OpKind::L2Normalization => (BuiltinOp::L2_NORMALIZATION, OpOptions::L2Norm { activation: act }),
        OpKind::Gather => (BuiltinOp::GATHER, OpOptions::Gather { axis: -1, batch_dims: 0 }),
        OpKind::Pack => (BuiltinOp::PACK, OpOptions::Pack { values_count: 2, axis: 0 }),
        OpKind::SpaceToDepth => (BuiltinOp::SPACE_TO_DEPTH, OpOptions::SpaceToDepth { block_size: 2 }),
        OpKind::DepthToSpace => (BuiltinOp::DEPTH_TO_SPACE, OpOptions::DepthToSpace { block_size: 2 }),
        OpKind::TransposeConv => (
            BuiltinOp::TRANSPOSE_CONV,
            OpOptions::TransposeConv {
                padding: crate::builder::Padding::Same,
                stride_w: 2,
                stride_h: 2,
                activation: act,
            },
        ),
        OpKind::Prelu => (BuiltinOp::PRELU, OpOptions::None),
        OpKind::ResizeBilinear => {
            (BuiltinOp::RESIZE_BILINEAR, OpOptions::ResizeBilinear { align_corners: false, half_pixel_centers: true })
        }
        OpKind::ArgMax => (BuiltinOp::ARG_MAX, OpOptions::ArgMax { output_type: 2 }),
        OpKind::ArgMin => (BuiltinOp::ARG_MIN, OpOptions::ArgMin { output_type: 2 }),
        OpKind::Slice => (BuiltinOp::SLICE, OpOptions::Slice),
        OpKind::SpaceToBatchNd => (BuiltinOp::SPACE_TO_BATCH_ND, OpOptions::SpaceToBatchNd),
        // A custom operator: its code is patchwise's own (see `every_kind_reads_back_...`).
        OpKind::DetectionPostprocess => (BuiltinOp::CUSTOM, OpOptions::None),
        OpKind::BatchToSpaceNd => (BuiltinOp::BATCH_TO_SPACE_ND, OpOptions::BatchToSpaceNd),
        OpKind::ExpandDims => (BuiltinOp::EXPAND_DIMS, OpOptions::ExpandDims),
        OpKind::StridedSlice => (
            BuiltinOp::STRIDED_SLICE,
            OpOptions::StridedSlice {
                begin_mask: 1,
                end_mask: 2,
                ellipsis_mask: 0,
                new_axis_mask: 0,
                shrink_axis_mask: 4,
                offset: false,
            },
        ),
    }
}

#[test]
fn every_kind_reads_back_as_the_builder_wrote_it() {
    for kind in OpKind::ALL {
        if kind == OpKind::DetectionPostprocess {
            // Named by its custom code (the builder's `add_custom_op`).
            let mut b = ModelBuilder::new();
            let x = b.add_tensor(TensorSpec::int8("x", &[4], 0.5, -3));
            let y = b.add_tensor(TensorSpec::int8("y", &[4], 0.5, -3));
            b.add_custom_op("TFLite_Detection_PostProcess", &[x], &[y]);
            b.add_custom_op("TFLite_Detection_PostProcessX", &[y], &[x]);
            b.set_io(&[x], &[y]);
            let bytes = b.finish();
            let m = Model::parse(&bytes).unwrap();
            assert_eq!(OpKind::from_code(m.operator(0).unwrap().opcode), Some(kind));
            assert_eq!(m.operator(1).unwrap().opcode, numbers::builtin::CUSTOM);
            assert_eq!(m.operator_name(0).unwrap(), b"TFLite_Detection_PostProcess");
            continue;
        }
        let (op, options) = builder_op(kind);
        assert_eq!(options.union_type(), kind.options_type(), "{kind:?}");
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 2, 3, 4], 0.5, -3));
        let y = b.add_tensor(TensorSpec::int8("y", &[1, 2, 3, 4], 0.5, -3));
        b.add_op(op, &[x], &[y], options);
        b.set_io(&[x], &[y]);
        let bytes = b.finish();
        let read = Model::parse(&bytes).unwrap().operator(0).unwrap();
        assert_eq!((read.opcode, OpKind::from_code(read.opcode)), (op.0 as u32, Some(kind)), "{kind:?}");
        assert_eq!(read.options_type, kind.options_type(), "{kind:?}");
        assert_eq!(read.options.is_some(), kind.options_type() != numbers::options_type::NONE, "{kind:?}");
    }
}
