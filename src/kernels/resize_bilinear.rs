//! RESIZE_BILINEAR (int8), bit-exact with TFLM's `ResizeBilinearInteger`: source positions in
//! 10 fractional bits, the four neighbours weighted in 20 bits (int64), rounded half away from
//! zero (TFLM's default, not the single-rounding build). Values are interpolated as they are:
//! the output keeps the input's quantization.

use crate::tensor::Dims4;
use crate::{Error, Result};

/// Prepared RESIZE_BILINEAR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResizeBilinearParams {
    input: Dims4,
    output: Dims4,
    /// Source step per output pixel, `[h, w]`, in 10 fractional bits.
    scale_10: [i32; 2],
    half_pixel_centers: bool,
}

impl ResizeBilinearParams {
    /// TFLM's Prepare and scales: NHWC input and output of equal batch and depth, output
    /// extents ≥ 1 (taken from the constant size tensor, which must match the output), not
    /// both `align_corners` and `half_pixel_centers`.
    pub fn new(
        input: Dims4,
        output: Dims4,
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<ResizeBilinearParams> {
        if align_corners && half_pixel_centers {
            return Err(Error::InvalidArgument);
        }
        if input.n != output.n || input.c != output.c || output.h == 0 || output.w == 0 {
            return Err(Error::InvalidArgument);
        }
        let fits = |v: usize| i32::try_from(v).ok().filter(|&v| v < (1 << 20));
        let (ih, iw, oh, ow) = (
            fits(input.h).ok_or(Error::InvalidArgument)?,
            fits(input.w).ok_or(Error::InvalidArgument)?,
            fits(output.h).ok_or(Error::InvalidArgument)?,
            fits(output.w).ok_or(Error::InvalidArgument)?,
        );
        // Extents below 2^20 keep every product inside i32; the divisors are at least 1.
        let scale = |i: i32, o: i32| {
            if align_corners && o > 1 {
                ((1 << 10) * (i - 1) + (o - 1) / 2).checked_div(o - 1)
            } else {
                ((1 << 10) * i + o / 2).checked_div(o)
            }
        };
        let (sh, sw) = (scale(ih, oh).ok_or(Error::InvalidArgument)?, scale(iw, ow).ok_or(Error::InvalidArgument)?);
        Ok(ResizeBilinearParams { input, output, scale_10: [sh, sw], half_pixel_centers })
    }
}

/// TFLM `ComputeInterpolationValuesInteger`: the source position (10 fractional bits) and the
/// two neighbouring source indices.
fn interpolation(value: i32, scale_10: i32, half_pixel_centers: bool, input_size: i32) -> (i32, i32, i32) {
    let scaled = if half_pixel_centers { value * scale_10 + scale_10 / 2 - (1 << 9) } else { value * scale_10 };
    let lower = (scaled / (1 << 10)).max(0);
    let upper = ((scaled + (1 << 10) - 1) / (1 << 10)).min(input_size - 1);
    (scaled, lower, upper)
}

/// Int8 RESIZE_BILINEAR of `input` into `output` (dense NHWC, exact lengths, else
/// [`Error::InvalidArgument`]; the output must not overlap the input).
pub fn resize_bilinear_s8(p: &ResizeBilinearParams, input: &[i8], output: &mut [i8]) -> Result<()> {
    let (x, y) = (p.input, p.output);
    if input.len() != x.len() || output.len() != y.len() {
        return Err(Error::InvalidArgument);
    }
    let one = 1i64 << 10;
    let at = |n, yy: i32, xx: i32, c| -> Result<i64> {
        let i = x.offset(n, yy as usize, xx as usize, c);
        input.get(i).map(|&v| v as i64).ok_or(Error::InvalidArgument)
    };
    for n in 0..y.n {
        for oy in 0..y.h {
            let (sy, y0, y1) = interpolation(oy as i32, p.scale_10[0], p.half_pixel_centers, x.h as i32);
            let dy = sy as i64 - one * y0 as i64;
            for ox in 0..y.w {
                let (sx, x0, x1) = interpolation(ox as i32, p.scale_10[1], p.half_pixel_centers, x.w as i32);
                let dx = sx as i64 - one * x0 as i64;
                for c in 0..y.c {
                    let v = at(n, y0, x0, c)? * (one - dy) * (one - dx)
                        + at(n, y1, x0, c)? * dy * (one - dx)
                        + at(n, y0, x1, c)? * (one - dy) * dx
                        + at(n, y1, x1, c)? * dy * dx;
                    let round = if v > 0 { 1 << 19 } else { -(1 << 19) };
                    *output.get_mut(y.offset(n, oy, ox, c)).ok_or(Error::InvalidArgument)? =
                        ((v + round) / (1 << 20)) as i8;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_a_row() {
        // 1x2 → 1x4 without half-pixel centers: scale 0.5; positions 0, 0.5, 1, 1.5 (clamped).
        let d = |h, w| Dims4 { n: 1, h, w, c: 1 };
        let p = ResizeBilinearParams::new(d(1, 2), d(1, 4), false, false).unwrap();
        let mut y = [0i8; 4];
        resize_bilinear_s8(&p, &[10, -20], &mut y).unwrap();
        assert_eq!(y, [10, -5, -20, -20]);
        // Half-pixel centers: positions -0.25 (clamped lower, weight on 0), 0.25, 0.75, 1.25.
        let p = ResizeBilinearParams::new(d(1, 2), d(1, 4), false, true).unwrap();
        resize_bilinear_s8(&p, &[10, -20], &mut y).unwrap();
        assert_eq!(y, [10, 3, -13, -20]);
        assert!(ResizeBilinearParams::new(d(1, 2), d(1, 4), true, true).is_err());
    }
}
