//! DEPTHWISE_CONV_2D.

use super::conv::{filtered, window_options, RequantSource};
use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::depthwise_conv::DepthwiseParams;
use crate::schema::numbers::depthwise_conv_2d_options;
use crate::tensor::LeI32s;

/// A validated DEPTHWISE_CONV_2D.
#[derive(Clone, Copy, Debug)]
pub struct DepthwiseSpec<'m> {
    pub params: DepthwiseParams,
    /// `[1, kh, kw, out_c]` int8 data.
    pub filter: &'m [i8],
    pub bias: Option<LeI32s<'m>>,
    pub requant: RequantSource<'m>,
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let o = c.options()?;
    use depthwise_conv_2d_options as f;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let opts =
        window_options(c, o, [f::PADDING, f::STRIDE_W, f::STRIDE_H, f::DILATION_W_FACTOR, f::DILATION_H_FACTOR])?;
    let multiplier = c.positive(opt_i32(o, f::DEPTH_MULTIPLIER, 0)?)?;
    let t = filtered(c, act)?;
    let (ind, fd, out) = (c.dims4(&t.input.1)?, c.dims4(&t.filter)?, c.dims4(&t.output.1)?);
    let w = opts.window(c, ind, fd, out)?;
    let params = c.k(DepthwiseParams::new(w, multiplier, ind, fd, out, t.io))?;
    let count = t.requant_count(c, out.c)?;
    let bias_len = t.bias.as_ref().map(|b| b.elements());
    c.k(params.check(count, t.filter.elements(), bias_len))?;
    let requant = RequantSource {
        input_scale: t.in_scale,
        filter_scales: t.filter.quant.scales,
        output_scale: t.out_scale,
        count,
    };
    let spec = DepthwiseSpec { params, filter: t.filter_data, bias: t.bias_data, requant };
    c.spec([Some(t.input.0), None], Dataflow::Window { input: t.input.0 }, Params::Depthwise(spec))
}
