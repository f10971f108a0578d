//! ARG_MAX and ARG_MIN over one axis (float32 or int8 input, int32 output), as TFLM's
//! reference: the first index of the extreme value wins (strict comparison), and a NaN never
//! replaces the running extreme (nor is replaced, once first).

use crate::{Error, Result};

/// Prepared ARG_MAX / ARG_MIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgParams {
    outer: usize,
    axis_len: usize,
    inner: usize,
    /// ARG_MAX (else ARG_MIN).
    pub maximum: bool,
    /// Float32 input (else int8).
    pub float: bool,
}

impl ArgParams {
    /// Reduces `input_dims` along `axis` (resolved, `< rank`, size ≥ 1); the output has the
    /// input's dimensions without the axis.
    pub fn new(
        input_dims: &[usize],
        output_dims: &[usize],
        axis: usize,
        maximum: bool,
        float: bool,
    ) -> Result<ArgParams> {
        let axis_len = *input_dims.get(axis).ok_or(Error::InvalidArgument)?;
        let kept = input_dims.iter().enumerate().filter(|&(d, _)| d != axis).map(|(_, &v)| v);
        if axis_len == 0 || !kept.eq(output_dims.iter().copied()) {
            return Err(Error::InvalidArgument);
        }
        let prod = |d: &[usize]| d.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or(Error::InvalidArgument);
        let (before, rest) = input_dims.split_at_checked(axis).ok_or(Error::InvalidArgument)?;
        Ok(ArgParams {
            outer: prod(before)?,
            axis_len,
            inner: prod(rest.get(1..).ok_or(Error::InvalidArgument)?)?,
            maximum,
            float,
        })
    }

    fn elem_bytes(&self) -> usize {
        if self.float {
            4
        } else {
            1
        }
    }
}

/// Input element `i` (little-endian float32, or int8), widened to f64 exactly.
#[inline(always)]
fn value(input: &[u8], float: bool, i: usize) -> Result<f64> {
    if float {
        let b = input.get(4 * i..4 * i + 4).ok_or(Error::InvalidArgument)?;
        let mut w = [0u8; 4];
        w.copy_from_slice(b);
        Ok(f32::from_le_bytes(w) as f64)
    } else {
        input.get(i).map(|&v| v as i8 as f64).ok_or(Error::InvalidArgument)
    }
}

/// ARG_MAX / ARG_MIN of `input` (raw bytes) into `output` (int32 little-endian bytes; exact
/// lengths, else [`Error::InvalidArgument`]).
pub fn arg_min_max(p: &ArgParams, input: &[u8], output: &mut [u8]) -> Result<()> {
    let n = p.outer * p.inner;
    if input.len() != n * p.axis_len * p.elem_bytes() || output.len() != 4 * n {
        return Err(Error::InvalidArgument);
    }
    for o in 0..p.outer {
        for k in 0..p.inner {
            let mut best = value(input, p.float, o * p.axis_len * p.inner + k)?;
            let mut at = 0i32;
            for i in 1..p.axis_len {
                let v = value(input, p.float, (o * p.axis_len + i) * p.inner + k)?;
                if (p.maximum && v > best) || (!p.maximum && v < best) {
                    best = v;
                    at = i as i32;
                }
            }
            let slot = (o * p.inner + k) * 4;
            output.get_mut(slot..slot + 4).ok_or(Error::InvalidArgument)?.copy_from_slice(&at.to_le_bytes());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_extreme_along_the_last_axis() {
        let p = ArgParams::new(&[2, 3], &[2], 1, true, false).unwrap();
        let mut y = [0u8; 8];
        arg_min_max(&p, &[1, 5, 5, 9u8, 3, 9], &mut y).unwrap();
        // Row 0: 1, 5, 5 → index 1 (the first 5); row 1: 9, 3, 9 → index 0.
        assert_eq!(y, [1, 0, 0, 0, 0, 0, 0, 0]);
        let p = ArgParams::new(&[2, 3], &[3], 0, false, true).unwrap();
        let f: Vec<u8> = [1.0f32, -2.0, 3.0, 0.5, -2.0, 4.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut y = [0u8; 12];
        arg_min_max(&p, &f, &mut y).unwrap();
        assert_eq!(y, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
}
