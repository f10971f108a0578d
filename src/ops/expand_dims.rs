//! EXPAND_DIMS: the same bytes under a shape with one more dimension of 1 (aliased by the
//! planner like RESHAPE, or copied).

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, axis) = c.input(1)?;
    let (_, output) = c.output(0)?;
    // TFLM: a constant int32 axis of at most one dimension; the output is the input's shape
    // with a 1 inserted at the axis (negative counts from the end of the output).
    c.want(&axis, DType::I32)?;
    let a = LeI32s::new(axis.data.ok_or(c.bad())?);
    if axis.shape.rank() > 1 || a.is_empty() || input.dtype != output.dtype {
        return Err(c.bad());
    }
    let rank = input.shape.rank() as i64;
    let v = i64::from(a.get(0));
    let at = if v < 0 { rank.saturating_add(1).saturating_add(v) } else { v };
    let at = usize::try_from(at).ok().filter(|&at| at as i64 <= rank).ok_or(c.bad())?;
    let (ind, outd) = (input.shape.dims(), output.shape.dims());
    let (before, after) = ind.split_at_checked(at).ok_or(c.bad())?;
    let want = before.iter().chain(core::iter::once(&1)).chain(after);
    if !want.copied().eq(outd.iter().copied()) {
        return Err(c.bad());
    }
    c.spec([Some(ti), None], Dataflow::Global, Params::Copy)
}
