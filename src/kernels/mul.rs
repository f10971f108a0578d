//! MUL (int8, with fused activation and NumPy-style broadcasting), bit-exact with TFLM.
//!
//! TFLM multiplies the zero-point-corrected inputs in int32 and requantizes the product once
//! with `scale1 · scale2 / output_scale` (computed in double, then `QuantizeMultiplier`), using
//! the two-rounding fixed-point multiply, adds the output zero point and clamps to the fused
//! activation range.

use super::add::{check_quant_i8, Broadcast};
use super::io::Io;
use crate::quant::{activation_range_i8, multiply_by_quantized_multiplier, quantize_multiplier, Activation};
use crate::tensor::Shape;
use crate::Result;

/// Prepared int8 MUL (TFLM `CalculateOpDataMul` for int8 tensors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulParams {
    input1_offset: i32,
    input2_offset: i32,
    output_offset: i32,
    output_multiplier: i32,
    output_shift: i32,
    act_min: i32,
    act_max: i32,
    broadcast: Broadcast,
}

impl MulParams {
    /// Prepares `output = act(input1 · input2)` on int8 tensors.
    ///
    /// Scales must be finite and positive, zero points in `-128..=127`, and the shapes
    /// broadcast-compatible with the output (see [`Broadcast`]); otherwise
    /// [`crate::Error::InvalidArgument`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        input1_scale: f32,
        input1_zero_point: i32,
        input2_scale: f32,
        input2_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
        activation: Activation,
        input1_shape: Shape,
        input2_shape: Shape,
        output_shape: Shape,
    ) -> Result<MulParams> {
        check_quant_i8(input1_scale, input1_zero_point)?;
        check_quant_i8(input2_scale, input2_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let broadcast = Broadcast::new(input1_shape, input2_shape, output_shape)?;
        let real = input1_scale as f64 * input2_scale as f64 / output_scale as f64;
        let q = quantize_multiplier(real);
        let (act_min, act_max) = activation_range_i8(activation, output_scale, output_zero_point);
        Ok(MulParams {
            input1_offset: -input1_zero_point,
            input2_offset: -input2_zero_point,
            output_offset: output_zero_point,
            output_multiplier: q.multiplier,
            output_shift: q.shift,
            act_min,
            act_max,
            broadcast,
        })
    }

    /// The broadcast plan (slice lengths the eval expects).
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }

    #[inline(always)]
    fn mul_one(&self, x: i8, y: i8) -> i8 {
        let a = self.input1_offset + x as i32;
        let b = self.input2_offset + y as i32;
        // Wrapping like TFLM's int32 arithmetic when a huge multiplier overflows.
        let raw = self.output_offset.wrapping_add(multiply_by_quantized_multiplier(
            a * b,
            self.output_multiplier,
            self.output_shift,
        ));
        raw.max(self.act_min).min(self.act_max) as i8
    }
}

/// Int8 MUL: `output[i] = act(input1[…] · input2[…])` over the broadcast plan in `params`.
///
/// Tensors are dense row-major (NHWC for 4-D; an SE block's `[1,H,W,C] · [1,1,1,C]` is the
/// typical broadcast). `io` input 0 is `input1`, input 1 is `input2`; they must hold at least
/// [`Broadcast::input1_len`] and [`Broadcast::input2_len`] elements and the output at least
/// [`Broadcast::output_len`]; otherwise nothing is written and
/// [`crate::Error::InvalidArgument`] is returned. Walks forward only (ascending output index):
/// an input with the output's shape (not a broadcast one) may share the output's buffer when
/// the output starts at or before it.
pub fn mul_s8(params: &MulParams, io: &mut Io<'_>) -> Result<()> {
    params.broadcast.run(io, |a, b| params.mul_one(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MUL over separate buffers.
    fn mul(p: &MulParams, a: &[i8], b: &[i8], out: &mut [i8]) -> Result<()> {
        mul_s8(p, &mut Io::split2(a, b, out))
    }

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn flat(s1: f32, z1: i32, s2: f32, z2: i32, so: f32, zo: i32, act: Activation, n: usize) -> MulParams {
        MulParams::new(s1, z1, s2, z2, so, zo, act, shape(&[n]), shape(&[n]), shape(&[n])).unwrap()
    }

    #[test]
    fn multiplier_is_scale_product_over_output() {
        // 0.5 · 0.25 / 0.125 = 1.0 → frexp 0.5·2^1 → (2^30, 1).
        let p = flat(0.5, 0, 0.25, 0, 0.125, 0, Activation::None, 1);
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, 1));
    }

    #[test]
    fn exact_products_and_saturation() {
        // Multiplier 1.0: product passes through unchanged, then clamps.
        let p = flat(1.0, 0, 1.0, 0, 1.0, 0, Activation::None, 5);
        let mut out = [0i8; 5];
        mul(&p, &[3, -4, 12, -128, -128], &[5, 6, 11, 127, -128], &mut out).unwrap();
        assert_eq!(out, [15, -24, 127, -128, 127]);
    }

    #[test]
    fn rounding_ties_go_away_from_zero() {
        // Multiplier 0.5 → (2^30, 0): only the doubling high multiply runs, and it rounds
        // ties toward +infinity: 0.5 → 1, -0.5 → 0, 1.5 → 2, -1.5 → -1.
        let p = flat(1.0, 0, 1.0, 0, 2.0, 0, Activation::None, 4);
        let mut out = [0i8; 4];
        mul(&p, &[1, -1, 3, -3], &[1, 1, 1, 1], &mut out).unwrap();
        assert_eq!(out, [1, 0, 2, -1]);
        // Multiplier 0.25 → (2^30, -1): high multiply (x/2, ties up), then a rounding shift
        // by one (ties away from zero): 2 → 1 → 1, -2 → -1 → -1, 6 → 3 → 2, -6 → -3 → -2,
        // 5 → 3 → 2 (double rounding: 1.25 becomes 2), -5 → -2 → -1.
        let p = flat(1.0, 0, 1.0, 0, 4.0, 0, Activation::None, 6);
        let mut out = [0i8; 6];
        mul(&p, &[2, -2, 6, -6, 5, -5], &[1, 1, 1, 1, 1, 1], &mut out).unwrap();
        assert_eq!(out, [1, -1, 2, -2, 2, -1]);
    }

    #[test]
    fn zero_points_and_activation() {
        // (x-10)·(y+5) with unit multiplier, output zp 3, ReLU6 at scale 1 → [3, 9].
        let p = flat(1.0, 10, 1.0, -5, 1.0, 3, Activation::Relu6, 3);
        let mut out = [0i8; 3];
        mul(&p, &[12, 8, 11], &[-4, -4, -3], &mut out).unwrap();
        // (2·1)+3 = 5; (-2·1)+3 = 1 → 3; (1·2)+3 = 5
        assert_eq!(out, [5, 3, 5]);
    }

    #[test]
    fn huge_multiplier_wraps_without_panicking() {
        // 1 · 1 / 2^-20 = 2^20 → shift 21: products are shifted left past int32 and wrap
        // as TFLM's int32 arithmetic does in practice; only the clamped result is defined.
        let p = flat(1.0, 0, 1.0, 0, 1.0 / 1_048_576.0, -128, Activation::None, 3);
        let mut out = [0i8; 3];
        mul(&p, &[0, 1, -128], &[0, 1, -128], &mut out).unwrap();
        // 0 → -128; 1 → 2^20 - 128 → clamped to 127; (-128)² = 2^14, shifted left by 21 is
        // 2^35, which wraps to 0 in int32 → -128.
        assert_eq!(out, [-128, 127, -128]);
    }

    #[test]
    fn se_block_broadcast() {
        // [1,2,2,2] · [1,1,1,2] (per-channel gate).
        let p = MulParams::new(
            1.0,
            0,
            1.0,
            0,
            1.0,
            0,
            Activation::None,
            shape(&[1, 2, 2, 2]),
            shape(&[1, 1, 1, 2]),
            shape(&[1, 2, 2, 2]),
        )
        .unwrap();
        let mut out = [0i8; 8];
        mul(&p, &[1, 2, 3, 4, 5, 6, 7, 8], &[2, -1], &mut out).unwrap();
        assert_eq!(out, [2, -2, 6, -4, 10, -6, 14, -8]);
        // Scalar second operand.
        let p = MulParams::new(1.0, 0, 1.0, 0, 1.0, 0, Activation::None, shape(&[2, 2]), shape(&[1]), shape(&[2, 2]))
            .unwrap();
        let mut out = [0i8; 4];
        mul(&p, &[1, -2, 30, 64], &[3], &mut out).unwrap();
        assert_eq!(out, [3, -6, 90, 127]);
    }
}
