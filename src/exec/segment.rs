//! Running a fused segment: its operators row by row, following the stream schedule
//! (`crate::tiling`) over the buffers the plan placed (the segment input and output whole, a
//! row buffer for every tensor in between).

use crate::error::{Error, Result};
use crate::memory::{as_i8, as_i8_mut, Memory};
use crate::ops::{self, OpSpec};
use crate::runplan::{Offsets, OpRun, NO_OFFSET};
use crate::schema::Model;
use crate::slices::take_front;
use crate::tiling::{self, Event, Skip, Stage, Stream, MAX_STAGES};
use crate::variants::{self, RowCall, Variant, VariantId};

/// The segment's operators, in order.
struct Members {
    ops: [usize; MAX_STAGES],
    stages: [Stage; MAX_STAGES],
    /// Arena offsets of the buffer each stage writes (its output tensor's alias root).
    out_at: [usize; MAX_STAGES],
    /// For a residual ADD: true when its operand 1 (not 0) is the previous stage's output.
    chain_second: [bool; MAX_STAGES],
    /// The segment's input tensor (a folded PAD's input for a first convolution).
    input: usize,
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
fn members<'m>(
    model: &Model<'m>,
    op_plan: &[u16],
    first: usize,
    mem: &Memory<'_>,
    specs: &mut [Option<(OpSpec<'m>, &'static Variant)>; MAX_STAGES],
) -> Result<Members> {
    let mut m = Members {
        ops: [0; MAX_STAGES],
        stages: [Stage::default(); MAX_STAGES],
        out_at: [0; MAX_STAGES],
        chain_second: [false; MAX_STAGES],
        input: 0,
        n: 0,
    };
    let mut outputs = [0usize; MAX_STAGES];
    let mut seg_input = 0;
    let mut o = first;
    loop {
        let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
        if !run.is_skip() {
            let (spec, v) = prepared(model, op_plan, o)?;
            let k = m.n;
            // The operand the previous stage wrote, and a residual ADD's other operand.
            let (x, other) = match (spec.inputs, k.checked_sub(1).and_then(|p| outputs.get(p))) {
                ([Some(a), None], _) => (a, None),
                ([Some(a), Some(b)], Some(&prev)) if a == prev => (a, Some(b)),
                ([Some(a), Some(b)], Some(&prev)) if b == prev => {
                    *m.chain_second.get_mut(k).ok_or(Error::Internal)? = true;
                    (b, Some(a))
                }
                _ => return Err(Error::Internal),
            };
            if k == 0 {
                seg_input = x;
            }
            let mut stage = Stage::of(&spec, nhwc(model, x)?, nhwc(model, spec.output)?).ok_or(Error::Internal)?;
            if let Some(other) = other {
                let done = outputs.get(..k).ok_or(Error::Internal)?;
                stage.skip = tiling::skip_of(seg_input, done, k, other).ok_or(Error::Internal)?;
            }
            *outputs.get_mut(k).ok_or(Error::Internal)? = spec.output;
            *m.ops.get_mut(k).ok_or(Error::Internal)? = o;
            *m.stages.get_mut(k).ok_or(Error::Internal)? = stage;
            *m.out_at.get_mut(k).ok_or(Error::Internal)? = placed(mem, spec.output)?;
            m.input = seg_input;
            *specs.get_mut(k).ok_or(Error::Internal)? = Some((spec, v));
            m.n = k.checked_add(1).ok_or(Error::Internal)?;
            if !run.streams() {
                return Ok(m);
            }
        }
        o = o.checked_add(1).ok_or(Error::Internal)?;
    }
}

/// Disjoint pieces of `mem` at `(offset, length)` (empty ones anywhere): inputs, output,
/// scratch. Fails if two non-empty pieces overlap.
fn carve<'a, const N: usize>(mem: &'a mut [u8], at: [(usize, usize); N]) -> Result<[&'a mut [u8]; N]> {
    // Piece indices by offset (insertion sort: N is 4).
    let mut order = [0usize; N];
    for (k, slot) in order.iter_mut().enumerate() {
        *slot = k;
    }
    let key = |k: usize| at.get(k).map_or(0, |a| a.0);
    for i in 1..N {
        let mut j = i;
        while let Some(p) = j.checked_sub(1) {
            let (Some(&a), Some(&b)) = (order.get(p), order.get(j)) else { break };
            if key(a) <= key(b) {
                break;
            }
            order.swap(p, j);
            j = p;
        }
    }
    let mut pieces: [&'a mut [u8]; N] = core::array::from_fn(|_| -> &'a mut [u8] { &mut [] });
    let (mut rest, mut base) = (mem, 0usize);
    for k in order {
        let (off, len) = *at.get(k).ok_or(Error::Internal)?;
        if len == 0 {
            continue;
        }
        // An offset below the previous piece's end: the pieces overlap.
        let skip = off.checked_sub(base).ok_or(Error::Internal)?;
        let (_, r) = take_front(rest, skip)?;
        let (piece, r) = take_front(r, len)?;
        *pieces.get_mut(k).ok_or(Error::Internal)? = piece;
        rest = r;
        base = off.checked_add(len).ok_or(Error::Internal)?;
    }
    Ok(pieces)
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
    skip_first: usize,
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
    // Where the two inputs are: the previous stage's rows (or the segment input), and a
    // residual ADD's skip rows (an earlier stage's row buffer, or the segment input).
    let source = |k: Option<usize>| match (k, input) {
        (Some(p), _) => m.out_at.get(p).map(|&at| SegmentInput::Arena(at)).ok_or(Error::Internal),
        (None, i) => Ok(i),
    };
    let chain = source(stage.checked_sub(1))?;
    let held = |end: usize, first: usize, row: usize| end.checked_sub(first).and_then(|r| r.checked_mul(row));
    // Output rows that read only padding read no input row (the held rows may end before).
    let (in_first, in_len) = if h.span.range.0 >= h.span.range.1 {
        (h.span.range.0, 0)
    } else {
        (h.in_first, held(h.span.range.1, h.in_first, st.in_row_bytes).ok_or(Error::Internal)?)
    };
    let (skip, skip_len) = match st.skip {
        Skip::None => (None, Some(0)),
        Skip::SegmentInput => (Some(source(None)?), held(h.rows.end, h.skip_first, st.out_row_bytes)),
        Skip::Stage(j) => (Some(source(Some(j))?), held(h.rows.end, h.skip_first, st.out_row_bytes)),
    };
    let skip_len = skip_len.ok_or(Error::Internal)?;
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
    // Arena pieces (an external source takes none), then the caller's bytes for the others.
    let in_arena = |src: Option<SegmentInput<'_>>, len: usize| match src {
        Some(SegmentInput::Arena(at)) => (at, len),
        _ => (0, 0),
    };
    let [x, x2, y, scratch] = carve(
        arena,
        [in_arena(Some(chain), in_len), in_arena(skip, skip_len), (out_at, out_len), (scratch_at, scratch_len)],
    )?;
    // A whole-tensor input holds its rows from row 0 (in_first and skip_first are 0 for it).
    let x: &[u8] = match outside(Some(chain), in_len)? {
        Some(b) => b,
        None => x,
    };
    let x2: &[u8] = match outside(skip, skip_len)? {
        Some(b) => b,
        None => x2,
    };
    // The operator's operand order: a residual ADD may read the previous stage as operand 1.
    let ((a, a_first), (b, b_first)) = if *m.chain_second.get(stage).ok_or(Error::Internal)? {
        ((x2, h.skip_first), (x, in_first))
    } else {
        ((x, in_first), (x2, h.skip_first))
    };
    let call = RowCall {
        input: as_i8(a),
        in_first: a_first,
        input2: as_i8(b),
        in2_first: b_first,
        output: as_i8_mut(y),
        out_first: h.out_first,
        rows: h.rows,
        row_len: [st.in_row_bytes, st.out_row_bytes],
        scratch,
        setup: h.setup,
    };
    (v.rows.ok_or(Error::Internal)?)(spec, call)
}

/// The first `len` bytes of an input in the caller's memory (`None` for one in the arena).
fn outside<'x>(src: Option<SegmentInput<'x>>, len: usize) -> Result<Option<&'x [u8]>> {
    match src {
        Some(SegmentInput::External(bytes)) => bytes.get(..len).ok_or(Error::Internal).map(Some),
        _ => Ok(None),
    }
}

/// Where a segment's input is: at an arena offset, or in the caller's memory.
#[derive(Clone, Copy)]
enum SegmentInput<'x> {
    Arena(usize),
    External(&'x [u8]),
}

/// Where the segment's input tensor `x` is: in the arena, or bound from the caller's memory.
#[inline(never)]
fn segment_input<'x>(x: usize, mem: &Memory<'x>) -> Result<SegmentInput<'x>> {
    match mem.offsets.get(x) {
        NO_OFFSET => mem.external.get(x).map(SegmentInput::External).ok_or(Error::Internal),
        o => Ok(SegmentInput::Arena(o as usize)),
    }
}

/// The last operator of the segment starting at `first`: the first running entry of the
/// run-plan after `first` without the "streams" bit (`first` itself if the plan ends first).
pub fn segment_end(op_plan: &[u16], first: usize) -> usize {
    let mut last = first;
    for (i, &bits) in op_plan.iter().enumerate().skip(first) {
        last = i;
        let how = OpRun::from_bits(bits);
        if !how.is_skip() && !how.streams() {
            break;
        }
    }
    last
}

/// Runs the segment whose first operator is `first`; returns its last operator.
pub fn run_segment(model: &Model<'_>, op_plan: &[u16], first: usize, mem: &mut Memory<'_>) -> Result<usize> {
    // Every member's spec, prepared once for the whole segment (not once per row call).
    let mut specs: [Option<(OpSpec<'_>, &'static Variant)>; MAX_STAGES] = [const { None }; MAX_STAGES];
    let m = members(model, op_plan, first, mem, &mut specs)?;
    let stages = m.stages.get(..m.n).ok_or(Error::Internal)?;
    let last = m.n.checked_sub(1).ok_or(Error::Internal)?;
    if last == 0 {
        return Err(Error::Internal);
    }
    let seg_last = *m.ops.get(last).ok_or(Error::Internal)?;
    let input = segment_input(m.input, mem)?;
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
        Event::Compute { stage, rows, span, in_first, out_first, skip_first } => {
            let setup = core::mem::replace(setup.get_mut(stage).ok_or(Error::Internal)?, false);
            let held = Held { rows, span, in_first, out_first, skip_first, setup };
            compute(model, &specs, &m, input, arena, offsets, stage, held)
        }
    })?;
    Ok(seg_last)
}
