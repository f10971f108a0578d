//! Arena bytes bound to one operator's operands: the activation area split around the
//! operator's scratch, its output writable, its inputs readable beside it or sharing its
//! buffer (when the plan overlaps them). Used by the executor for every operator, and by the
//! conformance tests to run a kernel variant over buffers they lay out themselves.

use crate::error::{Error, Result};
use crate::kernels::io::{Io, Src, Walk};
use crate::runplan::{Offsets, NO_OFFSET};
use crate::schema::Model;
use crate::slices::{inside, span, take_front};

/// Graph inputs the caller binds from its own memory for one invoke (a plan with
/// external inputs gives them no arena bytes): at most [`MAX_EXTERNAL`], read-only, any
/// alignment.
#[derive(Clone, Copy, Debug, Default)]
pub struct External<'x> {
    tensors: [usize; MAX_EXTERNAL],
    bytes: [&'x [u8]; MAX_EXTERNAL],
    n: usize,
}

/// Graph inputs one invoke can bind from the caller's memory.
pub const MAX_EXTERNAL: usize = 8;

impl<'x> External<'x> {
    /// Binds tensor `t` to `bytes` (its exact size, checked by the caller).
    pub fn bind(&mut self, t: usize, bytes: &'x [u8]) -> Result<()> {
        *self.tensors.get_mut(self.n).ok_or(Error::TooLarge)? = t;
        *self.bytes.get_mut(self.n).ok_or(Error::TooLarge)? = bytes;
        self.n = self.n.checked_add(1).ok_or(Error::TooLarge)?;
        Ok(())
    }

    /// The caller's bytes bound to tensor `t`, if any.
    pub fn get(&self, t: usize) -> Option<&'x [u8]> {
        self.tensors.iter().zip(&self.bytes).take(self.n).find(|(&x, _)| x == t).map(|(_, &b)| b)
    }
}

/// The activation area and the plan's offsets, as invoke sees them, and the inputs bound from
/// the caller's memory.
pub struct Memory<'x> {
    pub arena: &'x mut [u8],
    pub offsets: Offsets<'x>,
    pub external: External<'x>,
}

/// Where a tensor's bytes are during an invoke.
enum Place<'r> {
    /// Constant data in the model, or an input bound from the caller's memory.
    Fixed(&'r [u8]),
    /// `(offset, length)` in the arena.
    Arena(usize, usize),
}

/// Where tensor `t` is: constant data, caller memory, or its planned slice of the arena.
fn place<'r>(model: &Model<'r>, offsets: Offsets<'_>, external: &External<'r>, t: usize) -> Result<Place<'r>> {
    let tensor = model.tensor(t)?;
    if let Some(d) = tensor.data {
        return Ok(Place::Fixed(d));
    }
    match offsets.get(t) {
        NO_OFFSET => external.get(t).map(Place::Fixed).ok_or(Error::InvalidArgument),
        o => Ok(Place::Arena(o as usize, tensor.bytes())),
    }
}

/// Bytes of tensor `t`: constant data from the model, or its planned slice of the arena.
pub fn tensor_bytes<'r>(model: &Model<'r>, arena: &'r [u8], offsets: Offsets<'_>, t: usize) -> Result<&'r [u8]> {
    match place(model, offsets, &External::default(), t)? {
        Place::Fixed(d) => Ok(d),
        Place::Arena(o, n) => span(arena, o, n).ok_or(Error::InvalidArgument),
    }
}

/// The arena for one operator: its scratch carved out, the rest in two writable parts.
pub struct Bound<'s, 'm: 's> {
    model: Model<'m>,
    offsets: Offsets<'s>,
    external: External<'s>,
    /// `(base offset, bytes)` of the arena before and after the scratch.
    parts: [(usize, &'s mut [u8]); 2],
    pub scratch: &'s mut [u8],
}

/// Planned `(offset, length)` of an output in the arena (outputs always have one).
fn placed_output(model: &Model<'_>, offsets: Offsets<'_>, t: usize) -> Result<(usize, usize)> {
    let tensor = model.tensor(t)?;
    match offsets.get(t) {
        NO_OFFSET => Err(Error::InvalidArgument),
        _ if tensor.data.is_some() => Err(Error::InvalidArgument),
        o => Ok((o as usize, tensor.bytes())),
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
        let (model, offsets, external) = (self.model, self.offsets, self.external);
        let o = placed_output(&model, offsets, out)?;
        let OutputPart { base: obase, buf: obuf, rel: orel, other_base, other } = self.output_part(o)?;
        let mut srcs = [Src::Slice(&[]), Src::Slice(&[])];
        let mut walk = Walk::Forward;
        for (slot, t) in srcs.iter_mut().zip(ins) {
            let Some(t) = t else { continue };
            let at = match place(&model, offsets, &external, t)? {
                Place::Fixed(d) => {
                    *slot = Src::Slice(as_i8(d));
                    continue;
                }
                Place::Arena(o, n) => (o, n),
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
        let o = placed_output(&self.model, self.offsets, out)?;
        let Place::Arena(i0, i1) = place(&self.model, self.offsets, &self.external, inp)? else { return Ok(None) };
        let i = (i0, i1);
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
        let (model, offsets, external) = (self.model, self.offsets, self.external);
        let o = placed_output(&model, offsets, out)?;
        let OutputPart { base: obase, buf: obuf, rel, other_base, other } = self.output_part(o)?;
        let (before, rest) = take_front(obuf, rel)?;
        let (outb, after) = take_front(rest, o.1)?;
        // The output lies inside its part: its end does not overflow.
        let after_base = o.0.checked_add(o.1).ok_or(Error::InvalidArgument)?;
        let pieces = [(obase, &*before), (after_base, &*after), (other_base, other)];
        Ok(Split { model, offsets, external, pieces, out: outb })
    }
}

/// Inputs readable beside a writable output (see [`Bound::split`]).
pub struct Split<'s, 'm: 's> {
    model: Model<'m>,
    offsets: Offsets<'s>,
    external: External<'s>,
    pieces: [(usize, &'s [u8]); 3],
    pub out: &'s mut [u8],
}

impl<'s, 'm: 's> Split<'s, 'm> {
    /// Bytes of input tensor `t` (constant or planned); fails if they overlap the output.
    pub fn input(&self, t: usize) -> Result<&'s [u8]> {
        let at = match place(&self.model, self.offsets, &self.external, t)? {
            Place::Fixed(d) => return Ok(d),
            Place::Arena(o, n) => (o, n),
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
        Ok(Bound {
            model: *model,
            offsets: self.offsets,
            external: self.external,
            parts: [(0, p0), (p1_base, p1)],
            scratch,
        })
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
