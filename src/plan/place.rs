//! Step 2 of planning: offsets for every buffer.
//!
//! Two placers:
//! - **greedy** (TFLM's scheme): largest buffer first, each at the lowest offset free of every
//!   buffer whose lifetime overlaps. Ignores overlap permissions; always succeeds.
//! - **budgeted search**: for a budget `M`, buffers are placed in birth order (graph inputs,
//!   then each operator's outputs and scratch in schedule order), each at one of a few
//!   candidate offsets — tight against its dying input walking forward, tight walking
//!   backward, lowest free, highest free — with backtracking when a later buffer no longer
//!   fits. Alternating forward (output below the input) and backward (output above) lets a
//!   chain of layers reuse the same bytes without drifting. The smallest feasible `M` is found
//!   from the lower bound (the largest per-operator footprint) upward.
//!
//! Memory: only the work tables (see [`super::Work`]); nothing is allocated.

use super::{BufferInfo, Options, PlanSummary, Work, BUFFER_ALIGN, EXACT, NEVER, NO_BUFFER, NO_OFFSET};
use crate::error::{Error, Result};
use crate::slices::entry;
use core::num::Saturating;

/// A byte position or length, saturating (see the arithmetic note in [`super`]).
pub(super) type Pos = Saturating<i64>;

const ALIGN: Pos = Saturating(BUFFER_ALIGN as i64);

/// The sliding distance of "no sliding" (NEVER, EXACT): far beyond any arena.
const FAR: Pos = Saturating(i64::MAX / 4);

fn pos(v: impl Into<i64>) -> Pos {
    Saturating(v.into())
}

fn align_down(v: Pos) -> Pos {
    Saturating(v.0.div_euclid(ALIGN.0)) * ALIGN
}

fn align_up(v: Pos) -> Pos {
    let down = align_down(v);
    if down == v {
        down
    } else {
        down + ALIGN
    }
}

/// Rounds an overlap distance up to the buffer alignment (NEVER and EXACT: no sliding).
fn dist(d: i32) -> Pos {
    if d == NEVER || d == EXACT {
        FAR
    } else {
        align_up(pos(d))
    }
}

/// Bytes of buffer `b` (0 past the table).
fn size(info: &[BufferInfo], b: usize) -> Pos {
    pos(info.get(b).map_or(0, |i| i.size))
}

/// Placed offset of buffer `b`, if any.
fn offset(offsets: &[u32], b: usize) -> Option<Pos> {
    offsets.get(b).filter(|&&o| o != NO_OFFSET).map(|&o| pos(o))
}

/// Buffers that own bytes (not aliases, not empty).
fn owns_bytes(info: &[BufferInfo], i: usize) -> bool {
    info.get(i).is_some_and(|b| b.size > 0 && b.alias as usize == i)
}

/// The open interval of offsets of `b` forbidden by placed buffer `p`, if any.
fn forbidden(info: &[BufferInfo], offsets: &[u32], b: usize, p: usize) -> Option<(Pos, Pos)> {
    let (bi, pi, po) = (info.get(b)?, info.get(p)?, offset(offsets, p)?);
    if p == b || !bi.overlaps_in_time(pi) {
        return None;
    }
    let mut lo = po - pos(bi.size);
    let mut hi = po + pos(pi.size);
    if bi.partner as usize == p {
        // b is the output overlapping its dying input p.
        lo = lo.max(po - dist(bi.forward));
        hi = hi.min(po + dist(bi.backward));
    } else if pi.partner as usize == b {
        // p is the output and b its input, placed after it.
        lo = lo.max(po - dist(pi.backward));
        hi = hi.min(po + dist(pi.forward));
    }
    (lo < hi).then_some((lo, hi))
}

/// True when `b` at `x` and `p` form an exact in-place pair (same offset, permitted).
fn exact_pair(info: &[BufferInfo], offsets: &[u32], b: usize, p: usize, x: Pos) -> bool {
    let (Some(bi), Some(pi)) = (info.get(b), info.get(p)) else { return false };
    offset(offsets, p) == Some(x)
        && ((bi.partner as usize == p && bi.forward == EXACT) || (pi.partner as usize == b && pi.forward == EXACT))
}

/// A forbidden interval containing offset `x` for buffer `b`, among those of the `placed`
/// buffers (every buffer with an offset). Which one does not matter to the callers: each
/// moves past it, and every offset inside it is forbidden. (The cheap lifetime test comes
/// first: most placed buffers are dead by the time `b` is born.)
fn conflict(info: &[BufferInfo], offsets: &[u32], placed: &[u16], b: usize, x: Pos) -> Option<(Pos, Pos)> {
    let bi = info.get(b)?;
    placed
        .iter()
        .map(|&p| usize::from(p))
        .filter(|&p| p != b && info.get(p).is_some_and(|pi| bi.overlaps_in_time(pi)))
        .filter(|&p| !exact_pair(info, offsets, b, p, x))
        .filter_map(|p| forbidden(info, offsets, b, p))
        .find(|&(lo, hi)| lo < x && x < hi)
}

fn fits(info: &[BufferInfo], offsets: &[u32], placed: &[u16], b: usize, x: Pos, budget: Pos) -> bool {
    x >= pos(0) && align_down(x) == x && x + size(info, b) <= budget && conflict(info, offsets, placed, b, x).is_none()
}

/// Lowest feasible offset ≥ `from`.
fn lowest_fit(info: &[BufferInfo], offsets: &[u32], placed: &[u16], b: usize, from: Pos, budget: Pos) -> Option<Pos> {
    let mut x = align_up(from.max(pos(0)));
    loop {
        if x + size(info, b) > budget {
            return None;
        }
        match conflict(info, offsets, placed, b, x) {
            Some((_, hi)) => x = align_up(hi),
            None => return Some(x),
        }
    }
}

/// Highest feasible offset ≤ `from`.
fn highest_fit(info: &[BufferInfo], offsets: &[u32], placed: &[u16], b: usize, from: Pos) -> Option<Pos> {
    let mut x = align_down(from);
    loop {
        if x < pos(0) {
            return None;
        }
        match conflict(info, offsets, placed, b, x) {
            Some((lo, _)) => x = align_down(lo),
            None => return Some(x),
        }
    }
}

/// Candidate offsets for buffer `b` under `budget`, best first, each `None` when infeasible:
/// tight against its dying input walking forward and backward, lowest free, highest free.
fn candidates(info: &[BufferInfo], offsets: &[u32], placed: &[u16], b: usize, budget: Pos) -> [Option<Pos>; 4] {
    let Some(bi) = info.get(b) else { return [None; 4] };
    let fit = |x: Pos| fits(info, offsets, placed, b, x, budget).then_some(x);
    let mut tight = [None, None];
    if bi.partner != NO_BUFFER {
        if let Some(ao) = offset(offsets, bi.partner as usize) {
            let [fwd, bwd] =
                if bi.forward == EXACT { [ao, ao] } else { [ao - dist(bi.forward), ao + dist(bi.backward)] };
            tight = [fit(fwd), fit(bwd)];
        }
    }
    let [fwd, bwd] = tight;
    [
        fwd,
        bwd,
        lowest_fit(info, offsets, placed, b, pos(0), budget),
        highest_fit(info, offsets, placed, b, budget - pos(bi.size)),
    ]
}

/// The distinct candidates, in order.
fn distinct(c: &[Option<Pos>; 4]) -> impl Iterator<Item = Pos> + '_ {
    c.iter().enumerate().filter_map(|(k, &x)| x.filter(|&x| !c.iter().take(k).any(|&y| y == Some(x))))
}

/// TFLM-style greedy placement, ignoring overlap permissions. Returns the bytes used.
///
/// Buffers go largest first (ties: lowest index), each at the lowest aligned offset free of
/// every placed buffer live at the same time. `order` (at least one entry per buffer owning
/// bytes) is scratch: it receives that order, so each placement scans only the buffers placed
/// before it. The offset found is the lowest feasible one whatever order the placed buffers
/// are scanned in: every jump (to the aligned end of a buffer in the way) skips only
/// infeasible offsets.
fn greedy(info: &[BufferInfo], order: &mut [u16], offsets: &mut [u32]) -> Result<Pos> {
    offsets.fill(NO_OFFSET);
    let owners = (0..info.len()).filter(|&i| owns_bytes(info, i));
    let n = owners.zip(order.iter_mut()).map(|(i, slot)| *slot = i as u16).count();
    let order = order.get_mut(..n).ok_or(Error::Internal)?;
    sort_by_key(order, |b| {
        let b = usize::from(b);
        (core::cmp::Reverse(info.get(b).map_or(0, |i| i.size)), b)
    });
    let mut total = pos(0);
    for (k, &i) in order.iter().enumerate() {
        let i = usize::from(i);
        let placed = order.get(..k).unwrap_or(&[]);
        let bi = info.get(i).ok_or(Error::InvalidArgument)?;
        let size = pos(bi.size);
        // No overlap permission is used: place against plain lifetimes.
        let mut x = pos(0);
        'search: loop {
            for &p in placed {
                let p = usize::from(p);
                let (Some(pi), Some(&o)) = (info.get(p), offsets.get(p)) else { continue };
                if o == NO_OFFSET || !bi.overlaps_in_time(pi) {
                    continue;
                }
                let (s, e) = (pos(o), pos(o) + pos(pi.size));
                if x < e && s < x + size {
                    x = align_up(e);
                    continue 'search;
                }
            }
            break;
        }
        if x + size > pos(u32::MAX / 2) {
            return Err(Error::TooLarge);
        }
        // 0 ≤ x < u32::MAX / 2 (checked above).
        *entry(offsets, i)? = x.0 as u32;
        total = total.max(x + size);
    }
    Ok(total)
}

/// Sorts `v` by `key` in place (heapsort). Core's sort would do, but keeps internal bounds
/// checks the optimizer cannot remove, and with them panic paths in the firmware.
fn sort_by_key<K: Ord>(v: &mut [u16], key: impl Fn(u16) -> K) {
    // Moves `v[root]` down the max-heap `v[..end]` (end ≤ v.len()).
    let sift_down = |v: &mut [u16], mut root: usize, end: usize| {
        loop {
            // Children of `root` are 2·root + 1 and 2·root + 2 (no overflow: root < end ≤ len).
            let Some(left) = root.checked_mul(2).and_then(|c| c.checked_add(1)).filter(|&c| c < end) else { return };
            let right = left.checked_add(1).filter(|&c| c < end);
            let child = match (v.get(left), right.and_then(|r| v.get(r))) {
                (Some(&l), Some(&r)) if key(r) > key(l) => right.unwrap_or(left),
                _ => left,
            };
            match (v.get(root), v.get(child)) {
                (Some(&a), Some(&c)) if key(c) > key(a) => {
                    swap(v, root, child);
                    root = child;
                }
                _ => return,
            }
        }
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        swap(v, 0, end);
        sift_down(v, 0, end);
    }
}

/// `v.swap(a, b)` when both are in bounds (they always are in [`sort_by_key`]; the test lets
/// the compiler drop the panic path of `swap`).
fn swap(v: &mut [u16], a: usize, b: usize) {
    if a < v.len() && b < v.len() {
        v.swap(a, b);
    }
}

/// Fills `order` with the buffers that own bytes, in birth order; returns how many. A buffer
/// born at the same operator as an output it is the partner of (a graph input consumed by op
/// 0) comes first, so an output always finds its partner placed. `early` marks those.
fn birth_order(info: &[BufferInfo], order: &mut [u16], early: &mut [u8]) -> usize {
    early.fill(0);
    for b in info {
        if b.partner != NO_BUFFER {
            let a = b.partner as usize;
            if info.get(a).is_some_and(|pa| pa.first == b.first) {
                if let Some(e) = early.get_mut(a) {
                    *e = 1;
                }
            }
        }
    }
    let owners = (0..info.len()).filter(|&i| owns_bytes(info, i));
    let n = owners.zip(order.iter_mut()).map(|(i, slot)| *slot = i as u16).count();
    let (Some(order), early) = (order.get_mut(..n), &*early) else { return 0 };
    sort_by_key(order, |b| {
        let b = b as usize;
        (info.get(b).map_or(0, |i| i.first), early.get(b) != Some(&1), b)
    });
    n
}

/// Budgeted depth-first placement. True if everything fits in `budget` bytes.
fn search(work: &mut Work<'_>, offsets: &mut [u32], n: usize, budget: Pos, mut nodes: usize) -> bool {
    offsets.fill(NO_OFFSET);
    let (info, order, choice) = (&*work.info, &*work.order, &mut *work.choice);
    // `order[k]` and `choice[k]` for k < n (n ≤ both lengths: see `place`).
    let (Some(order), Some(choice)) = (order.get(..n), choice.get_mut(..n)) else { return false };
    let Some(first) = choice.first_mut() else { return true };
    *first = 0;
    let mut k = 0usize;
    while let (Some(&b), Some(&c)) = (order.get(k), choice.get(k)) {
        let Some(left) = nodes.checked_sub(1) else { return false };
        nodes = left;
        let b = b as usize;
        // The buffers before `b` in the order are exactly the placed ones.
        let placed = order.get(..k).unwrap_or(&[]);
        let cands = candidates(info, offsets, placed, b, budget);
        let pick = distinct(&cands).nth(c as usize);
        if let Some(x) = pick {
            // 0 ≤ x ≤ budget, and budgets stay below the greedy total (< u32::MAX / 2).
            if let Some(o) = offsets.get_mut(b) {
                *o = x.0 as u32;
            }
            // k < n: the next step (if any) starts from its first candidate.
            k = k.saturating_add(1);
            if let Some(next) = choice.get_mut(k) {
                *next = 0;
            }
        } else {
            // Backtrack: undo the previous placement and try its next candidate.
            let Some(prev) = k.checked_sub(1) else { return false };
            k = prev;
            if let (Some(&pb), Some(pc)) = (order.get(k), choice.get_mut(k)) {
                if let Some(o) = offsets.get_mut(pb as usize) {
                    *o = NO_OFFSET;
                }
                // At most 4 candidates: the counter stays tiny.
                *pc = pc.saturating_add(1);
            }
        }
    }
    true
}

/// Bytes spanned by an input of `sa` bytes and an output of `sb` bytes placed `x` bytes after
/// it (`x` negative: before it).
fn union_len(sa: Pos, sb: Pos, x: Pos) -> Pos {
    sa.max(x + sb) - x.min(pos(0))
}

/// Bytes an output saves beside its live partner input: their sizes' sum less their tightest
/// union.
fn partner_saving(info: &[BufferInfo], b: &BufferInfo) -> Pos {
    let (sa, sb) = (size(info, b.partner as usize), pos(b.size));
    let mut union = sa + sb;
    if b.forward == EXACT {
        union = sa.max(sb);
    } else if b.forward != NEVER {
        union = union.min(union_len(sa, sb, pos(0) - dist(b.forward)));
    }
    if b.backward != NEVER {
        union = union.min(union_len(sa, sb, dist(b.backward)));
    }
    sa + sb - union
}

/// Bytes live at operator `o`: every buffer live there, with an output and its partner input
/// counted as their tightest union while both are live (in a layer plan the partner dies where
/// the output is born; a fused segment's output and input share the whole segment). The
/// definition [`footprints`] computes for many operators at once (the tests compare them).
#[cfg(test)]
pub(super) fn footprint(info: &[BufferInfo], o: u16) -> Pos {
    let mut sum = pos(0);
    for (i, b) in info.iter().enumerate() {
        if b.first > o || b.last < o || !owns_bytes(info, i) {
            continue;
        }
        sum += pos(b.size);
        let partner_live = info.get(b.partner as usize).is_some_and(|a| a.first <= o && a.last >= o);
        if b.partner != NO_BUFFER && partner_live {
            sum -= partner_saving(info, b);
        }
    }
    sum
}

/// The [`footprint`]s of operators `lo..lo + out.len()`, into `out`, in one pass over the
/// buffers (each adds its bytes to the operators it lives at). Every term is far below
/// `i64::MAX`, so the sums are exact in any order: equal to [`footprint`]'s.
pub(super) fn footprints(info: &[BufferInfo], lo: usize, out: &mut [Pos]) {
    out.fill(pos(0));
    let Some(last) = lo.checked_add(out.len()).and_then(|e| e.checked_sub(1)) else { return };
    // Adds `v` to the operators `first..=last` of the window.
    let add = |out: &mut [Pos], first: usize, end: usize, v: Pos| {
        let (s, e) = (first.max(lo), end.min(last));
        if s <= e {
            for f in out.iter_mut().take(e.saturating_sub(lo).saturating_add(1)).skip(s.saturating_sub(lo)) {
                *f += v;
            }
        }
    };
    for (i, b) in info.iter().enumerate() {
        let (first, end) = (usize::from(b.first), usize::from(b.last));
        if first > last || end < lo || b.size == 0 || b.alias as usize != i {
            continue;
        }
        add(out, first, end, pos(b.size));
        if b.partner == NO_BUFFER {
            continue;
        }
        if let Some(a) = info.get(b.partner as usize) {
            // Both live: the partner's lifetime within the buffer's.
            let (s, e) = (first.max(usize::from(a.first)), end.min(usize::from(a.last)));
            if s <= e {
                add(out, s, e, pos(0) - partner_saving(info, b));
            }
        }
    }
}

/// Operators whose footprints [`each_footprint`] computes per pass over the buffers.
const FOOTPRINT_CHUNK: usize = 32;

/// Calls `f(o, footprint(o))` for every operator `o` in `ops`, in order.
pub(super) fn each_footprint(info: &[BufferInfo], ops: core::ops::Range<usize>, mut f: impl FnMut(usize, Pos)) {
    let mut buf = [pos(0); FOOTPRINT_CHUNK];
    let mut lo = ops.start;
    while lo < ops.end {
        let n = ops.end.saturating_sub(lo).min(FOOTPRINT_CHUNK);
        let Some(chunk) = buf.get_mut(..n) else { return };
        footprints(info, lo, chunk);
        for (k, &v) in chunk.iter().enumerate() {
            f(lo.saturating_add(k), v);
        }
        lo = lo.saturating_add(n);
    }
}

/// The largest per-operator [`footprint`].
fn lower_bound(info: &[BufferInfo]) -> Pos {
    let last_op = info.iter().map(|b| b.last).max().unwrap_or(0);
    let mut best: Option<Pos> = None;
    each_footprint(info, 0..usize::from(last_op).saturating_add(1), |_, f| best = Some(best.map_or(f, |b| b.max(f))));
    best.unwrap_or(pos(0))
}

/// A byte count rounded up to [`BUFFER_ALIGN`], as `usize` ([`Error::TooLarge`] if it does not
/// fit, e.g. on a 32-bit target).
fn bytes(v: Pos) -> Result<usize> {
    usize::try_from(align_up(v.max(pos(0))).0).map_err(|_| Error::TooLarge)
}

/// Assigns offsets; returns the activation bytes (a multiple of 16) and the lower bound.
pub fn place(options: &Options, work: &mut Work<'_>, offsets: &mut [u32]) -> Result<PlanSummary> {
    let nb = work.info.len();
    if offsets.len() != nb || work.order.len() < nb || work.choice.len() < nb {
        return Err(Error::InvalidArgument);
    }
    let lb = lower_bound(work.info);
    let greedy_bytes = greedy(work.info, work.order, offsets)?;
    let has_overlap = work.info.iter().any(|b| b.partner != NO_BUFFER);
    let summary = |activation: Pos| Ok(PlanSummary { activation_bytes: bytes(activation)?, lower_bound: bytes(lb)? });
    if !options.search || greedy_bytes <= lb || !has_overlap {
        return summary(greedy_bytes);
    }
    let n = birth_order(work.info, work.order, work.choice);
    // n ≤ MAX_BUFFERS buffers: the product is small.
    let node_limit = n.saturating_mul(16).saturating_add(4000);
    // Exponential probe from the lower bound, then bisection down to 16 bytes.
    let mut lo = align_up(lb);
    let mut hi: Option<Pos> = None;
    let mut step = Saturating(lb.0.div_euclid(256)).max(pos(64));
    let mut probe = lo;
    while probe < greedy_bytes {
        if search(work, offsets, n, probe, node_limit) {
            hi = Some(probe);
            break;
        }
        lo = probe + ALIGN;
        probe = align_up(probe + step);
        step *= pos(2);
    }
    let Some(mut best) = hi else {
        greedy(work.info, work.order, offsets)?;
        return summary(greedy_bytes);
    };
    // The offsets hold the last search's placement when it succeeded: at `best` until a
    // bisection step searches another budget.
    let mut placed_best = true;
    while best - lo > pos(16) {
        let mid = align_up(lo + Saturating((best - lo).0.div_euclid(2)));
        if mid >= best {
            break;
        }
        placed_best = search(work, offsets, n, mid, node_limit);
        if placed_best {
            best = mid;
        } else {
            lo = mid + ALIGN;
        }
    }
    if !placed_best && !search(work, offsets, n, best, node_limit) {
        return Err(Error::InvalidArgument);
    }
    let info = &*work.info;
    let used = (0..nb)
        .filter(|&i| owns_bytes(info, i))
        .filter_map(|i| Some(offset(offsets, i)? + size(info, i)))
        .max()
        .unwrap_or(pos(0));
    summary(used)
}
