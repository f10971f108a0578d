//! Plans made ahead of time (`patchwise::planfile`, `Interpreter::init_planned`): every shared
//! model bit-exact through them in the main planner configurations, in exactly the arena they
//! announce; a plan for other model bytes, a corrupted or truncated plan each refused with
//! `Error::BadPlan`.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required_with, planfile, planned_arena_required, Error, HostArena, Interpreter, Options};
use patchwise_testkit::{json_number, op_case_dirs, run_case_planned, shared_dir};

fn modes() -> Vec<(&'static str, Options)> {
    let mut layer = Options::default();
    layer.patch = false;
    let mut external = Options::default();
    external.external_input = true;
    vec![("default", Options::default()), ("patch off", layer), ("external input", external)]
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn shared_models_bit_exact_through_plan_files() {
    let mut failures = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(shared_dir().join("golden"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in &names {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).unwrap();
        let dir = shared_dir().join("golden").join(name);
        let meta = std::fs::read_to_string(dir.join("meta.json")).unwrap();
        let cases = json_number(&meta, "cases").unwrap_or(0) as usize;
        for (mode, options) in modes() {
            // The planned arena is the planning one without the planner's temporary memory.
            let plan = planfile::write(&model, &options).unwrap();
            let planned = planned_arena_required(&model, &plan).unwrap();
            assert!(planned <= arena_required_with(&model, &options).unwrap(), "{name} {mode}");
            for k in 0..cases.min(2) {
                if let Err(e) = run_case_planned(&model, &dir, k, &options) {
                    failures.push(format!("{name} ({mode}): {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn committed_op_models_bit_exact_through_plan_files() {
    let dirs = op_case_dirs();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let model = std::fs::read(dir.join("model.tflite")).unwrap();
        if planfile::write(&model, &Options::default()).is_err() {
            continue; // a model the engine refuses (its error is tested elsewhere)
        }
        run_case_planned(&model, &dir, 0, &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
}

/// A model and its plan for the refusal tests (a committed op model: always present).
fn fixture() -> (Vec<u8>, Vec<u8>) {
    let dir = op_case_dirs().into_iter().find(|d| d.ends_with("conv_3x3_s1_same")).expect("conv_3x3_s1_same");
    let model = std::fs::read(dir.join("model.tflite")).unwrap();
    let plan = planfile::write(&model, &Options::default()).unwrap();
    (model, plan)
}

fn init_error(model: &[u8], plan: &[u8]) -> Option<Error> {
    let mut arena = HostArena::new(1 << 20);
    Interpreter::init_planned(model, plan, arena.bytes_mut()).err()
}

#[test]
fn every_corrupted_byte_and_every_truncation_is_refused() {
    let (model, plan) = fixture();
    assert_eq!(init_error(&model, &plan), None);
    for at in 0..plan.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = plan.clone();
            bad[at] ^= bit;
            assert_eq!(init_error(&model, &bad), Some(Error::BadPlan), "byte {at} ^ {bit:#x}");
        }
    }
    for len in 0..plan.len() {
        assert_eq!(init_error(&model, &plan[..len]), Some(Error::BadPlan), "{len} bytes");
    }
    let mut longer = plan.clone();
    longer.extend_from_slice(&[0; 4]);
    assert_eq!(init_error(&model, &longer), Some(Error::BadPlan));
}

#[test]
fn a_plan_for_other_model_bytes_is_refused() {
    let (model, plan) = fixture();
    // Another model.
    let other_dir = op_case_dirs().into_iter().find(|d| d.ends_with("conv_5x5_same")).unwrap();
    let other = std::fs::read(other_dir.join("model.tflite")).unwrap();
    assert_eq!(init_error(&other, &plan), Some(Error::BadPlan));
    // The same model with one weight changed: the checksum differs.
    let mut changed = model.clone();
    let last = changed.len() - 40;
    changed[last] ^= 1;
    if patchwise::arena_required(&changed).is_ok() {
        assert_eq!(init_error(&changed, &plan), Some(Error::BadPlan));
    }
}

#[test]
fn a_small_arena_is_told_the_planned_size() {
    let (model, plan) = fixture();
    let need = planned_arena_required(&model, &plan).unwrap();
    let mut arena = HostArena::new(need);
    assert_eq!(
        Interpreter::init_planned(&model, &plan, &mut arena.bytes_mut()[..need - 1]).err(),
        Some(Error::ArenaTooSmall { required: need })
    );
}
