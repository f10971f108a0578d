//! PACK (int8), as TFLM's reference: `n` inputs of one shape stacked along a new axis of the
//! output: input `i` fills, for each outer index, the `i`-th block of `inner` elements.

use crate::{Error, Result};

/// Most inputs a PACK takes here (TFLM has no limit; CONCATENATION's 10 would be too few
/// for channel stacks).
pub const PACK_MAX_INPUTS: usize = 16;

/// Prepared int8 PACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackParams {
    pub(crate) inputs: usize,
    outer: usize,
    inner: usize,
}

impl PackParams {
    /// `inputs` (1..=[`PACK_MAX_INPUTS`]) tensors of `input_dims` stacked along `axis`
    /// (resolved, `≤ rank`) into an output of `output_dims`.
    pub fn new(inputs: usize, input_dims: &[usize], output_dims: &[usize], axis: usize) -> Result<PackParams> {
        if inputs == 0 || inputs > PACK_MAX_INPUTS || axis > input_dims.len() {
            return Err(Error::InvalidArgument);
        }
        let (before, after) = input_dims.split_at(axis);
        let want = before.iter().chain(core::iter::once(&inputs)).chain(after);
        if !want.copied().eq(output_dims.iter().copied()) {
            return Err(Error::InvalidArgument);
        }
        let prod = |d: &[usize]| d.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or(Error::InvalidArgument);
        Ok(PackParams { inputs, outer: prod(before)?, inner: prod(after)? })
    }

    /// Writes input `i` into its blocks of `output`.
    pub fn place_s8(&self, i: usize, input: &[i8], output: &mut [i8]) -> Result<()> {
        let n = self.inner;
        if i >= self.inputs || input.len() != self.outer * n || output.len() != self.outer * self.inputs * n {
            return Err(Error::InvalidArgument);
        }
        for k in 0..self.outer {
            let to = (k * self.inputs + i) * n;
            let src = input.get(k * n..k * n + n).ok_or(Error::InvalidArgument)?;
            output.get_mut(to..to + n).ok_or(Error::InvalidArgument)?.copy_from_slice(src);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_along_the_last_axis() {
        let p = PackParams::new(2, &[3], &[3, 2], 1).unwrap();
        let mut y = [0i8; 6];
        p.place_s8(0, &[1, 2, 3], &mut y).unwrap();
        p.place_s8(1, &[4, 5, 6], &mut y).unwrap();
        assert_eq!(y, [1, 4, 2, 5, 3, 6]);
        assert!(PackParams::new(2, &[3], &[2, 4], 0).is_err());
    }
}
