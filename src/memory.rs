//! Arena bytes bound to one operator's operands: the activation area split around the
//! operator's scratch, its output writable, its inputs readable beside it or sharing its
//! buffer (when the plan overlaps them). Used by the executor for every operator, and by the
//! conformance tests to run a kernel variant over buffers they lay out themselves.

use crate::error::{Error, Result};
use crate::kernels::io::{Io, Src, Walk};
use crate::runplan::{Offsets, NO_OFFSET};
use crate::schema::Model;
use crate::slices::{inside, span, take_front};

/// The activation area and the plan's offsets, as invoke sees them.
pub struct Memory<'x> {
    pub arena: &'x mut [u8],
    pub offsets: Offsets<'x>,
}

/// Bytes of tensor `t`: constant data from the model, or its planned slice of the arena.
pub fn tensor_bytes<'r>(model: &Model<'r>, arena: &'r [u8], offsets: Offsets<'_>, t: usize) -> Result<&'r [u8]> {
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
pub struct Bound<'s, 'm: 's> {
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
    /// The model whose operator this binds.
    pub fn model(&self) -> &Model<'m> {
        &self.model
    }

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
pub struct Split<'s, 'm: 's> {
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
    /// The arena for operator `op` of `model` with `scratch_len` bytes of its planned scratch
    /// carved out.
    pub fn bind<'s, 'm>(&'s mut self, model: &Model<'m>, op: usize, scratch_len: usize) -> Result<Bound<'s, 'm>> {
        let len = self.arena.len();
        let (at, n) = if scratch_len == 0 {
            (len, 0)
        } else {
            // The scratch buffer of operator `index` follows the tensors.
            let b = model.num_tensors().checked_add(op).ok_or(Error::InvalidArgument)?;
            match self.offsets.get(b) {
                o if o != NO_OFFSET && inside(0, len, (o as usize, scratch_len)).is_some() => (o as usize, scratch_len),
                _ => return Err(Error::InvalidArgument),
            }
        };
        let (p0, rest) = take_front(self.arena, at)?;
        let (scratch, p1) = take_front(rest, n)?;
        // at + n ≤ len (checked just above).
        let p1_base = at.saturating_add(n);
        Ok(Bound { model: *model, offsets: self.offsets, parts: [(0, p0), (p1_base, p1)], scratch })
    }
}

/// `&[u8]` as `&[i8]`.
pub fn as_i8(b: &[u8]) -> &[i8] {
    bytemuck::cast_slice(b)
}

/// `&mut [u8]` as `&mut [i8]`.
pub fn as_i8_mut(b: &mut [u8]) -> &mut [i8] {
    bytemuck::cast_slice_mut(b)
}
