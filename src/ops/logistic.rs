//! LOGISTIC.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::logistic::LogisticParams;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::sigmoid(c, false);
    }
    let (ti, input, output) = unary(c)?;
    let (is, iz) = c.q8(&input)?;
    let (_, oz) = c.q8(&output)?;
    let p = c.k(LogisticParams::new(is, iz, oz))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::Logistic(p))
}
