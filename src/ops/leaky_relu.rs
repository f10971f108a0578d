//! LEAKY_RELU.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::leaky_relu::LeakyReluParams;
use crate::schema::numbers::leaky_relu_options;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let (ti, input, output) = unary(c)?;
    let alpha = c.options()?.map_or(Ok(0.0), |t| t.f32(leaky_relu_options::ALPHA, 0.0))?;
    let (is, iz) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    let p = c.k(LeakyReluParams::new(is, iz, os, oz, alpha))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::LeakyRelu(p))
}
