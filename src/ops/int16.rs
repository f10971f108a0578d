//! The int16-activation ("16x8") forms of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MEAN,
//! SOFTMAX, ADD, MUL, LOGISTIC, TANH, QUANTIZE and DEQUANTIZE: each operator's preparation
//! hands over here when its input (QUANTIZE: input or output) is int16, under the operator's
//! own cargo feature.
//!
//! Memory behaviour: LOGISTIC, TANH, ADD and MUL are elementwise over 2-byte elements and
//! run in place (forward); every other int16 form reads whole tensors into a separate output
//! ([`Dataflow::Global`], access `Separate`). None joins fused segments or takes a folded PAD.
//! Tensor bytes come from the element type, so the planner sizes int16 tensors at two bytes
//! per element like any other type.

use super::conv::{window_options, RequantSource};
use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::conv::{ConvParams, IoQuant};
use crate::kernels::conv16::{Bias16, LeI64s};
use crate::kernels::depthwise_conv::DepthwiseParams;
use crate::kernels::elementwise16::{Binary16Params, Convert16Params, Int, Requantize16Params};
use crate::kernels::fully_connected::{fully_connected_requant, FullyConnectedParams};
use crate::kernels::mean::MeanParams;
use crate::kernels::sigmoid16::Sigmoid16Params;
use crate::kernels::softmax16::Softmax16Params;
use crate::quant::{activation_range_i16, Activation, Requant};
use crate::schema::flatbuf::Table;
use crate::schema::numbers::tensor_type;
use crate::schema::{DType, Tensor};
use crate::tensor::{LeF32s, LeI32s, Shape};

/// A validated int16 operator.
#[derive(Clone, Copy, Debug)]
pub enum Int16Spec<'m> {
    Conv(Filtered16<'m, ConvParams>),
    Depthwise(Filtered16<'m, DepthwiseParams>),
    FullyConnected(Fc16<'m>),
    Mean(MeanParams),
    Softmax(Softmax16Params),
    /// QUANTIZE between integer types, one of them int16.
    Requantize(Requantize16Params),
    /// QUANTIZE float32 → int16.
    Quantize(Convert16Params),
    /// DEQUANTIZE int16 → float32.
    Dequantize(Convert16Params),
    /// ADD and MUL (`Binary16Params` knows which).
    Binary(Binary16Params),
    /// LOGISTIC and TANH (`Sigmoid16Params` knows which).
    Sigmoid(Sigmoid16Params),
}

/// A filtered int16 operator's geometry, constants and requantization source.
#[derive(Clone, Copy, Debug)]
pub struct Filtered16<'m, P> {
    pub params: P,
    pub filter: &'m [i8],
    pub bias: Bias16<'m>,
    pub requant: RequantSource<'m>,
}

/// A validated int16 FULLY_CONNECTED.
#[derive(Clone, Copy, Debug)]
pub struct Fc16<'m> {
    pub params: FullyConnectedParams,
    pub io: IoQuant,
    /// Minus the filter zero point on the per-tensor path, else 0.
    pub filter_offset: i32,
    pub filter: &'m [i8],
    pub bias: Bias16<'m>,
    pub input_scale: f32,
    pub filter_scales: LeF32s<'m>,
    pub output_scale: f32,
    pub bias_scale: Option<f32>,
    /// Requantization entries: one per output row when per-channel, else one.
    pub count: usize,
}

impl Int16Spec<'_> {
    /// Entries of the requantization table the kernel needs (0: none).
    pub fn requant_count(&self) -> usize {
        match self {
            Int16Spec::Conv(s) => s.requant.count,
            Int16Spec::Depthwise(s) => s.requant.count,
            Int16Spec::FullyConnected(f) => f.count,
            _ => 0,
        }
    }
}

/// True when the operator's input 0 is an int16 tensor (an error without the `int16` feature:
/// the int16 forms are then not linked).
pub(super) fn is_int16(c: &Ctx<'_>) -> Result<bool> {
    int16_enabled(c, c.input(0)?.1.dtype == DType::I16)
}

/// True when a QUANTIZE has an int16 input or output.
pub(super) fn is_int16_quantize(c: &Ctx<'_>) -> Result<bool> {
    int16_enabled(c, c.input(0)?.1.dtype == DType::I16 || c.output(0)?.1.dtype == DType::I16)
}

fn int16_enabled(c: &Ctx<'_>, int16: bool) -> Result<bool> {
    if int16 {
        off(c)?;
    }
    Ok(int16)
}

/// Without the `int16` feature, every int16 form is unsupported: each preparation starts here,
/// so that the rest of it (and the kernels it names) is not compiled in.
#[inline(always)]
fn off(c: &Ctx<'_>) -> Result<()> {
    if cfg!(feature = "int16") {
        Ok(())
    } else {
        Err(crate::error::Error::UnsupportedOp { op: c.index as u32, opcode: c.op.opcode })
    }
}

/// Per-tensor int16 quantization with zero point 0 (TFLM requires it for these kernels).
fn q16(c: &Ctx<'_>, t: &Tensor<'_>) -> Result<f32> {
    c.want(t, DType::I16)?;
    let s = t.quant.scale();
    if s.is_nan() || s <= 0.0 || t.quant.zero_point() != 0 {
        return Err(c.bad());
    }
    Ok(s)
}

/// The tensors of a filtered int16 operator: input, int8 filter, optional int32/int64 bias.
struct Tensors<'m> {
    input: usize,
    input_shape: Shape,
    filter: Tensor<'m>,
    filter_data: &'m [i8],
    bias: Bias16<'m>,
    bias_scale: Option<f32>,
    output_shape: Shape,
    in_scale: f32,
    out_scale: f32,
    io: IoQuant,
}

/// Reads a filtered operator's tensors; `bias32_option` is the options' `quantized_bias_type`
/// field (an operator without bias accumulates in 32 bits when it says int32).
fn tensors<'m>(
    c: &Ctx<'m>,
    act: Activation,
    o: Option<Table<'_>>,
    bias32_option: Option<usize>,
) -> Result<Tensors<'m>> {
    if c.fused_pad.is_some() {
        return Err(c.bad());
    }
    c.arity(2..=3, 1)?;
    let (input, x) = c.input(0)?;
    let (_, filter) = c.input(1)?;
    let (_, y) = c.output(0)?;
    let in_scale = q16(c, &x)?;
    let out_scale = q16(c, &y)?;
    c.want(&filter, DType::I8)?;
    let filter_data = bytemuck::cast_slice(filter.data.ok_or(c.bad())?);
    let (bias, bias_scale) = match c.opt_input(2)? {
        Some((_, b)) => {
            let data = b.data.ok_or(c.bad())?;
            let bias = match b.dtype {
                DType::I32 => Bias16::I32(LeI32s::new(data)),
                DType::I64 => Bias16::I64(LeI64s::new(data)),
                _ => return Err(c.bad()),
            };
            (bias, Some(b.quant.scale()))
        }
        None => {
            let ty = match (o, bias32_option) {
                (Some(t), Some(id)) => t.i8(id, 0)?,
                _ => 0,
            };
            (if ty == tensor_type::INT32 { Bias16::None32 } else { Bias16::None64 }, None)
        }
    };
    let (act_min, act_max) = activation_range_i16(act, out_scale, 0);
    Ok(Tensors {
        input,
        input_shape: x.shape,
        filter,
        filter_data,
        bias,
        bias_scale,
        output_shape: y.shape,
        in_scale,
        out_scale,
        io: IoQuant { input_zp: 0, output_zp: 0, act_min, act_max },
    })
}

impl<'m> Tensors<'m> {
    fn requant(&self, c: &Ctx<'_>, channels: usize) -> Result<RequantSource<'m>> {
        let scales = self.filter.quant.scales;
        let count = match scales.len() {
            1 => 1,
            n if n == channels => n,
            _ => return Err(c.bad()),
        };
        Ok(RequantSource { input_scale: self.in_scale, filter_scales: scales, output_scale: self.out_scale, count })
    }
    fn dims(&self, c: &Ctx<'_>) -> Result<[crate::tensor::Dims4; 3]> {
        let d = |s: &Shape| s.nhwc().ok_or(c.bad());
        Ok([d(&self.input_shape)?, d(&self.filter.shape)?, d(&self.output_shape)?])
    }
}

fn spec<'m>(c: &Ctx<'m>, input: usize, s: Int16Spec<'m>) -> Result<OpSpec<'m>> {
    c.spec([Some(input), None], Dataflow::Global, Params::Int16(s))
}

pub(super) fn conv<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    use crate::schema::numbers::conv_2d_options as f;
    let o = c.options()?;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let opts =
        window_options(c, o, [f::PADDING, f::STRIDE_W, f::STRIDE_H, f::DILATION_W_FACTOR, f::DILATION_H_FACTOR])?;
    let t = tensors(c, act, o, Some(f::QUANTIZED_BIAS_TYPE))?;
    let [ind, fd, out] = t.dims(c)?;
    let w = opts.window(c, ind, fd, out)?;
    let params = c.k(ConvParams::new(w, ind, fd, out, t.io))?;
    let requant = t.requant(c, out.c)?;
    c.k(params.check(requant.count, t.filter_data.len(), t.bias.values()))?;
    let s = Filtered16 { params, filter: t.filter_data, bias: t.bias, requant };
    spec(c, t.input, Int16Spec::Conv(s))
}

pub(super) fn depthwise<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    use crate::schema::numbers::depthwise_conv_2d_options as f;
    let o = c.options()?;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let opts =
        window_options(c, o, [f::PADDING, f::STRIDE_W, f::STRIDE_H, f::DILATION_W_FACTOR, f::DILATION_H_FACTOR])?;
    let multiplier = c.positive(opt_i32(o, f::DEPTH_MULTIPLIER, 0)?)?;
    let t = tensors(c, act, o, None)?;
    // TFLM reads an int16 depthwise bias as int64 whatever its type: only int64 is meaningful.
    if !t.bias.wide() {
        return Err(c.bad());
    }
    let [ind, fd, out] = t.dims(c)?;
    let w = opts.window(c, ind, fd, out)?;
    let params = c.k(DepthwiseParams::new(w, multiplier, ind, fd, out, t.io))?;
    let requant = t.requant(c, out.c)?;
    c.k(params.check(requant.count, t.filter_data.len(), t.bias.values()))?;
    let s = Filtered16 { params, filter: t.filter_data, bias: t.bias, requant };
    spec(c, t.input, Int16Spec::Depthwise(s))
}

pub(super) fn fully_connected<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    use crate::schema::numbers::fully_connected_options as f;
    let o = c.options()?;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    if o.map_or(Ok(0), |t| t.i8(f::WEIGHTS_FORMAT, 0))? != 0 {
        return Err(c.bad_options());
    }
    let t = tensors(c, act, o, Some(f::QUANTIZED_BIAS_TYPE))?;
    let scales = t.filter.quant.scales;
    let filter_zp = t.filter.quant.zero_point();
    let params =
        c.k(FullyConnectedParams::new(t.input_shape, t.filter.shape, t.output_shape, scales.len(), filter_zp, t.io))?;
    let count = if params.per_channel() { params.output_depth() } else { 1 };
    let (inputs, outputs) = (t.input_shape.num_elements(), t.output_shape.num_elements());
    c.k(params.check(count, inputs, t.filter_data.len(), t.bias.values(), outputs))?;
    if count == 1 {
        let mut one = [Requant::default(); 1];
        c.k(fully_connected_requant(t.in_scale, scales, t.out_scale, t.bias_scale, &mut one))?;
    }
    let s = Fc16 {
        params,
        io: t.io,
        filter_offset: if params.per_channel() { 0 } else { filter_zp.wrapping_neg() },
        filter: t.filter_data,
        bias: t.bias,
        input_scale: t.in_scale,
        filter_scales: scales,
        output_scale: t.out_scale,
        bias_scale: t.bias_scale,
        count,
    };
    spec(c, t.input, Int16Spec::FullyConnected(s))
}

pub(super) fn mean<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    c.arity(2..=2, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, axes) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&axes, DType::I32)?;
    let axes = LeI32s::new(axes.data.ok_or(c.bad())?);
    let (is, os) = (q16(c, &input)?, q16(c, &output)?);
    let p = c.k(MeanParams::new(input.shape, output.shape, axes, is, 0, os, 0))?;
    spec(c, ti, Int16Spec::Mean(p))
}

pub(super) fn softmax<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    use crate::schema::numbers::softmax_options;
    let o = c.options()?;
    let beta = o.map_or(Ok(0.0), |t| t.f32(softmax_options::BETA, 0.0))?;
    let (ti, input, output) = super::unary(c)?;
    let (is, os) = (q16(c, &input)?, q16(c, &output)?);
    let depth = input.shape.dims().last().copied().unwrap_or(0);
    if input.shape.dims() != output.shape.dims() || depth == 0 {
        return Err(c.bad());
    }
    let outer = input.elements().checked_div(depth).ok_or(c.bad())?;
    let p = c.k(Softmax16Params::new(is, 0, os, 0, beta, outer, depth))?;
    spec(c, ti, Int16Spec::Softmax(p))
}

/// The integer element type of a QUANTIZE operand.
fn int_type(c: &Ctx<'_>, t: &Tensor<'_>) -> Result<Int> {
    match t.dtype {
        DType::I8 => Ok(Int::I8),
        DType::I16 => Ok(Int::I16),
        DType::I32 => Ok(Int::I32),
        _ => Err(c.bad()),
    }
}

/// QUANTIZE with an int16 input or output: float32 → int16, int16 → int8/int16/int32,
/// int8 → int16.
pub(super) fn quantize<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    let (ti, input, output) = super::unary(c)?;
    let q = |t: &Tensor<'_>| (t.quant.scale(), t.quant.zero_point());
    let (os, oz) = q(&output);
    let n = output.elements();
    let s = match (input.dtype, output.dtype) {
        (DType::F32, DType::I16) => Int16Spec::Quantize(c.k(Convert16Params::new(os, oz, n))?),
        (DType::I16, _) | (DType::I8, DType::I16) => {
            let (from, to) = (int_type(c, &input)?, int_type(c, &output)?);
            let (is, iz) = q(&input);
            Int16Spec::Requantize(c.k(Requantize16Params::new(from, to, [is, os], [iz, oz], n))?)
        }
        _ => return Err(c.bad()),
    };
    spec(c, ti, s)
}

/// DEQUANTIZE int16 → float32.
pub(super) fn dequantize<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    off(c)?;
    let (ti, input, output) = super::unary(c)?;
    c.want(&output, DType::F32)?;
    c.want(&input, DType::I16)?;
    let p = c.k(Convert16Params::new(input.quant.scale(), input.quant.zero_point(), input.elements()))?;
    spec(c, ti, Int16Spec::Dequantize(p))
}

/// ADD (`mul` false) or MUL on int16 tensors.
pub(super) fn binary<'m>(c: &Ctx<'m>, mul: bool) -> Result<OpSpec<'m>> {
    off(c)?;
    use crate::schema::numbers::add_options;
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    // ADD and MUL keep their fused activation in field 0 (checked in `super::add`).
    let act = c.activation(o, add_options::FUSED_ACTIVATION_FUNCTION)?;
    let (t1, a) = c.input(0)?;
    let (t2, b) = c.input(1)?;
    let (_, y) = c.output(0)?;
    for t in [&a, &b, &y] {
        c.want(t, DType::I16)?;
    }
    let scales = [a.quant.scale(), b.quant.scale(), y.quant.scale()];
    let zps = [a.quant.zero_point(), b.quant.zero_point(), y.quant.zero_point()];
    let p = c.k(Binary16Params::new(mul, scales, zps, act, [a.shape, b.shape, y.shape]))?;
    // In place over an operand of the output's shape (the first preferred); a broadcast one
    // stays intact.
    let inputs = match (a.shape == y.shape, b.shape == y.shape) {
        (true, true) => [Some(t1), Some(t2)],
        (true, false) => [Some(t1), None],
        (false, true) => [Some(t2), None],
        (false, false) => [None, None],
    };
    let dataflow = Dataflow::Elementwise { inputs, in_bytes: 2, out_bytes: 2 };
    c.spec([Some(t1), Some(t2)], dataflow, Params::Int16(Int16Spec::Binary(p)))
}

/// LOGISTIC (`tanh` false) or TANH on int16 tensors.
pub(super) fn sigmoid<'m>(c: &Ctx<'m>, tanh: bool) -> Result<OpSpec<'m>> {
    off(c)?;
    let (ti, input, output) = super::unary(c)?;
    c.want(&input, DType::I16)?;
    c.want(&output, DType::I16)?;
    let (is, iz) = (input.quant.scale(), input.quant.zero_point());
    let (os, oz) = (output.quant.scale(), output.quant.zero_point());
    let p = c.k(Sigmoid16Params::new(tanh, is, iz, os, oz, input.elements()))?;
    c.spec([Some(ti), None], super::elementwise(ti, 2, 2), Params::Int16(Int16Spec::Sigmoid(p)))
}

#[cfg(test)]
mod tests {
    use crate::error::Error;

    /// An int16 ADD (from the op goldens): planned with the `int16` feature, refused as an
    /// unsupported operator without it (CI runs the lib tests both ways).
    #[test]
    fn int16_forms_follow_the_feature() {
        let model = include_bytes!("../../tests/data/ops/add16_relu6/model.tflite");
        let need = crate::arena_required(model);
        if cfg!(feature = "int16") {
            assert!(need.is_ok(), "{need:?}");
        } else {
            assert!(matches!(need, Err(Error::UnsupportedOp { op: 0, .. })), "{need:?}");
        }
    }
}
