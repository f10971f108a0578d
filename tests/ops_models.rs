//! The operator-coverage models of ../shared/ops/models against their TFLM goldens in
//! ../shared/ops/golden: every model whose operators patchwise supports runs every golden case
//! bit-exact in every planner configuration the model tests use; a model that still needs
//! something unsupported is reported ("skipped: <model>: <reason>") instead.
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

use patchwise::schema::opcodes::OpKind;
use patchwise::schema::Model;
use patchwise_testkit::{json_number, option_variants, run_case_with, shared_dir};

/// The models with goldens, sorted by name.
fn op_models() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(shared_dir().join("ops").join("golden")) else { return Vec::new() };
    let mut names: Vec<String> = dir
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Why patchwise cannot run `model` yet, if it cannot: an operator code it does not know.
fn unsupported(model: &[u8]) -> Option<String> {
    let m = Model::parse(model).expect("the model parses");
    let mut missing: Vec<String> = Vec::new();
    for o in 0..m.num_operators() {
        let op = m.operator(o).unwrap();
        if OpKind::from_code(op.opcode).is_none() {
            let name = format!("opcode {}", op.opcode);
            if !missing.contains(&name) {
                missing.push(name);
            }
        }
    }
    if !missing.is_empty() {
        return Some(format!("unsupported operators: {}", missing.join(", ")));
    }
    None
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn ops_models_bit_exact_in_every_configuration() {
    let names = op_models();
    assert!(!names.is_empty(), "no golden sets in ../shared/ops/golden");
    let mut failures = Vec::new();
    let mut ran = 0;
    for name in &names {
        let model = std::fs::read(shared_dir().join("ops/models").join(format!("{name}.tflite"))).expect("model file");
        if let Some(why) = unsupported(&model) {
            println!("skipped: {name}: {why}");
            continue;
        }
        let dir = shared_dir().join("ops/golden").join(name);
        let meta = std::fs::read_to_string(dir.join("meta.json")).expect("meta.json");
        let cases = json_number(&meta, "cases").unwrap_or(0) as usize;
        assert!(cases > 0, "{name}: no cases");
        for (label, options) in option_variants() {
            for k in 0..cases {
                match run_case_with(&model, &dir, k, &options) {
                    Ok(()) => ran += 1,
                    Err(e) => failures.push(format!("{name} ({label}): {e}")),
                }
            }
        }
        println!("{name}: {cases} cases bit-exact in {} planner configurations", option_variants().len());
    }
    println!("{ran} runs bit-exact");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

/// Arena bytes of every supported model beside TFLM's (head + tail, from meta.json).
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn ops_models_arena_not_larger_than_tflm() {
    let mut worse = Vec::new();
    for name in op_models() {
        let model = std::fs::read(shared_dir().join("ops/models").join(format!("{name}.tflite"))).expect("model file");
        if let Some(why) = unsupported(&model) {
            println!("skipped: {name}: {why}");
            continue;
        }
        let meta = std::fs::read_to_string(shared_dir().join("ops/golden").join(&name).join("meta.json")).unwrap();
        let tflm = json_number(&meta, "total").expect("tflm_arena_bytes.total") as usize;
        let ours = patchwise::arena_required(&model).unwrap_or_else(|e| panic!("{name}: {e}"));
        println!("{name}: patchwise {ours} bytes, TFLM {tflm} bytes");
        if ours > tflm {
            worse.push(format!("{name}: {ours} > TFLM {tflm}"));
        }
    }
    assert!(worse.is_empty(), "{}", worse.join("\n"));
}
