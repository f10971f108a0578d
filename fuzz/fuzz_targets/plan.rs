//! `plan`: `arena_required` and `plan_details` on arbitrary models under planner options chosen
//! by the first input byte (the rest is the model).
//!
//! Invariants: no panic; both functions agree (same error, or `arena_required ==
//! plan_details().arena_bytes`); the plan passes `plan::check`; every placed buffer fits the
//! activation area and is aligned; aliases point at buffers; each run-plan entry skips its
//! operator or runs it with a known kernel and at most an earlier PAD folded in; whether a model
//! is accepted does not depend on the options; turning the search on never makes the arena
//! larger; small plans pass the shadow-arena replay of `patchwise_testkit::shadow`.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use patchwise::plan::{self, NO_BUFFER};
use patchwise::runplan::{BUFFER_ALIGN, NO_OFFSET};
use patchwise::variants::VariantId;
use patchwise::{arena_required_with, plan_details, Options};

// The independent shadow-arena checker (also run by `tests/plan_check.rs`).
use patchwise_testkit::shadow;

/// Plans up to this many activation bytes are replayed by the shadow checker (it keeps 8 bytes
/// of bookkeeping per arena byte and walks every kernel access).
const SHADOW_LIMIT: usize = 1 << 20;
/// Work one replay may do (checks; well under a second with ASan): hostile windows can ask
/// for far more.
const SHADOW_BUDGET: u64 = 20_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, model)) = data.split_first() else { return };
    // The first byte's bits switch tricks off as the C API's `PW_FLAG_NO_*` do; bit 5 switches
    // patching off (`PW_PATCH_OFF`).
    let mut opts = patchwise::capi::options_from_flags(sel.into());
    opts.patch = sel & 0x20 == 0;
    let need = arena_required_with(model, &opts);
    let details = plan_details(model, &opts);
    match (&need, &details) {
        (Ok(n), Ok(d)) => assert_eq!(*n, d.arena_bytes, "arena_required vs plan_details"),
        (Err(a), Err(b)) => assert_eq!(a, b, "different errors"),
        _ => panic!("arena_required {need:?} but plan_details {:?}", details.as_ref().map(|d| d.arena_bytes)),
    }
    let Ok(d) = details else {
        // A rejected model is rejected whatever the options (validation is option-independent).
        let e = need.unwrap_err();
        if !matches!(e, patchwise::Error::TooLarge) {
            let d = arena_required_with(model, &Options::default()).err();
            assert_eq!(d, Some(e), "options changed the verdict");
        }
        return;
    };
    let nb = d.buffers.len();
    assert_eq!(d.offsets.len(), nb);
    plan::check(&d.buffers, &d.offsets, d.activation_bytes).expect("plan::check");
    assert_eq!(d.activation_bytes % BUFFER_ALIGN, 0);
    assert!(d.arena_bytes >= d.activation_bytes + d.bookkeeping_bytes);
    assert!(d.lower_bound <= d.activation_bytes, "lower bound {} > {}", d.lower_bound, d.activation_bytes);
    for (i, (b, &o)) in d.buffers.iter().zip(&d.offsets).enumerate() {
        assert!((b.alias as usize) < nb || b.alias == NO_BUFFER, "buffer {i}: alias {}", b.alias);
        assert!(b.partner == NO_BUFFER || (b.partner as usize) < nb, "buffer {i}: partner {}", b.partner);
        assert!(b.first <= b.last || b.size == 0, "buffer {i}: lifetime {}..{}", b.first, b.last);
        if o != NO_OFFSET {
            assert_eq!(o as usize % BUFFER_ALIGN, 0, "buffer {i}: offset {o}");
            let root = if (b.alias as usize) < nb { &d.buffers[b.alias as usize] } else { b };
            assert!(o as usize + root.size as usize <= d.activation_bytes, "buffer {i} outside the area");
        }
    }
    // A graph output (or variable tensor) must survive the invoke: no output may overlap it
    // (findings `graph_output_*`, `variable_tensor_dies_at_last_op`).
    let m = patchwise::schema::Model::parse(model).expect("a planned model parses");
    if let Some((b, p)) = shadow::partner_over_kept_state(&m, &d) {
        panic!("buffer {b} may overwrite graph output / variable {p}");
    }
    // Replayed byte by byte, no live tensor is overwritten before its last use (the strongest
    // check: it trusts none of the planner's reasoning).
    // Only for graphs whose values are defined (every activation written before it is read).
    if d.activation_bytes <= SHADOW_LIMIT && patchwise_fuzz::single_assignment(model, true) {
        match shadow::replay_within(model, &d, SHADOW_BUDGET) {
            Ok(_) => {}
            Err(e) if e == shadow::OVER_BUDGET => {}
            Err(e) => panic!("shadow replay: {e}"),
        }
    }
    let nops = d.op_plan.len();
    for (o, &how) in d.op_plan.iter().enumerate() {
        assert!(how.is_skip() || how.fused_pad(o).is_none_or(|p| p < o), "op {o}: run-plan {how:?} of {nops}");
        let variant = how.variant().and_then(VariantId::from_u8);
        assert!(how.is_skip() || variant.is_some(), "op {o}: run-plan {how:?} names no kernel variant");
    }
    // Same verdict whatever the options; the search never loses to greedy placement.
    let mut other = opts;
    other.search = !opts.search;
    match plan_details(model, &other) {
        Ok(o) => {
            let (with, without) = if opts.search { (&d, &o) } else { (&o, &d) };
            assert!(
                with.activation_bytes <= without.activation_bytes,
                "search {} > greedy {}",
                with.activation_bytes,
                without.activation_bytes
            );
        }
        Err(e) => panic!("search={} accepted, search={} gives {e:?}", opts.search, other.search),
    }
    let lbl = arena_required_with(model, &Options::layer_by_layer());
    assert!(lbl.is_ok(), "layer-by-layer planning fails: {lbl:?}");
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    patchwise_fuzz::mutate::mutate(data, size, max_size, seed, 1, &|d, s, m| libfuzzer_sys::fuzzer_mutate(d, s, m))
});
