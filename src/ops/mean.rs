//! MEAN.

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::mean::MeanParams;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::mean(c);
    }
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, axes) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&axes, DType::I32)?;
    let axes_bytes = axes.data.ok_or(c.bad())?;
    let (is, iz) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    let p = c.k(MeanParams::new(input.shape, output.shape, LeI32s::new(axes_bytes), is, iz, os, oz))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Mean(p))
}
