//! Memory plan: which bytes of the arena each buffer (tensor or per-op scratch) occupies.
//!
//! Buffers are numbered `0..num_tensors` for the tensors of subgraph 0, then
//! `num_tensors..num_tensors + num_ops` for each operator's scratch. A buffer is live from the
//! operator that first touches it to the one that last does (inclusive); graph inputs are live
//! from op 0, graph outputs until the last op.
//!
//! Planning runs in three steps (see `docs/memory.md`):
//! 1. [`graph`] rewrites the schedule: PAD folded into the next convolution (virtual padding),
//!    RESHAPE/SQUEEZE outputs aliased to their inputs, and for each operator whose kernel can
//!    write over its dying input (in-place elementwise ops, sliding windows walking in order)
//!    how close the output may sit to that input ([`overlap`]).
//! 2. [`place`] assigns offsets: the smallest arena it can prove (a budgeted search between the
//!    per-op lower bound and TFLM-style greedy placement), honouring the overlap distances.
//! 3. The interpreter keeps only the offsets (4 bytes per buffer) and one `u16` per operator
//!    telling how to run it ([`OP_RUN`], [`OP_SKIP`] or the index of a PAD folded into it).
//!
//! Everything temporary (sizes, lifetimes, overlap distances, search state) lives in a work
//! area that the interpreter takes from where the activations will later go.

pub mod graph;
pub mod overlap;
pub mod place;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::schema::Model;

/// Offset value of a buffer that needs no arena bytes (constant, aliased, unused or empty).
pub const NO_OFFSET: u32 = u32::MAX;

/// Alignment of every buffer offset inside the activation area.
pub const BUFFER_ALIGN: usize = 4;

/// `op_plan` value: run the operator normally.
pub const OP_RUN: u16 = 0xffff;
/// `op_plan` value: skip the operator (a PAD folded into its consumer, an aliased RESHAPE).
pub const OP_SKIP: u16 = 0xfffe;

/// No buffer (as a `u16` buffer reference).
pub const NO_BUFFER: u16 = 0xffff;

/// No overlap in this direction (an overlap distance).
pub const NEVER: i32 = i32::MAX;

/// Both overlap distances set to this: the output may overlap its partner only by starting at
/// exactly the same offset (channel-by-channel in-place kernels).
pub const EXACT: i32 = i32::MIN;

/// The persistent offset table: `u16` in units of [`BUFFER_ALIGN`] bytes when the activation
/// area is below 256 KiB, else `u32` bytes. [`NO_OFFSET`] for buffers without bytes.
#[derive(Clone, Copy, Debug)]
pub enum Offsets<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u32]),
}

/// Largest activation area a narrow offset table can address.
pub const NARROW_LIMIT: usize = 0xfffe * BUFFER_ALIGN;

impl Offsets<'_> {
    /// Bytes per entry for an activation area of `activation_bytes`.
    pub const fn width(activation_bytes: usize) -> usize {
        if activation_bytes <= NARROW_LIMIT {
            2
        } else {
            4
        }
    }

    /// Offset of buffer `b` ([`NO_OFFSET`] if none or out of range).
    #[inline]
    pub fn get(&self, b: usize) -> u32 {
        match self {
            Offsets::Narrow(t) => match t.get(b) {
                Some(&v) if v != u16::MAX => v as u32 * BUFFER_ALIGN as u32,
                _ => NO_OFFSET,
            },
            Offsets::Wide(t) => t.get(b).copied().unwrap_or(NO_OFFSET),
        }
    }
}

/// Which planning tricks are enabled. All on by default; each can be switched off alone so
/// that a bug cannot hide behind another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Fold PAD/PADV2 into the following CONV_2D/DEPTHWISE_CONV_2D as virtual padding.
    pub pad_fusion: bool,
    /// RESHAPE/SQUEEZE outputs share their input's bytes (no copy).
    pub alias: bool,
    /// Elementwise operators (activations, ADD/MUL, QUANTIZE/DEQUANTIZE, SOFTMAX) write over a
    /// dying input of the same shape.
    pub in_place: bool,
    /// Sliding-window operators (convolutions, pooling) overlap their output with their dying
    /// input as far as their walk order allows.
    pub overlap: bool,
    /// Search for the smallest arena (else plain TFLM-style greedy placement).
    pub search: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { pad_fusion: true, alias: true, in_place: true, overlap: true, search: true }
    }
}

impl Options {
    /// Every trick off: TFLM-style planning.
    pub const fn layer_by_layer() -> Options {
        Options { pad_fusion: false, alias: false, in_place: false, overlap: false, search: false }
    }
}

/// What the planner knows of one buffer while planning (20 bytes, temporary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct BufferInfo {
    /// Bytes needed (0 = no arena bytes of its own).
    pub size: u32,
    /// First operator index at which the buffer is live.
    pub first: u16,
    /// Last operator index at which the buffer is live.
    pub last: u16,
    /// The buffer whose bytes this one shares (itself when it has its own).
    pub alias: u16,
    /// The dying input buffer this buffer (an operator output) may overlap, or [`NO_BUFFER`].
    pub partner: u16,
    /// The output may start this many bytes before the partner (walking forward), or
    /// [`NEVER`].
    pub forward: i32,
    /// The output may start this many bytes after the partner (walking backward), or
    /// [`NEVER`].
    pub backward: i32,
}

impl Default for BufferInfo {
    fn default() -> BufferInfo {
        BufferInfo { size: 0, first: 0, last: 0, alias: NO_BUFFER, partner: NO_BUFFER, forward: NEVER, backward: NEVER }
    }
}

impl BufferInfo {
    /// True when both buffers are live at some common operator.
    pub fn overlaps_in_time(&self, o: &BufferInfo) -> bool {
        self.first <= o.last && o.first <= self.last
    }
}

/// Number of buffers a model plans: tensors plus one scratch per operator.
pub fn num_buffers(model: &Model<'_>) -> usize {
    model.num_tensors() + model.num_operators()
}

/// Temporary memory of one planning run.
pub struct Work<'w> {
    /// One record per buffer.
    pub info: &'w mut [BufferInfo],
    /// Placement order (buffer indices).
    pub order: &'w mut [u16],
    /// Search state: candidate tried at each placement step.
    pub choice: &'w mut [u8],
}

/// Bytes of work memory a plan of `buffers` buffers needs.
pub const fn work_bytes(buffers: usize) -> usize {
    buffers * (core::mem::size_of::<BufferInfo>() + 2 + 1)
}

impl<'w> Work<'w> {
    /// Carves the work tables out of `mem` (4-byte aligned, at least [`work_bytes`] long).
    pub fn carve(mem: &'w mut [u8], buffers: usize) -> Result<Work<'w>> {
        let info_bytes = buffers * core::mem::size_of::<BufferInfo>();
        if mem.len() < work_bytes(buffers) {
            return Err(Error::InvalidArgument);
        }
        let (info, rest) = mem.split_at_mut(info_bytes);
        let (order, rest) = rest.split_at_mut(buffers * 2);
        let info = bytemuck::try_cast_slice_mut(info).map_err(|_| Error::ArenaMisaligned)?;
        let order = bytemuck::try_cast_slice_mut(order).map_err(|_| Error::ArenaMisaligned)?;
        Ok(Work { info, order, choice: &mut rest[..buffers] })
    }
}

/// The outcome of planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanSummary {
    /// Bytes of the activation area (multiple of 4).
    pub activation_bytes: usize,
    /// The lower bound the search started from (the largest per-operator footprint).
    pub lower_bound: usize,
}

/// Plans `model`: fills `offsets` (one per buffer) and `op_plan` (one per operator).
pub fn build(
    model: &Model<'_>,
    options: &Options,
    work: &mut Work<'_>,
    offsets: &mut [u32],
    op_plan: &mut [u16],
) -> Result<PlanSummary> {
    graph::analyze(model, options, work.info, op_plan)?;
    let summary = place::place(options, work, offsets)?;
    // Aliases read and write their root's bytes.
    for i in 0..offsets.len() {
        let root = work.info[i].alias as usize;
        if root != i {
            offsets[i] = offsets.get(root).copied().unwrap_or(NO_OFFSET);
        }
    }
    Ok(summary)
}

/// Checks a plan independently of how it was made: every placed buffer lies inside
/// `activation_bytes` and is aligned, and two buffers live at the same time share bytes only
/// when one is an operator's output allowed to overlap that operator's dying input in the
/// direction the offsets imply.
pub fn check(info: &[BufferInfo], offsets: &[u32], activation_bytes: usize) -> Result<()> {
    for (i, (a, &oa)) in info.iter().zip(offsets).enumerate() {
        if a.size == 0 || a.alias as usize != i {
            continue;
        }
        if oa == NO_OFFSET || oa as usize % BUFFER_ALIGN != 0 || oa as usize + a.size as usize > activation_bytes {
            return Err(Error::InvalidArgument);
        }
        for (j, (b, &ob)) in info.iter().zip(offsets).enumerate().skip(i + 1) {
            if b.size == 0 || b.alias as usize != j || !a.overlaps_in_time(b) {
                continue;
            }
            let (a0, a1) = (oa as i64, oa as i64 + a.size as i64);
            let (b0, b1) = (ob as i64, ob as i64 + b.size as i64);
            if a1 <= b0 || b1 <= a0 {
                continue;
            }
            // Overlapping bytes: only an output over its dying partner input, far enough.
            let ok = |out: &BufferInfo, o0: i64, inp: usize, i0: i64| {
                out.partner as usize == inp
                    && if out.forward == EXACT {
                        o0 == i0
                    } else {
                        (out.forward != NEVER && o0 <= i0 - out.forward as i64)
                            || (out.backward != NEVER && o0 >= i0 + out.backward as i64)
                    }
            };
            if !ok(b, b0, i, a0) && !ok(a, a0, j, b0) {
                return Err(Error::InvalidArgument);
            }
        }
    }
    Ok(())
}
