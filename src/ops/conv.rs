//! CONV_2D, and what it shares with DEPTHWISE_CONV_2D and FULLY_CONNECTED: the int8 tensors of
//! a filtered operator, the window from the options, and a PAD folded in as padding.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::geometry::{out_size, padding_before, Padding, Window};
use crate::kernels::conv::{ConvParams, IoQuant};
use crate::quant::{activation_range_i8, Activation};
use crate::schema::flatbuf::Table;
use crate::schema::numbers::conv_2d_options;
use crate::schema::DType;
use crate::slices::checked_sum;
use crate::tensor::{Dims4, LeF32s, LeI32s, Shape};

/// Where a filtered operator's requantization multipliers come from (they are derived at
/// invoke, into scratch or on the fly, not kept).
#[derive(Clone, Copy, Debug)]
pub struct RequantSource<'m> {
    /// Scale of the input as declared (a folded PAD's output carries it).
    pub input_scale: f32,
    /// The filter's scales: one (per-tensor) or one per output channel.
    pub filter_scales: LeF32s<'m>,
    pub output_scale: f32,
    /// Entries a table needs: one per output channel when per-channel, else one.
    pub count: usize,
}

/// A validated CONV_2D.
#[derive(Clone, Copy, Debug)]
pub struct ConvSpec<'m> {
    pub params: ConvParams,
    /// `[out_c, kh, kw, filter_in_c]` int8 data.
    pub filter: &'m [i8],
    pub bias: Option<LeI32s<'m>>,
    pub requant: RequantSource<'m>,
}

/// What a filtered operator (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) reads of its
/// tensors: only the fields its preparation uses, so that this stays small on the stack.
pub(crate) struct Filtered<'m> {
    /// The activation input actually read (the op's input 0, or a folded PAD's input): its
    /// tensor index and shape.
    pub input: usize,
    pub input_shape: Shape,
    pub filter_shape: Shape,
    pub filter: &'m [i8],
    pub filter_scales: LeF32s<'m>,
    pub filter_zero_point: i32,
    pub bias: Option<LeI32s<'m>>,
    /// The bias's per-tensor scale (TFLM's FULLY_CONNECTED checks it).
    pub bias_scale: Option<f32>,
    pub output_shape: Shape,
    pub io: IoQuant,
    pub in_scale: f32,
    pub out_scale: f32,
}

pub(crate) fn filtered<'m>(c: &Ctx<'m>, act: Activation) -> Result<Filtered<'m>> {
    c.arity(2..=3, 1)?;
    let (_, declared) = c.input(0)?;
    let (_, filter) = c.input(1)?;
    let bias = c.opt_input(2)?.map(|b| b.1);
    let (_, output) = c.output(0)?;
    // Quantization of the declared input (a folded PAD's output) applies to the bytes read.
    let (in_scale, input_zp) = c.q8(&declared)?;
    let (out_scale, output_zp) = c.q8(&output)?;
    c.want(&filter, DType::I8)?;
    // Filters are constant in every model patchwise runs.
    let filter_data = bytemuck::cast_slice(filter.data.ok_or(c.bad())?);
    let (bias_data, bias_scale) = match &bias {
        Some(b) => {
            c.want(b, DType::I32)?;
            (Some(LeI32s::new(b.data.ok_or(c.bad())?)), Some(b.quant.scale()))
        }
        None => (None, None),
    };
    let (input, input_shape) = match c.fused_pad {
        Some(p) => {
            let t = c.model.operator(p)?.input(0).ok_or(c.bad())?;
            let tensor = c.model.tensor(t)?;
            c.want(&tensor, DType::I8)?;
            (t, tensor.shape)
        }
        None => (c.op.input(0).ok_or(c.bad())?, declared.shape),
    };
    let (act_min, act_max) = activation_range_i8(act, out_scale, output_zp);
    Ok(Filtered {
        input,
        input_shape,
        filter_shape: filter.shape,
        filter: filter_data,
        filter_scales: filter.quant.scales,
        filter_zero_point: filter.quant.zero_point(),
        bias: bias_data,
        bias_scale,
        output_shape: output.shape,
        io: IoQuant { input_zp, output_zp, act_min, act_max },
        in_scale,
        out_scale,
    })
}

impl<'m> Filtered<'m> {
    /// Requantization entries: one per output channel when per-channel, else one.
    pub fn requant_count(&self, c: &Ctx<'_>, channels: usize) -> crate::Result<usize> {
        match self.filter_scales.len() {
            1 => Ok(1),
            n if n == channels => Ok(n),
            _ => Err(c.bad()),
        }
    }
    /// Bias values, if any.
    pub fn bias_len(&self) -> Option<usize> {
        self.bias.map(|b| b.len())
    }
    /// The NHWC shapes of the input, the filter and the output (4-D operators).
    pub fn dims(&self, c: &Ctx<'_>) -> Result<(Dims4, Dims4, Dims4)> {
        let d = |s: &Shape| s.nhwc().ok_or(c.bad());
        Ok((d(&self.input_shape)?, d(&self.filter_shape)?, d(&self.output_shape)?))
    }
    /// Where the requantization multipliers come from.
    pub fn requant(&self, count: usize) -> RequantSource<'m> {
        RequantSource {
            input_scale: self.in_scale,
            filter_scales: self.filter_scales,
            output_scale: self.out_scale,
            count,
        }
    }
}

/// A convolution's window options: padding type, `[h, w]` strides and dilations.
#[derive(Clone, Copy)]
pub(crate) struct WindowOptions {
    padding: Padding,
    stride: [usize; 2],
    dilation: [usize; 2],
}

/// Reads the window options (`ids`: padding, stride w, stride h, dilation w, dilation h).
pub(crate) fn window_options(c: &Ctx<'_>, o: Option<Table<'_>>, ids: [usize; 5]) -> Result<WindowOptions> {
    Ok(WindowOptions {
        padding: c.padding(o, ids[0])?,
        stride: [c.positive(opt_i32(o, ids[2], 0)?)?, c.positive(opt_i32(o, ids[1], 0)?)?],
        dilation: [c.positive(opt_i32(o, ids[4], 1)?)?, c.positive(opt_i32(o, ids[3], 1)?)?],
    })
}

impl WindowOptions {
    /// The window over `input` (unpadded), with a folded PAD's padding when one is folded in.
    pub fn window(&self, c: &Ctx<'_>, input: Dims4, filter: Dims4, out: Dims4) -> Result<Window> {
        let (size_in, kernel, size_out) = ([input.h, input.w], [filter.h, filter.w], [out.h, out.w]);
        let (stride, dilation) = (self.stride, self.dilation);
        let w = match c.fused_pad {
            None => Window::tflm(self.padding, stride, dilation, size_in, kernel, size_out),
            Some(_) => {
                let pad = fused_padding(c, self.padding, stride, dilation, input, filter, out)?;
                Window::explicit(pad, stride, dilation, size_in, kernel, size_out)
            }
        };
        c.k(w)
    }
}

/// `[top, bottom, left, right]` padding of a PAD folded into `c`: only H and W padded, and
/// the pad value equal to `c`'s input zero point (so padded taps contribute nothing).
pub(crate) fn folded_padding(c: &Ctx<'_>) -> Result<[usize; 4]> {
    use crate::tensor::LeI32s;
    let p = c.fused_pad.ok_or(c.bad())?;
    let pad_op = c.model.operator(p)?;
    let y = pad_op.output(0).ok_or(c.bad())?;
    let y_tensor = c.model.tensor(y)?;
    let paddings = c.model.tensor(pad_op.input(1).ok_or(c.bad())?)?;
    let data = paddings.data.ok_or(c.bad())?;
    if paddings.dtype != DType::I32 || data.len() != 32 || y_tensor.shape.rank() != 4 {
        return Err(c.bad());
    }
    let v = LeI32s::new(data);
    if v.get(0) != 0 || v.get(1) != 0 || v.get(6) != 0 || v.get(7) != 0 {
        return Err(c.bad());
    }
    if let Some(cv) = pad_op.input(2) {
        let cv = c.model.tensor(cv)?;
        let value = cv.data.and_then(|d| d.first().copied()).ok_or(c.bad())? as i8 as i32;
        if cv.dtype != DType::I8 || cv.elements() != 1 || value != y_tensor.quant.zero_point() {
            return Err(c.bad());
        }
    }
    let mut out = [0usize; 4];
    for (slot, i) in out.iter_mut().zip(2..6) {
        *slot = usize::try_from(v.get(i)).map_err(|_| c.bad())?;
    }
    Ok(out)
}

/// The convolution's own padding (SAME or VALID) over a `padded` input extent. As in TFLM, the
/// leading padding comes from the output size SAME computes (`ceil(input / stride)`), not from
/// the declared output (which only sets how far the window walks): exactly what the
/// convolution does unfolded, after a separate PAD.
fn own_padding(
    c: &Ctx<'_>,
    padding: Padding,
    [sh, sw]: [usize; 2],
    [dh, dw]: [usize; 2],
    padded: Dims4,
    filter: Dims4,
    out: Dims4,
) -> Result<[usize; 4]> {
    if padding == Padding::Valid {
        return Ok([0; 4]);
    }
    let side = |stride: usize, dil: usize, input: usize, k: usize, o: usize| {
        let computed = out_size(Padding::Same, input, k, stride, dil)?;
        let before = padding_before(stride, dil, input, k, computed);
        // The extent the window walks: (o − 1)·stride + (k − 1)·dilation + 1.
        let walked =
            checked_sum(&[o.saturating_sub(1).checked_mul(stride)?, k.saturating_sub(1).checked_mul(dil)?, 1])?;
        let total = walked.saturating_sub(input);
        Some((before, total.saturating_sub(before)))
    };
    let (t, b) = side(sh, dh, padded.h, filter.h, out.h).ok_or(c.bad())?;
    let (l, r) = side(sw, dw, padded.w, filter.w, out.w).ok_or(c.bad())?;
    Ok([t, b, l, r])
}

/// Total `[top, bottom, left, right]` virtual padding of a convolution with a folded PAD.
fn fused_padding(
    c: &Ctx<'_>,
    padding: Padding,
    stride: [usize; 2],
    dilation: [usize; 2],
    input: Dims4,
    filter: Dims4,
    out: Dims4,
) -> Result<[usize; 4]> {
    let [top, bottom, left, right] = folded_padding(c)?;
    let total = |parts: &[usize]| checked_sum(parts).ok_or(c.bad());
    let padded = Dims4 { h: total(&[input.h, top, bottom])?, w: total(&[input.w, left, right])?, ..input };
    let [t, b, l, r] = own_padding(c, padding, stride, dilation, padded, filter, out)?;
    Ok([total(&[top, t])?, total(&[bottom, b])?, total(&[left, l])?, total(&[right, r])?])
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    if super::int16::is_int16(c)? {
        return super::int16::conv(c);
    }
    let o = c.options()?;
    use conv_2d_options as f;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let opts =
        window_options(c, o, [f::PADDING, f::STRIDE_W, f::STRIDE_H, f::DILATION_W_FACTOR, f::DILATION_H_FACTOR])?;
    let t = filtered(c, act)?;
    let (ind, fd, out) = t.dims(c)?;
    let w = opts.window(c, ind, fd, out)?;
    let params = c.k(ConvParams::new(w, ind, fd, out, t.io))?;
    let count = t.requant_count(c, out.c)?;
    c.k(params.check(count, t.filter.len(), t.bias_len()))?;
    let spec = ConvSpec { params, filter: t.filter, bias: t.bias, requant: t.requant(count) };
    c.spec([Some(t.input), None], Dataflow::Window { input: t.input }, Params::Conv(spec))
}
