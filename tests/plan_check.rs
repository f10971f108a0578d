//! Runs the independent plan checker (`patchwise_testkit::shadow`: a shadow arena replaying every
//! operator's reads and writes byte by byte) over the committed op models, the shared models
//! and the fuzz reproducers, with every planner option switched off alone; negative tests show
//! that corrupted plans are caught.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::schema::opcodes::OpKind;
use patchwise::schema::Model;
use patchwise::variants::VariantId;
use patchwise::{plan_details, Options, PlanDetails};
use patchwise_testkit::shadow::{check_plan, replay, Stats};
use patchwise_testkit::{op_case_dirs, option_variants, shared_dir};
use std::path::Path;
use std::time::Instant;

/// Plans and checks every `(name, model)` with every option set; panics listing failures.
fn check_all(models: &[(String, Vec<u8>)]) -> Stats {
    let start = Instant::now();
    let mut total = Stats::default();
    let mut failures = Vec::new();
    let mut plans = 0;
    for (name, bytes) in models {
        for (label, options) in option_variants() {
            let plan = match plan_details(bytes, &options) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{name} [{label}]: planning failed: {e}"));
                    continue;
                }
            };
            plans += 1;
            match replay(bytes, &plan) {
                Ok(s) => total.add(&s),
                Err(e) => failures.push(format!("{name} [{label}]: {e}")),
            }
        }
    }
    println!(
        "{plans} plans of {} models checked in {:.2?}: {} ops replayed ({} with output overlapping an input, {} \
         walking backward, {} channel by channel, {} with a folded PAD), {} byte reads verified",
        models.len(),
        start.elapsed(),
        total.ops,
        total.overlapped,
        total.backward,
        total.channelwise,
        total.folded,
        total.bytes_checked
    );
    assert!(failures.is_empty(), "{} unsafe plans:\n{}", failures.len(), failures.join("\n"));
    total
}

fn op_model(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ops").join(name).join("model.tflite");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shared_models() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(shared_dir().join("golden"))
        .expect("../shared/golden")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| shared_dir().join("models").join(format!("{n}.tflite")).is_file())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(shared_dir().join("models").join(format!("{n}.tflite"))).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn committed_op_model_plans_are_safe() {
    let models: Vec<(String, Vec<u8>)> = op_case_dirs()
        .iter()
        .map(|d| {
            (d.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(d.join("model.tflite")).unwrap())
        })
        .collect();
    assert!(models.len() >= 50, "expected the committed op models, found {}", models.len());
    let s = check_all(&models);
    assert!(s.overlapped > 0, "no op model plan overlaps an output with its input: nothing was exercised");
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn shared_model_plans_are_safe() {
    let models = shared_models();
    assert!(!models.is_empty(), "no shared models with goldens");
    let s = check_all(&models);
    assert!(s.overlapped > 0 && s.channelwise > 0 && s.folded > 0 && s.segments > 0, "coverage: {s:?}");
}

/// The operator-coverage models (../shared/ops/models) patchwise can plan; the others are
/// reported as skipped with the planner's reason.
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn shared_ops_model_plans_are_safe() {
    let mut names: Vec<String> = std::fs::read_dir(shared_dir().join("ops/models"))
        .expect("../shared/ops/models")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".tflite").map(str::to_owned))
        .collect();
    names.sort();
    let mut models = Vec::new();
    for n in names {
        let bytes = std::fs::read(shared_dir().join("ops/models").join(format!("{n}.tflite"))).unwrap();
        match plan_details(&bytes, &Options::default()) {
            Ok(_) => models.push((n, bytes)),
            Err(e) => println!("skipped: {n}: {e}"),
        }
    }
    assert!(!models.is_empty(), "no operator-coverage model can be planned");
    check_all(&models);
}

// ---- the checker has teeth ----

/// The checker's verdict on `model`'s default plan after `edit` (the plan must pass unedited).
fn verdict(name: &str, model: &[u8], edit: impl FnOnce(&Model<'_>, &mut PlanDetails)) -> Result<(), String> {
    let mut plan = plan_details(model, &Options::default()).unwrap();
    check_plan(model, &plan).unwrap_or_else(|e| panic!("{name}: the unedited plan fails: {e}"));
    let m = Model::parse(model).unwrap();
    edit(&m, &mut plan);
    check_plan(model, &plan)
}

/// Every trick but fused segments: operators run one by one.
fn layer_plan() -> Options {
    let mut o = Options::default();
    o.patch = false;
    o
}

/// Input 0 and output 0 of op `o`.
fn io_of(m: &Model<'_>, o: usize) -> (usize, usize) {
    let op = m.operator(o).unwrap();
    (op.input(0).unwrap(), op.output(0).unwrap())
}

/// `r` must be an error whose message contains one of `want`.
fn assert_caught(name: &str, r: Result<(), String>, want: &[&str]) {
    match r {
        Ok(_) => panic!("{name}: the corrupted plan was accepted"),
        Err(e) => {
            println!("{name}: caught: {e}");
            assert!(
                want.iter().any(|w| e.contains(w)),
                "{name}: expected a message containing one of {want:?}, got: {e}"
            );
        }
    }
}

#[test]
fn output_moved_onto_its_input_is_caught() {
    // A 3x3 SAME convolution needs a row and a pixel between output and input either way.
    for name in ["conv_3x3_s1_same", "dw_mult2", "avgpool_3x3_s1_same", "maxpool_3x3_s1_same"] {
        let model = op_model(name);
        let r = verdict(name, &model, |m, p| {
            let (x, y) = io_of(m, 0);
            p.offsets[y] = p.offsets[x];
            p.activation_bytes = p.activation_bytes.max(p.offsets[x] as usize + m.tensor(y).unwrap().bytes());
        });
        assert_caught(name, r, &["op 0 DEPTHWISE_CONV_2D", "op 0 CONV_2D", "op 0 AVERAGE_POOL_2D", "op 0 MAX_POOL_2D"]);
    }
}

#[test]
fn overlap_four_bytes_too_far_is_caught() {
    // The default plans overlap these outputs with their inputs as far as the walk allows
    // (forward: output before the input; backward: after it); four bytes (the offset
    // alignment) further is at least one byte too many.
    for name in ["conv_3x3_s1_same", "conv_1x1", "conv_3to5", "avgpool_3x3_s1_same", "maxpool_3x3_s1_same", "dw_mult2"]
    {
        let model = op_model(name);
        let mut dir = "";
        let r = verdict(name, &model, |m, p| {
            let (x, y) = io_of(m, 0);
            let (ox, oy) = (p.offsets[x], p.offsets[y]);
            let (lx, ly) = (m.tensor(x).unwrap().bytes() as u32, m.tensor(y).unwrap().bytes() as u32);
            if oy < ox && oy + ly > ox {
                dir = "walking forward, reading the window";
                p.offsets[y] += 4;
            } else if ox < oy && ox + lx > oy {
                dir = "walking backward, reading the window";
                p.offsets[y] -= 4;
            } else {
                panic!("{name}: the default plan does not overlap output and input ({oy} vs {ox})");
            }
        });
        assert_caught(name, r, &[dir]);
    }
}

#[test]
fn scratch_over_a_live_input_is_caught() {
    // Per-channel convolution: the requantization table is written before the input is read.
    let name = "conv_3x3_s1_same";
    let model = op_model(name);
    let r = verdict(name, &model, |m, p| {
        let (x, _) = io_of(m, 0);
        let s = m.num_tensors();
        assert!(p.buffers[s].size > 0, "{name}: no scratch");
        p.offsets[s] = p.offsets[x];
    });
    assert_caught(name, r, &["belongs to the scratch of op 0"]);
}

#[test]
fn wrong_direction_in_place_is_caught() {
    // Elementwise kernels only walk forward: an output 4 bytes after its input is refused.
    for name in ["relu_same_quant", "add_same_shape", "softmax_4d", "quantize_i8_to_i8"] {
        let model = op_model(name);
        let r = verdict(name, &model, |m, p| {
            let (x, y) = io_of(m, 0);
            p.offsets[y] = p.offsets[x] + 4;
            p.activation_bytes = p.activation_bytes.max(p.offsets[y] as usize + m.tensor(y).unwrap().bytes());
        });
        assert_caught(name, r, &["only walks forward"]);
    }
    // Float conversions: each kernel has one safe direction.
    let name = "dequantize_i8_to_f32";
    let model = op_model(name);
    let r = verdict(name, &model, |m, p| {
        let (x, y) = io_of(m, 0);
        p.offsets[x] += 4;
        p.offsets[y] = p.offsets[x] - 4;
        p.activation_bytes = p.activation_bytes.max(p.offsets[x] as usize + m.tensor(x).unwrap().bytes() + 4);
    });
    assert_caught(name, r, &["the kernel refuses"]);
}

#[test]
fn graph_output_overwritten_is_caught() {
    // Two outputs: moving the first onto the second clobbers one of them.
    let name = "multi_io_add_mul";
    let model = op_model(name);
    let r = verdict(name, &model, |m, p| {
        let (a, b) = (m.output(0).unwrap(), m.output(1).unwrap());
        p.offsets[a] = p.offsets[b];
    });
    assert_caught(name, r, &["belongs to tensor"]);
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn person_detect_corruptions_are_caught() {
    let name = "person_detect";
    let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).unwrap();
    let m = Model::parse(&model).unwrap();
    // Operator by operator (fused segments have their own corruptions below).
    let base = plan_details(&model, &layer_plan()).unwrap();
    check_plan(&model, &base).unwrap();
    let mut tried = 0;
    for o in 0..m.num_operators() {
        let op = m.operator(o).unwrap();
        if !matches!(OpKind::from_code(op.opcode), Some(OpKind::Conv2d | OpKind::DepthwiseConv2d)) {
            continue;
        }
        let (x, y) = io_of(&m, o);
        let (ox, oy) = (base.offsets[x], base.offsets[y]);
        let len = m.tensor(y).unwrap().bytes() as u32;
        // Onto its input (unless it already is there: a channel-by-channel depthwise).
        if ox != oy {
            let mut p = base.clone();
            p.offsets[y] = ox;
            p.activation_bytes = p.activation_bytes.max((ox + len) as usize);
            assert_caught(
                &format!("{name} op {o} output onto its input"),
                check_plan(&model, &p),
                &[&format!("op {o} ")],
            );
            tried += 1;
        }
        // Four bytes closer than planned, where it overlaps its input walking forward.
        if oy < ox && oy + len > ox {
            let mut p = base.clone();
            p.offsets[y] += 4;
            assert_caught(
                &format!("{name} op {o} overlap 4 bytes too far"),
                check_plan(&model, &p),
                &[&format!("op {o} ")],
            );
            tried += 1;
        }
    }
    assert!(tried >= 20, "only {tried} corruptions tried");
}

/// Tensors with bytes of their own that are live across op `o` without being read or written
/// by it: produced before `o` (or graph inputs) and read by a later op or a graph output.
fn live_across(m: &Model<'_>, plan: &PlanDetails, o: usize) -> Vec<usize> {
    let nops = m.num_operators();
    let reads = |k: usize, t: usize| {
        let op = m.operator(k).unwrap();
        !plan.op_plan[k].is_skip() && (0..op.num_inputs()).any(|i| op.input(i) == Some(t))
    };
    let writes = |k: usize, t: usize| m.operator(k).unwrap().output(0) == Some(t);
    (0..m.num_tensors())
        .filter(|&t| {
            let tensor = m.tensor(t).unwrap();
            let own = tensor.data.is_none() && plan.buffers[t].alias as usize == t && tensor.bytes() > 0;
            let born = (0..m.num_inputs()).any(|i| m.input(i).unwrap() == t) || (0..o).any(|k| writes(k, t));
            let later = (o + 1..nops).any(|k| reads(k, t)) || (0..m.num_outputs()).any(|i| m.output(i).unwrap() == t);
            own && born && later && !reads(o, t) && !writes(o, t)
        })
        .collect()
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn output_onto_a_live_tensor_is_caught() {
    // Residual networks keep tensors alive across operators: put an operator's output on one.
    let mut tried = 0;
    for name in ["mlperf_resnet", "synth_mbv2_035_96", "mcunet_vww"] {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).unwrap();
        let m = Model::parse(&model).unwrap();
        let base = plan_details(&model, &Options::default()).unwrap();
        check_plan(&model, &base).unwrap();
        for o in 0..m.num_operators() {
            if base.op_plan[o].is_skip() {
                continue;
            }
            let y = m.operator(o).unwrap().output(0).unwrap();
            let len = m.tensor(y).unwrap().bytes();
            for t in live_across(&m, &base, o) {
                let mut p = base.clone();
                p.offsets[y] = base.offsets[t];
                p.activation_bytes = p.activation_bytes.max(base.offsets[t] as usize + len);
                let what = format!("{name}: op {o}'s output tensor {y} moved onto live tensor {t}");
                assert_caught(&what, check_plan(&model, &p), &["belongs to", "the kernel refuses"]);
                tried += 1;
            }
        }
    }
    assert!(tried >= 10, "only {tried} collisions tried");
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn folded_pad_and_channelwise_corruptions_are_caught() {
    let (mut folded, mut channelwise) = (0, 0);
    for (name, model) in shared_models() {
        let m = Model::parse(&model).unwrap();
        let base = plan_details(&model, &layer_plan()).unwrap();
        check_plan(&model, &base).unwrap();
        for o in 0..m.num_operators() {
            let how = base.op_plan[o];
            if how.is_skip() {
                continue;
            }
            let (x, y) = io_of(&m, o);
            let x = how.fused_pad(o).map_or(x, |p| m.operator(p).unwrap().input(0).unwrap());
            let (ox, oy) = (base.offsets[x], base.offsets[y]);
            let (lx, ly) = (m.tensor(x).unwrap().bytes() as u32, m.tensor(y).unwrap().bytes() as u32);
            let mut p = base.clone();
            let depthwise = OpKind::from_code(m.operator(o).unwrap().opcode) == Some(OpKind::DepthwiseConv2d);
            let want = if ox == oy && depthwise {
                // Channel by channel in place: any other overlapping offset is refused.
                channelwise += 1;
                p.offsets[y] += 4;
                "the kernel refuses"
            } else if how.fused_pad(o).is_some() {
                // A convolution reading a folded PAD's input through virtual padding.
                folded += 1;
                match (oy < ox && oy + ly > ox, ox < oy && ox + lx > oy) {
                    (true, _) => p.offsets[y] += 4,
                    (_, true) => p.offsets[y] -= 4,
                    _ => p.offsets[y] = ox,
                }
                "reading the window"
            } else {
                continue;
            };
            p.activation_bytes = p.activation_bytes.max((p.offsets[y] + ly) as usize);
            assert_caught(&format!("{name} op {o}"), check_plan(&model, &p), &[want]);
        }
    }
    // The Arm port's depthwise kernel takes most depthwise operators from the channel-by-channel one.
    let min_channelwise = if cfg!(feature = "arm-dsp") { 2 } else { 10 };
    assert!(
        folded >= 10 && channelwise >= min_channelwise,
        "only {folded} folded and {channelwise} channel-by-channel ops"
    );
}

#[test]
fn alias_off_its_root_is_caught() {
    // An aliased RESHAPE is skipped: its output must be its input's bytes.
    let name = "reshape_no_shape_input";
    let model = op_model(name);
    let r = verdict(name, &model, |m, p| {
        let (x, y) = io_of(m, 0);
        assert!(p.op_plan[0].is_skip(), "{name}: the RESHAPE is not aliased");
        assert_eq!(p.buffers[y].alias as usize, x);
        p.offsets[y] = p.offsets[x] + 4;
    });
    assert_caught(name, r, &["aliases tensor"]);
}

#[test]
fn a_kernel_variant_on_the_wrong_operator_is_caught() {
    // Only DEPTHWISE_CONV_2D has a channel-by-channel kernel.
    let name = "conv_3x3_s1_same";
    let model = op_model(name);
    let channelwise = VariantId::DepthwiseChannelwise as u8;
    let r = verdict(name, &model, |_, p| p.op_plan[0] = p.op_plan[0].with_variant(channelwise));
    assert_caught(name, r, &["which is not a CONV_2D kernel"]);
}

#[test]
fn fuzz_reproducer_plans_are_safe() {
    // The fuzzers' findings were planner bugs: replay every reproducer that plans, under every
    // option combination (the slow ones excepted: they have timed tests of their own).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/data/fuzz") {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.extension().is_none_or(|e| e != "bin") || name.starts_with("slow_") {
            continue;
        }
        let model = std::fs::read(&path).unwrap();
        for bits in 0..32u8 {
            let options = patchwise::capi::options_from_flags(bits.into());
            let Ok(plan) = plan_details(&model, &options) else { continue };
            checked += 1;
            if let Err(e) = check_plan(&model, &plan) {
                failures.push(format!("{name} {options:?}: {e}"));
            }
        }
    }
    println!("{checked} plans of fuzz reproducers checked");
    assert!(checked >= 32, "only {checked} reproducer plans");
    assert!(failures.is_empty(), "{} unsafe plans:\n{}", failures.len(), failures.join("\n"));
}

/// The fused segments of a plan: `(first op, last op)`.
fn segments(plan: &PlanDetails) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut o = 0;
    while o < plan.op_plan.len() {
        if plan.op_plan[o].streams() {
            let first = o;
            while plan.op_plan[o].is_skip() || plan.op_plan[o].streams() {
                o += 1;
            }
            v.push((first, o));
        }
        o += 1;
    }
    v
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn segment_corruptions_are_caught() {
    let mut tried = 0;
    for name in ["person_detect", "mlperf_vww", "synth_mbv2_035_96"] {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).unwrap();
        let m = Model::parse(&model).unwrap();
        let base = plan_details(&model, &Options::default()).unwrap();
        check_plan(&model, &base).unwrap();
        let segs = segments(&base);
        assert!(!segs.is_empty(), "{name}: the default plan fuses nothing");
        for (first, last) in segs {
            let ops: Vec<usize> = (first..=last).filter(|&o| !base.op_plan[o].is_skip()).collect();
            let x = {
                let how = base.op_plan[first];
                let (x, _) = io_of(&m, first);
                how.fused_pad(first).map_or(x, |p| m.operator(p).unwrap().input(0).unwrap())
            };
            let (_, y) = io_of(&m, last);
            let what = |s: &str| format!("{name} segment {first}..={last}: {s}");
            // Each row buffer moved onto the segment input, and onto the next row buffer.
            for (k, &o) in ops[..ops.len() - 1].iter().enumerate() {
                let (_, r) = io_of(&m, o);
                let mut p = base.clone();
                p.offsets[r] = base.offsets[x];
                // Caught in this segment, or where a later operator reads what the row
                // buffer damaged (it may land only on input rows already read, and on the
                // segment output sharing the input's bytes).
                assert_caught(
                    &what(&format!("row buffer {k} onto the input")),
                    check_plan(&model, &p),
                    &[&format!("segment ops {first}..={last}"), &format!("belongs to tensor {r}")],
                );
                tried += 1;
                if k + 2 < ops.len() {
                    let (_, r2) = io_of(&m, ops[k + 1]);
                    let mut p = base.clone();
                    p.offsets[r] = base.offsets[r2];
                    assert_caught(
                        &what(&format!("row buffer {k} onto row buffer {}", k + 1)),
                        check_plan(&model, &p),
                        &["segment ops"],
                    );
                    tried += 1;
                }
            }
            // The output one input row further on than planned: it overwrites input rows
            // before they are read (or, where it does not overlap the input, lands on
            // something else live; either way it must not pass unless nothing is there).
            let (ox, oy) = (base.offsets[x], base.offsets[y]);
            let lx = m.tensor(x).unwrap().bytes() as u32;
            if ox <= oy && oy < ox + lx {
                let row = {
                    let d = m.tensor(x).unwrap().shape.nhwc().unwrap();
                    (d.w * d.c) as u32
                };
                let mut p = base.clone();
                p.offsets[y] = oy + row.next_multiple_of(4);
                p.activation_bytes =
                    p.activation_bytes.max((p.offsets[y] + m.tensor(y).unwrap().bytes() as u32) as usize);
                assert_caught(
                    &what("output a row further into the input"),
                    check_plan(&model, &p),
                    &["segment ops", "belongs to"],
                );
                tried += 1;
            }
        }
    }
    assert!(tried >= 6, "only {tried} corruptions tried");
}
