//! TANH (int8), bit-exact with TFLM's integer reference kernel.
//!
//! The input (minus its zero point) is rescaled into Q4.27 exactly as LOGISTIC's is, gemmlowp's
//! fixed-point tanh is evaluated (`-tanh(-|x|)` as `(1 - e) / (1 + e)` with `e = exp(-2|x|)`),
//! and the Q0.31 result is rounded to 7 fractional bits. Inputs at or beyond the input range
//! radius saturate to -128 / 127. TFLM's int8 TANH ignores the output quantization (the result
//! is in steps of 1/128 around zero), and so does this.

use super::activations::map_s8;
use super::add::check_quant_i8;
use super::call::MapCall;
use super::io::Io;
use super::logistic::input_rescale;
use super::softmax::{exp_on_negative_values, rounding_half_sum, saturating_shl};
use crate::quant::{multiply_by_quantized_multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};
use crate::Result;

/// Prepared int8 TANH (TFLM's `CalculateArithmeticOpData` for int8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TanhParams {
    input_zero_point: i32,
    input_range_radius: i32,
    input_multiplier: i32,
    input_left_shift: i32,
}

impl TanhParams {
    /// Prepares int8 tanh from the input quantization (`input_scale ≥ 2^-28`, finite).
    pub fn new(input_scale: f32, input_zero_point: i32) -> Result<TanhParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        let (input_multiplier, input_left_shift, input_range_radius) = input_rescale(input_scale)?;
        Ok(TanhParams { input_zero_point, input_range_radius, input_multiplier, input_left_shift })
    }

    #[inline(always)]
    fn eval_one(&self, x: i8) -> i8 {
        let input = x as i32 - self.input_zero_point;
        if input <= -self.input_range_radius {
            i8::MIN
        } else if input >= self.input_range_radius {
            i8::MAX
        } else {
            let q4 = multiply_by_quantized_multiplier(input, self.input_multiplier, self.input_left_shift);
            let q0 = tanh_q4_27(q4);
            rounding_divide_by_pot(q0, 24).clamp(i8::MIN as i32, i8::MAX as i32) as i8
        }
    }
}

/// gemmlowp `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 - a) / (1 + a)` in Q0.31, by three
/// Newton–Raphson steps in Q2.29.
fn one_minus_x_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const FORTY_EIGHT_OVER_17: i32 = 1_515_870_810;
    const MINUS_THIRTY_TWO_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    let srdhm = saturating_rounding_doubling_high_mul;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = FORTY_EIGHT_OVER_17.wrapping_add(srdhm(half_denominator, MINUS_THIRTY_TWO_OVER_17));
    for _ in 0..3 {
        let one_minus = ONE_Q2.wrapping_sub(srdhm(half_denominator, x));
        x = x.wrapping_add(saturating_shl(srdhm(x, one_minus), 2));
    }
    saturating_shl(x.wrapping_sub(ONE_Q2), 2)
}

/// gemmlowp `tanh` on a Q4.27 input, in Q0.31.
pub(crate) fn tanh_q4_27(a: i32) -> i32 {
    if a == 0 {
        return 0;
    }
    let n = if a < 0 { a } else { a.wrapping_neg() };
    // ExactMulByPot<1>: the same raw value read as Q5.26 (2n).
    let t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, 5));
    if a < 0 {
        t.wrapping_neg()
    } else {
        t
    }
}

/// Int8 tanh, elementwise over input 0 of `io` (forward; in place as
/// [`super::activations::relu_s8`]).
pub fn tanh_s8(params: &TanhParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    map_s8(io, call, |x| params.eval_one(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &TanhParams, x: &[i8]) -> Vec<i8> {
        let mut out = vec![0i8; x.len()];
        tanh_s8(p, &MapCall::flat(x.len()), &mut Io::split(x, &mut out)).unwrap();
        out
    }

    #[test]
    fn odd_and_close_to_tanh() {
        // Scale 1/16, zero point 0: x/16 for x in -64..64 (|x| < 4, the radius is 240).
        let p = TanhParams::new(1.0 / 16.0, 0).unwrap();
        let xs: Vec<i8> = (-64..64).collect();
        let ys = run(&p, &xs);
        for (&x, &y) in xs.iter().zip(&ys) {
            let want = 128.0 * libm::tanh(x as f64 / 16.0);
            assert!((y as f64 - want.min(127.0)).abs() <= 1.0, "{x}: {y} vs {want}");
        }
        assert_eq!(run(&p, &[0, 16, -16]), [0, 97, -97]);
    }

    #[test]
    fn saturates_beyond_the_radius() {
        // Scale 0.5: shift 27, radius floor(15 · 2^27 / 2^27) = 15 input steps.
        let p = TanhParams::new(0.5, 10).unwrap();
        assert_eq!(run(&p, &[-128, 127, 10]), [-128, 127, 0]);
    }
}
