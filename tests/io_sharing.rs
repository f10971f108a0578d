//! Inputs and outputs sharing arena bytes (`Options::keep_inputs`, `Options::outputs_apart`),
//! on every model in ../shared/models that has goldens in ../shared/golden.
//!
//! - Without the options the planner reuses input bytes: `output_aliases_input` is true on
//!   exactly the models listed in [`ALIASING`].
//! - With `keep_inputs` an invoke repeated without writing the inputs again gives the golden
//!   outputs, and the inputs are unchanged by invoke.
//! - With `outputs_apart` no output aliases an input, and outputs read after writing the next
//!   case's inputs are still the golden outputs.
//! - Both together: both properties.
//!
//! The extra arena bytes each option costs are printed (`cargo test --test io_sharing --
//! --nocapture`). When ../shared is absent these tests are reported as ignored with the reason.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required_with, HostArena, Interpreter, Options};
use patchwise_testkit::shared_dir;
use std::path::Path;

/// The models on which, planned with the default options, some output shares bytes with an
/// input (what the planner does today; a planner change that moves a model in or out of this
/// list must update it).
const ALIASING: &[&str] = &[
    "mcunet_detection",
    "mcunet_vww",
    "mcunetv2_large",
    "mlperf_ad",
    "mlperf_resnet",
    "mobilenet_v2_pt224",
    "person_detect",
    "synth_float_io",
    "synth_mbv2_035_96",
    "synth_ops_zoo",
];

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

fn model_bytes(name: &str) -> Vec<u8> {
    std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model file")
}

fn read(dir: &Path, file: String) -> Vec<u8> {
    std::fs::read(dir.join(&file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn write_inputs(interp: &mut Interpreter<'_, '_>, dir: &Path, case: usize) {
    for i in 0..interp.num_inputs() {
        let bytes = read(dir, format!("case{case}.in{i}.bin"));
        interp.input_mut(i).unwrap().data.copy_from_slice(&bytes);
    }
}

/// The first output that differs from golden `case`, described.
fn compare_outputs(interp: &Interpreter<'_, '_>, dir: &Path, case: usize) -> Result<(), String> {
    for j in 0..interp.num_outputs() {
        let want = read(dir, format!("case{case}.out{j}.bin"));
        let got = interp.output(j).unwrap().data;
        if got != want.as_slice() {
            let diffs = got.iter().zip(&want).filter(|(a, b)| a != b).count();
            return Err(format!("case {case} output {j}: {diffs} of {} bytes differ", want.len()));
        }
    }
    Ok(())
}

fn with(keep_inputs: bool, outputs_apart: bool) -> Options {
    let mut o = Options::default();
    o.keep_inputs = keep_inputs;
    o.outputs_apart = outputs_apart;
    o
}

/// Runs every check of one model under `options`; returns the failures.
fn check_model(name: &str, model: &[u8], options: &Options) -> Vec<String> {
    let dir = shared_dir().join("golden").join(name);
    let mut failures = Vec::new();
    let need = arena_required_with(model, options).unwrap();
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(model, arena.bytes_mut(), options).unwrap();
    let label = format!("{name} (keep_inputs {}, outputs_apart {})", options.keep_inputs, options.outputs_apart);
    if options.outputs_apart {
        for j in 0..interp.num_outputs() {
            if interp.output_aliases_input(j).unwrap() {
                failures.push(format!("{label}: output {j} aliases an input"));
            }
        }
    }
    if options.keep_inputs {
        // Invoke twice on one writing of the inputs: the second run sees the same inputs.
        write_inputs(interp, &dir, 0);
        let before: Vec<Vec<u8>> = (0..interp.num_inputs()).map(|i| interp.input(i).unwrap().data.to_vec()).collect();
        interp.invoke().unwrap();
        for (i, b) in before.iter().enumerate() {
            if interp.input(i).unwrap().data != b.as_slice() {
                failures.push(format!("{label}: invoke changed input {i}"));
            }
        }
        interp.invoke().unwrap();
        if let Err(e) = compare_outputs(interp, &dir, 0) {
            failures.push(format!("{label}: repeated invoke: {e}"));
        }
    }
    if options.outputs_apart {
        // Outputs of case 0 read after writing the inputs of case 1.
        write_inputs(interp, &dir, 0);
        interp.invoke().unwrap();
        write_inputs(interp, &dir, 1);
        if let Err(e) = compare_outputs(interp, &dir, 0) {
            failures.push(format!("{label}: outputs after writing the next input: {e}"));
        }
        interp.invoke().unwrap();
        if let Err(e) = compare_outputs(interp, &dir, 1) {
            failures.push(format!("{label}: next invoke: {e}"));
        }
    }
    failures
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn default_plans_share_exactly_on_the_listed_models() {
    let mut aliasing = Vec::new();
    for name in golden_models() {
        let model = model_bytes(&name);
        let need = arena_required_with(&model, &Options::default()).unwrap();
        let mut arena = HostArena::new(need);
        let interp = Interpreter::init(&model, arena.bytes_mut(), &Options::default()).unwrap();
        let shared: Vec<usize> =
            (0..interp.num_outputs()).filter(|&j| interp.output_aliases_input(j).unwrap()).collect();
        println!("{name}: outputs sharing an input's bytes: {shared:?}");
        if !shared.is_empty() {
            aliasing.push(name.clone());
        }
        assert!(interp.output_aliases_input(interp.num_outputs()).is_err(), "{name}: index past the outputs");
    }
    assert_eq!(aliasing, ALIASING, "models whose default plan puts an output over an input");
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn keep_inputs_and_outputs_apart_give_the_golden_outputs() {
    let mut failures = Vec::new();
    println!("{:<20} {:>10} {:>13} {:>15} {:>10}", "model", "default", "+keep_inputs", "+outputs_apart", "+both");
    for name in golden_models() {
        let model = model_bytes(&name);
        let base = arena_required_with(&model, &Options::default()).unwrap();
        let mut extra = Vec::new();
        for (keep, apart) in [(true, false), (false, true), (true, true)] {
            let options = with(keep, apart);
            extra.push(arena_required_with(&model, &options).unwrap() as i64 - base as i64);
            failures.extend(check_model(&name, &model, &options));
        }
        println!("{name:<20} {base:>10} {:>13} {:>15} {:>10}", extra[0], extra[1], extra[2]);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
