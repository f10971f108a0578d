//! Per-operator glue: options and tensors → kernel parameters → kernel call.

use super::{as_i8, as_i8_mut, q8, want, Ctx, Memory};
use crate::error::{Error, Result};
use crate::kernels::conv::{self, ConvParams, IoQuant, Window};
use crate::kernels::depthwise_conv::{self, DepthwiseParams};
use crate::kernels::fully_connected::{self, FullyConnectedParams};
use crate::kernels::{
    activations, add, concatenation, dequantize, hard_swish, logistic, mean, mul, pad, pooling, quantize,
    resize_nearest, softmax, transpose, Dims4, LeI32s, Padding,
};
use crate::quant::{activation_range_i8, Activation, Requant};
use crate::schema::flatbuf::Table;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Tensor};

/// Validates (memory `None`) or runs (memory `Some`) one operator; returns its scratch bytes.
pub(crate) fn run(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    input: (usize, Tensor<'m>),
    filter: (usize, Tensor<'m>),
    bias: Option<(usize, Tensor<'m>)>,
    output: Tensor<'m>,
    io: IoQuant,
    in_scale: f32,
    out_scale: f32,
}

fn conv_tensors<'m>(c: &Ctx<'m>, act: Activation) -> Result<ConvTensors<'m>> {
    c.arity(2..=3, 1)?;
    let input = c.input(0)?;
    let filter = c.input(1)?;
    let bias = c.opt_input(2)?;
    let (_, output) = c.output(0)?;
    let (in_scale, input_zp) = q8(c, &input.1)?;
    let (out_scale, output_zp) = q8(c, &output)?;
    want(c, &filter.1, DType::I8)?;
    if let Some((_, b)) = &bias {
        want(c, b, DType::I32)?;
    }
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

/// Number of requantization entries: one per output channel when per-channel, else one.
fn requant_count(t: &ConvTensors<'_>, channels: usize) -> Result<usize> {
    let n = t.filter.1.quant.scales.len();
    if n == 1 {
        Ok(1)
    } else if n == channels {
        Ok(n)
    } else {
        Err(Error::InvalidArgument)
    }
}

fn scratch_for(n: usize) -> usize {
    if n > 1 {
        n * core::mem::size_of::<Requant>()
    } else {
        0
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

fn conv2d(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let o = c.options()?;
    let act = activation(c, o, 3)?;
    let w = window(c, o, [0, 1, 2, 4, 5])?;
    let t = conv_tensors(c, act)?;
    let out = dims4(c, &t.output)?;
    let p = k(c, ConvParams::new(w, dims4(c, &t.input.1)?, dims4(c, &t.filter.1)?, out, t.io))?;
    let n = k(c, requant_count(&t, out.c))?;
    let bias_len = t.bias.as_ref().map(|b| b.1.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.1.elements(), bias_len, t.output.elements()))?;
    let scratch = scratch_for(n);
    let Some(mem) = mem else { return Ok(scratch) };
    let b = mem.bind(c, scratch)?;
    let input = as_i8(b.input(t.input.0)?);
    let filter = as_i8(b.input(t.filter.0)?);
    let bias = match t.bias {
        Some((i, _)) => Some(LeI32s::new(b.input(i)?)),
        None => None,
    };
    let out = as_i8_mut(b.out);
    with_requant(
        c,
        n,
        b.scratch,
        |r| conv::per_channel_requant(t.in_scale, t.filter.1.quant.scales, t.out_scale, r),
        |r| conv::conv2d_s8(&p, r, input, filter, bias, out),
    )?;
    Ok(scratch)
}

fn depthwise(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let o = c.options()?;
    let act = activation(c, o, 4)?;
    let w = window(c, o, [0, 1, 2, 5, 6])?;
    let multiplier = positive(c, opt_i32(o, 3, 0)?)?;
    let t = conv_tensors(c, act)?;
    let out = dims4(c, &t.output)?;
    let p = k(c, DepthwiseParams::new(w, multiplier, dims4(c, &t.input.1)?, dims4(c, &t.filter.1)?, out, t.io))?;
    let n = k(c, requant_count(&t, out.c))?;
    let bias_len = t.bias.as_ref().map(|b| b.1.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.1.elements(), bias_len, t.output.elements()))?;
    let scratch = scratch_for(n);
    let Some(mem) = mem else { return Ok(scratch) };
    let b = mem.bind(c, scratch)?;
    let input = as_i8(b.input(t.input.0)?);
    let filter = as_i8(b.input(t.filter.0)?);
    let bias = match t.bias {
        Some((i, _)) => Some(LeI32s::new(b.input(i)?)),
        None => None,
    };
    let out = as_i8_mut(b.out);
    with_requant(
        c,
        n,
        b.scratch,
        |r| conv::per_channel_requant(t.in_scale, t.filter.1.quant.scales, t.out_scale, r),
        |r| depthwise_conv::depthwise_conv2d_s8(&p, r, input, filter, bias, out),
    )?;
    Ok(scratch)
}

fn fully_connected(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let o = c.options()?;
    let act = activation(c, o, 0)?;
    if o.map_or(Ok(0), |t| t.i8(1, 0))? != 0 {
        return Err(c.bad_options()); // only the DEFAULT weights format
    }
    let t = conv_tensors(c, act)?;
    let scales = t.filter.1.quant.scales;
    let p = k(
        c,
        FullyConnectedParams::new(
            t.input.1.shape,
            t.filter.1.shape,
            t.output.shape,
            scales.len(),
            t.filter.1.quant.zero_point(),
            t.io,
        ),
    )?;
    let n = if p.per_channel() { p.output_depth() } else { 1 };
    let bias_len = t.bias.as_ref().map(|b| b.1.elements());
    k(c, p.check(n, t.input.1.elements(), t.filter.1.elements(), bias_len, t.output.elements()))?;
    let bias_scale = t.bias.as_ref().map(|b| b.1.quant.scale());
    // Validate the multiplier derivation at init too (TFLM rejects inconsistent bias scales).
    if n == 1 {
        let mut one = [Requant::default(); 1];
        k(c, fully_connected::fully_connected_requant(t.in_scale, scales, t.out_scale, bias_scale, &mut one))?;
    }
    let scratch = scratch_for(n);
    let Some(mem) = mem else { return Ok(scratch) };
    let b = mem.bind(c, scratch)?;
    let input = as_i8(b.input(t.input.0)?);
    let filter = as_i8(b.input(t.filter.0)?);
    let bias = match t.bias {
        Some((i, _)) => Some(LeI32s::new(b.input(i)?)),
        None => None,
    };
    let out = as_i8_mut(b.out);
    with_requant(
        c,
        n,
        b.scratch,
        |r| fully_connected::fully_connected_requant(t.in_scale, scales, t.out_scale, bias_scale, r),
        |r| fully_connected::fully_connected_s8(&p, r, input, filter, bias, out),
    )?;
    Ok(scratch)
}

// ---- windows, reductions, data movement ----

fn pool(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    c.arity(1..=1, 1)?;
    let o = c.options()?;
    let pad = padding(c, o, 0)?;
    let sw = positive(c, opt_i32(o, 1, 0)?)?;
    let sh = positive(c, opt_i32(o, 2, 0)?)?;
    let fw = positive(c, opt_i32(o, 3, 0)?)?;
    let fh = positive(c, opt_i32(o, 4, 0)?)?;
    let act = activation(c, o, 5)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    k(c, pooling::check_pool_quantization(is, iz, os, oz))?;
    let (lo, hi) = activation_range_i8(act, os, oz);
    let p = k(c, pooling::PoolParams::new(pad, fh, fw, sh, sw, dims4(c, &input)?, dims4(c, &output)?, lo, hi))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let input = as_i8(b.input(ti)?);
    if c.kind == OpKind::AveragePool2d {
        pooling::average_pool_s8(&p, input, as_i8_mut(b.out));
    } else {
        pooling::max_pool_s8(&p, input, as_i8_mut(b.out));
    }
    Ok(0)
}

fn mean(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    let Some(mem) = mem else { return Ok(0) };
    let _ = ta;
    let b = mem.bind(c, 0)?;
    mean::mean_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out));
    Ok(0)
}

fn pad(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
            let data = cv.data.ok_or(c.bad())?;
            if data.len() != 1 {
                return Err(c.bad());
            }
            k(c, pad::pad_value_for_padv2(os, oz, cs, cz, data[0] as i8))?
        }
        None => k(c, pad::pad_value_for_pad(oz))?,
    };
    let p = k(c, pad::PadParams::new(input.shape, output.shape, LeI32s::new(pads), value))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    pad::pad_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out));
    Ok(0)
}

fn concat(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    for i in 0..n {
        let (t, tensor) = c.input(i)?;
        let (s, z) = q8(c, &tensor)?;
        descs[i] = concatenation::ConcatInput { shape: tensor.shape, scale: s, zero_point: z };
        ids[i] = t;
    }
    let p = k(c, concatenation::ConcatParams::new(axis, act, &descs[..n], output.shape, os, oz))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let mut inputs: [&[i8]; concatenation::CONCAT_MAX_INPUTS] = [&[]; concatenation::CONCAT_MAX_INPUTS];
    for i in 0..n {
        inputs[i] = as_i8(b.input(ids[i])?);
    }
    concatenation::concatenation_s8(&p, &inputs[..n], as_i8_mut(b.out));
    Ok(0)
}

fn resize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    resize_nearest::resize_nearest_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out));
    Ok(0)
}

fn transpose(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    transpose::transpose_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out));
    Ok(0)
}

/// RESHAPE / SQUEEZE: same bytes, new shape (a copy into the output's own buffer).
fn reshape(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    c.arity(1..=2, 1)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    if input.dtype != output.dtype || input.elements() != output.elements() {
        return Err(c.bad());
    }
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let src = b.input(ti)?;
    if src.len() != b.out.len() {
        return Err(c.bad());
    }
    b.out.copy_from_slice(src);
    Ok(0)
}

// ---- elementwise ----

fn binary(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let (a, bb, out) = (as_i8(b.input(t1)?), as_i8(b.input(t2)?), as_i8_mut(b.out));
    k(
        c,
        match p {
            P::Add(p) => add::add_s8(&p, a, bb, out),
            P::Mul(p) => mul::mul_s8(&p, a, bb, out),
        },
    )?;
    Ok(0)
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

fn softmax(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let o = c.options()?;
    let beta = o.map_or(Ok(0.0), |t| t.f32(0, 0.0))?;
    let (ti, input, output) = unary(c)?;
    let (is, _) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    let p = k(c, softmax::SoftmaxParams::new(is, beta, os, oz, input.shape, output.shape))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    k(c, softmax::softmax_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out)))?;
    Ok(0)
}

fn logistic(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = q8(c, &input)?;
    let (_, oz) = q8(c, &output)?;
    let p = k(c, logistic::LogisticParams::new(is, iz, oz))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    k(c, logistic::logistic_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out)))?;
    Ok(0)
}

fn hard_swish(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let (ti, input, output) = unary(c)?;
    let (is, iz) = q8(c, &input)?;
    let (os, oz) = q8(c, &output)?;
    let p = k(c, hard_swish::HardSwishParams::new(is, iz, os, oz))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    k(c, hard_swish::hard_swish_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out)))?;
    Ok(0)
}

fn relu(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
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
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let (x, y) = (as_i8(b.input(ti)?), as_i8_mut(b.out));
    k(
        c,
        match p {
            P::Relu(p) => activations::relu_s8(&p, x, y),
            P::Relu6(p) => activations::relu6_s8(&p, x, y),
        },
    )?;
    Ok(0)
}

fn quantize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let (ti, input, output) = unary(c)?;
    let (os, oz) = q8(c, &output)?;
    match input.dtype {
        DType::F32 => {
            let p = k(c, quantize::QuantizeParams::new(os, oz))?;
            let Some(mem) = mem else { return Ok(0) };
            let b = mem.bind(c, 0)?;
            let x: &[f32] = bytemuck::try_cast_slice(b.input(ti)?).map_err(|_| c.bad())?;
            k(c, quantize::quantize_f32_s8(&p, x, as_i8_mut(b.out)))?;
        }
        DType::I8 => {
            let (is, iz) = q8(c, &input)?;
            let p = k(c, quantize::RequantizeParams::new(is, iz, os, oz))?;
            let Some(mem) = mem else { return Ok(0) };
            let b = mem.bind(c, 0)?;
            k(c, quantize::requantize_s8(&p, as_i8(b.input(ti)?), as_i8_mut(b.out)))?;
        }
        _ => return Err(c.bad()),
    }
    Ok(0)
}

fn dequantize(c: &Ctx<'_>, mem: Option<&mut Memory<'_>>) -> Result<usize> {
    let (ti, input, output) = unary(c)?;
    want(c, &output, DType::F32)?;
    let (is, iz) = q8(c, &input)?;
    let p = k(c, dequantize::DequantizeParams::new(is, iz))?;
    let Some(mem) = mem else { return Ok(0) };
    let b = mem.bind(c, 0)?;
    let x = as_i8(b.input(ti)?);
    let y: &mut [f32] = bytemuck::try_cast_slice_mut(b.out).map_err(|_| c.bad())?;
    k(c, dequantize::dequantize_s8_f32(&p, x, y))?;
    Ok(0)
}
