//! RESIZE_NEAREST_NEIGHBOR.

use super::{opt_bool, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::resize_nearest::ResizeNearestParams;
use crate::schema::numbers::resize_nearest_neighbor_options;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    let align = opt_bool(o, resize_nearest_neighbor_options::ALIGN_CORNERS)?;
    let half = opt_bool(o, resize_nearest_neighbor_options::HALF_PIXEL_CENTERS)?;
    let (ti, input) = c.input(0)?;
    let (_, size) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    c.want(&size, DType::I32)?;
    let size = size.data.ok_or(c.bad())?;
    let (ind, outd) = (c.dims4(&input)?, c.dims4(&output)?);
    let p = c.k(ResizeNearestParams::new(ind, outd, LeI32s::new(size), align, half))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::ResizeNearest(p))
}
