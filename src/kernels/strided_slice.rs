//! STRIDED_SLICE (int8), as TFLM's micro kernel computes it: rank ≤ 4, constant begin, end
//! and strides, `begin_mask`, `end_mask` and `shrink_axis_mask` honoured, `ellipsis_mask`,
//! `new_axis_mask` and `offset` ignored (TFLM's micro Prepare zeroes them). Prepare checks the
//! output shape with TFLM's `StartForAxis`/`StopForAxis`; the copy walks the shape padded to
//! five dimensions with its `StridedSliceStartForAxis`/`StridedSliceEndForAxis`.

use super::strided_copy::{dense_strides, StridedCopy};
use crate::tensor::{LeI32s, Shape};
use crate::{Error, Result};

/// Highest input rank TFLM's micro STRIDED_SLICE accepts.
pub const STRIDED_SLICE_MAX_RANK: usize = 4;

/// The slice options as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceMasks {
    pub begin: i32,
    pub end: i32,
    pub shrink: i32,
}

fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
    if hi < v {
        hi
    } else if v < lo {
        lo
    } else {
        v
    }
}

fn bit(mask: i32, axis: usize) -> bool {
    (mask as u32).checked_shr(axis as u32).is_some_and(|m| m & 1 != 0)
}

/// TFLM `strided_slice::StartForAxis` (Prepare's shape check).
fn start_for_axis(m: &SliceMasks, begin: i64, stride: i64, size: i64, axis: usize) -> i64 {
    if size == 0 {
        return 0;
    }
    let mut start = begin;
    if bit(m.begin, axis) {
        start = if stride > 0 { i64::from(i32::MIN) } else { i64::from(i32::MAX) };
    }
    if start < 0 {
        start += size;
    }
    if stride > 0 {
        clamp(start, 0, size)
    } else {
        clamp(start, -1, size - 1)
    }
}

/// TFLM `strided_slice::StopForAxis` (Prepare's shape check).
fn stop_for_axis(m: &SliceMasks, end: i64, stride: i64, size: i64, axis: usize, start: i64) -> i64 {
    if size == 0 {
        return 0;
    }
    if bit(m.shrink, axis) {
        return start + 1;
    }
    let mut stop = end;
    if bit(m.end, axis) {
        stop = if stride > 0 { i64::from(i32::MAX) } else { i64::from(i32::MIN) };
    }
    if stop < 0 {
        stop += size;
    }
    if stride > 0 {
        clamp(stop, 0, size)
    } else {
        clamp(stop, -1, size - 1)
    }
}

/// TFLM `StridedSliceStartForAxis` (the copy).
fn eval_start(m: &SliceMasks, begin: i64, stride: i64, size: i64, axis: usize) -> i64 {
    let mut start = begin;
    if start < 0 {
        start += size;
    }
    start = if stride > 0 { clamp(start, 0, size) } else { clamp(start, -1, size - 1) };
    if bit(m.begin, axis) {
        start = if stride > 0 { 0 } else { size - 1 };
    }
    start
}

/// TFLM `StridedSliceEndForAxis` (the copy; `offset` is always false in TFLM micro).
fn eval_end(m: &SliceMasks, end: i64, stride: i64, size: i64, axis: usize, start: i64) -> i64 {
    if bit(m.shrink, axis) {
        return if start >= size { start } else { start + 1 };
    }
    let mut end = end;
    if end < 0 {
        end += size;
    }
    end = if stride > 0 { clamp(end, 0, size) } else { clamp(end, -1, size - 1) };
    if bit(m.end, axis) {
        end = if stride > 0 { size } else { -1 };
    }
    end
}

/// Elements visited from `start` towards `stop` in steps of `stride`.
fn count(start: i64, stop: i64, stride: i64) -> i64 {
    let span = if stride > 0 { stop - start } else { start - stop };
    if span <= 0 {
        0
    } else {
        (span + stride.abs() - 1).checked_div(stride.abs()).unwrap_or(0)
    }
}

/// TFLM's STRIDED_SLICE Prepare and the walk its eval performs.
///
/// - `input`: rank ≤ 4; `output`: the expected shape (shrunk axes removed);
/// - `begin`, `end`, `strides`: at least `rank` values each, no stride 0.
///
/// Errors with [`Error::InvalidArgument`] when TFLM's Prepare refuses (ranks, a zero stride,
/// an output shape other than the one the slice yields), or when its copy would write another
/// number of elements than the output holds.
pub fn strided_slice(
    input: Shape,
    output: Shape,
    begin: LeI32s<'_>,
    end: LeI32s<'_>,
    strides: LeI32s<'_>,
    m: SliceMasks,
) -> Result<StridedCopy> {
    let rank = input.rank();
    if rank > STRIDED_SLICE_MAX_RANK || begin.len() < rank || end.len() < rank || strides.len() < rank {
        return Err(Error::InvalidArgument);
    }
    // Prepare: the output shape.
    let mut k = 0usize;
    for axis in 0..rank {
        let (b, e, s) = (i64::from(begin.get(axis)), i64::from(end.get(axis)), i64::from(strides.get(axis)));
        if s == 0 {
            return Err(Error::InvalidArgument);
        }
        let size = input.dim(axis) as i64;
        let start = start_for_axis(&m, b, s, size, axis);
        let mut stop = stop_for_axis(&m, e, s, size, axis, start);
        let shrink = bit(m.shrink, axis);
        if shrink {
            stop = start + 1;
        }
        // ceil((stop - start) / stride) in float, as TFLM computes it, then at least 0.
        let dim = libm::ceilf((stop - start) as f32 / s as f32) as i64;
        let dim = dim.max(0);
        if !shrink {
            if output.dims().get(k).map(|&d| d as i64) != Some(dim) {
                return Err(Error::InvalidArgument);
            }
            k += 1;
        }
    }
    if output.rank() != k {
        return Err(Error::InvalidArgument);
    }
    // Eval: the walk over the input padded to five dimensions (leading axes whole).
    let pad = 5 - rank;
    let mut shape = [1usize; 5];
    let mut steps = [0isize; 5];
    let mut first = 0i64;
    let in_strides = dense_strides(input.dims());
    for axis in 0..rank {
        let (b, e, s) = (i64::from(begin.get(axis)), i64::from(end.get(axis)), i64::from(strides.get(axis)));
        let size = input.dim(axis) as i64;
        let start = eval_start(&m, b, s, size, axis);
        let stop = eval_end(&m, e, s, size, axis, start);
        let n = count(start, stop, s);
        let stride_in = *in_strides.get(axis).ok_or(Error::InvalidArgument)?;
        *shape.get_mut(pad + axis).ok_or(Error::InvalidArgument)? = n as usize;
        *steps.get_mut(pad + axis).ok_or(Error::InvalidArgument)? = (s as isize).saturating_mul(stride_in);
        if n > 0 {
            first += start * stride_in as i64;
        }
    }
    let walk_len: usize = shape.iter().product();
    if walk_len != output.num_elements() {
        return Err(Error::InvalidArgument);
    }
    let start = usize::try_from(first).map_err(|_| Error::InvalidArgument)?;
    StridedCopy::new(&shape, &steps, if walk_len == 0 { 0 } else { start }, input.num_elements())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn slice(input: &[usize], output: &[usize], b: &[i32], e: &[i32], s: &[i32], m: SliceMasks) -> Result<Vec<i8>> {
        let (b, e, s) = (le(b), le(e), le(s));
        let c = strided_slice(
            Shape::new(input).unwrap(),
            Shape::new(output).unwrap(),
            LeI32s::new(&b),
            LeI32s::new(&e),
            LeI32s::new(&s),
            m,
        )?;
        let n: usize = input.iter().product();
        let x: Vec<i8> = (0..n).map(|v| v as i8).collect();
        let mut y = vec![0i8; c.out_len()];
        c.run(&x, &mut y)?;
        Ok(y)
    }

    const NO: SliceMasks = SliceMasks { begin: 0, end: 0, shrink: 0 };

    #[test]
    fn channels_of_nhwc() {
        // [1, 2, 2, 6], channels 4..6 with begin/end masks on the first three axes.
        let m = SliceMasks { begin: 7, end: 7, shrink: 0 };
        let y = slice(&[1, 2, 2, 6], &[1, 2, 2, 2], &[0, 0, 0, 4], &[0, 0, 0, 6], &[1, 1, 1, 1], m).unwrap();
        assert_eq!(y, [4, 5, 10, 11, 16, 17, 22, 23]);
    }

    #[test]
    fn negative_strides_and_indices() {
        // [6]: from -1 back to (not including) 0 in steps of 2: 5, 3, 1.
        assert_eq!(slice(&[6], &[3], &[-1], &[0], &[-2], NO).unwrap(), [5, 3, 1]);
        // End mask with a negative stride runs to the start: 5, 3, 1 as well from 5.
        let m = SliceMasks { begin: 0, end: 1, shrink: 0 };
        assert_eq!(slice(&[6], &[3], &[5], &[3], &[-2], m).unwrap(), [5, 3, 1]);
    }

    #[test]
    fn shrink_drops_the_axis() {
        // [3, 4]: row 1 as a [4].
        let m = SliceMasks { begin: 0, end: 0, shrink: 1 };
        assert_eq!(slice(&[3, 4], &[4], &[1, 0], &[2, 4], &[1, 1], m).unwrap(), [4, 5, 6, 7]);
    }

    #[test]
    fn refuses_what_tflm_refuses() {
        assert!(slice(&[6], &[3], &[0], &[6], &[0], NO).is_err());
        assert!(slice(&[6], &[4], &[0], &[6], &[2], NO).is_err());
        assert!(slice(&[1, 1, 1, 1, 6], &[1, 1, 1, 1, 6], &[0; 5], &[1, 1, 1, 1, 6], &[1; 5], NO).is_err());
    }
}
