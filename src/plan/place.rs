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

const ALIGN: i64 = BUFFER_ALIGN as i64;

fn align_up(v: i64) -> i64 {
    v.div_euclid(ALIGN) * ALIGN + if v.rem_euclid(ALIGN) != 0 { ALIGN } else { 0 }
}

fn align_down(v: i64) -> i64 {
    v.div_euclid(ALIGN) * ALIGN
}

/// Rounds an overlap distance up to the buffer alignment (NEVER and EXACT: no sliding).
fn dist(d: i32) -> i64 {
    if d == NEVER || d == EXACT {
        i64::MAX / 4
    } else {
        align_up(d as i64)
    }
}

/// Buffers that own bytes (not aliases, not empty).
fn owns_bytes(info: &[BufferInfo], i: usize) -> bool {
    info[i].size > 0 && info[i].alias as usize == i
}

/// The open interval of offsets of `b` forbidden by placed buffer `p`, if any.
fn forbidden(info: &[BufferInfo], offsets: &[u32], b: usize, p: usize) -> Option<(i64, i64)> {
    let (bi, pi) = (&info[b], &info[p]);
    let po = offsets[p];
    if po == NO_OFFSET || p == b || !bi.overlaps_in_time(pi) {
        return None;
    }
    let po = po as i64;
    let mut lo = po - bi.size as i64;
    let mut hi = po + pi.size as i64;
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
fn exact_pair(info: &[BufferInfo], offsets: &[u32], b: usize, p: usize, x: i64) -> bool {
    let (bi, pi) = (&info[b], &info[p]);
    let same = offsets[p] != NO_OFFSET && offsets[p] as i64 == x;
    same && ((bi.partner as usize == p && bi.forward == EXACT) || (pi.partner as usize == b && pi.forward == EXACT))
}

/// The first forbidden interval containing offset `x` for buffer `b`.
fn conflict(info: &[BufferInfo], offsets: &[u32], b: usize, x: i64) -> Option<(i64, i64)> {
    (0..info.len())
        .filter(|&p| !exact_pair(info, offsets, b, p, x))
        .filter_map(|p| forbidden(info, offsets, b, p))
        .find(|&(lo, hi)| lo < x && x < hi)
}

fn fits(info: &[BufferInfo], offsets: &[u32], b: usize, x: i64, budget: i64) -> bool {
    x >= 0 && x % ALIGN == 0 && x + info[b].size as i64 <= budget && conflict(info, offsets, b, x).is_none()
}

/// Lowest feasible offset ≥ `from`.
fn lowest_fit(info: &[BufferInfo], offsets: &[u32], b: usize, from: i64, budget: i64) -> Option<i64> {
    let mut x = align_up(from.max(0));
    loop {
        if x + info[b].size as i64 > budget {
            return None;
        }
        match conflict(info, offsets, b, x) {
            Some((_, hi)) => x = align_up(hi),
            None => return Some(x),
        }
    }
}

/// Highest feasible offset ≤ `from`.
fn highest_fit(info: &[BufferInfo], offsets: &[u32], b: usize, from: i64) -> Option<i64> {
    let mut x = align_down(from);
    loop {
        if x < 0 {
            return None;
        }
        match conflict(info, offsets, b, x) {
            Some((lo, _)) => x = align_down(lo),
            None => return Some(x),
        }
    }
}

/// Candidate offsets for buffer `b` under `budget`, best first; returns how many.
fn candidates(info: &[BufferInfo], offsets: &[u32], b: usize, budget: i64, out: &mut [i64; 4]) -> usize {
    let mut n = 0;
    let mut push = |x: Option<i64>, out: &mut [i64; 4]| {
        if let Some(x) = x {
            if !out[..n].contains(&x) {
                out[n] = x;
                n += 1;
            }
        }
    };
    let bi = info[b];
    if bi.partner != NO_BUFFER {
        let a = bi.partner as usize;
        if let Some(&ao) = offsets.get(a).filter(|&&o| o != NO_OFFSET) {
            let ao = ao as i64;
            let tight = if bi.forward == EXACT { [ao, ao] } else { [ao - dist(bi.forward), ao + dist(bi.backward)] };
            for x in tight {
                push(fits(info, offsets, b, x, budget).then_some(x), out);
            }
        }
    }
    push(lowest_fit(info, offsets, b, 0, budget), out);
    push(highest_fit(info, offsets, b, budget - bi.size as i64), out);
    n
}

/// TFLM-style greedy placement, ignoring overlap permissions. Returns the bytes used.
fn greedy(info: &[BufferInfo], offsets: &mut [u32]) -> Result<i64> {
    offsets.fill(NO_OFFSET);
    let mut total = 0i64;
    let mut prev: Option<(u32, usize)> = None;
    loop {
        let mut next: Option<(u32, usize)> = None;
        for (i, b) in info.iter().enumerate() {
            if !owns_bytes(info, i) {
                continue;
            }
            let after_prev = prev.is_none_or(|(ps, pi)| b.size < ps || (b.size == ps && i > pi));
            let better = next.is_none_or(|(ns, ni)| b.size > ns || (b.size == ns && i < ni));
            if after_prev && better {
                next = Some((b.size, i));
            }
        }
        let Some((size, i)) = next else { break };
        prev = next;
        // No overlap permission is used: place against plain lifetimes.
        let mut x = 0i64;
        'search: loop {
            for (j, p) in info.iter().enumerate() {
                let o = offsets[j];
                if o == NO_OFFSET || !info[i].overlaps_in_time(p) {
                    continue;
                }
                let (s, e) = (o as i64, o as i64 + p.size as i64);
                if x < e && s < x + size as i64 {
                    x = align_up(e);
                    continue 'search;
                }
            }
            break;
        }
        if x + size as i64 > u32::MAX as i64 / 2 {
            return Err(Error::TooLarge);
        }
        offsets[i] = x as u32;
        total = total.max(x + size as i64);
    }
    Ok(total)
}

/// Fills `order` with the buffers that own bytes, in birth order; returns how many. A buffer
/// born at the same operator as an output it is the partner of (a graph input consumed by op
/// 0) comes first, so an output always finds its partner placed. `early` marks those.
fn birth_order(info: &[BufferInfo], order: &mut [u16], early: &mut [u8]) -> usize {
    early.fill(0);
    for b in info {
        if b.partner != NO_BUFFER {
            let a = b.partner as usize;
            if info[a].first == b.first {
                early[a] = 1;
            }
        }
    }
    let mut n = 0;
    for i in 0..info.len() {
        if owns_bytes(info, i) {
            order[n] = i as u16;
            n += 1;
        }
    }
    order[..n].sort_unstable_by_key(|&b| (info[b as usize].first, early[b as usize] == 0, b));
    n
}

/// Budgeted depth-first placement. True if everything fits in `budget` bytes.
fn search(work: &mut Work<'_>, offsets: &mut [u32], n: usize, budget: i64, mut nodes: usize) -> bool {
    offsets.fill(NO_OFFSET);
    let (info, order, choice) = (&*work.info, &*work.order, &mut *work.choice);
    let mut k = 0usize;
    if n == 0 {
        return true;
    }
    choice[0] = 0;
    let mut cands = [0i64; 4];
    while k < n {
        if nodes == 0 {
            return false;
        }
        nodes -= 1;
        let b = order[k] as usize;
        let m = candidates(info, offsets, b, budget, &mut cands);
        if (choice[k] as usize) < m {
            offsets[b] = cands[choice[k] as usize] as u32;
            k += 1;
            if k < n {
                choice[k] = 0;
            }
        } else {
            // Backtrack: undo the previous placement and try its next candidate.
            if k == 0 {
                return false;
            }
            k -= 1;
            offsets[order[k] as usize] = NO_OFFSET;
            choice[k] += 1;
        }
    }
    true
}

/// Bytes spanned by an input of `sa` bytes and an output of `sb` bytes placed `x` bytes after
/// it (`x` negative: before it).
fn union_len(sa: i64, sb: i64, x: i64) -> i64 {
    sa.max(x + sb) - x.min(0)
}

/// The largest per-operator footprint: every buffer live at the operator, with an output and
/// its dying partner counted as their tightest union.
fn lower_bound(info: &[BufferInfo]) -> i64 {
    let last_op = info.iter().map(|b| b.last).max().unwrap_or(0);
    let mut best = 0i64;
    for o in 0..=last_op {
        let mut sum = 0i64;
        for (i, b) in info.iter().enumerate() {
            if !owns_bytes(info, i) || b.first > o || b.last < o {
                continue;
            }
            sum += b.size as i64;
            if b.partner != NO_BUFFER && b.first == o {
                let (sa, sb) = (info[b.partner as usize].size as i64, b.size as i64);
                let mut union = sa + sb;
                if b.forward == EXACT {
                    union = sa.max(sb);
                } else if b.forward != NEVER {
                    union = union.min(union_len(sa, sb, -dist(b.forward)));
                }
                if b.backward != NEVER {
                    union = union.min(union_len(sa, sb, dist(b.backward)));
                }
                sum -= sa + sb - union;
            }
        }
        best = best.max(sum);
    }
    best
}

/// Assigns offsets; returns the activation bytes (a multiple of 16) and the lower bound.
pub fn place(options: &Options, work: &mut Work<'_>, offsets: &mut [u32]) -> Result<PlanSummary> {
    let nb = work.info.len();
    if offsets.len() != nb || work.order.len() < nb || work.choice.len() < nb {
        return Err(Error::InvalidArgument);
    }
    let round4 = |v: i64| ((v.max(0) as usize) + 3) & !3;
    let lb = lower_bound(work.info);
    let greedy_bytes = greedy(work.info, offsets)?;
    let has_overlap = work.info.iter().any(|b| b.partner != NO_BUFFER);
    if !options.search || greedy_bytes <= lb || !has_overlap {
        return Ok(PlanSummary { activation_bytes: round4(greedy_bytes), lower_bound: round4(lb) });
    }
    let n = birth_order(work.info, work.order, work.choice);
    let node_limit = 8 * n + 2000;
    // Exponential probe from the lower bound, then bisection down to 16 bytes.
    let mut lo = align_up(lb);
    let mut hi: Option<i64> = None;
    let mut step = (lb / 256).max(64);
    let mut probe = lo;
    while probe < greedy_bytes {
        if search(work, offsets, n, probe, node_limit) {
            hi = Some(probe);
            break;
        }
        lo = probe + ALIGN;
        probe = align_up(probe + step);
        step *= 2;
    }
    let Some(mut best) = hi else {
        greedy(work.info, offsets)?;
        return Ok(PlanSummary { activation_bytes: round4(greedy_bytes), lower_bound: round4(lb) });
    };
    while best - lo > 16 {
        let mid = align_up(lo + (best - lo) / 2);
        if mid >= best {
            break;
        }
        if search(work, offsets, n, mid, node_limit) {
            best = mid;
        } else {
            lo = mid + ALIGN;
        }
    }
    if !search(work, offsets, n, best, node_limit) {
        return Err(Error::InvalidArgument);
    }
    let used = (0..nb)
        .filter(|&i| owns_bytes(work.info, i) && offsets[i] != NO_OFFSET)
        .map(|i| offsets[i] as i64 + work.info[i].size as i64)
        .max()
        .unwrap_or(0);
    Ok(PlanSummary { activation_bytes: round4(used), lower_bound: round4(lb) })
}
