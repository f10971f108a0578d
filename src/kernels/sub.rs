//! SUB (int8, with fused activation and broadcasting), bit-exact with TFLM.
//!
//! The arithmetic of ADD with the difference taken instead of the sum, but TFLM's SUB Prepare
//! derives its three multipliers differently: the ratios are divided in `f32` and only then
//! widened to double (ADD divides in double).

use super::add::{check_quant_i8, smaller_than_one, Broadcast};
use super::io::Io;
use crate::quant::{activation_range_i8, multiply_by_quantized_multiplier_smaller_than_one_exp, Activation};
use crate::tensor::Shape;
use crate::Result;

/// Left shift TFLM applies to int8 SUB inputs before rescaling them.
const SUB_LEFT_SHIFT: i32 = 20;

/// Prepared int8 SUB (TFLM `CalculateOpDataSub` for an int8 output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubParams {
    offsets: [i32; 3],
    /// `(multiplier, shift)` of input 1, input 2 and the output.
    requant: [(i32, i32); 3],
    act_min: i32,
    act_max: i32,
    broadcast: Broadcast,
}

impl SubParams {
    /// Prepares `output = act(input1 - input2)` on int8 tensors (scales finite and positive,
    /// zero points in int8, shapes broadcast-compatible; like TFLM, every multiplier must come
    /// out below one, else [`crate::Error::InvalidArgument`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        q1: (f32, i32),
        q2: (f32, i32),
        qo: (f32, i32),
        activation: Activation,
        input1_shape: Shape,
        input2_shape: Shape,
        output_shape: Shape,
    ) -> Result<SubParams> {
        for (s, z) in [q1, q2, qo] {
            check_quant_i8(s, z)?;
        }
        let broadcast = Broadcast::new(input1_shape, input2_shape, output_shape)?;
        let twice_max = 2.0 * q1.0.max(q2.0);
        let real1 = (q1.0 / twice_max) as f64;
        let real2 = (q2.0 / twice_max) as f64;
        let real_out = (twice_max / ((1i32 << SUB_LEFT_SHIFT) as f32 * qo.0)) as f64;
        let (act_min, act_max) = activation_range_i8(activation, qo.0, qo.1);
        Ok(SubParams {
            offsets: [-q1.1, -q2.1, qo.1],
            requant: [smaller_than_one(real1)?, smaller_than_one(real2)?, smaller_than_one(real_out)?],
            act_min,
            act_max,
            broadcast,
        })
    }

    /// The broadcast plan.
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }

    #[inline(always)]
    fn sub_one(&self, x: i8, y: i8) -> i8 {
        let [(m1, s1), (m2, s2), (mo, so)] = self.requant;
        let a = (self.offsets[0] + x as i32) * (1 << SUB_LEFT_SHIFT);
        let b = (self.offsets[1] + y as i32) * (1 << SUB_LEFT_SHIFT);
        let a = multiply_by_quantized_multiplier_smaller_than_one_exp(a, m1, s1);
        let b = multiply_by_quantized_multiplier_smaller_than_one_exp(b, m2, s2);
        let raw = multiply_by_quantized_multiplier_smaller_than_one_exp(a - b, mo, so) + self.offsets[2];
        // Not `clamp`: TFLM applies the lower bound, then the upper (no panic if they cross).
        raw.max(self.act_min).min(self.act_max) as i8
    }
}

/// Int8 SUB over the broadcast plan: `io` input 0 is `input1`, input 1 is `input2` (the
/// lengths and the forward, in-place-safe walk of [`super::add::add_s8`]).
pub fn sub_s8(params: &SubParams, io: &mut Io<'_>) -> Result<()> {
    params.broadcast.run(io, |x, y| params.sub_one(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    #[test]
    fn same_scales_subtract_exactly() {
        // Equal scales 0.5 everywhere, zero points 0: multipliers 0.5, 0.5 and 2/2^20;
        // 10 - 3 = 7, -128 - 127 saturates to -128, 127 - (-128) to 127.
        let p = SubParams::new((0.5, 0), (0.5, 0), (0.5, 0), Activation::None, shape(&[3]), shape(&[3]), shape(&[3]))
            .unwrap();
        let mut out = [0i8; 3];
        sub_s8(&p, &mut Io::split2(&[10, -128, 127], &[3, 127, -128], &mut out)).unwrap();
        assert_eq!(out, [7, -128, 127]);
    }

    #[test]
    fn broadcasts_and_offsets() {
        // input2 a scalar; zero points shift: (x - 5) - (y - (-5)) + 1 with y = 0: x - 9.
        let p = SubParams::new((1.0, 5), (1.0, -5), (1.0, 1), Activation::None, shape(&[4]), shape(&[1]), shape(&[4]))
            .unwrap();
        let mut out = [0i8; 4];
        sub_s8(&p, &mut Io::split2(&[0, 9, 20, -100], &[0], &mut out)).unwrap();
        assert_eq!(out, [-9, 0, 11, -109]);
        // A RELU clamps at the output zero point.
        let p = SubParams::new((1.0, 5), (1.0, -5), (1.0, 1), Activation::Relu, shape(&[4]), shape(&[1]), shape(&[4]))
            .unwrap();
        sub_s8(&p, &mut Io::split2(&[0, 9, 20, -100], &[0], &mut out)).unwrap();
        assert_eq!(out, [1, 1, 11, 1]);
    }
}
