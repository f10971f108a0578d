//! LOGISTIC (int8), bit-exact with TFLM's integer reference kernel.
//!
//! TFLM rescales `input - zero_point` into Q4.27 with a multiplier taken straight from
//! `frexp(input_scale · 2^27)` (no `QuantizeMultiplier` fix-ups), evaluates gemmlowp's
//! fixed-point logistic, and rounds the Q0.31 result to 8 fractional bits around the output
//! zero point -128. Inputs at or beyond the "input range radius" saturate to -128 / 127 without
//! evaluating the function. The output scale is assumed to be 1/256: TFLM checks only the
//! output zero point.

use super::activations::map_s8;
use super::add::check_quant_i8;
use super::call::MapCall;
use super::io::Io;
use super::softmax::logistic_q4_27;
use crate::quant::{multiply_by_quantized_multiplier, rounding_divide_by_pot};
use crate::{Error, Result};

/// Integer bits of the rescaled input (Q4.27), as in TFLM.
const INPUT_INTEGER_BITS: i32 = 4;

/// TFLM's int8 input rescaling into Q4.27 for LOGISTIC and TANH: `(multiplier, left shift,
/// input range radius)` from `frexp(input_scale · 2^27)` (no `QuantizeMultiplier` fix-ups).
/// The shift must not be negative (`input_scale ≥ 2^-28`).
pub(crate) fn input_rescale(input_scale: f32) -> Result<(i32, i32, i32)> {
    let real = input_scale as f64 * (1i64 << (31 - INPUT_INTEGER_BITS)) as f64;
    let (q, shift) = libm::frexp(real);
    if shift < 0 {
        return Err(Error::InvalidArgument);
    }
    // Truncating conversion as in C++ (q has at most 24 significant bits, so the rounded
    // value never reaches 2^31).
    let input_multiplier = libm::round(q * (1u64 << 31) as f64) as i64 as i32;
    // TFLM CalculateInputRadius(4, shift, 31) = floor(15 · 2^27 / 2^shift), in double.
    // It is 0 for every shift ≥ 31.
    let input_range_radius = if shift >= 31 {
        0
    } else {
        let max_input_rescaled = ((1i64 << INPUT_INTEGER_BITS) - 1) as f64 * (1i64 << (31 - INPUT_INTEGER_BITS)) as f64
            / (1i64 << shift) as f64;
        libm::floor(max_input_rescaled) as i32
    };
    Ok((input_multiplier, shift, input_range_radius))
}

/// Prepared int8 LOGISTIC (TFLM `CalculateArithmeticOpDataLogistic` for int8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogisticParams {
    input_zero_point: i32,
    input_range_radius: i32,
    input_multiplier: i32,
    input_left_shift: i32,
}

impl LogisticParams {
    /// Prepares int8 logistic. `output_zero_point` must be -128 (as TFLM requires); the output
    /// scale is not an argument because TFLM ignores it (the result is in steps of 1/256).
    ///
    /// `input_scale` must be finite with `input_scale ≥ 2^-28` (smaller scales make TFLM's
    /// radius computation shift by a negative amount); `input_zero_point` in `-128..=127`.
    pub fn new(input_scale: f32, input_zero_point: i32, output_zero_point: i32) -> Result<LogisticParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        if output_zero_point != -128 {
            return Err(Error::InvalidArgument);
        }
        let (input_multiplier, shift, input_range_radius) = input_rescale(input_scale)?;
        Ok(LogisticParams { input_zero_point, input_range_radius, input_multiplier, input_left_shift: shift })
    }

    #[inline(always)]
    fn eval_one(&self, x: i8) -> i8 {
        let input = x as i32 - self.input_zero_point;
        if input <= -self.input_range_radius {
            i8::MIN
        } else if input >= self.input_range_radius {
            i8::MAX
        } else {
            // |input| < radius keeps input · 2^shift below 15 · 2^27: no overflow.
            let q4 = multiply_by_quantized_multiplier(input, self.input_multiplier, self.input_left_shift);
            let q0 = logistic_q4_27(q4);
            (rounding_divide_by_pot(q0, 23) - 128).clamp(i8::MIN as i32, i8::MAX as i32) as i8
        }
    }
}

/// Int8 logistic, elementwise: `output[i] ≈ 256 · sigmoid(input_scale · (input[i] - zp)) - 128`.
///
/// Input 0 of `io` is the input; the output must be at least as long (otherwise
/// [`Error::InvalidArgument`], nothing written); any layout, as the op is elementwise. Walks
/// forward (ascending index); the output may share the input's buffer when it starts at or
/// before the input.
pub fn logistic_s8(params: &LogisticParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    map_s8(io, call, |x| params.eval_one(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &LogisticParams, input: &[i8]) -> [i8; 8] {
        let mut out = [0i8; 8];
        logistic_s8(p, &MapCall::flat(input.len()), &mut Io::split(input, &mut out[..input.len()])).unwrap();
        out
    }

    #[test]
    fn prepare_matches_tflm() {
        // scale 1/16: real = 2^23 → frexp (0.5, 24) → multiplier 2^30, shift 24;
        // radius = floor(15·2^27 / 2^24) = 120.
        let p = LogisticParams::new(0.0625, 0, -128).unwrap();
        assert_eq!((p.input_multiplier, p.input_left_shift, p.input_range_radius), (1 << 30, 24, 120));
        // scale 0.1f = 13421773·2^-27: real = 13421773 → frexp gives 13421773/2^24 and 24,
        // multiplier 13421773·2^7 = 1717986944; radius 120 as well.
        let p = LogisticParams::new(0.1, 3, -128).unwrap();
        assert_eq!((p.input_multiplier, p.input_left_shift, p.input_range_radius), (1_717_986_944, 24, 120));
    }

    #[test]
    fn zero_maps_to_one_half() {
        // Input at the zero point: gemmlowp returns exactly 0.5 = 2^30 in Q0.31;
        // 2^30 / 2^23 = 128 → 128 - 128 = 0.
        let p = LogisticParams::new(0.0625, 5, -128).unwrap();
        assert_eq!(run(&p, &[5])[0], 0);
    }

    #[test]
    fn radius_saturates_both_ends() {
        // Radius 120 at scale 1/16 (zero point 0): -120 and below → -128, 120 and above → 127.
        let p = LogisticParams::new(0.0625, 0, -128).unwrap();
        assert_eq!(&run(&p, &[-128, -120, 120, 127])[..4], &[-128, -128, 127, 127]);
        // Zero point 100 moves the window: input -28 is 128 steps below → saturates low.
        let p = LogisticParams::new(0.0625, 100, -128).unwrap();
        assert_eq!(run(&p, &[-28])[0], -128);
    }

    #[test]
    fn near_saturation_inside_radius() {
        // At scale 1/16, input 119 is x = 7.4375: sigmoid = 0.99941…, ·256 = 255.85 → 256 →
        // 128 after the offset → clamps to 127. Input -119: 0.15 → 0 → -128.
        let p = LogisticParams::new(0.0625, 0, -128).unwrap();
        assert_eq!(&run(&p, &[119, -119])[..2], &[127, -128]);
    }

    #[test]
    fn rejects_bad_quantization() {
        assert!(LogisticParams::new(0.1, 0, 0).is_err());
        assert!(LogisticParams::new(0.0, 0, -128).is_err());
        assert!(LogisticParams::new(1e-9, 0, -128).is_err());
        assert!(LogisticParams::new(0.1, 200, -128).is_err());
    }
}
