//! L2_NORMALIZATION.

use super::{unary, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::l2norm::L2NormParams;
use crate::quant::Activation;
use crate::schema::numbers::l2_norm_options;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let (ti, input, output) = unary(c)?;
    // TFLM refuses any fused activation.
    if c.activation(c.options()?, l2_norm_options::FUSED_ACTIVATION_FUNCTION)? != Activation::None {
        return Err(c.bad_options());
    }
    let (_, iz) = c.q8(&input)?;
    c.q8(&output)?;
    if input.shape != output.shape {
        return Err(c.bad());
    }
    let p = c.k(L2NormParams::new(input.shape, iz))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::L2Norm(p))
}
