//! GATHER (int8 values, constant int32 indices), as TFLM's reference: the input seen as
//! `[batch, outer, axis, inner]`, each index picking an `inner` block along the axis.

use crate::tensor::{LeI32s, Shape};
use crate::{Error, Result};

/// Prepared GATHER with its indices.
#[derive(Clone, Copy, Debug)]
pub struct GatherParams<'a> {
    batch: usize,
    outer: usize,
    axis_len: usize,
    inner: usize,
    /// Indices per batch.
    coords: usize,
    indices: LeI32s<'a>,
}

fn product(d: &[usize]) -> Result<usize> {
    d.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or(Error::InvalidArgument)
}

impl<'a> GatherParams<'a> {
    /// TFLM's GATHER Prepare: `axis` and `batch_dims` as given (negative count from the end
    /// of the input's / the indices' rank), `batch_dims ≤ axis`, the leading `batch_dims`
    /// dimensions of input and indices equal, the output shape
    /// `input[..axis] ++ indices[batch_dims..] ++ input[axis + 1..]`; and (where TFLM only
    /// debug-checks) every index inside `0..input[axis]`.
    pub fn new(
        input: Shape,
        indices_shape: Shape,
        indices: LeI32s<'a>,
        output: Shape,
        axis: i32,
        batch_dims: i32,
    ) -> Result<GatherParams<'a>> {
        let (r, rc) = (input.rank() as i64, indices_shape.rank() as i64);
        let axis = if axis < 0 { i64::from(axis) + r } else { i64::from(axis) };
        let bd = if batch_dims < 0 { i64::from(batch_dims) + rc } else { i64::from(batch_dims) };
        if !(0..r).contains(&axis) || bd > axis || !(0..r).contains(&bd) || bd > rc {
            return Err(Error::InvalidArgument);
        }
        let (axis, bd) = (axis as usize, bd as usize);
        let (id, cd) = (input.dims(), indices_shape.dims());
        if id.get(..bd) != cd.get(..bd) {
            return Err(Error::InvalidArgument);
        }
        let want = id
            .get(..axis)
            .into_iter()
            .flatten()
            .chain(cd.get(bd..).into_iter().flatten())
            .chain(id.get(axis + 1..).into_iter().flatten());
        if !want.copied().eq(output.dims().iter().copied()) {
            return Err(Error::InvalidArgument);
        }
        let part = |d: &[usize], r: core::ops::Range<usize>| d.get(r).ok_or(Error::InvalidArgument).and_then(product);
        let p = GatherParams {
            batch: part(id, 0..bd)?,
            outer: part(id, bd..axis)?,
            axis_len: *id.get(axis).ok_or(Error::InvalidArgument)?,
            inner: part(id, axis + 1..id.len())?,
            coords: part(cd, bd..cd.len())?,
            indices,
        };
        if indices.len() != indices_shape.num_elements() || indices.len() != p.batch * p.coords {
            return Err(Error::InvalidArgument);
        }
        if (0..indices.len()).any(|i| !(0..p.axis_len as i64).contains(&i64::from(indices.get(i)))) {
            return Err(Error::InvalidArgument);
        }
        Ok(p)
    }
}

/// Int8 GATHER from `input` into `output` (exact lengths, else [`Error::InvalidArgument`]).
pub fn gather_s8(p: &GatherParams<'_>, input: &[i8], output: &mut [i8]) -> Result<()> {
    if input.len() != p.batch * p.outer * p.axis_len * p.inner || output.len() != p.batch * p.outer * p.coords * p.inner
    {
        return Err(Error::InvalidArgument);
    }
    let n = p.inner;
    for b in 0..p.batch {
        for o in 0..p.outer {
            for c in 0..p.coords {
                let idx = p.indices.get(b * p.coords + c) as usize;
                let from = ((b * p.outer + o) * p.axis_len + idx) * n;
                let to = ((b * p.outer + o) * p.coords + c) * n;
                let src = input.get(from..from + n).ok_or(Error::InvalidArgument)?;
                output.get_mut(to..to + n).ok_or(Error::InvalidArgument)?.copy_from_slice(src);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_channels() {
        let s = |d: &[usize]| Shape::new(d).unwrap();
        let idx: Vec<u8> = [2i32, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let p = GatherParams::new(s(&[2, 3]), s(&[3]), LeI32s::new(&idx), s(&[2, 3]), -1, 0).unwrap();
        let mut y = [0i8; 6];
        gather_s8(&p, &[1, 2, 3, 4, 5, 6], &mut y).unwrap();
        assert_eq!(y, [3, 1, 1, 6, 4, 4]);
        let bad: Vec<u8> = [3i32, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert!(GatherParams::new(s(&[2, 3]), s(&[3]), LeI32s::new(&bad), s(&[2, 3]), -1, 0).is_err());
    }
}
