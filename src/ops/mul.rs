//! MUL.

use super::add::binary;
use super::{Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::mul::MulParams;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::binary(c, true);
    }
    let b = binary(c)?;
    let [(t1, in1), (t2, in2)] = &b.inputs;
    let [(s1, z1), (s2, z2), (so, zo)] = b.q;
    let p = c.k(MulParams::new(s1, z1, s2, z2, so, zo, b.act, in1.shape, in2.shape, b.output.shape))?;
    c.spec([Some(*t1), Some(*t2)], b.dataflow(), Params::Mul(p))
}
