//! SQUARED_DIFFERENCE (int8, broadcasting up to rank 4), bit-exact with TFLM.
//!
//! Both inputs are shifted left by 7 and rescaled to a common scale (`scale_i / (2 · max)`,
//! multipliers below one), their difference is squared in int32 and requantized by
//! `(2 · max)² / (2^14 · output_scale)` with `QuantizeMultiplier` (which may exceed one). The
//! output range is the full int8 range (no fused activation).

use super::add::{check_quant_i8, smaller_than_one, Broadcast};
use super::io::Io;
use crate::quant::quantize_multiplier;
use crate::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_smaller_than_one_exp};
use crate::tensor::Shape;
use crate::{Error, Result};

/// Left shift TFLM applies to int8 inputs.
const LEFT_SHIFT: i32 = 7;

/// Highest rank TFLM's broadcasting path takes.
const MAX_BROADCAST_RANK: usize = 4;

/// Prepared int8 SQUARED_DIFFERENCE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SquaredDifferenceParams {
    offsets: [i32; 3],
    requant: [(i32, i32); 3],
    broadcast: Broadcast,
}

impl SquaredDifferenceParams {
    /// Prepares `output = (input1 - input2)²` on int8 tensors.
    pub fn new(
        q1: (f32, i32),
        q2: (f32, i32),
        qo: (f32, i32),
        input1: Shape,
        input2: Shape,
        output: Shape,
    ) -> Result<SquaredDifferenceParams> {
        for (s, z) in [q1, q2, qo] {
            check_quant_i8(s, z)?;
        }
        let broadcast = Broadcast::new(input1, input2, output)?;
        if input1 != input2 && output.rank().max(input1.rank()).max(input2.rank()) > MAX_BROADCAST_RANK {
            return Err(Error::InvalidArgument);
        }
        let twice_max = 2.0 * q1.0.max(q2.0) as f64;
        let real1 = q1.0 as f64 / twice_max;
        let real2 = q2.0 as f64 / twice_max;
        // The denominator is an int times a float in TFLM: a float product.
        let real_out = (twice_max * twice_max) / ((1i32 << (2 * LEFT_SHIFT)) as f32 * qo.0) as f64;
        if !real_out.is_finite() {
            return Err(Error::InvalidArgument);
        }
        let o = quantize_multiplier(real_out);
        Ok(SquaredDifferenceParams {
            offsets: [-q1.1, -q2.1, qo.1],
            requant: [smaller_than_one(real1)?, smaller_than_one(real2)?, (o.multiplier, o.shift)],
            broadcast,
        })
    }

    /// The broadcast plan.
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }

    #[inline(always)]
    fn one(&self, x: i8, y: i8) -> i8 {
        let [(m1, s1), (m2, s2), (mo, so)] = self.requant;
        let a = (self.offsets[0] + x as i32) * (1 << LEFT_SHIFT);
        let b = (self.offsets[1] + y as i32) * (1 << LEFT_SHIFT);
        let a = multiply_by_quantized_multiplier_smaller_than_one_exp(a, m1, s1);
        let b = multiply_by_quantized_multiplier_smaller_than_one_exp(b, m2, s2);
        let d = a - b;
        let raw = multiply_by_quantized_multiplier(d.wrapping_mul(d), mo, so).wrapping_add(self.offsets[2]);
        raw.clamp(i8::MIN as i32, i8::MAX as i32) as i8
    }
}

/// Int8 SQUARED_DIFFERENCE over the broadcast plan (forward, in-place-safe as ADD's).
pub fn squared_difference_s8(p: &SquaredDifferenceParams, io: &mut Io<'_>) -> Result<()> {
    p.broadcast.run(io, |x, y| p.one(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squares_the_difference() {
        // Scales 1 in, 1 out, zero points 0: multipliers 0.5, 0.5 and 4 / 2^14; the inputs
        // shifted by 7 and halved: (x - y) · 64, squared · 4 / 2^14 = (x - y)².
        let s = Shape::new(&[4]).unwrap();
        let p = SquaredDifferenceParams::new((1.0, 0), (1.0, 0), (1.0, 0), s, s, s).unwrap();
        let mut out = [0i8; 4];
        squared_difference_s8(&p, &mut Io::split2(&[3, -2, 10, 0], &[1, 2, 0, 0], &mut out)).unwrap();
        assert_eq!(out, [4, 16, 100, 0]);
        // Output zero point -128 and saturation.
        let p = SquaredDifferenceParams::new((1.0, 0), (1.0, 0), (1.0, -128), s, s, s).unwrap();
        squared_difference_s8(&p, &mut Io::split2(&[3, -2, 20, 0], &[1, 2, 0, 0], &mut out)).unwrap();
        assert_eq!(out, [-124, -112, 127, -128]);
    }
}
