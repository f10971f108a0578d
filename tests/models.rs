//! Every model in ../shared/models that has goldens in ../shared/golden: every case bit-exact
//! with TFLM, and our arena no larger than TFLM's total.
//!
//! When ../shared is absent these tests are reported as ignored with the reason
//! ("skipped: ../shared/models not found"); build.rs decides that at compile time.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise_testkit::{json_number, option_variants, run_case, run_case_with, shared_dir};

fn golden_models() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(shared_dir().join("golden"))
        .expect("../shared/golden")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn shared_models_bit_exact() {
    let mut failures = Vec::new();
    let names = golden_models();
    assert!(!names.is_empty(), "no golden sets in ../shared/golden");
    for name in &names {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model file");
        let dir = shared_dir().join("golden").join(name);
        let meta = std::fs::read_to_string(dir.join("meta.json")).expect("meta.json");
        let cases = json_number(&meta, "cases").unwrap_or(0) as usize;
        assert!(cases > 0, "{name}: no cases");
        for k in 0..cases {
            match run_case(&model, &dir, k) {
                Ok(()) => println!("{name}: case {k} bit-exact"),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn arena_not_larger_than_tflm() {
    let mut worse = Vec::new();
    for name in golden_models() {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model file");
        let meta = std::fs::read_to_string(shared_dir().join("golden").join(&name).join("meta.json")).unwrap();
        let tflm = json_number(&meta, "total").expect("tflm_arena_bytes.total") as usize;
        let ours = patchwise::arena_required(&model).unwrap_or_else(|e| panic!("{name}: {e}"));
        println!("{name}: patchwise {ours} bytes, TFLM {tflm} bytes");
        if ours > tflm {
            worse.push(format!("{name}: {ours} > TFLM {tflm}"));
        }
    }
    assert!(worse.is_empty(), "{}", worse.join("\n"));
}

/// Every trick of the memory planner switched off alone (and all of them): still bit-exact,
/// so no bug can hide behind another trick.
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn shared_models_bit_exact_with_each_trick_off() {
    let mut failures = Vec::new();
    for name in golden_models() {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model file");
        let dir = shared_dir().join("golden").join(&name);
        for (label, options) in option_variants().into_iter().skip(1) {
            // One case per variant keeps the run short; all cases run with all tricks above.
            if let Err(e) = run_case_with(&model, &dir, 0, &options) {
                failures.push(format!("{name} ({label}): {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}
