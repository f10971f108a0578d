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
#[cfg(test)]
fn window_bytes(g: &Grid, b: usize, y: usize, x: usize) -> (Pos, Pos) {
    let ([r0, r1], [c0, c1]) = (window_rows(g, b, y), window_cols(g, x));
    (row_byte(g, r0, c0), row_byte(g, r1, c1 + pos(1)))
}

/// The input value in `0..extent` nearest to `v` (callers skip empty images).
fn clamp(v: Pos, extent: usize) -> Pos {
    v.min(pos(extent) - pos(1)).max(pos(0))
}

/// First and last input rows (counted over all batches) of output row `y` of batch `b`'s
/// window, clamped to the image.
fn window_rows(g: &Grid, b: usize, y: usize) -> [Pos; 2] {
    let rows = &g.window.rows;
    let top = pos(y) * pos(rows.stride) - pos(rows.pad_before);
    let reach = (pos(rows.kernel.max(1)) - pos(1)) * pos(rows.dilation);
    let base = pos(b) * pos(rows.input);
    [base + clamp(top, rows.input), base + clamp(top + reach, rows.input)]
}

/// First and last input columns of output column `x`'s window, clamped to the image.
fn window_cols(g: &Grid, x: usize) -> [Pos; 2] {
    let cols = &g.window.cols;
    let left = pos(x) * pos(cols.stride) - pos(cols.pad_before);
    let reach = (pos(cols.kernel.max(1)) - pos(1)) * pos(cols.dilation);
    [clamp(left, cols.input), clamp(left + reach, cols.input)]
}

/// Byte offset of input column `col` of input row `row`.
fn row_byte(g: &Grid, row: Pos, col: Pos) -> Pos {
    (row * pos(g.window.cols.input) + col) * pos(g.in_px)
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

/// The output columns where the window's clamped column positions change slope: for a column
/// start `x·stride − c` clamped to the image, the first `x` at or past 0 and the first past the
/// last column. Every `x` (unclamped) is in `0..=output`.
fn clamp_breaks(stride: usize, c: Pos, input: usize, output: usize) -> [usize; 2] {
    let s = pos(stride.max(1));
    let out = pos(output);
    // Smallest x with x·s − c ≥ t, clamped to 0..=output (ceiling division of t + c by s).
    let first_at_least = |t: Pos| {
        let n = t + c;
        let q = if n.0 <= 0 { Wrapping(0) } else { Wrapping((n + s - pos(1)).0.checked_div(s.0).unwrap_or(0)) };
        q.min(out).max(Wrapping(0)).0 as usize
    };
    [first_at_least(pos(0)), first_at_least(pos(input))]
}

/// The columns `x` of an output row at which a function "linear in `x`, minus or plus the
/// window's clamped column `x·stride − c`" can take its largest value: the row's ends and both
/// sides of the two clamp breaks. Between consecutive candidates (and a written-count break,
/// evaluated apart) such a function is linear, so its maximum over the row is at one of them.
/// Each column once (they often coincide): the first `n` of the array.
fn row_candidates(g: &Grid, c: Pos) -> ([usize; 6], usize) {
    let cols = &g.window.cols;
    let last = cols.output.saturating_sub(1);
    let [a, b] = clamp_breaks(cols.stride, c, cols.input, cols.output);
    let before = |v: usize| v.saturating_sub(1).min(last);
    let mut xs = [0usize; 6];
    let mut n = 0usize;
    for x in [0, last, before(a), a.min(last), before(b), b.min(last)] {
        if !xs.iter().take(n).any(|&seen| seen == x) {
            if let Some(slot) = xs.get_mut(n) {
                *slot = x;
                n = n.saturating_add(1);
            }
        }
    }
    (xs, n)
}

/// Minimal `D` such that an output placed at `input_offset − D` is safe when walking forward.
///
/// Computed row by row: within a row the first input byte of the window does not decrease
/// with `x`, so the least first byte still needed by pixel `q` or later is the smaller of its
/// own and the least first byte of the later rows; the written bytes grow linearly (up to the
/// tensor's end). The maximum over the row is therefore at one of a few candidate columns
/// ([`row_candidates`]). Equal to the pixel-by-pixel maximum (checked against it in the tests).
pub fn forward_distance(g: &Grid) -> i64 {
    if empty(g) {
        return 0;
    }
    let Some(total) = pixels(g) else { return NO_DISTANCE };
    let (oh, ow) = (g.window.rows.output, g.window.cols.output);
    // The pixel from which the written count stops growing (the tensor's end).
    let full = total.saturating_sub(1).saturating_sub(g.lead);
    // The window's first column is x·stride − pad.
    let (xs, n) = row_candidates(g, pos(g.window.cols.pad_before));
    let first_cols = xs.map(|x| (x, window_cols(g, x)[0]));
    let first_cols = first_cols.get(..n).unwrap_or(&[]);
    let row_start = window_cols(g, 0)[0];
    let mut later_min = Wrapping(i64::MAX);
    let mut d = Wrapping(i64::MIN);
    for b in (0..g.batches).rev() {
        for y in (0..oh).rev() {
            let row = (pos(b) * pos(oh) + pos(y)) * pos(ow);
            let written = |x: usize| (row + pos(x) + pos(1) + pos(g.lead)).min(pos(total)) * pos(g.out_px);
            let [r0, _] = window_rows(g, b, y);
            let mut at = |x: usize, col: Pos| d = d.max(written(x) - row_byte(g, r0, col).min(later_min));
            for &(x, col) in first_cols {
                at(x, col);
            }
            if let Some(x) = full.checked_sub(row.0 as usize).filter(|&x| x < ow) {
                at(x, window_cols(g, x)[0]);
            }
            d = d.max(written(ow.saturating_sub(1)) - later_min);
            later_min = later_min.min(row_byte(g, r0, row_start));
        }
    }
    d.0
}

/// Minimal `E` such that an output placed at `input_offset + E` is safe when walking backward.
///
/// Row by row as [`forward_distance`]: within a row the window's end does not decrease with
/// `x`, so the largest end read up to pixel `q` is the larger of its own and the largest end of
/// the earlier rows.
pub fn backward_distance(g: &Grid) -> i64 {
    if empty(g) {
        return 0;
    }
    if pixels(g).is_none() {
        return NO_DISTANCE;
    }
    let (oh, ow) = (g.window.rows.output, g.window.cols.output);
    // The window's last column is x·stride − pad + (kernel − 1)·dilation.
    let cols = &g.window.cols;
    let (xs, n) = row_candidates(g, pos(cols.pad_before) - (pos(cols.kernel.max(1)) - pos(1)) * pos(cols.dilation));
    let last_cols = xs.map(|x| (x, window_cols(g, x)[1]));
    let last_cols = last_cols.get(..n).unwrap_or(&[]);
    let row_end = window_cols(g, ow.saturating_sub(1))[1];
    let mut earlier_max = Wrapping(i64::MIN);
    let mut e = Wrapping(i64::MIN);
    for b in 0..g.batches {
        for y in 0..oh {
            let row = (pos(b) * pos(oh) + pos(y)) * pos(ow);
            let written = |x: usize| (row + pos(x) - pos(g.lead)).max(pos(0)) * pos(g.out_px);
            let [_, r1] = window_rows(g, b, y);
            let end = |col: Pos| row_byte(g, r1, col + pos(1));
            let mut at = |x: usize, col: Pos| e = e.max(end(col).max(earlier_max) - written(x));
            for &(x, col) in last_cols {
                at(x, col);
            }
            // The pixel up to which the written count stays 0.
            if let Some(x) = g.lead.checked_sub(row.0 as usize).filter(|&x| x < ow) {
                at(x, window_cols(g, x)[1]);
            }
            e = e.max(earlier_max - written(0));
            earlier_max = earlier_max.max(end(row_end));
        }
    }
    e.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixel by pixel: the definition the row-by-row forms must equal.
    fn forward_by_pixel(g: &Grid) -> i64 {
        if empty(g) {
            return 0;
        }
        let Some(total) = pixels(g) else { return NO_DISTANCE };
        let (oh, ow) = (g.window.rows.output, g.window.cols.output);
        let (mut suffix_min, mut d) = (Wrapping(i64::MAX), Wrapping(i64::MIN));
        for b in (0..g.batches).rev() {
            for y in (0..oh).rev() {
                for x in (0..ow).rev() {
                    suffix_min = suffix_min.min(window_bytes(g, b, y, x).0);
                    let q = (pos(b) * pos(oh) + pos(y)) * pos(ow) + pos(x);
                    let written = (q + pos(1) + pos(g.lead)).min(pos(total));
                    d = d.max(written * pos(g.out_px) - suffix_min);
                }
            }
        }
        d.0
    }

    fn backward_by_pixel(g: &Grid) -> i64 {
        if empty(g) {
            return 0;
        }
        if pixels(g).is_none() {
            return NO_DISTANCE;
        }
        let (oh, ow) = (g.window.rows.output, g.window.cols.output);
        let (mut prefix_max, mut e) = (Wrapping(i64::MIN), Wrapping(i64::MIN));
        for b in 0..g.batches {
            for y in 0..oh {
                for x in 0..ow {
                    prefix_max = prefix_max.max(window_bytes(g, b, y, x).1);
                    let q = (pos(b) * pos(oh) + pos(y)) * pos(ow) + pos(x);
                    let written = (q - pos(g.lead)).max(pos(0));
                    e = e.max(prefix_max - written * pos(g.out_px));
                }
            }
        }
        e.0
    }

    /// The row-by-row distances equal the pixel-by-pixel ones on random windows: kernels,
    /// strides, dilations, paddings (also beyond the kernel), batches, channel counts, leads,
    /// and outputs larger or smaller than the input allows.
    #[test]
    fn row_forms_equal_the_pixel_definition() {
        let mut rng = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move |n: u64| rng.below(n) as usize;
        for _ in 0..if cfg!(miri) { 50 } else { 20_000 } {
            let axis = |next: &mut dyn FnMut(u64) -> usize| crate::geometry::Axis {
                input: 1 + next(30),
                output: 1 + next(30),
                kernel: 1 + next(5),
                stride: 1 + next(3),
                dilation: 1 + next(3),
                pad_before: next(5),
                pad_after: next(3),
            };
            let window = Window { rows: axis(&mut next), cols: axis(&mut next) };
            let g = Grid { window, batches: 1 + next(3), in_px: 1 + next(9), out_px: 1 + next(20), lead: next(4) };
            assert_eq!(forward_distance(&g), forward_by_pixel(&g), "{g:?}");
            assert_eq!(backward_distance(&g), backward_by_pixel(&g), "{g:?}");
        }
    }

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
