//! Step 1 of planning: the schedule rewritten for memory, and each buffer's size, lifetime,
//! alias and overlap permission.

use super::overlap::OverlapKind;
use super::place::Pos;
use super::{choose, segments, BufferInfo, Options, EXACT, NEVER, NO_BUFFER};
use crate::error::{Error, Result};
use crate::ops;
use crate::runplan::OpRun;
use crate::schema::opcodes::OpKind;
use crate::schema::Model;
use crate::slices::entry;

/// The buffer (following aliases) whose bytes tensor `t` uses.
pub(super) fn root(info: &[BufferInfo], t: usize) -> usize {
    let mut r = t;
    // Alias chains only point to lower-numbered roots resolved when they were made, so one
    // step suffices; the bound keeps a corrupted table from looping.
    for _ in 0..2 {
        match info.get(r) {
            Some(b) if b.alias != NO_BUFFER && b.alias as usize != r => r = b.alias as usize,
            _ => break,
        }
    }
    r
}

/// The operator reading tensor `t`, if exactly one input slot of one operator reads it.
fn sole_consumer(model: &Model<'_>, t: usize) -> Result<Option<usize>> {
    let mut found = None;
    for o in 0..model.num_operators() {
        let op = model.operator(o)?;
        for i in 0..op.num_inputs() {
            if op.input(i) == Some(t) {
                if found.is_some() {
                    return Ok(None);
                }
                found = Some(o);
            }
        }
    }
    Ok(found)
}

fn is_graph_output(model: &Model<'_>, t: usize) -> bool {
    (0..model.num_outputs()).any(|i| model.output(i).ok() == Some(t))
}

/// True when tensor `t` is a graph input kept in the caller's memory under `options`
/// ([`Options::external_input`]): not constant, not a graph output, not variable state.
pub fn is_external(model: &Model<'_>, options: &Options, t: usize) -> Result<bool> {
    if !options.external_input || !(0..model.num_inputs()).any(|i| model.input(i).ok() == Some(t)) {
        return Ok(false);
    }
    Ok(model.tensor_data(t)?.is_none() && !model.tensor_is_variable(t)? && !is_graph_output(model, t))
}

/// True when buffer `b` holds a graph input or variable state: it is live before operator 0
/// (its `first` of 0 does not mean operator 0 writes it first).
fn live_before_first_op(model: &Model<'_>, info: &[BufferInfo], b: usize) -> Result<bool> {
    for i in 0..model.num_inputs() {
        if root(info, model.input(i)?) == b {
            return Ok(true);
        }
    }
    for t in 0..model.num_tensors() {
        if model.tensor_is_variable(t)? && root(info, t) == b {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The run-plan entry of an operator that runs, before its variant is chosen.
const UNCHOSEN: OpRun = OpRun::run(0);

/// Fills `info` (one per buffer) and `op_plan` (one per operator). Returns the layer plan's
/// lower bound when fused segments replaced it ([`segments::fuse`]).
pub fn analyze(
    model: &Model<'_>,
    options: &Options,
    info: &mut [BufferInfo],
    op_plan: &mut [u16],
) -> Result<Option<Pos>> {
    let nt = model.num_tensors();
    let nops = model.num_operators();
    if nt.checked_add(nops) != Some(info.len()) || op_plan.len() != nops {
        return Err(Error::InvalidArgument);
    }
    for (i, b) in info.iter_mut().enumerate() {
        *b = BufferInfo { alias: i as u16, ..BufferInfo::default() };
    }
    op_plan.fill(UNCHOSEN.to_bits());

    // --- schedule rewrites: PAD folding and RESHAPE aliasing ---
    for o in 0..nops {
        let op = model.operator(o)?;
        let Some(kind) = OpKind::from_code(op.opcode) else { continue };
        let (Some(x), Some(y)) = (op.input(0), op.output(0)) else { continue };
        let x_const = model.tensor_data(x)?.is_some();
        // Outputs apart: a graph output `y` gets bytes of its own (a copy), not an input's.
        let output_over_input = |x: usize, y: usize| -> Result<bool> {
            Ok(options.outputs_apart && is_graph_output(model, y) && is_input_root(model, info, root(info, x))?)
        };
        match kind {
            OpKind::Pad | OpKind::PadV2 if options.pad_fusion && !x_const && !is_graph_output(model, y) => {
                // A consumer up to 127 operators later (the run-plan entry's reach).
                let fused = sole_consumer(model, y)?.and_then(|c| Some((c, UNCHOSEN.with_fused_pad(c, o)?)));
                if let Some((c, fused)) = fused {
                    if ops::pad_foldable(model, o, c)? {
                        *entry(op_plan, o)? = OpRun::SKIP.to_bits();
                        *entry(op_plan, c)? = fused.to_bits();
                    }
                }
            }
            OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims
                if options.alias && !x_const && !is_external(model, options, x)? && !output_over_input(x, y)? =>
            {
                *entry(op_plan, o)? = OpRun::SKIP.to_bits();
                let r = root(info, x);
                if let Some(b) = info.get_mut(y) {
                    b.alias = r as u16;
                }
            }
            _ => {}
        }
    }

    // --- lifetimes (on alias roots) ---
    const UNSEEN: u16 = u16::MAX;
    for b in info.iter_mut().take(nt) {
        b.first = UNSEEN;
        b.last = 0;
    }
    let touch = |info: &mut [BufferInfo], t: usize, at: u16| {
        let r = root(info, t);
        if let Some(b) = info.get_mut(r) {
            b.first = b.first.min(at);
            b.last = b.last.max(at);
        }
    };
    for i in 0..model.num_inputs() {
        touch(info, model.input(i)?, 0);
    }
    // Graph outputs and variable tensors must survive the last operator: they live one step
    // past it, so that no operator ever sees them die (and overwrites them in place).
    let after = u16::try_from(nops).map_err(|_| Error::TooLarge)?;
    for i in 0..model.num_outputs() {
        touch(info, model.output(i)?, after);
    }
    for (o, how) in op_plan.iter().map(|&h| OpRun::from_bits(h)).enumerate() {
        if how.is_skip() {
            continue;
        }
        let op = model.operator(o)?;
        let at = o as u16;
        for i in 0..op.num_inputs() {
            if let Some(t) = op.input(i) {
                // A folded PAD: this operator reads the PAD's input instead of its output.
                let t = match (i, how.fused_pad(o)) {
                    (0, Some(p)) => model.operator(p)?.input(0).unwrap_or(t),
                    _ => t,
                };
                touch(info, t, at);
            }
        }
        for i in 0..op.num_outputs() {
            if let Some(t) = op.output(i) {
                touch(info, t, at);
            }
        }
    }
    // A variable tensor keeps its state across invokes: the bytes it uses (its alias root's:
    // a RESHAPE may alias it to another tensor) live from before the first operator to past
    // the last, if the graph uses them at all.
    for t in 0..nt {
        if model.tensor_is_variable(t)? {
            let r = root(info, t);
            if let Some(b) = info.get_mut(r).filter(|b| b.first != UNSEEN) {
                b.first = 0;
                b.last = after;
            }
        }
    }
    // Inputs kept intact: their bytes live past the last operator, as the outputs' do, so
    // nothing is placed over them and no operator writes over them in place.
    if options.keep_inputs {
        for i in 0..model.num_inputs() {
            let r = root(info, model.input(i)?);
            if let Some(b) = info.get_mut(r).filter(|b| b.first != UNSEEN) {
                b.last = after;
            }
        }
    }
    for (t, b) in info.iter_mut().enumerate().take(nt) {
        let is_root = b.alias as usize == t;
        // An external input takes no arena bytes: it is never placed.
        if b.first == UNSEEN || model.tensor_data(t)?.is_some() || !is_root || is_external(model, options, t)? {
            b.size = 0;
            b.first = 0;
            b.last = 0;
            continue;
        }
        b.size = u32::try_from(model.tensor_byte_size(t)?).map_err(|_| Error::TooLarge)?;
    }

    // --- per-op variants, scratch and overlap permissions ---
    // A port's faster variants may use more bytes than the smallest at operators below the
    // model's largest least footprint, the budget (only when a port is compiled in). The first
    // pass finds the budget and keeps every choice the budget seen so far settles (a larger one
    // only ever turns the smallest variant into the port's); the second chooses the rest.
    // Scratch buffer of operator `o` is `nt + o` (< info.len(), checked above); its record
    // gets its alias (itself) when the operator's variant is chosen.
    for s in info.iter_mut().skip(nt) {
        *s = BufferInfo::default();
    }
    let mut budget = 0i64;
    if !crate::variants::port_table().is_empty() {
        for o in 0..nops {
            let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
            if !run.is_skip() {
                let candidates = choose::Candidates::of(&ops::prepare(model, o, run.fused_pad(o))?)?;
                budget = budget.max(candidates.least_footprint());
                if let Some(choice) = candidates.choose_above(budget) {
                    apply_choice(model, options, info, op_plan, o, choice)?;
                }
            }
        }
    }
    for (o, s) in (0..nops).zip(nt..) {
        let run = OpRun::from_bits(*op_plan.get(o).ok_or(Error::Internal)?);
        if run.is_skip() {
            let at = o as u16;
            *entry(info, s)? = BufferInfo { alias: s as u16, first: at, last: at, ..BufferInfo::default() };
            // Still validate the operator itself (a folded PAD must be a valid PAD).
            ops::prepare(model, o, None)?;
            continue;
        }
        if entry(info, s)?.alias != NO_BUFFER {
            continue;
        }
        let spec = ops::prepare(model, o, run.fused_pad(o))?;
        let choice = choose::Candidates::of(&spec)?.choose(budget);
        apply_choice(model, options, info, op_plan, o, choice)?;
    }
    let layer_bound = if options.patch { segments::fuse(model, info, op_plan, options.patch_all)? } else { None };
    if options.outputs_apart {
        keep_outputs_apart(model, info)?;
    }
    Ok(layer_bound)
}

/// Runs operator `o` (not skipped) with `choice`: its variant in `op_plan`, its scratch
/// record (buffer `num_tensors + o`), and its output's overlap with a dying input, when the
/// variant allows one and `options` the kind.
fn apply_choice(
    model: &Model<'_>,
    options: &Options,
    info: &mut [BufferInfo],
    op_plan: &mut [u16],
    o: usize,
    choice: choose::Choice,
) -> Result<()> {
    let nt = model.num_tensors();
    // Below MAX_BUFFERS (checked at parse).
    let (at, s) = (o as u16, nt.saturating_add(o));
    let how = entry(op_plan, o)?;
    *how = OpRun::from_bits(*how).with_variant(choice.id as u8).to_bits();
    let size = u32::try_from(choice.scratch).map_err(|_| Error::TooLarge)?;
    *entry(info, s)? = BufferInfo { size, alias: s as u16, first: at, last: at, ..BufferInfo::default() };
    let Some(ov) = choice.overlap else { return Ok(()) };
    let allowed = match ov.kind {
        OverlapKind::Elementwise => options.in_place,
        OverlapKind::Window => options.overlap,
    };
    if !allowed {
        return Ok(());
    }
    let op = model.operator(o)?;
    let Some(y) = op.output(0) else { return Ok(()) };
    let b = root(info, y);
    let born_here = |i: &BufferInfo| i.size > 0 && i.first == at;
    if b >= nt || !info.get(b).is_some_and(born_here) || (at == 0 && live_before_first_op(model, info, b)?) {
        return Ok(());
    }
    // The first candidate input that dies here (and is not the output itself).
    let dies = |x: usize| {
        let a = root(info, x);
        let dying = |i: &BufferInfo| i.size > 0 && i.last == at;
        (a < nt && a != b && info.get(a).is_some_and(dying)).then_some(a)
    };
    let Some(a) = dies(ov.input).or_else(|| ov.alt_input.and_then(dies)) else { return Ok(()) };
    // EXACT stays EXACT; real distances are clamped away from the sentinels.
    const ABOVE_EXACT: i64 = EXACT as i64 + 1;
    let clamp = |d: i64| if d == EXACT as i64 { EXACT } else { d.clamp(ABOVE_EXACT, NEVER as i64) as i32 };
    let out = entry(info, b)?;
    out.partner = a as u16;
    out.forward = clamp(ov.forward);
    out.backward = clamp(ov.backward);
    Ok(())
}

/// True when buffer `r` is the alias root of a graph input.
fn is_input_root(model: &Model<'_>, info: &[BufferInfo], r: usize) -> Result<bool> {
    for i in 0..model.num_inputs() {
        if root(info, model.input(i)?) == r {
            return Ok(true);
        }
    }
    Ok(false)
}

/// [`Options::outputs_apart`] on finished lifetimes (after fused segments): no graph output
/// overlaps a graph input's bytes, in place or by a fused segment's lead (its overlap
/// permission is dropped), and every graph output is live at least from where each input dies
/// on, so that the placers, which share bytes only between buffers not live at once (or an
/// output and its permitted partner), never give it an input's bytes.
fn keep_outputs_apart(model: &Model<'_>, info: &mut [BufferInfo]) -> Result<()> {
    for j in 0..model.num_outputs() {
        let b = root(info, model.output(j)?);
        for i in 0..model.num_inputs() {
            let a = root(info, model.input(i)?);
            let Some(&ai) = info.get(a).filter(|ai| ai.size > 0 && a != b) else { continue };
            let out = entry(info, b)?;
            if out.size == 0 {
                break;
            }
            if out.partner as usize == a {
                (out.partner, out.forward, out.backward) = (NO_BUFFER, NEVER, NEVER);
            }
            out.first = out.first.min(ai.last);
        }
    }
    Ok(())
}
