//! Fixed-point helpers shared by the kernels, matching TFLM's reference arithmetic bit for bit.
//!
//! TFLM (not LiteRT's `TFLITE_SINGLE_ROUNDING` build) requantizes with two roundings: a
//! saturating rounding doubling high multiply, then a rounding divide by a power of two.
//!
//! The arithmetic is TFLM's, operation for operation (its ranges are gemmlowp's: no operation
//! here can overflow on the values it is given, and where TFLM's wraps, this wraps too).
#![allow(clippy::arithmetic_side_effects)]

/// A Q31 multiplier and a power-of-two exponent, as TFLM's `QuantizeMultiplier` produces them.
/// `shift > 0` is a left shift, `shift < 0` a right shift.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Requant {
    pub multiplier: i32,
    pub shift: i32,
}

/// TFLM `QuantizeMultiplier(double)`: frexp in double precision, round half away from zero.
pub fn quantize_multiplier(real: f64) -> Requant {
    if real == 0.0 || !real.is_finite() {
        return Requant::default();
    }
    let (q, mut shift) = libm::frexp(real);
    let mut q_fixed = libm::round(q * (1u64 << 31) as f64) as i64;
    if q_fixed == 1i64 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        shift = 0;
        q_fixed = 0;
    }
    // frexp of a finite double gives |q| in [0.5, 1): q_fixed fits in i32 after the fix-up.
    let multiplier = q_fixed.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    Requant { multiplier, shift }
}

/// gemmlowp `SaturatingRoundingDoublingHighMul`.
#[inline(always)]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // Division truncates toward zero, as in C.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// gemmlowp `RoundingDivideByPOT` (round half away from zero); `exponent` in `0..=31`.
#[inline(always)]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let exponent = (exponent & 31) as u32;
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + (x < 0) as i32;
    (x >> exponent) + (remainder > threshold) as i32
}

/// TFLM `MultiplyByQuantizedMultiplier(int32, int32, int)` (double rounding).
#[inline(always)]
pub fn multiply_by_quantized_multiplier(x: i32, multiplier: i32, shift: i32) -> i32 {
    let left = if shift > 0 { shift } else { 0 };
    let right = if shift > 0 { 0 } else { -shift };
    rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(x.wrapping_mul(1i32.wrapping_shl(left as u32)), multiplier),
        right,
    )
}

/// TFLM `MultiplyByQuantizedMultiplierSmallerThanOneExp` (shift ≤ 0).
#[inline(always)]
pub fn multiply_by_quantized_multiplier_smaller_than_one_exp(x: i32, multiplier: i32, shift: i32) -> i32 {
    rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -shift)
}

/// TFLM `MultiplyByQuantizedMultiplierGreaterThanOne` (left shift ≥ 0).
#[inline(always)]
pub fn multiply_by_quantized_multiplier_greater_than_one(x: i32, multiplier: i32, left_shift: i32) -> i32 {
    saturating_rounding_doubling_high_mul(x.wrapping_mul(1i32.wrapping_shl(left_shift as u32)), multiplier)
}

/// Fused activation of the TFLite schema (`ActivationFunctionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    None,
    Relu,
    ReluN1To1,
    Relu6,
}

impl Activation {
    /// From the schema enum value; `None` (the Option) for TANH, SIGN_BIT and unknown values.
    pub fn from_schema(v: i8) -> Option<Activation> {
        match v {
            0 => Some(Activation::None),
            1 => Some(Activation::Relu),
            2 => Some(Activation::ReluN1To1),
            3 => Some(Activation::Relu6),
            _ => None,
        }
    }
}

/// TFLM `CalculateActivationRangeQuantized` for an int8 output: `(act_min, act_max)`.
pub fn activation_range_i8(act: Activation, scale: f32, zero_point: i32) -> (i32, i32) {
    let qmin = i8::MIN as i32;
    let qmax = i8::MAX as i32;
    // TFLM: quantize(f) = zero_point + round(f / scale), computed in float.
    let quantize = |f: f32| -> i32 {
        let q = libm::roundf(f / scale);
        // Saturating float->int conversion, as the value is clamped right after.
        zero_point.saturating_add(q as i32)
    };
    match act {
        Activation::None => (qmin, qmax),
        Activation::Relu => (qmin.max(quantize(0.0)), qmax),
        Activation::Relu6 => (qmin.max(quantize(0.0)), qmax.min(quantize(6.0))),
        Activation::ReluN1To1 => (qmin.max(quantize(-1.0)), qmax.min(quantize(1.0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplier_of_half() {
        assert_eq!(quantize_multiplier(0.5), Requant { multiplier: 1 << 30, shift: 0 });
        assert_eq!(quantize_multiplier(0.0), Requant { multiplier: 0, shift: 0 });
        let r = quantize_multiplier(0.25);
        assert_eq!((r.multiplier, r.shift), (1 << 30, -1));
    }

    #[test]
    fn tiny_multiplier_flushes_to_zero() {
        assert_eq!(quantize_multiplier(1e-12), Requant { multiplier: 0, shift: 0 });
    }

    #[test]
    fn rounding_divide_rounds_half_away() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(4, 1), 2);
        assert_eq!(rounding_divide_by_pot(-4, 1), -2);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
    }

    #[test]
    fn srdhm_saturates() {
        assert_eq!(saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN), i32::MAX);
        assert_eq!(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
    }

    #[test]
    fn mbqm_matches_real_scaling() {
        let r = quantize_multiplier(0.75);
        assert_eq!(multiply_by_quantized_multiplier(100, r.multiplier, r.shift), 75);
        let r = quantize_multiplier(3.0);
        assert_eq!(multiply_by_quantized_multiplier(-7, r.multiplier, r.shift), -21);
    }
}
