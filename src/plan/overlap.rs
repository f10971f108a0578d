//! How close an operator's output may sit to the input it consumes, when the kernel walks its
//! output in a known order (vMCU's observation, computed exactly per operator).
//!
//! A sliding-window kernel walking forward (output pixels in ascending order) only needs input
//! bytes from the first byte of the current pixel's window onward. Its output may therefore
//! start `forward` bytes *before* the input: writing pixel `q` (bytes up to `(q+1)·Co`) must stay
//! below the earliest input byte any pixel `q' ≥ q` still reads. Walking backward, the output
//! may start `backward` bytes *after* the input start, symmetrically. Distances are in bytes
//! and may be negative (the output may then start even later / earlier).
//!
//! Granularity is one output pixel: a kernel may interleave reads of a pixel's window with
//! writes of that pixel's channels.

/// Geometry of a sliding-window operator (conv, depthwise, pooling), in pixels and bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowGeom {
    pub batches: usize,
    pub in_h: usize,
    pub in_w: usize,
    /// Bytes per input pixel.
    pub in_px: usize,
    pub out_h: usize,
    pub out_w: usize,
    /// Bytes per output pixel.
    pub out_px: usize,
    pub k_h: usize,
    pub k_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub dilation_h: usize,
    pub dilation_w: usize,
    pub pad_top: usize,
    pub pad_left: usize,
}

/// Smallest and largest input byte (relative to the input start) that output pixel
/// `(b, y, x)` reads: `[first, end)`, clamped conservatively to the image.
fn window_bytes(g: &WindowGeom, b: usize, y: usize, x: usize) -> (i64, i64) {
    let clamp = |v: i64, hi: usize| v.clamp(0, hi as i64 - 1);
    let y0 = clamp((y * g.stride_h) as i64 - g.pad_top as i64, g.in_h);
    let x0 = clamp((x * g.stride_w) as i64 - g.pad_left as i64, g.in_w);
    let y1 = clamp((y * g.stride_h) as i64 - g.pad_top as i64 + ((g.k_h.max(1) - 1) * g.dilation_h) as i64, g.in_h);
    let x1 = clamp((x * g.stride_w) as i64 - g.pad_left as i64 + ((g.k_w.max(1) - 1) * g.dilation_w) as i64, g.in_w);
    let base = (b * g.in_h) as i64;
    let px = g.in_px as i64;
    let first = ((base + y0) * g.in_w as i64 + x0) * px;
    let end = ((base + y1) * g.in_w as i64 + x1 + 1) * px;
    (first, end)
}

/// Minimal `D` such that an output placed at `input_offset − D` is safe when walking forward.
pub fn forward_distance(g: &WindowGeom) -> i64 {
    if g.in_h == 0 || g.in_w == 0 || g.out_h == 0 || g.out_w == 0 {
        return 0;
    }
    // Walk pixels backward to keep the suffix minimum of the first byte still needed.
    let mut suffix_min = i64::MAX;
    let mut d = i64::MIN;
    let per_row = g.out_w;
    for b in (0..g.batches).rev() {
        for y in (0..g.out_h).rev() {
            for x in (0..g.out_w).rev() {
                let (first, _) = window_bytes(g, b, y, x);
                suffix_min = suffix_min.min(first);
                let q = ((b * g.out_h + y) * per_row + x) as i64;
                d = d.max((q + 1) * g.out_px as i64 - suffix_min);
            }
        }
    }
    d
}

/// Minimal `E` such that an output placed at `input_offset + E` is safe when walking backward.
pub fn backward_distance(g: &WindowGeom) -> i64 {
    if g.in_h == 0 || g.in_w == 0 || g.out_h == 0 || g.out_w == 0 {
        return 0;
    }
    let mut prefix_max = i64::MIN;
    let mut e = i64::MIN;
    for b in 0..g.batches {
        for y in 0..g.out_h {
            for x in 0..g.out_w {
                let (_, end) = window_bytes(g, b, y, x);
                prefix_max = prefix_max.max(end);
                let q = ((b * g.out_h + y) * g.out_w + x) as i64;
                e = e.max(prefix_max - q * g.out_px as i64);
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn geom(
        h: usize,
        w: usize,
        ci: usize,
        oh: usize,
        ow: usize,
        co: usize,
        k: usize,
        s: usize,
        p: usize,
    ) -> WindowGeom {
        WindowGeom {
            batches: 1,
            in_h: h,
            in_w: w,
            in_px: ci,
            out_h: oh,
            out_w: ow,
            out_px: co,
            k_h: k,
            k_w: k,
            stride_h: s,
            stride_w: s,
            dilation_h: 1,
            dilation_w: 1,
            pad_top: p,
            pad_left: p,
        }
    }

    #[test]
    fn pointwise_expansion_needs_the_growth_plus_one_pixel() {
        // 1x1 conv 8 -> 16 channels over 4 pixels: D = 4·16 − 3·8 = 40.
        let g = geom(2, 2, 8, 2, 2, 16, 1, 1, 0);
        assert_eq!(forward_distance(&g), 40);
        // Backward: the output may start one input pixel (8 bytes) after the input.
        assert_eq!(backward_distance(&g), 8);
    }

    #[test]
    fn same_padded_3x3_needs_a_row_and_a_pixel() {
        // 3x3 s1 pad 1 on 32x32x16 -> 32x32x16: one row plus two pixels.
        let g = geom(32, 32, 16, 32, 32, 16, 3, 1, 1);
        assert_eq!(forward_distance(&g), (32 + 2) * 16);
    }

    #[test]
    fn stride_two_needs_at_most_one_pixel() {
        // Pixel (0,0)'s own window starts at input byte 0, so one output pixel of headroom.
        let g = geom(8, 8, 4, 4, 4, 4, 3, 2, 1);
        assert_eq!(forward_distance(&g), 4);
    }
}
