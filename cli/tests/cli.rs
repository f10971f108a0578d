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
}
