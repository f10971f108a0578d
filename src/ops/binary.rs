//! SUB, MAXIMUM, MINIMUM and SQUARED_DIFFERENCE: broadcasting binaries beside ADD and MUL.

use super::add::binary;
use super::{Ctx, OpSpec, Params};
use crate::error::Result;
use crate::kernels::maximum_minimum::MinMaxParams;
use crate::kernels::squared_difference::SquaredDifferenceParams;
use crate::kernels::sub::SubParams;
use crate::schema::opcodes::OpKind;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let b = binary(c)?;
    let [(t1, in1), (t2, in2)] = &b.inputs;
    let (s1, s2, so) = (in1.shape, in2.shape, b.output.shape);
    let params = match c.kind {
        OpKind::Sub => Params::Sub(c.k(SubParams::new(b.q[0], b.q[1], b.q[2], b.act, s1, s2, so))?),
        OpKind::Maximum | OpKind::Minimum => {
            Params::MinMax(c.k(MinMaxParams::new(c.kind == OpKind::Maximum, s1, s2, so))?)
        }
        _ => Params::SquaredDifference(c.k(SquaredDifferenceParams::new(b.q[0], b.q[1], b.q[2], s1, s2, so))?),
    };
    c.spec([Some(*t1), Some(*t2)], b.dataflow(), params)
}
