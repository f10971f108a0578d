//! Single-operator models (tests/data/ops, built by our own flatbuffer writer) against TFLM
//! goldens produced by ../shared/oracle/tflm_golden.py — see tests/data/ops/README.md.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise_testkit::{json_number, op_case_dirs, option_variants, run_case_with};

#[test]
fn every_op_case_bit_exact() {
    let dirs = op_case_dirs();
    assert!(dirs.len() >= 50, "expected the committed op cases, found {}", dirs.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let model = std::fs::read(dir.join("model.tflite")).unwrap();
        let meta = std::fs::read_to_string(dir.join("meta.json")).expect("meta.json");
        let cases = json_number(&meta, "cases").unwrap_or(0) as usize;
        if cases == 0 {
            failures.push(format!("{name}: no cases in meta.json"));
        }
        for (label, options) in option_variants() {
            for k in 0..cases {
                match run_case_with(&model, dir, k, &options) {
                    Ok(()) => checked += 1,
                    Err(e) => failures.push(format!("{name} ({label}): {e}")),
                }
            }
        }
    }
    println!("{checked} runs (cases × planner variants) over {} op models bit-exact", dirs.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
