//! TRANSPOSE_CONV (int8). Inputs: the output shape (constant, not read: TFLM takes the
//! output tensor's shape), the filter, the input, and optionally the bias.

use super::conv::RequantSource;
use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::conv::IoQuant;
use crate::kernels::transpose_conv::{transpose_conv_padding, TransposeConvParams};
use crate::quant::activation_range_i8;
use crate::schema::numbers::transpose_conv_options as f;
use crate::schema::DType;
use crate::tensor::LeI32s;

/// A validated TRANSPOSE_CONV.
#[derive(Clone, Copy, Debug)]
pub struct TransposeConvSpec<'m> {
    pub params: TransposeConvParams,
    /// `[out_c, kh, kw, in_c]` int8 data.
    pub filter: &'m [i8],
    pub bias: Option<LeI32s<'m>>,
    pub requant: RequantSource<'m>,
    /// Tensor index of the input.
    pub input: usize,
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(3..=4, 1)?;
    let o = c.options()?;
    let padding = c.padding(o, f::PADDING)?;
    let stride = [
        c.positive(o.map_or(Ok(0), |t| t.i32(f::STRIDE_H, 0))?)?,
        c.positive(o.map_or(Ok(0), |t| t.i32(f::STRIDE_W, 0))?)?,
    ];
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    c.input(0)?;
    let (_, filter) = c.input(1)?;
    let (ti, input) = c.input(2)?;
    let bias = c.opt_input(3)?.map(|b| b.1);
    let (_, output) = c.output(0)?;
    let (in_scale, input_zp) = c.q8(&input)?;
    let (out_scale, output_zp) = c.q8(&output)?;
    c.want(&filter, DType::I8)?;
    let filter_data: &[i8] = bytemuck::cast_slice(filter.data.ok_or(c.bad())?);
    let bias = match bias {
        Some(b) => {
            c.want(&b, DType::I32)?;
            Some(LeI32s::new(b.data.ok_or(c.bad())?))
        }
        None => None,
    };
    let (x, fd, y) = (c.dims4(&input)?, c.dims4(&filter)?, c.dims4(&output)?);
    let scales = filter.quant.scales;
    let count = match scales.len() {
        1 => 1,
        n if n == fd.n => n,
        _ => return Err(c.bad()),
    };
    if bias.is_some_and(|b| b.len() != y.c) {
        return Err(c.bad());
    }
    let (act_min, act_max) = activation_range_i8(act, out_scale, output_zp);
    let io = IoQuant { input_zp, output_zp, act_min, act_max };
    let pad = transpose_conv_padding(padding == crate::geometry::Padding::Same, [y.h, y.w], [fd.h, fd.w], stride);
    let params = c.k(TransposeConvParams::new(x, fd, y, stride, pad, io))?;
    let requant = RequantSource { input_scale: in_scale, filter_scales: scales, output_scale: out_scale, count };
    let spec = TransposeConvSpec { params, filter: filter_data, bias, requant, input: ti };
    c.spec([Some(ti), None], Dataflow::Global, Params::TransposeConv(spec))
}
