//! Arena bytes per shared model: the targets, and for every other model at most 1.05 × the
//! per-operator floor + 1 KiB and never more than TFLM; fused segments never cost memory.
//! Arena figures are exact and deterministic, so they are asserted.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required, plan_details, Options};
use patchwise_testkit::{json_number, shared_dir};

/// Total arena bytes we must not exceed with the default options (64-bit host figures,
/// everything included). Patch-based execution with cached halos (0 extra MACs): the goals of
/// the patch issue where row bands reach them (person_detect, mlperf_vww, mlperf_resnet with
/// its residual ADDs inside segments, synth_mbv2_035_96; mobilenet_v2_pt224 at today's
/// figure), else the layer-by-layer figures.
const TARGETS: &[(&str, usize)] = &[
    ("person_detect", 16_064),
    ("mlperf_vww", 29_000),
    ("mlperf_resnet", 26_500),
    ("mlperf_kws", 9_000),
    ("mcunet_vww", 77_976),
    ("mcunet_detection", 246_624),
    ("synth_mbv2_035_96", 36_000),
    ("mobilenet_v2_pt224", 302_560),
];

/// Total arena bytes with the inputs in the caller's memory (`Options::external_input`),
/// default options otherwise: the figures reached today (the goals are lower).
const EXTERNAL_TARGETS: &[(&str, usize)] = &[
    ("person_detect", 16_064),
    ("mlperf_vww", 16_064),
    ("mcunet_vww", 24_380),
    ("mcunet_detection", 44_432),
    ("synth_mbv2_035_96", 22_624),
    ("mobilenet_v2_pt224", 280_352),
    ("mlperf_resnet", 25_696),
];

/// The same, operator by operator (`--patch off`).
const LAYER_TARGETS: &[(&str, usize)] = &[
    ("person_detect", 39_000),
    ("mlperf_vww", 39_000),
    ("mlperf_resnet", 35_500),
    ("mlperf_kws", 9_000),
    ("mcunet_vww", 78_000),
    ("synth_mbv2_035_96", 117_000),
    ("mobilenet_v2_pt224", 1_270_000),
];

/// Bytes a port's faster kernels may add to a model's arena (their im2col columns and tables,
/// live for a whole fused segment); 0 for the portable kernels the figures above are for. The
/// Xtensa port's four-pixel int16 columns (8 B per input channel of a 1×1 convolution) cost up
/// to 2,816 B (mobilenet_v2_pt224 with the input outside the arena).
const PORT_ALLOWANCE: usize = if cfg!(feature = "arm-dsp") {
    2048
} else if cfg!(feature = "xtensa") {
    3072
} else {
    0
};

fn layer_plan() -> Options {
    let mut o = Options::default();
    o.patch = false;
    o
}

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn arena_targets_are_met() {
    let mut misses = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(shared_dir().join("golden"))
        .expect("../shared/golden")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model");
        let meta = std::fs::read_to_string(shared_dir().join("golden").join(&name).join("meta.json")).unwrap();
        let tflm = json_number(&meta, "total").expect("tflm total") as usize;
        let ours = arena_required(&model).unwrap();
        let plan = plan_details(&model, &Options::default()).unwrap();
        assert_eq!(plan.arena_bytes, ours, "{name}: plan_details and arena_required disagree");
        let floor = plan.lower_bound;
        let layer = plan_details(&model, &layer_plan()).unwrap();
        let goal_of = |targets: &[(&str, usize)], floor: usize| match targets.iter().find(|(m, _)| *m == name) {
            Some(&(_, g)) => g,
            None => (floor as f64 * 1.05) as usize + 1024,
        };
        let (goal, layer_goal) = (goal_of(TARGETS, floor), goal_of(LAYER_TARGETS, layer.lower_bound));
        let (goal, layer_goal) = (goal + PORT_ALLOWANCE, layer_goal + PORT_ALLOWANCE);
        println!(
            "{name}: patchwise {ours} B (floor {floor} B), goal {goal} B; layer by layer {} B, goal {layer_goal} B; TFLM {tflm} B",
            layer.arena_bytes
        );
        if ours > goal || ours > tflm || layer.arena_bytes > layer_goal {
            misses
                .push(format!("{name}: {ours} B > goal {goal} B or TFLM {tflm} B, or layer plan above {layer_goal} B"));
        }
        if ours > layer.arena_bytes {
            misses.push(format!("{name}: fused segments cost memory ({ours} B > {} B)", layer.arena_bytes));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

/// Inputs in caller memory: the figures above, never more than with the inputs in the arena
/// (default options), and every model still plans.
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn external_input_targets_are_met() {
    let mut external = Options::default();
    external.external_input = true;
    let mut misses = Vec::new();
    for (name, goal) in EXTERNAL_TARGETS {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model");
        let inside = plan_details(&model, &Options::default()).unwrap().arena_bytes;
        let outside = plan_details(&model, &external).unwrap().arena_bytes;
        println!("{name}: {outside} B with the input outside the arena, {inside} B inside");
        if outside > *goal + PORT_ALLOWANCE || outside > inside + PORT_ALLOWANCE {
            misses.push(format!("{name}: {outside} B > goal {goal} B or > {inside} B with the input inside"));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

/// The planner never does worse than TFLM-style layer-by-layer planning of the same model.
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn tricks_never_cost_memory() {
    for name in ["person_detect", "mlperf_kws", "mcunet_vww", "synth_ops_zoo"] {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model");
        let all = plan_details(&model, &Options::default()).unwrap();
        let none = plan_details(&model, &Options::layer_by_layer()).unwrap();
        assert!(all.activation_bytes <= none.activation_bytes, "{name}");
        assert!(all.lower_bound <= all.activation_bytes, "{name}: activations below the floor");
    }
}

/// `Options::budget`: the layer plan when it fits, else the fused plan, else `OverBudget` with
/// the smallest arena; the arena a budget gives is exactly what init then needs.
#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn a_budget_fuses_only_when_it_must() {
    for name in ["person_detect", "synth_mbv2_035_96"] {
        let model = std::fs::read(shared_dir().join("models").join(format!("{name}.tflite"))).expect("model");
        let fused = arena_required(&model).unwrap();
        let layer = patchwise::arena_required_with(&model, &layer_plan()).unwrap();
        assert!(fused < layer, "{name}: fused {fused} < layer {layer}");
        let with = |budget: usize| {
            let mut o = Options::default();
            o.budget = budget;
            patchwise::arena_required_with(&model, &o)
        };
        assert_eq!(with(layer + 1000).unwrap(), layer, "{name}");
        assert_eq!(with(layer).unwrap(), layer, "{name}");
        assert_eq!(with(layer - 4).unwrap(), fused, "{name}");
        assert_eq!(with(fused).unwrap(), fused, "{name}");
        assert_eq!(with(fused - 1), Err(patchwise::Error::OverBudget { required: fused }), "{name}");
        let mut o = layer_plan();
        o.budget = layer - 4;
        assert_eq!(
            patchwise::arena_required_with(&model, &o),
            Err(patchwise::Error::OverBudget { required: layer }),
            "{name}: patching off cannot fuse"
        );
        let mut o = Options::default();
        o.budget = layer;
        let details = plan_details(&model, &o).unwrap();
        assert!(details.op_plan.iter().all(|r| !r.streams()), "{name}: a budget the layer plan fits fuses nothing");
    }
}
