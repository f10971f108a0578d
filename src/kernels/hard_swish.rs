//! HARD_SWISH (int8), bit-exact with TFLM's reference kernel.
//!
//! `hard_swish(x) = x · relu6(x + 3) / 6`. TFLM computes it in 16-bit fixed point: the input
//! (minus its zero point) is moved to a "high-resolution" scale `input_scale / 128`; one
//! 16-bit multiplier maps it to the output scale, another to a "reluish" value in
//! `[-1, 1]` (scale 3/32768), which is then mapped to `[0, 1]` and multiplied with the first.
//! Both multipliers come from float ratios passed through `QuantizeMultiplier` and rounded to
//! 16 bits.

use super::activations::map_s8;
use super::add::check_quant_i8;
use super::call::MapCall;
use super::io::Io;
use crate::quant::quantize_multiplier;
use crate::{Error, Result};

/// Prepared int8 HARD_SWISH (TFLM `HardSwishPrepare` → `HardSwishParams`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HardSwishParams {
    input_zero_point: i16,
    output_zero_point: i16,
    reluish_multiplier_fixedpoint_int16: i16,
    reluish_multiplier_exponent: i32,
    output_multiplier_fixedpoint_int16: i16,
    output_multiplier_exponent: i32,
}

impl HardSwishParams {
    /// Prepares int8 hard-swish from the input and output quantization.
    ///
    /// Scales must be finite and positive, zero points in `-128..=127`. As in TFLM, the output
    /// multiplier `input_scale / (128 · output_scale)` must be below one (exponent ≤ 0).
    /// Also refused: scale ratios so extreme that TFLM's shifts would be undefined (reluish
    /// exponent above 31, i.e. `input_scale` above about 2^24).
    pub fn new(
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<HardSwishParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        // Ratios in float, as TFLM computes them, then widened to double.
        let hires_input_scale = (1.0f32 / 128.0) * input_scale;
        let reluish_scale = 3.0f32 / 32768.0;
        let output_real = (hires_input_scale / output_scale) as f64;
        let reluish_real = (hires_input_scale / reluish_scale) as f64;
        if !output_real.is_finite() || !reluish_real.is_finite() {
            return Err(Error::InvalidArgument);
        }
        let out = quantize_multiplier(output_real);
        let reluish = quantize_multiplier(reluish_real);
        if out.shift > 0 || reluish.shift > 31 {
            return Err(Error::InvalidArgument);
        }
        Ok(HardSwishParams {
            input_zero_point: input_zero_point as i16,
            output_zero_point: output_zero_point as i16,
            reluish_multiplier_fixedpoint_int16: down_scale_to_i16(reluish.multiplier),
            reluish_multiplier_exponent: reluish.shift,
            output_multiplier_fixedpoint_int16: down_scale_to_i16(out.multiplier),
            output_multiplier_exponent: out.shift,
        })
    }

    #[inline(always)]
    fn eval_one(&self, x: i8) -> i8 {
        // |x - zp| ≤ 255, so both values fit in i16.
        let input_value = (x as i16).wrapping_sub(self.input_zero_point);
        let hires = input_value.wrapping_mul(1 << 7);
        let preshift_output_scale = srdhm16(hires, self.output_multiplier_fixedpoint_int16);
        let e = self.reluish_multiplier_exponent;
        let mut reluish = hires;
        if e > 0 {
            reluish = saturating_shl16(reluish, e - 1);
        }
        reluish = srdhm16(reluish, self.reluish_multiplier_fixedpoint_int16);
        if e > 0 {
            reluish = saturating_shl16(reluish, 1);
        }
        if e < 0 {
            reluish = rounding_divide_by_pot16(reluish, -e);
        }
        // Map [-1, 1] to [0, 1] (in Q0.15).
        reluish = ((reluish as i32 + (1 << 15)) >> 1) as i16;
        let preshift_output = doubling_high_mul16(reluish, preshift_output_scale);
        let out = rounding_divide_by_pot16(preshift_output, -self.output_multiplier_exponent)
            .wrapping_add(self.output_zero_point);
        out.clamp(i8::MIN as i16, i8::MAX as i16) as i8
    }
}

/// Int8 hard-swish, elementwise over input 0 of `io`. The output must be at least as long as
/// the input (otherwise [`Error::InvalidArgument`], nothing written); any layout. Walks
/// forward (ascending index); the output may share the input's buffer when it starts at or
/// before the input.
pub fn hard_swish_s8(params: &HardSwishParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    map_s8(io, call, |x| params.eval_one(x))
}

/// TFLM `DownScaleInt32ToInt16Multiplier`: round a non-negative Q31 multiplier to Q15,
/// saturating near the top.
fn down_scale_to_i16(m: i32) -> i16 {
    const ROUNDING_OFFSET: i32 = 1 << 15;
    if m >= i32::MAX - ROUNDING_OFFSET {
        return i16::MAX;
    }
    ((m + ROUNDING_OFFSET) >> 16) as i16
}

/// gemmlowp `SaturatingRoundingDoublingHighMul` on int16 (ties toward +infinity).
#[inline(always)]
fn srdhm16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    let ab = a as i32 * b as i32;
    let nudge = if ab >= 0 { 1 << 14 } else { 1 - (1 << 14) };
    ((ab + nudge) / (1 << 15)) as i16
}

/// TFLM's hard-swish `SaturatingDoublingHighMul`: like [`srdhm16`] but truncating toward zero.
#[inline(always)]
fn doubling_high_mul16(a: i16, b: i16) -> i16 {
    if a == i16::MIN && b == i16::MIN {
        return i16::MAX;
    }
    ((a as i32 * b as i32) / (1 << 15)) as i16
}

/// TFLM's hard-swish `SaturatingLeftShift`: `value · 2^amount` clamped to int16
/// (`amount` in `0..=30`).
#[inline(always)]
fn saturating_shl16(value: i16, amount: i32) -> i16 {
    let r = (value as i64) << (amount & 31);
    r.clamp(i16::MIN as i64, i16::MAX as i64) as i16
}

/// gemmlowp `RoundingDivideByPOT` instantiated for int16, including its behaviour when the
/// exponent is 16 or more (the mask truncates to -1 in 16 bits). `exponent` in `0..=31`.
#[inline(always)]
fn rounding_divide_by_pot16(x: i16, exponent: i32) -> i16 {
    let exponent = (exponent & 31) as u32;
    let mask = ((1i64 << exponent) - 1) as i16;
    let remainder = x & mask;
    let threshold = (mask >> 1).wrapping_add((x < 0) as i16);
    let shifted = ((x as i32) >> exponent) as i16;
    shifted.wrapping_add((remainder > threshold) as i16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(p: &HardSwishParams, x: &[i8]) -> [i8; 8] {
        let mut out = [0i8; 8];
        hard_swish_s8(p, &MapCall::flat(x.len()), &mut Io::split(x, &mut out[..x.len()])).unwrap();
        out
    }

    #[test]
    fn prepare_matches_tflm() {
        // input 0.1, output 0.05: hires = 0.1f/128; output ratio = 0.015625 (float) → exactly
        // 2^-6 → (2^30, -5) → Q15 2^14. Reluish ratio = hires / (3/32768) = 8.5333… → shift 4.
        let p = HardSwishParams::new(0.1, 0, 0.05, 0).unwrap();
        assert_eq!((p.output_multiplier_fixedpoint_int16, p.output_multiplier_exponent), (1 << 14, -5));
        assert_eq!(p.reluish_multiplier_exponent, 4);
        assert_eq!(down_scale_to_i16(i32::MAX), i16::MAX);
        assert_eq!(down_scale_to_i16(1 << 30), 1 << 14);
        assert_eq!(down_scale_to_i16((1 << 30) + (1 << 15)), (1 << 14) + 1);
    }

    #[test]
    fn zero_and_saturation() {
        // Input at the zero point → exact zero → output zero point.
        let p = HardSwishParams::new(0.1, 7, 0.05, -3).unwrap();
        assert_eq!(eval(&p, &[7])[0], -3);
        // Input scale 0.1 with zero point -128: 127 is x = 25.5 → hard_swish 25.5 → 510
        // output steps → saturates to 127. Input -128 is x = 0 → -3.
        let p = HardSwishParams::new(0.1, -128, 0.05, -3).unwrap();
        assert_eq!(&eval(&p, &[127, -128])[..2], &[127, -3]);
        // Large negative inputs give 0 (hard_swish(-x) = 0 for x ≥ 3).
        let p = HardSwishParams::new(0.1, 0, 0.05, 0).unwrap();
        assert_eq!(&eval(&p, &[-128, -31])[..2], &[0, 0]);
    }

    #[test]
    fn int16_helpers() {
        assert_eq!(srdhm16(i16::MIN, i16::MIN), i16::MAX);
        // 0.5 · 2^-15 ties: srdhm16(1, 16384) = (16384 + 16384) / 32768 = 1, negative → 0.
        assert_eq!(srdhm16(1, 16384), 1);
        assert_eq!(srdhm16(-1, 16384), 0);
        // Truncating variant: 16384 / 32768 → 0.
        assert_eq!(doubling_high_mul16(1, 16384), 0);
        assert_eq!(doubling_high_mul16(-3, 16384), -1);
        assert_eq!(saturating_shl16(20000, 1), i16::MAX);
        assert_eq!(saturating_shl16(-20000, 1), i16::MIN);
        assert_eq!(rounding_divide_by_pot16(3, 1), 2);
        assert_eq!(rounding_divide_by_pot16(-3, 1), -2);
        assert_eq!(rounding_divide_by_pot16(-32768, 15), -1);
        // Exponent ≥ 16: the 16-bit mask wraps to -1 and non-negative inputs become 1.
        assert_eq!(rounding_divide_by_pot16(0, 16), 1);
        assert_eq!(rounding_divide_by_pot16(-5, 20), -1);
    }

    #[test]
    fn rejects_bad_params() {
        // Output multiplier ≥ 1 (output scale far below input/128).
        assert!(HardSwishParams::new(1.0, 0, 0.001, 0).is_err());
        assert!(HardSwishParams::new(0.1, 128, 0.1, 0).is_err());
        assert!(HardSwishParams::new(0.1, 0, f32::NAN, 0).is_err());
    }
}
