//! TRANSPOSE.

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::transpose::TransposeParams;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, perm) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    c.want(&perm, DType::I32)?;
    let perm = perm.data.ok_or(c.bad())?;
    let p = c.k(TransposeParams::new(input.shape, output.shape, LeI32s::new(perm)))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Transpose(p))
}
