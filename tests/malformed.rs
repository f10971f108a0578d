//! Malformed and hostile models: each gives a specific error, never a panic.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required, Error, HostArena, Interpreter, Options};
use patchwise_testkit::shared_dir;

fn is_format_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Truncated
            | Error::BadOffset
            | Error::BadVtable
            | Error::UnsupportedSchema
            | Error::MissingField
            | Error::NoSubgraph
            | Error::BadTensor { .. }
            | Error::UnsupportedType { .. }
            | Error::BadTensorIndex { .. }
            | Error::BadOpcodeIndex { .. }
            | Error::UnsupportedOp { .. }
            | Error::BadOptions { .. }
            | Error::BadOperator { .. }
            | Error::NotQuantized { .. }
            | Error::TooLarge
    )
}

/// Loads, plans, inits and (if that worked) invokes: any outcome but a panic is acceptable.
fn exercise(bytes: &[u8]) -> Result<(), Error> {
    let need = arena_required(bytes)?;
    if need > 64 << 20 {
        return Ok(());
    }
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(bytes, arena.bytes_mut(), &Options::default())?;
    interp.invoke()
}

fn small_shared_models() -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for name in ["hello_world_int8", "micro_speech", "synth_float_io", "mlperf_kws", "synth_ops_zoo"] {
        if let Ok(b) = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))) {
            v.push((name.to_string(), b));
        }
    }
    v
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn truncated_models_are_rejected() {
    let models = small_shared_models();
    assert!(!models.is_empty());
    for (name, bytes) in models {
        let step = (bytes.len() / 400).max(1);
        let mut cut = 0;
        while cut < bytes.len() {
            match arena_required(&bytes[..cut]) {
                Ok(n) => panic!("{name}: cut at {cut} accepted ({n} bytes)"),
                Err(e) => assert!(is_format_error(&e), "{name}: cut at {cut}: unexpected {e:?}"),
            }
            cut += step;
        }
    }
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn flipped_bytes_never_panic() {
    let models = small_shared_models();
    assert!(!models.is_empty());
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, bytes) in models {
        let mut rejected = 0;
        for _ in 0..300 {
            let mut m = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % m.len();
                m[at] ^= 1 << (next() % 8);
            }
            if let Err(e) = exercise(&m) {
                assert!(is_format_error(&e) || matches!(e, Error::KernelFailed { .. }), "{name}: {e:?}");
                rejected += 1;
            }
        }
        println!("{name}: {rejected} of 300 mutants rejected, the rest ran");
    }
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn arena_too_small_reports_the_need() {
    let (_, bytes) = small_shared_models().into_iter().next().expect("a shared model");
    let need = arena_required(&bytes).unwrap();
    for len in [0, 16, need / 2, need - 16, need - 1] {
        let mut arena = HostArena::new(len);
        let buf = &mut arena.bytes_mut()[..len];
        match Interpreter::init(&bytes, buf, &Options::default()) {
            Err(Error::ArenaTooSmall { required }) => assert_eq!(required, need),
            other => panic!("arena of {len} bytes: {:?}", other.map(|_| ())),
        }
    }
    let mut arena = HostArena::new(need + 32);
    let buf = &mut arena.bytes_mut()[1..need + 1];
    assert_eq!(Interpreter::init(&bytes, buf, &Options::default()).err(), Some(Error::ArenaMisaligned));
    let buf = &mut arena.bytes_mut()[..need];
    assert!(Interpreter::init(&bytes, buf, &Options::default()).is_ok());
}

#[test]
fn garbage_is_rejected_cleanly() {
    assert_eq!(arena_required(&[]).err(), Some(Error::Truncated));
    assert_eq!(arena_required(&[0; 7]).err(), Some(Error::Truncated));
    assert_eq!(arena_required(b"\x08\0\0\0TFL2\0\0\0\0").err(), Some(Error::UnsupportedSchema));
    // Root offset past the end.
    assert_eq!(arena_required(b"\xff\0\0\0TFL3\0\0\0\0").err(), Some(Error::BadOffset));
    // Root table whose vtable offset points before the start of the buffer.
    assert_eq!(arena_required(b"\x08\0\0\0TFL3\x40\0\0\0").err(), Some(Error::BadOffset));
}

// ---- models built to be wrong, with our own writer (no ../shared needed) ----

mod crafted {
    use patchwise::builder::*;
    use patchwise::{arena_required, Error, HostArena, Interpreter, Options, TensorFault};

    /// A one-op RELU model around tensors `x` and `y`, letting `edit` break something first.
    fn relu_model(edit: impl FnOnce(&mut ModelBuilder, i32, i32)) -> Vec<u8> {
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 4, 4, 2], 0.5, -3));
        let y = b.add_tensor(TensorSpec::int8("y", &[1, 4, 4, 2], 0.5, -3));
        edit(&mut b, x, y);
        b.set_io(&[x], &[y]);
        b.finish()
    }

    fn conv_model(filter_shape: &[i32], filter_data: usize, opts: OpOptions) -> Vec<u8> {
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 5, 5, 3], 0.5, 0));
        let w = b.add_tensor(
            TensorSpec::new("w", filter_shape, TensorType::Int8)
                .with_quant(QuantSpec::per_tensor(0.01, 0))
                .with_data(vec![1u8; filter_data]),
        );
        let y = b.add_tensor(TensorSpec::int8("y", &[1, 5, 5, 4], 0.25, 0));
        b.add_op(BuiltinOp::CONV_2D, &[x, w], &[y], opts);
        b.set_io(&[x], &[y]);
        b.finish()
    }

    fn ok_conv_options() -> OpOptions {
        OpOptions::Conv2D(Conv2DOptions::default())
    }

    #[test]
    fn the_baseline_models_are_valid() {
        let m = relu_model(|b, x, y| {
            b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
        });
        assert!(arena_required(&m).is_ok());
        assert!(arena_required(&conv_model(&[4, 3, 3, 3], 108, ok_conv_options())).is_ok());
    }

    #[test]
    fn dimension_products_that_overflow() {
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[65536, 65536, 65536, 2], 1.0, 0));
        b.set_io(&[x], &[x]);
        assert_eq!(
            arena_required(&b.finish()).err(),
            Some(Error::BadTensor { tensor: 0, fault: TensorFault::SizeOverflow })
        );
        // 2^31 bytes exactly: one past the per-tensor limit.
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[32768, 65536], 1.0, 0));
        b.set_io(&[x], &[x]);
        assert_eq!(
            arena_required(&b.finish()).err(),
            Some(Error::BadTensor { tensor: 0, fault: TensorFault::SizeOverflow })
        );
    }

    #[test]
    fn negative_zero_and_too_many_dimensions() {
        for shape in [&[1, -4][..], &[1, 0, 3], &[1, 1, 1, 1, 1, 1, 1]] {
            let mut b = ModelBuilder::new();
            let x = b.add_tensor(TensorSpec::int8("x", shape, 1.0, 0));
            b.set_io(&[x], &[x]);
            assert_eq!(
                arena_required(&b.finish()).err(),
                Some(Error::BadTensor { tensor: 0, fault: TensorFault::BadShape }),
                "{shape:?}"
            );
        }
    }

    #[test]
    fn constant_buffer_shorter_or_longer_than_its_shape() {
        for len in [0usize, 1, 107, 109] {
            let got = arena_required(&conv_model(&[4, 3, 3, 3], len, ok_conv_options())).err();
            let want = if len == 0 {
                // No data at all: the filter is then an activation nobody writes; the op refuses it.
                None
            } else {
                Some(Error::BadTensor { tensor: 1, fault: TensorFault::BufferSize })
            };
            if let Some(w) = want {
                assert_eq!(got, Some(w), "filter data of {len} bytes");
            }
        }
    }

    #[test]
    fn operator_tensor_index_out_of_range() {
        let m = relu_model(|b, x, _| {
            b.add_op(BuiltinOp::RELU, &[x], &[99], OpOptions::None);
        });
        assert_eq!(arena_required(&m).err(), Some(Error::BadTensorIndex { op: 0 }));
        let m = relu_model(|b, _, y| {
            b.add_op(BuiltinOp::RELU, &[-7], &[y], OpOptions::None);
        });
        assert_eq!(arena_required(&m).err(), Some(Error::BadTensorIndex { op: 0 }));
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[4], 1.0, 0));
        b.set_io(&[x], &[x + 5]);
        assert_eq!(arena_required(&b.finish()).err(), Some(Error::BadTensorIndex { op: u32::MAX }));
    }

    #[test]
    fn unsupported_and_custom_operators_name_index_and_opcode() {
        let m = relu_model(|b, x, y| {
            b.add_op(BuiltinOp(7), &[x, x], &[y], OpOptions::None);
        });
        assert_eq!(arena_required(&m).err(), Some(Error::UnsupportedOp { op: 0, opcode: 7 }));
        let m = relu_model(|b, x, y| {
            b.add_custom_op("MyOp", &[x], &[y]);
        });
        assert_eq!(arena_required(&m).err(), Some(Error::UnsupportedOp { op: 0, opcode: 32 }));
    }

    #[test]
    fn options_of_the_wrong_kind_or_value() {
        let pool = OpOptions::Pool2D(Pool2DOptions::default());
        assert_eq!(
            arena_required(&conv_model(&[4, 3, 3, 3], 108, pool)).err(),
            Some(Error::BadOptions { op: 0, opcode: 3 })
        );
        let zero_stride = OpOptions::Conv2D(Conv2DOptions { stride_w: 0, ..Conv2DOptions::default() });
        assert!(matches!(
            arena_required(&conv_model(&[4, 3, 3, 3], 108, zero_stride)).err(),
            Some(Error::BadOperator { op: 0, opcode: 3 })
        ));
        let negative = OpOptions::Conv2D(Conv2DOptions { dilation_h: -2, ..Conv2DOptions::default() });
        assert_eq!(
            arena_required(&conv_model(&[4, 3, 3, 3], 108, negative)).err(),
            Some(Error::BadOptions { op: 0, opcode: 3 })
        );
        let tanh = OpOptions::Conv2D(Conv2DOptions { activation: Activation::Tanh, ..Conv2DOptions::default() });
        assert_eq!(
            arena_required(&conv_model(&[4, 3, 3, 3], 108, tanh)).err(),
            Some(Error::BadOptions { op: 0, opcode: 3 })
        );
    }

    /// An int16 tensor with per-tensor quantization.
    fn int16(b: &mut ModelBuilder, name: &str, shape: &[i32], scale: f32, zp: i64) -> i32 {
        b.add_tensor(TensorSpec::new(name, shape, TensorType::Int16).with_quant(QuantSpec::per_tensor(scale, zp)))
    }

    /// A 16x8 convolution (`depthwise` or not) with input zero point `zp` and a bias of
    /// `bias_type`; the valid form plans.
    fn conv16_model(depthwise: bool, zp: i64, bias_type: TensorType) -> Vec<u8> {
        let mut b = ModelBuilder::new();
        let x = int16(&mut b, "x", &[1, 5, 5, 3], 1e-3, zp);
        let shape: &[i32] = if depthwise { &[1, 3, 3, 3] } else { &[3, 3, 3, 3] };
        let n: i32 = shape.iter().product();
        let w = b.add_tensor(
            TensorSpec::new("w", shape, TensorType::Int8)
                .with_quant(QuantSpec::per_tensor(0.01, 0))
                .with_data(vec![1u8; n as usize]),
        );
        let bias_bytes = if bias_type == TensorType::Int64 { 8 } else { 4 };
        let bias = b.add_tensor(
            TensorSpec::new("b", &[3], bias_type)
                .with_quant(QuantSpec::per_tensor(1e-5, 0))
                .with_data(vec![0u8; 3 * bias_bytes]),
        );
        let y = int16(&mut b, "y", &[1, 5, 5, 3], 2e-3, 0);
        if depthwise {
            let o = DepthwiseConv2DOptions { depth_multiplier: 1, ..DepthwiseConv2DOptions::default() };
            b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &[x, w, bias], &[y], OpOptions::DepthwiseConv2D(o));
        } else {
            b.add_op(BuiltinOp::CONV_2D, &[x, w, bias], &[y], ok_conv_options());
        }
        b.set_io(&[x], &[y]);
        b.finish()
    }

    /// A one-op int16 model `op(x) → y` (a second input `x2` for binary ops).
    fn int16_unary(op: BuiltinOp, options: OpOptions, zp: i64, out_scale: f32, binary: bool) -> Vec<u8> {
        let mut b = ModelBuilder::new();
        let x = int16(&mut b, "x", &[1, 8], 1e-3, zp);
        let y = int16(&mut b, "y", &[1, 8], out_scale, 0);
        let inputs = if binary { vec![x, x] } else { vec![x] };
        b.add_op(op, &inputs, &[y], options);
        b.set_io(&[x], &[y]);
        b.finish()
    }

    #[test]
    fn int16_forms_refuse_what_tflm_refuses() {
        let bad = |opcode| Some(Error::BadOperator { op: 0, opcode });
        assert!(arena_required(&conv16_model(false, 0, TensorType::Int64)).is_ok());
        assert!(arena_required(&conv16_model(false, 0, TensorType::Int32)).is_ok());
        assert!(arena_required(&conv16_model(true, 0, TensorType::Int64)).is_ok());
        // Zero points other than 0.
        assert_eq!(arena_required(&conv16_model(false, 5, TensorType::Int64)).err(), bad(3));
        // TFLM reads an int16 depthwise bias as int64: an int32 one is refused.
        assert_eq!(arena_required(&conv16_model(true, 0, TensorType::Int32)).err(), bad(4));
        // SOFTMAX int16 wants output scale 2^-15; LOGISTIC and TANH too, MUL zero points 0.
        let softmax = OpOptions::Softmax { beta: 1.0 };
        assert!(arena_required(&int16_unary(BuiltinOp::SOFTMAX, softmax.clone(), 0, 1.0 / 32768.0, false)).is_ok());
        assert_eq!(arena_required(&int16_unary(BuiltinOp::SOFTMAX, softmax, 0, 1.0 / 256.0, false)).err(), bad(25));
        assert!(arena_required(&int16_unary(BuiltinOp::LOGISTIC, OpOptions::None, 0, 1.0 / 32768.0, false)).is_ok());
        assert_eq!(
            arena_required(&int16_unary(BuiltinOp::LOGISTIC, OpOptions::None, 0, 1.0 / 16384.0, false)).err(),
            bad(14)
        );
        let mul = OpOptions::Mul { activation: Activation::None };
        assert!(arena_required(&int16_unary(BuiltinOp::MUL, mul.clone(), 0, 1e-3, true)).is_ok());
        assert_eq!(arena_required(&int16_unary(BuiltinOp::MUL, mul, 3, 1e-3, true)).err(), bad(18));
        // An operator without an int16 form (RELU) refuses int16 tensors.
        assert_eq!(arena_required(&int16_unary(BuiltinOp::RELU, OpOptions::None, 0, 1e-3, false)).err(), bad(19));
    }

    #[test]
    fn shapes_that_disagree_with_the_operator() {
        // Filter for 5 output channels where the output has 4.
        assert_eq!(
            arena_required(&conv_model(&[5, 3, 3, 3], 135, ok_conv_options())).err(),
            Some(Error::BadOperator { op: 0, opcode: 3 })
        );
        // RELU with input and output of different sizes.
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 4], 0.5, 0));
        let y = b.add_tensor(TensorSpec::int8("y", &[1, 5], 0.5, 0));
        b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
        b.set_io(&[x], &[y]);
        assert_eq!(arena_required(&b.finish()).err(), Some(Error::BadOperator { op: 0, opcode: 19 }));
        // Zero point outside int8.
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 4], 0.5, 300));
        let y = b.add_tensor(TensorSpec::int8("y", &[1, 4], 0.5, 0));
        b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
        b.set_io(&[x], &[y]);
        assert_eq!(arena_required(&b.finish()).err(), Some(Error::BadOperator { op: 0, opcode: 19 }));
    }

    #[test]
    fn per_channel_scale_count_mismatch() {
        let mut b = ModelBuilder::new();
        let w = b.add_tensor(
            TensorSpec::new("w", &[4, 3, 3, 3], TensorType::Int8)
                .with_quant(QuantSpec::per_channel(vec![0.1, 0.2, 0.3], 0))
                .with_data(vec![0u8; 108]),
        );
        let x = b.add_tensor(TensorSpec::int8("x", &[1, 4], 0.5, 0));
        b.set_io(&[x], &[x]);
        assert_eq!(
            arena_required(&b.finish()).err(),
            Some(Error::BadTensor { tensor: w as u32, fault: TensorFault::Quantization })
        );
    }

    /// Every aligned 32-bit word of a valid model replaced by offsets that point far out of
    /// bounds, at itself (a loop) or just past the end: never a panic, never a hang. About
    /// 21,000 mutants, each planned twice and run when accepted: the words are split over the
    /// host's threads.
    #[test]
    fn every_word_as_a_hostile_offset() {
        let base = demo_model();
        let words: Vec<usize> = (0..base.len() - 3).step_by(4).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let rejected: usize = std::thread::scope(|s| {
            let workers: Vec<_> = words
                .chunks(words.len().div_ceil(threads))
                .map(|chunk| s.spawn(|| chunk.iter().map(|&at| hostile_offsets_rejected(&base, at)).sum::<usize>()))
                .collect();
            workers.into_iter().map(|w| w.join().expect("a mutant panicked")).sum()
        });
        assert!(rejected > base.len() / 4, "only {rejected} mutants rejected");
    }

    /// How many of the four hostile values written at byte `at` the loader refuses; the
    /// accepted ones are initialised and run.
    fn hostile_offsets_rejected(base: &[u8], at: usize) -> usize {
        let mut rejected = 0;
        for v in [0xffff_fff0u32, 0, base.len() as u32, 0x7fff_ffff] {
            let mut m = base.to_vec();
            m[at..at + 4].copy_from_slice(&v.to_le_bytes());
            if let Ok(need) = arena_required(&m) {
                if need < 64 << 20 {
                    let mut arena = HostArena::new(need);
                    if let Ok(interp) = Interpreter::init(&m, arena.bytes_mut(), &Options::default()) {
                        let _ = interp.invoke();
                    }
                }
            } else {
                rejected += 1;
            }
        }
        rejected
    }

    #[test]
    fn every_truncation_of_the_demo_model() {
        let base = demo_model();
        for cut in 0..base.len() {
            // Cutting only trailing zero padding leaves every structure intact.
            let only_padding = base[cut..].iter().all(|&b| b == 0);
            assert!(only_padding || arena_required(&base[..cut]).is_err(), "cut at {cut} accepted");
        }
    }

    #[test]
    fn too_small_and_misaligned_arenas_on_the_demo_model() {
        let m = demo_model();
        let need = arena_required(&m).unwrap();
        let mut arena = HostArena::new(need + 16);
        for len in [0, 1, need / 3, need - 1] {
            assert_eq!(
                Interpreter::init(&m, &mut arena.bytes_mut()[..len], &Options::default()).err(),
                Some(Error::ArenaTooSmall { required: need })
            );
        }
        assert_eq!(
            Interpreter::init(&m, &mut arena.bytes_mut()[8..need + 8], &Options::default()).err(),
            Some(Error::ArenaMisaligned)
        );
        let interp = Interpreter::init(&m, &mut arena.bytes_mut()[..need], &Options::default()).unwrap();
        assert_eq!(interp.arena_used(), need);
        interp.invoke().unwrap();
    }
}

/// The operators of the operator-coverage models: for each, a valid single-operator model and
/// variants TFLM refuses (or that would read outside a tensor), each refused with the operator
/// named.
mod new_operators {
    use patchwise::builder::*;
    use patchwise::{arena_required, Error};

    fn q() -> QuantSpec {
        QuantSpec::per_tensor(0.05, 3)
    }

    /// A model `x → op → y` (extra constant inputs made by `consts`).
    fn one_op(
        op: BuiltinOp,
        x_shape: &[i32],
        y_shapes: &[&[i32]],
        consts: impl FnOnce(&mut ModelBuilder) -> Vec<i32>,
        x_first: bool,
        options: OpOptions,
    ) -> Vec<u8> {
        let mut b = ModelBuilder::new();
        let x = b.add_tensor(TensorSpec::int8("x", x_shape, 0.05, 3));
        let ys: Vec<i32> = y_shapes
            .iter()
            .enumerate()
            .map(|(i, s)| b.add_tensor(TensorSpec::int8(&format!("y{i}"), s, 0.05, 3)))
            .collect();
        let c = consts(&mut b);
        let inputs: Vec<i32> = if x_first { [vec![x], c].concat() } else { [c, vec![x]].concat() };
        b.add_op(op, &inputs, &ys, options);
        b.set_io(&[x], &ys);
        b.finish()
    }

    fn bad(code: BuiltinOp) -> Option<Error> {
        Some(Error::BadOperator { op: 0, opcode: code.0 as u32 })
    }

    fn slice_model(begin: [i32; 2], end: [i32; 2], strides: [i32; 2], out: &[i32]) -> Vec<u8> {
        let o = OpOptions::StridedSlice {
            begin_mask: 0,
            end_mask: 0,
            ellipsis_mask: 0,
            new_axis_mask: 0,
            shrink_axis_mask: 0,
            offset: false,
        };
        one_op(
            BuiltinOp::STRIDED_SLICE,
            &[4, 6],
            &[out],
            |b| {
                vec![
                    b.add_const_i32("begin", &[2], &begin),
                    b.add_const_i32("end", &[2], &end),
                    b.add_const_i32("strides", &[2], &strides),
                ]
            },
            true,
            o,
        )
    }

    #[test]
    fn strided_slice_zero_stride_or_wrong_shape() {
        let op = BuiltinOp::STRIDED_SLICE;
        assert!(arena_required(&slice_model([0, 1], [4, 6], [2, 2], &[2, 3])).is_ok());
        assert_eq!(arena_required(&slice_model([0, 1], [4, 6], [2, 0], &[2, 3])).err(), bad(op));
        assert_eq!(arena_required(&slice_model([0, 1], [4, 6], [2, 2], &[2, 4])).err(), bad(op));
    }

    #[test]
    fn split_pieces_must_cover_the_axis() {
        let op = BuiltinOp::SPLIT;
        let axis = |v: i32| move |b: &mut ModelBuilder| vec![b.add_const_i32("axis", &[], &[v])];
        let opts = OpOptions::Split { num_splits: 2 };
        assert!(arena_required(&one_op(op, &[2, 6], &[&[2, 3], &[2, 3]], axis(-1), false, opts.clone())).is_ok());
        // 6 does not split into pieces of 4; an axis out of range.
        assert_eq!(
            arena_required(&one_op(op, &[2, 6], &[&[2, 4], &[2, 4]], axis(1), false, opts.clone())).err(),
            bad(op)
        );
        assert_eq!(arena_required(&one_op(op, &[2, 6], &[&[2, 3], &[2, 3]], axis(2), false, opts)).err(), bad(op));
    }

    #[test]
    fn gather_indices_out_of_range() {
        let op = BuiltinOp::GATHER;
        let idx = |v: [i32; 2]| move |b: &mut ModelBuilder| vec![b.add_const_i32("indices", &[2], &v)];
        let opts = OpOptions::Gather { axis: 1, batch_dims: 0 };
        assert!(arena_required(&one_op(op, &[2, 3], &[&[2, 2]], idx([2, 0]), true, opts.clone())).is_ok());
        assert_eq!(arena_required(&one_op(op, &[2, 3], &[&[2, 2]], idx([3, 0]), true, opts.clone())).err(), bad(op));
        assert_eq!(arena_required(&one_op(op, &[2, 3], &[&[2, 2]], idx([-1, 0]), true, opts)).err(), bad(op));
    }

    #[test]
    fn resize_bilinear_refuses_both_corner_modes() {
        let op = BuiltinOp::RESIZE_BILINEAR;
        let size = |b: &mut ModelBuilder| vec![b.add_const_i32("size", &[2], &[4, 6])];
        let opts = |a, h| OpOptions::ResizeBilinear { align_corners: a, half_pixel_centers: h };
        assert!(arena_required(&one_op(op, &[1, 2, 3, 2], &[&[1, 4, 6, 2]], size, true, opts(true, false))).is_ok());
        assert_eq!(
            arena_required(&one_op(op, &[1, 2, 3, 2], &[&[1, 4, 6, 2]], size, true, opts(true, true))).err(),
            bad(op)
        );
        // The size tensor must match the output.
        assert_eq!(
            arena_required(&one_op(op, &[1, 2, 3, 2], &[&[1, 4, 5, 2]], size, true, opts(false, false))).err(),
            bad(op)
        );
    }

    #[test]
    fn l2_normalization_refuses_a_fused_activation() {
        let op = BuiltinOp::L2_NORMALIZATION;
        let none = |_: &mut ModelBuilder| Vec::new();
        let opts = |activation| OpOptions::L2Norm { activation };
        assert!(arena_required(&one_op(op, &[2, 4], &[&[2, 4]], none, true, opts(Activation::None))).is_ok());
        assert_eq!(
            arena_required(&one_op(op, &[2, 4], &[&[2, 4]], none, true, opts(Activation::Relu))).err(),
            Some(Error::BadOptions { op: 0, opcode: op.0 as u32 })
        );
    }

    #[test]
    fn pack_needs_values_count_inputs_of_one_shape() {
        let op = BuiltinOp::PACK;
        let model = |second: &[i32], count: i32| {
            let mut b = ModelBuilder::new();
            let x0 = b.add_tensor(TensorSpec::int8("x0", &[2, 3], 0.05, 3));
            let x1 = b.add_tensor(TensorSpec::int8("x1", second, 0.05, 3));
            let y = b.add_tensor(TensorSpec::int8("y", &[2, 2, 3], 0.05, 3));
            b.add_op(op, &[x0, x1], &[y], OpOptions::Pack { values_count: count, axis: 1 });
            b.set_io(&[x0, x1], &[y]);
            b.finish()
        };
        assert!(arena_required(&model(&[2, 3], 2)).is_ok());
        assert_eq!(arena_required(&model(&[3, 2], 2)).err(), bad(op));
        assert_eq!(arena_required(&model(&[2, 3], 3)).err(), Some(Error::BadOptions { op: 0, opcode: op.0 as u32 }));
    }

    #[test]
    fn transpose_conv_depths_must_match() {
        let op = BuiltinOp::TRANSPOSE_CONV;
        let model = |in_c: i32| {
            let mut b = ModelBuilder::new();
            let x = b.add_tensor(TensorSpec::int8("x", &[1, 2, 2, in_c], 0.05, 3));
            let y = b.add_tensor(TensorSpec::int8("y", &[1, 4, 4, 2], 0.1, 0));
            let shape = b.add_const_i32("output_shape", &[4], &[1, 4, 4, 2]);
            let f = b.add_const_i8("filter", &[2, 3, 3, 3], &[1; 54], QuantSpec::per_tensor(0.01, 0));
            let o = OpOptions::TransposeConv {
                padding: Padding::Same,
                stride_w: 2,
                stride_h: 2,
                activation: Activation::None,
            };
            b.add_op(op, &[shape, f, x], &[y], o);
            b.set_io(&[x], &[y]);
            b.finish()
        };
        assert!(arena_required(&model(3)).is_ok());
        assert_eq!(arena_required(&model(4)).err(), bad(op));
    }

    #[test]
    fn space_to_batch_padding_must_fill_whole_blocks() {
        let op = BuiltinOp::SPACE_TO_BATCH_ND;
        let model = |pads: [i32; 4], out: &[i32]| {
            let consts = move |b: &mut ModelBuilder| {
                vec![b.add_const_i32("block_shape", &[2], &[2, 2]), b.add_const_i32("paddings", &[2, 2], &pads)]
            };
            one_op(op, &[1, 3, 4, 2], &[out], consts, true, OpOptions::SpaceToBatchNd)
        };
        assert!(arena_required(&model([1, 0, 0, 0], &[4, 2, 2, 2])).is_ok());
        // 3 rows padded by nothing do not split into blocks of 2; a negative padding.
        assert_eq!(arena_required(&model([0, 0, 0, 0], &[4, 2, 2, 2])).err(), bad(op));
        assert_eq!(arena_required(&model([3, -2, 0, 0], &[4, 2, 2, 2])).err(), bad(op));
    }

    #[test]
    fn arg_max_writes_int32_only() {
        let op = BuiltinOp::ARG_MAX;
        let model = |out: TensorType| {
            let mut b = ModelBuilder::new();
            let x = b.add_tensor(TensorSpec::int8("x", &[2, 5], 0.05, 3));
            let y = b.add_tensor(TensorSpec::new("y", &[2], out).with_quant(q()));
            let a = b.add_const_i32("axis", &[], &[1]);
            b.add_op(op, &[x, a], &[y], OpOptions::ArgMax { output_type: 2 });
            b.set_io(&[x], &[y]);
            b.finish()
        };
        assert!(arena_required(&model(TensorType::Int32)).is_ok());
        assert_eq!(arena_required(&model(TensorType::Int8)).err(), bad(op));
    }
}

/// A TFLite_Detection_PostProcess model (float inputs, constant anchors) with `options`.
fn detection_model(options: Vec<u8>, dtype: patchwise::builder::TensorType, outputs: usize) -> Vec<u8> {
    use patchwise::builder::{f32_bytes, ModelBuilder, TensorSpec, TensorType};
    let mut b = ModelBuilder::new();
    let t = |b: &mut ModelBuilder, n: &str, s: &[i32], d| b.add_tensor(TensorSpec::new(n, s, d));
    let enc = t(&mut b, "enc", &[1, 4, 4], dtype);
    let sc = t(&mut b, "scores", &[1, 4, 3], dtype);
    let anchors: Vec<f32> = (0..4).flat_map(|i| [i as f32 * 0.3, 0.5, 0.4, 0.4]).collect();
    let an = b.add_const_tensor("anchors", &[4, 4], TensorType::Float32, None, f32_bytes(&anchors));
    let mut outs = vec![
        t(&mut b, "boxes", &[1, 3, 4], TensorType::Float32),
        t(&mut b, "classes", &[1, 3], TensorType::Float32),
        t(&mut b, "out_scores", &[1, 3], TensorType::Float32),
        t(&mut b, "num", &[1], TensorType::Float32),
    ];
    outs.truncate(outputs);
    b.add_custom_op_with_options("TFLite_Detection_PostProcess", &[enc, sc, an], &outs, options);
    b.set_io(&[enc, sc], &outs);
    b.finish()
}

fn detection_options(iou: f32, regular: bool) -> patchwise::builder::FlexMap {
    let mut o = patchwise::builder::FlexMap::new();
    o.int("max_detections", 3)
        .int("max_classes_per_detection", 1)
        .bool("use_regular_nms", regular)
        .float("nms_score_threshold", 0.2)
        .float("nms_iou_threshold", iou)
        .int("num_classes", 2)
        .float("y_scale", 10.0)
        .float("x_scale", 10.0)
        .float("h_scale", 5.0)
        .float("w_scale", 5.0);
    o
}

#[test]
fn detection_postprocess_refuses_bad_options_and_tensors() {
    use patchwise::builder::TensorType;
    let good = detection_options(0.5, true).finish();
    exercise(&detection_model(good.clone(), TensorType::Float32, 4)).unwrap();
    let bad_options = |e: Error| matches!(e, Error::BadOptions { op: 0, .. });
    // No options, truncated options, an IoU threshold outside (0, 1], a negative max_detections.
    assert!(bad_options(exercise(&detection_model(Vec::new(), TensorType::Float32, 4)).unwrap_err()));
    assert!(bad_options(
        exercise(&detection_model(good[..good.len() - 1].to_vec(), TensorType::Float32, 4)).unwrap_err()
    ));
    for iou in [0.0, 1.5, f32::NAN] {
        let e = exercise(&detection_model(detection_options(iou, false).finish(), TensorType::Float32, 4)).unwrap_err();
        assert!(matches!(e, Error::BadOperator { op: 0, .. }), "{iou}: {e:?}");
    }
    let mut neg = detection_options(0.5, true);
    neg.int("max_detections", -1);
    assert!(bad_options(exercise(&detection_model(neg.finish(), TensorType::Float32, 4)).unwrap_err()));
    // int8 inputs (TFLM runs float only) and a missing output.
    let e = exercise(&detection_model(good.clone(), TensorType::Int8, 4)).unwrap_err();
    assert!(matches!(e, Error::BadOperator { op: 0, .. }), "{e:?}");
    let e = exercise(&detection_model(good.clone(), TensorType::Float32, 3)).unwrap_err();
    assert!(matches!(e, Error::BadOperator { op: 0, .. }), "{e:?}");
    // Every byte of the model flipped in turn: an error or a run, never a panic.
    let m = detection_model(good, TensorType::Float32, 4);
    for at in 0..m.len() {
        let mut x = m.clone();
        x[at] ^= 0x5a;
        if let Err(e) = exercise(&x) {
            assert!(is_format_error(&e) || matches!(e, Error::KernelFailed { .. }), "byte {at}: {e:?}");
        }
    }
}
