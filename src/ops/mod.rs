//! Operator glue: from a verified operator to kernel parameters and arena slices.
//!
//! Each operator has one function `fn(&Ctx, Option<&mut Memory>) -> Result<usize>`. Without
//! memory it validates the operator (types, shapes, quantization, options) and returns its
//! scratch bytes — the planner calls it at init. With memory it recomputes the same parameters
//! (cheap: no table is kept per op) and runs the kernel. Both paths share every check, so
//! invoke cannot reach a kernel with parameters init did not accept.

mod dispatch;

use crate::error::{Error, Result};
use crate::plan::NO_OFFSET;
use crate::schema::flatbuf::Table;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Model, Operator, Tensor};

pub(crate) use dispatch::run;

/// The activation area and the plan's offsets, as invoke sees them.
pub(crate) struct Memory<'x> {
    pub arena: &'x mut [u8],
    pub offsets: &'x [u32],
}

/// One operator being prepared or run.
pub(crate) struct Ctx<'m> {
    pub model: Model<'m>,
    pub op: Operator<'m>,
    pub index: usize,
    pub kind: OpKind,
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

/// Validates operator `index` and returns its scratch bytes (init-time).
pub(crate) fn prepare(model: &Model<'_>, index: usize) -> Result<usize> {
    let c = ctx(model, index)?;
    run(&c, None)
}

/// Runs operator `index` (invoke-time).
pub(crate) fn eval(model: &Model<'_>, index: usize, mem: &mut Memory<'_>) -> Result<()> {
    let c = ctx(model, index)?;
    run(&c, Some(mem)).map(|_| ()).map_err(|e| match e {
        Error::BadOperator { op, opcode } | Error::BadOptions { op, opcode } => Error::KernelFailed { op, opcode },
        e => e,
    })
}

fn ctx<'m>(model: &Model<'m>, index: usize) -> Result<Ctx<'m>> {
    let op = model.operator(index)?;
    let kind = OpKind::from_code(op.opcode).ok_or(Error::UnsupportedOp { op: index as u32, opcode: op.opcode })?;
    Ok(Ctx { model: *model, op, index, kind })
}

/// Bytes of tensor `t`: constant data from the model, or its planned slice of the arena.
pub(crate) fn tensor_bytes<'r>(model: &Model<'r>, arena: &'r [u8], offsets: &[u32], t: usize) -> Result<&'r [u8]> {
    let tensor = model.tensor(t)?;
    if let Some(d) = tensor.data {
        return Ok(d);
    }
    let off = offsets.get(t).copied().unwrap_or(NO_OFFSET);
    if off == NO_OFFSET {
        return Err(Error::InvalidArgument);
    }
    let start = off as usize;
    arena.get(start..start + tensor.bytes()).ok_or(Error::InvalidArgument)
}

/// The arena split for one operator: its output and scratch mutable, everything else readable.
pub(crate) struct Bound<'s, 'm> {
    model: Model<'m>,
    offsets: &'s [u32],
    pieces: [(usize, &'s [u8]); 3],
    pub out: &'s mut [u8],
    pub scratch: &'s mut [u8],
}

impl<'s, 'm: 's> Bound<'s, 'm> {
    /// Bytes of input tensor `t` (constant or planned); fails if they overlap the output.
    pub fn input(&self, t: usize) -> Result<&'s [u8]> {
        let tensor = self.model.tensor(t)?;
        if let Some(d) = tensor.data {
            return Ok(d);
        }
        let off = self.offsets.get(t).copied().unwrap_or(NO_OFFSET);
        if off == NO_OFFSET {
            return Err(Error::InvalidArgument);
        }
        let (start, len) = (off as usize, tensor.bytes());
        for &(base, piece) in &self.pieces {
            if start >= base && start + len <= base + piece.len() {
                return piece.get(start - base..start - base + len).ok_or(Error::InvalidArgument);
            }
        }
        Err(Error::InvalidArgument)
    }
}

impl<'x> Memory<'x> {
    /// Splits the arena for operator `c`: output 0 and `scratch_len` bytes of scratch writable.
    pub fn bind<'s, 'm>(&'s mut self, c: &Ctx<'m>, scratch_len: usize) -> Result<Bound<'s, 'm>> {
        let (t, tensor) = c.output(0)?;
        let out = (self.offsets.get(t).copied().unwrap_or(NO_OFFSET), tensor.bytes());
        let nt = c.model.num_tensors();
        let scr = if scratch_len == 0 {
            (0, 0)
        } else {
            (self.offsets.get(nt + c.index).copied().unwrap_or(NO_OFFSET), scratch_len)
        };
        if out.0 == NO_OFFSET || scr.0 == NO_OFFSET {
            return Err(Error::InvalidArgument);
        }
        let out = (out.0 as usize, out.1);
        let scr = (scr.0 as usize, scr.1);
        let swapped = scr.1 != 0 && scr.0 < out.0;
        let (a, b) = if swapped { (scr, out) } else { (out, scr) };
        let len = self.arena.len();
        let a_end = a.0.checked_add(a.1).filter(|&e| e <= len).ok_or(Error::InvalidArgument)?;
        let (p0, rest) = self.arena.split_at_mut(a.0);
        let (m0, rest) = rest.split_at_mut(a.1);
        let (pieces, m1): ([(usize, &'s [u8]); 3], &'s mut [u8]) = if b.1 == 0 {
            ([(0, p0), (a_end, rest), (0, &[])], &mut [])
        } else {
            if b.0 < a_end || b.0 + b.1 > len {
                return Err(Error::InvalidArgument);
            }
            let (p1, rest) = rest.split_at_mut(b.0 - a_end);
            let (m1, p2) = rest.split_at_mut(b.1);
            ([(0, p0), (a_end, p1), (b.0 + b.1, p2)], m1)
        };
        let (out, scratch) = if swapped { (m1, m0) } else { (m0, m1) };
        Ok(Bound { model: c.model, offsets: self.offsets, pieces, out, scratch })
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
