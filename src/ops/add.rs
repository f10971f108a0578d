//! ADD, and the operand handling it shares with MUL.

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::add::AddParams;
use crate::quant::Activation;
use crate::schema::numbers::{add_options, mul_options};
use crate::schema::Tensor;

/// The operands of a broadcasting binary operator.
pub(super) struct Binary<'m> {
    pub act: Activation,
    pub inputs: [(usize, Tensor<'m>); 2],
    pub output: Tensor<'m>,
    /// `(scale, zero point)` of input 1, input 2 and the output.
    pub q: [(f32, i32); 3],
}

pub(super) fn binary<'m>(c: &Ctx<'m>) -> Result<Binary<'m>> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    // ADD and MUL both keep their fused activation in field 0.
    const _: () = assert!(add_options::FUSED_ACTIVATION_FUNCTION == mul_options::FUSED_ACTIVATION_FUNCTION);
    let act = c.activation(o, add_options::FUSED_ACTIVATION_FUNCTION)?;
    let (t1, in1) = c.input(0)?;
    let (t2, in2) = c.input(1)?;
    let (_, output) = c.output(0)?;
    let q = [c.q8(&in1)?, c.q8(&in2)?, c.q8(&output)?];
    Ok(Binary { act, inputs: [(t1, in1), (t2, in2)], output, q })
}

impl Binary<'_> {
    /// Elementwise over the operands of the output's own shape (either may be overwritten in
    /// place, the first preferred); broadcast operands stay intact.
    pub fn dataflow(&self) -> Dataflow {
        let [(t1, in1), (t2, in2)] = &self.inputs;
        let same = |t: &Tensor<'_>| t.shape == self.output.shape;
        let inputs = match (same(in1), same(in2)) {
            (true, true) => [Some(*t1), Some(*t2)],
            (true, false) => [Some(*t1), None],
            (false, true) => [Some(*t2), None],
            (false, false) => [None, None],
        };
        Dataflow::Elementwise { inputs, in_bytes: 1, out_bytes: 1 }
    }
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::binary(c, false);
    }
    let b = binary(c)?;
    let [(t1, in1), (t2, in2)] = &b.inputs;
    let [(s1, z1), (s2, z2), (so, zo)] = b.q;
    let p = c.k(AddParams::new(s1, z1, s2, z2, so, zo, b.act, in1.shape, in2.shape, b.output.shape))?;
    c.spec([Some(*t1), Some(*t2)], b.dataflow(), Params::Add(p))
}
