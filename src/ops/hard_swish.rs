//! HARD_SWISH.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::hard_swish::HardSwishParams;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    let p = c.k(HardSwishParams::new(is, iz, os, oz))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::HardSwish(p))
}
