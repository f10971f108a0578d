//! Memory plan: which bytes of the arena each buffer (tensor or per-op scratch) occupies.
//!
//! Buffers are numbered `0..num_tensors` for the tensors of subgraph 0, then
//! `num_tensors..num_tensors + num_ops` for each operator's scratch. A buffer is live from the
//! operator that first touches it to the one that last does (inclusive); graph inputs are live
//! from op 0, graph outputs until the last op.
//!
//! Planning runs in three steps (see `docs/memory.md`):
//! 1. [`graph`] rewrites the schedule: PAD folded into the next convolution (virtual padding),
//!    RESHAPE/SQUEEZE/EXPAND_DIMS outputs aliased to their inputs; it prepares every operator's spec,
//!    chooses its kernel variant ([`choose`]) and, for each operator whose variant can write
//!    over its dying input (in-place elementwise ops, sliding windows walking in order), how
//!    close the output may sit to that input ([`overlap`], from the spec's dataflow and the
//!    variant's declared access).
//! 2. [`place`] assigns offsets: the smallest arena it can prove (a budgeted search between the
//!    per-op lower bound and TFLM-style greedy placement), honouring the overlap distances.
//! 3. The interpreter keeps only the offsets (2 or 4 bytes per buffer) and one `u16` per
//!    operator telling how to run it ([`crate::runplan::OpRun`]: skipped, or run with which
//!    PAD folded in and which kernel variant).
//!
//! Everything temporary (sizes, lifetimes, overlap distances, search state) lives in a work
//! area that the interpreter takes from where the activations will later go.
//!
//! Arithmetic: buffer sizes are at most `u32::MAX` (tensors were verified ≤ `i32::MAX` bytes),
//! placed offsets below `u32::MAX / 2`, overlap distances `i32`, and there are at most
//! `MAX_BUFFERS` (65,534) buffers. Positions are therefore computed in `i64` with saturating
//! operations (`core::num::Saturating`): on such values they are exact, and should a corrupted
//! table ever reach the extremes they stay ordered instead of wrapping into a plausible but
//! wrong placement ([`overlap`]'s per-pixel loop uses wrapping operations instead, for speed;
//! it says why they cannot wrap). Table accesses use `get`, and a missing entry is an error.

pub mod choose;
pub mod graph;
pub mod overlap;
pub mod place;
pub mod segments;
// Tests assert by panicking, and index and compute freely on their own small fixtures.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests;

use crate::error::{Error, Result};
use crate::runplan::{BUFFER_ALIGN, NO_OFFSET};
use crate::schema::Model;
use crate::slices::{entry, take_front};
use core::num::Saturating;

/// No buffer (as a `u16` buffer reference).
pub const NO_BUFFER: u16 = 0xffff;

/// No overlap in this direction (an overlap distance).
pub const NEVER: i32 = i32::MAX;

/// Both overlap distances set to this: the output may overlap its partner only by starting at
/// exactly the same offset (channel-by-channel in-place kernels).
pub const EXACT: i32 = i32::MIN;

/// Which planning tricks are enabled. All on by default; each can be switched off alone so
/// that a bug cannot hide behind another. Start from [`Options::default`] (or
/// [`Options::layer_by_layer`]) and set fields: more will be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Fold PAD/PADV2 into the following CONV_2D/DEPTHWISE_CONV_2D as virtual padding.
    pub pad_fusion: bool,
    /// RESHAPE/SQUEEZE/EXPAND_DIMS outputs share their input's bytes (no copy).
    pub alias: bool,
    /// Elementwise operators (activations, ADD/MUL, QUANTIZE/DEQUANTIZE, SOFTMAX) write over a
    /// dying input of the same shape.
    pub in_place: bool,
    /// Sliding-window operators (convolutions, pooling) overlap their output with their dying
    /// input as far as their walk order allows.
    pub overlap: bool,
    /// Search for the smallest arena (else plain TFLM-style greedy placement).
    pub search: bool,
    /// Patch-based execution: run chains of spatially local operators row by row as fused
    /// segments where that lowers the peak ([`segments`]).
    pub patch: bool,
    /// With `patch`: fuse every chain that can run row by row, whether or not it lowers the
    /// arena (tests and measurements; off by default).
    pub patch_all: bool,
    /// Graph inputs stay in the caller's memory (a camera frame buffer, say): they take no
    /// arena bytes, and every invoke binds them (`Interpreter::invoke_with_inputs`). An input
    /// that is also a graph output or variable state stays in the arena.
    pub external_input: bool,
    /// Graph inputs stay intact across invoke: their bytes live until the last operator, so
    /// no other tensor reuses them and no operator writes over them (an invoke may then be
    /// repeated without writing the inputs again). Costs the arena bytes the inputs' reuse
    /// saved.
    pub keep_inputs: bool,
    /// Graph outputs never share bytes with graph inputs: writing the next input leaves the
    /// previous outputs intact. No in-place or overlapping operator writes an output over an
    /// input, no RESHAPE output that is a graph output aliases an input, and each output lives
    /// from the death of the first input on (so no placement reuses an input's bytes for it).
    /// A tensor that is both a graph input and a graph output cannot be kept apart.
    pub outputs_apart: bool,
    /// Total arena bytes the plan may take (0: no budget, the smallest plan). With a budget
    /// the plan fuses only when it must: the operator-by-operator plan when it fits (every
    /// plan here repeats no MAC, so the one with the fewest fused operators wins), else the
    /// fused plan; [`Error::OverBudget`](crate::Error::OverBudget) with the smallest arena
    /// when neither fits.
    pub budget: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            pad_fusion: true,
            alias: true,
            in_place: true,
            overlap: true,
            search: true,
            patch: true,
            patch_all: false,
            external_input: false,
            keep_inputs: false,
            outputs_apart: false,
            budget: 0,
        }
    }
}

impl Options {
    /// Every trick off: TFLM-style planning.
    pub const fn layer_by_layer() -> Options {
        Options {
            pad_fusion: false,
            alias: false,
            in_place: false,
            overlap: false,
            search: false,
            patch: false,
            patch_all: false,
            external_input: false,
            keep_inputs: false,
            outputs_apart: false,
            budget: 0,
        }
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
    // The sum is at most MAX_BUFFERS (checked at parse).
    model.num_tensors().saturating_add(model.num_operators())
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

/// Bytes of work memory per buffer: its [`BufferInfo`], its `order` and `choice` entries.
const WORK_BYTES_PER_BUFFER: usize = core::mem::size_of::<BufferInfo>() + 2 + 1;

/// Bytes of work memory a plan of `buffers` buffers needs. Models have at most
/// [`MAX_BUFFERS`](crate::schema::MAX_BUFFERS) buffers (about 1.5 MB of work); the product
/// saturates instead of wrapping for larger counts, which no memory can then satisfy.
pub const fn work_bytes(buffers: usize) -> usize {
    buffers.saturating_mul(WORK_BYTES_PER_BUFFER)
}

impl<'w> Work<'w> {
    /// Carves the work tables out of `mem` (4-byte aligned, at least [`work_bytes`] long).
    pub fn carve(mem: &'w mut [u8], buffers: usize) -> Result<Work<'w>> {
        let bytes = |each: usize| buffers.checked_mul(each).ok_or(Error::InvalidArgument);
        let (info, rest) = take_front(mem, bytes(core::mem::size_of::<BufferInfo>())?)?;
        let (order, rest) = take_front(rest, bytes(2)?)?;
        let (choice, _) = take_front(rest, buffers)?;
        let info = bytemuck::try_cast_slice_mut(info).map_err(|_| Error::ArenaMisaligned)?;
        let order = bytemuck::try_cast_slice_mut(order).map_err(|_| Error::ArenaMisaligned)?;
        Ok(Work { info, order, choice })
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
    let layer_bound = graph::analyze(model, options, work.info, op_plan)?;
    let mut summary = place::place(options, work, offsets)?;
    if let Some(bound) = layer_bound {
        // Fused segments placed above what the layer plan needs at least: plan layer by layer.
        if summary.activation_bytes as u64 > bound.0.max(0) as u64 && !options.patch_all {
            let layer = Options { patch: false, ..*options };
            graph::analyze(model, &layer, work.info, op_plan)?;
            summary = place::place(&layer, work, offsets)?;
        }
    }
    // Aliases read and write their root's bytes.
    for (i, b) in work.info.iter().enumerate() {
        let root = b.alias as usize;
        if root != i {
            *entry(offsets, i)? = offsets.get(root).copied().unwrap_or(NO_OFFSET);
        }
    }
    Ok(summary)
}

/// Checks a plan independently of how it was made: every placed buffer lies inside
/// `activation_bytes` and is aligned, and two buffers live at the same time share bytes only
/// when one is an operator's output allowed to overlap that operator's dying input in the
/// direction the offsets imply.
pub fn check(info: &[BufferInfo], offsets: &[u32], activation_bytes: usize) -> Result<()> {
    let activation_bytes = i64::try_from(activation_bytes).map_err(|_| Error::TooLarge)?;
    let at = |o: u32| Saturating(i64::from(o));
    for (i, (a, &oa)) in info.iter().zip(offsets).enumerate() {
        if a.size == 0 || a.alias as usize != i {
            continue;
        }
        let (a0, a1) = (at(oa), at(oa) + at(a.size));
        if oa == NO_OFFSET || oa as usize % BUFFER_ALIGN != 0 || a1.0 > activation_bytes {
            return Err(Error::InvalidArgument);
        }
        for (j, (b, &ob)) in info.iter().zip(offsets).enumerate().filter(|&(j, _)| j > i) {
            if b.size == 0 || b.alias as usize != j || !a.overlaps_in_time(b) {
                continue;
            }
            let (b0, b1) = (at(ob), at(ob) + at(b.size));
            if a1 <= b0 || b1 <= a0 {
                continue;
            }
            // Overlapping bytes: only an output over its dying partner input, far enough.
            let ok = |out: &BufferInfo, o0: Saturating<i64>, inp: usize, i0: Saturating<i64>| {
                let d = |v: i32| Saturating(i64::from(v));
                out.partner as usize == inp
                    && if out.forward == EXACT {
                        o0 == i0
                    } else {
                        (out.forward != NEVER && o0 <= i0 - d(out.forward))
                            || (out.backward != NEVER && o0 >= i0 + d(out.backward))
                    }
            };
            if !ok(b, b0, i, a0) && !ok(a, a0, j, b0) {
                return Err(Error::InvalidArgument);
            }
        }
    }
    Ok(())
}
