//! Fused segments (patch-based execution, halos cached) on random chains of spatially local
//! operators: odd sizes, one-row images, strides 1 and 2 with uneven row counts, dilation,
//! SAME and VALID padding, folded asymmetric PADs, per-tensor and per-channel quantization,
//! depth multipliers, pooling, activations and requantization between them, and residual
//! blocks (a same-shape ADD of a block's output and its input, either operand order). Each model runs
//! with segments and operator by operator (which the op goldens and the conformance harness
//! tie to TFLM bit for bit): the outputs must be identical, and the shadow checker replays
//! every fused plan.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::builder::{
    add_random_layer, quant_for, uniform_q_rms, Activation, BuiltinOp, Conv2DOptions, DepthwiseConv2DOptions,
    LayerSpec, ModelBuilder, OpOptions, Padding, Pool2DOptions, Prng, QuantSpec, TensorSpec, TensorType,
};
use patchwise::{arena_required_with, plan_details, HostArena, Interpreter, Options};
use patchwise_testkit::shadow::check_plan;

const CHAINS: usize = 1000;

fn pick<T: Copy>(rng: &mut Prng, v: &[T]) -> T {
    v[rng.range_i64(0, v.len() as i64 - 1) as usize]
}

fn out_size(input: i32, k: i32, stride: i32, dilation: i32, padding: Padding) -> i32 {
    let eff = (k - 1) * dilation + 1;
    match padding {
        Padding::Same => (input + stride - 1) / stride,
        Padding::Valid => (input - eff + stride) / stride,
    }
}

/// A tensor being built: its index, shape and quantization.
struct Cur {
    t: i32,
    h: i32,
    w: i32,
    c: i32,
    q: QuantSpec,
}

fn int8(b: &mut ModelBuilder, name: &str, shape: &[i32], q: &QuantSpec) -> i32 {
    b.add_tensor(TensorSpec::new(name, shape, TensorType::Int8).with_quant(q.clone()))
}

fn out_quant(rng: &mut Prng) -> QuantSpec {
    let mut q = quant_for(1.0, 0.0, pick(rng, &[3.0, 3.0, 2.0, 0.7]));
    q.zero_point = vec![i64::from(rng.range_i32(-20, 20))];
    q
}

/// Window geometry with an output of at least one row and column.
fn window(rng: &mut Prng, cur: &Cur, kmax: i32) -> ([i32; 2], [i32; 2], [i32; 2], Padding, i32, i32) {
    loop {
        let k = [rng.range_i32(1, kmax), rng.range_i32(1, kmax)];
        let s = [pick(rng, &[1, 1, 2]), pick(rng, &[1, 1, 2])];
        let d = if rng.range_i32(0, 4) == 0 { [2, pick(rng, &[1, 2])] } else { [1, 1] };
        let p = pick(rng, &[Padding::Same, Padding::Valid]);
        let (oh, ow) = (out_size(cur.h, k[0], s[0], d[0], p), out_size(cur.w, k[1], s[1], d[1], p));
        if oh >= 1 && ow >= 1 {
            return (k, s, d, p, oh, ow);
        }
    }
}

/// A random chain of 2..=6 spatially local operators on one batch-1 image.
fn random_chain(rng: &mut Prng) -> Vec<u8> {
    let mut b = ModelBuilder::new();
    let (h, w, c) = (pick(rng, &[1, 2, 7, 16, 23, 32, 40]), rng.range_i32(1, 20), rng.range_i32(1, 8));
    let q = QuantSpec::per_tensor(rng.range_f32(0.02, 0.08), i64::from(rng.range_i32(-60, 60)));
    // A float input quantized by the first operator (a float model input), or an int8 one.
    let (x, first) = if rng.range_i32(0, 3) == 0 {
        let x = b.add_tensor(TensorSpec::new("input", &[1, h, w, c], TensorType::Float32));
        let y = int8(&mut b, "input/quantized", &[1, h, w, c], &q);
        b.add_op(BuiltinOp::QUANTIZE, &[x], &[y], OpOptions::Quantize);
        (x, y)
    } else {
        let x = int8(&mut b, "input", &[1, h, w, c], &q);
        (x, x)
    };
    let mut cur = Cur { t: first, h, w, c, q };
    let n = rng.range_i32(2, 6);
    for i in 0..n {
        let name = format!("op{i}");
        match rng.range_i32(0, 11) {
            10 | 11 => {
                // A residual block: one or two same-shape layers (a 3x3 SAME depthwise, a 1x1
                // convolution back to the block's channels), then ADD(block output, block input).
                let skip = cur.t;
                let layers = rng.range_i32(1, 2);
                for l in 0..layers {
                    let lname = format!("{name}/res{l}");
                    let depthwise = rng.range_i32(0, 1) == 0;
                    let (kh, kw) = if depthwise { (3, 3) } else { (1, 1) };
                    let shape = if depthwise { [1, kh, kw, cur.c] } else { [cur.c, kh, kw, cur.c] };
                    let per_channel = rng.range_i32(0, 1) == 0;
                    let layer = add_random_layer(
                        &mut b,
                        rng,
                        &LayerSpec {
                            name: &lname,
                            filter_shape: &shape,
                            channel_dim: if depthwise { 3 } else { 0 },
                            per_channel,
                            bias: true,
                            input_scale: cur.q.scale[0],
                            input_q_rms: uniform_q_rms(cur.q.zero_point[0]),
                            output_std: 1.0,
                        },
                    );
                    let q = out_quant(rng);
                    let y = int8(&mut b, &format!("{lname}/out"), &[1, cur.h, cur.w, cur.c], &q);
                    let activation = pick(rng, &[Activation::None, Activation::Relu6]);
                    if depthwise {
                        let o = DepthwiseConv2DOptions {
                            padding: Padding::Same,
                            stride_h: 1,
                            stride_w: 1,
                            depth_multiplier: 1,
                            activation,
                            dilation_h: 1,
                            dilation_w: 1,
                        };
                        b.add_op(
                            BuiltinOp::DEPTHWISE_CONV_2D,
                            &[cur.t, layer.filter, layer.bias],
                            &[y],
                            OpOptions::DepthwiseConv2D(o),
                        );
                    } else {
                        let o = Conv2DOptions {
                            padding: Padding::Same,
                            stride_h: 1,
                            stride_w: 1,
                            activation,
                            dilation_h: 1,
                            dilation_w: 1,
                        };
                        b.add_op(BuiltinOp::CONV_2D, &[cur.t, layer.filter, layer.bias], &[y], OpOptions::Conv2D(o));
                    }
                    cur = Cur { t: y, h: cur.h, w: cur.w, c: cur.c, q };
                }
                let q = out_quant(rng);
                let y = int8(&mut b, &format!("{name}/sum"), &[1, cur.h, cur.w, cur.c], &q);
                let operands = if rng.range_i32(0, 1) == 0 { [cur.t, skip] } else { [skip, cur.t] };
                let activation = pick(rng, &[Activation::None, Activation::Relu]);
                b.add_op(BuiltinOp::ADD, &operands, &[y], OpOptions::Add { activation });
                cur.t = y;
                cur.q = q;
            }
            0..=4 => {
                // CONV_2D or DEPTHWISE_CONV_2D, sometimes behind an explicit (folded) PAD.
                let depthwise = rng.range_i32(0, 1) == 0;
                let mut input = cur.t;
                if rng.range_i32(0, 3) == 0 {
                    let p: Vec<i32> = (0..4).map(|_| rng.range_i32(0, 2)).collect();
                    let paddings =
                        b.add_const_i32(&format!("{name}/paddings"), &[4, 2], &[0, 0, p[0], p[1], p[2], p[3], 0, 0]);
                    cur.h += p[0] + p[1];
                    cur.w += p[2] + p[3];
                    input = int8(&mut b, &format!("{name}/padded"), &[1, cur.h, cur.w, cur.c], &cur.q);
                    b.add_op(BuiltinOp::PAD, &[cur.t, paddings], &[input], OpOptions::Pad);
                }
                let (k, s, d, p, oh, ow) = window(rng, &cur, 4);
                let mult = if depthwise { pick(rng, &[1, 1, 2]) } else { 1 };
                let cout = if depthwise { cur.c * mult } else { rng.range_i32(1, 12) };
                let shape = if depthwise { [1, k[0], k[1], cout] } else { [cout, k[0], k[1], cur.c] };
                let (per_channel, bias) = (rng.range_i32(0, 2) != 0, rng.range_i32(0, 3) != 0);
                let layer = add_random_layer(
                    &mut b,
                    rng,
                    &LayerSpec {
                        name: &name,
                        filter_shape: &shape,
                        channel_dim: if depthwise { 3 } else { 0 },
                        per_channel,
                        bias,
                        input_scale: cur.q.scale[0],
                        input_q_rms: uniform_q_rms(cur.q.zero_point[0]),
                        output_std: 1.0,
                    },
                );
                let q = out_quant(rng);
                let y = int8(&mut b, &format!("{name}/out"), &[1, oh, ow, cout], &q);
                let inputs: Vec<i32> =
                    if layer.bias >= 0 { vec![input, layer.filter, layer.bias] } else { vec![input, layer.filter] };
                let activation = pick(rng, &[Activation::None, Activation::Relu, Activation::Relu6]);
                if depthwise {
                    let o = DepthwiseConv2DOptions {
                        padding: p,
                        stride_h: s[0],
                        stride_w: s[1],
                        depth_multiplier: mult,
                        activation,
                        dilation_h: d[0],
                        dilation_w: d[1],
                    };
                    b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &inputs, &[y], OpOptions::DepthwiseConv2D(o));
                } else {
                    let o = Conv2DOptions {
                        padding: p,
                        stride_h: s[0],
                        stride_w: s[1],
                        activation,
                        dilation_h: d[0],
                        dilation_w: d[1],
                    };
                    b.add_op(BuiltinOp::CONV_2D, &inputs, &[y], OpOptions::Conv2D(o));
                }
                cur = Cur { t: y, h: oh, w: ow, c: cout, q };
            }
            5 | 6 => {
                let average = rng.range_i32(0, 1) == 0;
                let (k, s, _, p, oh, ow) = loop {
                    let g = window(rng, &cur, 3);
                    if g.2 == [1, 1] {
                        break g;
                    }
                };
                let y = int8(&mut b, &format!("{name}/out"), &[1, oh, ow, cur.c], &cur.q);
                let o = Pool2DOptions {
                    padding: p,
                    stride_h: s[0],
                    stride_w: s[1],
                    filter_height: k[0],
                    filter_width: k[1],
                    activation: Activation::None,
                };
                let code = if average { BuiltinOp::AVERAGE_POOL_2D } else { BuiltinOp::MAX_POOL_2D };
                b.add_op(code, &[cur.t], &[y], OpOptions::Pool2D(o));
                cur.t = y;
                cur.h = oh;
                cur.w = ow;
            }
            _ => {
                // A same-shape int8 map.
                let (code, options, q) = match rng.range_i32(0, 3) {
                    0 => (BuiltinOp::RELU, OpOptions::None, out_quant(rng)),
                    1 => (BuiltinOp::RELU6, OpOptions::None, out_quant(rng)),
                    2 => (BuiltinOp::QUANTIZE, OpOptions::Quantize, out_quant(rng)),
                    _ => (BuiltinOp::LOGISTIC, OpOptions::None, QuantSpec::per_tensor(1.0 / 256.0, -128)),
                };
                let y = int8(&mut b, &format!("{name}/out"), &[1, cur.h, cur.w, cur.c], &q);
                b.add_op(code, &[cur.t], &[y], options);
                cur.t = y;
                cur.q = q;
            }
        }
    }
    b.set_io(&[x], &[cur.t]);
    b.finish()
}

/// True when the plan runs an ADD inside a fused segment.
fn fuses_an_add(model: &[u8], options: &Options) -> bool {
    let plan = plan_details(model, options).unwrap();
    let m = patchwise::schema::Model::parse(model).unwrap();
    let mut prev_streams = false;
    for (o, how) in plan.op_plan.iter().enumerate() {
        if how.is_skip() {
            continue;
        }
        let is_add = m.operator(o).unwrap().opcode == 0;
        if is_add && (how.streams() || prev_streams) {
            return true;
        }
        prev_streams = how.streams();
    }
    false
}

/// The output of one invoke on `input`, and whether the plan fused a segment.
fn run(model: &[u8], options: &Options, input: &[u8]) -> (Vec<u8>, bool) {
    let need = arena_required_with(model, options).unwrap();
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(model, arena.bytes_mut(), options).unwrap();
    let plan = plan_details(model, options).unwrap();
    let fused = plan.op_plan.iter().any(|h| h.streams());
    if fused {
        check_plan(model, &plan).unwrap_or_else(|e| {
            std::fs::write("/tmp/seg_fail.tflite", model).unwrap();
            panic!("unsafe fused plan: {e}")
        });
    }
    if options.external_input {
        interp.invoke_with_inputs(&[input]).unwrap_or_else(|e| panic!("invoke: {e} (plan {:?})", plan.op_plan));
    } else {
        interp.input_mut(0).unwrap().data.copy_from_slice(input);
        interp.invoke().unwrap_or_else(|e| panic!("invoke: {e} (plan {:?})", plan.op_plan));
    }
    (interp.output(0).unwrap().data.to_vec(), fused)
}

#[test]
fn fused_segments_match_operator_by_operator() {
    let mut rng = Prng::new(std::env::var("PW_SEG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5E6_0001));
    let mut off = Options::default();
    off.patch = false;
    let mut all = Options::default();
    all.patch_all = true;
    let mut external = all;
    external.external_input = true;
    let (mut fused, mut forced, mut saved, mut residual) = (0, 0, 0i64, 0);
    for case in 0..CHAINS {
        let model = random_chain(&mut rng);
        let (in_len, float) = {
            let need = arena_required_with(&model, &off).unwrap();
            let mut arena = HostArena::new(need);
            let interp = Interpreter::init(&model, arena.bytes_mut(), &off).unwrap();
            let t = interp.input_mut(0).unwrap();
            (t.data.len(), t.dtype == patchwise::DType::F32)
        };
        let input: Vec<u8> = if float {
            (0..in_len / 4).flat_map(|_| rng.range_f32(-4.0, 4.0).to_le_bytes()).collect()
        } else {
            rng.i8_vec(in_len, -128, 127).into_iter().map(|v| v as u8).collect()
        };
        let (want, _) = run(&model, &off, &input);
        let (got, did) = run(&model, &Options::default(), &input);
        assert_eq!(got, want, "chain {case}: fused output differs from operator by operator");
        let (got, did_all) = run(&model, &all, &input);
        assert_eq!(got, want, "chain {case}: output with every chain fused differs from operator by operator");
        forced += usize::from(did_all);
        let (got, _) = run(&model, &external, &input);
        assert_eq!(got, want, "chain {case}: output with the input outside the arena differs");
        residual += usize::from(fuses_an_add(&model, &all));
        if did {
            fused += 1;
            saved += arena_required_with(&model, &off).unwrap() as i64
                - arena_required_with(&model, &Options::default()).unwrap() as i64;
        }
        assert!(
            arena_required_with(&model, &Options::default()).unwrap() <= arena_required_with(&model, &off).unwrap(),
            "chain {case}: fusing cost memory"
        );
    }
    println!(
        "{fused} of {CHAINS} chains fused by choice ({saved} arena bytes saved in total), {forced} when forced, \
         {residual} with a residual ADD inside a segment"
    );
    assert!(residual * 10 >= CHAINS, "only {residual} of {CHAINS} random chains fused a residual ADD");
    assert!(fused > 0, "no random chain fused by choice");
    assert!(forced * 10 >= CHAINS * 9, "only {forced} of {CHAINS} random chains fused when forced");
}
