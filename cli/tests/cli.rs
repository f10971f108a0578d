//! The `patchwise` command-line contract (run / plan / bench / demo), on committed op models.

use std::path::{Path, PathBuf};
use std::process::Command;

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_patchwise"))
}

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ops").join(name)
}

fn number_after(text: &str, key: &str) -> Option<f64> {
    let pat = format!("\"{key}\": ");
    let at = text.find(&pat)? + pat.len();
    let rest = &text[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

#[test]
fn run_writes_golden_outputs_for_two_inputs_two_outputs() {
    let dir = case_dir("multi_io_add_mul");
    let tmp = std::env::temp_dir().join(format!("pw-cli-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (o0, o1) = (tmp.join("o0.bin"), tmp.join("o1.bin"));
    let status = exe()
        .arg("run")
        .arg(dir.join("model.tflite"))
        .args(["--input".as_ref(), dir.join("case1.in0.bin").as_os_str()])
        .args(["--input".as_ref(), dir.join("case1.in1.bin").as_os_str()])
        .args(["--output".as_ref(), o0.as_os_str(), "--output".as_ref(), o1.as_os_str()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read(&o0).unwrap(), std::fs::read(dir.join("case1.out0.bin")).unwrap());
    assert_eq!(std::fs::read(&o1).unwrap(), std::fs::read(dir.join("case1.out1.bin")).unwrap());
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn run_rejects_wrong_input_size_with_one_line() {
    let dir = case_dir("conv_3x3_s1_same");
    let out = exe()
        .arg("run")
        .arg(dir.join("model.tflite"))
        .args(["--input".as_ref(), dir.join("model.tflite").as_os_str()])
        .args(["--output", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("needs"), "{err}");
}

#[test]
fn plan_json_arena_bytes_is_what_init_needs() {
    let model_path = case_dir("conv_5x5_same").join("model.tflite");
    let out = exe().arg("plan").arg(&model_path).arg("--json").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let model = std::fs::read(&model_path).unwrap();
    let need = patchwise::arena_required(&model).unwrap();
    assert_eq!(number_after(&text, "arena_bytes"), Some(need as f64));
    assert!(text.contains("\"ops\": [{\"index\": 0, \"op\": \"CONV_2D\""), "{text}");
}

#[test]
fn bench_json_has_the_contract_keys() {
    let model_path = case_dir("dw_3x3_s1_same").join("model.tflite");
    let out = exe().arg("bench").arg(&model_path).args(["--iters", "3", "--json"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for key in ["median_us", "min_us", "max_us", "arena_bytes"] {
        assert!(number_after(&text, key).is_some(), "{key} missing in {text}");
    }
    let (min, med, max) = (
        number_after(&text, "min_us").unwrap(),
        number_after(&text, "median_us").unwrap(),
        number_after(&text, "max_us").unwrap(),
    );
    assert!(min <= med && med <= max, "{text}");
    let runs = text.split("\"times_us\": [").nth(1).and_then(|t| t.split(']').next()).expect("times_us");
    assert_eq!(runs.split(',').count(), 3, "{text}");
}

#[test]
fn demo_runs_the_builtin_model() {
    let out = exe().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("arena bytes (total)"), "{text}");
    assert!(text.contains("output 0"), "{text}");
}

#[test]
fn usage_errors_exit_2_and_missing_files_exit_1() {
    assert_eq!(exe().output().unwrap().status.code(), Some(2));
    assert_eq!(exe().arg("frobnicate").output().unwrap().status.code(), Some(2));
    assert_eq!(exe().args(["plan", "/nonexistent.tflite"]).output().unwrap().status.code(), Some(1));
}

#[test]
fn a_usage_error_is_one_line_and_a_hint() {
    let model = case_dir("conv_3x3_s1_same").join("model.tflite");
    for args in [vec!["frobnicate"], vec!["plan", "--frob"], vec!["bench", "--iters", "x"], vec!["inspect"]] {
        let out = exe().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: {err}");
        assert!(lines[0].starts_with("patchwise: ") && lines[1].contains("patchwise --help"), "{err}");
        assert!(!err.contains("usage:"), "{err}");
    }
    // --iters 0 is refused, not run as one silent iteration.
    let out = exe().arg("bench").arg(&model).args(["--iters", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--iters must be at least 1"));
    assert!(out.stdout.is_empty());
    // --help still prints the whole usage, on stdout.
    let out = exe().arg("--help").output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("patchwise inspect MODEL"));
}

#[test]
fn plan_checks_the_svg_path_before_planning() {
    let model = case_dir("conv_3x3_s1_same").join("model.tflite");
    let out = exe().arg("plan").arg(&model).args(["--svg", "/nonexistent-dir/plan.svg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // Nothing planned, nothing printed: the path is refused first.
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent-dir/plan.svg"), "{err}");
}

#[test]
fn inspect_describes_a_model() {
    let model = case_dir("multi_io_add_mul").join("model.tflite");
    let out = exe().arg("inspect").arg(&model).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("input ")).count(), 2, "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("output ")).count(), 2, "{text}");
    assert!(text.contains("ADD x1") && text.contains("MUL x1"), "{text}");
    assert!(text.contains("--features panic-handler,op-add,op-mul\n"), "{text}");
    // The JSON's arena is what plan (and init) say.
    let out = exe().arg("inspect").arg(&model).arg("--json").output().unwrap();
    assert!(out.status.success());
    let json = String::from_utf8(out.stdout).unwrap();
    let plan = exe().arg("plan").arg(&model).arg("--json").output().unwrap();
    let plan = String::from_utf8(plan.stdout).unwrap();
    assert_eq!(number_after(&json, "arena_bytes"), number_after(&plan, "arena_bytes"));
    assert_eq!(number_after(&json, "operator_count"), Some(2.0));
    assert!(json.contains("\"error\": null") && json.contains("\"dtype\": \"int8\""), "{json}");
    assert!(json.contains("\"operator_counts\": {\"ADD\": 1, \"MUL\": 1}"), "{json}");
}

#[test]
fn inspect_tells_a_float_model_to_quantize() {
    use patchwise::builder::*;
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::new("x", &[1, 4, 4, 2], TensorType::Float32));
    let w = b.add_tensor(TensorSpec::new("w", &[3, 1, 1, 2], TensorType::Float32).with_data(vec![0; 24]));
    let y = b.add_tensor(TensorSpec::new("y", &[1, 4, 4, 3], TensorType::Float32));
    b.add_op(BuiltinOp::CONV_2D, &[x, w], &[y], OpOptions::Conv2D(Conv2DOptions::default()));
    b.set_io(&[x], &[y]);
    let path = std::env::temp_dir().join(format!("pw-cli-float-{}.tflite", std::process::id()));
    std::fs::write(&path, b.finish()).unwrap();
    let out = exe().arg("inspect").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("runs                 no: operator 0 (CONV_2D) computes in float32"), "{text}");
    assert!(text.contains("full-integer post-training quantization"), "{text}");
    // plan and run refuse it with the same words, in one line.
    let out = exe().arg("plan").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("int8-quantized") && !err.contains("opcode"), "{err}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn plan_draws_the_memory_timeline_and_accepts_memory_flags() {
    let model_path = case_dir("conv_3x3_s2_valid").join("model.tflite");
    let svg = std::env::temp_dir().join(format!("pw-cli-{}.svg", std::process::id()));
    let out = exe().arg("plan").arg(&model_path).args(["--patch", "off", "--svg"]).arg(&svg).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("layer by layer") && text.contains("<rect"), "{text}");
    std::fs::remove_file(&svg).ok();
    // Each trick can be switched off; layer by layer never needs less than the default.
    let arena = |flag: &str| {
        let out = exe().arg("plan").arg(&model_path).args(["--json", flag]).output().unwrap();
        assert!(out.status.success());
        number_after(&String::from_utf8(out.stdout).unwrap(), "arena_bytes").unwrap()
    };
    for flag in ["--no-pad-fusion", "--no-alias", "--no-in-place", "--no-overlap", "--no-search"] {
        assert!(arena(flag) > 0.0);
    }
    assert_eq!(exe().arg("plan").arg(&model_path).args(["--patch", "on"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn plan_names_the_operator_features_a_model_needs() {
    // The features come from the model's opcodes (OpKind::feature): one per family, sorted.
    let out = exe().arg("plan").arg(case_dir("add_relu").join("model.tflite")).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("cargo features       --no-default-features --features panic-handler,op-add\n"), "{text}");
    let model = case_dir("expand_dims_then_relu").join("model.tflite");
    let out = exe().arg("plan").arg(&model).arg("--json").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // EXPAND_DIMS needs no feature; RELU's is op-relu.
    assert!(text.contains("\"features\": [\"op-relu\"]"), "{text}");
    assert!(text.contains("\"cargo_features\": \"--no-default-features --features panic-handler,op-relu\""), "{text}");
    // int16 activations need the `int16` feature beside the operator's.
    let out = exe().arg("plan").arg(case_dir("add16_relu6").join("model.tflite")).arg("--json").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"features\": [\"int16\", \"op-add\"]"), "{text}");
}

/// Every number after `"key": ` in `text`, in order.
fn numbers_after(text: &str, key: &str) -> Vec<u64> {
    let pat = format!("\"{key}\": ");
    text.match_indices(&pat)
        .filter_map(|(at, _)| {
            let rest = &text[at + pat.len()..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end].trim().parse().ok()
        })
        .collect()
}

/// `bench --per-op --json` against `plan --json` of the same model: the steps cover every
/// running operator once, in order, a fused segment as one step with its first and last
/// operator, and their MACs add up to the plan's.
fn check_per_op_profile(model: &Path) {
    let plan = exe().arg("plan").arg(model).arg("--json").output().unwrap();
    assert!(plan.status.success(), "{}", String::from_utf8_lossy(&plan.stderr));
    let plan = String::from_utf8(plan.stdout).unwrap();
    let bench = exe().arg("bench").arg(model).args(["--iters", "3", "--per-op", "--json"]).output().unwrap();
    assert!(bench.status.success(), "{}", String::from_utf8_lossy(&bench.stderr));
    let bench = String::from_utf8(bench.stdout).unwrap();
    let (ops_part, rest) = plan.split_once("\"segments\": ").unwrap();
    let segments_part = rest.split_once("\"tensors\": ").unwrap().0;
    // Running operators: a non-empty kernel in the plan.
    let running: Vec<u64> = ops_part
        .split("{\"index\": ")
        .skip(1)
        .filter(|row| !row.contains("\"kernel\": \"\""))
        .map(|row| row[..row.find(',').unwrap()].parse().unwrap())
        .collect();
    let (firsts, lasts) = (numbers_after(&bench, "first_op"), numbers_after(&bench, "last_op"));
    assert_eq!(firsts.len(), lasts.len(), "{bench}");
    let mut covered = Vec::new();
    for (&f, &l) in firsts.iter().zip(&lasts) {
        covered.extend(running.iter().copied().filter(|&o| f <= o && o <= l));
        if f != l {
            // A multi-operator step is one of the plan's segments: "ops": [f, ..., l].
            assert!(
                segments_part.contains(&format!("\"ops\": [{f}, ")),
                "step {f}..{l} not a segment: {segments_part}"
            );
            assert!(
                segments_part.contains(&format!(", {l}], \"input\"")),
                "step {f}..{l} not a segment: {segments_part}"
            );
        }
    }
    assert_eq!(covered, running, "steps {firsts:?}..{lasts:?}");
    let plan_macs: u64 = numbers_after(ops_part, "macs").iter().sum();
    let step_macs: u64 = numbers_after(&bench, "macs").iter().sum();
    assert_eq!(plan_macs, step_macs, "{bench}");
    assert!(plan_macs > 0);
}

#[test]
fn bench_per_op_steps_match_the_plan() {
    let tmp = std::env::temp_dir().join(format!("pw-cli-demo-{}.tflite", std::process::id()));
    std::fs::write(&tmp, patchwise::builder::demo_model()).unwrap();
    check_per_op_profile(&tmp);
    std::fs::remove_file(&tmp).ok();
    let person = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/person_detect.tflite");
    if person.exists() {
        check_per_op_profile(&person);
    } else {
        eprintln!("skipped: person_detect part: {} not found", person.display());
    }
}

#[test]
fn plan_json_counts_the_macs_of_a_convolution() {
    // conv_5x5_same: the filter [out, 5, 5, in] over every output pixel.
    let model_path = case_dir("conv_5x5_same").join("model.tflite");
    let out = exe().arg("plan").arg(&model_path).arg("--json").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let tensors = text.split_once("\"tensors\": ").unwrap().1;
    let shape_of = |t: u64| -> Vec<u64> {
        let row = tensors.split(&format!("{{\"index\": {t}, ")).nth(1).unwrap();
        let s = row.split_once("\"shape\": [").unwrap().1;
        s[..s.find(']').unwrap()].split(", ").map(|d| d.parse().unwrap()).collect()
    };
    let op = text.split_once("\"ops\": [").unwrap().1;
    let ins: Vec<u64> = op
        .split_once("\"inputs\": [")
        .unwrap()
        .1
        .split(']')
        .next()
        .unwrap()
        .split(", ")
        .map(|d| d.parse().unwrap())
        .collect();
    let outs: Vec<u64> = op
        .split_once("\"outputs\": [")
        .unwrap()
        .1
        .split(']')
        .next()
        .unwrap()
        .split(", ")
        .map(|d| d.parse().unwrap())
        .collect();
    let (f, o) = (shape_of(ins[1]), shape_of(outs[0]));
    assert_eq!(f[1..3], [5, 5]);
    let want = o.iter().product::<u64>() * f[1] * f[2] * f[3];
    assert_eq!(numbers_after(&text, "macs"), vec![want], "{text}");
}

#[test]
fn plan_budget_names_the_smallest_arena_when_none_fits() {
    let model_path = case_dir("conv_5x5_same").join("model.tflite");
    let need = patchwise::arena_required(&std::fs::read(&model_path).unwrap()).unwrap();
    let out = exe().arg("plan").arg(&model_path).args(["--json", "--budget", &need.to_string()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(number_after(&String::from_utf8(out.stdout).unwrap(), "arena_bytes"), Some(need as f64));
    let out = exe().arg("plan").arg(&model_path).args(["--budget", &(need - 1).to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("smallest arena for this model is {need} bytes")), "{err}");
    assert_eq!(exe().arg("plan").arg(&model_path).args(["--budget", "0"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn plan_emit_writes_a_plan_the_library_accepts() {
    let model_path = case_dir("conv_5x5_same").join("model.tflite");
    let model = std::fs::read(&model_path).unwrap();
    let tmp = std::env::temp_dir().join(format!("pw-cli-emit-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let plan_path = tmp.join("model.plan");
    let out = exe().arg("plan").arg(&model_path).args(["--emit".as_ref(), plan_path.as_os_str()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = std::fs::read(&plan_path).expect("plan --emit wrote no file");
    assert_eq!(plan, patchwise::planfile::write(&model, &patchwise::Options::default()).unwrap());
    let need = patchwise::planned_arena_required(&model, &plan).unwrap();
    let mut arena = vec![0u8; need + 16];
    let offset = arena.as_ptr().align_offset(16);
    assert!(patchwise::Interpreter::init_planned(&model, &plan, &mut arena[offset..offset + need]).is_ok());
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn plan_and_inspect_report_what_keeping_inputs_and_outputs_apart_costs() {
    let model_path = case_dir("conv_3x3_s1_same").join("model.tflite");
    let model = std::fs::read(&model_path).unwrap();
    let json = |args: &[&str]| {
        let out = exe().arg(args[0]).arg(&model_path).args(&args[1..]).arg("--json").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let base = patchwise::arena_required(&model).unwrap() as f64;
    for cmd in ["plan", "inspect"] {
        let text = json(&[cmd]);
        let keep = number_after(&text, "keep_inputs_extra_bytes").expect("keep_inputs_extra_bytes");
        let apart = number_after(&text, "outputs_apart_extra_bytes").expect("outputs_apart_extra_bytes");
        // Each figure is the arena with the flag minus the arena without it.
        let with_keep = number_after(&json(&[cmd, "--keep-inputs"]), "arena_bytes").unwrap();
        let with_apart = number_after(&json(&[cmd, "--outputs-apart"]), "arena_bytes").unwrap();
        assert_eq!(with_keep, base + keep, "{cmd} --keep-inputs");
        assert_eq!(with_apart, base + apart, "{cmd} --outputs-apart");
        let out = exe().arg(cmd).arg(&model_path).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("keep inputs") && text.contains("outputs apart"), "{text}");
    }
}
