//! RELU and RELU6.

use super::{elementwise, unary, Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::activations::{Relu6Params, ReluParams};
use crate::schema::opcodes::OpKind;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    let params = if c.kind == OpKind::Relu {
        Params::Relu(c.k(ReluParams::new(is, iz, os, oz))?)
    } else {
        Params::Relu6(c.k(Relu6Params::new(is, iz))?)
    };
    c.spec([Some(ti), None], elementwise(ti, 1, 1), params)
}
