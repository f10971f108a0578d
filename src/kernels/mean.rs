//! MEAN for int8 tensors, bit-exact with TFLM's integer mean.
//!
//! TFLM runs every int8 MEAN (any rank, any axis set, equal or different input/output
//! quantization, `keep_dims` either way) through one generic path:
//! 1. sum the int8 inputs of each output position in a wrapping `i32`;
//! 2. subtract `input_zero_point × count` (computed in 64 bits, truncated to 32);
//! 3. requantize with a multiplier derived from `input_scale / output_scale` (double precision,
//!    TFLM's `QuantizeMultiplier`) in which the division by `count` is folded: the multiplier is
//!    scaled up by `2^k` (`k = floor(log2(count))`, at most 32 and at most `31 + shift`),
//!    divided by `count` with truncation, and the shift lowered by `k`;
//! 4. double-rounding `MultiplyByQuantizedMultiplier`, add the output zero point, clamp.
//!
//! There is no special case for equal scales. `keep_dims` does not change the data layout:
//! outputs are in row-major order of the kept input dimensions either way.

use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::tensor::{LeI32s, Shape, MAX_RANK};
use crate::{Error, Result};

/// Prepared parameters of an int8 MEAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeanParams {
    /// Input shape (rank 0..=[`MAX_RANK`]).
    input: Shape,
    /// Bit `d` set when input dimension `d` is reduced (axes resolved and deduplicated).
    reduced_mask: u8,
    /// Number of input elements averaged into each output (product of the reduced dims).
    count: usize,
    /// Number of outputs (product of the kept dims).
    num_outputs: usize,
    /// True when the input has a zero-sized dimension: TFLM then writes 0 to every output.
    empty_input: bool,
    /// Requantization with the `1/count` factor folded in.
    multiplier: i32,
    shift: i32,
    input_zero_point: i32,
    output_zero_point: i32,
}

impl MeanParams {
    /// Input shape.
    pub fn input(&self) -> Shape {
        self.input
    }
    /// Number of outputs written by [`mean_s8`].
    pub fn num_outputs(&self) -> usize {
        self.num_outputs
    }
    /// Number of input elements averaged into each output.
    pub fn count(&self) -> usize {
        self.count
    }
    /// Bit `d` set when input dimension `d` is reduced.
    pub fn reduced_mask(&self) -> u8 {
        self.reduced_mask
    }
    /// The requantization `(multiplier, shift)` with `1/count` folded in.
    pub fn requant(&self) -> (i32, i32) {
        (self.multiplier, self.shift)
    }

    /// TFLM's MEAN Prepare for int8.
    ///
    /// - `input`, `output`: shapes; only the output's element count matters (it must equal the
    ///   product of the kept input dimensions, whatever `keep_dims` was).
    /// - `axes`: the axis tensor's int32 values (any count; negative values count from the
    ///   end; duplicates are ignored). A rank-0 input ignores them.
    /// - scales must be finite and positive; zero points are used as given.
    ///
    /// Errors with [`Error::InvalidArgument`] on an axis outside `-rank..rank`, an output size
    /// that disagrees, or a bad scale. Like TFLM, an input with a zero-sized dimension skips
    /// the axis check and produces all-zero outputs.
    pub fn new(
        input: Shape,
        output: Shape,
        axes: LeI32s,
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<MeanParams> {
        let bad_scale = |s: f32| !(s.is_finite() && s > 0.0);
        if bad_scale(input_scale) || bad_scale(output_scale) {
            return Err(Error::InvalidArgument);
        }
        let rank = input.rank();
        let empty_input = input.dims().contains(&0);
        let mut reduced_mask = 0u8;
        if rank > 0 && !empty_input {
            for i in 0..axes.len() {
                let a = axes.get(i);
                let resolved = if a < 0 { a as i64 + rank as i64 } else { a as i64 };
                if resolved < 0 || resolved >= rank as i64 {
                    return Err(Error::InvalidArgument);
                }
                reduced_mask |= 1 << resolved;
            }
        }
        let mut count = 1usize;
        let mut num_outputs = 1usize;
        for (d, &size) in input.dims().iter().enumerate() {
            if reduced_mask & (1 << d) != 0 {
                count = count.checked_mul(size).ok_or(Error::InvalidArgument)?;
            } else {
                num_outputs = num_outputs.checked_mul(size).ok_or(Error::InvalidArgument)?;
            }
        }
        if empty_input {
            // TFLM zero-fills as many outputs as the output tensor holds.
            num_outputs = output.num_elements();
        } else if output.num_elements() != num_outputs {
            return Err(Error::InvalidArgument);
        }

        let base = quantize_multiplier(input_scale as f64 / output_scale as f64);
        let (mut multiplier, mut shift) = (base.multiplier, base.shift);
        if count > 0 {
            let count64 = count as u64;
            let k = (63 - count64.leading_zeros() as i32).min(32).min(31 + shift);
            multiplier = (((multiplier as i64) << k) / count64 as i64) as i32;
            shift -= k;
        }
        Ok(MeanParams {
            input,
            reduced_mask,
            count,
            num_outputs,
            empty_input,
            multiplier,
            shift,
            input_zero_point,
            output_zero_point,
        })
    }
}

/// MEAN, int8, row-major tensors of any rank up to [`MAX_RANK`].
///
/// Writes `params.num_outputs()` values in row-major order of the kept dimensions.
///
/// Preconditions: `input.len() ≥ params.input().num_elements()` and
/// `output.len() ≥ params.num_outputs()`; otherwise nothing is written.
pub fn mean_s8(p: &MeanParams, input: &[i8], output: &mut [i8]) {
    if output.len() < p.num_outputs || (!p.empty_input && input.len() < p.input.num_elements()) {
        return;
    }
    let get = |i: usize| input.get(i).map_or(0, |&x| x as i32);
    mean_with(p, get, |k, v| {
        if let Some(o) = output.get_mut(k) {
            *o = v.clamp(i8::MIN as i32, i8::MAX as i32) as i8;
        }
    });
}

/// MEAN, int16 (TFLM runs it through the same integer path as int8, clamping to int16), over
/// little-endian bytes. Preconditions as [`mean_s8`]'s, in elements; otherwise nothing is
/// written.
pub fn mean_s16(p: &MeanParams, input: &[u8], output: &mut [u8]) {
    if output.len() / 2 < p.num_outputs || (!p.empty_input && input.len() / 2 < p.input.num_elements()) {
        return;
    }
    let get = |i: usize| super::conv16::get16(input, i);
    mean_with(p, get, |k, v| super::conv16::set16(output, k, v.clamp(i16::MIN as i32, i16::MAX as i32) as i16));
}

/// The integer mean over input elements `get(i)`, each output (before the clamp) to `put`.
#[inline(always)]
fn mean_with(p: &MeanParams, get: impl Fn(usize) -> i32, mut put: impl FnMut(usize, i32)) {
    if p.empty_input {
        (0..p.num_outputs).for_each(|k| put(k, 0));
        return;
    }
    let rank = p.input.rank();
    // Row-major strides of the input.
    let mut stride = [0usize; MAX_RANK];
    let mut acc = 1usize;
    for (d, s) in stride.iter_mut().enumerate().take(rank).rev() {
        *s = acc;
        acc *= p.input.dim(d);
    }
    // Split the dimensions into kept (outer odometer) and reduced (inner odometer).
    let (mut kept_size, mut kept_stride) = ([0usize; MAX_RANK], [0usize; MAX_RANK]);
    let (mut red_size, mut red_stride) = ([0usize; MAX_RANK], [0usize; MAX_RANK]);
    let (mut nk, mut nr) = (0usize, 0usize);
    for (d, (&size, &st)) in p.input.dims().iter().zip(stride.iter()).enumerate() {
        let (sizes, strides, n) = if p.reduced_mask & (1 << d) != 0 {
            (&mut red_size, &mut red_stride, &mut nr)
        } else {
            (&mut kept_size, &mut kept_stride, &mut nk)
        };
        // n ≤ d < rank ≤ MAX_RANK.
        if let (Some(sz), Some(s)) = (sizes.get_mut(*n), strides.get_mut(*n)) {
            (*sz, *s) = (size, st);
            *n += 1;
        }
    }
    let zp_total = p.input_zero_point as i64 * p.count as i64;

    let mut kept_idx = [0usize; MAX_RANK];
    let mut base = 0usize;
    for k in 0..p.num_outputs {
        // Sum over the reduced dimensions, wrapping like TFLM's int32 accumulator.
        let mut sum: i32 = 0;
        let mut red_idx = [0usize; MAX_RANK];
        let mut off = base;
        loop {
            // off < input.len(): the odometer stays inside the input shape (checked above).
            sum = sum.wrapping_add(get(off));
            if !advance(&mut red_idx, &red_size, &red_stride, nr, &mut off) {
                break;
            }
        }
        let shifted = (sum as i64 - zp_total) as i32;
        let v = multiply_by_quantized_multiplier(shifted, p.multiplier, p.shift).wrapping_add(p.output_zero_point);
        put(k, v);
        advance(&mut kept_idx, &kept_size, &kept_stride, nk, &mut base);
    }
}

/// Odometer step over `n` dimensions (last fastest), keeping `offset` in sync. Returns false
/// (with the index back at zero) after the last position.
#[inline(always)]
fn advance(
    idx: &mut [usize; MAX_RANK],
    size: &[usize; MAX_RANK],
    stride: &[usize; MAX_RANK],
    n: usize,
    offset: &mut usize,
) -> bool {
    for ((i, &size), &stride) in idx.iter_mut().zip(size).zip(stride).take(n).rev() {
        *i += 1;
        *offset += stride;
        if *i < size {
            return true;
        }
        *offset -= *i * stride;
        *i = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    fn axes(v: &[i32]) -> [u8; 24] {
        let mut b = [0u8; 24];
        for (i, a) in v.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&a.to_le_bytes());
        }
        b
    }

    #[test]
    fn hw_mean_same_quant_keep_dims_both_ways() {
        // [1,2,2,2] -> mean over H,W. Scale ratio 1 -> multiplier 2^30, shift 1.
        // count 4: k = 2, multiplier 2^32/4 = 2^30, shift -1.
        let input = [1i8, -1, 2, -2, 3, -3, 5, -4];
        let a = axes(&[1, 2]);
        for out_shape in [shape(&[1, 1, 1, 2]), shape(&[1, 2])] {
            let p = MeanParams::new(shape(&[1, 2, 2, 2]), out_shape, LeI32s::new(&a[..8]), 0.5, 0, 0.5, 0).unwrap();
            assert_eq!((p.multiplier, p.shift, p.count), (1 << 30, -1, 4));
            let mut out = [0i8; 2];
            mean_s8(&p, &input, &mut out);
            // ch0: 11/4 = 2.75 -> 3; ch1: -10/4 = -2.5 -> -3 (half away from zero).
            assert_eq!(out, [3, -3]);
        }
    }

    #[test]
    fn negative_and_duplicate_axes() {
        // Axes [-2, 2, 1] on rank 4 -> {1, 2}.
        let a = axes(&[-2, 2, 1]);
        let p = MeanParams::new(shape(&[1, 2, 2, 2]), shape(&[1, 2]), LeI32s::new(&a[..12]), 0.5, 0, 0.5, 0).unwrap();
        assert_eq!((p.reduced_mask, p.count, p.num_outputs), (0b0110, 4, 2));
        let a = axes(&[4]);
        assert_eq!(
            MeanParams::new(shape(&[1, 2, 2, 2]), shape(&[1, 2]), LeI32s::new(&a[..4]), 0.5, 0, 0.5, 0),
            Err(Error::InvalidArgument)
        );
        let a = axes(&[-5]);
        assert!(MeanParams::new(shape(&[1, 2, 2, 2]), shape(&[1, 2]), LeI32s::new(&a[..4]), 0.5, 0, 0.5, 0).is_err());
        // Output size mismatch.
        let a = axes(&[1]);
        assert!(MeanParams::new(shape(&[1, 2, 2, 2]), shape(&[1, 2]), LeI32s::new(&a[..4]), 0.5, 0, 0.5, 0).is_err());
    }

    #[test]
    fn requantizing_mean_with_zero_points() {
        // [1,3,1,1] mean over axis 1; input scale 0.5 zp -3, output scale 0.25 zp 10.
        // Ratio 2: QuantizeMultiplier -> (2^30, shift 2). count 3: k = 1, multiplier
        // 2^31/3 = 715827882, shift 1.
        let a = axes(&[1]);
        let p = MeanParams::new(shape(&[1, 3, 1, 1]), shape(&[1, 1, 1, 1]), LeI32s::new(&a[..4]), 0.5, -3, 0.25, 10)
            .unwrap();
        assert_eq!((p.multiplier, p.shift), (715_827_882, 1));
        let mut out = [0i8; 1];
        // Sum 7, shifted 7 + 9 = 16. 16 << 1 = 32; SRDHM(32, 715827882) =
        // round(32 * 715827882 / 2^31) = round(10.6667) = 11. + 10 = 21.
        mean_s8(&p, &[1, 2, 4], &mut out);
        assert_eq!(out, [21]);
        // Saturation high: sum 381, shifted 390 -> 780; 780*715827882/2^31 = 260 -> 270 -> 127.
        mean_s8(&p, &[127, 127, 127], &mut out);
        assert_eq!(out, [127]);
        // Saturation low: sum -384, shifted -375 -> -750 -> -250 -> -240 -> -128.
        mean_s8(&p, &[-128, -128, -128], &mut out);
        assert_eq!(out, [-128]);
    }

    #[test]
    fn rounding_tie_in_final_shift() {
        // Equal scales, count 2: QuantizeMultiplier(1) = (2^30, shift 1); k = 1 gives
        // multiplier 2^31/2 = 2^30 and shift 0, so the result is SRDHM(sum, 2^30) = sum/2
        // rounded by the doubling high multiply, whose nudge sends +1.5 to 2 but -1.5 to -1.
        let a = axes(&[0]);
        let p = MeanParams::new(shape(&[2, 2]), shape(&[2]), LeI32s::new(&a[..4]), 1.0, 0, 1.0, 0).unwrap();
        assert_eq!((p.multiplier, p.shift), (1 << 30, 0));
        let mut out = [0i8; 2];
        // Column sums: 1 + 2 = 3 -> 2; -1 + -2 = -3 -> -1.
        mean_s8(&p, &[1, -1, 2, -2], &mut out);
        assert_eq!(out, [2, -1]);
    }

    #[test]
    fn reduce_middle_and_last_axes_order() {
        // [2,3,2] reduce axis 1 -> [2,2], outputs in row-major order of (d0, d2).
        let a = axes(&[1]);
        let p = MeanParams::new(shape(&[2, 3, 2]), shape(&[2, 1, 2]), LeI32s::new(&a[..4]), 1.0, 0, 1.0, 0).unwrap();
        // count 3, ratio 1 -> (2^30, 1) -> k 1: 2^31/3 = 715827882, shift 0.
        assert_eq!((p.multiplier, p.shift), (715_827_882, 0));
        let input = [3i8, 30, 3, 30, 3, 31, 6, -60, 6, -60, 9, -60];
        let mut out = [0i8; 4];
        mean_s8(&p, &input, &mut out);
        // Sums 9, 91, 21, -180: 9*m/2^31 = 2.99999 -> 3; 91 -> 30.33 -> 30; 21 -> 7; -180 -> -60.
        assert_eq!(out, [3, 30, 7, -60]);
        // All axes, no axes.
        let a = axes(&[0, 1, 2]);
        let p = MeanParams::new(shape(&[2, 3, 2]), shape(&[]), LeI32s::new(&a[..12]), 1.0, 0, 1.0, 0).unwrap();
        let mut out1 = [0i8; 1];
        mean_s8(&p, &input, &mut out1);
        // Sum -59 / 12 = -4.9 -> -5.
        assert_eq!(out1, [-5]);
        let p = MeanParams::new(shape(&[2, 3, 2]), shape(&[2, 3, 2]), LeI32s::new(&[]), 1.0, 0, 1.0, 0).unwrap();
        let mut out12 = [0i8; 12];
        mean_s8(&p, &input, &mut out12);
        assert_eq!(out12, input);
    }

    #[test]
    fn empty_input_writes_zeros() {
        let a = axes(&[7]);
        let p = MeanParams::new(shape(&[0, 3]), shape(&[3]), LeI32s::new(&a[..4]), 1.0, 5, 1.0, 5).unwrap();
        let mut out = [9i8; 3];
        mean_s8(&p, &[], &mut out);
        assert_eq!(out, [0, 0, 0]);
    }
}
