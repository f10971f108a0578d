//! TRANSPOSE for int8 tensors of rank up to 5 (TFLM's limit), matching TFLM's reference.
//!
//! Output dimension `i` is input dimension `perm[i]`; values are moved, never changed.

use crate::tensor::{LeI32s, Shape};
use crate::{Error, Result};

/// Highest rank TFLM's transpose accepts.
pub const TRANSPOSE_MAX_RANK: usize = 5;

/// Prepared parameters of an int8 TRANSPOSE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransposeParams {
    /// Rank (0..=5).
    rank: usize,
    /// Output dimensions.
    out_dims: [usize; TRANSPOSE_MAX_RANK],
    /// For each output dimension, the input stride it walks (`input_stride[perm[i]]`).
    in_stride: [usize; TRANSPOSE_MAX_RANK],
    /// Element count (same for input and output).
    len: usize,
}

impl TransposeParams {
    /// Element count of input and output.
    pub fn len(&self) -> usize {
        self.len
    }
    /// True when the tensors are empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// TFLM's transpose Prepare.
    ///
    /// - `input`, `output`: shapes of rank ≤ 5; `output[i]` must equal `input[perm[i]]`.
    /// - `perm`: the int32 permutation tensor, one value per input dimension, each in
    ///   `0..rank` and (stricter than TFLM, which only range-checks) all distinct.
    ///
    /// Errors with [`Error::InvalidArgument`] otherwise.
    pub fn new(input: Shape, output: Shape, perm: LeI32s) -> Result<TransposeParams> {
        let rank = input.rank();
        if rank > TRANSPOSE_MAX_RANK || output.rank() != rank || perm.len() != rank {
            return Err(Error::InvalidArgument);
        }
        let mut stride = [0usize; TRANSPOSE_MAX_RANK];
        let mut acc = 1usize;
        for d in (0..rank).rev() {
            stride[d] = acc;
            acc = acc.saturating_mul(input.dim(d));
        }
        let mut seen = 0u8;
        let mut out_dims = [0usize; TRANSPOSE_MAX_RANK];
        let mut in_stride = [0usize; TRANSPOSE_MAX_RANK];
        for i in 0..rank {
            let pv = perm.get(i);
            if pv < 0 || pv as usize >= rank || seen & (1 << pv) != 0 {
                return Err(Error::InvalidArgument);
            }
            seen |= 1 << pv;
            let src = pv as usize;
            if output.dim(i) != input.dim(src) {
                return Err(Error::InvalidArgument);
            }
            out_dims[i] = output.dim(i);
            in_stride[i] = stride[src];
        }
        Ok(TransposeParams { rank, out_dims, in_stride, len: input.num_elements() })
    }
}

/// TRANSPOSE, int8, row-major tensors.
///
/// Walks the output in order (last dimension fastest), gathering from the input.
///
/// Preconditions: `input.len() ≥ params.len()` and `output.len() ≥ params.len()`; otherwise
/// nothing is written. An empty tensor writes nothing.
pub fn transpose_s8(p: &TransposeParams, input: &[i8], output: &mut [i8]) {
    if input.len() < p.len || output.len() < p.len || p.len == 0 {
        return;
    }
    // rank ≤ TRANSPOSE_MAX_RANK by construction; `min` lets the compiler see it.
    let Some(last) = p.rank.min(TRANSPOSE_MAX_RANK).checked_sub(1) else {
        // Rank 0: a single element.
        if let (Some(o), Some(&i)) = (output.first_mut(), input.first()) {
            *o = i;
        }
        return;
    };
    let (inner, inner_stride) = (p.out_dims[last], p.in_stride[last]);
    let mut idx = [0usize; TRANSPOSE_MAX_RANK];
    let mut src = 0usize;
    let mut pos = 0usize;
    loop {
        // Innermost output dimension.
        // Output and input positions stay inside the checked lengths; `get` keeps it panic-free.
        let mut s = src;
        for o in output.get_mut(pos..pos + inner).unwrap_or(&mut []) {
            *o = input.get(s).copied().unwrap_or(0);
            s += inner_stride;
        }
        pos += inner;
        // Advance the outer dimensions (odometer), keeping `src` in sync.
        let mut d = last;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            src += p.in_stride[d];
            if idx[d] < p.out_dims[d] {
                break;
            }
            src -= idx[d] * p.in_stride[d];
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    fn le(v: &[i32]) -> [u8; 20] {
        let mut b = [0u8; 20];
        for (i, a) in v.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&a.to_le_bytes());
        }
        b
    }

    #[test]
    fn nhwc_to_nchw_0231() {
        // Perm [0,2,3,1] on [1,2,3,2] gives [1,3,2,2]: out[0][w][c][h] = in[0][h][w][c].
        // Input value = its flat index 6h + 2w + c.
        let b = le(&[0, 2, 3, 1]);
        let p = TransposeParams::new(shape(&[1, 2, 3, 2]), shape(&[1, 3, 2, 2]), LeI32s::new(&b[..16])).unwrap();
        let input: [i8; 12] = core::array::from_fn(|i| i as i8);
        let mut out = [0i8; 12];
        transpose_s8(&p, &input, &mut out);
        // Output order (w, c, h): w0: c0 (h0=0, h1=6), c1 (1, 7); w1: c0 (2, 8), c1 (3, 9); w2: ...
        assert_eq!(out, [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
    }

    #[test]
    fn matrix_and_rank5() {
        let b = le(&[1, 0]);
        let p = TransposeParams::new(shape(&[2, 3]), shape(&[3, 2]), LeI32s::new(&b[..8])).unwrap();
        let mut out = [0i8; 6];
        transpose_s8(&p, &[1, 2, 3, 4, 5, 6], &mut out);
        assert_eq!(out, [1, 4, 2, 5, 3, 6]);

        // Rank 5 reverse on [2,1,1,1,3] -> [3,1,1,1,2].
        let b = le(&[4, 3, 2, 1, 0]);
        let p = TransposeParams::new(shape(&[2, 1, 1, 1, 3]), shape(&[3, 1, 1, 1, 2]), LeI32s::new(&b)).unwrap();
        transpose_s8(&p, &[1, 2, 3, 4, 5, 6], &mut out);
        assert_eq!(out, [1, 4, 2, 5, 3, 6]);

        // Identity on rank 1.
        let b = le(&[0]);
        let p = TransposeParams::new(shape(&[3]), shape(&[3]), LeI32s::new(&b[..4])).unwrap();
        let mut out3 = [0i8; 3];
        transpose_s8(&p, &[-1, -2, -3], &mut out3);
        assert_eq!(out3, [-1, -2, -3]);
    }

    #[test]
    fn rejects_bad_perm() {
        let b = le(&[0, 0]);
        assert!(TransposeParams::new(shape(&[2, 2]), shape(&[2, 2]), LeI32s::new(&b[..8])).is_err());
        let b = le(&[0, 2]);
        assert!(TransposeParams::new(shape(&[2, 2]), shape(&[2, 2]), LeI32s::new(&b[..8])).is_err());
        let b = le(&[1, 0]);
        assert!(TransposeParams::new(shape(&[2, 3]), shape(&[2, 3]), LeI32s::new(&b[..8])).is_err());
        assert!(TransposeParams::new(shape(&[2, 3]), shape(&[3, 2]), LeI32s::new(&b[..4])).is_err());
        let six = [0u8; 24];
        assert!(TransposeParams::new(shape(&[1; 6]), shape(&[1; 6]), LeI32s::new(&six)).is_err());
    }
}
