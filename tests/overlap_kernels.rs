//! Kernels whose output overlaps their input in one buffer give exactly the results they give
//! over separate buffers, when placed as the memory planner places them:
//! - sliding-window ops (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D) with the
//!   output at `input − forward_distance` walking forward and at `input + backward_distance`
//!   walking backward (`patchwise::plan::overlap`);
//! - elementwise ops (ADD, MUL, RELU, RELU6, LOGISTIC, HARD_SWISH, QUANTIZE int8→int8,
//!   SOFTMAX) in place and with the output starting before the input;
//! - the float conversions (QUANTIZE float→int8, DEQUANTIZE int8→float) inside one byte
//!   buffer.
//!
//! Random shapes from fixed seeds; every case is also checked for the explicit-padding
//! equivalence PAD(input zero point) + VALID = padded convolution where it applies.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::builder::Prng;
use patchwise::geometry::{out_size, Padding, Window};
use patchwise::kernels::activations::{relu6_s8, relu_s8, Relu6Params, ReluParams};
use patchwise::kernels::add::{add_s8, AddParams};
use patchwise::kernels::call::MapCall;
use patchwise::kernels::conv::{conv2d_s8, per_channel_requant, ConvParams, IoQuant};
use patchwise::kernels::depthwise_conv::{depthwise_conv2d_s8, DepthwiseParams};
use patchwise::kernels::dequantize::{dequantize_s8_f32, dequantize_s8_f32_bytes, DequantizeParams};
use patchwise::kernels::hard_swish::{hard_swish_s8, HardSwishParams};
use patchwise::kernels::io::{Io, Src, Walk};
use patchwise::kernels::logistic::{logistic_s8, LogisticParams};
use patchwise::kernels::mul::{mul_s8, MulParams};
use patchwise::kernels::pooling::{average_pool_s8, max_pool_s8, PoolParams};
use patchwise::kernels::quantize::{
    quantize_f32_s8, quantize_f32_s8_bytes, requantize_s8, QuantizeParams, RequantizeParams,
};
use patchwise::kernels::softmax::{softmax_s8, SoftmaxParams};
use patchwise::plan::overlap::{backward_distance, forward_distance, Grid};
use patchwise::quant::{Activation, Requant};
use patchwise::tensor::{Dims4, LeF32s, LeI32s, Shape};

type Kernel<'k> = dyn FnMut(&mut Io<'_>, Walk) -> patchwise::Result<()> + 'k;

fn d(n: usize, h: usize, w: usize, c: usize) -> Dims4 {
    Dims4 { n, h, w, c }
}

fn pick<T: Copy>(rng: &mut Prng, v: &[T]) -> T {
    v[rng.range_i64(0, v.len() as i64 - 1) as usize]
}

fn urange(rng: &mut Prng, lo: usize, hi: usize) -> usize {
    rng.range_i64(lo as i64, hi as i64) as usize
}

/// A buffer of random bytes holding `input` at `in_off`, large enough for the output too.
fn shared_buffer(rng: &mut Prng, input: &[i8], in_off: usize, out_off: usize, out_len: usize) -> Vec<i8> {
    let len = (in_off + input.len()).max(out_off + out_len) + urange(rng, 0, 3);
    let mut buf = rng.i8_vec(len, -128, 127);
    buf[in_off..in_off + input.len()].copy_from_slice(input);
    buf
}

/// Runs `kernel` over one shared buffer: input at `in_off`, output at `out_off`.
fn run_shared(
    rng: &mut Prng,
    input: &[i8],
    in_off: usize,
    out_off: usize,
    out_len: usize,
    walk: Walk,
    kernel: &mut Kernel<'_>,
) -> Vec<i8> {
    let mut buf = shared_buffer(rng, input, in_off, out_off, out_len);
    let inputs = [Src::Shared { offset: in_off, len: input.len() }, Src::Slice(&[])];
    let mut io = Io::shared(&mut buf, out_off, out_len, inputs).expect("ranges inside the buffer");
    kernel(&mut io, walk).expect("kernel accepts the shared buffer");
    buf[out_off..out_off + out_len].to_vec()
}

/// Outcome counters of the sliding-window checks.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    /// Cases where the output really overlapped the input (forward or backward placement).
    overlapping: usize,
    /// Cases where walking the wrong way at the forward placement corrupted the result
    /// (shows that the placement is tight enough for the test to have teeth).
    wrong_walk_detected: usize,
}

/// Reference over separate buffers, then both overlapped placements; panics on a mismatch.
fn check_window_op(
    name: &str,
    rng: &mut Prng,
    geom: &Grid,
    input: &[i8],
    out_len: usize,
    kernel: &mut Kernel<'_>,
    tally: &mut Tally,
) -> Vec<i8> {
    let mut reference = vec![0i8; out_len];
    kernel(&mut Io::split(input, &mut reference), Walk::Forward).unwrap();
    let mut backward_split = vec![0i8; out_len];
    kernel(&mut Io::split(input, &mut backward_split), Walk::Backward).unwrap();
    assert_eq!(backward_split, reference, "{name}: backward walk over separate buffers, {geom:?}");
    let in_len = input.len() as i64;
    let out_len_i = out_len as i64;

    let dist = forward_distance(geom);
    let in_off = dist.max(0) as usize;
    let out_off = (in_off as i64 - dist) as usize;
    let got = run_shared(rng, input, in_off, out_off, out_len, Walk::Forward, kernel);
    assert_eq!(got, reference, "{name}: forward at input - {dist}, {geom:?}");
    let overlaps = |o: i64, i: i64| o < i + in_len && i < o + out_len_i;
    let mut overlapped = overlaps(out_off as i64, in_off as i64);
    if overlapped {
        let wrong = run_shared(rng, input, in_off, out_off, out_len, Walk::Backward, kernel);
        if wrong != reference {
            tally.wrong_walk_detected += 1;
        }
    }

    let dist = backward_distance(geom);
    let in_off = (-dist).max(0) as usize;
    let out_off = (in_off as i64 + dist) as usize;
    let got = run_shared(rng, input, in_off, out_off, out_len, Walk::Backward, kernel);
    assert_eq!(got, reference, "{name}: backward at input + {dist}, {geom:?}");
    overlapped |= overlaps(out_off as i64, in_off as i64);
    tally.cases += 1;
    tally.overlapping += usize::from(overlapped);
    reference
}

/// Random per-channel (or per-tensor) requantization giving outputs spread over int8 for
/// accumulators over `taps` products.
fn random_requant(rng: &mut Prng, taps: usize, channels: usize) -> Vec<Requant> {
    let per_channel = rng.range_i32(0, 3) != 0;
    let n = if per_channel { channels } else { 1 };
    let base = 40.0 / ((taps.max(1) as f32).sqrt() * 5476.0);
    let scales: Vec<f32> = (0..n).map(|_| base * rng.range_f32(0.3, 3.0)).collect();
    let bytes: Vec<u8> = scales.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut out = vec![Requant::default(); n];
    per_channel_requant(1.0, LeF32s::new(&bytes), 1.0, &mut out).unwrap();
    out
}

fn random_io_quant(rng: &mut Prng) -> IoQuant {
    let output_zp = rng.range_i32(-128, 127);
    let (act_min, act_max) = match rng.range_i32(0, 2) {
        0 => (-128, 127),
        1 => (output_zp.max(-128), 127),
        _ => (rng.range_i32(-128, 0), rng.range_i32(0, 127)),
    };
    IoQuant { input_zp: rng.range_i32(-128, 127), output_zp, act_min, act_max }
}

/// How a random window op pads its input.
#[derive(Clone, Copy, Debug)]
enum Pad {
    Same,
    Valid,
    /// `[top, bottom, left, right]`.
    Explicit([usize; 4]),
}

/// Random extent of one axis and its output size for a window of effective size `eff`.
/// Returns `(in, out, before, after)` (before/after only for explicit padding).
fn random_axis(rng: &mut Prng, pad: Pad, eff: usize, stride: usize) -> (usize, usize, usize, usize) {
    match pad {
        Pad::Same => {
            let n = urange(rng, 1, 11);
            (n, out_size(Padding::Same, n, 1, stride, 1).unwrap(), 0, 0)
        }
        Pad::Valid => {
            let n = urange(rng, eff, eff + 8);
            (n, (n - eff) / stride + 1, 0, 0)
        }
        Pad::Explicit(_) => loop {
            let n = urange(rng, 1, 10);
            let (before, after) = (urange(rng, 0, 4), urange(rng, 0, 4));
            let padded = n + before + after;
            if padded >= eff {
                return (n, (padded - eff) / stride + 1, before, after);
            }
        },
    }
}

struct ConvCase {
    input: Dims4,
    filter: Dims4,
    output: Dims4,
    strides: (usize, usize),
    dilations: (usize, usize),
    pad: Pad,
}

/// A random convolution geometry; `depthwise` picks the filter layout `[1, kh, kw, out_c]`.
fn random_conv_case(rng: &mut Prng, in_c: usize, out_c: usize, filter_in_c: usize, depthwise: bool) -> ConvCase {
    let (kh, kw) = (urange(rng, 1, 5), urange(rng, 1, 5));
    let strides = (urange(rng, 1, 3), urange(rng, 1, 3));
    let dilations = (urange(rng, 1, 2), urange(rng, 1, 2));
    let kind = rng.range_i32(0, 3);
    let mut pad = match kind {
        0 => Pad::Same,
        1 => Pad::Valid,
        _ => Pad::Explicit([0; 4]),
    };
    let eff_h = (kh - 1) * dilations.0 + 1;
    let eff_w = (kw - 1) * dilations.1 + 1;
    let (in_h, out_h, top, bottom) = random_axis(rng, pad, eff_h, strides.0);
    let (in_w, out_w, left, right) = random_axis(rng, pad, eff_w, strides.1);
    if let Pad::Explicit(p) = &mut pad {
        *p = [top, bottom, left, right];
    }
    let n = urange(rng, 1, 2);
    let filter = if depthwise { d(1, kh, kw, out_c) } else { d(out_c, kh, kw, filter_in_c) };
    ConvCase { input: d(n, in_h, in_w, in_c), filter, output: d(n, out_h, out_w, out_c), strides, dilations, pad }
}

fn geom(c: &ConvCase, window: &Window) -> Grid {
    Grid { window: *window, batches: c.input.n, in_px: c.input.c, out_px: c.output.c, lead: 0 }
}

/// The input padded with its zero point (what a PAD operator before the conv produces).
fn pad_input(input: &[i8], dims: Dims4, [top, bottom, left, right]: [usize; 4], zp: i32) -> (Vec<i8>, Dims4) {
    let pd = d(dims.n, dims.h + top + bottom, dims.w + left + right, dims.c);
    let mut out = vec![zp as i8; pd.len()];
    for b in 0..dims.n {
        for y in 0..dims.h {
            for x in 0..dims.w {
                let src = dims.offset(b, y, x, 0);
                let dst = pd.offset(b, y + top, x + left, 0);
                out[dst..dst + dims.c].copy_from_slice(&input[src..src + dims.c]);
            }
        }
    }
    (out, pd)
}

fn window(pad: Padding, c: &ConvCase, input: Dims4) -> Window {
    let (s, dl) = (c.strides, c.dilations);
    let (i, f, o) = ([input.h, input.w], [c.filter.h, c.filter.w], [c.output.h, c.output.w]);
    Window::tflm(pad, [s.0, s.1], [dl.0, dl.1], i, f, o).unwrap()
}

fn explicit(pad: [usize; 4], c: &ConvCase) -> Window {
    let (s, dl) = (c.strides, c.dilations);
    let (i, f, o) = ([c.input.h, c.input.w], [c.filter.h, c.filter.w], [c.output.h, c.output.w]);
    Window::explicit(pad, [s.0, s.1], [dl.0, dl.1], i, f, o).unwrap()
}

fn case_window(c: &ConvCase) -> Window {
    match c.pad {
        Pad::Same => window(Padding::Same, c, c.input),
        Pad::Valid => window(Padding::Valid, c, c.input),
        Pad::Explicit(pad) => explicit(pad, c),
    }
}

#[test]
fn conv2d_overlapped_forward_and_backward() {
    let mut rng = Prng::new(0xC0DE_0001);
    let mut tally = Tally::default();
    let mut explicit = 0;
    for case in 0..500 {
        let in_c = urange(&mut rng, 1, 9);
        let divisors: Vec<usize> = (1..=in_c).filter(|g| in_c % g == 0).collect();
        let groups = if rng.range_i32(0, 3) == 0 { pick(&mut rng, &divisors) } else { 1 };
        let out_c = groups * urange(&mut rng, 1, (9 / groups).max(1));
        let c = random_conv_case(&mut rng, in_c, out_c, in_c / groups, false);
        let io_q = random_io_quant(&mut rng);
        let p = ConvParams::new(case_window(&c), c.input, c.filter, c.output, io_q)
            .unwrap_or_else(|e| panic!("case {case}: {e:?}"));
        let input = rng.i8_vec(c.input.len(), -128, 127);
        let filter = rng.i8_vec(c.filter.len(), -128, 127);
        let requant = random_requant(&mut rng, c.filter.h * c.filter.w * c.filter.c, out_c);
        let bias_bytes: Vec<u8> = rng.i32_vec(out_c, -20_000, 20_000).iter().flat_map(|b| b.to_le_bytes()).collect();
        let bias = if rng.range_i32(0, 3) == 0 { None } else { Some(LeI32s::new(&bias_bytes)) };
        let g = geom(&c, p.window());
        let mut kernel = |io: &mut Io<'_>, walk: Walk| conv2d_s8(&p, &requant, &filter, bias, &p.full_call(walk), io);
        let got = check_window_op("conv2d", &mut rng, &g, &input, c.output.len(), &mut kernel, &mut tally);

        if let Pad::Explicit(pad) = c.pad {
            explicit += 1;
            let (padded, pd) = pad_input(&input, c.input, pad, io_q.input_zp);
            let valid = ConvParams::new(window(Padding::Valid, &c, pd), pd, c.filter, c.output, io_q).unwrap();
            let mut want = vec![0i8; c.output.len()];
            let call = valid.full_call(Walk::Forward);
            conv2d_s8(&valid, &requant, &filter, bias, &call, &mut Io::split(&padded, &mut want)).unwrap();
            assert_eq!(got, want, "case {case}: explicit padding {pad:?} vs PAD + VALID");
        }
    }
    println!("conv2d: {tally:?}, explicit padding {explicit}");
    assert!(explicit > 50 && tally.overlapping > tally.cases / 2 && tally.wrong_walk_detected > 20, "{tally:?}");
}

#[test]
fn depthwise_overlapped_forward_and_backward() {
    let mut rng = Prng::new(0xC0DE_0002);
    let mut tally = Tally::default();
    let mut explicit = 0;
    for case in 0..500 {
        let in_c = urange(&mut rng, 1, 9);
        let dm = urange(&mut rng, 1, 2);
        let c = random_conv_case(&mut rng, in_c, in_c * dm, 1, true);
        let io_q = random_io_quant(&mut rng);
        let p = DepthwiseParams::new(case_window(&c), dm, c.input, c.filter, c.output, io_q)
            .unwrap_or_else(|e| panic!("case {case}: {e:?}"));
        let input = rng.i8_vec(c.input.len(), -128, 127);
        let filter = rng.i8_vec(c.filter.len(), -128, 127);
        let requant = random_requant(&mut rng, c.filter.h * c.filter.w, in_c * dm);
        let bias_bytes: Vec<u8> =
            rng.i32_vec(in_c * dm, -20_000, 20_000).iter().flat_map(|b| b.to_le_bytes()).collect();
        let bias = if rng.range_i32(0, 3) == 0 { None } else { Some(LeI32s::new(&bias_bytes)) };
        let g = geom(&c, p.window());
        let mut kernel =
            |io: &mut Io<'_>, walk: Walk| depthwise_conv2d_s8(&p, &requant, &filter, bias, &p.full_call(walk), io);
        let got = check_window_op("depthwise", &mut rng, &g, &input, c.output.len(), &mut kernel, &mut tally);

        if let Pad::Explicit(pad) = c.pad {
            explicit += 1;
            let (padded, pd) = pad_input(&input, c.input, pad, io_q.input_zp);
            let valid = DepthwiseParams::new(window(Padding::Valid, &c, pd), dm, pd, c.filter, c.output, io_q).unwrap();
            let mut want = vec![0i8; c.output.len()];
            let mut io = Io::split(&padded, &mut want);
            depthwise_conv2d_s8(&valid, &requant, &filter, bias, &valid.full_call(Walk::Forward), &mut io).unwrap();
            assert_eq!(got, want, "case {case}: explicit padding {pad:?} vs PAD + VALID");
        }
    }
    println!("depthwise: {tally:?}, explicit padding {explicit}");
    assert!(explicit > 50 && tally.overlapping > tally.cases / 2 && tally.wrong_walk_detected > 20, "{tally:?}");
}

#[test]
fn pooling_overlapped_forward_and_backward() {
    let mut rng = Prng::new(0xC0DE_0003);
    let mut tallies = [Tally::default(), Tally::default()];
    let mut case = 0;
    while case < 600 {
        let (fh, fw) = (urange(&mut rng, 1, 5), urange(&mut rng, 1, 5));
        let (sh, sw) = (urange(&mut rng, 1, 3), urange(&mut rng, 1, 3));
        let padding = if rng.range_i32(0, 1) == 0 { Padding::Same } else { Padding::Valid };
        let pad = if padding == Padding::Same { Pad::Same } else { Pad::Valid };
        let (in_h, out_h, _, _) = random_axis(&mut rng, pad, fh, sh);
        let (in_w, out_w, _, _) = random_axis(&mut rng, pad, fw, sw);
        let (n, ch) = (urange(&mut rng, 1, 2), urange(&mut rng, 1, 9));
        let (input_d, output_d) = (d(n, in_h, in_w, ch), d(n, out_h, out_w, ch));
        let (lo, hi) = if rng.range_i32(0, 1) == 0 { (-128, 127) } else { (rng.range_i32(-128, 0), 127) };
        let Ok(p) = PoolParams::new(padding, fh, fw, sh, sw, input_d, output_d, lo, hi) else {
            continue; // a window entirely in the padding: not a valid pooling op
        };
        case += 1;
        let g = Grid { window: *p.window(), batches: n, in_px: ch, out_px: ch, lead: 0 };
        let input = rng.i8_vec(input_d.len(), -128, 127);
        let avg = case % 2 == 0;
        let mut kernel = |io: &mut Io<'_>, walk: Walk| {
            if avg {
                average_pool_s8(&p, &p.full_call(walk), io)
            } else {
                max_pool_s8(&p, &p.full_call(walk), io)
            }
        };
        let name = if avg { "average_pool" } else { "max_pool" };
        check_window_op(name, &mut rng, &g, &input, output_d.len(), &mut kernel, &mut tallies[usize::from(avg)]);
    }
    println!("max pool: {:?}, average pool: {:?}", tallies[0], tallies[1]);
    for t in &tallies {
        assert!(t.overlapping > t.cases / 2 && t.wrong_walk_detected > 10, "{t:?}");
    }
}

/// Elementwise check: reference over separate buffers, then the output in place
/// (offset equal to the input's) and starting `1..` elements before the input.
fn check_elementwise(name: &str, rng: &mut Prng, input: &[i8], kernel: &mut Kernel<'_>) {
    let n = input.len();
    let mut reference = vec![0i8; n];
    kernel(&mut Io::split(input, &mut reference), Walk::Forward).unwrap();
    for gap in [0, 1, urange(rng, 2, n + 2)] {
        let out_off = urange(rng, 0, 3);
        let got = run_shared(rng, input, out_off + gap, out_off, n, Walk::Forward, kernel);
        assert_eq!(got, reference, "{name}: output {gap} before the input, n {n}");
    }
}

fn random_len(rng: &mut Prng) -> usize {
    let any = urange(rng, 1, 400);
    pick(rng, &[1usize, 2, 63, 64, 65, 127, 128, 129, any])
}

#[test]
fn unary_elementwise_in_place() {
    let mut rng = Prng::new(0xC0DE_0004);
    for _ in 0..60 {
        let n = random_len(&mut rng);
        let input = rng.i8_vec(n, -128, 127);
        let (s_in, z_in) = (rng.range_f32(0.005, 0.5), rng.range_i32(-128, 127));
        let (s_out, z_out) = (rng.range_f32(0.005, 0.5), rng.range_i32(-128, 127));

        let p = ReluParams::new(s_in, z_in, s_out, z_out).unwrap();
        check_elementwise("relu", &mut rng, &input, &mut |io, _| relu_s8(&p, &MapCall::flat(n), io));
        let p = Relu6Params::new(s_in, z_in).unwrap();
        check_elementwise("relu6", &mut rng, &input, &mut |io, _| relu6_s8(&p, &MapCall::flat(n), io));
        let p = LogisticParams::new(s_in, z_in, -128).unwrap();
        check_elementwise("logistic", &mut rng, &input, &mut |io, _| logistic_s8(&p, &MapCall::flat(n), io));
        let p = HardSwishParams::new(s_in, z_in, s_out, z_out).unwrap();
        check_elementwise("hard_swish", &mut rng, &input, &mut |io, _| hard_swish_s8(&p, &MapCall::flat(n), io));
        let p = RequantizeParams::new(s_in, z_in, s_out, z_out).unwrap();
        check_elementwise("requantize", &mut rng, &input, &mut |io, _| requantize_s8(&p, &MapCall::flat(n), io));
    }
}

#[test]
fn softmax_in_place() {
    let mut rng = Prng::new(0xC0DE_0005);
    for _ in 0..80 {
        let rows = urange(&mut rng, 1, 4);
        let depth = random_len(&mut rng).min(300);
        let shape = Shape::new(&[rows, depth]).unwrap();
        let beta = pick(&mut rng, &[1.0f32, 0.5, 2.0]);
        let p = SoftmaxParams::new(rng.range_f32(0.01, 0.5), beta, 1.0 / 256.0, -128, shape, shape).unwrap();
        let input = rng.i8_vec(rows * depth, -128, 127);
        check_elementwise("softmax", &mut rng, &input, &mut |io, _| softmax_s8(&p, io));
    }
}

#[test]
fn add_and_mul_in_place() {
    let mut rng = Prng::new(0xC0DE_0006);
    for case in 0..120 {
        let (h, w, c) = (urange(&mut rng, 1, 5), urange(&mut rng, 1, 6), urange(&mut rng, 1, 20));
        let full = Shape::new(&[1, h, w, c]).unwrap();
        // The other operand: same shape, per-channel vector or scalar.
        let other = match case % 3 {
            0 => full,
            1 => Shape::new(&[1, 1, 1, c]).unwrap(),
            _ => Shape::new(&[1]).unwrap(),
        };
        let shared = rng.i8_vec(full.num_elements(), -128, 127);
        let second = rng.i8_vec(other.num_elements(), -128, 127);
        let shared_first = rng.range_i32(0, 1) == 0;
        let (s1, z1) = (rng.range_f32(0.01, 0.5), rng.range_i32(-128, 127));
        let (s2, z2) = (rng.range_f32(0.01, 0.5), rng.range_i32(-128, 127));
        let (so, zo) = (rng.range_f32(0.01, 0.5), rng.range_i32(-128, 127));
        let act = pick(&mut rng, &[Activation::None, Activation::Relu, Activation::Relu6]);
        let (sh1, sh2) = if shared_first { (full, other) } else { (other, full) };
        let add = AddParams::new(s1, z1, s2, z2, so, zo, act, sh1, sh2, full).unwrap();
        let mul = MulParams::new(s1, z1, s2, z2, so, zo, act, sh1, sh2, full).unwrap();
        for is_add in [true, false] {
            let n = shared.len();
            let run = |io: &mut Io<'_>| if is_add { add_s8(&add, io) } else { mul_s8(&mul, io) };
            let mut reference = vec![0i8; n];
            let (a, b) = if shared_first { (&shared, &second) } else { (&second, &shared) };
            run(&mut Io::split2(a, b, &mut reference)).unwrap();
            for gap in [0, 1, urange(&mut rng, 2, n + 2)] {
                let out_off = urange(&mut rng, 0, 3);
                let in_off = out_off + gap;
                let mut buf = shared_buffer(&mut rng, &shared, in_off, out_off, n);
                let s = Src::Shared { offset: in_off, len: n };
                let inputs = if shared_first { [s, Src::Slice(&second)] } else { [Src::Slice(&second), s] };
                run(&mut Io::shared(&mut buf, out_off, n, inputs).unwrap()).unwrap();
                let name = if is_add { "add" } else { "mul" };
                assert_eq!(buf[out_off..out_off + n], reference[..], "{name} case {case}: gap {gap}");
            }
        }
    }
}

#[test]
fn float_conversions_in_place() {
    let mut rng = Prng::new(0xC0DE_0007);
    for _ in 0..100 {
        let n = random_len(&mut rng);
        // QUANTIZE float → int8: output at or before the floats.
        let p = QuantizeParams::new(rng.range_f32(0.005, 0.5), rng.range_i32(-128, 127)).unwrap();
        let floats = rng.f32_vec(n, -80.0, 80.0);
        let mut want = vec![0i8; n];
        quantize_f32_s8(&p, &floats, &mut want).unwrap();
        for gap in [0, 1, 3, urange(&mut rng, 4, 4 * n)] {
            let out_off = urange(&mut rng, 0, 3);
            let in_off = out_off + gap;
            let mut buf: Vec<u8> = (0..in_off + 4 * n + 2).map(|_| rng.next_u32() as u8).collect();
            for (i, x) in floats.iter().enumerate() {
                buf[in_off + 4 * i..in_off + 4 * i + 4].copy_from_slice(&x.to_le_bytes());
            }
            quantize_f32_s8_bytes(&p, &mut buf, in_off, out_off, n).unwrap();
            let got: Vec<i8> = buf[out_off..out_off + n].iter().map(|&b| b as i8).collect();
            assert_eq!(got, want, "quantize: output {gap} bytes before the input, n {n}");
        }

        // DEQUANTIZE int8 → float: output at or after the int8 values.
        let p = DequantizeParams::new(rng.range_f32(0.005, 0.5), rng.range_i32(-128, 127)).unwrap();
        let q = rng.i8_vec(n, -128, 127);
        let mut want = vec![0f32; n];
        dequantize_s8_f32(&p, &q, &mut want).unwrap();
        for gap in [0, 1, 3, urange(&mut rng, 4, n + 4)] {
            let in_off = urange(&mut rng, 0, 3);
            let out_off = in_off + gap;
            let mut buf: Vec<u8> = (0..out_off + 4 * n + 2).map(|_| rng.next_u32() as u8).collect();
            for (i, &v) in q.iter().enumerate() {
                buf[in_off + i] = v as u8;
            }
            dequantize_s8_f32_bytes(&p, &mut buf, in_off, out_off, n).unwrap();
            for (i, w) in want.iter().enumerate() {
                let b = &buf[out_off + 4 * i..out_off + 4 * i + 4];
                let got = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                assert_eq!(got.to_bits(), w.to_bits(), "dequantize: output {gap} bytes after the input, n {n}");
            }
        }
    }
}
