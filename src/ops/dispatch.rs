//! Per-operator glue: options and tensors → kernel parameters → kernel call.

use super::{as_i8, as_i8_mut, q8, want, Ctx, Memory, OpFacts, Overlap, OverlapKind};
use crate::error::{Error, Result};
use crate::kernels::conv::{self, ConvParams, IoQuant, Window};
use crate::kernels::depthwise_conv::{self, DepthwiseParams};
use crate::kernels::fully_connected::{self, FullyConnectedParams};
use crate::kernels::io::Walk;
use crate::kernels::{
    activations, add, concatenation, dequantize, hard_swish, logistic, mean, mul, pad, pooling, quantize,
    resize_nearest, softmax, transpose, Dims4, LeI32s, Padding,
};
use crate::kernels::{out_size, padding_before};
use crate::plan::overlap::{backward_distance, forward_distance, WindowGeom};
use crate::plan::{Kernel, NEVER};
use crate::quant::{activation_range_i8, Activation, Requant};
use crate::schema::flatbuf::Table;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Tensor};
use crate::slices::checked_sum;
use core::num::Saturating;

/// Validates (memory `None`: returns the planner's facts) or runs (memory `Some`) one operator.
pub(crate) fn run(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    // Only DEPTHWISE_CONV_2D has kernel variants the plan chooses between.
    if c.kernel != Kernel::Standard && c.kind != OpKind::DepthwiseConv2d {
        return Err(c.bad());
    }
    match c.kind {
        OpKind::Conv2d => conv2d(c, mem),
        OpKind::DepthwiseConv2d => depthwise(c, mem),
        OpKind::FullyConnected => fully_connected(c, mem),
        OpKind::AveragePool2d | OpKind::MaxPool2d => pool(c, mem),
        OpKind::Mean => mean(c, mem),
        OpKind::Pad | OpKind::PadV2 => pad(c, mem),
        OpKind::Concatenation => concat(c, mem),
        OpKind::ResizeNearestNeighbor => resize(c, mem),
        OpKind::Transpose => transpose(c, mem),
        OpKind::Reshape | OpKind::Squeeze => reshape(c, mem),
        OpKind::Add | OpKind::Mul => binary(c, mem),
        OpKind::Softmax => softmax(c, mem),
        OpKind::Logistic => logistic(c, mem),
        OpKind::HardSwish => hard_swish(c, mem),
        OpKind::Relu | OpKind::Relu6 => relu(c, mem),
        OpKind::Quantize => quantize(c, mem),
        OpKind::Dequantize => dequantize(c, mem),
    }
}

// ---- option helpers ----

fn opt_i32(o: Option<Table<'_>>, id: usize, default: i32) -> Result<i32> {
    o.map_or(Ok(default), |t| t.i32(id, default))
}

fn opt_bool(o: Option<Table<'_>>, id: usize) -> Result<bool> {
    o.map_or(Ok(false), |t| t.bool(id, false))
}

fn activation(c: &Ctx<'_>, o: Option<Table<'_>>, id: usize) -> Result<Activation> {
    let v = o.map_or(Ok(0), |t| t.i8(id, 0))?;
    Activation::from_schema(v).ok_or(c.bad_options())
}

fn padding(c: &Ctx<'_>, o: Option<Table<'_>>, id: usize) -> Result<Padding> {
    match o.map_or(Ok(0), |t| t.i8(id, 0))? {
        0 => Ok(Padding::Same),
        1 => Ok(Padding::Valid),
        _ => Err(c.bad_options()),
    }
}

/// A non-negative option value as `usize` (negative values are malformed options).
fn positive(c: &Ctx<'_>, v: i32) -> Result<usize> {
    usize::try_from(v).map_err(|_| c.bad_options())
}

fn dims4(c: &Ctx<'_>, t: &Tensor<'_>) -> Result<Dims4> {
    t.shape.nhwc().ok_or(c.bad())
}

/// Maps a kernel constructor's rejection to this operator.
fn k<T>(c: &Ctx<'_>, r: Result<T>) -> Result<T> {
    r.map_err(|_| c.bad())
}

// ---- convolutions ----

struct ConvTensors<'m> {
    /// The activation input actually read: the op's input 0, or a folded PAD's input.
    input: (usize, Tensor<'m>),
    filter: Tensor<'m>,
    bias: Option<Tensor<'m>>,
    output: (usize, Tensor<'m>),
    io: IoQuant,
    in_scale: f32,
    out_scale: f32,
}

fn conv_tensors<'m>(c: &Ctx<'m>, act: Activation) -> Result<ConvTensors<'m>> {
    c.arity(2..=3, 1)?;
    let declared = c.input(0)?;
    let (_, filter) = c.input(1)?;
    let bias = c.opt_input(2)?.map(|b| b.1);
    let output = c.output(0)?;
    // Quantization of the declared input (a folded PAD's output) applies to the bytes read.
    let (in_scale, input_zp) = q8(c, &declared.1)?;
    let (out_scale, output_zp) = q8(c, &output.1)?;
    want(c, &filter, DType::I8)?;
    if filter.data.is_none() {
        return Err(c.bad()); // filters are constant in every model patchwise runs
    }
    if let Some(b) = &bias {
        want(c, b, DType::I32)?;
        if b.data.is_none() {
            return Err(c.bad());
        }
    }
    let input = match c.fused_pad {
        Some(p) => {
            let t = c.model.operator(p)?.input(0).ok_or(c.bad())?;
            let tensor = c.model.tensor(t)?;
            want(c, &tensor, DType::I8)?;
            (t, tensor)
        }
        None => declared,
    };
    let (act_min, act_max) = activation_range_i8(act, out_scale, output_zp);
    Ok(ConvTensors {
        input,
        filter,
        bias,
        output,
        io: IoQuant { input_zp, output_zp, act_min, act_max },
        in_scale,
        out_scale,
    })
}

fn window(c: &Ctx<'_>, o: Option<Table<'_>>, ids: [usize; 5]) -> Result<Window> {
    Ok(Window {
        padding: padding(c, o, ids[0])?,
        stride_w: positive(c, opt_i32(o, ids[1], 0)?)?,
        stride_h: positive(c, opt_i32(o, ids[2], 0)?)?,
        dilation_w: positive(c, opt_i32(o, ids[3], 1)?)?,
        dilation_h: positive(c, opt_i32(o, ids[4], 1)?)?,
    })
}

/// `[top, bottom, left, right]` padding of a PAD folded into `c`: only H and W padded, and
/// the pad value equal to `c`'s input zero point (so padded taps contribute nothing).
pub(crate) fn folded_padding(c: &Ctx<'_>) -> Result<[usize; 4]> {
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
fn own_padding(c: &Ctx<'_>, w: &Window, padded: Dims4, filter: Dims4, out: Dims4) -> Result<[usize; 4]> {
    if w.padding == Padding::Valid {
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
    let (t, b) = side(w.stride_h, w.dilation_h, padded.h, filter.h, out.h).ok_or(c.bad())?;
    let (l, r) = side(w.stride_w, w.dilation_w, padded.w, filter.w, out.w).ok_or(c.bad())?;
    Ok([t, b, l, r])
}

/// Total `[top, bottom, left, right]` virtual padding of a convolution with a folded PAD.
fn fused_padding(c: &Ctx<'_>, w: &Window, input: Dims4, filter: Dims4, out: Dims4) -> Result<[usize; 4]> {
    let [top, bottom, left, right] = folded_padding(c)?;
    let total = |parts: &[usize]| checked_sum(parts).ok_or(c.bad());
    let padded = Dims4 { h: total(&[input.h, top, bottom])?, w: total(&[input.w, left, right])?, ..input };
    let [t, b, l, r] = own_padding(c, w, padded, filter, out)?;
    Ok([total(&[top, t])?, total(&[bottom, b])?, total(&[left, l])?, total(&[right, r])?])
}

/// Number of requantization entries: one per output channel when per-channel, else one.
fn requant_count(t: &ConvTensors<'_>, channels: usize) -> Result<usize> {
    let n = t.filter.quant.scales.len();
    if n == 1 {
        Ok(1)
    } else if n == channels {
        Ok(n)
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Scratch bytes of a requantization table of `n` entries (none for one entry).
fn scratch_for(n: usize) -> Result<usize> {
    if n > 1 {
        n.checked_mul(core::mem::size_of::<Requant>()).ok_or(Error::TooLarge)
    } else {
        Ok(0)
    }
}

/// Runs `f` with the requantization table: one entry on the stack, or the op's arena scratch.
fn with_requant(
    c: &Ctx<'_>,
    n: usize,
    scratch: &mut [u8],
    fill: impl FnOnce(&mut [Requant]) -> Result<()>,
    f: impl FnOnce(&[Requant]) -> Result<()>,
) -> Result<()> {
    let mut one = [Requant::default(); 1];
    let table: &mut [Requant] =
        if n > 1 { bytemuck::try_cast_slice_mut(scratch).map_err(|_| c.bad())? } else { &mut one };
    k(c, fill(table))?;
    k(c, f(table))
}

/// The planner's facts for a sliding-window operator reading `input`.
fn window_facts(scratch: usize, input: usize, g: WindowGeom) -> OpFacts {
    OpFacts {
        scratch,
        kernel: Kernel::Standard,
        overlap: Some(Overlap {
            input: Some(input),
            alt_input: None,
            kind: OverlapKind::Window,
            forward: forward_distance(&g),
            backward: backward_distance(&g),
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn geom(
    input: Dims4,
    output: Dims4,
    k_h: usize,
    k_w: usize,
    strides: (usize, usize),
    dilations: (usize, usize),
    pad_top: usize,
    pad_left: usize,
) -> WindowGeom {
    WindowGeom {
        batches: input.n,
        in_h: input.h,
        in_w: input.w,
        in_px: input.c,
        out_h: output.h,
        out_w: output.w,
        out_px: output.c,
        k_h,
        k_w,
        stride_h: strides.0,
        stride_w: strides.1,
        dilation_h: dilations.0,
        dilation_w: dilations.1,
        pad_top,
        pad_left,
    }
}

fn conv2d(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let o = c.options()?;
    let act = activation(c, o, 3)?;
    let w = window(c, o, [0, 1, 2, 4, 5])?;
    let t = conv_tensors(c, act)?;
    let (ind, fd, out) = (dims4(c, &t.input.1)?, dims4(c, &t.filter)?, dims4(c, &t.output.1)?);
    let p = match c.fused_pad {
        None => k(c, ConvParams::new(w, ind, fd, out, t.io))?,
        Some(_) => {
            let pad = fused_padding(c, &w, ind, fd, out)?;
            k(c, ConvParams::with_padding(pad, w.stride_h, w.stride_w, w.dilation_h, w.dilation_w, ind, fd, out, t.io))?
        }
    };
    let n = k(c, requant_count(&t, out.c))?;
    let bias_len = t.bias.as_ref().map(|b| b.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.elements(), bias_len, t.output.1.elements()))?;
    let scratch = scratch_for(n)?;
    let Some(mem) = mem else {
        let g = geom(ind, out, fd.h, fd.w, p.strides(), p.dilations(), p.pad_top(), p.pad_left());
        return Ok(window_facts(scratch, t.input.0, g));
    };
    let mut b = mem.bind(c, scratch)?;
    let scratch_mem = core::mem::take(&mut b.scratch);
    let (mut io, walk) = b.io(t.output.0, [Some(t.input.0), None])?;
    let filter = as_i8(t.filter.data.unwrap_or(&[]));
    let bias = t.bias.and_then(|b| b.data).map(LeI32s::new);
    with_requant(
        c,
        n,
        scratch_mem,
        |r| conv::per_channel_requant(t.in_scale, t.filter.quant.scales, t.out_scale, r),
        |r| conv::conv2d_s8(&p, r, &mut io, filter, bias, walk),
    )?;
    Ok(OpFacts::PLAIN)
}

fn depthwise(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let o = c.options()?;
    let act = activation(c, o, 4)?;
    let w = window(c, o, [0, 1, 2, 5, 6])?;
    let multiplier = positive(c, opt_i32(o, 3, 0)?)?;
    let t = conv_tensors(c, act)?;
    let (ind, fd, out) = (dims4(c, &t.input.1)?, dims4(c, &t.filter)?, dims4(c, &t.output.1)?);
    let p = match c.fused_pad {
        None => k(c, DepthwiseParams::new(w, multiplier, ind, fd, out, t.io))?,
        Some(_) => {
            let pad = fused_padding(c, &w, ind, fd, out)?;
            k(
                c,
                DepthwiseParams::with_padding(
                    pad,
                    w.stride_h,
                    w.stride_w,
                    w.dilation_h,
                    w.dilation_w,
                    multiplier,
                    ind,
                    fd,
                    out,
                    t.io,
                ),
            )?
        }
    };
    let n = k(c, requant_count(&t, out.c))?;
    let bias_len = t.bias.as_ref().map(|b| b.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.elements(), bias_len, t.output.1.elements()))?;
    let requant_scratch = scratch_for(n)?;
    let plane = ind.h.checked_mul(ind.w).ok_or(c.bad())?;
    let Some(mem) = mem else {
        // Channel by channel in place (one input plane of scratch, requantization on the fly)
        // when its footprint is smaller than walking pixels (a requantization table plus the
        // slack the walk needs between output and input). Decided here, once, at init.
        let g = geom(ind, out, fd.h, fd.w, p.strides(), p.dilations(), p.pad_top(), p.pad_left());
        let window = window_facts(requant_scratch, t.input.0, g);
        // Footprints in saturating i64 (sizes < 2^34, as in the planner): exact.
        let bytes = |v: usize| Saturating(v as i64);
        let (sa, sb) = (bytes(t.input.1.bytes()), bytes(t.output.1.bytes()));
        let union = |x: Saturating<i64>| sa.max(x + sb) - x.min(Saturating(0));
        let walked = window
            .overlap
            .map_or(sa + sb, |o| union(Saturating(0) - Saturating(o.forward)).min(union(Saturating(o.backward))));
        if multiplier == 1 && sa.max(sb) + bytes(plane) < walked + bytes(requant_scratch) {
            let exact = crate::plan::EXACT as i64;
            let ov = Overlap { forward: exact, backward: exact, ..Overlap::forward_only(t.input.0) };
            return Ok(OpFacts { scratch: plane, overlap: Some(ov), kernel: Kernel::Channelwise });
        }
        return Ok(window);
    };
    let channelwise = c.kernel == Kernel::Channelwise;
    if channelwise && multiplier != 1 {
        return Err(c.bad());
    }
    let scratch = if channelwise { plane } else { requant_scratch };
    let mut b = mem.bind(c, scratch)?;
    let scratch_mem = core::mem::take(&mut b.scratch);
    let (mut io, walk) = b.io(t.output.0, [Some(t.input.0), None])?;
    let filter = as_i8(t.filter.data.unwrap_or(&[]));
    let bias = t.bias.and_then(|b| b.data).map(LeI32s::new);
    if channelwise {
        if io.overlap_delta(0).is_some_and(|d| d != 0) {
            return Err(c.bad());
        }
        let scales = t.filter.quant.scales;
        let rq = |ch| conv::channel_requant(t.in_scale, scales, t.out_scale, ch);
        return k(
            c,
            depthwise_conv::depthwise_conv2d_s8_channelwise(&p, rq, &mut io, filter, bias, as_i8_mut(scratch_mem)),
        )
        .map(|()| OpFacts::PLAIN);
    }
    with_requant(
        c,
        n,
        scratch_mem,
        |r| conv::per_channel_requant(t.in_scale, t.filter.quant.scales, t.out_scale, r),
        |r| depthwise_conv::depthwise_conv2d_s8(&p, r, &mut io, filter, bias, walk),
    )?;
    Ok(OpFacts::PLAIN)
}

fn fully_connected(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    if c.fused_pad.is_some() {
        return Err(c.bad());
    }
    let o = c.options()?;
    let act = activation(c, o, 0)?;
    if o.map_or(Ok(0), |t| t.i8(1, 0))? != 0 {
        return Err(c.bad_options()); // only the DEFAULT weights format
    }
    let t = conv_tensors(c, act)?;
    let scales = t.filter.quant.scales;
    let p = k(
        c,
        FullyConnectedParams::new(
            t.input.1.shape,
            t.filter.shape,
            t.output.1.shape,
            scales.len(),
            t.filter.quant.zero_point(),
            t.io,
        ),
    )?;
    let n = if p.per_channel() { p.output_depth() } else { 1 };
    let bias_len = t.bias.as_ref().map(|b| b.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.elements(), bias_len, t.output.1.elements()))?;
    let bias_scale = t.bias.as_ref().map(|b| b.quant.scale());
    // Validate the multiplier derivation at init too (TFLM rejects inconsistent bias scales).
    if n == 1 {
        let mut one = [Requant::default(); 1];
        k(c, fully_connected::fully_connected_requant(t.in_scale, scales, t.out_scale, bias_scale, &mut one))?;
    }
    let scratch = scratch_for(n)?;
    let Some(mem) = mem else { return Ok(OpFacts { scratch, overlap: None, kernel: Kernel::Standard }) };
    let mut b = mem.bind(c, scratch)?;
    let scratch_mem = core::mem::take(&mut b.scratch);
    let s = b.split(t.output.0)?;
    let input = as_i8(s.input(t.input.0)?);
    let filter = as_i8(t.filter.data.unwrap_or(&[]));
    let bias = t.bias.and_then(|b| b.data).map(LeI32s::new);
    let out = as_i8_mut(s.out);
    with_requant(
        c,
        n,
        scratch_mem,
        |r| fully_connected::fully_connected_requant(t.in_scale, scales, t.out_scale, bias_scale, r),
        |r| fully_connected::fully_connected_s8(&p, r, input, filter, bias, out),
    )?;
    Ok(OpFacts::PLAIN)
}

// ---- windows, reductions, data movement ----

fn pool(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(1..=1, 1)?;
    let o = c.options()?;
    let pad = padding(c, o, 0)?;
    let sw = positive(c, opt_i32(o, 1, 0)?)?;
    let sh = positive(c, opt_i32(o, 2, 0)?)?;
    let fw = positive(c, opt_i32(o, 3, 0)?)?;
    let fh = positive(c, opt_i32(o, 4, 0)?)?;
    let act = activation(c, o, 5)?;
    let (ti, input) = c.input(0)?;
    let (to, output) = c.output(0)?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    k(c, pooling::check_pool_quantization(is, iz, os, oz))?;
    let (lo, hi) = activation_range_i8(act, os, oz);
    let (ind, outd) = (dims4(c, &input)?, dims4(c, &output)?);
    let p = k(c, pooling::PoolParams::new(pad, fh, fw, sh, sw, ind, outd, lo, hi))?;
    let Some(mem) = mem else {
        let g = geom(ind, outd, fh, fw, (sh, sw), (1, 1), p.pad_top(), p.pad_left());
        return Ok(window_facts(0, ti, g));
    };
    let mut b = mem.bind(c, 0)?;
    let (mut io, walk) = b.io(to, [Some(ti), None])?;
    if c.kind == OpKind::AveragePool2d {
        k(c, pooling::average_pool_s8(&p, &mut io, walk))?;
    } else {
        k(c, pooling::max_pool_s8(&p, &mut io, walk))?;
    }
    Ok(OpFacts::PLAIN)
}

fn mean(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (ta, axes) = c.input(1)?;
    let (_, output) = c.output(0)?;
    want(c, &axes, DType::I32)?;
    let axes_bytes = axes.data.ok_or(c.bad())?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    let p = k(c, mean::MeanParams::new(input.shape, output.shape, LeI32s::new(axes_bytes), is, iz, os, oz))?;
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let _ = ta;
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    mean::mean_s8(&p, as_i8(s.input(ti)?), as_i8_mut(s.out));
    Ok(OpFacts::PLAIN)
}

fn pad(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let v2 = c.kind == OpKind::PadV2;
    c.arity(if v2 { 3..=3 } else { 2..=3 }, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, paddings) = c.input(1)?;
    let (_, output) = c.output(0)?;
    want(c, &input, DType::I8)?;
    let (os, oz) = q8(c, &output)?;
    let pads = paddings.data.ok_or(c.bad())?;
    if paddings.dtype != DType::I32 && paddings.dtype != DType::I64 {
        return Err(c.bad());
    }
    let value = match c.opt_input(2)? {
        Some((_, cv)) => {
            let (cs, cz) = q8(c, &cv)?;
            let &[value] = cv.data.ok_or(c.bad())? else { return Err(c.bad()) };
            k(c, pad::pad_value_for_padv2(os, oz, cs, cz, value as i8))?
        }
        None => k(c, pad::pad_value_for_pad(oz))?,
    };
    let p = k(c, pad::PadParams::new(input.shape, output.shape, LeI32s::new(pads), value))?;
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    pad::pad_s8(&p, as_i8(s.input(ti)?), as_i8_mut(s.out));
    Ok(OpFacts::PLAIN)
}

fn concat(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let n = c.op.num_inputs();
    if n == 0 || n > concatenation::CONCAT_MAX_INPUTS || c.op.num_outputs() != 1 {
        return Err(c.bad());
    }
    let o = c.options()?;
    let axis = opt_i32(o, 0, 0)?;
    let act = activation(c, o, 1)?;
    let (_, output) = c.output(0)?;
    let (os, oz) = q8(c, &output)?;
    let mut descs = [concatenation::ConcatInput { shape: output.shape, scale: 0.0, zero_point: 0 };
        concatenation::CONCAT_MAX_INPUTS];
    let mut ids = [0usize; concatenation::CONCAT_MAX_INPUTS];
    for (i, (desc, id)) in descs.iter_mut().zip(&mut ids).enumerate().take(n) {
        let (t, tensor) = c.input(i)?;
        let (s, z) = q8(c, &tensor)?;
        *desc = concatenation::ConcatInput { shape: tensor.shape, scale: s, zero_point: z };
        *id = t;
    }
    let descs = descs.get(..n).ok_or(c.bad())?;
    let p = k(c, concatenation::ConcatParams::new(axis, act, descs, output.shape, os, oz))?;
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    let mut inputs: [&[i8]; concatenation::CONCAT_MAX_INPUTS] = [&[]; concatenation::CONCAT_MAX_INPUTS];
    for (slot, &t) in inputs.iter_mut().zip(&ids).take(n) {
        *slot = as_i8(s.input(t)?);
    }
    concatenation::concatenation_s8(&p, inputs.get(..n).ok_or(c.bad())?, as_i8_mut(s.out));
    Ok(OpFacts::PLAIN)
}

fn resize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    let align = opt_bool(o, 0)?;
    let half = opt_bool(o, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, size) = c.input(1)?;
    let (_, output) = c.output(0)?;
    want(c, &input, DType::I8)?;
    want(c, &output, DType::I8)?;
    want(c, &size, DType::I32)?;
    let size = size.data.ok_or(c.bad())?;
    let p = k(
        c,
        resize_nearest::ResizeNearestParams::new(dims4(c, &input)?, dims4(c, &output)?, LeI32s::new(size), align, half),
    )?;
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    resize_nearest::resize_nearest_s8(&p, as_i8(s.input(ti)?), as_i8_mut(s.out));
    Ok(OpFacts::PLAIN)
}

fn transpose(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, perm) = c.input(1)?;
    let (_, output) = c.output(0)?;
    want(c, &input, DType::I8)?;
    want(c, &output, DType::I8)?;
    want(c, &perm, DType::I32)?;
    let perm = perm.data.ok_or(c.bad())?;
    let p = k(c, transpose::TransposeParams::new(input.shape, output.shape, LeI32s::new(perm)))?;
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    transpose::transpose_s8(&p, as_i8(s.input(ti)?), as_i8_mut(s.out));
    Ok(OpFacts::PLAIN)
}

/// RESHAPE / SQUEEZE: same bytes, new shape (a copy into the output's own buffer).
fn reshape(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(1..=2, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    if input.dtype != output.dtype || input.elements() != output.elements() {
        return Err(c.bad());
    }
    let Some(mem) = mem else { return Ok(OpFacts::PLAIN) };
    let mut b = mem.bind(c, 0)?;
    let s = b.split(c.output(0)?.0)?;
    let src = s.input(ti)?;
    if src.len() != s.out.len() {
        return Err(c.bad());
    }
    s.out.copy_from_slice(src);
    Ok(OpFacts::PLAIN)
}

// ---- elementwise ----

fn binary(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    let act = activation(c, o, 0)?;
    let (t1, in1) = c.input(0)?;
    let (t2, in2) = c.input(1)?;
    let (_, output) = c.output(0)?;
    let (s1, z1) = q8(c, &in1)?;
    let (s2, z2) = q8(c, &in2)?;
    let (so, zo) = q8(c, &output)?;
    enum P {
        Add(add::AddParams),
        Mul(mul::MulParams),
    }
    let p = if c.kind == OpKind::Add {
        P::Add(k(c, add::AddParams::new(s1, z1, s2, z2, so, zo, act, in1.shape, in2.shape, output.shape))?)
    } else {
        P::Mul(k(c, mul::MulParams::new(s1, z1, s2, z2, so, zo, act, in1.shape, in2.shape, output.shape))?)
    };
    let (to, _) = c.output(0)?;
    let Some(mem) = mem else {
        // Either operand of the output's own shape may be overwritten in place.
        let same = |t: &Tensor<'_>| t.shape == output.shape;
        let (first, second) = match (same(&in1), same(&in2)) {
            (true, true) => (Some(t1), Some(t2)),
            (true, false) => (Some(t1), None),
            (false, true) => (Some(t2), None),
            (false, false) => (None, None),
        };
        let overlap = first.map(|f| Overlap { alt_input: second, ..Overlap::forward_only(f) });
        return Ok(OpFacts { scratch: 0, overlap, kernel: Kernel::Standard });
    };
    let mut b = mem.bind(c, 0)?;
    let (mut io, walk) = b.io(to, [Some(t1), Some(t2)])?;
    if walk != Walk::Forward {
        return Err(c.bad());
    }
    k(
        c,
        match p {
            P::Add(p) => add::add_s8(&p, &mut io),
            P::Mul(p) => mul::mul_s8(&p, &mut io),
        },
    )?;
    Ok(OpFacts::PLAIN)
}

/// Planner facts of a same-index elementwise operator reading `input`.
fn in_place(input: usize) -> OpFacts {
    OpFacts { scratch: 0, overlap: Some(Overlap::forward_only(input)), kernel: Kernel::Standard }
}

/// An [`Io`] for a forward-only elementwise kernel writing op `c`'s output from input `ti`.
fn unary_io<'b, 's, 'm: 's>(
    c: &Ctx<'_>,
    b: &'b mut super::Bound<'s, 'm>,
    ti: usize,
) -> Result<crate::kernels::io::Io<'b>> {
    let (io, walk) = b.io(c.output(0)?.0, [Some(ti), None])?;
    if walk != Walk::Forward {
        return Err(c.bad());
    }
    Ok(io)
}

/// Common shape for one-input, one-output int8 ops with no options of interest.
fn unary<'m>(c: &Ctx<'m>) -> Result<(usize, Tensor<'m>, Tensor<'m>)> {
    c.arity(1..=1, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    if input.elements() != output.elements() {
        return Err(c.bad());
    }
    Ok((ti, input, output))
}

fn softmax(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let o = c.options()?;
    let beta = o.map_or(Ok(0.0), |t| t.f32(0, 0.0))?;
    let (ti, input, output) = unary(c)?;
    let (is, _) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    let p = k(c, softmax::SoftmaxParams::new(is, beta, os, oz, input.shape, output.shape))?;
    let Some(mem) = mem else { return Ok(in_place(ti)) };
    let mut b = mem.bind(c, 0)?;
    let mut io = unary_io(c, &mut b, ti)?;
    k(c, softmax::softmax_s8(&p, &mut io))?;
    Ok(OpFacts::PLAIN)
}

fn logistic(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = q8(c, &input)?;
    let (_, oz) = q8(c, &output)?;
    let p = k(c, logistic::LogisticParams::new(is, iz, oz))?;
    let Some(mem) = mem else { return Ok(in_place(ti)) };
    let mut b = mem.bind(c, 0)?;
    let mut io = unary_io(c, &mut b, ti)?;
    k(c, logistic::logistic_s8(&p, &mut io))?;
    Ok(OpFacts::PLAIN)
}

fn hard_swish(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    let p = k(c, hard_swish::HardSwishParams::new(is, iz, os, oz))?;
    let Some(mem) = mem else { return Ok(in_place(ti)) };
    let mut b = mem.bind(c, 0)?;
    let mut io = unary_io(c, &mut b, ti)?;
    k(c, hard_swish::hard_swish_s8(&p, &mut io))?;
    Ok(OpFacts::PLAIN)
}

fn relu(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    enum P {
        Relu(activations::ReluParams),
        Relu6(activations::Relu6Params),
    }
    let p = if c.kind == OpKind::Relu {
        P::Relu(k(c, activations::ReluParams::new(is, iz, os, oz))?)
    } else {
        P::Relu6(k(c, activations::Relu6Params::new(is, iz))?)
    };
    let Some(mem) = mem else { return Ok(in_place(ti)) };
    let mut b = mem.bind(c, 0)?;
    let mut io = unary_io(c, &mut b, ti)?;
    k(
        c,
        match p {
            P::Relu(p) => activations::relu_s8(&p, &mut io),
            P::Relu6(p) => activations::relu6_s8(&p, &mut io),
        },
    )?;
    Ok(OpFacts::PLAIN)
}

fn quantize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let (ti, input, output) = unary(c)?;
    let (os, oz) = q8(c, &output)?;
    match input.dtype {
        DType::F32 => {
            let p = k(c, quantize::QuantizeParams::new(os, oz))?;
            let Some(mem) = mem else { return Ok(in_place(ti)) };
            let to = c.output(0)?.0;
            let mut b = mem.bind(c, 0)?;
            // In place (output at or before the float input in one buffer) or separate.
            if let Some((buf, at_in, at_out)) = b.bytes_in_place(to, ti)? {
                k(c, quantize::quantize_f32_s8_bytes(&p, buf, at_in, at_out, output.elements()))?;
            } else {
                let s = b.split(to)?;
                let x: &[f32] = bytemuck::try_cast_slice(s.input(ti)?).map_err(|_| c.bad())?;
                k(c, quantize::quantize_f32_s8(&p, x, as_i8_mut(s.out)))?;
            }
        }
        DType::I8 => {
            let (is, iz) = q8(c, &input)?;
            let p = k(c, quantize::RequantizeParams::new(is, iz, os, oz))?;
            let Some(mem) = mem else { return Ok(in_place(ti)) };
            let mut b = mem.bind(c, 0)?;
            let mut io = unary_io(c, &mut b, ti)?;
            k(c, quantize::requantize_s8(&p, &mut io))?;
        }
        _ => return Err(c.bad()),
    }
    Ok(OpFacts::PLAIN)
}

fn dequantize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<OpFacts> {
    let (ti, input, output) = unary(c)?;
    want(c, &output, DType::F32)?;
    let (is, iz) = q8(c, &input)?;
    let p = k(c, dequantize::DequantizeParams::new(is, iz))?;
    let Some(mem) = mem else {
        // Walking backward, the float output may start at the int8 input and grow past it.
        let overlap = Overlap { forward: NEVER as i64, backward: 0, ..Overlap::forward_only(ti) };
        return Ok(OpFacts { scratch: 0, overlap: Some(overlap), kernel: Kernel::Standard });
    };
    let to = c.output(0)?.0;
    let mut b = mem.bind(c, 0)?;
    if let Some((buf, at_in, at_out)) = b.bytes_in_place(to, ti)? {
        k(c, dequantize::dequantize_s8_f32_bytes(&p, buf, at_in, at_out, input.elements()))?;
    } else {
        let s = b.split(to)?;
        let x = as_i8(s.input(ti)?);
        let y: &mut [f32] = bytemuck::try_cast_slice_mut(s.out).map_err(|_| c.bad())?;
        k(c, dequantize::dequantize_s8_f32(&p, x, y))?;
    }
    Ok(OpFacts::PLAIN)
}
