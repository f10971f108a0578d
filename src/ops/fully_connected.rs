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
    if super::int16::is_int16(c)? {
        return super::int16::fully_connected(c);
    }
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
    let scales = t.filter_scales;
    let params = c.k(FullyConnectedParams::new(
        t.input_shape,
        t.filter_shape,
        t.output_shape,
        scales.len(),
        t.filter_zero_point,
        t.io,
    ))?;
    let count = if params.per_channel() { params.output_depth() } else { 1 };
    let elements = |s: &crate::tensor::Shape| s.num_elements();
    let (inputs, outputs) = (elements(&t.input_shape), elements(&t.output_shape));
    c.k(params.check(count, inputs, t.filter.len(), t.bias_len(), outputs))?;
    // Validate the multiplier derivation at init too (TFLM rejects inconsistent bias scales).
    if count == 1 {
        let mut one = [Requant::default(); 1];
        c.k(fully_connected_requant(t.in_scale, scales, t.out_scale, t.bias_scale, &mut one))?;
    }
    let spec = FullyConnectedSpec {
        params,
        filter: t.filter,
        bias: t.bias,
        input_scale: t.in_scale,
        filter_scales: scales,
        output_scale: t.out_scale,
        bias_scale: t.bias_scale,
        count,
    };
    c.spec([Some(t.input), None], Dataflow::Global, Params::FullyConnected(spec))
}
