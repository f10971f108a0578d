//! SPLIT, SPLIT_V and UNPACK for int8 tensors, as TFLM's reference kernels compute them: the
//! input seen as `[outer, axis, inner]` is cut along `axis` into consecutive pieces, one per
//! output, each copied whole (UNPACK is a split into pieces of one, the axis then dropped from
//! the output shape; the bytes are the same).

use super::strided_copy::StridedCopy;
use crate::tensor::Shape;
use crate::{Error, Result};

/// Prepared split of an input along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitParams {
    /// Product of the input dimensions before the axis.
    outer: usize,
    /// Product of the input dimensions after the axis.
    inner: usize,
    /// The input's size along the axis.
    axis_len: usize,
    /// Number of outputs.
    outputs: usize,
}

impl SplitParams {
    /// The split of `input` along `axis` (resolved, `< rank`) into `outputs` pieces (≥ 1).
    pub fn new(input: Shape, axis: usize, outputs: usize) -> Result<SplitParams> {
        if axis >= input.rank() || outputs == 0 {
            return Err(Error::InvalidArgument);
        }
        let dims = input.dims();
        let prod = |d: &[usize]| d.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or(Error::InvalidArgument);
        let outer = prod(dims.get(..axis).ok_or(Error::InvalidArgument)?)?;
        let inner = prod(dims.get(axis + 1..).ok_or(Error::InvalidArgument)?)?;
        Ok(SplitParams { outer, inner, axis_len: input.dim(axis), outputs })
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The input's size along the split axis.
    pub fn axis_len(&self) -> usize {
        self.axis_len
    }

    /// Input element count.
    pub fn in_len(&self) -> usize {
        self.outer * self.axis_len * self.inner
    }

    /// The size along the axis of an output of `len` elements (which must be a whole number
    /// of `outer × inner` blocks).
    pub fn piece_of(&self, len: usize) -> Result<usize> {
        let block = self.outer * self.inner;
        if block == 0 {
            return if len == 0 { Ok(0) } else { Err(Error::InvalidArgument) };
        }
        if len % block != 0 {
            return Err(Error::InvalidArgument);
        }
        Ok(len / block)
    }

    /// The walk copying the piece of `size` along the axis starting at `at` into its output.
    pub fn piece(&self, at: usize, size: usize) -> Result<StridedCopy> {
        let row = self.axis_len * self.inner;
        let end = at.checked_add(size).ok_or(Error::InvalidArgument)?;
        if end > self.axis_len {
            return Err(Error::InvalidArgument);
        }
        StridedCopy::new(&[self.outer, size * self.inner], &[row as isize, 1], at * self.inner, self.in_len())
    }
}

/// Copies the piece of `input` starting at `at` along the axis into `output` (its size along
/// the axis follows from the output's length); returns where the next piece starts.
pub fn split_piece_s8(p: &SplitParams, at: usize, input: &[i8], output: &mut [i8]) -> Result<usize> {
    let size = p.piece_of(output.len())?;
    p.piece(at, size)?.run(input, output)?;
    Ok(at + size)
}

/// Copies the pieces of `input` into `outputs` in order; together they must cover the axis
/// exactly.
pub fn split_s8(p: &SplitParams, input: &[i8], outputs: &mut [&mut [i8]]) -> Result<()> {
    let mut at = 0usize;
    for out in outputs.iter_mut() {
        at = split_piece_s8(p, at, input, out)?;
    }
    if at != p.axis_len {
        return Err(Error::InvalidArgument);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_middle_axis_unevenly() {
        // [2, 3, 2] split along axis 1 into sizes 1 and 2.
        let x: Vec<i8> = (0..12).collect();
        let p = SplitParams::new(Shape::new(&[2, 3, 2]).unwrap(), 1, 2).unwrap();
        let (mut a, mut b) = ([0i8; 4], [0i8; 8]);
        split_s8(&p, &x, &mut [&mut a, &mut b]).unwrap();
        assert_eq!(a, [0, 1, 6, 7]);
        assert_eq!(b, [2, 3, 4, 5, 8, 9, 10, 11]);
    }

    #[test]
    fn pieces_must_cover_the_axis() {
        let x: Vec<i8> = (0..12).collect();
        let p = SplitParams::new(Shape::new(&[2, 3, 2]).unwrap(), 1, 2).unwrap();
        let (mut a, mut b) = ([0i8; 4], [0i8; 4]);
        assert!(split_s8(&p, &x, &mut [&mut a, &mut b]).is_err());
        let mut c = [0i8; 3];
        assert!(split_s8(&p, &x, &mut [&mut c]).is_err());
        assert!(SplitParams::new(Shape::new(&[2, 3]).unwrap(), 2, 1).is_err());
    }
}
