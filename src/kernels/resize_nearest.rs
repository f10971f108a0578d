//! RESIZE_NEAREST_NEIGHBOR for int8 NHWC tensors, bit-exact with TFLM's reference.
//!
//! The source index of each output row/column is computed in `f32` exactly as TFLM does:
//! `scale = in / out` (or `(in − 1) / (out − 1)` with `align_corners` and `out > 1`),
//! `v = (index + 0.5·half_pixel_centers) × scale`, then `round` (half away from zero) with
//! `align_corners` or `floor` without, capped at `in − 1` (and at 0 from below with
//! `half_pixel_centers`). Both flags may be set together. Values are copied, never rescaled.

use crate::slices::{span, span_mut};
use crate::tensor::{Dims4, LeI32s};
use crate::{Error, Result};

/// Prepared parameters of an int8 RESIZE_NEAREST_NEIGHBOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResizeNearestParams {
    /// Input shape (NHWC).
    input: Dims4,
    /// Output shape (NHWC): same batch and channels, height/width from the size tensor.
    output: Dims4,
    align_corners: bool,
    half_pixel_centers: bool,
}

impl ResizeNearestParams {
    /// Input shape (NHWC).
    pub fn input(&self) -> Dims4 {
        self.input
    }
    /// Output shape (NHWC).
    pub fn output(&self) -> Dims4 {
        self.output
    }

    /// TFLM's Prepare plus the shape agreement its eval relies on.
    ///
    /// - `input`, `output`: NHWC shapes (TFLM requires a 4-D input).
    /// - `size`: the int32 size tensor, exactly two values `[new_height, new_width]`, which
    ///   must equal the output's height and width.
    /// - `align_corners`, `half_pixel_centers`: the op options.
    ///
    /// Errors with [`Error::InvalidArgument`] otherwise.
    pub fn new(
        input: Dims4,
        output: Dims4,
        size: LeI32s,
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<ResizeNearestParams> {
        if size.len() != 2 {
            return Err(Error::InvalidArgument);
        }
        let (h, w) = (size.get(0), size.get(1));
        if h < 0 || w < 0 || output.h != h as usize || output.w != w as usize {
            return Err(Error::InvalidArgument);
        }
        if output.n != input.n || output.c != input.c {
            return Err(Error::InvalidArgument);
        }
        // Indices are computed in i32/f32 as in TFLM; keep sizes in that range.
        let limit = i32::MAX as usize;
        if input.h > limit || input.w > limit {
            return Err(Error::InvalidArgument);
        }
        Ok(ResizeNearestParams { input, output, align_corners, half_pixel_centers })
    }

    /// Source index along one axis for output index `o` (TFLM's nearest-neighbour rule).
    #[inline]
    fn source(&self, o: usize, in_size: usize, out_size: usize) -> usize {
        let (in_i, out_i) = (in_size as i32, out_size as i32);
        let scale = if self.align_corners && out_i > 1 {
            (in_i - 1) as f32 / (out_i - 1) as f32
        } else {
            in_i as f32 / out_i as f32
        };
        let offset = if self.half_pixel_centers { 0.5f32 } else { 0.0 };
        let v = (o as i32 as f32 + offset) * scale;
        let r = if self.align_corners { libm::roundf(v) } else { libm::floorf(v) };
        let mut idx = (r as i32).min(in_i - 1);
        if self.half_pixel_centers {
            idx = idx.max(0);
        }
        // Only a zero-sized input could give a negative index, and then there is no output.
        idx.max(0) as usize
    }
}

/// RESIZE_NEAREST_NEIGHBOR, int8 NHWC.
///
/// Output rows are produced top to bottom; each output pixel copies the channel vector of its
/// source pixel.
///
/// Preconditions: `input.len() ≥ params.input().len()`, `output.len() ≥ params.output().len()`;
/// otherwise nothing is written. An input with zero height or width writes nothing.
pub fn resize_nearest_s8(p: &ResizeNearestParams, input: &[i8], output: &mut [i8]) {
    let (ind, outd) = (p.input, p.output);
    if input.len() < ind.len() || output.len() < outd.len() || ind.h == 0 || ind.w == 0 {
        return;
    }
    let depth = outd.c;
    let mut pos = 0usize;
    for b in 0..outd.n {
        for y in 0..outd.h {
            let iy = p.source(y, ind.h, outd.h);
            for x in 0..outd.w {
                let ix = p.source(x, ind.w, outd.w);
                let src = ind.offset(b, iy, ix, 0);
                // In range (lengths checked above); `span` keeps the copy panic-free.
                if let (Some(to), Some(from)) = (span_mut(output, pos, depth), span(input, src, depth)) {
                    to.copy_from_slice(from);
                }
                pos += depth;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::d;
    use super::*;

    fn size(h: i32, w: i32) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&h.to_le_bytes());
        b[4..].copy_from_slice(&w.to_le_bytes());
        b
    }

    /// 3x4 image with value 10·row + col, resized to 5x3.
    fn run(align: bool, half: bool) -> [i8; 15] {
        let s = size(5, 3);
        let p = ResizeNearestParams::new(d(1, 3, 4, 1), d(1, 5, 3, 1), LeI32s::new(&s), align, half).unwrap();
        let mut input = [0i8; 12];
        for r in 0..3 {
            for c in 0..4 {
                input[r * 4 + c] = (10 * r + c) as i8;
            }
        }
        let mut out = [0i8; 15];
        resize_nearest_s8(&p, &input, &mut out);
        out
    }

    fn expect(rows: [usize; 5], cols: [usize; 3]) -> [i8; 15] {
        let mut e = [0i8; 15];
        for (y, &r) in rows.iter().enumerate() {
            for (x, &c) in cols.iter().enumerate() {
                e[y * 3 + x] = (10 * r + c) as i8;
            }
        }
        e
    }

    // Rows: in 3 -> out 5. Columns: in 4 -> out 3.
    #[test]
    fn plain() {
        // rows: floor(y·0.6) = 0,0,1,1,2. cols: floor(x·4/3) = 0,1,2.
        assert_eq!(run(false, false), expect([0, 0, 1, 1, 2], [0, 1, 2]));
    }

    #[test]
    fn align_corners() {
        // rows: round(y·0.5) = 0, 1 (0.5 away from zero), 1, 2 (1.5), 2.
        // cols: round(x·1.5) = 0, 2 (1.5), 3.
        assert_eq!(run(true, false), expect([0, 1, 1, 2, 2], [0, 2, 3]));
    }

    #[test]
    fn half_pixel_centers() {
        // rows: floor((y+0.5)·0.6) = floor(0.3, 0.9, 1.5, 2.1, 2.7) = 0,0,1,2,2.
        // cols: floor((x+0.5)·4/3) = floor(0.67, 2.0, 3.33) = 0,2,3.
        assert_eq!(run(false, true), expect([0, 0, 1, 2, 2], [0, 2, 3]));
    }

    #[test]
    fn align_corners_and_half_pixel_centers() {
        // rows: round((y+0.5)·0.5) = round(0.25, 0.75, 1.25, 1.75, 2.25) = 0,1,1,2,2.
        // cols: round((x+0.5)·1.5) = round(0.75, 2.25, 3.75) = 1,2,4 -> capped at 3.
        assert_eq!(run(true, true), expect([0, 1, 1, 2, 2], [1, 2, 3]));
    }

    #[test]
    fn channels_batches_and_single_output() {
        // 2 batches, 1x2 image, 2 channels -> 1x1 with align_corners (out 1 uses in/out = 2):
        // round(0·2) = 0 -> first pixel of each batch.
        let s = size(1, 1);
        let p = ResizeNearestParams::new(d(2, 1, 2, 2), d(2, 1, 1, 2), LeI32s::new(&s), true, false).unwrap();
        let mut out = [0i8; 4];
        resize_nearest_s8(&p, &[1, 2, 3, 4, 5, 6, 7, 8], &mut out);
        assert_eq!(out, [1, 2, 5, 6]);
        // Half-pixel single output: floor(0.5·2) = 1 -> second pixel.
        let p = ResizeNearestParams::new(d(2, 1, 2, 2), d(2, 1, 1, 2), LeI32s::new(&s), false, true).unwrap();
        resize_nearest_s8(&p, &[1, 2, 3, 4, 5, 6, 7, 8], &mut out);
        assert_eq!(out, [3, 4, 7, 8]);
    }

    #[test]
    fn rejects_mismatch() {
        let s = size(5, 3);
        assert!(ResizeNearestParams::new(d(1, 3, 4, 1), d(1, 5, 4, 1), LeI32s::new(&s), false, false).is_err());
        assert!(ResizeNearestParams::new(d(1, 3, 4, 1), d(1, 5, 3, 2), LeI32s::new(&s), false, false).is_err());
        assert!(ResizeNearestParams::new(d(1, 3, 4, 1), d(1, 5, 3, 1), LeI32s::new(&s[..4]), false, false).is_err());
    }
}
