//! SOFTMAX (int8 → int8).

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::softmax::SoftmaxParams;
use crate::schema::numbers::softmax_options;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::softmax(c);
    }
    let o = c.options()?;
    let beta = o.map_or(Ok(0.0), |t| t.f32(softmax_options::BETA, 0.0))?;
    let (ti, input, output) = unary(c)?;
    let (is, _) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    let p = c.k(SoftmaxParams::new(is, beta, os, oz, input.shape, output.shape))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::Softmax(p))
}
