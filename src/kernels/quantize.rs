//! QUANTIZE: float32 → int8 and int8 → int8 (requantize), bit-exact with TFLM.
//!
//! Float → int8 divides by the output scale in float (no reciprocal), rounds half away from
//! zero (`roundf`), converts to int32, adds the zero point and clamps. int8 → int8 rescales
//! `input - input_zp` by the Q31 form of `double(input_scale) / double(output_scale)` with
//! TFLM's two-rounding multiply, adds the output zero point and clamps.

use super::add::check_quant_i8;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::{Error, Result};

/// Prepared float32 → int8 QUANTIZE (the output tensor's quantization).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantizeParams {
    scale: f32,
    zero_point: i32,
}

impl QuantizeParams {
    /// Prepares float → int8 with the output's scale (finite, positive) and zero point
    /// (`-128..=127`).
    pub fn new(output_scale: f32, output_zero_point: i32) -> Result<QuantizeParams> {
        check_quant_i8(output_scale, output_zero_point)?;
        Ok(QuantizeParams { scale: output_scale, zero_point: output_zero_point })
    }

    /// One value: `clamp(roundf(x / scale) + zero_point)`.
    ///
    /// A quotient outside the int32 range (or NaN) converts to `i32::MIN`, as the x86-64
    /// conversion in TFLM's host build does, so huge positive inputs and NaN give -128 just
    /// like the oracle (on Arm, TFLM itself would saturate instead).
    #[inline(always)]
    pub fn quantize_one(&self, x: f32) -> i8 {
        let t = libm::roundf(x / self.scale);
        let q = if (-2_147_483_648.0f32..2_147_483_648.0f32).contains(&t) { t as i32 } else { i32::MIN };
        q.wrapping_add(self.zero_point).clamp(i8::MIN as i32, i8::MAX as i32) as i8
    }
}

/// Float32 → int8 QUANTIZE, elementwise. `output` must be at least as long as `input`
/// (otherwise [`Error::InvalidArgument`], nothing written); any layout.
pub fn quantize_f32_s8(params: &QuantizeParams, input: &[f32], output: &mut [i8]) -> Result<()> {
    let Some(output) = output.get_mut(..input.len()) else {
        return Err(Error::InvalidArgument);
    };
    for (o, &x) in output.iter_mut().zip(input) {
        *o = params.quantize_one(x);
    }
    Ok(())
}

/// Prepared int8 → int8 QUANTIZE (requantization; TFLM's `Requantize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantizeParams {
    input_zero_point: i32,
    output_zero_point: i32,
    multiplier: i32,
    shift: i32,
}

impl RequantizeParams {
    /// Prepares int8 → int8 from the input and output quantization (finite positive scales,
    /// zero points in `-128..=127`).
    pub fn new(
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<RequantizeParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let q = quantize_multiplier(input_scale as f64 / output_scale as f64);
        Ok(RequantizeParams { input_zero_point, output_zero_point, multiplier: q.multiplier, shift: q.shift })
    }
}

/// Int8 → int8 requantize, elementwise. `output` must be at least as long as `input`
/// (otherwise [`Error::InvalidArgument`], nothing written); any layout.
pub fn requantize_s8(params: &RequantizeParams, input: &[i8], output: &mut [i8]) -> Result<()> {
    let Some(output) = output.get_mut(..input.len()) else {
        return Err(Error::InvalidArgument);
    };
    for (o, &x) in output.iter_mut().zip(input) {
        let v = multiply_by_quantized_multiplier(x as i32 - params.input_zero_point, params.multiplier, params.shift)
            .wrapping_add(params.output_zero_point);
        *o = v.clamp(i8::MIN as i32, i8::MAX as i32) as i8;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_quantize_rounds_half_away_and_saturates() {
        let p = QuantizeParams::new(0.5, -3).unwrap();
        let mut out = [0i8; 8];
        // x / 0.5: 0.25 → 0.5 → 1; -0.25 → -0.5 → -1; 0.75 → 1.5 → 2; -0.75 → -2;
        // 0.2 → 0.4 → 0; then + (-3). 1000 → 2000 → 127; -1000 → -128; 62.5 → 125 → 122.
        quantize_f32_s8(&p, &[0.25, -0.25, 0.75, -0.75, 0.2, 1000.0, -1000.0, 62.5], &mut out).unwrap();
        assert_eq!(out, [-2, -4, -1, -5, -3, 127, -128, 122]);
    }

    #[test]
    fn float_quantize_divides_in_float() {
        // 2.25 / 0.3f is 7.4999995 in float → 7, whereas multiplying by the float reciprocal
        // of 0.3f gives exactly 7.5 → 8. TFLM divides.
        let p = QuantizeParams::new(0.3, 0).unwrap();
        assert_eq!(p.quantize_one(2.25), 7);
        assert_eq!(p.quantize_one(-2.25), -7);
        assert_eq!(libm::roundf(2.25f32 * (1.0f32 / 0.3f32)), 8.0);
    }

    #[test]
    fn float_quantize_out_of_range_follows_x86() {
        let p = QuantizeParams::new(1.0, 10).unwrap();
        assert_eq!(p.quantize_one(3e9), -128);
        assert_eq!(p.quantize_one(-3e9), -128);
        assert_eq!(p.quantize_one(f32::NAN), -128);
        assert_eq!(p.quantize_one(f32::INFINITY), -128);
        assert_eq!(p.quantize_one(2e9), 127);
    }

    #[test]
    fn requantize_rounds_and_clamps() {
        // 0.5 / 1.0 → (2^30, 0): the high multiply halves with ties toward +inf.
        let p = RequantizeParams::new(0.5, 1, 1.0, -2).unwrap();
        let mut out = [0i8; 6];
        // (x - 1) / 2 - 2: 4 → 1.5 → 2 → 0; 2 → 0.5 → 1 → -1; 0 → -0.5 → 0 → -2;
        // -2 → -1.5 → -1 → -3; 127 → 63 → 61; -128 → -64.5 → -64 → -66.
        requantize_s8(&p, &[4, 2, 0, -2, 127, -128], &mut out).unwrap();
        assert_eq!(out, [0, -1, -2, -3, 61, -66]);
        // 1.0 / 0.25 = 4: saturates both ends.
        let p = RequantizeParams::new(1.0, 0, 0.25, 0).unwrap();
        requantize_s8(&p, &[40, -40, 31, -32, 0, 1], &mut out).unwrap();
        assert_eq!(out, [127, -128, 124, -128, 0, 4]);
    }
}
