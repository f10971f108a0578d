//! The conformance harness every kernel variant's tests call.
//!
//! [`check`] runs single-operator models through one variant and through the portable
//! reference of the operator's family (the family's unconditional portable variant), on the
//! same random inputs, and requires identical bytes:
//! 1. over separate buffers (inputs, output and scratch apart);
//! 2. with the output overlapping its input where the planner may put it, from nothing but the
//!    variant's declared access ([`patchwise::variants::Access`] through
//!    [`patchwise::plan::overlap::permission`]): `forward` bytes before the input (walking
//!    forward), `backward` bytes after it (walking backward), exactly on it (same offset), or
//!    in place (elementwise), over each operand the spec allows;
//! 3. for variants that compute parts of an output: the output cut into rectangles — row
//!    bands, column bands, grids, single rows and columns, uneven cuts — each computed by its
//!    own call from the whole input, against the whole output.
//!
//! The models are the committed op cases (`tests/data/ops`, the hand cases) and random ones
//! of the variant's family: odd sizes, channel counts not multiple of 4, strides, dilation,
//! SAME / VALID / a folded PAD's explicit padding, per-tensor and per-channel quantization,
//! fused activations, saturating scales, batches. Every operand is laid out by the harness
//! itself: an arena, a table of offsets, and the executor's own memory binding
//! ([`patchwise::memory::Memory`]), so the run path is the one invoke uses.

use crate::shared::op_case_dirs;
use patchwise::builder::{
    add_random_layer, quant_for, uniform_q_rms, Activation, BuiltinOp, Conv2DOptions, DepthwiseConv2DOptions,
    FullyConnectedOptions, LayerSpec, ModelBuilder, OpOptions, Padding, Pool2DOptions, Prng, QuantSpec, TensorSpec,
    TensorType,
};
use patchwise::memory::Memory;
use patchwise::ops::{self, Family, OpSpec};
use patchwise::plan::overlap::{permission, Overlap};
use patchwise::plan::{EXACT, NEVER};
use patchwise::runplan::{Offsets, NO_OFFSET};
use patchwise::schema::{DType, Model};
use patchwise::variants::{self, portable, Region, Variant, VariantId};

/// What [`check`] ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Operators the variant ran (hand cases and random ones it supports).
    pub cases: usize,
    /// Of those, committed op cases.
    pub hand_cases: usize,
    /// Runs with the output overlapping an input.
    pub overlapped: usize,
    /// Overlapping runs where the output placed 4 bytes closer than declared gave different
    /// bytes: the declared distances are tight, and the overlap checks have teeth.
    pub tight: usize,
    /// Output parts computed separately.
    pub parts: usize,
}

/// Checks variant `id` against the portable reference on every committed op case it
/// supports and on `random` random models of its family (seeded by `seed`). Returns what ran,
/// or a description of the first mismatch.
pub fn check(id: VariantId, random: usize, seed: u64) -> Result<Report, String> {
    let v = variants::get(id).ok_or_else(|| format!("no variant {id:?}"))?;
    check_variant(v, random, seed)
}

/// [`check`] for a variant given as a table row (which may be one a test made up).
pub fn check_variant(v: &Variant, random: usize, seed: u64) -> Result<Report, String> {
    // A portable variant of a family without a general one (the 16x8 kernels, one per
    // operator) is its own reference: the layouts still vary around it.
    let reference = reference_of(v.family)
        .or_else(|| portable::TABLE.iter().find(|p| p.id == v.id))
        .ok_or_else(|| format!("{}: no portable reference", v.name))?;
    let mut report = Report::default();
    let mut rng = Prng::new(seed);
    for dir in op_case_dirs() {
        let bytes = std::fs::read(dir.join("model.tflite")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let model = Model::parse(&bytes).map_err(|e| format!("{name}: {e}"))?;
        for op in 0..model.num_operators() {
            let Ok(spec) = ops::prepare(&model, op, None) else { continue };
            if v.supports(&spec) {
                run_case(&format!("{name} op {op}"), &model, &spec, v, reference, &mut rng, &mut report)?;
                report.hand_cases += 1;
            }
        }
    }
    let mut made = 0;
    let mut tries = 0;
    while made < random && tries < random.saturating_mul(20).max(100) {
        tries += 1;
        let Some((bytes, op, pad)) = random_model(v.family, &mut rng) else { break };
        let model = Model::parse(&bytes).map_err(|e| format!("random model: {e}"))?;
        let spec = match ops::prepare(&model, op, pad) {
            Ok(s) => s,
            Err(_) => continue, // a random shape the operator refuses (e.g. an empty window)
        };
        if !v.supports(&spec) {
            continue;
        }
        made += 1;
        run_case(&format!("random case {made} (try {tries})"), &model, &spec, v, reference, &mut rng, &mut report)?;
    }
    if made < random && random_model(v.family, &mut rng).is_some() {
        return Err(format!("{}: only {made} of {random} random cases were supported", v.name));
    }
    Ok(report)
}

/// The portable variant every other variant of `family` is compared with.
pub fn reference_of(family: Family) -> Option<&'static Variant> {
    portable::TABLE.iter().find(|v| v.family == family && v.requires.is_none())
}

// ---- laying out and running one operator ----

/// The non-constant tensors an operator reads (a folded PAD's input for input 0) and writes.
fn operands(model: &Model<'_>, spec: &OpSpec<'_>) -> Result<(Vec<usize>, usize), String> {
    let op = model.operator(spec.index).map_err(|e| e.to_string())?;
    let mut ins = Vec::new();
    for i in 0..op.num_inputs() {
        let Some(t) = op.input(i) else { continue };
        let t = if i == 0 { spec.inputs[0].unwrap_or(t) } else { t };
        if model.tensor(t).map_err(|e| e.to_string())?.data.is_none() && !ins.contains(&t) {
            ins.push(t);
        }
    }
    Ok((ins, spec.output))
}

/// Random bytes for tensor `t`: int8 uniform, float32 values around the quantized range.
fn random_bytes(model: &Model<'_>, t: usize, rng: &mut Prng) -> Vec<u8> {
    let tensor = model.tensor(t).expect("tensor");
    match tensor.dtype {
        DType::F32 => rng.f32_vec(tensor.elements(), -8.0, 8.0).iter().flat_map(|x| x.to_le_bytes()).collect(),
        _ => rng.i8_vec(tensor.bytes(), -128, 127).iter().map(|&x| x as u8).collect(),
    }
}

/// Where each buffer sits in one run: offsets (bytes) of the inputs and the output.
struct Layout {
    inputs: Vec<(usize, usize)>,
    output: usize,
}

/// Runs `v` on `spec` over `region` with the operands at `layout` in a fresh arena holding
/// `data` (one byte vector per input); returns the output bytes (every output's, in order:
/// outputs after the first are placed apart, after the rest). The scratch follows everything
/// else.
fn run(
    model: &Model<'_>,
    spec: &OpSpec<'_>,
    v: &Variant,
    data: &[Vec<u8>],
    layout: &Layout,
    regions: &[Region],
    fill: u8,
) -> Result<Vec<u8>, String> {
    let out_bytes = model.tensor(spec.output).map_err(|e| e.to_string())?.bytes();
    let scratch = (v.scratch)(spec).map_err(|e| format!("{}: scratch: {e}", v.name))?;
    let mut end = layout.output + out_bytes;
    for (&(t, at), d) in layout.inputs.iter().zip(data) {
        let _ = t;
        end = end.max(at + d.len());
    }
    // Further outputs (SPLIT, UNPACK) apart from everything, after it.
    let op = model.operator(spec.index).map_err(|e| e.to_string())?;
    let mut extra = Vec::new();
    for i in 1..op.num_outputs() {
        let t = op.output(i).ok_or("output absent")?;
        let at = end.next_multiple_of(16) + 16;
        let bytes = model.tensor(t).map_err(|e| e.to_string())?.bytes();
        extra.push((t, at, bytes));
        end = at + bytes;
    }
    let scratch_at = end.next_multiple_of(16);
    let mut arena = vec![fill; scratch_at + scratch + 16];
    let nt = model.num_tensors();
    let mut table = vec![NO_OFFSET; nt + model.num_operators()];
    for (&(t, at), d) in layout.inputs.iter().zip(data) {
        arena[at..at + d.len()].copy_from_slice(d);
        table[t] = at as u32;
    }
    table[spec.output] = layout.output as u32;
    for &(t, at, _) in &extra {
        table[t] = at as u32;
    }
    if scratch > 0 {
        table[nt + spec.index] = scratch_at as u32;
    }
    for region in regions {
        let mut mem = Memory { arena: &mut arena, offsets: Offsets::Wide(&table), external: Default::default() };
        let mut bound = mem.bind(model, spec.index, scratch).map_err(|e| format!("{}: bind: {e}", v.name))?;
        (v.run)(spec, &mut bound, region).map_err(|e| format!("{}: {region:?}: {e}", v.name))?;
    }
    let mut got = arena[layout.output..layout.output + out_bytes].to_vec();
    for &(_, at, bytes) in &extra {
        got.extend_from_slice(&arena[at..at + bytes]);
    }
    Ok(got)
}

/// Separate buffers, 16-aligned, in tensor order.
fn apart(inputs: &[usize], data: &[Vec<u8>], out_bytes: usize) -> Layout {
    let mut at = 16;
    let mut placed = Vec::new();
    for (&t, d) in inputs.iter().zip(data) {
        placed.push((t, at));
        at = (at + d.len()).next_multiple_of(16) + 16;
    }
    let _ = out_bytes;
    Layout { inputs: placed, output: at }
}

fn run_case(
    what: &str,
    model: &Model<'_>,
    spec: &OpSpec<'_>,
    v: &Variant,
    reference: &Variant,
    rng: &mut Prng,
    report: &mut Report,
) -> Result<(), String> {
    let (inputs, out) = operands(model, spec)?;
    let data: Vec<Vec<u8>> = inputs.iter().map(|&t| random_bytes(model, t, rng)).collect();
    let out_bytes = model.tensor(out).map_err(|e| e.to_string())?.bytes();
    let whole = [Region::Whole];
    let layout = apart(&inputs, &data, out_bytes);
    let want = run(model, spec, reference, &data, &layout, &whole, 0x5a)
        .map_err(|e| format!("{what}: reference {}: {e}", reference.name))?;
    let mismatch = |how: &str, got: &[u8]| -> String {
        let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
        format!(
            "{what}: {} differs from {} {how}: first at byte {first} of {} (got {}, want {})",
            v.name,
            reference.name,
            want.len(),
            got[first] as i8,
            want[first] as i8
        )
    };
    // 1. Separate buffers (a different fill, so that unwritten bytes show).
    let got = run(model, spec, v, &data, &layout, &whole, 0xa5).map_err(|e| format!("{what}: {e}"))?;
    if got != want {
        return Err(mismatch("over separate buffers", &got));
    }
    report.cases += 1;
    // 2. The output over an input, where the declared access lets the planner put it.
    if let Some(o) = permission(spec, v.access) {
        for target in [Some(o.input), o.alt_input].into_iter().flatten() {
            for (how, delta) in placements(&o) {
                let Some(layout) = overlapping(&inputs, &data, target, out_bytes, delta) else { continue };
                let got = run(model, spec, v, &data, &layout, &whole, 0x33)
                    .map_err(|e| format!("{what}: output {how} (delta {delta}): {e}"))?;
                if got != want {
                    return Err(mismatch(&format!("with the output {how} (start {delta:+} B)"), &got));
                }
                report.overlapped += 1;
                // One word closer than declared (not for same-offset or in-place placements).
                let closer = delta + if delta < 0 { 4 } else { -4 };
                if delta != 0 {
                    if let Some(layout) = overlapping(&inputs, &data, target, out_bytes, closer) {
                        let broken = run(model, spec, v, &data, &layout, &whole, 0x33);
                        report.tight += usize::from(broken.map_or(true, |got| got != want));
                    }
                }
            }
        }
    }
    // 3. Parts of the output, each its own call.
    if v.parts {
        if let Some(d) = model.tensor(out).ok().and_then(|t| t.shape.nhwc()) {
            for regions in tilings(d.h, d.w, rng) {
                let got = run(model, spec, v, &data, &layout, &regions, 0x77).map_err(|e| format!("{what}: {e}"))?;
                if got != want {
                    return Err(mismatch(&format!("computed as {} parts {regions:?}", regions.len()), &got));
                }
                report.parts += regions.len();
            }
        }
    }
    Ok(())
}

/// Output starts relative to the overlapped input that the access permits: the tightest
/// forward and backward placements the planner could choose.
fn placements(o: &Overlap) -> Vec<(&'static str, i64)> {
    let (never, exact) = (i64::from(NEVER), i64::from(EXACT));
    if o.forward == exact {
        return vec![("at the input's offset", 0)];
    }
    let mut v = Vec::new();
    if o.forward < never / 2 {
        v.push(("before the input, walking forward", -o.forward));
    }
    if o.backward < never / 2 {
        v.push(("after the input, walking backward", o.backward));
    }
    v
}

/// A layout with the output starting `delta` bytes from input `target` (which must lie in
/// one buffer with it), the other inputs apart. `None` if the two would not overlap.
fn overlapping(inputs: &[usize], data: &[Vec<u8>], target: usize, out_bytes: usize, delta: i64) -> Option<Layout> {
    let k = inputs.iter().position(|&t| t == target)?;
    let in_len = data[k].len() as i64;
    if !(delta < in_len && -delta < out_bytes as i64) {
        return None; // disjoint: nothing to test that separate buffers did not
    }
    let base = 64 + (-delta).max(0);
    let mut placed = Vec::new();
    let mut at = (base + in_len.max(delta + out_bytes as i64)) as usize;
    for (&t, d) in inputs.iter().zip(data) {
        if t == target {
            placed.push((t, base as usize));
        } else {
            at = at.next_multiple_of(16) + 16;
            placed.push((t, at));
            at += d.len();
        }
    }
    Some(Layout { inputs: placed, output: (base + delta) as usize })
}

/// Ways to cut an `h × w` output into rectangles: row bands, column bands, a grid, single
/// rows, single columns, and a random uneven grid.
fn tilings(h: usize, w: usize, rng: &mut Prng) -> Vec<Vec<Region>> {
    if h == 0 || w == 0 {
        return Vec::new();
    }
    let cuts = |n: usize, parts: usize, rng: &mut Prng| -> Vec<std::ops::Range<usize>> {
        let mut points: Vec<usize> =
            (0..parts.saturating_sub(1)).map(|_| rng.range_i64(1, n as i64) as usize).collect();
        points.push(0);
        points.push(n);
        points.sort();
        points.dedup();
        points.windows(2).map(|p| p[0]..p[1]).filter(|r| !r.is_empty()).collect()
    };
    let grid = |rows: &[std::ops::Range<usize>], cols: &[std::ops::Range<usize>]| -> Vec<Region> {
        let mut v = Vec::new();
        for r in rows {
            for c in cols {
                v.push(Region::Part { rows: r.clone(), cols: c.clone() });
            }
        }
        v
    };
    let all_rows = std::iter::once(0..h).collect::<Vec<_>>();
    let all_cols = std::iter::once(0..w).collect::<Vec<_>>();
    let bands = cuts(h, 3, rng);
    let columns = cuts(w, 3, rng);
    let ones_r: Vec<_> = (0..h).map(|y| y..y + 1).collect();
    let ones_c: Vec<_> = (0..w).map(|x| x..x + 1).collect();
    let (gr, gc) = (cuts(h, 2 + h / 3, rng), cuts(w, 2 + w / 3, rng));
    vec![
        grid(&bands, &all_cols),
        grid(&all_rows, &columns),
        grid(&bands, &columns),
        grid(&ones_r, &all_cols),
        grid(&all_rows, &ones_c),
        grid(&gr, &gc),
    ]
}

// ---- random models ----

/// A random single-operator model of `family`: its bytes, the operator to check and a PAD
/// folded into it (then at operator 0). `None` for families without a generator (their
/// variants are checked on the hand cases).
pub fn random_model(family: Family, rng: &mut Prng) -> Option<(Vec<u8>, usize, Option<usize>)> {
    match family {
        Family::Conv => Some(random_conv(rng, false)),
        Family::Depthwise => Some(random_conv(rng, true)),
        Family::AveragePool | Family::MaxPool => Some(random_pool(rng, family == Family::AveragePool)),
        Family::FullyConnected => Some(random_fc(rng)),
        Family::Relu
        | Family::Relu6
        | Family::Logistic
        | Family::HardSwish
        | Family::Requantize
        | Family::LeakyRelu
        | Family::Tanh => Some(random_unary(rng, family)),
        Family::Add | Family::Mul | Family::Sub | Family::MinMax | Family::SquaredDifference => {
            Some(random_binary(rng, family))
        }
        Family::Softmax => Some(random_softmax(rng)),
        Family::Quantize => Some(random_convert(rng, true)),
        Family::Dequantize => Some(random_convert(rng, false)),
        _ => None,
    }
}

fn pick<T: Copy>(rng: &mut Prng, v: &[T]) -> T {
    v[rng.range_i64(0, v.len() as i64 - 1) as usize]
}

fn int8(b: &mut ModelBuilder, name: &str, shape: &[i32], q: QuantSpec) -> i32 {
    b.add_tensor(TensorSpec::new(name, shape, TensorType::Int8).with_quant(q))
}

fn random_activation(rng: &mut Prng) -> Activation {
    pick(rng, &[Activation::None, Activation::None, Activation::Relu, Activation::Relu6, Activation::ReluN1To1])
}

/// An output quantization for values of standard deviation about 1: mostly inside the int8
/// range, sometimes saturating on purpose.
fn output_quant(rng: &mut Prng) -> QuantSpec {
    let spread = pick(rng, &[3.0, 3.0, 2.0, 0.6]);
    let mut q = quant_for(1.0, 0.0, spread);
    q.zero_point = vec![i64::from(rng.range_i32(-20, 20))];
    q
}

fn tflm_out(input: i32, k: i32, stride: i32, dilation: i32, padding: Padding) -> i32 {
    let eff = (k - 1) * dilation + 1;
    match padding {
        Padding::Same => (input + stride - 1) / stride,
        Padding::Valid => (input - eff + stride) / stride,
    }
}

fn random_conv(rng: &mut Prng, depthwise: bool) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let n = pick(rng, &[1, 1, 1, 2]);
    let (h, w) = (rng.range_i32(1, 12), rng.range_i32(1, 12));
    let cin = rng.range_i32(1, 9);
    let mult = if depthwise { pick(rng, &[1, 1, 1, 2, 3, 4, 8]) } else { 1 };
    let groups = if depthwise || rng.range_i32(0, 3) != 0 {
        1
    } else {
        pick(rng, &(1..=cin).filter(|g| cin % g == 0).collect::<Vec<_>>())
    };
    let cout = if depthwise { cin * mult } else { groups * rng.range_i32(1, (9 / groups).max(1)) };
    // Depthwise: 3×3 half the time (the common kernel, with fast paths of its own); CONV_2D:
    // 1×1 a third of the time (pointwise layers, with variants of their own).
    let k = if depthwise && rng.range_i32(0, 1) == 0 {
        [3, 3]
    } else if !depthwise && rng.range_i32(0, 2) == 0 {
        [1, 1]
    } else {
        [rng.range_i32(1, 5), rng.range_i32(1, 5)]
    };
    let stride = [rng.range_i32(1, 3), rng.range_i32(1, 3)];
    // Pointwise layers mostly have stride 1 (their fast variants need it): a 1×1 filter takes
    // stride 1 for the draws 1 and 2 (no extra draw, the random stream stays as it was).
    let stride = if k == [1, 1] { stride.map(|s| if s <= 2 { 1 } else { s }) } else { stride };
    let dilation = if rng.range_i32(0, 3) == 0 { [rng.range_i32(1, 3), rng.range_i32(1, 3)] } else { [1, 1] };
    let padding = pick(rng, &[Padding::Same, Padding::Valid]);
    let in_zp = i64::from(rng.range_i32(-60, 60));
    let in_q = QuantSpec::per_tensor(rng.range_f32(0.02, 0.08), in_zp);
    let x = int8(&mut b, "input", &[n, h, w, cin], in_q.clone());
    // A folded PAD in front (explicit padding): a 2-op model, the convolution at op 1.
    let fold = rng.range_i32(0, 3) == 0;
    let (conv_in, ph, pw, pad_op) = if fold {
        let p: Vec<i32> = (0..4).map(|_| rng.range_i32(0, 2)).collect();
        let paddings = b.add_const_i32("paddings", &[4, 2], &[0, 0, p[0], p[1], p[2], p[3], 0, 0]);
        let (ph, pw) = (h + p[0] + p[1], w + p[2] + p[3]);
        let y = int8(&mut b, "padded", &[n, ph, pw, cin], in_q.clone());
        let op = b.add_op(BuiltinOp::PAD, &[x, paddings], &[y], OpOptions::Pad);
        (y, ph, pw, Some(op))
    } else {
        (x, h, w, None)
    };
    let filter_shape = if depthwise { [1, k[0], k[1], cout] } else { [cout, k[0], k[1], cin / groups] };
    let (per_channel, bias) = (rng.range_i32(0, 3) != 0, rng.range_i32(0, 3) != 0);
    let layer = add_random_layer(
        &mut b,
        rng,
        &LayerSpec {
            name: "layer",
            filter_shape: &filter_shape,
            channel_dim: if depthwise { 3 } else { 0 },
            per_channel,
            bias,
            input_scale: in_q.scale[0],
            input_q_rms: uniform_q_rms(in_zp),
            output_std: 1.0,
        },
    );
    let oh = tflm_out(ph, k[0], stride[0], dilation[0], padding);
    let ow = tflm_out(pw, k[1], stride[1], dilation[1], padding);
    let y = int8(&mut b, "output", &[n, oh.max(1), ow.max(1), cout], output_quant(rng));
    let inputs: Vec<i32> =
        if layer.bias >= 0 { vec![conv_in, layer.filter, layer.bias] } else { vec![conv_in, layer.filter] };
    let activation = random_activation(rng);
    let op = if depthwise {
        let o = DepthwiseConv2DOptions {
            padding,
            stride_h: stride[0],
            stride_w: stride[1],
            depth_multiplier: mult,
            activation,
            dilation_h: dilation[0],
            dilation_w: dilation[1],
        };
        b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &inputs, &[y], OpOptions::DepthwiseConv2D(o))
    } else {
        let o = Conv2DOptions {
            padding,
            stride_h: stride[0],
            stride_w: stride[1],
            activation,
            dilation_h: dilation[0],
            dilation_w: dilation[1],
        };
        b.add_op(BuiltinOp::CONV_2D, &inputs, &[y], OpOptions::Conv2D(o))
    };
    b.set_io(&[x], &[y]);
    (b.finish(), op, pad_op)
}

fn random_pool(rng: &mut Prng, average: bool) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let n = pick(rng, &[1, 1, 2]);
    let (h, w, c) = (rng.range_i32(1, 12), rng.range_i32(1, 12), rng.range_i32(1, 9));
    let k = [rng.range_i32(1, 4), rng.range_i32(1, 4)];
    let stride = [rng.range_i32(1, 3), rng.range_i32(1, 3)];
    // Pointwise layers mostly have stride 1 (their fast variants need it): a 1×1 filter takes
    // stride 1 for the draws 1 and 2 (no extra draw, the random stream stays as it was).
    let stride = if k == [1, 1] { stride.map(|s| if s <= 2 { 1 } else { s }) } else { stride };
    let padding = pick(rng, &[Padding::Same, Padding::Valid]);
    let q = QuantSpec::per_tensor(rng.range_f32(0.02, 0.08), i64::from(rng.range_i32(-60, 60)));
    let x = int8(&mut b, "input", &[n, h, w, c], q.clone());
    let (oh, ow) = (tflm_out(h, k[0], stride[0], 1, padding), tflm_out(w, k[1], stride[1], 1, padding));
    let y = int8(&mut b, "output", &[n, oh.max(1), ow.max(1), c], q);
    let o = Pool2DOptions {
        padding,
        stride_h: stride[0],
        stride_w: stride[1],
        filter_height: k[0],
        filter_width: k[1],
        activation: pick(rng, &[Activation::None, Activation::Relu]),
    };
    let code = if average { BuiltinOp::AVERAGE_POOL_2D } else { BuiltinOp::MAX_POOL_2D };
    let op = b.add_op(code, &[x], &[y], OpOptions::Pool2D(o));
    b.set_io(&[x], &[y]);
    (b.finish(), op, None)
}

fn random_fc(rng: &mut Prng) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let (batches, depth, units) = (rng.range_i32(1, 3), rng.range_i32(1, 40), rng.range_i32(1, 20));
    let in_zp = i64::from(rng.range_i32(-60, 60));
    let in_q = QuantSpec::per_tensor(rng.range_f32(0.02, 0.08), in_zp);
    let x = int8(&mut b, "input", &[batches, depth], in_q.clone());
    let (per_channel, bias) = (rng.range_i32(0, 2) == 0, rng.range_i32(0, 3) != 0);
    let layer = add_random_layer(
        &mut b,
        rng,
        &LayerSpec {
            name: "fc",
            filter_shape: &[units, depth],
            channel_dim: 0,
            per_channel,
            bias,
            input_scale: in_q.scale[0],
            input_q_rms: uniform_q_rms(in_zp),
            output_std: 1.0,
        },
    );
    let y = int8(&mut b, "output", &[batches, units], output_quant(rng));
    let inputs: Vec<i32> = if layer.bias >= 0 { vec![x, layer.filter, layer.bias] } else { vec![x, layer.filter] };
    let o = FullyConnectedOptions { activation: random_activation(rng), keep_num_dims: false };
    let op = b.add_op(BuiltinOp::FULLY_CONNECTED, &inputs, &[y], OpOptions::FullyConnected(o));
    b.set_io(&[x], &[y]);
    (b.finish(), op, None)
}

fn random_shape(rng: &mut Prng) -> Vec<i32> {
    vec![pick(rng, &[1, 1, 2]), rng.range_i32(1, 9), rng.range_i32(1, 9), rng.range_i32(1, 70)]
}

fn random_unary(rng: &mut Prng, family: Family) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let shape = random_shape(rng);
    let qi = QuantSpec::per_tensor(rng.range_f32(0.005, 0.5), i64::from(rng.range_i32(-128, 127)));
    let qo = match family {
        // TFLM's int8 LOGISTIC output is fixed: scale 1/256, zero point -128.
        Family::Logistic => QuantSpec::per_tensor(1.0 / 256.0, -128),
        _ => QuantSpec::per_tensor(rng.range_f32(0.005, 0.5), i64::from(rng.range_i32(-128, 127))),
    };
    let x = int8(&mut b, "input", &shape, qi);
    let y = int8(&mut b, "output", &shape, qo);
    let (code, options) = match family {
        Family::Relu => (BuiltinOp::RELU, OpOptions::None),
        Family::Relu6 => (BuiltinOp::RELU6, OpOptions::None),
        Family::Logistic => (BuiltinOp::LOGISTIC, OpOptions::None),
        Family::HardSwish => (BuiltinOp::HARD_SWISH, OpOptions::HardSwish),
        Family::Tanh => (BuiltinOp::TANH, OpOptions::None),
        Family::LeakyRelu => (BuiltinOp::LEAKY_RELU, OpOptions::LeakyRelu { alpha: rng.range_f32(-2.0, 2.0) }),
        _ => (BuiltinOp::QUANTIZE, OpOptions::Quantize),
    };
    let op = b.add_op(code, &[x], &[y], options);
    b.set_io(&[x], &[y]);
    (b.finish(), op, None)
}

fn random_binary(rng: &mut Prng, family: Family) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let shape = random_shape(rng);
    let other = match rng.range_i32(0, 3) {
        0 => vec![1, 1, 1, shape[3]],
        1 => vec![1],
        _ => shape.clone(),
    };
    let q = |rng: &mut Prng| QuantSpec::per_tensor(rng.range_f32(0.01, 0.2), i64::from(rng.range_i32(-100, 100)));
    let (qa, qb, qo) = (q(rng), q(rng), q(rng));
    let swap = rng.range_i32(0, 1) == 0;
    let (sa, sb) = if swap { (other.clone(), shape.clone()) } else { (shape.clone(), other.clone()) };
    let x1 = int8(&mut b, "a", &sa, qa);
    let x2 = int8(&mut b, "b", &sb, qb);
    let y = int8(&mut b, "output", &shape, qo);
    let activation = pick(rng, &[Activation::None, Activation::Relu, Activation::Relu6]);
    let (code, options) = match family {
        Family::Add => (BuiltinOp::ADD, OpOptions::Add { activation }),
        Family::Sub => (BuiltinOp::SUB, OpOptions::Sub { activation }),
        Family::MinMax if swap => (BuiltinOp::MAXIMUM, OpOptions::MaximumMinimum),
        Family::MinMax => (BuiltinOp::MINIMUM, OpOptions::MaximumMinimum),
        Family::SquaredDifference => (BuiltinOp::SQUARED_DIFFERENCE, OpOptions::SquaredDifference),
        _ => (BuiltinOp::MUL, OpOptions::Mul { activation }),
    };
    let op = b.add_op(code, &[x1, x2], &[y], options);
    b.set_io(&[x1, x2], &[y]);
    (b.finish(), op, None)
}

fn random_softmax(rng: &mut Prng) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let shape = vec![rng.range_i32(1, 4), rng.range_i32(1, 300)];
    let x = int8(&mut b, "input", &shape, QuantSpec::per_tensor(rng.range_f32(0.01, 0.5), 0));
    let y = int8(&mut b, "output", &shape, QuantSpec::per_tensor(1.0 / 256.0, -128));
    let beta = pick(rng, &[1.0, 0.5, 2.0]);
    let op = b.add_op(BuiltinOp::SOFTMAX, &[x], &[y], OpOptions::Softmax { beta });
    b.set_io(&[x], &[y]);
    (b.finish(), op, None)
}

fn random_convert(rng: &mut Prng, quantize: bool) -> (Vec<u8>, usize, Option<usize>) {
    let mut b = ModelBuilder::new();
    let shape = random_shape(rng);
    let q = QuantSpec::per_tensor(rng.range_f32(0.01, 0.1), i64::from(rng.range_i32(-128, 127)));
    let f = b.add_tensor(TensorSpec::new("float", &shape, TensorType::Float32));
    let i = int8(&mut b, "int8", &shape, q);
    let op = if quantize {
        let op = b.add_op(BuiltinOp::QUANTIZE, &[f], &[i], OpOptions::Quantize);
        b.set_io(&[f], &[i]);
        op
    } else {
        let op = b.add_op(BuiltinOp::DEQUANTIZE, &[i], &[f], OpOptions::Dequantize);
        b.set_io(&[i], &[f]);
        op
    };
    (b.finish(), op, None)
}
