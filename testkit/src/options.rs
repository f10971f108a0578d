//! The planner configurations every model test runs.

use patchwise::Options;

/// Every planner configuration the tests exercise: all tricks, each switched off alone, every
/// chain fused, none; inputs kept intact with outputs apart from them; and inputs kept in caller memory with all tricks, every chain fused and
/// layer by layer.
pub fn option_variants() -> Vec<(&'static str, Options)> {
    let all = Options::default();
    let without = |off: fn(&mut Options)| {
        let mut o = all;
        off(&mut o);
        o
    };
    vec![
        ("all tricks", all),
        ("no pad fusion", without(|o| o.pad_fusion = false)),
        ("no alias", without(|o| o.alias = false)),
        ("no in-place", without(|o| o.in_place = false)),
        ("no overlap", without(|o| o.overlap = false)),
        ("no search", without(|o| o.search = false)),
        ("no patch", without(|o| o.patch = false)),
        ("every chain fused", without(|o| o.patch_all = true)),
        ("layer by layer", Options::layer_by_layer()),
        ("keep inputs, outputs apart", without(|o| (o.keep_inputs, o.outputs_apart) = (true, true))),
        ("external input", without(|o| o.external_input = true)),
        ("external input, every chain fused", without(|o| (o.external_input, o.patch_all) = (true, true))),
        ("external input, layer by layer", {
            let mut o = Options::layer_by_layer();
            o.external_input = true;
            o
        }),
    ]
}
