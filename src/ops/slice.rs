//! SLICE: a box of the input (begin and size constant, int32 or int64; a size of -1 runs to
//! the end), rank ≤ 5 as in TFLM. The copy is the strided walk of STRIDED_SLICE.

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::strided_copy::{dense_strides, StridedCopy};
use crate::schema::{DType, Tensor};
use crate::tensor::LeI32s;

/// Highest input rank TFLM's SLICE takes.
const SLICE_MAX_RANK: usize = 5;

/// Value `i` of a constant int32 or int64 vector, as i64.
fn value(c: &Ctx<'_>, t: &Tensor<'_>, i: usize) -> Result<i64> {
    let data = t.data.ok_or(c.bad())?;
    match t.dtype {
        DType::I32 => {
            let v = LeI32s::new(data);
            if i < v.len() {
                Ok(i64::from(v.get(i)))
            } else {
                Err(c.bad())
            }
        }
        DType::I64 => {
            let b = data.get(i.checked_mul(8).ok_or(c.bad())?..).and_then(|b| b.get(..8)).ok_or(c.bad())?;
            let mut w = [0u8; 8];
            w.copy_from_slice(b);
            Ok(i64::from_le_bytes(w))
        }
        _ => Err(c.bad()),
    }
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(3..=3, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, begin) = c.input(1)?;
    let (_, size) = c.input(2)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    let rank = input.shape.rank();
    if rank > SLICE_MAX_RANK
        || begin.dtype != size.dtype
        || begin.shape.rank() != 1
        || size.shape.rank() != 1
        || begin.elements() != rank
        || size.elements() != rank
        || output.shape.rank() != rank
    {
        return Err(c.bad());
    }
    let mut shape = [0usize; SLICE_MAX_RANK];
    let mut start = 0usize;
    let strides = dense_strides(input.shape.dims());
    for (d, (&dim, &out)) in input.shape.dims().iter().zip(output.shape.dims()).enumerate() {
        let b = value(c, &begin, d)?;
        let s = value(c, &size, d)?;
        let stop = if s == -1 { dim as i64 } else { b.checked_add(s).ok_or(c.bad())? };
        // TFLM only debug-checks these; a box outside the input is refused here.
        if b < 0 || stop < b || stop > dim as i64 || stop.checked_sub(b) != Some(out as i64) {
            return Err(c.bad());
        }
        *shape.get_mut(d).ok_or(c.bad())? = out;
        let step = usize::try_from(*strides.get(d).ok_or(c.bad())?).map_err(|_| c.bad())?;
        start = start.checked_add((b as usize).checked_mul(step).ok_or(c.bad())?).ok_or(c.bad())?;
    }
    let shape = shape.get(..rank).ok_or(c.bad())?;
    let steps = strides.get(..rank).ok_or(c.bad())?;
    let start = if output.elements() == 0 { 0 } else { start };
    let walk = c.k(StridedCopy::new(shape, steps, start, input.elements()))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Walk(walk))
}
