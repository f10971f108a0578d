//! FULLY_CONNECTED.

use super::conv::filtered;
use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::fully_connected::{fully_connected_requant, FullyConnectedParams};
use crate::quant::Requant;
use crate::schema::numbers::fully_connected_options;
use crate::tensor::{LeF32s, LeI32s};

/// A validated FULLY_CONNECTED.
#[derive(Clone, Copy, Debug)]
pub struct FullyConnectedSpec<'m> {
    pub params: FullyConnectedParams,
    /// Row-major `[rows, accum_depth]` int8 data.
    pub filter: &'m [i8],
    pub bias: Option<LeI32s<'m>>,
    pub input_scale: f32,
    pub filter_scales: LeF32s<'m>,
    pub output_scale: f32,
    /// The bias's per-tensor scale, when the operator has a bias (TFLM checks it).
    pub bias_scale: Option<f32>,
    /// Requantization entries: one per output row when per-channel, else one.
    pub count: usize,
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if c.fused_pad.is_some() {
        return Err(c.bad());
    }
    let o = c.options()?;
    use fully_connected_options as f;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    if o.map_or(Ok(0), |t| t.i8(f::WEIGHTS_FORMAT, 0))? != 0 {
        return Err(c.bad_options()); // only the DEFAULT weights format
    }
    let t = filtered(c, act)?;
    let scales = t.filter.quant.scales;
    let params = c.k(FullyConnectedParams::new(
        t.input.1.shape,
        t.filter.shape,
        t.output.1.shape,
        scales.len(),
        t.filter.quant.zero_point(),
        t.io,
    ))?;
    let count = if params.per_channel() { params.output_depth() } else { 1 };
    let bias_len = t.bias.as_ref().map(|b| b.elements());
    c.k(params.check(count, t.input.1.elements(), t.filter.elements(), bias_len, t.output.1.elements()))?;
    let bias_scale = t.bias.as_ref().map(|b| b.quant.scale());
    // Validate the multiplier derivation at init too (TFLM rejects inconsistent bias scales).
    if count == 1 {
        let mut one = [Requant::default(); 1];
        c.k(fully_connected_requant(t.in_scale, scales, t.out_scale, bias_scale, &mut one))?;
    }
    let spec = FullyConnectedSpec {
        params,
        filter: t.filter_data,
        bias: t.bias_data,
        input_scale: t.in_scale,
        filter_scales: scales,
        output_scale: t.out_scale,
        bias_scale,
        count,
    };
    c.spec([Some(t.input.0), None], Dataflow::Global, Params::FullyConnected(spec))
}
