//! PRELU (int8 input and alpha, broadcasting up to rank 4), bit-exact with TFLM.
//!
//! Non-negative `input - zp` is requantized by `s_in / s_out`; negative values are multiplied
//! by `alpha - alpha_zp` first and requantized by `s_in · s_alpha / s_out` (both multipliers
//! from `QuantizeMultiplier` in double precision).

use super::add::{check_quant_i8, Broadcast};
use super::io::Io;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::tensor::Shape;
use crate::{Error, Result};

/// Highest rank TFLM's broadcasting PRELU takes.
const MAX_BROADCAST_RANK: usize = 4;

/// Prepared int8 PRELU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreluParams {
    input_offset: i32,
    alpha_offset: i32,
    output_offset: i32,
    identity: (i32, i32),
    alpha: (i32, i32),
    broadcast: Broadcast,
}

impl PreluParams {
    /// Prepares `output = x ≥ 0 ? x : alpha · x` on int8 input, alpha and output.
    pub fn new(
        input: (f32, i32),
        alpha: (f32, i32),
        output: (f32, i32),
        input_shape: Shape,
        alpha_shape: Shape,
        output_shape: Shape,
    ) -> Result<PreluParams> {
        for (s, z) in [input, alpha, output] {
            check_quant_i8(s, z)?;
        }
        let broadcast = Broadcast::new(input_shape, alpha_shape, output_shape)?;
        let rank = input_shape.rank().max(alpha_shape.rank()).max(output_shape.rank());
        if input_shape != alpha_shape && rank > MAX_BROADCAST_RANK {
            return Err(Error::InvalidArgument);
        }
        let r1 = input.0 as f64 / output.0 as f64;
        let r2 = input.0 as f64 * alpha.0 as f64 / output.0 as f64;
        if !r1.is_finite() || !r2.is_finite() {
            return Err(Error::InvalidArgument);
        }
        let (q1, q2) = (quantize_multiplier(r1), quantize_multiplier(r2));
        Ok(PreluParams {
            input_offset: -input.1,
            alpha_offset: -alpha.1,
            output_offset: output.1,
            identity: (q1.multiplier, q1.shift),
            alpha: (q2.multiplier, q2.shift),
            broadcast,
        })
    }

    /// The broadcast plan (input 1 the input, input 2 alpha).
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }

    #[inline(always)]
    fn one(&self, x: i8, a: i8) -> i8 {
        let v = self.input_offset + x as i32;
        let out = if v >= 0 {
            multiply_by_quantized_multiplier(v, self.identity.0, self.identity.1)
        } else {
            let a = self.alpha_offset + a as i32;
            multiply_by_quantized_multiplier(v.wrapping_mul(a), self.alpha.0, self.alpha.1)
        };
        out.wrapping_add(self.output_offset).clamp(i8::MIN as i32, i8::MAX as i32) as i8
    }
}

/// Int8 PRELU over the broadcast plan: `io` input 0 is the input, input 1 alpha (forward,
/// in-place-safe as ADD's).
pub fn prelu_s8(p: &PreluParams, io: &mut Io<'_>) -> Result<()> {
    p.broadcast.run(io, |x, a| p.one(x, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_channel_slopes() {
        // Scales 1, alpha scale 0.25 (alpha 2 → 0.5, alpha -4 → -1), zero points 0.
        let s = |d: &[usize]| Shape::new(d).unwrap();
        let p = PreluParams::new((1.0, 0), (0.25, 0), (1.0, 0), s(&[2, 2]), s(&[2]), s(&[2, 2])).unwrap();
        let mut y = [0i8; 4];
        prelu_s8(&p, &mut Io::split2(&[-10, -10, 7, 100], &[2, -4], &mut y)).unwrap();
        assert_eq!(y, [-5, 10, 7, 100]);
    }
}
