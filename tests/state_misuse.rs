//! Using interpreters in unusual but legal orders: invoking repeatedly, several interpreters on
//! separate arenas used alternately, re-initializing an arena. Every run must give TFLM's
//! golden output. (The C API's misuse of handles is covered by examples-c/host/misuse.c.)
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::{arena_required, Error, HostArena, Interpreter, Options};
use std::path::PathBuf;

fn case(name: &str) -> (Vec<u8>, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ops").join(name);
    (std::fs::read(dir.join("model.tflite")).unwrap(), dir)
}

fn load(interp: &mut Interpreter<'_, '_>, dir: &std::path::Path, k: usize) {
    for i in 0..interp.num_inputs() {
        let bytes = std::fs::read(dir.join(format!("case{k}.in{i}.bin"))).unwrap();
        interp.input_mut(i).unwrap().data.copy_from_slice(&bytes);
    }
}

fn check(interp: &Interpreter<'_, '_>, dir: &std::path::Path, k: usize) {
    for j in 0..interp.num_outputs() {
        let want = std::fs::read(dir.join(format!("case{k}.out{j}.bin"))).unwrap();
        assert_eq!(interp.output(j).unwrap().data, want.as_slice(), "{} case {k} output {j}", dir.display());
    }
}

#[test]
fn invoking_again_gives_the_same_result() {
    for name in ["conv_3x3_s2_same_odd", "dw_3x3_s1_same", "multi_io_add_mul", "softmax_4d", "dequantize_i8_to_f32"] {
        let (model, dir) = case(name);
        let mut arena = HostArena::new(arena_required(&model).unwrap());
        let interp = Interpreter::init(&model, arena.bytes_mut(), &Options::default()).unwrap();
        for round in 0..3 {
            for k in 0..3 {
                load(interp, &dir, k);
                interp.invoke().unwrap_or_else(|e| panic!("{name} round {round}: {e}"));
                check(interp, &dir, k);
            }
        }
        assert_eq!(interp.last_error(), None);
    }
}

#[test]
fn two_interpreters_used_alternately_do_not_interfere() {
    let (m1, d1) = case("conv_5x5_same");
    let (m2, d2) = case("multi_io_add_mul");
    let mut a1 = HostArena::new(arena_required(&m1).unwrap());
    let mut a2 = HostArena::new(arena_required(&m2).unwrap());
    // Two interpreters of the same model too: nothing is shared between arenas.
    let mut a3 = HostArena::new(arena_required(&m1).unwrap());
    let i1 = Interpreter::init(&m1, a1.bytes_mut(), &Options::default()).unwrap();
    let i2 = Interpreter::init(&m2, a2.bytes_mut(), &Options::default()).unwrap();
    let i3 = Interpreter::init(&m1, a3.bytes_mut(), &Options::default()).unwrap();
    for k in [0, 2, 1, 0] {
        load(i1, &d1, k);
        load(i2, &d2, 2 - k);
        load(i3, &d1, 2 - k);
        i2.invoke().unwrap();
        i1.invoke().unwrap();
        i3.invoke().unwrap();
        check(i1, &d1, k);
        check(i2, &d2, 2 - k);
        check(i3, &d1, 2 - k);
    }
}

#[test]
fn an_arena_can_be_reused_for_another_model() {
    let (m1, d1) = case("avgpool_3x3_s2_same_odd");
    let (m2, d2) = case("fc_4d_flatten");
    let need = arena_required(&m1).unwrap().max(arena_required(&m2).unwrap());
    let mut arena = HostArena::new(need);
    for (model, dir) in [(&m1, &d1), (&m2, &d2), (&m1, &d1)] {
        let interp = Interpreter::init(model, arena.bytes_mut(), &Options::default()).unwrap();
        load(interp, dir, 1);
        interp.invoke().unwrap();
        check(interp, dir, 1);
    }
    // A failed init leaves the arena usable for the next one.
    assert!(matches!(
        Interpreter::init(&m1[..m1.len() / 2], arena.bytes_mut(), &Options::default()),
        Err(Error::Truncated | Error::BadOffset)
    ));
    let interp = Interpreter::init(&m2, arena.bytes_mut(), &Options::default()).unwrap();
    load(interp, &d2, 0);
    interp.invoke().unwrap();
    check(interp, &d2, 0);
}

#[test]
fn the_model_may_sit_at_any_address() {
    let (model, dir) = case("conv_per_tensor");
    for shift in 1..8 {
        let mut shifted = vec![0u8; model.len() + shift];
        shifted[shift..].copy_from_slice(&model);
        let bytes = &shifted[shift..];
        let mut arena = HostArena::new(arena_required(bytes).unwrap());
        let interp = Interpreter::init(bytes, arena.bytes_mut(), &Options::default()).unwrap();
        load(interp, &dir, 0);
        interp.invoke().unwrap();
        check(interp, &dir, 0);
    }
}

/// Any arena of at least the required bytes works, whatever its length (odd lengths too) and
/// the outputs are the goldens; one byte less is refused with the figure.
#[test]
fn any_arena_length_from_the_need_up_works() {
    let names: &[&str] = if cfg!(miri) {
        &["multi_io_add_mul"]
    } else {
        &["conv_3x3_s2_same_odd", "dw_3x3_s1_same", "multi_io_add_mul", "softmax_4d", "dequantize_i8_to_f32"]
    };
    for &name in names {
        let (model, dir) = case(name);
        let need = arena_required(&model).unwrap();
        let mut arena = HostArena::new(need + 80);
        // Under Miri (slow) a few lengths: exact, odd, and past one 16-byte unit.
        let extras: Vec<usize> = if cfg!(miri) { vec![0, 1, 3, 17] } else { (0..=67).chain([79, 80]).collect() };
        for extra in extras {
            let len = need + extra;
            let interp = Interpreter::init(&model, &mut arena.bytes_mut()[..len], &Options::default())
                .unwrap_or_else(|e| panic!("{name}: init with {len} bytes (need {need}): {e}"));
            assert_eq!(interp.arena_used(), need, "{name}");
            load(interp, &dir, 0);
            interp.invoke().unwrap();
            check(interp, &dir, 0);
        }
        match Interpreter::init(&model, &mut arena.bytes_mut()[..need - 1], &Options::default()) {
            Err(Error::ArenaTooSmall { required }) => assert_eq!(required, need, "{name}"),
            other => panic!("{name}: {:?}", other.map(|_| ())),
        }
    }
}
