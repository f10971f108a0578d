//! Step 1b of planning: fused segments, the patch-based part of the plan.
//!
//! A segment is a chain of consecutive operators that can run row by row (`crate::tiling`):
//! sliding windows and same-shape int8 maps on batch-1 NHWC images, each reading the previous
//! one's output, which nothing outside the segment reads. A residual ADD joins too: its second
//! input (the skip) is the segment's input or an earlier member's output, whose row buffer then
//! also keeps the rows the ADD has yet to read. Inside a segment the intermediate tensors
//! never exist whole: each is a row buffer holding the rows the next operator still needs
//! (halos cached, so no MAC is repeated). The segment's input and output stay whole tensors;
//! the output may share the input's bytes as far as the rows read stay ahead of the rows
//! written ([`tiling::Sizes::lead`]).
//!
//! The choice is greedy on the per-operator footprint: while the operator with the largest
//! footprint lies in a chain not yet fused, try every sub-chain through it and keep the one
//! that lowers the peak most. A plan without segments is what remains when none helps.

use super::graph::root;
use super::place::{each_footprint, footprints, Pos};
use super::{BufferInfo, EXACT, NEVER, NO_BUFFER};
use crate::error::{Error, Result};
use crate::ops;
use crate::runplan::OpRun;
use crate::schema::{DType, Model};
use crate::slices::entry;
use crate::tiling::{self, Stage, MAX_STAGES};
use crate::variants::{self, VariantId};

/// Most segments in one plan.
const MAX_SEGMENTS: usize = 8;

/// One operator as a segment stage.
#[derive(Clone, Copy, Debug, Default)]
struct Member {
    op: usize,
    stage: Stage,
    /// The variant that computes its rows (the plan's choice when it can).
    variant: u8,
    scratch: u32,
    /// Alias roots of the tensor it reads (from the previous member) and the tensor it writes.
    input: usize,
    output: usize,
    /// A residual ADD's other input (its tensor index, as the operator reads it), if any.
    input2: Option<usize>,
    /// The tensor index input 0 reads (a segment's input as its first member reads it).
    raw_input: usize,
}

/// Operator `o` as a segment stage, if it can be one.
fn member(model: &Model<'_>, info: &[BufferInfo], op_plan: &[u16], o: usize) -> Result<Option<Member>> {
    let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
    // Not in a segment already (with the stream bit, or last after one that has it).
    let prev_streams =
        neighbour(op_plan, o, false).and_then(|p| op_plan.get(p)).is_some_and(|&h| OpRun::from_bits(h).streams());
    if run.is_skip() || run.streams() || prev_streams {
        return Ok(None);
    }
    let spec = ops::prepare(model, o, run.fused_pad(o))?;
    let chosen = run.variant().and_then(VariantId::from_u8).and_then(variants::get).filter(|v| v.rows.is_some());
    let Some(v) = chosen.or_else(|| variants::candidates(&spec).find(|v| v.rows.is_some())) else { return Ok(None) };
    let (x, x2) = match spec.inputs {
        [Some(x), None] => (x, None),
        // A same-shape ADD of two activations: a residual connection.
        [Some(a), Some(b)] if matches!(spec.params, ops::Params::Add(_)) => (a, Some(b)),
        _ => return Ok(None),
    };
    let (xt, yt) = (model.tensor(x)?, model.tensor(spec.output)?);
    let (Some(xd), Some(yd)) = (xt.shape.nhwc(), yt.shape.nhwc()) else { return Ok(None) };
    // int8 throughout, but for a QUANTIZE of a float image (a float model input).
    let float_in = matches!(spec.params, ops::Params::Quantize(..)) && xt.dtype == DType::F32;
    if (xt.dtype != DType::I8 && !float_in) || yt.dtype != DType::I8 || xd.n != 1 || yd.n != 1 {
        return Ok(None);
    }
    if let Some(b) = x2 {
        let bt = model.tensor(b)?;
        if bt.dtype != DType::I8 || bt.shape.nhwc() != Some(yd) || xd != yd || bt.data.is_some() {
            return Ok(None);
        }
    }
    let Some(stage) = Stage::of(&spec, xd, yd) else { return Ok(None) };
    let scratch = u32::try_from((v.scratch)(&spec)?).map_err(|_| Error::TooLarge)?;
    let (input, output) = (root(info, x), root(info, spec.output));
    Ok(Some(Member { op: o, stage, variant: v.id as u8, scratch, input, output, input2: x2, raw_input: x }))
}

/// Makes `b`'s chain input the one `a` writes (a residual ADD reads it as either operand).
fn orient(a: &Member, b: &mut Member) {
    if b.input2 == Some(a.output) {
        if let Some(other) = b.input2.replace(b.input) {
            b.input = other;
        }
    }
}

/// True when `b` can follow `a` in a segment: `b` reads what `a` writes, which is not a graph
/// output or state and lives from `a` on (whether only members read it is checked per
/// segment, in [`apply`]).
fn links(info: &[BufferInfo], a: &Member, b: &Member) -> bool {
    let t = a.output;
    a.output == b.input
        && info.get(t).is_some_and(|i| {
            i.size > 0 && i.alias as usize == t && usize::from(i.first) == a.op && usize::from(i.last) >= b.op
        })
        && a.stage.rows.output == b.stage.rows.input
        && a.stage.out_row_bytes == b.stage.in_row_bytes
}

/// The running operator after (or before) `o`, skipping operators that do not run.
fn neighbour(op_plan: &[u16], o: usize, forward: bool) -> Option<usize> {
    let mut k = o;
    loop {
        k = if forward { k.checked_add(1)? } else { k.checked_sub(1)? };
        if !OpRun::from_bits(*op_plan.get(k)?).is_skip() {
            return Some(k);
        }
    }
}

/// Buffer records changed by a trial segment, to put back.
struct Saved {
    n: usize,
    slots: [(usize, BufferInfo); 2 * MAX_STAGES + 2],
}

impl Saved {
    fn new() -> Saved {
        Saved { n: 0, slots: [(0, BufferInfo::default()); 2 * MAX_STAGES + 2] }
    }
    fn keep(&mut self, info: &[BufferInfo], b: usize) -> Result<()> {
        let old = *info.get(b).ok_or(Error::Internal)?;
        *self.slots.get_mut(self.n).ok_or(Error::Internal)? = (b, old);
        self.n = self.n.checked_add(1).ok_or(Error::Internal)?;
        Ok(())
    }
    fn restore(&mut self, info: &mut [BufferInfo]) -> Result<()> {
        while let Some(k) = self.n.checked_sub(1) {
            let (b, old) = *self.slots.get(k).ok_or(Error::Internal)?;
            *entry(info, b)? = old;
            self.n = k;
        }
        Ok(())
    }
}

/// Rewrites `info` for the segment `members` (2..=[`MAX_STAGES`] linked stages), recording
/// what it changes in `saved`. False (and nothing changed) for a segment in which an
/// operator never runs: an output that reads only padding rows of its input.
fn apply(info: &mut [BufferInfo], nt: usize, members: &[Member], saved: &mut Saved) -> Result<bool> {
    let (Some(first), Some(last)) = (members.first(), members.last()) else { return Err(Error::Internal) };
    // Every tensor written inside is read only inside (a skip may be read later than by the
    // next member); a residual ADD's skip is the segment input or an earlier member's output.
    let inner_end = members.len().saturating_sub(1);
    if first.input2.is_some()
        || members.iter().take(inner_end).any(|m| info.get(m.output).is_none_or(|i| usize::from(i.last) > last.op))
    {
        return Ok(false);
    }
    let mut outputs = [0usize; MAX_STAGES];
    for (slot, m) in outputs.iter_mut().zip(members) {
        *slot = m.output;
    }
    let mut stages = [Stage::default(); MAX_STAGES];
    for (k, (s, m)) in stages.iter_mut().zip(members).enumerate() {
        *s = m.stage;
        if let Some(other) = m.input2 {
            // Tensor indices as the executor sees them (inner outputs are their own roots).
            match tiling::skip_of(first.raw_input, outputs.get(..k).unwrap_or(&[]), k, other) {
                Some(skip) => s.skip = skip,
                None => return Ok(false),
            }
        }
    }
    let sizes = tiling::sizes(stages.get(..members.len()).ok_or(Error::Internal)?)?;
    let inner = members.len().saturating_sub(1);
    if sizes.row_bytes.iter().take(inner).any(|&b| b == 0) {
        return Ok(false);
    }
    let (s, e) =
        (u16::try_from(first.op).map_err(|_| Error::TooLarge)?, u16::try_from(last.op).map_err(|_| Error::TooLarge)?);
    let (x, y) = (first.input, last.output);
    // An input without arena bytes (external) has nothing to overlap.
    let x_dies_here = info.get(x).is_some_and(|b| usize::from(b.last) == first.op && b.size > 0);
    for (m, &bytes) in members.iter().zip(&sizes.row_bytes).take(members.len().saturating_sub(1)) {
        saved.keep(info, m.output)?;
        let size = u32::try_from(bytes).map_err(|_| Error::TooLarge)?;
        *entry(info, m.output)? =
            BufferInfo { size, first: s, last: e, alias: m.output as u16, ..BufferInfo::default() };
    }
    for m in members {
        let b = nt.checked_add(m.op).ok_or(Error::Internal)?;
        saved.keep(info, b)?;
        *entry(info, b)? = BufferInfo { size: m.scratch, first: s, last: e, alias: b as u16, ..BufferInfo::default() };
    }
    saved.keep(info, x)?;
    let xb = entry(info, x)?;
    xb.last = xb.last.max(e);
    saved.keep(info, y)?;
    let yb = entry(info, y)?;
    yb.first = s;
    (yb.partner, yb.forward, yb.backward) = (NO_BUFFER, NEVER, NEVER);
    if x_dies_here && x != y {
        // Clamped away from the sentinels, like every overlap distance.
        let lead = sizes.lead.max(i64::from(EXACT).saturating_add(1)).min(i64::from(NEVER).saturating_sub(1));
        (yb.partner, yb.forward) = (x as u16, lead as i32);
    }
    Ok(true)
}

/// The operator with the largest footprint (the first of equals), and that footprint.
fn peak(info: &[BufferInfo], nops: usize) -> (usize, Pos) {
    let mut best = (0, Pos::default());
    each_footprint(info, 0..nops, |o, f| {
        if f > best.1 {
            best = (o, f);
        }
    });
    best
}

/// The sum of the footprints of operators `s..=e`.
fn sum_footprints(info: &[BufferInfo], s: usize, e: usize) -> Pos {
    let mut sum = Pos::default();
    each_footprint(info, s..e.saturating_add(1), |_, f| sum += f);
    sum
}

/// Operators (running or not) a chain's hull may span for [`Hull`]; longer hulls take the
/// full recomputation.
const HULL: usize = 4 * MAX_STAGES;

/// Footprints around a chain before its trials: those of the operators of the chain's hull
/// `lo..lo + n`, and the largest outside it. A trial segment from operator `s` to `e` changes
/// only buffers whose contribution to a footprint is confined to `s..=e` ([`apply`]: row
/// buffers and scratch live exactly there, the segment's input gains life only up to `e`, its
/// output is born at `s` instead of `e`, and its partner input dies by `e`), so the peak after
/// a trial is the largest of the unchanged footprints and those recomputed inside `s..=e`.
struct Hull {
    lo: usize,
    n: usize,
    fp: [Pos; HULL],
    outside: Pos,
}

impl Hull {
    fn new(info: &[BufferInfo], nops: usize, lo: usize, hi: usize) -> Option<Hull> {
        let n = hi.checked_sub(lo)?.checked_add(1).filter(|&n| n <= HULL)?;
        let mut h = Hull { lo, n, fp: [Pos::default(); HULL], outside: Pos::default() };
        footprints(info, lo, h.fp.get_mut(..n)?);
        let hi = lo.saturating_add(n);
        let mut outside = Pos::default();
        each_footprint(info, 0..lo.min(nops), |_, f| outside = outside.max(f));
        each_footprint(info, hi..nops, |_, f| outside = outside.max(f));
        h.outside = outside;
        Some(h)
    }

    /// The largest footprint outside operators `s..=e`: a trial over them leaves it as it is.
    fn outside_of(&self, s: usize, e: usize) -> Pos {
        let mut m = self.outside;
        for (k, &f) in self.fp.iter().enumerate().take(self.n) {
            if !(s..=e).contains(&self.lo.saturating_add(k)) {
                m = m.max(f);
            }
        }
        m
    }

    /// The peak footprint after a trial segment over operators `s..=e` (inside the hull), and
    /// the sum of the hull's footprints (the tie-break between trials of equal peak).
    fn peak(&self, info: &[BufferInfo], s: usize, e: usize) -> (Pos, Pos) {
        // The trial's operators, recomputed (s..=e lies inside the hull).
        let mut trial = [Pos::default(); HULL];
        let len = e.saturating_sub(s).saturating_add(1).min(HULL);
        if let Some(t) = trial.get_mut(..len) {
            footprints(info, s, t);
        }
        let (mut m, mut sum) = (self.outside, Pos::default());
        for (k, &f) in self.fp.iter().enumerate().take(self.n) {
            let o = self.lo.saturating_add(k);
            let f = match o.checked_sub(s).filter(|_| o <= e) {
                Some(t) => trial.get(t).copied().unwrap_or(f),
                None => f,
            };
            (m, sum) = (m.max(f), sum + f);
        }
        (m, sum)
    }
}

/// The chain of linkable stages around running operator `p`: at most `MAX_STAGES - 1` on each
/// side. Returns the members and the index of `p` among them.
fn chain_around(
    model: &Model<'_>,
    info: &[BufferInfo],
    op_plan: &[u16],
    p: usize,
    out: &mut [Member; 2 * MAX_STAGES - 1],
) -> Result<(usize, usize)> {
    let Some(center) = member(model, info, op_plan, p)? else { return Ok((0, 0)) };
    // Walk back, filling from the middle slot down.
    let mid = MAX_STAGES - 1;
    *out.get_mut(mid).ok_or(Error::Internal)? = center;
    let (mut lo, mut cur) = (mid, center);
    while let Some(lo1) = lo.checked_sub(1) {
        let Some(prev) = neighbour(op_plan, cur.op, false) else { break };
        let Some(m) = member(model, info, op_plan, prev)? else { break };
        orient(&m, &mut cur);
        if !links(info, &m, &cur) {
            break;
        }
        *out.get_mut(lo).ok_or(Error::Internal)? = cur;
        *out.get_mut(lo1).ok_or(Error::Internal)? = m;
        (lo, cur) = (lo1, m);
    }
    let (mut hi, mut cur) = (mid, center);
    while hi.checked_add(1).is_some_and(|h| h < out.len()) {
        let Some(next) = neighbour(op_plan, cur.op, true) else { break };
        let Some(mut m) = member(model, info, op_plan, next)? else { break };
        orient(&cur, &mut m);
        if !links(info, &cur, &m) {
            break;
        }
        hi = hi.saturating_add(1);
        *out.get_mut(hi).ok_or(Error::Internal)? = m;
        cur = m;
    }
    // Move the chain to the front.
    for k in 0..=hi.saturating_sub(lo) {
        let m = *out.get(lo.saturating_add(k)).ok_or(Error::Internal)?;
        *out.get_mut(k).ok_or(Error::Internal)? = m;
    }
    Ok((hi.saturating_sub(lo).saturating_add(1), mid.saturating_sub(lo)))
}

/// Marks segment `seg` in `op_plan`: its variants, and the stream bit on all but the last.
fn mark(op_plan: &mut [u16], seg: &[Member]) -> Result<()> {
    let last = seg.len().saturating_sub(1);
    for (k, m) in seg.iter().enumerate() {
        let run = OpRun::from_bits(*op_plan.get(m.op).ok_or(Error::Internal)?).with_variant(m.variant);
        let run = if k < last { run.with_stream() } else { run };
        *entry(op_plan, m.op)? = run.to_bits();
    }
    Ok(())
}

/// Fuses every chain, from its first operator, in segments of up to [`MAX_STAGES`]
/// operators, whatever the memory (`Options::patch_all`: tests and measurements).
fn fuse_all(model: &Model<'_>, info: &mut [BufferInfo], op_plan: &mut [u16]) -> Result<bool> {
    let nt = model.num_tensors();
    let mut fused = false;
    let mut chain = [Member::default(); 2 * MAX_STAGES - 1];
    let mut saved = Saved::new();
    for o in 0..model.num_operators() {
        let (len, at) = chain_around(model, info, op_plan, o, &mut chain)?;
        let seg = chain.get(at..len.min(at.saturating_add(MAX_STAGES))).ok_or(Error::Internal)?;
        if seg.len() >= 2 && apply(info, nt, seg, &mut saved)? {
            saved.n = 0;
            mark(op_plan, seg)?;
            fused = true;
        }
    }
    Ok(fused)
}

/// Fuses segments where they lower the peak footprint (every chain with `all`); marks their
/// operators in `op_plan`. Returns the peak footprint before fusing (the layer plan's lower
/// bound) when it fused anything: a placement of the fused plan above it cannot beat the
/// layer plan, and the caller plans again without segments.
pub fn fuse(model: &Model<'_>, info: &mut [BufferInfo], op_plan: &mut [u16], all: bool) -> Result<Option<Pos>> {
    let (nt, nops) = (model.num_tensors(), model.num_operators());
    let (_, layer_peak) = peak(info, nops);
    if all {
        return Ok(fuse_all(model, info, op_plan)?.then_some(layer_peak));
    }
    let mut fused = false;
    let mut chain = [Member::default(); 2 * MAX_STAGES - 1];
    let mut saved = Saved::new();
    for _ in 0..MAX_SEGMENTS {
        let (p, before) = peak(info, nops);
        let (len, at) = chain_around(model, info, op_plan, p, &mut chain)?;
        let members = chain.get(..len).ok_or(Error::Internal)?;
        let hull = match (members.first(), members.last()) {
            (Some(a), Some(b)) => Hull::new(info, nops, a.op, b.op),
            _ => None,
        };
        // Every sub-chain of 2..=MAX_STAGES stages through `p`.
        let mut best: Option<(usize, usize, (Pos, Pos))> = None;
        for i in 0..=at {
            for j in at.max(i.saturating_add(1))..len.min(i.saturating_add(MAX_STAGES)) {
                let seg = members.get(i..=j).ok_or(Error::Internal)?;
                let (s, e) = (seg.first().map_or(0, |m| m.op), seg.last().map_or(0, |m| m.op));
                // The footprints outside the trial do not change: when they alone reach the
                // peak before, or the best trial's peak, this trial cannot win (skipping it
                // saves sizing its rows, most of the planning time).
                if let Some(h) = &hull {
                    let floor = h.outside_of(s, e);
                    if floor >= before || best.is_some_and(|(_, _, b)| floor > b.0) {
                        continue;
                    }
                }
                if !apply(info, nt, seg, &mut saved)? {
                    continue;
                }
                // The peak after the trial; between equal peaks, the trial that lowers the
                // footprints around it most (a longer segment that keeps a later tensor from
                // existing whole, rather than a shorter one that would block it).
                let after = match &hull {
                    Some(h) => h.peak(info, s, e),
                    None => (peak(info, nops).1, sum_footprints(info, s, e)),
                };
                // Debug builds (the tests) check the shortcut against the full recomputation.
                if cfg!(debug_assertions) && after.0 != peak(info, nops).1 {
                    return Err(Error::Internal);
                }
                saved.restore(info)?;
                if after.0 < before && best.is_none_or(|(_, _, b)| after < b) {
                    best = Some((i, j, after));
                }
            }
        }
        let Some((i, j, _)) = best else { break };
        let seg = members.get(i..=j).ok_or(Error::Internal)?;
        if !apply(info, nt, seg, &mut saved)? {
            return Err(Error::Internal);
        }
        saved.n = 0;
        mark(op_plan, seg)?;
        fused = true;
    }
    Ok(fused.then_some(layer_peak))
}
