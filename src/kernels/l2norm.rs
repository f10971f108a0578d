//! L2_NORMALIZATION (int8) over the last dimension, bit-exact with TFLM's integer reference.
//!
//! Per row: the sum of squares of `input - zero_point` (int32), its inverse square root as a
//! Q31 multiplier and shift (TFLM's `GetInvSqrtQuantizedMultiplierExp`: Newton–Raphson in
//! gemmlowp fixed point), and each element scaled by it into steps of 1/128. TFLM's int8
//! L2_NORMALIZATION ignores the output quantization (the result is in steps of 1/128 around
//! zero), and so does this.

use super::softmax::saturating_shl;
use crate::quant::{multiply_by_quantized_multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};
use crate::tensor::Shape;
use crate::{Error, Result};

/// Highest input rank TFLM accepts.
pub const L2NORM_MAX_RANK: usize = 4;

/// Prepared int8 L2_NORMALIZATION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L2NormParams {
    input_zero_point: i32,
    /// Rows (product of all but the last dimension) and their length.
    outer: usize,
    depth: usize,
}

impl L2NormParams {
    /// Prepares an int8 L2 normalization of `shape` (rank 1..=4; zero point in int8).
    pub fn new(shape: Shape, input_zero_point: i32) -> Result<L2NormParams> {
        let rank = shape.rank();
        if rank == 0 || rank > L2NORM_MAX_RANK || !(-128..=127).contains(&input_zero_point) {
            return Err(Error::InvalidArgument);
        }
        let depth = shape.dim(rank - 1);
        let outer = shape.dims().iter().take(rank - 1).product();
        Ok(L2NormParams { input_zero_point, outer, depth })
    }

    /// Element count.
    pub fn len(&self) -> usize {
        self.outer * self.depth
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// TFLM `GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1)`: `(multiplier, shift)`
/// with `1 / sqrt(input) ≈ multiplier · 2^shift / 2^31` (shift ≤ 0 after the reversal).
pub(crate) fn inv_sqrt_multiplier(input: i32) -> (i32, i32) {
    let srdhm = saturating_rounding_doubling_high_mul;
    if input <= 1 {
        return (i32::MAX, 0);
    }
    let mut input = input;
    let mut shift: i32 = 11;
    while input >= (1 << 29) {
        input /= 4;
        shift += 1;
    }
    let max_left_shift_bits = (input as u32).leading_zeros() as i32 - 1;
    let left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
    shift -= left_shift_bit_pairs;
    input <<= 2 * left_shift_bit_pairs;
    // Q3.28 arithmetic: x ← 1.5·x − (input/2)·x³, five times, from x = 1.
    let fixed_input = input >> 1;
    let half_input = rounding_divide_by_pot(fixed_input, 1);
    const HALF_THREE: i32 = (1 << 28) + (1 << 27);
    let mut x: i32 = 1 << 28;
    for _ in 0..5 {
        let x3 = saturating_shl(srdhm(srdhm(x, x), x), 6);
        x = saturating_shl(srdhm(HALF_THREE, x).wrapping_sub(srdhm(half_input, x3)), 3);
    }
    const HALF_SQRT_2: i32 = 1_518_500_250;
    let mut m = srdhm(x, HALF_SQRT_2);
    if shift < 0 {
        m = m.wrapping_shl((-shift) as u32);
        shift = 0;
    }
    (m, -shift)
}

/// Int8 L2 normalization of `input` (rows of `depth`) into `output` (same length, else
/// [`Error::InvalidArgument`] and nothing written). Reads a whole row before writing it, so
/// the output may be the input's own bytes only at the same offset; the plan keeps them apart.
pub fn l2norm_s8(p: &L2NormParams, input: &[i8], output: &mut [i8]) -> Result<()> {
    if input.len() != p.len() || output.len() != p.len() {
        return Err(Error::InvalidArgument);
    }
    if p.depth == 0 {
        return Ok(());
    }
    for row in 0..p.outer {
        let at = row * p.depth;
        let x = input.get(at..at + p.depth).ok_or(Error::InvalidArgument)?;
        let y = output.get_mut(at..at + p.depth).ok_or(Error::InvalidArgument)?;
        let acc = x.iter().fold(0i32, |a, &v| {
            let d = v as i32 - p.input_zero_point;
            a.wrapping_add(d * d)
        });
        let (m, s) = inv_sqrt_multiplier(acc);
        for (o, &v) in y.iter_mut().zip(x) {
            let q = multiply_by_quantized_multiplier(v as i32 - p.input_zero_point, m, s + 7);
            *o = q.clamp(i8::MIN as i32, i8::MAX as i32) as i8;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_rows_in_steps_of_1_128() {
        // [3, 4] has norm 5: 0.6 and 0.8 → 77 (76.8) and 102 (102.4); a row of one value
        // becomes ±1 → 127 / -128 clamps; zeros stay 0 (multiplier max, shift 0).
        let p = L2NormParams::new(Shape::new(&[3, 2]).unwrap(), 0).unwrap();
        let mut y = [0i8; 6];
        l2norm_s8(&p, &[3, 4, -5, 0, 0, 0], &mut y).unwrap();
        assert_eq!(y, [77, 102, -128, 0, 0, 0]);
    }

    #[test]
    fn inverse_square_root_is_close() {
        for v in [2, 3, 25, 1000, 65_025, 1 << 20, (1 << 29) + 12345] {
            let (m, s) = inv_sqrt_multiplier(v);
            let got = m as f64 / 2f64.powi(31) * 2f64.powi(s);
            let want = 1.0 / (v as f64).sqrt();
            assert!((got / want - 1.0).abs() < 1e-5, "{v}: {got} vs {want}");
        }
    }
}
