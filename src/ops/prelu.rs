//! PRELU.

use super::add::binary;
use super::{Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::prelu::PreluParams;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let b = binary(c)?;
    let [(t1, in1), (t2, alpha)] = &b.inputs;
    let p = c.k(PreluParams::new(b.q[0], b.q[1], b.q[2], in1.shape, alpha.shape, b.output.shape))?;
    c.spec([Some(*t1), Some(*t2)], b.dataflow(), Params::Prelu(p))
}
