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
    if super::int16::is_int16(c)? {
        return super::int16::depthwise(c);
    }
    let o = c.options()?;
    use depthwise_conv_2d_options as f;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let opts =
        window_options(c, o, [f::PADDING, f::STRIDE_W, f::STRIDE_H, f::DILATION_W_FACTOR, f::DILATION_H_FACTOR])?;
    let multiplier = c.positive(opt_i32(o, f::DEPTH_MULTIPLIER, 0)?)?;
    let t = filtered(c, act)?;
    let (ind, fd, out) = t.dims(c)?;
    let w = opts.window(c, ind, fd, out)?;
    let params = c.k(DepthwiseParams::new(w, multiplier, ind, fd, out, t.io))?;
    let count = t.requant_count(c, out.c)?;
    c.k(params.check(count, t.filter.len(), t.bias_len()))?;
    let spec = DepthwiseSpec { params, filter: t.filter, bias: t.bias, requant: t.requant(count) };
    c.spec([Some(t.input), None], Dataflow::Window { input: t.input }, Params::Depthwise(spec))
}
