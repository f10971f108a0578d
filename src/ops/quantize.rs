//! QUANTIZE: float32 → int8, and int8 → int8 (requantization).

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::quantize::{QuantizeParams, RequantizeParams};
use crate::schema::DType;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16_quantize(c)? {
        return super::int16::quantize(c);
    }
    let (ti, input, output) = unary(c)?;
    let (os, oz) = c.q8(&output)?;
    match input.dtype {
        DType::F32 => {
            let p = c.k(QuantizeParams::new(os, oz))?;
            c.spec([Some(ti), None], elementwise(ti, 4, 1), Params::Quantize(p, output.elements()))
        }
        DType::I8 => {
            let (is, iz) = c.q8(&input)?;
            let p = c.k(RequantizeParams::new(is, iz, os, oz))?;
            c.spec([Some(ti), None], elementwise(ti, 1, 1), Params::Requantize(p))
        }
        _ => Err(c.bad()),
    }
}
