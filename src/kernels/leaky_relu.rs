//! LEAKY_RELU (int8), bit-exact with TFLM's reference `QuantizeLeakyRelu`.
//!
//! Two requantizations of `x - input_zp`: by `s_in / s_out` where it is non-negative, by
//! `s_in · alpha / s_out` where it is negative (both ratios computed in `f32` and widened to
//! double, as TFLM's Prepare does). A negative alpha gives a negative Q31 multiplier: TFLM then
//! multiplies by its magnitude and negates the product, and so does this.

use super::activations::map_s8;
use super::add::check_quant_i8;
use super::call::MapCall;
use super::io::Io;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::{Error, Result};

/// Prepared int8 LEAKY_RELU (TFLM `CalculateOpDataLeakyRelu`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeakyReluParams {
    input_offset: i32,
    output_offset: i32,
    identity_multiplier: i32,
    identity_shift: i32,
    alpha_multiplier: i32,
    alpha_shift: i32,
}

impl LeakyReluParams {
    /// Prepares int8 LEAKY_RELU from the quantization of input and output (finite positive
    /// scales, zero points in `-128..=127`) and `alpha` (finite).
    pub fn new(
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
        alpha: f32,
    ) -> Result<LeakyReluParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let alpha_real = (input_scale * alpha / output_scale) as f64;
        let identity_real = (input_scale / output_scale) as f64;
        if !alpha_real.is_finite() || !identity_real.is_finite() {
            return Err(Error::InvalidArgument);
        }
        let a = quantize_multiplier(alpha_real);
        let i = quantize_multiplier(identity_real);
        Ok(LeakyReluParams {
            input_offset: input_zero_point,
            output_offset: output_zero_point,
            identity_multiplier: i.multiplier,
            identity_shift: i.shift,
            alpha_multiplier: a.multiplier,
            alpha_shift: a.shift,
        })
    }
}

/// Int8 LEAKY_RELU, elementwise over input 0 of `io` (forward; in place as
/// [`super::activations::relu_s8`]).
pub fn leaky_relu_s8(p: &LeakyReluParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    let negative_alpha = p.alpha_multiplier < 0;
    let alpha = p.alpha_multiplier.wrapping_abs();
    map_s8(io, call, |x| {
        let v = x as i32 - p.input_offset;
        let scaled = if v >= 0 {
            multiply_by_quantized_multiplier(v, p.identity_multiplier, p.identity_shift)
        } else {
            let s = multiply_by_quantized_multiplier(v, alpha, p.alpha_shift);
            if negative_alpha {
                s.wrapping_neg()
            } else {
                s
            }
        };
        p.output_offset.wrapping_add(scaled).clamp(i8::MIN as i32, i8::MAX as i32) as i8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &LeakyReluParams, x: &[i8]) -> Vec<i8> {
        let mut out = vec![0i8; x.len()];
        leaky_relu_s8(p, &MapCall::flat(x.len()), &mut Io::split(x, &mut out)).unwrap();
        out
    }

    #[test]
    fn scales_negatives_by_alpha() {
        // Same scales, alpha 0.5: multiplier (2^30, 0) halves with round-half-up on ties of
        // the doubling high multiply: -3 → -1.5 → -1; -4 → -2; positives pass unchanged.
        let p = LeakyReluParams::new(1.0, 0, 1.0, 0, 0.5).unwrap();
        assert_eq!(run(&p, &[-4, -3, -1, 0, 5, 127, -128]), [-2, -1, 0, 0, 5, 127, -64]);
    }

    #[test]
    fn offsets_and_saturates() {
        // Input zp 10, output zp -20, s_in / s_out = 2, alpha 0.25 → 0.5.
        // 10 → 0 → -20; 60 → 50·2 = 100 → 80; 127 → 117·2 = 234 → 214 → 127;
        // 0 → -10·0.5 = -5 → -25; -128 → -138·0.5 = -69 → -89.
        let p = LeakyReluParams::new(2.0, 10, 1.0, -20, 0.25).unwrap();
        assert_eq!(run(&p, &[10, 60, 127, 0, -128]), [-20, 80, 127, -25, -89]);
    }

    #[test]
    fn negative_alpha_flips_the_sign() {
        // alpha -0.5: -4 → 2, -3 → -(1.5 rounded to -1 then negated) = 1 (TFLM's order).
        let p = LeakyReluParams::new(1.0, 0, 1.0, 0, -0.5).unwrap();
        assert_eq!(run(&p, &[-4, -3, 3]), [2, 1, 3]);
        assert!(LeakyReluParams::new(1.0, 0, 1.0, 0, f32::INFINITY).is_err());
    }
}
