//! Regression tests for what fuzzing found (`fuzz/`, `docs/robustness.md`).
//!
//! Each finding keeps its reproducer in `tests/data/fuzz/<name>.bin` and one test here that
//! asserts the clean outcome: a specific error or a correct result, never a panic. On top of
//! that, every reproducer goes through the whole pipeline (all planner options, init with the
//! exact arena and one byte less, two invokes) in `every_reproducer_is_handled_cleanly` (except
//! the `slow_*` ones, which their own timed tests cover).
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required, arena_required_with, plan_details, Error, HostArena, Interpreter, Options};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz")
}

fn reproducer(name: &str) -> Vec<u8> {
    let path = data_dir().join(format!("{name}.bin"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Planner options from one byte, as the fuzz targets choose them (bit set = trick off).
fn options_from_bits(b: u8) -> Options {
    patchwise::capi::options_from_flags(b.into())
}

/// Deterministic input bytes.
fn pattern(out: &mut [u8], seed: u8) {
    for (i, b) in out.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(seed.wrapping_mul(101));
    }
}

/// An invoke outcome and every output's bytes.
type Outcome = (Result<(), Error>, Vec<Vec<u8>>);

/// Plans and runs `model` with `opts` on pattern inputs, in an arena pre-filled with `fill`;
/// returns the invoke outcome and every output's bytes.
fn run(model: &[u8], opts: &Options, fill: u8) -> Result<Outcome, Error> {
    let need = arena_required_with(model, opts)?;
    let mut arena = HostArena::new(need);
    arena.bytes_mut().fill(fill);
    let interp = Interpreter::init(model, &mut arena.bytes_mut()[..need], opts)?;
    assert_eq!(interp.arena_used(), need);
    for i in 0..interp.num_inputs() {
        if let Ok(t) = interp.input_mut(i) {
            pattern(t.data, i as u8);
        }
    }
    let r = interp.invoke();
    let outs =
        (0..interp.num_outputs()).map(|i| interp.output(i).map(|v| v.data.to_vec()).unwrap_or_default()).collect();
    Ok((r, outs))
}

/// The model's outputs are the same under every planner configuration (the memory tricks
/// never change results).
fn assert_plan_independent(name: &str) {
    let model = reproducer(name);
    let (r, reference) = run(&model, &Options::layer_by_layer(), 0).expect("layer-by-layer run");
    r.expect("layer-by-layer invoke");
    for bits in 0..32u8 {
        let opts = options_from_bits(bits);
        let (r, outs) = run(&model, &opts, 0xa5).expect("run");
        r.expect("invoke");
        assert_eq!(outs, reference, "{name}: outputs differ from the layer-by-layer plan with {opts:?}");
    }
}

#[test]
fn every_reproducer_is_handled_cleanly() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/fuzz")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("slow_")))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for path in names {
        let model = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for bits in 0..32u8 {
            let opts = options_from_bits(bits);
            let need = arena_required_with(&model, &opts);
            let details = plan_details(&model, &opts);
            match (&need, &details) {
                (Ok(n), Ok(d)) => assert_eq!(*n, d.arena_bytes, "{name}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
                _ => panic!("{name}: arena_required {need:?} vs plan_details {:?}", details.map(|d| d.arena_bytes)),
            }
            let Ok(need) = need else { continue };
            if need > 16 << 20 {
                continue;
            }
            let mut arena = HostArena::new(need);
            match Interpreter::init(&model, &mut arena.bytes_mut()[..need - 1], &opts) {
                Err(Error::ArenaTooSmall { required }) => assert_eq!(required, need, "{name}"),
                other => panic!("{name}: init one byte short: {:?}", other.map(|_| ())),
            }
            let interp = Interpreter::init(&model, &mut arena.bytes_mut()[..need], &opts).expect("init");
            for _ in 0..2 {
                for i in 0..interp.num_inputs() {
                    if let Ok(t) = interp.input_mut(i) {
                        pattern(t.data, i as u8);
                    }
                }
                if let Err(e) = interp.invoke() {
                    assert!(matches!(e, Error::KernelFailed { .. }), "{name}: {e:?}");
                }
            }
        }
    }
}

/// Found by the `invoke` target (outputs of the default plan differ from the layer-by-layer
/// plan). One HARD_SWISH operator `t0 -> t1`; the subgraph lists `t0` both as its input and as
/// its output. `t0` dies at operator 0 as far as operator inputs go, so the planner lets the
/// in-place HARD_SWISH write `t1` over it, and the caller reads HARD_SWISH's result in the graph
/// output that should hold the unchanged input.
#[test]
fn graph_output_overwritten_in_place() {
    assert_plan_independent("graph_output_overwritten_in_place");
}

/// The same bug on a realistic graph (written with the model builder, from the fuzz finding):
/// `x -> RELU -> logits -> SOFTMAX -> probs` with graph outputs `[logits, probs]`. SOFTMAX is
/// the last operator and works in place, so with the default plan `logits` comes back holding
/// the probabilities.
#[test]
fn graph_output_consumed_by_last_op() {
    assert_plan_independent("graph_output_consumed_by_last_op");
}

/// Planning must cost time in proportion to the model, not to the sizes it declares. The
/// overlap permission of a sliding-window operator (`plan::overlap::forward_distance` and
/// `backward_distance`, called from `ops::prepare` for every CONV_2D / DEPTHWISE_CONV_2D /
/// pooling operator whatever the options) walks every output pixel, and CONV_2D /
/// DEPTHWISE_CONV_2D accept an output whose height and width do not follow from the input
/// (as TFLM does), so a 640-byte model — one 1x1 CONV_2D from an 8x8x1 input to an
/// 8191x65535x1 output — takes 1.7 s in `arena_required` on a desktop core in release (6.7 s
/// in the test profile; 7 s in release at the largest tensor, 32767x65535), again in `init`,
/// and every further such operator adds as much.
fn assert_plans_quickly(name: &str, limit: Duration) {
    let model = reproducer(name);
    let t = Instant::now();
    let r = arena_required(&model);
    let spent = t.elapsed();
    assert!(spent < limit, "{name}: arena_required took {spent:?} ({r:?})");
    match r {
        Ok(_) | Err(Error::BadOperator { .. }) | Err(Error::TooLarge) => {}
        Err(e) => panic!("{name}: unexpected {e:?}"),
    }
}

/// The model above (built from the fuzz finding below, scaled up). Fails until planning is
/// bounded.
#[test]
fn slow_plan_huge_conv_output() {
    assert_plans_quickly("slow_plan_huge_conv_output", Duration::from_secs(1));
}

/// Found by the `capi` target as a 12 s input (sanitizer build): a 3x3 DEPTHWISE_CONV_2D from
/// 1x8x8x4 to 1x65536x255x4 (868 bytes, 67 MB arena). About 55 ms natively today.
#[test]
fn slow_plan_depthwise_output() {
    assert_plans_quickly("slow_plan_depthwise_output", Duration::from_secs(1));
}

/// Found by the `plan` target (a mutated `synth_ops_zoo` whose CONV_2D behind a PAD became a
/// CUSTOM operator); reduced with the model builder: `CUSTOM -> PAD -> CUSTOM`. With PAD folding
/// on (the default), `plan::graph::analyze` asks `ops::pad_foldable(pad, consumer)` about every
/// PAD before validating the operators in order, and `pad_foldable` propagates the consumer's
/// own error (`ops::ctx` fails with `UnsupportedOp` for operator 2), so the model is refused
/// naming operator 2; with PAD folding off it names operator 0, the first unsupported one.
/// `pw_model_verify` thus reports a different operator depending on `pw_options.flags`. A clean
/// error either way; the fix is for `pad_foldable` to answer `Ok(false)` when either operator
/// cannot be built (`ctx` fails), leaving errors to the in-order validation.
#[test]
fn error_op_depends_on_pad_fusion() {
    let model = reproducer("error_op_depends_on_pad_fusion");
    for bits in 0..32u8 {
        let opts = options_from_bits(bits);
        assert_eq!(
            arena_required_with(&model, &opts),
            Err(Error::UnsupportedOp { op: 0, opcode: 32 }),
            "the first unsupported operator is named whatever the options ({opts:?})"
        );
    }
}

/// Found by the `plan` target (strict mode): a variable tensor (state kept across invokes) last
/// read by the final operator was offered as that operator's in-place partner, so the output
/// could overwrite the state. Variables, like graph outputs, now live past the last operator.
#[test]
fn variable_tensor_dies_at_last_op() {
    no_partner_is_kept_state("variable_tensor_dies_at_last_op");
}

/// Found by the `plan` target: a variable tensor written by a RESHAPE that the planner aliased
/// to the RESHAPE's input (here the graph input) did not extend the lifetime of the bytes it
/// shares, so a later DEPTHWISE_CONV_2D could write over them in place. The variable rule now
/// applies to the alias root.
#[test]
fn variable_tensor_aliased_by_reshape() {
    no_partner_is_kept_state("variable_tensor_aliased_by_reshape");
}

/// Under every option combination, no buffer may overlap (be the in-place partner of) the bytes
/// of a graph output or of a variable tensor.
fn no_partner_is_kept_state(name: &str) {
    let model = reproducer(name);
    let m = patchwise::schema::Model::parse(&model).expect("the reproducer parses");
    let mut planned = 0;
    for bits in 0..32u8 {
        let opts = options_from_bits(bits);
        let Ok(d) = plan_details(&model, &opts) else { continue };
        if let Some((i, p)) = patchwise_testkit::shadow::partner_over_kept_state(&m, &d) {
            panic!("{opts:?}: buffer {i} may overwrite graph output / variable {p}");
        }
        planned += 1;
    }
    assert!(planned > 0, "{name}: no option combination plans the reproducer");
}

/// Found by the `plan` target's shadow replay: a CONV_2D with SAME padding whose declared output
/// is smaller than the one TFLM computes (TFLM runs such models: padding comes from the
/// computed size, the loops from the declared one). With a PAD folded in, the convolution's
/// own SAME padding was derived from the declared size instead, so the result depended on
/// whether PAD folding was on. (Reproducer written with the model builder: PAD bottom/right
/// 1 → 5×5, 3×3 stride-2 SAME convolution declared 2×2, computed 3×3.)
#[test]
fn folded_pad_same_declared_output() {
    assert_plan_independent("folded_pad_same_declared_output");
}

/// Found by the `plan` target's shadow replay: `ADD(t0, t1) -> t1` as the first operator, `t1`
/// a graph input and variable tensor (state updated in place: `state += x`). `t1` is live
/// before operator 0, but its lifetime starts at 0 like a tensor operator 0 creates, so the
/// planner let it take the bytes of the dying input `t0`: the two inputs shared bytes before
/// the invoke even began. Buffers live before operator 0 are no longer "born" there.
#[test]
fn variable_input_written_by_first_op() {
    let model = reproducer("variable_input_written_by_first_op");
    let m = patchwise::schema::Model::parse(&model).expect("the reproducer parses");
    let mut planned = 0;
    for bits in 0..32u8 {
        let opts = options_from_bits(bits);
        let Ok(d) = plan_details(&model, &opts) else { continue };
        planned += 1;
        let span = |t: usize| {
            let (o, n) = (d.offsets[t] as usize, m.tensor(t).unwrap().bytes());
            o..o + n
        };
        let (a, b) = (span(m.input(0).unwrap()), span(m.input(1).unwrap()));
        assert!(a.end <= b.start || b.end <= a.start, "{opts:?}: graph inputs share bytes: {a:?} and {b:?}");
    }
    assert_eq!(planned, 32);
}
