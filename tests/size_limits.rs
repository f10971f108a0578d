//! Sizes at the edge of the address space: the arena arithmetic is checked, so models near the
//! limits get their exact size or `TooLarge`, never a wrapped size or a panic, on 64-bit hosts
//! and on 32-bit targets alike (`.ci/test-32bit.sh` runs this file on i686).
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::builder::{BuiltinOp, ModelBuilder, OpOptions, TensorSpec};
use patchwise::{arena_required_with, Error, HostArena, Interpreter, Options};

/// RELU between two int8 tensors of shape `[1, h, w, 1]`.
fn relu(h: i32, w: i32) -> Vec<u8> {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("x", &[1, h, w, 1], 0.5, 0));
    let y = b.add_tensor(TensorSpec::int8("y", &[1, h, w, 1], 0.5, 0));
    b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
    b.set_io(&[x], &[y]);
    b.finish()
}

/// 512 MiB per tensor: two of them live at once still fit the planner's 2 GiB of offsets.
const HALF_GIB: usize = 1 << 29;

/// Just below `i32::MAX` bytes: the largest tensor a model may hold.
fn largest() -> Vec<u8> {
    relu(46340, 46340)
}

#[test]
fn large_tensors_get_their_exact_size() {
    let model = relu(16384, 32768);
    let in_place = arena_required_with(&model, &Options::default()).unwrap();
    assert!((HALF_GIB..HALF_GIB + 4096).contains(&in_place), "{in_place}");
    let separate = arena_required_with(&model, &Options::layer_by_layer()).unwrap();
    assert!((2 * HALF_GIB..2 * HALF_GIB + 4096).contains(&separate), "{separate}");
}

#[test]
fn two_largest_tensors_are_too_large() {
    // Both are live at op 0 (greedy placement comes first, with or without in-place): over
    // the planner's 2 GiB of offsets, and over a 32-bit address space.
    for options in [Options::default(), Options::layer_by_layer()] {
        assert_eq!(arena_required_with(&largest(), &options).err(), Some(Error::TooLarge));
    }
}

#[test]
fn a_small_arena_reports_the_exact_requirement() {
    let mut arena = HostArena::new(4096);
    let model = relu(16384, 32768);
    let need = arena_required_with(&model, &Options::default()).unwrap();
    let err = Interpreter::init(&model, arena.bytes_mut(), &Options::default()).err();
    assert_eq!(err, Some(Error::ArenaTooSmall { required: need }));
    let err = Interpreter::init(&largest(), arena.bytes_mut(), &Options::default()).err();
    assert_eq!(err, Some(Error::TooLarge));
}

/// PAD then a SAME CONV_2D whose dilation is `dilation`: the padding arithmetic of the folded
/// PAD and of the convolution reaches 2^32 for large dilations (overflowing a 32-bit `usize`).
fn padded_dilated_conv(dilation: i32) -> Vec<u8> {
    use patchwise::builder::{Conv2DOptions, Padding, QuantSpec};
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("x", &[1, 2, 2, 1], 0.5, 0));
    let pads = b.add_const_i32("pads", &[4, 2], &[0, 0, 1, 1, 1, 1, 0, 0]);
    let p = b.add_tensor(TensorSpec::int8("p", &[1, 4, 4, 1], 0.5, 0));
    b.add_op(BuiltinOp::PAD, &[x, pads], &[p], OpOptions::None);
    let w = b.add_const_i8("w", &[1, 3, 3, 1], &[1; 9], QuantSpec::per_tensor(0.01, 0));
    let y = b.add_tensor(TensorSpec::int8("y", &[1, 4, 4, 1], 0.25, 0));
    let opts = Conv2DOptions {
        padding: Padding::Same,
        stride_w: 1,
        stride_h: 1,
        dilation_w: dilation,
        dilation_h: dilation,
        ..Conv2DOptions::default()
    };
    b.add_op(BuiltinOp::CONV_2D, &[p, w], &[y], OpOptions::Conv2D(opts));
    b.set_io(&[x], &[y]);
    b.finish()
}

#[test]
fn huge_dilations_are_refused_or_run_without_overflow() {
    for dilation in [1, 3, 1 << 20, i32::MAX / 2, i32::MAX] {
        let model = padded_dilated_conv(dilation);
        // Any outcome but a panic (overflow checks are on in tests): an error, or a plan that
        // then runs (every tap of a huge dilation falls in the padding).
        let Ok(need) = arena_required_with(&model, &Options::default()) else { continue };
        let mut arena = HostArena::new(need);
        let interp = Interpreter::init(&model, arena.bytes_mut(), &Options::default()).unwrap();
        interp.input_mut(0).unwrap().data.fill(3);
        interp.invoke().unwrap();
    }
}

/// One RELU (`[1, 1, 1, 1]` int8) plus `extra` unused tensors, and `ops` RELUs chained.
fn relu_chain(ops: usize, extra: usize) -> Vec<u8> {
    let mut b = ModelBuilder::new();
    let spec = |n: usize| TensorSpec::int8(&format!("t{n}"), &[1, 1, 1, 1], 0.5, 0);
    let first = b.add_tensor(spec(0));
    let mut x = first;
    for o in 0..ops {
        let y = b.add_tensor(spec(o + 1));
        b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
        x = y;
    }
    for e in 0..extra {
        b.add_tensor(spec(ops + 1 + e));
    }
    b.set_io(&[first], &[x]);
    b.finish()
}

#[test]
fn buffer_and_operator_counts_are_limited() {
    use patchwise::schema::{Model, MAX_BUFFERS, MAX_OPERATORS};
    // The planner numbers tensors and per-operator scratch with u16 indices: at the limit the
    // model plans and runs, one more tensor is refused (it used to wrap the alias indices).
    let at_limit = relu_chain(1, MAX_BUFFERS - 3);
    let m = Model::parse(&at_limit).unwrap();
    assert_eq!(m.num_tensors() + m.num_operators(), MAX_BUFFERS);
    let need = arena_required_with(&at_limit, &Options::default()).unwrap();
    let mut arena = HostArena::new(need);
    let it = Interpreter::init(&at_limit, arena.bytes_mut(), &Options::default()).unwrap();
    it.input_mut(0).unwrap().data[0] = 0xfb; // -5
    it.invoke().unwrap();
    assert_eq!(it.output(0).unwrap().data, &[0]);
    let over = relu_chain(1, MAX_BUFFERS - 2);
    assert_eq!(Model::parse(&over).err(), Some(Error::TooLarge));
    // The run-plan gives an operator index 14 bits.
    assert!(Model::parse(&relu_chain(MAX_OPERATORS, 0)).is_ok());
    assert_eq!(Model::parse(&relu_chain(MAX_OPERATORS + 1, 0)).err(), Some(Error::TooLarge));
}
