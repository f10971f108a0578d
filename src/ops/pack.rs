//! PACK.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::pack::{PackParams, PACK_MAX_INPUTS};
use crate::schema::numbers::pack_options;
use crate::schema::DType;

/// A validated PACK: the kernel parameters and the input tensors in order.
#[derive(Clone, Copy, Debug)]
pub struct PackSpec {
    pub params: PackParams,
    /// Tensor index of each input (the first `params.inputs`).
    pub inputs: [usize; PACK_MAX_INPUTS],
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let n = c.op.num_inputs();
    if n == 0 || n > PACK_MAX_INPUTS || c.op.num_outputs() != 1 {
        return Err(c.bad());
    }
    let o = c.options()?;
    let count = opt_i32(o, pack_options::VALUES_COUNT, 0)?;
    let (_, output) = c.output(0)?;
    c.want(&output, DType::I8)?;
    // TFLM packs `values_count` inputs; it must name them all.
    if usize::try_from(count).ok() != Some(n) {
        return Err(c.bad_options());
    }
    let axis = c.axis(opt_i32(o, pack_options::AXIS, 0)?, output.shape.rank())?;
    let (_, first) = c.input(0)?;
    let mut ids = [0usize; PACK_MAX_INPUTS];
    for (i, id) in ids.iter_mut().enumerate().take(n) {
        let (t, tensor) = c.input(i)?;
        c.want(&tensor, DType::I8)?;
        if tensor.shape != first.shape {
            return Err(c.bad());
        }
        *id = t;
    }
    let params = c.k(PackParams::new(n, first.shape.dims(), output.shape.dims(), axis))?;
    c.spec([None, None], Dataflow::Global, Params::Pack(PackSpec { params, inputs: ids }))
}
