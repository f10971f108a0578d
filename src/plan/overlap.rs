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

use core::num::Wrapping;

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

/// A byte position in `i64`. Wrapping operations (plain machine adds and multiplies) because
/// this runs once per output pixel at init, where saturating `i64` arithmetic costs a 32-bit
/// core about 25% of the init time; no value ever wraps: every operand is a tensor dimension,
/// a stride, a dilation or a padding (each below 2^32), the unclamped window ends are at most
/// two products of such values (below 2^63), and everything else is clamped to the image or
/// bounded by a verified tensor's byte size (≤ `i32::MAX`).
type Pos = Wrapping<i64>;

/// A dimension or index as a position.
fn pos(v: usize) -> Pos {
    Wrapping(v as i64)
}

/// Smallest and largest input byte (relative to the input start) that output pixel
/// `(b, y, x)` reads: `[first, end)`, clamped conservatively to the image.
fn window_bytes(g: &WindowGeom, b: usize, y: usize, x: usize) -> (Pos, Pos) {
    // Within `0..extent` (callers skip empty images, where this returns 0).
    let clamp = |v: Pos, extent: usize| v.min(pos(extent) - pos(1)).max(pos(0));
    let top = pos(y) * pos(g.stride_h) - pos(g.pad_top);
    let left = pos(x) * pos(g.stride_w) - pos(g.pad_left);
    let reach_h = pos(g.k_h.max(1)) - pos(1);
    let reach_w = pos(g.k_w.max(1)) - pos(1);
    let y0 = clamp(top, g.in_h);
    let x0 = clamp(left, g.in_w);
    let y1 = clamp(top + reach_h * pos(g.dilation_h), g.in_h);
    let x1 = clamp(left + reach_w * pos(g.dilation_w), g.in_w);
    let base = pos(b) * pos(g.in_h);
    let (w, px) = (pos(g.in_w), pos(g.in_px));
    let first = ((base + y0) * w + x0) * px;
    let end = ((base + y1) * w + x1 + pos(1)) * px;
    (first, end)
}

/// Output pixels above which the distances are not computed (no overlap is offered): keeps
/// load time bounded on hostile shapes; real feature maps are far smaller (224×224 = 50,176).
pub const MAX_ANALYZED_PIXELS: usize = 1 << 20;

/// The distance returned when no overlap is offered.
pub const NO_DISTANCE: i64 = i64::MAX / 4;

fn too_many_pixels(g: &WindowGeom) -> bool {
    g.batches.checked_mul(g.out_h).and_then(|v| v.checked_mul(g.out_w)).is_none_or(|p| p > MAX_ANALYZED_PIXELS)
}

/// Minimal `D` such that an output placed at `input_offset − D` is safe when walking forward.
pub fn forward_distance(g: &WindowGeom) -> i64 {
    if g.in_h == 0 || g.in_w == 0 || g.out_h == 0 || g.out_w == 0 {
        return 0;
    }
    if too_many_pixels(g) {
        return NO_DISTANCE;
    }
    // Walk pixels backward to keep the suffix minimum of the first byte still needed.
    let mut suffix_min = Wrapping(i64::MAX);
    let mut d = Wrapping(i64::MIN);
    for b in (0..g.batches).rev() {
        for y in (0..g.out_h).rev() {
            for x in (0..g.out_w).rev() {
                let (first, _) = window_bytes(g, b, y, x);
                suffix_min = suffix_min.min(first);
                let q = (pos(b) * pos(g.out_h) + pos(y)) * pos(g.out_w) + pos(x);
                d = d.max((q + pos(1)) * pos(g.out_px) - suffix_min);
            }
        }
    }
    d.0
}

/// Minimal `E` such that an output placed at `input_offset + E` is safe when walking backward.
pub fn backward_distance(g: &WindowGeom) -> i64 {
    if g.in_h == 0 || g.in_w == 0 || g.out_h == 0 || g.out_w == 0 {
        return 0;
    }
    if too_many_pixels(g) {
        return NO_DISTANCE;
    }
    let mut prefix_max = Wrapping(i64::MIN);
    let mut e = Wrapping(i64::MIN);
    for b in 0..g.batches {
        for y in 0..g.out_h {
            for x in 0..g.out_w {
                let (_, end) = window_bytes(g, b, y, x);
                prefix_max = prefix_max.max(end);
                let q = (pos(b) * pos(g.out_h) + pos(y)) * pos(g.out_w) + pos(x);
                e = e.max(prefix_max - q * pos(g.out_px));
            }
        }
    }
    e.0
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
