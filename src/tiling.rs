//! Row streaming of a fused segment: the schedule shared by the planner (which sizes the row
//! buffers from it) and the executor (which follows it).
//!
//! A segment is a chain of spatially local operators (sliding windows and same-shape unary
//! maps) run together. Its input and its output are whole tensors; every tensor in between
//! exists only as a *row buffer* holding the few full-width rows the next operator still
//! needs. The segment produces its output one row per step; each step works backwards through
//! the chain (which rows of each intermediate the new rows need, from the one window
//! geometry's receptive-field spans), then forwards: drop the rows no later step needs
//! (moving the rest to the buffer's start), compute only the rows not yet held. Halo rows are
//! therefore kept, never recomputed: the segment does exactly the MACs of the unfused
//! operators. Padding applies only at the real image border (the spans say where).

use crate::error::{Error, Result};
use crate::geometry::{Axis, Span};
use crate::ops::{Dataflow, OpSpec};
use crate::tensor::Dims4;
use core::ops::Range;

/// Most operators in one segment.
pub const MAX_STAGES: usize = 8;

/// One operator of a segment, as far as rows are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Stage {
    /// The H axis of its window (an identity axis for unary maps).
    pub rows: Axis,
    /// Bytes of one full-width input row.
    pub in_row_bytes: usize,
    /// Bytes of one full-width output row.
    pub out_row_bytes: usize,
    /// Where a same-shape map's second input comes from (a residual ADD's skip tensor).
    pub skip: Skip,
}

/// The second input of a two-input stage: row `r` of its output reads row `r` of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Skip {
    /// One input only (the previous stage's output).
    #[default]
    None,
    /// The segment's input (a whole tensor, as stage 0 reads it).
    SegmentInput,
    /// The output of stage `k`, an earlier stage than the previous one (its row buffer then
    /// keeps rows for this stage as well).
    Stage(usize),
}

impl Stage {
    /// Operator `spec` as a stage, reading an NHWC image of shape `x` and writing one of shape
    /// `y`: its window's H axis, or an identity axis for a same-shape elementwise map. `None`
    /// for anything else.
    pub fn of(spec: &OpSpec<'_>, x: Dims4, y: Dims4) -> Option<Stage> {
        let (in_row, out_row) = (x.w.checked_mul(x.c)?, y.w.checked_mul(y.c)?);
        match (spec.window(), spec.dataflow) {
            (Some(w), _) if w.window.rows.input == x.h && w.window.rows.output == y.h => {
                Some(Stage { rows: w.window.rows, in_row_bytes: in_row, out_row_bytes: out_row, skip: Skip::None })
            }
            // Element widths in bytes: a QUANTIZE of a float image reads four per value.
            (None, Dataflow::Elementwise { in_bytes, out_bytes, .. }) if x == y => {
                Some(Stage::map(x.h, in_row.checked_mul(in_bytes)?, out_row.checked_mul(out_bytes)?))
            }
            _ => None,
        }
    }

    /// A same-shape map over `rows` rows.
    pub fn map(rows: usize, in_row_bytes: usize, out_row_bytes: usize) -> Stage {
        let rows = Axis { input: rows, output: rows, kernel: 1, stride: 1, dilation: 1, pad_before: 0, pad_after: 0 };
        Stage { rows, in_row_bytes, out_row_bytes, skip: Skip::None }
    }
}

/// The [`Skip`] of stage `k` whose second input is tensor `other`: the segment input
/// `seg_input`, or the output of an earlier stage than the previous one (`outputs[j]` is the
/// tensor stage `j` writes); `None` when it is neither (the stage cannot join the segment).
pub fn skip_of(seg_input: usize, outputs: &[usize], k: usize, other: usize) -> Option<Skip> {
    if other == seg_input {
        return Some(Skip::SegmentInput);
    }
    let before = k.checked_sub(1)?;
    outputs.iter().take(before).position(|&t| t == other).map(Skip::Stage)
}

/// What a step asks of the executor, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Row buffer `buffer` (the output of stage `buffer`) drops its first `drop` rows: rows
    /// `drop..drop + keep` move to its start.
    Shift { buffer: usize, drop: usize, keep: usize },
    /// Stage `stage` computes output rows `rows` from input rows `span.range` (padding
    /// `span.pad_before` / `span.pad_after` rows at the image border). Its input's first held
    /// row is `in_first` (0 for the segment input, a whole tensor); its output's first held
    /// row is `out_first` (0 for the segment output). A stage with a [`Skip`] input reads its
    /// rows `rows` too, from a buffer whose first held row is `skip_first` (0 otherwise).
    Compute { stage: usize, rows: Range<usize>, span: Span, in_first: usize, out_first: usize, skip_first: usize },
}

/// Rows held by each row buffer, step by step.
pub struct Stream<'s> {
    stages: &'s [Stage],
    /// `[first, end)` rows held by the row buffer after stage `k` (for `k` < last).
    held: [(usize, usize); MAX_STAGES],
    /// Rows each stage has computed (`0..done[k]`).
    done: [usize; MAX_STAGES],
    /// Largest number of rows each row buffer held.
    most: [usize; MAX_STAGES],
    /// True when some stage reads an earlier stage's output as its skip input (else no row
    /// buffer needs scanning for skip readers).
    stage_skips: bool,
}

impl<'s> Stream<'s> {
    /// A stream over `stages` (1..=[`MAX_STAGES`], each reading the previous one's output).
    pub fn new(stages: &'s [Stage]) -> Result<Stream<'s>> {
        if stages.is_empty() || stages.len() > MAX_STAGES {
            return Err(Error::InvalidArgument);
        }
        for pair in stages.windows(2) {
            let [a, b] = pair else { continue };
            if a.rows.output != b.rows.input || a.out_row_bytes != b.in_row_bytes {
                return Err(Error::InvalidArgument);
            }
        }
        // A skip input has the stage's own output shape, and comes from before its predecessor.
        let first = stages.first().ok_or(Error::InvalidArgument)?;
        for (k, st) in stages.iter().enumerate() {
            let (rows, row_bytes) = match st.skip {
                Skip::None => continue,
                Skip::SegmentInput => (first.rows.input, first.in_row_bytes),
                Skip::Stage(j) if j.checked_add(1).is_some_and(|j1| j1 < k) => {
                    let src = stages.get(j).ok_or(Error::InvalidArgument)?;
                    (src.rows.output, src.out_row_bytes)
                }
                Skip::Stage(_) => return Err(Error::InvalidArgument),
            };
            if rows != st.rows.output || row_bytes != st.out_row_bytes || st.rows.span(0..1).range != (0, 1) {
                return Err(Error::InvalidArgument);
            }
        }
        let stage_skips = stages.iter().any(|st| matches!(st.skip, Skip::Stage(_)));
        Ok(Stream { stages, held: [(0, 0); MAX_STAGES], done: [0; MAX_STAGES], most: [0; MAX_STAGES], stage_skips })
    }

    /// Output rows of the segment (one step each).
    pub fn steps(&self) -> usize {
        self.stages.last().map_or(0, |s| s.rows.output)
    }

    /// Runs step `row` (producing segment output row `row`), reporting each event to `visit`.
    ///
    /// Rows are pulled one at a time, depth first: before a stage computes a row, the stage
    /// before it computes the rows that row reads and does not hold yet, one by one, each
    /// after dropping the rows its consumer will never read again. A row buffer therefore holds
    /// the rows its consumer's next row reads plus the one being computed: about the window's
    /// height, whatever the strides further down the chain.
    pub fn step(&mut self, row: usize, visit: &mut impl FnMut(Event) -> Result<()>) -> Result<()> {
        let last = self.stages.len().checked_sub(1).ok_or(Error::InvalidArgument)?;
        self.pull(last, row, visit)
    }

    /// Makes stage `k` compute its rows up to `row` (inclusive), pulling the input rows they
    /// read from stage `k - 1` first. Recursion depth: at most [`MAX_STAGES`].
    fn pull(&mut self, k: usize, row: usize, visit: &mut impl FnMut(Event) -> Result<()>) -> Result<()> {
        let stage = *self.stages.get(k).ok_or(Error::Internal)?;
        let last = self.stages.len().checked_sub(1).ok_or(Error::Internal)?;
        while *self.done.get(k).ok_or(Error::Internal)? <= row {
            let next = *self.done.get(k).ok_or(Error::Internal)?;
            let fresh = next..next.saturating_add(1);
            let span = stage.rows.span(fresh.clone());
            if let (Some(prev), Some(end)) = (k.checked_sub(1), span.range.1.checked_sub(1)) {
                if span.range.0 < span.range.1 {
                    self.pull(prev, end, visit)?;
                }
            }
            let skip_first = match stage.skip {
                Skip::Stage(j) => {
                    self.pull(j, next, visit)?;
                    self.held.get(j).ok_or(Error::Internal)?.0
                }
                Skip::None | Skip::SegmentInput => 0,
            };
            let in_first = match k.checked_sub(1) {
                Some(p) => self.held.get(p).ok_or(Error::Internal)?.0,
                None => 0,
            };
            let out_first = if k < last {
                // Rows before the first one the next stage's next row reads (and a later stage
                // reading this output as its skip input, its next row) are never read again.
                let after = k.checked_add(1).ok_or(Error::Internal)?;
                let next_stage = self.stages.get(after).ok_or(Error::Internal)?;
                let c = *self.done.get(after).ok_or(Error::Internal)?;
                let mut want = next_stage.rows.span(c..c.saturating_add(1)).range.0;
                for (s, st) in self.stages.iter().enumerate().filter(|_| self.stage_skips) {
                    if st.skip == Skip::Stage(k) {
                        want = want.min(*self.done.get(s).ok_or(Error::Internal)?);
                    }
                }
                let (lo, hi) = *self.held.get(k).ok_or(Error::Internal)?;
                let first = want.min(next);
                let cut = first.min(hi);
                if cut > lo {
                    visit(Event::Shift { buffer: k, drop: cut.saturating_sub(lo), keep: hi.saturating_sub(cut) })?;
                }
                let lo = first.max(lo);
                *self.held.get_mut(k).ok_or(Error::Internal)? = (lo, fresh.end);
                let most = self.most.get_mut(k).ok_or(Error::Internal)?;
                *most = (*most).max(fresh.end.saturating_sub(lo));
                lo
            } else {
                0
            };
            visit(Event::Compute { stage: k, rows: fresh.clone(), span, in_first, out_first, skip_first })?;
            *self.done.get_mut(k).ok_or(Error::Internal)? = fresh.end;
        }
        Ok(())
    }

    /// Runs every step.
    pub fn run(&mut self, visit: &mut impl FnMut(Event) -> Result<()>) -> Result<()> {
        for row in 0..self.steps() {
            self.step(row, visit)?;
        }
        Ok(())
    }

    /// Rows each row buffer must hold (stage `k`'s output, `k` < last), after [`run`].
    ///
    /// [`run`]: Stream::run
    pub fn capacity(&self, k: usize) -> usize {
        self.most.get(k).copied().unwrap_or(0)
    }
}

/// What the planner needs of a segment's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Bytes of the row buffer after each stage but the last.
    pub row_bytes: [usize; MAX_STAGES],
    /// How far before the segment input the segment output may start when both share bytes
    /// (an overlap distance, at least 0: step 0 reads the input's first row): every output byte is
    /// written after the last read of the input bytes it covers. Stage 0 reads the input
    /// before the last stage writes in each step, so the output rows of steps before `t` may
    /// cover the input rows below the first row step `t` reads.
    pub lead: i64,
}

/// The row-buffer sizes and the output lead of a segment of `stages`.
///
/// Found without replaying the stream when no stage reads an earlier stage's output (a
/// [`Skip::Stage`]): every stage then computes rows only for the next one, in order, so what
/// each step computes follows from the window spans alone. Step `t` computes the rows of
/// each stage that the rows of the next stage up to its step `t` ones read (the last stage:
/// row `t`). A stage's output row `r` is computed while its *first reader* (the next stage's
/// first row whose window reaches `r`) is, and the row buffer then holds from that reader's
/// first input row (or `r`) to `r`; so a row buffer's most rows are the longest window of a
/// first reader. The stage-0 rows a step computes read the input from the first of them on.
/// With a skip across stages the stream is replayed ([`replayed_sizes`]); both agree.
pub fn sizes(stages: &[Stage]) -> Result<Sizes> {
    // The stream's checks of the chain.
    Stream::new(stages)?;
    if stages.iter().any(|st| matches!(st.skip, Skip::Stage(_))) {
        return replayed_sizes(stages);
    }
    let (first, last) = (stages.first().ok_or(Error::InvalidArgument)?, stages.last().ok_or(Error::InvalidArgument)?);
    let mut cursors = [Cursor::default(); MAX_STAGES];
    for (cursor, stage) in cursors.iter_mut().zip(stages) {
        cursor.walk = Walk::new(&stage.rows);
    }
    let cursors = cursors.get_mut(1..stages.len()).ok_or(Error::InvalidArgument)?;
    // Rows each row buffer holds at most (stage k's output, k < last).
    let mut most = [0usize; MAX_STAGES];
    let big = |v: usize| i64::try_from(v).map_err(|_| Error::TooLarge);
    let (in_row, out_row) = (big(first.in_row_bytes)?, big(last.out_row_bytes)?);
    let mut lead = i64::MIN;
    let first_rows = Walk::new(&first.rows);
    // Stage-0 rows computed before the current step.
    let mut done = 0;
    for t in 0..last.rows.output {
        // Rows each stage has computed after step t, from the last stage down.
        let mut rows = t.saturating_add(1);
        for (cursor, held) in cursors.iter_mut().zip(most.iter_mut()).rev() {
            rows = cursor.pull(rows, held);
        }
        if rows > done {
            let written = big(t)?.checked_mul(out_row).ok_or(Error::TooLarge)?;
            let read_from = big(first_rows.reads_at(done).0)?.checked_mul(in_row).ok_or(Error::TooLarge)?;
            lead = lead.max(written.checked_sub(read_from).ok_or(Error::TooLarge)?);
            done = rows;
        }
    }
    let all_in = big(first.rows.input)?.checked_mul(in_row).ok_or(Error::TooLarge)?;
    let all_out = big(last.rows.output)?.checked_mul(out_row).ok_or(Error::TooLarge)?;
    lead = lead.max(all_out.checked_sub(all_in).ok_or(Error::TooLarge)?);
    let mut row_bytes = [0; MAX_STAGES];
    for ((slot, stage), &rows) in row_bytes.iter_mut().zip(stages).zip(&most).take(cursors.len()) {
        *slot = rows.checked_mul(stage.out_row_bytes).ok_or(Error::TooLarge)?;
    }
    Ok(Sizes { row_bytes, lead })
}

/// The input rows an axis's windows read, output row by output row from row 0: what
/// [`Axis::span`] gives for one row, stepped by additions.
#[derive(Clone, Copy, Debug, Default)]
struct Walk {
    /// The current window's first position (padding included) and its extent.
    first: usize,
    reach: usize,
    stride: usize,
    /// The image's positions (padding included): `[lo, hi)`.
    lo: usize,
    hi: usize,
}

impl Walk {
    fn new(rows: &Axis) -> Walk {
        let lo = rows.pad_before;
        Walk { first: 0, reach: rows.walked(1), stride: rows.stride, lo, hi: lo.saturating_add(rows.input) }
    }

    /// The input rows `[start, end)` the current window reads (`Axis::span(..).range`).
    fn reads(&self) -> (usize, usize) {
        self.clip(self.first)
    }

    /// The input rows output row `row` reads.
    fn reads_at(&self, row: usize) -> (usize, usize) {
        self.clip(row.saturating_mul(self.stride))
    }

    fn clip(&self, first: usize) -> (usize, usize) {
        let start = first.max(self.lo).min(self.hi);
        let stop = first.saturating_add(self.reach).max(start).min(self.hi);
        (start.saturating_sub(self.lo), stop.saturating_sub(self.lo))
    }

    /// On to the next output row.
    fn advance(&mut self) {
        self.first = self.first.saturating_add(self.stride);
    }
}

/// The rows a stage (not the first) has computed, and the rows of its input they read.
#[derive(Clone, Copy, Debug, Default)]
struct Cursor {
    /// At the next row to compute.
    walk: Walk,
    row: usize,
    /// Input rows read so far: `0..needed` (every window end; the ends grow with the row).
    needed: usize,
}

impl Cursor {
    /// Computes the rows up to `rows` (exclusive); returns the input rows they read, and raises
    /// `held` to the longest window among them that first reads an input row (the rows the
    /// input's row buffer holds while computing that row).
    fn pull(&mut self, rows: usize, held: &mut usize) -> usize {
        while self.row < rows {
            let (start, end) = self.walk.reads();
            // A window of padding only reads nothing (the stream pulls nothing for it).
            if start < end && end > self.needed {
                *held = (*held).max(end.saturating_sub(start));
                self.needed = end;
            }
            self.walk.advance();
            self.row = self.row.saturating_add(1);
        }
        self.needed
    }
}

/// [`sizes`] by replaying the stream step by step.
fn replayed_sizes(stages: &[Stage]) -> Result<Sizes> {
    let mut s = Stream::new(stages)?;
    let (first, last) = (stages.first().ok_or(Error::InvalidArgument)?, stages.last().ok_or(Error::InvalidArgument)?);
    let big = |v: usize| i64::try_from(v).map_err(|_| Error::TooLarge);
    let (in_row, out_row) = (big(first.in_row_bytes)?, big(last.out_row_bytes)?);
    let mut lead = i64::MIN;
    for row in 0..s.steps() {
        let written = big(row)?.checked_mul(out_row).ok_or(Error::TooLarge)?;
        s.step(row, &mut |e| {
            if let Event::Compute { stage: 0, span, .. } = e {
                let read_from = big(span.range.0)?.checked_mul(in_row).ok_or(Error::TooLarge)?;
                lead = lead.max(written.checked_sub(read_from).ok_or(Error::TooLarge)?);
            }
            Ok(())
        })?;
    }
    let all_in = big(first.rows.input)?.checked_mul(in_row).ok_or(Error::TooLarge)?;
    let all_out = big(last.rows.output)?.checked_mul(out_row).ok_or(Error::TooLarge)?;
    lead = lead.max(all_out.checked_sub(all_in).ok_or(Error::TooLarge)?);
    let mut row_bytes = [0; MAX_STAGES];
    for (k, (slot, stage)) in row_bytes.iter_mut().zip(stages).enumerate() {
        if k.checked_add(1) < Some(stages.len()) {
            *slot = s.capacity(k).checked_mul(stage.out_row_bytes).ok_or(Error::TooLarge)?;
        }
    }
    Ok(Sizes { row_bytes, lead })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::geometry::Padding;

    fn conv(input: usize, k: usize, s: usize) -> Stage {
        let out = crate::geometry::out_size(Padding::Same, input, k, s, 1).unwrap();
        Stage {
            rows: Axis::tflm(Padding::Same, input, k, s, 1, out).unwrap(),
            in_row_bytes: 10,
            out_row_bytes: 10,
            skip: Skip::None,
        }
    }

    /// Replays a stream on row ids and checks that every computed row reads exactly the rows
    /// it needs from what the buffers hold, and that every row is computed once.
    #[test]
    fn every_row_once_from_held_rows() {
        let skip = |k| Stage { skip: k, ..Stage::map(6, 10, 10) };
        let chains: [&[Stage]; 6] = [
            &[conv(11, 3, 2), conv(6, 3, 1), Stage::map(6, 10, 10), conv(6, 3, 2)],
            &[conv(8, 1, 1)],
            &[conv(9, 5, 1), conv(9, 3, 2), conv(5, 3, 2)],
            &[Stage::map(7, 10, 10), conv(7, 3, 1)],
            // Residual blocks: the skip from a stage's output, and from the segment input.
            &[conv(11, 3, 2), conv(6, 3, 1), conv(6, 5, 1), skip(Skip::Stage(0)), conv(6, 3, 2)],
            &[conv(6, 3, 1), conv(6, 1, 1), skip(Skip::SegmentInput)],
        ];
        for stages in chains {
            let n = stages.len();
            // Contents of each row buffer: image row ids.
            let mut bufs: Vec<Vec<usize>> = vec![Vec::new(); n];
            let mut done: Vec<Vec<usize>> = vec![Vec::new(); n];
            let mut s = Stream::new(stages).unwrap();
            s.run(&mut |e| {
                match e {
                    Event::Shift { buffer, drop, keep } => {
                        let b = &mut bufs[buffer];
                        assert!(drop + keep <= b.len());
                        b.drain(..drop);
                        b.truncate(keep);
                    }
                    Event::Compute { stage, rows, span, in_first, out_first, skip_first } => {
                        if let Skip::Stage(j) = stages[stage].skip {
                            for r in rows.clone() {
                                assert_eq!(bufs[j][r - skip_first], r, "stage {stage} reads skip row {r}");
                            }
                        }
                        if stage > 0 {
                            let b = &bufs[stage - 1];
                            for r in span.range.0..span.range.1 {
                                assert_eq!(b[r - in_first], r, "stage {stage} reads row {r}");
                            }
                        }
                        if stage + 1 < n {
                            let b = &mut bufs[stage];
                            assert_eq!(b.len(), rows.start - out_first);
                            b.extend(rows.clone());
                        }
                        done[stage].extend(rows);
                    }
                }
                Ok(())
            })
            .unwrap();
            for (k, d) in done.iter().enumerate() {
                let want: Vec<usize> = (0..stages[k].rows.output).collect();
                // Rows no later stage reads are never computed (a stride skipping them).
                assert!(d.windows(2).all(|w| w[0] < w[1]), "stage {k} computes a row twice");
                if k + 1 == n {
                    assert_eq!(d, &want);
                }
            }
            for (k, stage) in stages.iter().enumerate().take(n - 1) {
                assert!(s.capacity(k) <= stage.rows.output);
                assert!(s.capacity(k) >= 1);
            }
        }
    }

    /// Without skips across stages, the sizes found from the spans equal the replayed ones, on
    /// random chains: kernels, strides, dilations, paddings (also beyond the window), outputs
    /// larger or smaller than the input allows, same-shape maps (some adding the segment input).
    #[test]
    fn sizes_from_spans_equal_the_replay() {
        let mut rng = crate::test_rng::XorShift::new(0x5DEE_CE66_D1CE_4E5B);
        let mut next = move |n: u64| rng.below(n) as usize;
        for _ in 0..if cfg!(miri) { 50 } else { 20_000 } {
            let n = 1 + next(MAX_STAGES as u64);
            let (mut rows, mut row_bytes) = (1 + next(40), 1 + next(20));
            let (first_rows, first_bytes) = (rows, row_bytes);
            let mut stages = Vec::new();
            for _ in 0..n {
                let out_bytes = 1 + next(20);
                let stage = if next(4) == 0 {
                    let mut map = Stage::map(rows, row_bytes, row_bytes);
                    if rows == first_rows && row_bytes == first_bytes && next(2) == 0 {
                        map.skip = Skip::SegmentInput;
                    }
                    map
                } else {
                    let axis = Axis {
                        input: rows,
                        output: 1 + next(40),
                        kernel: 1 + next(5),
                        stride: 1 + next(3),
                        dilation: 1 + next(2),
                        pad_before: next(5),
                        pad_after: 0,
                    };
                    Stage { rows: axis, in_row_bytes: row_bytes, out_row_bytes: out_bytes, skip: Skip::None }
                };
                (rows, row_bytes) = (stage.rows.output, stage.out_row_bytes);
                stages.push(stage);
            }
            assert_eq!(sizes(&stages).unwrap(), replayed_sizes(&stages).unwrap(), "{stages:?}");
        }
    }

    #[test]
    fn three_tap_windows_hold_three_rows() {
        let stages = [conv(8, 3, 1), conv(8, 3, 1)];
        assert_eq!(sizes(&stages).unwrap().row_bytes[..2], [3 * 10, 0]);
        // A 3-tap stride-2 window after it needs 3 rows per step as well.
        let stages = [conv(8, 3, 1), conv(8, 3, 2)];
        assert_eq!(sizes(&stages).unwrap().row_bytes[0], 3 * 10);
    }

    /// The output may share the input's bytes as far as the reads stay ahead of the writes.
    #[test]
    fn output_lead() {
        // Row t of the input is read before row t of the output is written: same bytes.
        assert_eq!(sizes(&[Stage::map(4, 10, 10), Stage::map(4, 10, 10)]).unwrap().lead, 0);
        assert_eq!(sizes(&[conv(8, 3, 1), conv(8, 3, 1)]).unwrap().lead, 0);
        // Output rows twice as wide as input rows: written faster than read.
        let wide = [Stage::map(4, 10, 10), Stage::map(4, 10, 20)];
        assert_eq!(sizes(&wide).unwrap().lead, 40);
        // Stride 2 halves the rows: the output falls behind the reads, the same start is safe.
        let s2 = [conv(8, 3, 1), conv(8, 3, 2)];
        assert_eq!(sizes(&s2).unwrap().lead, 0);
    }
}
