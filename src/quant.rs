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

/// `x = m · 2^e` for a positive finite `f32`, with `m` in `[2^23, 2^24)` (subnormals
/// normalized).
fn f32_parts(x: f32) -> Option<(u64, i32)> {
    if !(x > 0.0 && x.is_finite()) {
        return None;
    }
    let bits = x.to_bits();
    let (m, e) = match (bits >> 23) & 0xff {
        0 => (u64::from(bits & 0x7f_ffff), -149),
        biased => (u64::from(bits & 0x7f_ffff | 1 << 23), biased as i32 - 150),
    };
    let lz = m.leading_zeros() as i32 - 40; // m < 2^24: at least 40 leading zeros
    Some((m << lz, e - lz))
}

/// `quantize_multiplier((a as f64) * (b as f64) / (c as f64))` — TFLM's convolution
/// multiplier from three `f32` scales — in integer arithmetic, bit for bit: the product of two
/// `f32` significands is exact in double precision (48 bits), the quotient is rounded to 53
/// bits to nearest-even as the double division rounds it, and frexp / round-half-away to 31
/// bits are exact operations on that significand. A long division in 8-bit steps (32-bit
/// divides) replaces the soft-float double operations, which cost ~800 instructions per
/// channel on a core without a double-precision FPU. Anything but positive finite scales takes
/// the double-precision path.
pub fn quantize_multiplier_of_scales(a: f32, b: f32, c: f32) -> Requant {
    let (Some((ma, ea)), Some((mb, eb)), Some((mc, ec))) = (f32_parts(a), f32_parts(b), f32_parts(c)) else {
        return quantize_multiplier(a as f64 * b as f64 / c as f64);
    };
    // p = ma·mb in [2^46, 2^48), normalized to [2^47, 2^48).
    let mut p = ma * mb;
    let mut e = ea + eb - ec;
    let lz = p.leading_zeros() as i32 - 16;
    p <<= lz;
    e -= lz;
    // q = floor(p · 2^32 / mc) in (2^55, 2^57): ten 8-bit digits (p's six bytes, four zeros).
    // mc in [2^23, 2^24): never zero (NonZero: the division has no panic path).
    let Some(d) = core::num::NonZeroU32::new(mc as u32) else { return Requant::default() };
    let (mut q, mut r) = (0u64, 0u32);
    for i in (0..10u32).rev() {
        let digit = if i >= 4 { ((p >> ((i - 4) * 8)) & 0xff) as u32 } else { 0 };
        let cur = (r << 8) | digit; // r < mc < 2^24: no bits lost
        q = (q << 8) | u64::from(cur / d);
        r = cur % d;
    }
    let sticky = r != 0;
    // Round q to 53 significant bits, to nearest even (the double division's rounding).
    let drop = 64 - q.leading_zeros() as i32 - 53; // 3 or 4
    let mut q53 = q >> drop;
    let rest = q & ((1u64 << drop) - 1);
    let half = 1u64 << (drop - 1);
    if rest > half || (rest == half && (sticky || q53 & 1 == 1)) {
        q53 += 1;
    }
    let mut exp = e - 32 + drop; // the double is q53 · 2^exp
    if q53 == 1 << 53 {
        q53 >>= 1;
        exp += 1;
    }
    // frexp: q53 / 2^53 in [0.5, 1), shift exp + 53; then round half away to 31 bits.
    let mut shift = exp + 53;
    let mut q_fixed = (q53 + (1 << 21)) >> 22;
    if q_fixed == 1 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        return Requant::default();
    }
    Requant { multiplier: q_fixed as i32, shift }
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

    /// The integer derivation against the double-precision one, on random scales of every
    /// magnitude (subnormals, ratios near powers of two, ties) and on typical model scales.
    #[test]
    fn multiplier_of_scales_is_the_double_one() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u32
        };
        let mut checked = 0;
        for i in 0..3_000_000u32 {
            let mut f = |k: u32| match (i + k) % 5 {
                0 => f32::from_bits(next() & 0x7fff_ffff), // any positive pattern (NaN, inf too)
                1 => f32::from_bits(next() & 0x007f_ffff), // subnormal
                2 => f32::from_bits(0x3c00_0000 | (next() & 0x00ff_ffff)), // 2^-7 .. 2^-5: model scales
                3 => f32::from_bits((next() & 0x3f80_0000) | (next() & 7)), // mantissas near powers of two
                _ => f32::from_bits(0x3f80_0000 | (next() & 0x007f_ffff)), // [1, 2)
            };
            let (a, b, c) = (f(0), f(1), f(2));
            let want = quantize_multiplier(a as f64 * b as f64 / c as f64);
            assert_eq!(quantize_multiplier_of_scales(a, b, c), want, "{a:e} {b:e} {c:e}");
            checked += 1;
        }
        assert_eq!(checked, 3_000_000);
        assert_eq!(quantize_multiplier_of_scales(0.5, 1.0, 1.0), Requant { multiplier: 1 << 30, shift: 0 });
        assert_eq!(quantize_multiplier_of_scales(0.0, 1.0, 1.0), Requant::default());
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
