//! PAD and PADV2 for int8 tensors of rank up to 5, bit-exact with TFLM's reference pad.
//!
//! PAD fills with the output zero point, PADV2 with its constant-value input, which TFLM
//! requires to share the output's scale and zero point. Neither rescales the copied input.
//!
//! The paddings tensor is read as int32 pairs `[rank, 2]` (`before`, `after` per dimension).
//! TFLM reads it as int32 whatever its declared type, so an int64 paddings tensor is
//! reinterpreted word by word (and in practice then fails the output-shape check); pass the raw
//! buffer as [`LeI32s`] to get the same behaviour.
//!
//! [`pad_amounts`] is the standalone helper that decodes the paddings tensor, for planners that
//! fold a PAD into the next op's window as virtual padding.

use crate::slices::{span, span_mut};
use crate::tensor::{LeI32s, Shape};
use crate::{Error, Result};

/// Highest rank TFLM's pad kernel accepts.
pub const PAD_MAX_RANK: usize = 5;

/// Decoded paddings: `(before, after)` element counts per dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PadAmounts {
    rank: u8,
    pairs: [(usize, usize); PAD_MAX_RANK],
}

impl PadAmounts {
    /// Rank (number of `(before, after)` pairs).
    pub fn rank(&self) -> usize {
        self.rank as usize
    }
    /// The `(before, after)` pairs, one per dimension.
    pub fn pairs(&self) -> &[(usize, usize)] {
        self.pairs.get(..self.rank as usize).unwrap_or(&[])
    }
    /// `(before, after)` for dimension `d`, `(0, 0)` past the rank.
    pub fn get(&self, d: usize) -> (usize, usize) {
        self.pairs().get(d).copied().unwrap_or((0, 0))
    }
}

/// Decodes a paddings tensor for a tensor of rank `rank` (≤ [`PAD_MAX_RANK`]): exactly
/// `2 × rank` int32 values, row-major `[rank, 2]`, each `[before, after]`.
///
/// Errors with [`Error::InvalidArgument`] on a wrong value count, a rank above 5 or a negative
/// padding (TFLM has no defined result for negative paddings; patchwise refuses them).
pub fn pad_amounts(paddings: LeI32s, rank: usize) -> Result<PadAmounts> {
    if rank > PAD_MAX_RANK || paddings.len() != 2 * rank {
        return Err(Error::InvalidArgument);
    }
    let mut out = PadAmounts { rank: rank as u8, pairs: [(0, 0); PAD_MAX_RANK] };
    for d in 0..rank {
        let before = paddings.get(2 * d);
        let after = paddings.get(2 * d + 1);
        if before < 0 || after < 0 {
            return Err(Error::InvalidArgument);
        }
        out.pairs[d] = (before as usize, after as usize);
    }
    Ok(out)
}

/// PAD's fill value: the output zero point, which must lie in int8 (TFLM requires it).
pub fn pad_value_for_pad(output_zero_point: i32) -> Result<i8> {
    i8::try_from(output_zero_point).map_err(|_| Error::InvalidArgument)
}

/// PADV2's fill value: the constant-value tensor's single int8 element, after TFLM's checks
/// that its zero point and scale equal the output's exactly.
pub fn pad_value_for_padv2(
    output_scale: f32,
    output_zero_point: i32,
    constant_scale: f32,
    constant_zero_point: i32,
    constant_value: i8,
) -> Result<i8> {
    if output_zero_point == constant_zero_point && output_scale == constant_scale {
        Ok(constant_value)
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Prepared parameters of an int8 PAD / PADV2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PadParams {
    /// Input shape, rank ≤ 5.
    input: Shape,
    /// Output shape: `input[d] + before[d] + after[d]` for each dimension.
    output: Shape,
    /// Decoded paddings.
    amounts: PadAmounts,
    /// Fill value (see [`pad_value_for_pad`] / [`pad_value_for_padv2`]).
    pad_value: i8,
}

impl PadParams {
    /// Input shape.
    pub fn input(&self) -> Shape {
        self.input
    }
    /// Output shape.
    pub fn output(&self) -> Shape {
        self.output
    }
    /// Decoded `(before, after)` paddings.
    pub fn amounts(&self) -> PadAmounts {
        self.amounts
    }
    /// Fill value.
    pub fn pad_value(&self) -> i8 {
        self.pad_value
    }

    /// TFLM's pad Prepare: input rank ≤ 5, equal input/output ranks, `2 × rank` paddings
    /// (see [`pad_amounts`]) and every output dimension equal to the padded input dimension.
    /// Errors with [`Error::InvalidArgument`] otherwise.
    pub fn new(input: Shape, output: Shape, paddings: LeI32s, pad_value: i8) -> Result<PadParams> {
        if input.rank() != output.rank() {
            return Err(Error::InvalidArgument);
        }
        let amounts = pad_amounts(paddings, input.rank())?;
        for (d, &(before, after)) in amounts.pairs().iter().enumerate() {
            let expected = input.dim(d).checked_add(before).and_then(|v| v.checked_add(after));
            if expected != Some(output.dim(d)) {
                return Err(Error::InvalidArgument);
            }
        }
        Ok(PadParams { input, output, amounts, pad_value })
    }
}

/// PAD / PADV2, int8, row-major tensors of rank ≤ 5.
///
/// Walks the output in order (so for NHWC, rows top to bottom): padded positions get
/// `pad_value`, the rest the input elements in order.
///
/// Preconditions: `input.len() ≥ params.input().num_elements()`,
/// `output.len() ≥ params.output().num_elements()`; otherwise nothing is written.
pub fn pad_s8(p: &PadParams, input: &[i8], output: &mut [i8]) {
    let in_len = p.input.num_elements();
    let out_len = p.output.num_elements();
    if input.len() < in_len || output.len() < out_len {
        return;
    }
    let output = &mut output[..out_len];
    if out_len == 0 {
        return;
    }
    // Extend to 5 dimensions from the left, as TFLM does.
    let Some(lead) = PAD_MAX_RANK.checked_sub(p.input.rank()) else { return };
    let mut in_dims = [1usize; PAD_MAX_RANK];
    let mut before = [0usize; PAD_MAX_RANK];
    let mut after = [0usize; PAD_MAX_RANK];
    let dims = in_dims.iter_mut().zip(before.iter_mut()).zip(after.iter_mut()).skip(lead);
    for (d, ((dim, b), a)) in dims.enumerate() {
        *dim = p.input.dim(d);
        (*b, *a) = p.amounts.get(d);
    }
    if in_len == 0 {
        output.fill(p.pad_value);
        return;
    }
    let inner = in_dims[4];
    let mut pos = 0usize; // output position
    let mut src = 0usize; // input position
                          // Recursive structure written as nested loops: padding blocks before/after each level are
                          // contiguous runs of the output.
    let out_stride = |level: usize| -> usize {
        let mut s = 1usize;
        for d in level + 1..PAD_MAX_RANK {
            s *= in_dims[d] + before[d] + after[d];
        }
        s
    };
    let s0 = out_stride(0);
    let s1 = out_stride(1);
    let s2 = out_stride(2);
    let s3 = out_stride(3);
    // Every run lies inside the output (its size was checked); `span_mut` keeps it panic-free.
    let fill = |out: &mut [i8], pos: &mut usize, n: usize| {
        if let Some(run) = span_mut(out, *pos, n) {
            run.fill(p.pad_value);
        }
        *pos += n;
    };
    fill(output, &mut pos, before[0] * s0);
    for _ in 0..in_dims[0] {
        fill(output, &mut pos, before[1] * s1);
        for _ in 0..in_dims[1] {
            fill(output, &mut pos, before[2] * s2);
            for _ in 0..in_dims[2] {
                fill(output, &mut pos, before[3] * s3);
                for _ in 0..in_dims[3] {
                    fill(output, &mut pos, before[4]);
                    if let (Some(to), Some(from)) = (span_mut(output, pos, inner), span(input, src, inner)) {
                        to.copy_from_slice(from);
                    }
                    pos += inner;
                    src += inner;
                    fill(output, &mut pos, after[4]);
                }
                fill(output, &mut pos, after[3] * s3);
            }
            fill(output, &mut pos, after[2] * s2);
        }
        fill(output, &mut pos, after[1] * s1);
    }
    fill(output, &mut pos, after[0] * s0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    fn le(v: &[i32]) -> [u8; 40] {
        let mut b = [0u8; 40];
        for (i, a) in v.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&a.to_le_bytes());
        }
        b
    }

    #[test]
    fn amounts_decode_and_reject() {
        let b = le(&[0, 0, 1, 2, 3, 0, 0, 0]);
        let a = pad_amounts(LeI32s::new(&b[..32]), 4).unwrap();
        assert_eq!(a.pairs(), &[(0, 0), (1, 2), (3, 0), (0, 0)]);
        assert_eq!(a.get(7), (0, 0));
        assert!(pad_amounts(LeI32s::new(&b[..28]), 4).is_err());
        let b = le(&[0, 0, -1, 0]);
        assert!(pad_amounts(LeI32s::new(&b[..16]), 2).is_err());
        assert!(pad_amounts(LeI32s::new(&[0u8; 48]), 6).is_err());
    }

    #[test]
    fn pad_values() {
        assert_eq!(pad_value_for_pad(-128), Ok(-128));
        assert!(pad_value_for_pad(128).is_err());
        assert_eq!(pad_value_for_padv2(0.5, 3, 0.5, 3, -7), Ok(-7));
        assert!(pad_value_for_padv2(0.5, 3, 0.5, 4, -7).is_err());
        assert!(pad_value_for_padv2(0.5, 3, 0.25, 3, -7).is_err());
    }

    #[test]
    fn pad_hw_of_nhwc() {
        // [1,2,2,1] padded 1 above, 0 below, 1 left, 2 right -> [1,3,5,1], fill -5.
        let b = le(&[0, 0, 1, 0, 1, 2, 0, 0]);
        let p = PadParams::new(shape(&[1, 2, 2, 1]), shape(&[1, 3, 5, 1]), LeI32s::new(&b[..32]), -5).unwrap();
        let mut out = [0i8; 15];
        pad_s8(&p, &[1, 2, 3, 4], &mut out);
        #[rustfmt::skip]
        let expected = [
            -5, -5, -5, -5, -5,
            -5,  1,  2, -5, -5,
            -5,  3,  4, -5, -5,
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn pad_channels_and_batch() {
        // [2,1,1,2] pad channels (1,1) and batch (0,1) -> [3,1,1,4].
        let b = le(&[0, 1, 0, 0, 0, 0, 1, 1]);
        let p = PadParams::new(shape(&[2, 1, 1, 2]), shape(&[3, 1, 1, 4]), LeI32s::new(&b[..32]), 9).unwrap();
        let mut out = [0i8; 12];
        pad_s8(&p, &[1, 2, 3, 4], &mut out);
        assert_eq!(out, [9, 1, 2, 9, 9, 3, 4, 9, 9, 9, 9, 9]);
    }

    #[test]
    fn pad_rank1_and_rank5() {
        let b = le(&[2, 1]);
        let p = PadParams::new(shape(&[2]), shape(&[5]), LeI32s::new(&b[..8]), 0).unwrap();
        let mut out = [7i8; 5];
        pad_s8(&p, &[-1, -2], &mut out);
        assert_eq!(out, [0, 0, -1, -2, 0]);

        let b = le(&[1, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
        let p = PadParams::new(shape(&[1, 1, 1, 2, 1]), shape(&[2, 1, 1, 3, 1]), LeI32s::new(&b[..40]), 4).unwrap();
        let mut out = [0i8; 6];
        pad_s8(&p, &[5, 6], &mut out);
        assert_eq!(out, [4, 4, 4, 5, 6, 4]);
    }

    #[test]
    fn pad_rejects_shape_mismatch() {
        let b = le(&[1, 1]);
        assert!(PadParams::new(shape(&[2]), shape(&[5]), LeI32s::new(&b[..8]), 0).is_err());
        assert!(PadParams::new(shape(&[2]), shape(&[1, 4]), LeI32s::new(&b[..8]), 0).is_err());
        assert!(
            PadParams::new(shape(&[1, 1, 1, 1, 1, 1]), shape(&[1, 1, 1, 1, 1, 1]), LeI32s::new(&[0u8; 48]), 0).is_err()
        );
    }
}
