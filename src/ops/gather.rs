//! GATHER (constant indices).

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::gather::GatherParams;
use crate::schema::numbers::gather_options;
use crate::schema::DType;
use crate::tensor::LeI32s;

/// A validated GATHER: the kernel parameters (with the indices) and the tensor it reads.
#[derive(Clone, Copy, Debug)]
pub struct GatherSpec<'m> {
    pub params: GatherParams<'m>,
    pub input: usize,
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    let axis = opt_i32(o, gather_options::AXIS, 0)?;
    let batch_dims = opt_i32(o, gather_options::BATCH_DIMS, 0)?;
    let (ti, input) = c.input(0)?;
    let (_, indices) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    c.want(&indices, DType::I32)?;
    // Indices computed at run time are not supported: they are checked here, once.
    let data = indices.data.ok_or(c.bad())?;
    let p = c.k(GatherParams::new(input.shape, indices.shape, LeI32s::new(data), output.shape, axis, batch_dims))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Gather(GatherSpec { params: p, input: ti }))
}
