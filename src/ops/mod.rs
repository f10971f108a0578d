//! Operator glue: from a verified operator to kernel parameters and arena slices.
//!
//! Each operator has one function `fn(&Ctx, Option<&mut Memory>) -> Result<OpFacts>`. Without
//! memory it validates the operator (types, shapes, quantization, options) and tells the
//! planner its scratch bytes and how its output may overlap its input — the planner calls it
//! at init, and which kernel variant it chose when the choice changes the memory plan. With
//! memory it recomputes the same parameters (cheap: no table is kept per op) and runs the
//! kernel the plan chose. Both paths share every check, so invoke cannot reach a kernel with
//! parameters init did not accept.

// No reachable panic (see "Panic freedom" in the crate docs).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::todo,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod dispatch;

use crate::error::{Error, Result};
use crate::kernels::io::{Io, Src, Walk};
use crate::plan::{Kernel, Offsets, OpRun, NO_OFFSET};
use crate::schema::flatbuf::Table;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Model, Operator, Tensor};
use crate::slices::{inside, span, take_front};

pub(crate) use dispatch::run;

/// The activation area and the plan's offsets, as invoke sees them.
pub(crate) struct Memory<'x> {
    pub arena: &'x mut [u8],
    pub offsets: Offsets<'x>,
}

/// One operator being prepared or run.
pub(crate) struct Ctx<'m> {
    pub model: Model<'m>,
    pub op: Operator<'m>,
    pub index: usize,
    pub kind: OpKind,
    /// A PAD operator folded into this one (its input replaces input 0, its paddings are
    /// applied virtually).
    pub fused_pad: Option<usize>,
    /// The kernel the plan chose (invoke-time; `Standard` while preparing).
    pub kernel: Kernel,
}

/// Which planner option governs an overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OverlapKind {
    /// Same-index elementwise work (in-place).
    Elementwise,
    /// A sliding window walking its output in order.
    Window,
}

/// How an operator's output may overlap one of its inputs when that input dies there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Overlap {
    /// Tensor index of the input (after PAD folding).
    pub input: Option<usize>,
    /// Another input that may be overwritten instead, if `input` does not die here.
    pub alt_input: Option<usize>,
    pub kind: OverlapKind,
    /// The output may start this many bytes before the input, walking forward
    /// (`plan::NEVER as i64` or more: not at all).
    pub forward: i64,
    /// The output may start this many bytes after the input, walking backward.
    pub backward: i64,
}

impl Overlap {
    /// Forward-only in-place work on input `input` (output start ≤ input start).
    pub fn forward_only(input: usize) -> Overlap {
        Overlap {
            input: Some(input),
            alt_input: None,
            kind: OverlapKind::Elementwise,
            forward: 0,
            backward: crate::plan::NEVER as i64,
        }
    }
}

/// What the planner learns from validating an operator.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpFacts {
    /// Scratch bytes during the operator.
    pub scratch: usize,
    /// Overlap permission, if the kernel supports one.
    pub overlap: Option<Overlap>,
    /// The kernel variant these facts are for.
    pub kernel: Kernel,
}

impl OpFacts {
    /// No scratch, no overlap, the standard kernel.
    pub const PLAIN: OpFacts = OpFacts { scratch: 0, overlap: None, kernel: Kernel::Standard };
}

impl<'m> Ctx<'m> {
    /// The error for an operator whose tensors or options are inconsistent.
    pub fn bad(&self) -> Error {
        Error::BadOperator { op: self.index as u32, opcode: self.op.opcode }
    }
    /// The error for missing or malformed options.
    pub fn bad_options(&self) -> Error {
        Error::BadOptions { op: self.index as u32, opcode: self.op.opcode }
    }
    /// Required input `i`: its tensor index and description.
    pub fn input(&self, i: usize) -> Result<(usize, Tensor<'m>)> {
        let t = self.op.input(i).ok_or(self.bad())?;
        Ok((t, self.model.tensor(t)?))
    }
    /// Optional input `i` (absent or index -1 gives `None`).
    pub fn opt_input(&self, i: usize) -> Result<Option<(usize, Tensor<'m>)>> {
        match self.op.input(i) {
            Some(t) => Ok(Some((t, self.model.tensor(t)?))),
            None => Ok(None),
        }
    }
    /// Required output `i`.
    pub fn output(&self, i: usize) -> Result<(usize, Tensor<'m>)> {
        let t = self.op.output(i).ok_or(self.bad())?;
        let tensor = self.model.tensor(t)?;
        if tensor.data.is_some() {
            return Err(self.bad());
        }
        Ok((t, tensor))
    }
    /// The options table, checked to be of the operator's own options type. `None` if absent
    /// (the schema defaults then apply, as in TFLM).
    pub fn options(&self) -> Result<Option<Table<'m>>> {
        match self.op.options {
            Some(t) if self.op.options_type == self.kind.options_type() => Ok(Some(t)),
            Some(_) => Err(self.bad_options()),
            None if self.op.options_type != 0 => Err(self.bad_options()),
            None => Ok(None),
        }
    }
    /// Requires exactly `n_in` inputs (ignoring trailing absent ones is not allowed) and `n_out` outputs.
    pub fn arity(&self, n_in: core::ops::RangeInclusive<usize>, n_out: usize) -> Result<()> {
        if !n_in.contains(&self.op.num_inputs()) || self.op.num_outputs() != n_out {
            return Err(self.bad());
        }
        Ok(())
    }
}

/// Requires `t` to have type `d`.
pub(crate) fn want(c: &Ctx<'_>, t: &Tensor<'_>, d: DType) -> Result<()> {
    if t.dtype == d {
        Ok(())
    } else {
        Err(c.bad())
    }
}

/// Per-tensor int8 quantization `(scale, zero_point)`, checked usable (scale > 0, zp in range).
pub(crate) fn q8(c: &Ctx<'_>, t: &Tensor<'_>) -> Result<(f32, i32)> {
    want(c, t, DType::I8)?;
    let s = t.quant.scale();
    let zp = t.quant.zero_point();
    if s.is_nan() || s <= 0.0 || !(-128..=127).contains(&zp) {
        return Err(c.bad());
    }
    Ok((s, zp))
}

/// Validates operator `index` (with PAD `fused_pad` folded in) and returns what the planner
/// needs (init-time).
pub(crate) fn prepare(model: &Model<'_>, index: usize, fused_pad: Option<usize>) -> Result<OpFacts> {
    let c = ctx(model, index, fused_pad)?;
    run(&c, None)
}

/// Runs operator `index` as its run-plan entry `how` says (invoke-time).
pub(crate) fn eval(model: &Model<'_>, index: usize, how: OpRun, mem: &mut Memory<'_>) -> Result<()> {
    let mut c = ctx(model, index, how.fused_pad())?;
    c.kernel = how.kernel().ok_or(c.bad())?;
    run(&c, Some(mem)).map(|_| ()).map_err(|e| match e {
        Error::BadOperator { op, opcode } | Error::BadOptions { op, opcode } => Error::KernelFailed { op, opcode },
        e => e,
    })
}

/// True when PAD/PADV2 operator `pad` can be folded into operator `consumer` as virtual
/// padding with bit-identical results: the consumer is a CONV_2D or DEPTHWISE_CONV_2D reading
/// the PAD's output as input 0, the padding touches only H and W, and the pad value equals the
/// consumer's input zero point (padded taps then contribute nothing, as in the kernel).
pub(crate) fn pad_foldable(model: &Model<'_>, pad: usize, consumer: usize) -> Result<bool> {
    // An unsupported consumer or PAD is not folded; the operator's own validation, in
    // schedule order, reports it (so the error names the same operator whatever the options).
    let Ok(c) = ctx(model, consumer, Some(pad)) else { return Ok(false) };
    if !matches!(c.kind, OpKind::Conv2d | OpKind::DepthwiseConv2d) {
        return Ok(false);
    }
    let Ok(p) = ctx(model, pad, None) else { return Ok(false) };
    if run(&p, None).is_err() || p.op.output(0) != c.op.input(0) {
        return Ok(false);
    }
    Ok(dispatch::folded_padding(&c).is_ok() && run(&c, None).is_ok())
}

fn ctx<'m>(model: &Model<'m>, index: usize, fused_pad: Option<usize>) -> Result<Ctx<'m>> {
    let op = model.operator(index)?;
    let kind = OpKind::from_code(op.opcode).ok_or(Error::UnsupportedOp { op: index as u32, opcode: op.opcode })?;
    Ok(Ctx { model: *model, op, index, kind, fused_pad, kernel: Kernel::Standard })
}

/// Bytes of tensor `t`: constant data from the model, or its planned slice of the arena.
pub(crate) fn tensor_bytes<'r>(model: &Model<'r>, arena: &'r [u8], offsets: Offsets<'_>, t: usize) -> Result<&'r [u8]> {
    let tensor = model.tensor(t)?;
    if let Some(d) = tensor.data {
        return Ok(d);
    }
    let off = offsets.get(t);
    if off == NO_OFFSET {
        return Err(Error::InvalidArgument);
    }
    span(arena, off as usize, tensor.bytes()).ok_or(Error::InvalidArgument)
}

/// The arena for one operator: its scratch carved out, the rest in two writable parts.
pub(crate) struct Bound<'s, 'm> {
    model: Model<'m>,
    offsets: Offsets<'s>,
    /// `(base offset, bytes)` of the arena before and after the scratch.
    parts: [(usize, &'s mut [u8]); 2],
    pub scratch: &'s mut [u8],
}

/// Planned `(offset, length)` of a tensor in the arena, or `None` for a constant.
fn placed(model: &Model<'_>, offsets: Offsets<'_>, t: usize) -> Result<Option<(usize, usize)>> {
    let tensor = model.tensor(t)?;
    if tensor.data.is_some() {
        return Ok(None);
    }
    match offsets.get(t) {
        NO_OFFSET => Err(Error::InvalidArgument),
        o => Ok(Some((o as usize, tensor.bytes()))),
    }
}

/// True when the ranges `a` and `b` (offset, length) share a byte. Both lie inside the arena
/// (checked by [`inside`] before), so their ends cannot overflow.
fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.0.saturating_add(b.1) && b.0 < a.0.saturating_add(a.1)
}

/// The arena part holding an operator's output (writable) and the other part (readable).
struct OutputPart<'b> {
    /// Arena offset and bytes of the output's part.
    base: usize,
    buf: &'b mut [u8],
    /// Where the output starts inside `buf`.
    rel: usize,
    /// Arena offset and bytes of the other part.
    other_base: usize,
    other: &'b [u8],
}

impl<'s, 'm: 's> Bound<'s, 'm> {
    /// The part holding output `o` and the other part.
    fn output_part(&mut self, o: (usize, usize)) -> Result<OutputPart<'_>> {
        let [(b0, p0), (b1, p1)] = &mut self.parts;
        if let Some(rel) = inside(*b0, p0.len(), o) {
            Ok(OutputPart { base: *b0, buf: p0, rel, other_base: *b1, other: p1 })
        } else if let Some(rel) = inside(*b1, p1.len(), o) {
            Ok(OutputPart { base: *b1, buf: p1, rel, other_base: *b0, other: p0 })
        } else {
            Err(Error::InvalidArgument)
        }
    }

    /// An [`Io`] for a kernel writing tensor `out` from activation inputs `ins`, and the walk
    /// order the plan requires (backward only when the output starts after an input it
    /// overlaps).
    pub fn io(&mut self, out: usize, ins: [Option<usize>; 2]) -> Result<(Io<'_>, Walk)> {
        let (model, offsets) = (self.model, self.offsets);
        let o = placed(&model, offsets, out)?.ok_or(Error::InvalidArgument)?;
        let OutputPart { base: obase, buf: obuf, rel: orel, other_base, other } = self.output_part(o)?;
        let mut srcs = [Src::Slice(&[]), Src::Slice(&[])];
        let mut walk = Walk::Forward;
        for (slot, t) in srcs.iter_mut().zip(ins) {
            let Some(t) = t else { continue };
            let Some(at) = placed(&model, offsets, t)? else {
                *slot = Src::Slice(as_i8(model.tensor(t)?.data.unwrap_or(&[])));
                continue;
            };
            *slot = if let Some(rel) = inside(obase, obuf.len(), at) {
                if overlap(at, o) && o.0 > at.0 {
                    walk = Walk::Backward;
                }
                Src::Shared { offset: rel, len: at.1 }
            } else if let Some(rel) = inside(other_base, other.len(), at) {
                Src::Slice(as_i8(span(other, rel, at.1).unwrap_or(&[])))
            } else {
                return Err(Error::InvalidArgument);
            };
        }
        let io = Io::shared(as_i8_mut(obuf), orel, o.1, srcs).ok_or(Error::InvalidArgument)?;
        Ok((io, walk))
    }

    /// Raw bytes of the part holding output `out` plus the offsets of `out` and of input `inp`
    /// in it, when both lie in that part (in-place type conversions); `None` otherwise.
    pub fn bytes_in_place(&mut self, out: usize, inp: usize) -> Result<Option<(&mut [u8], usize, usize)>> {
        let o = placed(&self.model, self.offsets, out)?.ok_or(Error::InvalidArgument)?;
        let Some(i) = placed(&self.model, self.offsets, inp)? else { return Ok(None) };
        for (base, buf) in &mut self.parts {
            if let Some(orel) = inside(*base, buf.len(), o) {
                return Ok(inside(*base, buf.len(), i).map(|irel| (&mut **buf, irel, orel)));
            }
        }
        Err(Error::InvalidArgument)
    }

    /// Separate slices for kernels whose output never overlaps an input: inputs first (by
    /// tensor index), then the output. Fails if an input overlaps the output.
    pub fn split(&mut self, out: usize) -> Result<Split<'_, 'm>> {
        let (model, offsets) = (self.model, self.offsets);
        let o = placed(&model, offsets, out)?.ok_or(Error::InvalidArgument)?;
        let OutputPart { base: obase, buf: obuf, rel, other_base, other } = self.output_part(o)?;
        let (before, rest) = take_front(obuf, rel)?;
        let (outb, after) = take_front(rest, o.1)?;
        // The output lies inside its part: its end does not overflow.
        let after_base = o.0.checked_add(o.1).ok_or(Error::InvalidArgument)?;
        Ok(Split { model, offsets, pieces: [(obase, &*before), (after_base, &*after), (other_base, other)], out: outb })
    }
}

/// Inputs readable beside a writable output (see [`Bound::split`]).
pub(crate) struct Split<'s, 'm> {
    model: Model<'m>,
    offsets: Offsets<'s>,
    pieces: [(usize, &'s [u8]); 3],
    pub out: &'s mut [u8],
}

impl<'s, 'm: 's> Split<'s, 'm> {
    /// Bytes of input tensor `t` (constant or planned); fails if they overlap the output.
    pub fn input(&self, t: usize) -> Result<&'s [u8]> {
        let Some(at) = placed(&self.model, self.offsets, t)? else {
            return self.model.tensor(t)?.data.ok_or(Error::InvalidArgument);
        };
        for &(base, piece) in &self.pieces {
            if let Some(rel) = inside(base, piece.len(), at) {
                return span(piece, rel, at.1).ok_or(Error::InvalidArgument);
            }
        }
        Err(Error::InvalidArgument)
    }
}

impl<'x> Memory<'x> {
    /// The arena for operator `c` with `scratch_len` bytes of its planned scratch carved out.
    pub fn bind<'s, 'm>(&'s mut self, c: &Ctx<'m>, scratch_len: usize) -> Result<Bound<'s, 'm>> {
        let len = self.arena.len();
        let (at, n) = if scratch_len == 0 {
            (len, 0)
        } else {
            // The scratch buffer of operator `index` follows the tensors.
            let b = c.model.num_tensors().checked_add(c.index).ok_or(Error::InvalidArgument)?;
            match self.offsets.get(b) {
                o if o != NO_OFFSET && inside(0, len, (o as usize, scratch_len)).is_some() => (o as usize, scratch_len),
                _ => return Err(Error::InvalidArgument),
            }
        };
        let (p0, rest) = take_front(self.arena, at)?;
        let (scratch, p1) = take_front(rest, n)?;
        // at + n ≤ len (checked just above).
        let p1_base = at.saturating_add(n);
        Ok(Bound { model: c.model, offsets: self.offsets, parts: [(0, p0), (p1_base, p1)], scratch })
    }
}

/// `&[u8]` as `&[i8]`.
pub(crate) fn as_i8(b: &[u8]) -> &[i8] {
    bytemuck::cast_slice(b)
}

/// `&mut [u8]` as `&mut [i8]`.
pub(crate) fn as_i8_mut(b: &mut [u8]) -> &mut [i8] {
    bytemuck::cast_slice_mut(b)
}
