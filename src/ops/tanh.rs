//! TANH.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::tanh::TanhParams;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::sigmoid(c, true);
    }
    let (ti, input, output) = unary(c)?;
    let (is, iz) = c.q8(&input)?;
    // TFLM's int8 TANH reads no output quantization; the type must still be int8.
    c.q8(&output)?;
    let p = c.k(TanhParams::new(is, iz))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::Tanh(p))
}
