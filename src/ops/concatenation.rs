//! CONCATENATION.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::concatenation::{ConcatInput, ConcatParams, CONCAT_MAX_INPUTS};
use crate::schema::numbers::concatenation_options;

/// A validated CONCATENATION: the kernel parameters and the input tensors in order.
#[derive(Clone, Copy, Debug)]
pub struct ConcatSpec {
    pub params: ConcatParams,
    /// Tensor index of each input (the first `count`).
    pub inputs: [usize; CONCAT_MAX_INPUTS],
    pub count: usize,
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let n = c.op.num_inputs();
    if n == 0 || n > CONCAT_MAX_INPUTS || c.op.num_outputs() != 1 {
        return Err(c.bad());
    }
    let o = c.options()?;
    let axis = opt_i32(o, concatenation_options::AXIS, 0)?;
    let act = c.activation(o, concatenation_options::FUSED_ACTIVATION_FUNCTION)?;
    let (_, output) = c.output(0)?;
    let (os, oz) = c.q8(&output)?;
    let mut descs = [ConcatInput { shape: output.shape, scale: 0.0, zero_point: 0 }; CONCAT_MAX_INPUTS];
    let mut ids = [0usize; CONCAT_MAX_INPUTS];
    for (i, (desc, id)) in descs.iter_mut().zip(&mut ids).enumerate().take(n) {
        let (t, tensor) = c.input(i)?;
        let (s, z) = c.q8(&tensor)?;
        *desc = ConcatInput { shape: tensor.shape, scale: s, zero_point: z };
        *id = t;
    }
    let descs = descs.get(..n).ok_or(c.bad())?;
    let params = c.k(ConcatParams::new(axis, act, descs, output.shape, os, oz))?;
    c.spec([None, None], Dataflow::Global, Params::Concat(ConcatSpec { params, inputs: ids, count: n }))
}
