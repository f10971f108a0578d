//! How close an operator's output may sit to the input it consumes: from the operator's
//! dataflow (its spec) and the way its kernel variant walks memory (the variant's declared
//! [`Access`]).
//!
//! A sliding-window kernel walking forward (output pixels in ascending order) only needs input
//! bytes from the first byte of the current pixel's window onward (vMCU's observation,
//! computed exactly per operator). Its output may therefore start `forward` bytes *before* the
//! input: writing pixel `q` (bytes up to `(q+1)·Co`, or further when the variant writes `lead`
//! pixels ahead) must stay below the earliest input byte any pixel `q' ≥ q` still reads.
//! Walking backward, the output may start `backward` bytes *after* the input start,
//! symmetrically. Distances are in bytes and may be negative (the output may then start even
//! later / earlier). Elementwise kernels may write over their input from the same start
//! (forward: the output starts at or before it; backward: at or after it); channel-by-channel
//! kernels only at exactly the same offset.

use super::{EXACT, NEVER};
use crate::geometry::Window;
use crate::ops::{Dataflow, OpSpec};
use crate::variants::Access;
use core::num::Wrapping;

/// Which planner option governs an overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverlapKind {
    /// Same-index work (elementwise, channel by channel): the `in_place` option.
    Elementwise,
    /// A sliding window walking its output in order: the `overlap` option.
    Window,
}

/// How an operator's output may overlap one of its inputs when that input dies there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// Tensor index of the input (after PAD folding).
    pub input: usize,
    /// Another input that may be overwritten instead, if `input` does not die here.
    pub alt_input: Option<usize>,
    pub kind: OverlapKind,
    /// The output may start this many bytes before the input, walking forward (`NEVER` or
    /// more: not at all; [`EXACT`] in both: only at the same offset).
    pub forward: i64,
    /// The output may start this many bytes after the input, walking backward.
    pub backward: i64,
}

/// The overlap operator `spec` allows when its variant walks as `access`.
pub fn permission(spec: &OpSpec<'_>, access: Access) -> Option<Overlap> {
    let (never, exact) = (i64::from(NEVER), i64::from(EXACT));
    match (spec.dataflow, access) {
        (Dataflow::Elementwise { inputs: [Some(input), alt_input], .. }, Access::Forward) => {
            Some(Overlap { input, alt_input, kind: OverlapKind::Elementwise, forward: 0, backward: never })
        }
        (Dataflow::Elementwise { inputs: [Some(input), alt_input], .. }, Access::Backward) => {
            Some(Overlap { input, alt_input, kind: OverlapKind::Elementwise, forward: never, backward: 0 })
        }
        (Dataflow::Window { input, .. }, Access::SameOffset) => {
            Some(Overlap { input, alt_input: None, kind: OverlapKind::Elementwise, forward: exact, backward: exact })
        }
        (Dataflow::Window { input }, Access::Window { lead }) => {
            let s = spec.window()?;
            let g = Grid {
                window: *s.window,
                batches: s.batches,
                in_px: s.in_channels,
                out_px: s.out_channels,
                lead: usize::from(lead),
            };
            Some(Overlap {
                input,
                alt_input: None,
                kind: OverlapKind::Window,
                forward: forward_distance(&g),
                backward: backward_distance(&g),
            })
        }
        _ => None,
    }
}

/// A sliding-window operator's pixels as bytes: int8 pixels of `in_px` and `out_px` channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub window: Window,
    pub batches: usize,
    /// Bytes per input pixel.
    pub in_px: usize,
    /// Bytes per output pixel.
    pub out_px: usize,
    /// Output pixels a kernel may write beyond the one whose window it still reads.
    pub lead: usize,
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
fn window_bytes(g: &Grid, b: usize, y: usize, x: usize) -> (Pos, Pos) {
    let (rows, cols) = (&g.window.rows, &g.window.cols);
    // Within `0..extent` (callers skip empty images, where this returns 0).
    let clamp = |v: Pos, extent: usize| v.min(pos(extent) - pos(1)).max(pos(0));
    let top = pos(y) * pos(rows.stride) - pos(rows.pad_before);
    let left = pos(x) * pos(cols.stride) - pos(cols.pad_before);
    let reach_h = pos(rows.kernel.max(1)) - pos(1);
    let reach_w = pos(cols.kernel.max(1)) - pos(1);
    let y0 = clamp(top, rows.input);
    let x0 = clamp(left, cols.input);
    let y1 = clamp(top + reach_h * pos(rows.dilation), rows.input);
    let x1 = clamp(left + reach_w * pos(cols.dilation), cols.input);
    let base = pos(b) * pos(rows.input);
    let (w, px) = (pos(cols.input), pos(g.in_px));
    let first = ((base + y0) * w + x0) * px;
    let end = ((base + y1) * w + x1 + pos(1)) * px;
    (first, end)
}

/// Output pixels above which the distances are not computed (no overlap is offered): keeps
/// load time bounded on hostile shapes; real feature maps are far smaller (224×224 = 50,176).
pub const MAX_ANALYZED_PIXELS: usize = 1 << 20;

/// The distance returned when no overlap is offered.
pub const NO_DISTANCE: i64 = i64::MAX / 4;

/// Output pixels of the grid, `None` above [`MAX_ANALYZED_PIXELS`].
fn pixels(g: &Grid) -> Option<usize> {
    let (rows, cols) = (&g.window.rows, &g.window.cols);
    g.batches.checked_mul(rows.output).and_then(|v| v.checked_mul(cols.output)).filter(|&p| p <= MAX_ANALYZED_PIXELS)
}

fn empty(g: &Grid) -> bool {
    let (rows, cols) = (&g.window.rows, &g.window.cols);
    rows.input == 0 || cols.input == 0 || rows.output == 0 || cols.output == 0
}

/// Minimal `D` such that an output placed at `input_offset − D` is safe when walking forward.
pub fn forward_distance(g: &Grid) -> i64 {
    if empty(g) {
        return 0;
    }
    let Some(total) = pixels(g) else { return NO_DISTANCE };
    let (oh, ow) = (g.window.rows.output, g.window.cols.output);
    // Walk pixels backward to keep the suffix minimum of the first byte still needed.
    let mut suffix_min = Wrapping(i64::MAX);
    let mut d = Wrapping(i64::MIN);
    for b in (0..g.batches).rev() {
        for y in (0..oh).rev() {
            for x in (0..ow).rev() {
                let (first, _) = window_bytes(g, b, y, x);
                suffix_min = suffix_min.min(first);
                let q = (pos(b) * pos(oh) + pos(y)) * pos(ow) + pos(x);
                let written = (q + pos(1) + pos(g.lead)).min(pos(total));
                d = d.max(written * pos(g.out_px) - suffix_min);
            }
        }
    }
    d.0
}

/// Minimal `E` such that an output placed at `input_offset + E` is safe when walking backward.
pub fn backward_distance(g: &Grid) -> i64 {
    if empty(g) {
        return 0;
    }
    if pixels(g).is_none() {
        return NO_DISTANCE;
    }
    let (oh, ow) = (g.window.rows.output, g.window.cols.output);
    let mut prefix_max = Wrapping(i64::MIN);
    let mut e = Wrapping(i64::MIN);
    for b in 0..g.batches {
        for y in 0..oh {
            for x in 0..ow {
                let (_, end) = window_bytes(g, b, y, x);
                prefix_max = prefix_max.max(end);
                let q = (pos(b) * pos(oh) + pos(y)) * pos(ow) + pos(x);
                let written = (q - pos(g.lead)).max(pos(0));
                e = e.max(prefix_max - written * pos(g.out_px));
            }
        }
    }
    e.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn geom(h: usize, w: usize, ci: usize, oh: usize, ow: usize, co: usize, k: usize, s: usize, p: usize) -> Grid {
        let axis = |input, output| crate::geometry::Axis {
            input,
            output,
            kernel: k,
            stride: s,
            dilation: 1,
            pad_before: p,
            pad_after: 0,
        };
        Grid { window: Window { rows: axis(h, oh), cols: axis(w, ow) }, batches: 1, in_px: ci, out_px: co, lead: 0 }
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
    fn writing_ahead_needs_more_room() {
        // The 1x1 expansion above, writing one pixel ahead: pixel 2 (window at byte 16) may
        // be read after pixel 3 is written (bytes up to 64): D = 64 − 16 = 48. Backward,
        // pixel 1 (window ending at byte 16) read after pixel 0 is written: E = 16.
        let g = Grid { lead: 1, ..geom(2, 2, 8, 2, 2, 16, 1, 1, 0) };
        assert_eq!(forward_distance(&g), 48);
        assert_eq!(backward_distance(&g), 16);
    }

    #[test]
    fn stride_two_needs_at_most_one_pixel() {
        // Pixel (0,0)'s own window starts at input byte 0, so one output pixel of headroom.
        let g = geom(8, 8, 4, 4, 4, 4, 3, 2, 1);
        assert_eq!(forward_distance(&g), 4);
    }
}
