//! Memory plan: which bytes of the arena each buffer (tensor or per-op scratch) occupies.
//!
//! Buffers are numbered `0..num_tensors` for the tensors of subgraph 0, then
//! `num_tensors..num_tensors + num_ops` for each operator's scratch. A buffer is live from the
//! operator that first touches it to the one that last does (inclusive); graph inputs are live
//! from op 0, graph outputs until the last op. Two buffers may share bytes only when their
//! lifetimes are disjoint. Placement is greedy: largest buffer first, each at the lowest offset
//! that does not collide with an already placed buffer whose lifetime overlaps (TFLM's scheme).
//!
//! The planner keeps nothing but the final offsets: sizes and lifetimes live in a temporary
//! table that the interpreter puts where the activations will later go.

pub mod overlap;

use crate::error::{Error, Result};
use crate::schema::Model;

/// Offset value of a buffer that needs no arena bytes (constant, unused or empty).
pub const NO_OFFSET: u32 = u32::MAX;

/// Alignment of every buffer offset inside the activation area.
pub const BUFFER_ALIGN: usize = 4;

/// What the planner knows of one buffer while planning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct BufferInfo {
    /// Bytes needed (0 = no arena bytes).
    pub size: u32,
    /// First operator index at which the buffer is live.
    pub first: u16,
    /// Last operator index at which the buffer is live.
    pub last: u16,
}

impl BufferInfo {
    fn overlaps_in_time(&self, o: &BufferInfo) -> bool {
        self.first <= o.last && o.first <= self.last
    }
}

/// Number of buffers a model plans: tensors plus one scratch per operator.
pub fn num_buffers(model: &Model<'_>) -> usize {
    model.num_tensors() + model.num_operators()
}

/// Fills `info` with sizes and lifetimes. `scratch(op)` gives operator `op`'s scratch bytes.
pub fn lifetimes(
    model: &Model<'_>,
    info: &mut [BufferInfo],
    mut scratch: impl FnMut(usize) -> Result<usize>,
) -> Result<()> {
    let nt = model.num_tensors();
    let nops = model.num_operators();
    if info.len() != nt + nops {
        return Err(Error::InvalidArgument);
    }
    let end = nops.saturating_sub(1) as u16;
    const UNSEEN: u16 = u16::MAX;
    for b in info.iter_mut() {
        *b = BufferInfo { size: 0, first: UNSEEN, last: 0 };
    }
    let touch = |info: &mut [BufferInfo], t: usize, at: u16| -> Result<()> {
        let b = info.get_mut(t).ok_or(Error::InvalidArgument)?;
        b.first = b.first.min(at);
        b.last = b.last.max(at);
        Ok(())
    };
    for i in 0..model.num_inputs() {
        touch(info, model.input(i)?, 0)?;
    }
    for i in 0..model.num_outputs() {
        touch(info, model.output(i)?, end)?;
    }
    for o in 0..nops {
        let op = model.operator(o)?;
        for i in 0..op.num_inputs() {
            if let Some(t) = op.input(i) {
                touch(info, t, o as u16)?;
            }
        }
        for i in 0..op.num_outputs() {
            if let Some(t) = op.output(i) {
                touch(info, t, o as u16)?;
            }
        }
        let s = scratch(o)?;
        let b = info.get_mut(nt + o).ok_or(Error::InvalidArgument)?;
        *b = BufferInfo { size: u32::try_from(s).map_err(|_| Error::TooLarge)?, first: o as u16, last: o as u16 };
    }
    for t in 0..nt {
        let tensor = model.tensor(t)?;
        let b = info.get_mut(t).ok_or(Error::InvalidArgument)?;
        if b.first == UNSEEN || tensor.data.is_some() {
            *b = BufferInfo::default();
            continue;
        }
        if tensor.is_variable {
            // State that must survive the whole invoke.
            b.first = 0;
            b.last = end;
        }
        b.size = u32::try_from(tensor.bytes()).map_err(|_| Error::TooLarge)?;
    }
    Ok(())
}

fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

/// Greedy placement: fills `offsets` (same length as `info`) and returns the activation bytes.
pub fn place(info: &[BufferInfo], offsets: &mut [u32]) -> Result<usize> {
    if info.len() != offsets.len() {
        return Err(Error::InvalidArgument);
    }
    offsets.fill(NO_OFFSET);
    let mut total: u64 = 0;
    // Placement order: size descending, then buffer index; selection keeps memory O(1).
    let mut prev: Option<(u32, usize)> = None;
    loop {
        let mut next: Option<(u32, usize)> = None;
        for (i, b) in info.iter().enumerate() {
            if b.size == 0 {
                continue;
            }
            let key = (b.size, i);
            let after_prev = match prev {
                None => true,
                Some((ps, pi)) => b.size < ps || (b.size == ps && i > pi),
            };
            let better = match next {
                None => true,
                Some((ns, ni)) => b.size > ns || (b.size == ns && i < ni),
            };
            if after_prev && better {
                next = Some(key);
            }
        }
        let Some((size, i)) = next else { break };
        prev = next;
        let b = info[i];
        let mut candidate: u64 = 0;
        'search: loop {
            for (j, p) in info.iter().enumerate() {
                let off = offsets[j];
                if off == NO_OFFSET || !b.overlaps_in_time(p) {
                    continue;
                }
                let (start, end) = (off as u64, off as u64 + p.size as u64);
                if candidate < end && start < candidate + size as u64 {
                    candidate = align_up(end, BUFFER_ALIGN as u64);
                    continue 'search;
                }
            }
            break;
        }
        let end = candidate + size as u64;
        if end > u32::MAX as u64 - 16 {
            return Err(Error::TooLarge);
        }
        offsets[i] = candidate as u32;
        total = total.max(end);
    }
    Ok(align_up(total, 16) as usize)
}

/// Checks a plan independently of how it was made: every placed buffer lies inside
/// `activation_bytes`, is aligned, and no two buffers with overlapping lifetimes share a byte.
pub fn check(info: &[BufferInfo], offsets: &[u32], activation_bytes: usize) -> Result<()> {
    for (i, (a, &oa)) in info.iter().zip(offsets).enumerate() {
        if a.size == 0 {
            continue;
        }
        if oa == NO_OFFSET || oa as usize % BUFFER_ALIGN != 0 || oa as usize + a.size as usize > activation_bytes {
            return Err(Error::InvalidArgument);
        }
        for (b, &ob) in info.iter().zip(offsets).skip(i + 1) {
            if b.size == 0 || !a.overlaps_in_time(b) {
                continue;
            }
            let (a0, a1) = (oa as usize, oa as usize + a.size as usize);
            let (b0, b1) = (ob as usize, ob as usize + b.size as usize);
            if a0 < b1 && b0 < a1 {
                return Err(Error::InvalidArgument);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(size: u32, first: u16, last: u16) -> BufferInfo {
        BufferInfo { size, first, last }
    }

    #[test]
    fn disjoint_lifetimes_share_bytes() {
        let info = [b(100, 0, 0), b(50, 0, 1), b(100, 1, 2)];
        let mut off = [0u32; 3];
        let total = place(&info, &mut off).unwrap();
        check(&info, &off, total).unwrap();
        assert_eq!(off[0], off[2]);
        assert_eq!(total, 160);
    }

    #[test]
    fn checker_catches_collisions() {
        let info = [b(10, 0, 1), b(10, 1, 2)];
        assert!(check(&info, &[0, 4], 32).is_err());
        assert!(check(&info, &[0, 12], 32).is_ok());
        assert!(check(&info, &[0, 28], 32).is_err());
    }

    #[test]
    fn first_fit_uses_gaps() {
        // Two long-lived buffers leave a gap in the middle for a short one.
        let info = [b(64, 0, 0), b(32, 0, 3), b(64, 1, 3), b(16, 2, 2)];
        let mut off = [0u32; 4];
        let total = place(&info, &mut off).unwrap();
        check(&info, &off, total).unwrap();
        assert_eq!(total, 112);
    }
}
