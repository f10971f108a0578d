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
/// bits are exact operations on that significand. Long divisions in 8-bit steps (32-bit
/// divides) replace the soft-float double operations, which cost ~800 instructions per
/// channel on a core without a double-precision FPU. A scale that is not positive and finite
/// gives `Requant::default()` (TFLM's result for the zero, infinite and NaN scales a model can
/// carry). For many channels of one operator, [`ScaleRatio`].
pub fn quantize_multiplier_of_scales(a: f32, b: f32, c: f32) -> Requant {
    ScaleRatio::new(a, c).multiplier(b)
}

/// An operator's input and output scales, split once, for the multipliers
/// `input · filter[i] / output` of its channels ([`quantize_multiplier_of_scales`]).
///
/// With `input = ma·2^ea`, `filter = mb·2^eb`, `output = mc·2^ec` (significands in
/// `[2^23, 2^24)`), the exact quotient is `ma·mb·2^32 / mc · 2^(ea+eb−ec−32)`. Per operator:
/// `ma·2^32 = Q0·mc + R0`; per channel then `ma·mb·2^32 = mb·Q0·mc + mb·R0`, so
/// `floor(ma·mb·2^32 / mc) = mb·Q0 + floor(mb·R0 / mc)` with the remainder of the last
/// division: a 48-bit by 24-bit division (four 32-bit divides) per channel.
///
/// Most channels take a shortcut first: with `R = floor(ma·2^39 / mc)` (per operator),
/// `P = mb·R` is below the exact `X = ma·mb·2^39 / mc` by less than `mb < 2^24`, and X has
/// 62 to 64 bits. Rounding X to 31 bits (after the double's rounding to 53 bits, which moves
/// it by at most 2^11) gives the same result as rounding P whenever P's bits below the 31 kept
/// lie more than 2^25 from the half-way point and from the next multiple; only the other
/// channels (about 3 in 100) take the division.
#[derive(Clone, Copy, Debug)]
pub struct ScaleRatio {
    /// `(Q0, R0, mc, ea − ec)`, for positive finite scales.
    split: Option<(u64, u32, core::num::NonZeroU32, i32)>,
    /// `R = floor(ma·2^39 / mc)` (below 2^40), with the scales' split.
    estimate: u64,
}

/// How far P's dropped bits must lie from a rounding boundary for the shortcut of
/// [`ScaleRatio`] (P's error below 2^24, the double's rounding at most 2^11).
const SHORTCUT_MARGIN: u64 = 1 << 25;

/// `floor(n / d)` and the remainder, for `n < 2^24 · 2^(8·bytes)` given as its top 24 bits
/// and `bytes` further bytes, `d` in `[2^23, 2^24)`: one 32-bit divide per byte (a remainder
/// below `d` shifted by 8 bits still fits 32).
fn long_divide(top: u32, low: u64, bytes: u32, d: core::num::NonZeroU32) -> (u64, u32) {
    let (mut q, mut r) = (u64::from(top / d), top % d);
    for i in (0..bytes).rev() {
        let cur = (r << 8) | ((low >> (8 * i)) & 0xff) as u32;
        q = (q << 8) | u64::from(cur / d);
        r = cur % d;
    }
    (q, r)
}

impl ScaleRatio {
    /// The ratio `input / output`.
    pub fn new(input: f32, output: f32) -> ScaleRatio {
        let mut estimate = 0;
        let split = match (f32_parts(input), f32_parts(output)) {
            (Some((ma, ea)), Some((mc, ec))) => core::num::NonZeroU32::new(mc as u32).map(|d| {
                // ma·2^32: its top 24 bits are ma, then four zero bytes.
                let (q0, r0) = long_divide(ma as u32, 0, 4, d);
                // ma·2^39 = Q0·2^7·mc + R0·2^7, so floor(ma·2^39 / mc) = Q0·2^7 + floor(R0·2^7 / mc).
                estimate = (q0 << 7) + (u64::from(r0) << 7) / u64::from(d.get());
                (q0, r0, d, ea - ec)
            }),
            _ => None,
        };
        ScaleRatio { split, estimate }
    }

    /// `quantize_multiplier(input as f64 * filter as f64 / output as f64)`.
    pub fn multiplier(&self, filter: f32) -> Requant {
        self.shortcut(filter).unwrap_or_else(|| self.exact(filter))
    }

    /// [`ScaleRatio::multiplier`] by the shortcut, when it decides the rounding.
    /// In 32-bit arithmetic (a few dozen instructions on a 32-bit core).
    fn shortcut(&self, filter: f32) -> Option<Requant> {
        let (Some((_, _, _, e0)), Some((mb, eb))) = (self.split, f32_parts(filter)) else { return None };
        let mb = mb as u32; // < 2^24
                            // P = mb·R (R < 2^40, so P < 2^64), in two words.
        let wide = u64::from(mb) * u64::from(self.estimate as u32);
        let hi = ((wide >> 32) as u32).wrapping_add(mb.wrapping_mul((self.estimate >> 32) as u32));
        let lo = wide as u32;
        // P >= 2^61 - 2^24: its top word has 30 to 32 bits. Normalized, `top` is P's leading
        // 32 bits and `rest` the next 32; the 31 kept are top >> 1, the rounding bit top & 1.
        let lz = hi.leading_zeros();
        if lz > 2 {
            return None;
        }
        let top = hi << lz | lo.checked_shr(32 - lz).unwrap_or(0);
        let rest = lo << lz;
        // The margin in normalized units; the dropped part is (top & 1)·2^32 + rest, the
        // half-way point 2^32.
        let margin = (SHORTCUT_MARGIN as u32) << lz;
        let round_up = top & 1 == 1;
        if rest > u32::MAX - margin || (round_up && rest <= margin) {
            return None;
        }
        // frexp: X·2^(e0 + eb − 39) = (X / 2^bits)·2^shift, bits = 64 − lz; half away to 31 bits.
        let mut shift = 64 - lz as i32 + e0 + eb - 39;
        let mut q_fixed = (top >> 1) + u32::from(round_up);
        if q_fixed == 1 << 31 {
            q_fixed /= 2;
            shift += 1;
        }
        if shift < -31 {
            return Some(Requant::default());
        }
        Some(Requant { multiplier: q_fixed as i32, shift })
    }

    /// [`ScaleRatio::multiplier`] by the exact quotient (its remainder's long division).
    fn exact(&self, filter: f32) -> Requant {
        // A scale that is not positive and finite: with non-negative scales (all a verified
        // model has) the double quotient is then 0, infinite or NaN, which TFLM's
        // QuantizeMultiplier turns into 0 as [`quantize_multiplier`] does. Negative scales
        // (refused when the model is read) give 0 too, so no double arithmetic is linked.
        let (Some((q0, r0, d, e0)), Some((mb, eb))) = (self.split, f32_parts(filter)) else {
            return Requant::default();
        };
        // q = floor(ma·mb·2^32 / mc) in [2^54, 2^57) (both significands in [2^23, 2^24)).
        let t = mb * u64::from(r0); // < 2^48
        let (frac, r) = long_divide((t >> 24) as u32, t & 0xff_ffff, 3, d);
        let q = mb * q0 + frac;
        let sticky = r != 0;
        let e = e0 + eb;
        // Round q to 53 significant bits, to nearest even (the double division's rounding).
        let drop = 64 - q.leading_zeros() as i32 - 53; // 2 to 4
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
}

/// TFLM `QuantizeMultiplier((double)a * (double)b * 2^pow2)` for positive finite `a`, `b`, in
/// integer arithmetic (the product of two `f32` significands is exact in double precision,
/// and frexp and the rounding to 31 bits are exact on it); `None` for other `a`, `b`. Also
/// returns whether the product exceeds `limit` (compared exactly), for the callers that cap it.
pub fn multiplier_of_product(a: f32, b: f32, pow2: i32, limit: u32) -> Option<(Requant, bool)> {
    let ((ma, ea), (mb, eb)) = (f32_parts(a)?, f32_parts(b)?);
    // x = m·2^e with m in [2^46, 2^48).
    let (m, e) = (ma * mb, ea.checked_add(eb)?.checked_add(pow2)?);
    let bits = 64 - m.leading_zeros() as i32;
    // x > limit: compare m·2^e with limit exactly (m has `bits` bits, limit < 2^32).
    let above = match e {
        e if e >= 0 => bits + e > 32 || (m << e) > u64::from(limit),
        e if -e < 64 => (m >> -e) > u64::from(limit) || ((m >> -e) == u64::from(limit) && m & ((1u64 << -e) - 1) != 0),
        _ => false,
    };
    // frexp: x = (m / 2^bits)·2^(e + bits); round half away (x > 0: half up) to 31 bits.
    let mut shift = e.checked_add(bits)?;
    let mut q_fixed = (m + (1u64 << (bits - 32))) >> (bits - 31);
    if q_fixed == 1 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        return Some((Requant::default(), above));
    }
    Some((Requant { multiplier: q_fixed as i32, shift }, above))
}

/// gemmlowp `SaturatingRoundingDoublingHighMul`: `(a · b + nudge) / 2^31` truncated toward
/// zero, with the nudge `2^30` for a non-negative product and `1 − 2^30` for a negative one.
/// Both cases are the one floor `(a · b + 2^30) >> 31`: for a negative product, truncating
/// `p + 1 − 2^30` toward zero is flooring `p + 1 − 2^30 + 2^31 − 1 = p + 2^30`. So a 64-bit
/// multiply, an add and a shift (no sign fix-up of a division) on 32-bit cores.
#[inline(always)]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    ((wide_mul(a, b) + (1 << 30)) >> 31) as i32
}

/// Armv6-M (Cortex-M0/M0+, no 32×32→64 multiply): the libcall multiplies 64 × 64 bits.
const HALF_WORD_MULTIPLIES: bool = cfg!(pw_armv6m);

/// `a · b` exactly. On [`HALF_WORD_MULTIPLIES`] cores from four 32-bit multiplies of halves
/// ([`wide_mul_halves`]); elsewhere the 64-bit product.
#[inline(always)]
fn wide_mul(a: i32, b: i32) -> i64 {
    if HALF_WORD_MULTIPLIES {
        wide_mul_halves(a, b)
    } else {
        i64::from(a) * i64::from(b)
    }
}

/// `a · b` from 16-bit halves (`a = ah · 2^16 + al` with `ah` signed, `al` unsigned): each
/// partial product fits 32 bits (`|ah · bl| < 2^31`, `al · bl < 2^32` unsigned), only additions
/// and shifts are 64-bit. Test `half_word_products_are_the_product`.
#[inline(always)]
fn wide_mul_halves(a: i32, b: i32) -> i64 {
    let (al, ah, bl, bh) = ((a as u32) & 0xffff, a >> 16, (b as u32) & 0xffff, b >> 16);
    let low = al * bl;
    let mid = i64::from(ah * bl as i32) + i64::from(al as i32 * bh);
    (i64::from(ah * bh) << 32) + (mid << 16) + i64::from(low)
}

/// gemmlowp `RoundingDivideByPOT` (round half away from zero); `exponent` in `0..=31`.
#[inline(always)]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let exponent = (exponent & 31) as u32;
    // 32-bit mask arithmetic (2^31 − 1 at exponent 31), no 64-bit shift on 32-bit cores.
    let mask = 1u32.wrapping_shl(exponent).wrapping_sub(1) as i32;
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

/// TFLM `CalculateActivationRangeQuantized` for an int16 output: `(act_min, act_max)`.
pub fn activation_range_i16(act: Activation, scale: f32, zero_point: i32) -> (i32, i32) {
    let (qmin, qmax) = (i16::MIN as i32, i16::MAX as i32);
    let quantize = |f: f32| zero_point.saturating_add(libm::roundf(f / scale) as i32);
    match act {
        Activation::None => (qmin, qmax),
        Activation::Relu => (qmin.max(quantize(0.0)), qmax),
        Activation::Relu6 => (qmin.max(quantize(0.0)), qmax.min(quantize(6.0))),
        Activation::ReluN1To1 => (qmin.max(quantize(-1.0)), qmax.min(quantize(1.0))),
    }
}

/// [`multiply_by_quantized_multiplier`] for a right shift (`shift` in `-31..=-1`) and a
/// multiplier `m >= 0` (every channel of converted models) as one 64-bit multiply-add and one
/// shift, for cores with 64-bit registers or a 32×32→64 multiply-accumulate. With `e = -shift`:
/// `SaturatingRoundingDoublingHighMul(x, m) = floor((x·m + 2^30) / 2^31)` (its nudge for
/// negative products folds into the floor; `m >= 0` rules out the saturating case), and
/// `RoundingDivideByPOT(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e)`; nested floors compose, so
/// the result is `floor((x·m + 2^30 + 2^(e+30) - [x < 0]·2^31) / 2^(31+e))` (`[h < 0]` may be
/// taken as `[x < 0]`: they differ only where `x·m` lies in `[-2^30, 0)`, where both give 0).
/// The same derivation as the Arm port's `pw_requant_fast_value`; test
/// `one_multiply_is_the_definition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RightShift64 {
    multiplier: i64,
    add: i64,
    shift: u32,
}

impl RightShift64 {
    /// The form of `rq`, if it has one.
    pub fn of(rq: Requant) -> Option<RightShift64> {
        if !(-31..=-1).contains(&rq.shift) || rq.multiplier < 0 {
            return None;
        }
        let e = rq.shift.unsigned_abs();
        Some(RightShift64 { multiplier: i64::from(rq.multiplier), add: (1 << 30) + (1i64 << (e + 30)), shift: 31 + e })
    }

    /// `multiply_by_quantized_multiplier(x, rq.multiplier, rq.shift)`; `|x·m| < 2^62`, so no
    /// step wraps.
    #[inline(always)]
    pub fn apply(self, x: i32) -> i32 {
        let x = i64::from(x);
        ((x * self.multiplier + self.add - ((x >> 63) & (1 << 31))) >> self.shift) as i32
    }
}

/// TFLM `MultiplyByQuantizedMultiplier(int64, int32, int)`, the requantization of 64-bit
/// accumulators (16x8 kernels): the multiplier rounded to 16 bits, then one rounding shift by
/// `15 - shift`. In TFLM's contract (`shift` in `-31..8`, `|x| < 2^47`) this is exact; outside
/// it the arithmetic wraps and the shift is clamped instead of being undefined.
#[inline(always)]
pub fn multiply_by_quantized_multiplier_i64(x: i64, multiplier: i32, shift: i32) -> i32 {
    let reduced = if multiplier < 0x7FFF_0000 { (multiplier.wrapping_add(1 << 15)) >> 16 } else { 0x7FFF };
    let total_shift = (15i32.wrapping_sub(shift)).clamp(1, 62) as u32;
    let round = 1i64 << (total_shift - 1);
    (x.wrapping_mul(reduced as i64).wrapping_add(round) >> total_shift) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiply_64_bit_accumulators() {
        // 0.5 as Q31 (2^30) reduces to 2^14 at 16 bits: x · 2^14 / 2^15, rounded half up.
        assert_eq!(multiply_by_quantized_multiplier_i64(1000, 1 << 30, 0), 500);
        assert_eq!(multiply_by_quantized_multiplier_i64(3, 1 << 30, 0), 2);
        assert_eq!(multiply_by_quantized_multiplier_i64(-3, 1 << 30, 0), -1);
        // A shift of -10 divides by a further 1024; accumulators beyond 32 bits stay exact.
        assert_eq!(multiply_by_quantized_multiplier_i64(1 << 40, 1 << 30, -10), 1 << 29);
        // Multipliers at the top round to 0x7FFF, not 0x8000.
        assert_eq!(multiply_by_quantized_multiplier_i64(1 << 15, i32::MAX, 0), 0x7FFF);
        // The int16 activation range with RELU6 at scale 2^-12: [0, 6 · 4096].
        assert_eq!(activation_range_i16(Activation::Relu6, 1.0 / 4096.0, 0), (0, 24576));
        assert_eq!(activation_range_i16(Activation::None, 0.1, 0), (-32768, 32767));
    }

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
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u32();
        // Miri interprets every operation: a sample there, the full sweep natively.
        let cases: u32 = if cfg!(miri) { 3_000 } else { 3_000_000 };
        let mut checked = 0;
        for i in 0..cases {
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
        assert_eq!(checked, cases);
        assert_eq!(quantize_multiplier_of_scales(0.5, 1.0, 1.0), Requant { multiplier: 1 << 30, shift: 0 });
        assert_eq!(quantize_multiplier_of_scales(0.0, 1.0, 1.0), Requant::default());
    }

    /// The per-channel shortcut against the exact division, on model-like scales (the sweep
    /// above checks both against the double): it must decide almost every channel.
    #[test]
    fn scale_ratio_shortcut_is_the_division() {
        let mut rng = crate::test_rng::XorShift::new(0x1234_5678_9abc_def1);
        let mut next = move || rng.next_u32();
        let cases = if cfg!(miri) { 500 } else { 1_000_000 };
        let mut decided = 0;
        for _ in 0..cases {
            let mut scale = || f32::from_bits(0x3800_0000 | (next() & 0x07ff_ffff)); // 2^-15 .. 2^1
            let (a, b, c) = (scale(), scale(), scale());
            let ratio = ScaleRatio::new(a, c);
            if let Some(r) = ratio.shortcut(b) {
                assert_eq!(r, ratio.exact(b), "{a:e} {b:e} {c:e}");
                decided += 1;
            }
        }
        assert!(decided * 100 > cases * 90, "the shortcut decided {decided} of {cases}");
    }

    /// The integer product multiplier against the double-precision one.
    #[test]
    fn multiplier_of_product_is_the_double_one() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u32();
        let cases: u32 = if cfg!(miri) { 2_000 } else { 1_000_000 };
        for i in 0..cases {
            let mut f = |k: u32| match (i + k) % 4 {
                0 => f32::from_bits(next() & 0x7f7f_ffff), // positive finite, every magnitude
                1 => f32::from_bits(next() & 0x007f_ffff | 1), // subnormal
                2 => f32::from_bits(0x3c00_0000 | (next() & 0x00ff_ffff)), // model scales
                _ => f32::from_bits(0x3f80_0000 | (next() & 0x007f_ffff)), // betas in [1, 2)
            };
            let (a, b) = (f(0), f(1));
            let pow2 = (next() % 64) as i32 - 32;
            let x = a as f64 * b as f64 * libm::pow(2.0, pow2 as f64);
            let limit = next();
            let (got, above) = multiplier_of_product(a, b, pow2, limit).unwrap();
            assert_eq!(got, quantize_multiplier(x), "{a:e} {b:e} 2^{pow2}");
            assert_eq!(above, x > limit as f64, "{a:e} {b:e} 2^{pow2} > {limit}");
        }
        assert_eq!(multiplier_of_product(0.0, 1.0, 0, 0), None);
        assert_eq!(multiplier_of_product(-1.0, 1.0, 0, 0), None);
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

    /// gemmlowp's definitions as written (nudge, division truncating toward zero, 64-bit mask):
    /// the shortcuts above must give the same value for every argument.
    fn srdhm_as_defined(a: i32, b: i32) -> i32 {
        if a == i32::MIN && b == i32::MIN {
            return i32::MAX;
        }
        let ab = a as i64 * b as i64;
        let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
        ((ab + nudge) / (1i64 << 31)) as i32
    }

    fn rdbp_as_defined(x: i32, exponent: i32) -> i32 {
        let mask = ((1i64 << exponent) - 1) as i32;
        let remainder = x & mask;
        let threshold = (mask >> 1) + (x < 0) as i32;
        (x >> exponent) + (remainder > threshold) as i32
    }

    #[test]
    fn shortcuts_match_the_definitions() {
        let edges = [i32::MIN, i32::MIN + 1, -(1 << 30) - 1, -(1 << 30), -(1 << 30) + 1, -3, -2, -1, 0, 1, 2, 3];
        let edges: Vec<i32> = edges.iter().flat_map(|&v| [v, v.wrapping_neg().wrapping_sub(1)]).collect();
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || {
            let state = rng.next_u64();
            // Mostly small magnitudes (accumulators), sometimes full range.
            let v = (state >> 32) as i32;
            if state & 3 == 0 {
                v
            } else {
                v >> (state >> 3 & 31)
            }
        };
        // Miri interprets every operation: a sample there, the full sweep natively.
        let (count, stride) = if cfg!(miri) { (40, 8) } else { (4000, 7) };
        let mut values = edges.clone();
        values.extend((0..count).map(|_| next()));
        for &a in &values {
            for &b in values.iter().step_by(stride).chain(&edges) {
                assert_eq!(saturating_rounding_doubling_high_mul(a, b), srdhm_as_defined(a, b), "{a} {b}");
            }
            for e in 0..32 {
                assert_eq!(rounding_divide_by_pot(a, e), rdbp_as_defined(a, e), "{a} >> {e}");
            }
        }
    }

    #[test]
    fn one_multiply_is_the_definition() {
        let mut rng = crate::test_rng::XorShift::new(0x51_7cc1_b727_220a);
        let edges = [i32::MIN, i32::MIN + 1, -(1 << 30), -3, -1, 0, 1, 2, (1 << 30) - 1, i32::MAX];
        let cases = if cfg!(miri) { 200 } else { 2_000_000 };
        for i in 0..cases {
            let r = rng.next_u64();
            let shift = -1 - (r % 31) as i32;
            let multiplier = match i % 5 {
                0 => [0, 1, 1 << 30, i32::MAX][(r >> 8) as usize % 4],
                _ => ((r >> 16) as u32 >> 1) as i32 | 1 << 30,
            };
            let v = (r >> 32) as i32;
            let x = match i % 4 {
                0 => edges[(r >> 40) as usize % edges.len()],
                1 => v,
                _ => v >> (r >> 5 & 31),
            };
            let rq = Requant { multiplier, shift };
            let f = RightShift64::of(rq).unwrap();
            assert_eq!(f.apply(x), multiply_by_quantized_multiplier(x, multiplier, shift), "{x} {multiplier} {shift}");
        }
        assert_eq!(RightShift64::of(Requant { multiplier: 1 << 30, shift: 0 }), None);
        assert_eq!(RightShift64::of(Requant { multiplier: -5, shift: -3 }), None);
        assert_eq!(RightShift64::of(Requant { multiplier: 1 << 30, shift: -32 }), None);
    }

    #[test]
    fn half_word_products_are_the_product() {
        let mut rng = crate::test_rng::XorShift::new(0x3c6e_f372_fe94_f82b);
        let edges = [i32::MIN, i32::MIN + 1, -65_537, -65_536, -65_535, -32_768, -1, 0, 1, 65_535, 65_536, i32::MAX];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(wide_mul_halves(a, b), i64::from(a) * i64::from(b), "{a} {b}");
            }
        }
        for _ in 0..if cfg!(miri) { 100 } else { 1_000_000 } {
            let r = rng.next_u64();
            let (a, b) = (r as i32, (r >> 32) as i32);
            assert_eq!(wide_mul_halves(a, b), i64::from(a) * i64::from(b), "{a} {b}");
        }
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
