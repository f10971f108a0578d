//! DEQUANTIZE: int8 → float32.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::dequantize::DequantizeParams;
use crate::schema::DType;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::dequantize(c);
    }
    let (ti, input, output) = unary(c)?;
    c.want(&output, DType::F32)?;
    let (is, iz) = c.q8(&input)?;
    let p = c.k(DequantizeParams::new(is, iz))?;
    c.spec([Some(ti), None], elementwise(ti, 1, 4), Params::Dequantize(p, input.elements()))
}
