//! RESHAPE and SQUEEZE: the same bytes under a new shape (aliased by the planner, or copied).

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(1..=2, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    if input.dtype != output.dtype || input.elements() != output.elements() {
        return Err(c.bad());
    }
    c.spec([Some(ti), None], Dataflow::Global, Params::Copy)
}
