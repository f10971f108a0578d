//! Data movement as one strided walk: the output, dense and row-major over a shape of up to
//! [`COPY_MAX_DIMS`] dimensions, reads input element `start + Σ index[d] · stride[d]`.
//!
//! SPLIT, SPLIT_V and UNPACK (one walk per output), STRIDED_SLICE and SLICE, SPACE_TO_DEPTH
//! and DEPTH_TO_SPACE (six-dimensional views of NHWC) are all such walks: values are moved,
//! never changed, in the output order TFLM's reference kernels write them.

use crate::{Error, Result};

/// Most dimensions of a walk (DEPTH_TO_SPACE and SPACE_TO_DEPTH need six).
pub const COPY_MAX_DIMS: usize = 6;

/// A validated strided walk: every input index it reads lies inside the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StridedCopy {
    /// Output dimensions (leading unused dimensions are 1).
    shape: [usize; COPY_MAX_DIMS],
    /// Input stride of each output dimension, in elements (negative walks backward).
    stride: [isize; COPY_MAX_DIMS],
    /// Input index of output element 0.
    start: usize,
    /// Input and output element counts.
    in_len: usize,
    out_len: usize,
}

impl StridedCopy {
    /// A walk over the output `shape` (at most [`COPY_MAX_DIMS`] dimensions) with input
    /// `strides` (one per dimension) from input index `start`, over an input of `in_len`
    /// elements. Errors with [`Error::InvalidArgument`] when the ranks differ or exceed the
    /// limit, or when any element read would fall outside the input.
    pub fn new(shape: &[usize], strides: &[isize], start: usize, in_len: usize) -> Result<StridedCopy> {
        let n = shape.len();
        if n > COPY_MAX_DIMS || strides.len() != n {
            return Err(Error::InvalidArgument);
        }
        let pad = COPY_MAX_DIMS - n;
        let mut c = StridedCopy { shape: [1; COPY_MAX_DIMS], stride: [0; COPY_MAX_DIMS], start, in_len, out_len: 1 };
        c.shape[pad..].copy_from_slice(shape);
        c.stride[pad..].copy_from_slice(strides);
        let mut out_len = 1usize;
        for &d in shape {
            out_len = out_len.checked_mul(d).ok_or(Error::InvalidArgument)?;
        }
        c.out_len = out_len;
        if out_len == 0 {
            return Ok(c);
        }
        // The lowest and highest index read: each dimension adds its extreme step.
        let (mut lo, mut hi) = (start as i128, start as i128);
        for (&d, &s) in shape.iter().zip(strides) {
            let reach = (d as i128 - 1) * s as i128;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        if lo < 0 || hi >= in_len as i128 {
            return Err(Error::InvalidArgument);
        }
        Ok(c)
    }

    /// Output element count.
    pub fn out_len(&self) -> usize {
        self.out_len
    }

    /// Input element count the walk was validated for.
    pub fn in_len(&self) -> usize {
        self.in_len
    }

    /// Copies the walk from `input` into `output` (exactly [`Self::in_len`] and
    /// [`Self::out_len`] elements, else [`Error::InvalidArgument`] and nothing written).
    pub fn run<T: Copy>(&self, input: &[T], output: &mut [T]) -> Result<()> {
        if input.len() != self.in_len || output.len() != self.out_len {
            return Err(Error::InvalidArgument);
        }
        if self.out_len == 0 {
            return Ok(());
        }
        let [d0, d1, d2, d3, d4, d5] = self.shape;
        let [s0, s1, s2, s3, s4, s5] = self.stride;
        let mut o = 0usize;
        // Every index was bounded in `new`; the `get`s keep a wrong one an error.
        for i0 in 0..d0 {
            let a0 = self.start as isize + i0 as isize * s0;
            for i1 in 0..d1 {
                let a1 = a0 + i1 as isize * s1;
                for i2 in 0..d2 {
                    let a2 = a1 + i2 as isize * s2;
                    for i3 in 0..d3 {
                        let a3 = a2 + i3 as isize * s3;
                        for i4 in 0..d4 {
                            let a4 = a3 + i4 as isize * s4;
                            if s5 == 1 {
                                let src = input.get(a4 as usize..a4 as usize + d5).ok_or(Error::InvalidArgument)?;
                                output.get_mut(o..o + d5).ok_or(Error::InvalidArgument)?.copy_from_slice(src);
                                o += d5;
                            } else {
                                for i5 in 0..d5 {
                                    let a = a4 + i5 as isize * s5;
                                    *output.get_mut(o).ok_or(Error::InvalidArgument)? =
                                        *input.get(a as usize).ok_or(Error::InvalidArgument)?;
                                    o += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Row-major element strides of `dims` (the last is 1).
pub fn dense_strides(dims: &[usize]) -> [isize; COPY_MAX_DIMS] {
    let mut s = [0isize; COPY_MAX_DIMS];
    let mut acc = 1isize;
    for (slot, &d) in s.iter_mut().zip(dims).rev() {
        *slot = acc;
        acc = acc.saturating_mul(d as isize);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_last_axis() {
        // [2, 4] split in two along axis 1: output 1 is columns 2..4.
        let x: [i8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
        let c = StridedCopy::new(&[2, 2], &[4, 1], 2, 8).unwrap();
        let mut y = [0i8; 4];
        c.run(&x, &mut y).unwrap();
        assert_eq!(y, [2, 3, 6, 7]);
    }

    #[test]
    fn walks_backward_and_with_gaps() {
        // Every second element from the end: 7, 5, 3.
        let x: [i8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
        let c = StridedCopy::new(&[3], &[-2], 7, 8).unwrap();
        let mut y = [0i8; 3];
        c.run(&x, &mut y).unwrap();
        assert_eq!(y, [7, 5, 3]);
    }

    #[test]
    fn refuses_reads_outside_the_input() {
        assert!(StridedCopy::new(&[3], &[-2], 3, 8).is_err());
        assert!(StridedCopy::new(&[3], &[3], 2, 8).is_err());
        assert!(StridedCopy::new(&[1, 1, 1, 1, 1, 1, 1], &[1; 7], 0, 8).is_err());
        // Empty outputs read nothing.
        assert_eq!(StridedCopy::new(&[0, 5], &[100, 100], 50, 8).unwrap().out_len(), 0);
        assert_eq!(dense_strides(&[2, 3, 4])[..3], [12, 4, 1]);
    }
}
