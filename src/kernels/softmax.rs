//! SOFTMAX (int8 input → int8 or int16 output), bit-exact with TFLM's reference kernel.
//!
//! TFLM's int8 softmax uses no lookup table: it runs gemmlowp's fixed-point `exp` on each
//! input's distance from the row maximum (scaled by `beta · input_scale` into Q5.26), sums the
//! exponentials in Q12.19, takes a fixed-point reciprocal of the sum (Newton–Raphson) and scales
//! each exponential by it. Inputs further than `diff_min` below the maximum count as zero.
//!
//! This file also holds the gemmlowp fixed-point routines (exp on negative values,
//! `1 / (1 + x)`, logistic) that LOGISTIC shares.

use super::add::CHUNK;
use super::io::Io;
use crate::quant::{
    multiplier_of_product, multiply_by_quantized_multiplier_greater_than_one, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul as srdhm, Requant,
};
use crate::tensor::Shape;
use crate::{Error, Result};

/// Integer bits of the rescaled input differences (Q5.26), as in TFLM.
const SCALED_DIFF_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of exponentials (Q12.19), as in TFLM.
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// Prepared int8 SOFTMAX over the last dimension (TFLM `CalculateSoftmaxParams`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftmaxParams {
    input_multiplier: i32,
    input_left_shift: i32,
    diff_min: i32,
    /// Number of rows (product of all but the last dimension).
    outer: usize,
    /// Row length (last dimension).
    depth: usize,
}

impl SoftmaxParams {
    /// Prepares int8 → int8 softmax. TFLM requires (and so do we) an output zero point of
    /// -128 and an output scale of exactly 1/256.
    ///
    /// `input_scale` is the input tensor's scale (its zero point does not matter), `beta` the
    /// op option. `input_shape` and `output_shape` must be equal with rank ≥ 1. Also refused,
    /// like TFLM, when `beta · input_scale · 2^26 ≤ 1`.
    pub fn new(
        input_scale: f32,
        beta: f32,
        output_scale: f32,
        output_zero_point: i32,
        input_shape: Shape,
        output_shape: Shape,
    ) -> Result<SoftmaxParams> {
        if output_zero_point != -128 || output_scale != 1.0 / 256.0 {
            return Err(Error::InvalidArgument);
        }
        Self::prepare(input_scale, beta, input_shape, output_shape)
    }

    /// Prepares int8 → int16 softmax. TFLM requires an output zero point of -32768 and an
    /// output scale within 0.1% of 1/65536 (checked the same way, in float).
    pub fn new_i16_output(
        input_scale: f32,
        beta: f32,
        output_scale: f32,
        output_zero_point: i32,
        input_shape: Shape,
        output_shape: Shape,
    ) -> Result<SoftmaxParams> {
        let expected = 1.0f32 / 65536.0;
        let delta = if output_scale > expected { output_scale - expected } else { expected - output_scale };
        if output_zero_point != -32768 || delta.is_nan() || delta > 0.001f32 * expected {
            return Err(Error::InvalidArgument);
        }
        Self::prepare(input_scale, beta, input_shape, output_shape)
    }

    fn prepare(input_scale: f32, beta: f32, input_shape: Shape, output_shape: Shape) -> Result<SoftmaxParams> {
        if input_shape.rank() == 0 || input_shape != output_shape {
            return Err(Error::InvalidArgument);
        }
        if !(input_scale.is_finite() && input_scale > 0.0 && beta.is_finite()) {
            return Err(Error::InvalidArgument);
        }
        // TFLM PreprocessSoftmaxScaling: beta · input_scale · 2^26 in double, capped at
        // 2^31 - 1; QuantizeMultiplierGreaterThanOne refuses (aborts on) multipliers ≤ 1.
        // Exact in integers (`multiplier_of_product`), so no double arithmetic is linked.
        let cap = (1u32 << 31) - 1;
        let pow2 = 31 - SCALED_DIFF_INTEGER_BITS;
        let (Some((q, above_cap)), Some((_, above_one))) =
            (multiplier_of_product(beta, input_scale, pow2, cap), multiplier_of_product(beta, input_scale, pow2, 1))
        else {
            return Err(Error::InvalidArgument); // beta ≤ 0: the multiplier is not above 1
        };
        if !above_one {
            return Err(Error::InvalidArgument);
        }
        let q = if above_cap { Requant { multiplier: cap as i32, shift: 31 } } else { q };
        // TFLM CalculateInputRadius(5, shift, 31): floor(31 · 2^26 / 2^shift), exact in double.
        let radius = (((1i64 << SCALED_DIFF_INTEGER_BITS) - 1) << (31 - SCALED_DIFF_INTEGER_BITS)) >> q.shift.min(62);
        let radius = radius as i32;
        let depth = input_shape.dim(input_shape.rank() - 1);
        let total = input_shape.num_elements();
        let outer = total.checked_div(depth).unwrap_or(0);
        Ok(SoftmaxParams { input_multiplier: q.multiplier, input_left_shift: q.shift, diff_min: -radius, outer, depth })
    }

    /// Elements the input and output must hold.
    pub fn len(&self) -> usize {
        self.outer * self.depth
    }

    /// True for an empty tensor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// exp(beta · input_scale · diff) in Q0.31 for a difference inside the radius.
    #[inline(always)]
    fn exp_of_diff(&self, diff: i32) -> i32 {
        let rescaled =
            multiply_by_quantized_multiplier_greater_than_one(diff, self.input_multiplier, self.input_left_shift);
        exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS as u32)
    }

    /// Runs every row (ascending), handing each result to `io.put` with the value already
    /// offset by the output type's minimum but not yet clamped. `out_bits` is 8 or 16.
    ///
    /// A row is read once in full (maximum and sum of exponentials), then read again and
    /// written in ascending runs of up to [`CHUNK`], each run read before it is written.
    fn run(&self, io: &mut impl RowIo, out_bits: i32) -> Result<()> {
        let len = self.len();
        if io.input_len() < len || io.output_len() < len {
            return Err(Error::InvalidArgument);
        }
        let depth = self.depth;
        if depth == 0 {
            return Ok(());
        }
        let out_min = -(1i32 << (out_bits - 1));
        let mut res = [0i32; CHUNK];
        for r in 0..self.outer {
            let base = r * depth;
            let row = io.input(base, depth);
            let max_in_row = row.iter().copied().fold(i8::MIN, i8::max) as i32;
            let mut sum_of_exps = 0i32;
            for &x in row {
                let diff = x as i32 - max_in_row;
                if diff >= self.diff_min {
                    let e = self.exp_of_diff(diff);
                    // Rescale Q0.31 → Q12.19 (rounding), accumulate (wraps like TFLM's int32).
                    sum_of_exps = sum_of_exps.wrapping_add(rounding_divide_by_pot(e, ACCUMULATION_INTEGER_BITS));
                }
            }
            let (shifted_scale, num_bits_over_unit) = reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS);
            let exponent = num_bits_over_unit + 31 - out_bits;
            // TFLM aborts here (the row sum is too large for the output precision).
            if !(0..=31).contains(&exponent) {
                return Err(Error::InvalidArgument);
            }
            let mut c = 0;
            while c < depth {
                let m = CHUNK.min(depth - c);
                let res = &mut res[..m];
                for (o, &x) in res.iter_mut().zip(io.input(base + c, m)) {
                    let diff = x as i32 - max_in_row;
                    *o = if diff >= self.diff_min {
                        let e = self.exp_of_diff(diff);
                        rounding_divide_by_pot(srdhm(shifted_scale, e), exponent) + out_min
                    } else {
                        out_min
                    };
                }
                for (k, &v) in res.iter().enumerate() {
                    io.put(base + c + k, v);
                }
                c += m;
            }
        }
        Ok(())
    }
}

/// Where softmax reads its input and puts its (offset, unclamped) results.
trait RowIo {
    fn input_len(&self) -> usize;
    fn output_len(&self) -> usize;
    /// `len` input elements from `at` (short if out of range).
    fn input(&self, at: usize, len: usize) -> &[i8];
    /// Clamps `v` to the output type and stores it at `at` (ignored if out of range).
    fn put(&mut self, at: usize, v: i32);
}

/// Int8 output through an [`Io`].
struct ToI8<'x, 'a>(&'x mut Io<'a>);

impl RowIo for ToI8<'_, '_> {
    fn input_len(&self) -> usize {
        self.0.input_len(0)
    }
    fn output_len(&self) -> usize {
        self.0.output_len()
    }
    #[inline(always)]
    fn input(&self, at: usize, len: usize) -> &[i8] {
        self.0.input(0, at, len)
    }
    #[inline(always)]
    fn put(&mut self, at: usize, v: i32) {
        self.0.set(at, v.clamp(i8::MIN as i32, i8::MAX as i32) as i8);
    }
}

/// Separate int8 input and int16 output slices.
struct ToI16<'x> {
    input: &'x [i8],
    output: &'x mut [i16],
}

impl RowIo for ToI16<'_> {
    fn input_len(&self) -> usize {
        self.input.len()
    }
    fn output_len(&self) -> usize {
        self.output.len()
    }
    #[inline(always)]
    fn input(&self, at: usize, len: usize) -> &[i8] {
        at.checked_add(len).and_then(|end| self.input.get(at..end)).unwrap_or(&[])
    }
    #[inline(always)]
    fn put(&mut self, at: usize, v: i32) {
        if let Some(o) = self.output.get_mut(at) {
            *o = v.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
        }
    }
}

/// Int8 softmax over the last dimension: `output = round(256 · softmax(beta · input_scale ·
/// input)) - 128`, computed in TFLM's fixed point.
///
/// Input 0 of `io` and its output are dense (row-major, rows along the last dimension) with at
/// least [`SoftmaxParams::len`] elements. Returns [`Error::InvalidArgument`] on short buffers
/// (nothing written), and where TFLM aborts: a row whose sum of exponentials reaches 512
/// (e.g. ≥ 512 elements all equal to the row maximum); rows before that one are already
/// written.
///
/// Walks forward: rows in ascending order; each row is read in full before any of it is
/// written, then re-read and written in ascending order, every element read before the
/// element at the same index is written. So the output may share the input's buffer when it
/// starts at or before the input.
pub fn softmax_s8(params: &SoftmaxParams, io: &mut Io<'_>) -> Result<()> {
    params.run(&mut ToI8(io), 8)
}

/// Int8 → int16 softmax (output zero point -32768, scale 1/65536) over separate buffers; see
/// [`softmax_s8`]. The abort condition of the int8 variant cannot occur with a 16-bit
/// output; only short slices are refused.
pub fn softmax_s8_s16(params: &SoftmaxParams, input: &[i8], output: &mut [i16]) -> Result<()> {
    params.run(&mut ToI16 { input, output }, 16)
}

// ---- gemmlowp fixed-point routines (scalar int32), shared with LOGISTIC ----

/// gemmlowp `SaturatingRoundingMultiplyByPOT` with a positive exponent: a left shift that
/// saturates to the int32 range. `exponent` in `1..=31`.
#[inline(always)]
pub(crate) fn saturating_shl(x: i32, exponent: u32) -> i32 {
    let threshold = ((1i64 << (31 - exponent)) - 1) as i32;
    if x > threshold {
        i32::MAX
    } else if x < -threshold {
        i32::MIN
    } else {
        x.wrapping_shl(exponent)
    }
}

/// gemmlowp `RoundingHalfSum`: `(a + b) / 2`, ties away from zero.
#[inline(always)]
pub(crate) fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = a as i64 + b as i64;
    let sign = if sum >= 0 { 1 } else { -1 };
    ((sum + sign) / 2) as i32
}

/// gemmlowp exp on `[-1/4, 0)` in Q0.31: a Taylor polynomial around -1/8.
#[inline(always)]
fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    const EXP_MINUS_ONE_EIGHTH: i32 = 1_895_147_668;
    const ONE_THIRD: i32 = 715_827_883;
    let x = a.wrapping_add(1 << 28);
    let x2 = srdhm(x, x);
    let x3 = srdhm(x2, x);
    let x4 = srdhm(x2, x2);
    let x4_over_4 = rounding_divide_by_pot(x4, 2);
    let poly = rounding_divide_by_pot(srdhm(x4_over_4.wrapping_add(x3), ONE_THIRD).wrapping_add(x2), 1);
    EXP_MINUS_ONE_EIGHTH.wrapping_add(srdhm(EXP_MINUS_ONE_EIGHTH, x.wrapping_add(poly)))
}

/// gemmlowp `exp_on_negative_values`: `exp(a)` in Q0.31 for `a ≤ 0` given in fixed point with
/// `integer_bits` integer bits (`1..=5`; no clamp below -32 is needed for those formats).
pub(crate) fn exp_on_negative_values(a: i32, integer_bits: u32) -> i32 {
    // exp(-2^k) in Q0.31 for k = -2..=4.
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    let integer_bits = integer_bits.clamp(1, 5);
    let fractional_bits = 31 - integer_bits as i32;
    let one_quarter = 1i32 << (fractional_bits - 2);
    let mask = one_quarter - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(saturating_shl(
        a_mod_quarter_minus_one_quarter,
        integer_bits,
    ));
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    for (exponent, multiplier) in BARREL {
        if (integer_bits as i32) > exponent && remainder & (1i32 << (fractional_bits + exponent)) != 0 {
            result = srdhm(result, multiplier);
        }
    }
    if a == 0 {
        i32::MAX
    } else {
        result
    }
}

/// gemmlowp `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` in Q0.31 for `a` in Q0.31,
/// by three Newton–Raphson steps in Q2.29.
pub(crate) fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const FORTY_EIGHT_OVER_17: i32 = 1_515_870_810;
    const MINUS_THIRTY_TWO_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = FORTY_EIGHT_OVER_17.wrapping_add(srdhm(half_denominator, MINUS_THIRTY_TWO_OVER_17));
    for _ in 0..3 {
        let half_denominator_times_x = srdhm(half_denominator, x);
        let one_minus = ONE_Q2.wrapping_sub(half_denominator_times_x);
        x = x.wrapping_add(saturating_shl(srdhm(x, one_minus), 2));
    }
    // x / 2 in Q1.30, rescaled to Q0.31 with saturation.
    saturating_shl(x, 1)
}

/// gemmlowp `logistic` on a Q4.27 input: `1 / (1 + exp(-a))` in Q0.31.
pub(crate) fn logistic_q4_27(a: i32) -> i32 {
    if a == 0 {
        return 1 << 30;
    }
    let abs = if a > 0 { a } else { a.wrapping_neg() };
    let positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(abs.wrapping_neg(), 4));
    if a > 0 {
        positive
    } else {
        i32::MAX.wrapping_sub(positive)
    }
}

/// TFLM `GetReciprocal`: `(1 / x` in Q0.31 scaled into `[0.5, 1)`, bits above one`)` for a
/// positive `x` with `integer_bits` integer bits.
fn reciprocal(x: i32, integer_bits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros() as i32;
    let num_bits_over_unit = integer_bits - headroom_plus_one;
    let shifted_sum_minus_one =
        (x as u32).checked_shl(headroom_plus_one as u32).unwrap_or(0).wrapping_sub(1 << 31) as i32;
    (one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one), num_bits_over_unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::quantize_multiplier;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    fn params(input_scale: f32, beta: f32, dims: &[usize]) -> SoftmaxParams {
        SoftmaxParams::new(input_scale, beta, 1.0 / 256.0, -128, shape(dims), shape(dims)).unwrap()
    }

    fn run(p: &SoftmaxParams, input: &[i8]) -> Vec<i8> {
        let mut out = vec![0i8; input.len()];
        softmax_s8(p, &mut Io::split(input, &mut out)).unwrap();
        out
    }

    fn run16(p: &SoftmaxParams, input: &[i8]) -> Vec<i16> {
        let mut out = vec![0i16; input.len()];
        softmax_s8_s16(p, input, &mut out).unwrap();
        out
    }

    #[test]
    fn prepare_matches_tflm() {
        // scale 0.25, beta 1: 0.25 · 2^26 = 2^24 → (2^30, 25); radius floor(31·2^26 / 2^25) = 62.
        let p = params(0.25, 1.0, &[2]);
        assert_eq!((p.input_multiplier, p.input_left_shift, p.diff_min), (1 << 30, 25, -62));
        // scale 1/256: 2^18 → shift 19; radius 31·2^26 / 2^19 = 3968.
        let p = params(1.0 / 256.0, 1.0, &[2]);
        assert_eq!((p.input_left_shift, p.diff_min), (19, -3968));
        // beta · scale · 2^26 above 2^31 - 1 is capped there: (2^31 - 1, 31), radius
        // floor(0.96875) = 0, so only elements equal to the maximum survive.
        let p = params(1.0, 100.0, &[3]);
        assert_eq!((p.input_multiplier, p.input_left_shift, p.diff_min), (i32::MAX, 31, 0));
        assert_eq!(run(&p, &[0, -1, 0]), [0, -128, 0]);
    }

    /// The integer preparation against TFLM's double-precision one, on random betas and scales
    /// (below 1, at the cap, around it).
    #[test]
    fn prepare_is_the_double_derivation() {
        let mut rng = crate::test_rng::XorShift::new(0x853c_49e6_748f_ea9b);
        let mut next = move || rng.next_u32();
        let shape = Shape::new(&[1, 4]).unwrap();
        let (mut refused, mut capped, mut plain) = (0, 0, 0);
        for i in 0..200_000u32 {
            let beta = match i % 3 {
                0 => 1.0,
                1 => f32::from_bits(0x3000_0000 + next() % 0x1800_0000), // ~4.7e-10 .. ~2e4
                _ => -f32::from_bits(0x3f80_0000 | (next() & 0x7f_ffff)),
            };
            let scale = f32::from_bits(0x2f00_0000 + next() % 0x1c00_0000); // ~1e-10 .. ~3e6
            let real = (beta as f64 * scale as f64 * (1i64 << 26) as f64).min((1i64 << 31) as f64 - 1.0);
            let got = SoftmaxParams::prepare(scale, beta, shape, shape);
            if real <= 1.0 {
                assert!(got.is_err(), "beta {beta:e} scale {scale:e}");
                refused += 1;
                continue;
            }
            if real == (1i64 << 31) as f64 - 1.0 {
                capped += 1;
            } else {
                plain += 1;
            }
            let q = quantize_multiplier(real);
            let radius = libm::floor(31.0 * (1i64 << 26) as f64 / (1i64 << q.shift.min(62)) as f64) as i32;
            let p = got.unwrap();
            assert_eq!(
                (p.input_multiplier, p.input_left_shift, p.diff_min),
                (q.multiplier, q.shift, -radius),
                "beta {beta:e} scale {scale:e}"
            );
        }
        assert!(refused > 10_000 && capped > 10_000 && plain > 10_000, "{refused} {capped} {plain}");
    }

    #[test]
    fn fixed_point_building_blocks() {
        // 1/(1+0): the Newton iteration converges to 2 in Q2.29; halving and rescaling to
        // Q0.31 saturates to the largest value.
        assert_eq!(one_over_one_plus_x_for_x_in_0_1(0), i32::MAX);
        // exp(0) is exactly "one" (the largest Q0.31 value), for any input format.
        assert_eq!(exp_on_negative_values(0, 5), i32::MAX);
        // exp(-1) in Q5.26 (-2^26): the quarter remainder is -1/4 (polynomial), then the
        // barrel shifter multiplies by exp(-1/4) and exp(-1/2): 0.367879… · 2^31 ≈ 790015084;
        // gemmlowp's rounding lands on 790015308. The same value from Q4.27.
        assert_eq!(exp_on_negative_values(-(1 << 26), 5), 790_015_308);
        assert_eq!(exp_on_negative_values(-(1 << 27), 4), 790_015_308);
        // logistic(0) = 1/2 exactly, logistic(1) ≈ 0.7310586 · 2^31.
        assert_eq!(logistic_q4_27(0), 1 << 30);
        assert_eq!(logistic_q4_27(1 << 27), 1_569_936_226);
        assert_eq!(logistic_q4_27(-(1 << 27)), i32::MAX - 1_569_936_226);
    }

    #[test]
    fn dominant_element_saturates_high() {
        // [0, -128] at scale 0.25: -128 is below diff_min (-62) → -128. The maximum alone
        // sums to 2^19 (one in Q12.19): 12 leading zeros, no bits over one, reciprocal of
        // 1 + 0 = i32::MAX; the product with exp(0) is 2^31 - 2, divided by 2^23 rounds to
        // 256 → 128 after the offset → clamped to 127 (int16: 2^16 - 2^15 → 32767).
        let p = params(0.25, 1.0, &[2]);
        assert_eq!(run(&p, &[0, -128]), [127, -128]);
        assert_eq!(run16(&p, &[0, -128]), [32767, -32768]);
    }

    #[test]
    fn equal_elements_split_evenly() {
        // Two equal: sum 2^20 → one bit over one, exponent 24: (2^31 - 2) / 2^24 → 128 → 0.
        let p = params(0.25, 1.0, &[2]);
        assert_eq!(run(&p, &[5, 5]), [0, 0]);
        // Four equal: exponent 25 → 64 → -64 (int16: 16384 - 32768).
        let p = params(0.25, 1.0, &[1, 4]);
        assert_eq!(run(&p, &[3, 3, 3, 3]), [-64; 4]);
        assert_eq!(run16(&p, &[3, 3, 3, 3]), [-16384; 4]);
        // 256 equal: exponent 31 → (2^31 - 2) / 2^31 rounds to 1 → -127.
        let p = params(0.25, 1.0, &[256]);
        assert_eq!(run(&p, &[9; 256]), [-127; 256]);
    }

    #[test]
    fn known_vectors() {
        // [0, -4] at scale 0.25 is softmax([0, -1]) = [0.731, 0.269]. Sum of exps in Q12.19:
        // 524288 + round(790015308 / 2^12) = 524288 + 192875 = 717163 (12 leading zeros);
        // reciprocal of 1 + 790016000 / 2^31 ≈ 0.7311 → 187.2 → 59; 0.2689 · 256 = 68.8 →
        // 69 → -59 (int16: 15143, -15143). Exact values as traced through TFLM's reference.
        let p = params(0.25, 1.0, &[2]);
        assert_eq!(run(&p, &[0, -4]), [59, -59]);
        assert_eq!(run16(&p, &[0, -4]), [15143, -15143]);
        // Diffs 0..-63 around the radius: -62 is still counted (but rounds to -128), -63 is
        // cut off.
        let p = params(0.25, 1.0, &[6]);
        assert_eq!(run(&p, &[0, -4, -8, -62, -63, 7]), [-93, -115, -123, -128, -128, 75]);
        assert_eq!(run16(&p, &[0, -4, -8, -62, -63, 7]), [-23738, -29446, -31546, -32768, -32768, 19194]);
        // A narrow input scale (1/256): [0, -4] is softmax([0, -1/64]) ≈ [0.5039, 0.4961].
        let p = params(1.0 / 256.0, 1.0, &[2]);
        assert_eq!(run(&p, &[0, -4]), [1, -1]);
        assert_eq!(run16(&p, &[0, -4]), [256, -256]);
        // Rows are independent; [2, 3] shape, second row all equal.
        let p = params(0.25, 1.0, &[2, 3]);
        assert_eq!(run(&p, &[0, -4, -128, 1, 1, 1]), [59, -59, -128, -43, -43, -43]);
    }

    #[test]
    fn oversized_row_sum_is_refused_like_tflm() {
        // 512 equal elements: the sum 512 · 2^19 = 2^28 has 3 leading zeros → 9 bits over one
        // → exponent 32: TFLM aborts; we return an error. The int16 output has room.
        let p = params(0.25, 1.0, &[512]);
        let mut out = [0i8; 512];
        assert_eq!(softmax_s8(&p, &mut Io::split(&[0; 512], &mut out)), Err(Error::InvalidArgument));
        let mut out16 = [0i16; 512];
        softmax_s8_s16(&p, &[0; 512], &mut out16).unwrap();
        // 2^31 - 2 over 2^(9 + 15) → 128 → -32640.
        assert_eq!(out16[0], -32640);
    }

    #[test]
    fn rejects_bad_params() {
        let s = shape(&[4]);
        // Output quantization fixed by TFLM.
        assert!(SoftmaxParams::new(0.1, 1.0, 1.0 / 255.0, -128, s, s).is_err());
        assert!(SoftmaxParams::new(0.1, 1.0, 1.0 / 256.0, 0, s, s).is_err());
        assert!(SoftmaxParams::new_i16_output(0.1, 1.0, 1.0 / 65536.0, 0, s, s).is_err());
        assert!(SoftmaxParams::new_i16_output(0.1, 1.0, 1.0 / 65536.0 * 1.0005, -32768, s, s).is_ok());
        assert!(SoftmaxParams::new_i16_output(0.1, 1.0, 1.0 / 65536.0 * 1.002, -32768, s, s).is_err());
        // Multiplier ≤ 1 (beta · scale · 2^26 ≤ 1) and mismatched shapes.
        assert!(SoftmaxParams::new(1e-8, 1.0, 1.0 / 256.0, -128, s, s).is_err());
        assert!(SoftmaxParams::new(0.1, 0.0, 1.0 / 256.0, -128, s, s).is_err());
        assert!(SoftmaxParams::new(0.1, 1.0, 1.0 / 256.0, -128, s, shape(&[1, 4])).is_err());
        assert!(SoftmaxParams::new(0.1, 1.0, 1.0 / 256.0, -128, shape(&[]), shape(&[])).is_err());
    }
}
