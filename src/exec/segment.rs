//! Running a fused segment: its operators row by row, following the stream schedule
//! (`crate::tiling`) over the buffers the plan placed (the segment input and output whole, a
//! row buffer for every tensor in between).

use crate::error::{Error, Result};
use crate::memory::{as_i8, as_i8_mut, Memory};
use crate::ops::{self, OpSpec};
use crate::runplan::{Offsets, OpRun, NO_OFFSET};
use crate::schema::Model;
use crate::slices::take_front;
use crate::tiling::{Event, Stage, Stream, MAX_STAGES};
use crate::variants::{self, RowCall, Variant, VariantId};

/// The segment's operators, in order.
struct Members {
    ops: [usize; MAX_STAGES],
    stages: [Stage; MAX_STAGES],
    /// Arena offsets of the buffer each stage writes (its output tensor's alias root).
    out_at: [usize; MAX_STAGES],
    n: usize,
}

/// The spec and the variant of segment operator `o`, as at init.
fn prepared<'m>(model: &Model<'m>, op_plan: &[u16], o: usize) -> Result<(OpSpec<'m>, &'static Variant)> {
    let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
    let spec = ops::prepare(model, o, run.fused_pad(o))?;
    let v = run.variant().and_then(VariantId::from_u8).and_then(variants::get).ok_or(Error::Internal)?;
    if !v.supports(&spec) || v.rows.is_none() {
        return Err(Error::Internal);
    }
    Ok((spec, v))
}

/// Offset of a planned buffer.
fn placed(mem: &Memory<'_>, b: usize) -> Result<usize> {
    match mem.offsets.get(b) {
        NO_OFFSET => Err(Error::Internal),
        o => Ok(o as usize),
    }
}

/// The NHWC shape of tensor `t`.
fn nhwc(model: &Model<'_>, t: usize) -> Result<crate::tensor::Dims4> {
    model.tensor(t)?.shape.nhwc().ok_or(Error::Internal)
}

/// The segment starting at operator `first`: its running operators up to the first without
/// the stream bit.
#[inline(never)]
fn members(model: &Model<'_>, op_plan: &[u16], first: usize, mem: &Memory<'_>) -> Result<Members> {
    let mut m = Members { ops: [0; MAX_STAGES], stages: [Stage::default(); MAX_STAGES], out_at: [0; MAX_STAGES], n: 0 };
    let mut o = first;
    loop {
        let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
        if !run.is_skip() {
            let (spec, _) = prepared(model, op_plan, o)?;
            let x = spec.inputs.first().copied().flatten().ok_or(Error::Internal)?;
            let stage = Stage::of(&spec, nhwc(model, x)?, nhwc(model, spec.output)?).ok_or(Error::Internal)?;
            let k = m.n;
            *m.ops.get_mut(k).ok_or(Error::Internal)? = o;
            *m.stages.get_mut(k).ok_or(Error::Internal)? = stage;
            *m.out_at.get_mut(k).ok_or(Error::Internal)? = placed(mem, spec.output)?;
            m.n = k.checked_add(1).ok_or(Error::Internal)?;
            if !run.streams() {
                return Ok(m);
            }
        }
        o = o.checked_add(1).ok_or(Error::Internal)?;
    }
}

/// Three disjoint pieces of `mem` at `(offset, length)`: read-only input, output, scratch.
fn carve<'a>(mem: &'a mut [u8], at: [(usize, usize); 3]) -> Result<(&'a [u8], &'a mut [u8], &'a mut [u8])> {
    let key = |k: usize| at.get(k).map_or(0, |a| a.0);
    let [mut a, mut b, mut c] = [0usize, 1, 2];
    if key(a) > key(b) {
        core::mem::swap(&mut a, &mut b);
    }
    if key(b) > key(c) {
        core::mem::swap(&mut b, &mut c);
    }
    if key(a) > key(b) {
        core::mem::swap(&mut a, &mut b);
    }
    let order = [a, b, c];
    let mut pieces: [Option<&'a mut [u8]>; 3] = [None, None, None];
    let (mut rest, mut base) = (mem, 0usize);
    for k in order {
        let (off, len) = *at.get(k).ok_or(Error::Internal)?;
        if len == 0 {
            *pieces.get_mut(k).ok_or(Error::Internal)? = Some(&mut []);
            continue;
        }
        // An offset below the previous piece's end: the pieces overlap.
        let skip = off.checked_sub(base).ok_or(Error::Internal)?;
        let (_, r) = take_front(rest, skip)?;
        let (piece, r) = take_front(r, len)?;
        *pieces.get_mut(k).ok_or(Error::Internal)? = Some(piece);
        rest = r;
        base = off.checked_add(len).ok_or(Error::Internal)?;
    }
    let [Some(x), Some(y), Some(s)] = pieces else { return Err(Error::Internal) };
    Ok((x, y, s))
}

/// Moves `buf[from..]` to the start of `buf`, in chunks of at most `from` bytes so that source
/// and destination of each copy are disjoint.
fn move_down(buf: &mut [u8], from: usize) -> Result<()> {
    let count = buf.len().checked_sub(from).ok_or(Error::Internal)?;
    if from == 0 {
        return Ok(());
    }
    let mut done = 0;
    while done < count {
        let n = from.min(count.saturating_sub(done));
        let src_at = from.checked_add(done).ok_or(Error::Internal)?;
        let (low, high) = buf.split_at_mut_checked(src_at).ok_or(Error::Internal)?;
        let dst = low.get_mut(done..done.saturating_add(n)).ok_or(Error::Internal)?;
        let src = high.get(..n).ok_or(Error::Internal)?;
        if dst.len() != src.len() {
            return Err(Error::Internal);
        }
        dst.copy_from_slice(src);
        done = done.saturating_add(n);
    }
    Ok(())
}

/// Where a [`Event::Compute`] reads and writes.
struct Held {
    rows: core::ops::Range<usize>,
    span: crate::geometry::Span,
    in_first: usize,
    out_first: usize,
    setup: bool,
}

/// Runs stage `stage` of the segment `m` on the rows `h` says. Kept out of line: its frame
/// (the operator's spec) exists only during the call.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn compute(
    model: &Model<'_>,
    specs: &[Option<(OpSpec<'_>, &'static Variant)>; MAX_STAGES],
    m: &Members,
    input: SegmentInput<'_>,
    arena: &mut [u8],
    offsets: Offsets<'_>,
    stage: usize,
    h: Held,
) -> Result<()> {
    let o = *m.ops.get(stage).ok_or(Error::Internal)?;
    let (spec, v) = specs.get(stage).and_then(Option::as_ref).ok_or(Error::Internal)?;
    let st = m.stages.get(stage).ok_or(Error::Internal)?;
    // The input buffer: the previous stage's rows, or the segment's input.
    let (in_at, external) = match (stage.checked_sub(1), input) {
        (Some(p), _) => (*m.out_at.get(p).ok_or(Error::Internal)?, None),
        (None, SegmentInput::Arena(at)) => (at, None),
        (None, SegmentInput::External(bytes)) => (0, Some(bytes)),
    };
    let held = |end: usize, first: usize, row: usize| end.checked_sub(first).and_then(|r| r.checked_mul(row));
    // Output rows that read only padding read no input row (the held rows may end before).
    let (in_first, in_len) = if h.span.range.0 >= h.span.range.1 {
        (h.span.range.0, 0)
    } else {
        (h.in_first, held(h.span.range.1, h.in_first, st.in_row_bytes).ok_or(Error::Internal)?)
    };
    let out_len = held(h.rows.end, h.out_first, st.out_row_bytes).ok_or(Error::Internal)?;
    let out_at = *m.out_at.get(stage).ok_or(Error::Internal)?;
    let scratch_len = (v.scratch)(spec)?;
    let scratch_at = if scratch_len == 0 {
        0
    } else {
        match offsets.get(model.num_tensors().checked_add(o).ok_or(Error::Internal)?) {
            NO_OFFSET => return Err(Error::Internal),
            s => s as usize,
        }
    };
    let arena_in = if external.is_some() { 0 } else { in_len };
    let (x, y, scratch) = carve(arena, [(in_at, arena_in), (out_at, out_len), (scratch_at, scratch_len)])?;
    // A whole-tensor input holds its rows from row 0 (in_first is 0 for stage 0).
    let x = match external {
        Some(bytes) => bytes.get(..in_len).ok_or(Error::Internal)?,
        None => x,
    };
    let call = RowCall {
        input: as_i8(x),
        in_first,
        output: as_i8_mut(y),
        out_first: h.out_first,
        rows: h.rows,
        row_len: [st.in_row_bytes, st.out_row_bytes],
        scratch,
        setup: h.setup,
    };
    (v.rows.ok_or(Error::Internal)?)(spec, call)
}

/// Where a segment's input is: at an arena offset, or in the caller's memory.
#[derive(Clone, Copy)]
enum SegmentInput<'x> {
    Arena(usize),
    External(&'x [u8]),
}

/// The segment's input (a folded PAD's input for a first convolution).
#[inline(never)]
fn segment_input<'x>(model: &Model<'_>, op_plan: &[u16], first: usize, mem: &Memory<'x>) -> Result<SegmentInput<'x>> {
    let (spec, _) = prepared(model, op_plan, first)?;
    let x = spec.inputs.first().copied().flatten().ok_or(Error::Internal)?;
    match mem.offsets.get(x) {
        NO_OFFSET => mem.external.get(x).map(SegmentInput::External).ok_or(Error::Internal),
        o => Ok(SegmentInput::Arena(o as usize)),
    }
}

/// Runs the segment whose first operator is `first`; returns its last operator.
pub fn run_segment(model: &Model<'_>, op_plan: &[u16], first: usize, mem: &mut Memory<'_>) -> Result<usize> {
    let m = members(model, op_plan, first, mem)?;
    let stages = m.stages.get(..m.n).ok_or(Error::Internal)?;
    let last = m.n.checked_sub(1).ok_or(Error::Internal)?;
    if last == 0 {
        return Err(Error::Internal);
    }
    let seg_last = *m.ops.get(last).ok_or(Error::Internal)?;
    let input = segment_input(model, op_plan, first, mem)?;
    // Every member's spec, prepared once for the whole segment (not once per row call).
    let mut specs: [Option<(OpSpec<'_>, &'static Variant)>; MAX_STAGES] = [const { None }; MAX_STAGES];
    for (slot, &o) in specs.iter_mut().zip(&m.ops).take(m.n) {
        *slot = Some(prepared(model, op_plan, o)?);
    }
    let mut setup = [true; MAX_STAGES];
    let mut stream = Stream::new(stages)?;
    let arena = &mut *mem.arena;
    let offsets = mem.offsets;
    stream.run(&mut |event| match event {
        Event::Shift { buffer, drop, keep } => {
            let row = stages.get(buffer).ok_or(Error::Internal)?.out_row_bytes;
            let at = *m.out_at.get(buffer).ok_or(Error::Internal)?;
            let (from, len) = (drop.checked_mul(row), drop.checked_add(keep).and_then(|r| r.checked_mul(row)));
            let (Some(from), Some(len)) = (from, len) else { return Err(Error::Internal) };
            let end = at.checked_add(len).ok_or(Error::Internal)?;
            let buf = arena.get_mut(at..end).ok_or(Error::Internal)?;
            move_down(buf, from)
        }
        Event::Compute { stage, rows, span, in_first, out_first } => {
            let setup = core::mem::replace(setup.get_mut(stage).ok_or(Error::Internal)?, false);
            let held = Held { rows, span, in_first, out_first, setup };
            compute(model, &specs, &m, input, arena, offsets, stage, held)
        }
    })?;
    Ok(seg_last)
}
