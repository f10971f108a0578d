//! Every kernel variant against the portable kernels (`patchwise_testkit::conformance`): the
//! committed op cases and random shapes, the output over its input at the distances the
//! variant declares, and outputs computed in parts against the whole.

// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::memory::Bound;
use patchwise::ops::OpSpec;
use patchwise::variants::{portable, Access, Region, Variant};
use patchwise_testkit::conformance::{check, check_variant};

/// Random models per variant (the committed op cases run as well).
const RANDOM: usize = 150;

#[test]
fn every_portable_variant_conforms() {
    let mut failures = Vec::new();
    for (i, v) in portable::TABLE.iter().enumerate() {
        match check(v.id, RANDOM, 0x5EED_0000 + i as u64) {
            Ok(r) => {
                println!("{:<32} {r:?}", v.name);
                assert!(r.cases > 0, "{}: no case ran", v.name);
                if v.parts && r.cases > r.hand_cases {
                    assert!(r.parts > 0, "{}: no part computed", v.name);
                }
                if matches!(v.access, Access::Window { .. } | Access::SameOffset | Access::Forward | Access::Backward)
                    && r.cases > r.hand_cases
                {
                    assert!(r.overlapped > 0, "{}: never overlapped", v.name);
                }
                if matches!(v.access, Access::Window { .. }) {
                    assert!(r.tight > 10, "{}: declared distances not shown tight ({r:?})", v.name);
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every fast portable variant (src/kernels/conv_fast.rs, src/kernels/depthwise_fast.rs)
/// against the portable kernels, with more random cases.
#[test]
fn every_fast_variant_conforms() {
    let mut failures = Vec::new();
    for (i, v) in patchwise::variants::fast::TABLE.iter().enumerate() {
        match check_variant(v, 4 * RANDOM, 0xFA57_0000 + i as u64) {
            Ok(r) => {
                println!("{:<32} {r:?}", v.name);
                assert!(r.cases > 4 * RANDOM, "{}: only {} cases ran", v.name, r.cases);
                assert!(r.parts > 0 && r.overlapped > 0, "{}: {r:?}", v.name);
                if matches!(v.access, Access::Window { .. }) {
                    assert!(r.tight > 10, "{}: declared distances not shown tight ({r:?})", v.name);
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert_eq!(patchwise::variants::fast::TABLE.len(), 4);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every variant of the Xtensa port (feature `xtensa`; on the host its C kernels build with the
/// host's compiler) against the portable kernels, with more random cases.
#[cfg(all(feature = "xtensa", not(feature = "arm-dsp")))]
#[test]
fn every_xtensa_variant_conforms() {
    let mut failures = Vec::new();
    for (i, v) in patchwise::variants::port_table().iter().enumerate() {
        match check(v.id, 4 * RANDOM, 0x7E57_0000 + i as u64) {
            Ok(r) => {
                println!("{:<32} {r:?}", v.name);
                assert!(r.cases > 4 * RANDOM, "{}: only {} cases ran", v.name, r.cases);
                assert!(r.parts > 0 && r.overlapped > 0, "{}: {r:?}", v.name);
                assert!(r.tight > 10, "{}: declared distances not shown tight ({r:?})", v.name);
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(!patchwise::variants::port_table().is_empty());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every variant of the Arm port (feature `arm-dsp`; on the host its C kernels run on plain-C
/// definitions of the DSP instructions) against the portable kernels, with more random cases.
#[cfg(feature = "arm-dsp")]
#[test]
fn every_arm_variant_conforms() {
    let mut failures = Vec::new();
    for (i, v) in patchwise::variants::port_table().iter().enumerate() {
        match check(v.id, 4 * RANDOM, 0xA4A4_0000 + i as u64) {
            Ok(r) => {
                println!("{:<32} {r:?}", v.name);
                assert!(r.cases > 4 * RANDOM, "{}: only {} cases ran", v.name, r.cases);
                assert!(r.parts > 0 && r.overlapped > 0, "{}: {r:?}", v.name);
                assert!(r.tight > 10, "{}: declared distances not shown tight ({r:?})", v.name);
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(!patchwise::variants::port_table().is_empty());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A variant declaring more than it keeps is caught: the convolution kernel claimed to run
/// in place channel by channel, and the channel-by-channel depthwise claimed to walk pixels.
#[test]
fn a_false_access_declaration_is_caught() {
    use patchwise::variants::{get, VariantId};
    let conv = get(VariantId::Conv).unwrap();
    let r = check_variant(&Variant { access: Access::SameOffset, ..*conv }, 40, 1);
    assert!(r.is_err(), "a convolution written over its own input went unnoticed: {r:?}");
    let dw = get(VariantId::DepthwiseChannelwise).unwrap();
    let r = check_variant(&Variant { access: Access::Window { lead: 0 }, ..*dw }, 40, 2);
    assert!(r.is_err(), "a same-offset kernel placed at a window distance went unnoticed: {r:?}");
}

/// Runs the real kernel, then flips the last output bit.
fn off_by_one<'s, 'm>(spec: &OpSpec<'m>, b: &mut Bound<'s, 'm>, region: &Region) -> patchwise::Result<()> {
    let real = patchwise::variants::get(patchwise::variants::VariantId::Relu).unwrap();
    (real.run)(spec, b, region)?;
    if let Some(x) = b.split(spec.output)?.out.last_mut() {
        *x ^= 1;
    }
    Ok(())
}

/// A variant computing something else is caught.
#[test]
fn a_wrong_kernel_is_caught() {
    let relu = patchwise::variants::get(patchwise::variants::VariantId::Relu).unwrap();
    let r = check_variant(&Variant { run: off_by_one, ..*relu }, 10, 3);
    assert!(r.is_err(), "a kernel off by one bit went unnoticed: {r:?}");
}

/// A folded PAD's explicit padding gives what the unfolded PAD + convolution gives, on random
/// CONV_2D and DEPTHWISE_CONV_2D models (the whole model run with PAD folding on and off).
#[test]
fn folded_padding_equals_pad_then_convolution() {
    use patchwise::builder::Prng;
    use patchwise::ops::Family;
    use patchwise::{arena_required_with, HostArena, Interpreter, Options};
    use patchwise_testkit::conformance::random_model;
    let mut rng = Prng::new(0xF01D);
    let mut folded = 0;
    for case in 0..400 {
        let family = if case % 2 == 0 { Family::Conv } else { Family::Depthwise };
        let (model, _, pad) = random_model(family, &mut rng).unwrap();
        if pad.is_none() {
            continue;
        }
        let run = |options: &Options| -> Option<Vec<u8>> {
            let need = arena_required_with(&model, options).ok()?;
            let mut arena = HostArena::new(need);
            let interp = Interpreter::init(&model, arena.bytes_mut(), options).ok()?;
            let input = interp.input_mut(0).unwrap();
            for (i, b) in input.data.iter_mut().enumerate() {
                *b = (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8;
            }
            interp.invoke().unwrap();
            Some(interp.output(0).unwrap().data.to_vec())
        };
        let mut unfolded = Options::default();
        unfolded.pad_fusion = false;
        let (a, b) = (run(&Options::default()), run(&unfolded));
        assert_eq!(a.is_some(), b.is_some(), "case {case}: accepted with folding {}", a.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            assert_eq!(a, b, "case {case}: folded and unfolded PAD differ");
            folded += 1;
        }
    }
    assert!(folded > 80, "only {folded} folded cases ran");
}

/// Channel by channel in place needs each batch's output plane to fit its input plane: a
/// larger output (a folded PAD) of batch 0 would reach batch 1's input before it is copied
/// (the conformance harness found this on a random case).
#[test]
fn channelwise_refuses_a_larger_output_with_batches() {
    use patchwise::builder::{
        BuiltinOp, DepthwiseConv2DOptions, ModelBuilder, OpOptions, Padding, QuantSpec, TensorSpec, TensorType,
    };
    use patchwise::variants::{get, VariantId};
    let q = QuantSpec::per_tensor(0.05, 3);
    let mut b = ModelBuilder::new();
    let int8 = |b: &mut ModelBuilder, name: &str, shape: &[i32]| {
        b.add_tensor(TensorSpec::new(name, shape, TensorType::Int8).with_quant(q.clone()))
    };
    let x = int8(&mut b, "x", &[2, 3, 3, 4]);
    let paddings = b.add_const_i32("paddings", &[4, 2], &[0, 0, 1, 1, 1, 1, 0, 0]);
    let p = int8(&mut b, "padded", &[2, 5, 5, 4]);
    b.add_op(BuiltinOp::PAD, &[x, paddings], &[p], OpOptions::Pad);
    let f = b.add_const_i8("filter", &[1, 1, 1, 4], &[1, -2, 3, -4], QuantSpec::per_tensor(0.1, 0));
    let y = int8(&mut b, "y", &[2, 5, 5, 4]);
    let o = DepthwiseConv2DOptions { padding: Padding::Valid, ..Default::default() };
    b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &[p, f], &[y], OpOptions::DepthwiseConv2D(o));
    b.set_io(&[x], &[y]);
    let bytes = b.finish();
    let model = patchwise::schema::Model::parse(&bytes).unwrap();
    let spec = patchwise::ops::prepare(&model, 1, Some(0)).unwrap();
    assert!(!get(VariantId::DepthwiseChannelwise).unwrap().supports(&spec));
    let unfolded = patchwise::ops::prepare(&model, 1, None).unwrap();
    assert!(get(VariantId::DepthwiseChannelwise).unwrap().supports(&unfolded), "equal planes stay allowed");
}
