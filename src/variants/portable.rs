//! The portable kernels as variants: one for every operator (the fallback of every port), plus
//! DEPTHWISE_CONV_2D channel by channel in place.

// With some operators compiled out, helpers only their rows used are unused (and not linked).
#![cfg_attr(not(all(feature = "all-ops", feature = "int16")), allow(dead_code, unused_imports, unused_variables))]

use super::{Access, Region, RowCall, Variant, VariantId};
use crate::error::{Error, Result};
use crate::geometry::Window;
use crate::kernels::call::{Block, MapCall, WindowCall};
use crate::kernels::io::{Io, Walk};
use crate::kernels::{
    activations, add, arg_min_max, concatenation, conv, conv16, depthwise_conv, depthwise_conv16, dequantize,
    detection_postprocess, elementwise16, fully_connected, fully_connected16, gather, hard_swish, l2norm, leaky_relu,
    logistic, maximum_minimum, mean, mul, pad, pooling, prelu, quantize, resize_bilinear, resize_nearest, sigmoid16,
    softmax, softmax16, space_batch, split, squared_difference, sub, tanh, transpose, transpose_conv,
};
use crate::memory::{as_i8, as_i8_mut, Bound};
use crate::ops::{Family, Int16Spec, OpSpec, Params, RequantSource};
use crate::quant::Requant;
use crate::tensor::Dims4;

/// The portable variants, in [`VariantId`] order; the rows of operators whose cargo feature is
/// off are compiled out (lookups match on the id, never index).
pub const TABLE: &[Variant] = &[
    #[cfg(feature = "op-conv")]
    window(VariantId::Conv, "conv2d_s8", Family::Conv, requant_scratch, run_filtered, rows_filtered),
    #[cfg(feature = "op-depthwise")]
    window(
        VariantId::Depthwise,
        "depthwise_conv2d_s8",
        Family::Depthwise,
        requant_scratch,
        run_filtered,
        rows_filtered,
    ),
    #[cfg(feature = "op-depthwise")]
    Variant {
        id: VariantId::DepthwiseChannelwise,
        name: "depthwise_conv2d_s8_channelwise",
        family: Family::Depthwise,
        requires: Some(channelwise_fits),
        scratch: plane_scratch,
        access: Access::SameOffset,
        parts: true,
        run: run_depthwise_channelwise,
        rows: None,
    },
    #[cfg(feature = "op-fully-connected")]
    separate(
        VariantId::FullyConnected,
        "fully_connected_s8",
        Family::FullyConnected,
        requant_scratch,
        run_fully_connected,
    ),
    #[cfg(feature = "op-pool")]
    window(VariantId::AveragePool, "average_pool_s8", Family::AveragePool, none, run_pool, rows_pool),
    #[cfg(feature = "op-pool")]
    window(VariantId::MaxPool, "max_pool_s8", Family::MaxPool, none, run_pool, rows_pool),
    #[cfg(feature = "op-mean")]
    separate(VariantId::Mean, "mean_s8", Family::Mean, none, run_global),
    #[cfg(feature = "op-pad")]
    separate(VariantId::Pad, "pad_s8", Family::Pad, none, run_global),
    #[cfg(feature = "op-concatenation")]
    separate(VariantId::Concat, "concatenation_s8", Family::Concat, none, run_concat),
    #[cfg(feature = "op-resize-nearest")]
    separate(VariantId::ResizeNearest, "resize_nearest_s8", Family::ResizeNearest, none, run_global),
    #[cfg(feature = "op-transpose")]
    separate(VariantId::Transpose, "transpose_s8", Family::Transpose, none, run_global),
    separate(VariantId::Copy, "copy", Family::Copy, none, run_global),
    #[cfg(feature = "op-add")]
    Variant { rows: Some(rows_add), ..elementwise(VariantId::Add, "add_s8", Family::Add, false, run_map) },
    #[cfg(feature = "op-mul")]
    elementwise(VariantId::Mul, "mul_s8", Family::Mul, false, run_map),
    #[cfg(feature = "op-softmax")]
    elementwise(VariantId::Softmax, "softmax_s8", Family::Softmax, false, run_map),
    #[cfg(feature = "op-logistic")]
    elementwise(VariantId::Logistic, "logistic_s8", Family::Logistic, true, run_map),
    #[cfg(feature = "op-hard-swish")]
    elementwise(VariantId::HardSwish, "hard_swish_s8", Family::HardSwish, true, run_map),
    #[cfg(feature = "op-relu")]
    elementwise(VariantId::Relu, "relu_s8", Family::Relu, true, run_map),
    #[cfg(feature = "op-relu")]
    elementwise(VariantId::Relu6, "relu6_s8", Family::Relu6, true, run_map),
    #[cfg(feature = "op-quantize")]
    elementwise(VariantId::Requantize, "requantize_s8", Family::Requantize, true, run_map),
    #[cfg(feature = "op-quantize")]
    Variant {
        rows: Some(rows_quantize),
        ..elementwise(VariantId::Quantize, "quantize_f32_s8", Family::Quantize, false, run_convert)
    },
    #[cfg(feature = "op-dequantize")]
    Variant {
        id: VariantId::Dequantize,
        name: "dequantize_s8_f32",
        family: Family::Dequantize,
        requires: None,
        scratch: none,
        access: Access::Backward,
        parts: false,
        run: run_convert,
        rows: None,
    },
    #[cfg(feature = "op-leaky-relu")]
    elementwise(VariantId::LeakyRelu, "leaky_relu_s8", Family::LeakyRelu, true, run_map),
    #[cfg(feature = "op-split")]
    separate(VariantId::Split, "split_s8", Family::Split, none, run_split),
    #[cfg(any(feature = "op-strided-slice", feature = "op-slice", feature = "op-space-to-depth"))]
    separate(VariantId::Walk, "strided_copy_s8", Family::Walk, none, run_global),
    #[cfg(feature = "op-sub")]
    elementwise(VariantId::Sub, "sub_s8", Family::Sub, false, run_map),
    #[cfg(feature = "op-maximum-minimum")]
    elementwise(VariantId::MinMax, "maximum_minimum_s8", Family::MinMax, false, run_map),
    #[cfg(feature = "op-squared-difference")]
    elementwise(VariantId::SquaredDifference, "squared_difference_s8", Family::SquaredDifference, false, run_map),
    #[cfg(feature = "op-tanh")]
    elementwise(VariantId::Tanh, "tanh_s8", Family::Tanh, true, run_map),
    #[cfg(feature = "op-l2norm")]
    separate(VariantId::L2Norm, "l2_normalization_s8", Family::L2Norm, none, run_global),
    #[cfg(feature = "op-gather")]
    separate(VariantId::Gather, "gather_s8", Family::Gather, none, run_global),
    #[cfg(feature = "op-pack")]
    separate(VariantId::Pack, "pack_s8", Family::Pack, none, run_pack),
    #[cfg(feature = "op-transpose-conv")]
    separate(VariantId::TransposeConv, "transpose_conv_s8", Family::TransposeConv, none, run_transpose_conv),
    #[cfg(feature = "op-prelu")]
    elementwise(VariantId::Prelu, "prelu_s8", Family::Prelu, false, run_map),
    #[cfg(feature = "op-resize-bilinear")]
    separate(VariantId::ResizeBilinear, "resize_bilinear_s8", Family::ResizeBilinear, none, run_global),
    #[cfg(feature = "op-arg-min-max")]
    separate(VariantId::Arg, "arg_min_max_s32", Family::Arg, none, run_arg),
    #[cfg(feature = "op-space-batch")]
    separate(VariantId::SpaceBatch, "space_batch_s8", Family::SpaceBatch, none, run_global),
    #[cfg(all(feature = "op-conv", feature = "int16"))]
    int16(VariantId::Conv16, "conv2d_s16", is_conv16),
    #[cfg(all(feature = "op-depthwise", feature = "int16"))]
    int16(VariantId::Depthwise16, "depthwise_conv2d_s16", is_depthwise16),
    #[cfg(all(feature = "op-fully-connected", feature = "int16"))]
    int16(VariantId::FullyConnected16, "fully_connected_s16", is_fully_connected16),
    #[cfg(all(feature = "op-mean", feature = "int16"))]
    int16(VariantId::Mean16, "mean_s16", is_mean16),
    #[cfg(all(feature = "op-softmax", feature = "int16"))]
    int16(VariantId::Softmax16, "softmax_s16", is_softmax16),
    #[cfg(all(feature = "op-quantize", feature = "int16"))]
    int16(VariantId::Requantize16, "requantize_s16", is_requantize16),
    #[cfg(all(feature = "op-quantize", feature = "int16"))]
    int16(VariantId::Quantize16, "quantize_f32_s16", is_quantize16),
    #[cfg(all(feature = "op-dequantize", feature = "int16"))]
    int16(VariantId::Dequantize16, "dequantize_s16_f32", is_dequantize16),
    #[cfg(all(feature = "op-add", feature = "int16"))]
    int16_map(VariantId::Add16, "add_s16", is_add16),
    #[cfg(all(feature = "op-mul", feature = "int16"))]
    int16_map(VariantId::Mul16, "mul_s16", is_mul16),
    #[cfg(all(feature = "op-logistic", feature = "int16"))]
    int16_map(VariantId::Logistic16, "logistic_s16", is_logistic16),
    #[cfg(all(feature = "op-tanh", feature = "int16"))]
    int16_map(VariantId::Tanh16, "tanh_s16", is_tanh16),
    #[cfg(feature = "op-detection-postprocess")]
    separate(
        VariantId::DetectionPostprocess,
        "detection_postprocess_f32",
        Family::Detection,
        detection_scratch,
        run_detection,
    ),
];

/// A 16x8 variant: whole tensors, output apart from the input, a requantization table as
/// scratch when per-channel; `requires` picks the int16 operators it computes.
const fn int16(id: VariantId, name: &'static str, requires: fn(&OpSpec<'_>) -> bool) -> Variant {
    Variant {
        id,
        name,
        family: Family::Int16,
        requires: Some(requires),
        scratch: int16_scratch,
        access: Access::Separate,
        parts: false,
        run: run_int16,
        rows: None,
    }
}

/// A 16x8 elementwise map (LOGISTIC, TANH, ADD, MUL): whole tensors, walking forward, so the
/// output may take an operand's bytes from its start or before (the planner's in-place rule).
const fn int16_map(id: VariantId, name: &'static str, requires: fn(&OpSpec<'_>) -> bool) -> Variant {
    Variant { access: Access::Forward, run: run_int16_map, ..int16(id, name, requires) }
}

fn is_conv16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Conv(_)))
}
fn is_depthwise16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Depthwise(_)))
}
fn is_fully_connected16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::FullyConnected(_)))
}
fn is_mean16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Mean(_)))
}
fn is_softmax16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Softmax(_)))
}
fn is_requantize16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Requantize(_)))
}
fn is_quantize16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Quantize(_)))
}
fn is_dequantize16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Dequantize(_)))
}
fn is_add16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Binary(p)) if !p.is_mul())
}
fn is_mul16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Binary(p)) if p.is_mul())
}
fn is_logistic16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Sigmoid(p)) if !p.is_tanh())
}
fn is_tanh16(s: &OpSpec<'_>) -> bool {
    matches!(s.params, Params::Int16(Int16Spec::Sigmoid(p)) if p.is_tanh())
}

/// DEPTHWISE_CONV_2D channel by channel: a depth multiplier of 1, and with several batches an
/// output plane no larger than the input plane (in place, a larger output of batch `b` would
/// reach into batch `b + 1`'s input before that is copied).
pub(super) fn channelwise_fits(s: &OpSpec<'_>) -> bool {
    let Params::Depthwise(d) = &s.params else { return false };
    let (i, o) = (d.params.input(), d.params.output());
    d.params.depth_multiplier() == 1 && (i.n <= 1 || o.h.saturating_mul(o.w) <= i.h.saturating_mul(i.w))
}

const fn window(
    id: VariantId,
    name: &'static str,
    family: Family,
    scratch: fn(&OpSpec<'_>) -> Result<usize>,
    run: super::RunFn,
    rows: super::RowsFn,
) -> Variant {
    Variant {
        id,
        name,
        family,
        requires: None,
        scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run,
        rows: Some(rows),
    }
}

const fn separate(
    id: VariantId,
    name: &'static str,
    family: Family,
    scratch: fn(&OpSpec<'_>) -> Result<usize>,
    run: super::RunFn,
) -> Variant {
    Variant { id, name, family, requires: None, scratch, access: Access::Separate, parts: false, run, rows: None }
}

/// An elementwise variant; unary maps over int8 (`parts`) also compute rows in segments.
const fn elementwise(id: VariantId, name: &'static str, family: Family, parts: bool, run: super::RunFn) -> Variant {
    let rows: Option<super::RowsFn> = if parts { Some(rows_map) } else { None };
    Variant { id, name, family, requires: None, scratch: none, access: Access::Forward, parts, run, rows }
}

// ---- scratch ----

fn none(_: &OpSpec<'_>) -> Result<usize> {
    Ok(0)
}

/// Bytes of a requantization table of `n` entries (none for one entry: it lives on the stack).
fn table_bytes(n: usize) -> Result<usize> {
    if n > 1 {
        n.checked_mul(core::mem::size_of::<Requant>()).ok_or(Error::TooLarge)
    } else {
        Ok(0)
    }
}

pub(super) fn requant_scratch(s: &OpSpec<'_>) -> Result<usize> {
    match &s.params {
        Params::Conv(c) => table_bytes(c.requant.count),
        Params::Depthwise(d) => table_bytes(d.requant.count),
        Params::FullyConnected(f) => table_bytes(f.count),
        _ => Err(Error::Internal),
    }
}

fn int16_scratch(s: &OpSpec<'_>) -> Result<usize> {
    match &s.params {
        Params::Int16(k) => table_bytes(k.requant_count()),
        _ => Err(Error::Internal),
    }
}

/// TFLite_Detection_PostProcess: decoded boxes, scores, NMS and merge arrays, 4-byte words.
fn detection_scratch(s: &OpSpec<'_>) -> Result<usize> {
    match &s.params {
        Params::Detection(d) => d.params.scratch_words()?.checked_mul(4).ok_or(Error::TooLarge),
        _ => Err(Error::Internal),
    }
}

pub(super) fn plane_scratch(s: &OpSpec<'_>) -> Result<usize> {
    match &s.params {
        Params::Depthwise(d) => Ok(depthwise_conv::DepthwiseParams::plane_bytes(&d.params.full_call(Walk::Forward))),
        _ => Err(Error::Internal),
    }
}

// ---- running ----

/// Runs `f` with a requantization table of `n` entries: one entry on the stack, or the op's
/// arena scratch.
fn with_requant(
    n: usize,
    scratch: &mut [u8],
    fill: impl FnOnce(&mut [Requant]) -> Result<()>,
    f: impl FnOnce(&[Requant]) -> Result<()>,
) -> Result<()> {
    let mut one = [Requant::default(); 1];
    let table: &mut [Requant] =
        if n > 1 { bytemuck::try_cast_slice_mut(scratch).map_err(|_| Error::Internal)? } else { &mut one };
    fill(table)?;
    f(table)
}

/// Fills a convolution's requantization table.
fn conv_requant<'r>(r: &'r RequantSource<'_>) -> impl FnOnce(&mut [Requant]) -> Result<()> + 'r {
    |t| conv::per_channel_requant(r.input_scale, r.filter_scales, r.output_scale, t)
}

/// The I/O and the call of a sliding-window operator over `region` of its output, from the
/// whole-output call `full`: the walk is backward when the plan put the output after an input
/// it overlaps.
pub(super) fn window_io<'b>(
    spec: &OpSpec<'_>,
    b: &'b mut Bound<'_, '_>,
    mut call: WindowCall,
    window: &Window,
    region: &Region,
) -> Result<(Io<'b>, WindowCall)> {
    let (mut io, walk) = b.io(spec.output, spec.inputs)?;
    call.walk = walk;
    match region {
        Region::Whole => Ok((io, call)),
        Region::Part { rows, cols } => {
            let (part, in_at, out_at) = call.part(window, rows.clone(), cols.clone());
            io.skip([in_at, 0], out_at).ok_or(Error::InvalidArgument)?;
            Ok((io, part))
        }
    }
}

/// A CONV_2D kernel (the reference [`conv::conv2d_s8`] or a fast one of the same signature).
pub(super) type ConvKernel =
    fn(&conv::ConvParams, &[Requant], &[i8], Option<crate::tensor::LeI32s<'_>>, &WindowCall, &mut Io<'_>) -> Result<()>;

/// A DEPTHWISE_CONV_2D kernel (the reference or a fast one of the same signature).
pub(super) type DepthwiseKernel = fn(
    &depthwise_conv::DepthwiseParams,
    &[Requant],
    &[i8],
    Option<crate::tensor::LeI32s<'_>>,
    &WindowCall,
    &mut Io<'_>,
) -> Result<()>;

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
/// CONV_2D and DEPTHWISE_CONV_2D walking pixels: a window with a requantization table.
fn run_filtered(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    run_filtered_with(spec, b, region, conv::conv2d_s8, depthwise_conv::depthwise_conv2d_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
/// [`run_filtered`] with the given kernels (the fast variants share it).
pub(super) fn run_filtered_with(
    spec: &OpSpec<'_>,
    b: &mut Bound<'_, '_>,
    region: &Region,
    conv_kernel: ConvKernel,
    depthwise_kernel: DepthwiseKernel,
) -> Result<()> {
    let scratch = core::mem::take(&mut b.scratch);
    let (full, window, requant) = match &spec.params {
        #[cfg(feature = "op-conv")]
        Params::Conv(s) => (s.params.full_call(Walk::Forward), s.params.window(), &s.requant),
        #[cfg(feature = "op-depthwise")]
        Params::Depthwise(s) => (s.params.full_call(Walk::Forward), s.params.window(), &s.requant),
        _ => return Err(Error::Internal),
    };
    let (mut io, call) = window_io(spec, b, full, window, region)?;
    with_requant(requant.count, scratch, conv_requant(requant), |r| match &spec.params {
        #[cfg(feature = "op-conv")]
        Params::Conv(s) => conv_kernel(&s.params, r, s.filter, s.bias, &call, &mut io),
        #[cfg(feature = "op-depthwise")]
        Params::Depthwise(s) => depthwise_kernel(&s.params, r, s.filter, s.bias, &call, &mut io),
        _ => Err(Error::Internal),
    })
}

#[cfg(feature = "op-depthwise")]
fn run_depthwise_channelwise(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Depthwise(s) = &spec.params else { return Err(Error::Internal) };
    let scratch = core::mem::take(&mut b.scratch);
    let (mut io, call) = window_io(spec, b, s.params.full_call(Walk::Forward), s.params.window(), region)?;
    // Exactly in place or apart: anything in between would overwrite unread channels.
    if io.overlap_delta(0).is_some_and(|d| d != 0) {
        return Err(Error::InvalidArgument);
    }
    let r = &s.requant;
    let rq = |ch| conv::channel_requant(r.input_scale, r.filter_scales, r.output_scale, ch);
    depthwise_conv::depthwise_conv2d_s8_channelwise(&s.params, rq, s.filter, s.bias, &call, &mut io, as_i8_mut(scratch))
}

#[cfg(feature = "op-pool")]
fn run_pool(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let (Params::AveragePool(p) | Params::MaxPool(p)) = &spec.params else { return Err(Error::Internal) };
    let (mut io, call) = window_io(spec, b, p.full_call(Walk::Forward), p.window(), region)?;
    match spec.params {
        Params::AveragePool(_) => pooling::average_pool_s8(p, &call, &mut io),
        _ => pooling::max_pool_s8(p, &call, &mut io),
    }
}

#[cfg(feature = "op-fully-connected")]
fn run_fully_connected(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::FullyConnected(f) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let scratch = core::mem::take(&mut b.scratch);
    let s = b.split(spec.output)?;
    let input = as_i8(s.input(input0(spec)?)?);
    with_requant(
        f.count,
        scratch,
        |r| fully_connected::fully_connected_requant(f.input_scale, f.filter_scales, f.output_scale, f.bias_scale, r),
        |r| fully_connected::fully_connected_s8(&f.params, r, input, f.filter, f.bias, as_i8_mut(s.out)),
    )
}

/// The 16x8 kernels: whole int16 tensors (little-endian bytes) into a separate output.
fn run_int16(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Int16(k) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let scratch = core::mem::take(&mut b.scratch);
    let s = b.split(spec.output)?;
    let (x, y) = (s.input(input0(spec)?)?, s.out);
    match k {
        #[cfg(feature = "op-conv")]
        Int16Spec::Conv(c) => with_requant(c.requant.count, scratch, conv_requant(&c.requant), |r| {
            conv16::conv2d_s16(&c.params, r, c.filter, c.bias, x, y)
        }),
        #[cfg(feature = "op-depthwise")]
        Int16Spec::Depthwise(d) => with_requant(d.requant.count, scratch, conv_requant(&d.requant), |r| {
            depthwise_conv16::depthwise_conv2d_s16(&d.params, r, d.filter, d.bias, x, y)
        }),
        #[cfg(feature = "op-fully-connected")]
        Int16Spec::FullyConnected(f) => with_requant(
            f.count,
            scratch,
            |r| {
                fully_connected::fully_connected_requant(
                    f.input_scale,
                    f.filter_scales,
                    f.output_scale,
                    f.bias_scale,
                    r,
                )
            },
            |r| fully_connected16::fully_connected_s16(&f.params, r, f.io, f.filter_offset, f.filter, f.bias, x, y),
        ),
        #[cfg(feature = "op-mean")]
        Int16Spec::Mean(p) => {
            mean::mean_s16(p, x, y);
            Ok(())
        }
        #[cfg(feature = "op-softmax")]
        Int16Spec::Softmax(p) => softmax16::softmax_s16(p, x, y),
        #[cfg(feature = "op-quantize")]
        Int16Spec::Requantize(p) => elementwise16::requantize16(p, x, y),
        #[cfg(feature = "op-quantize")]
        Int16Spec::Quantize(p) => elementwise16::quantize_f32_s16(p, x, y),
        #[cfg(feature = "op-dequantize")]
        Int16Spec::Dequantize(p) => elementwise16::dequantize_s16_f32(p, x, y),

        #[allow(unreachable_patterns)]
        _ => Err(Error::Internal),
    }
}

/// The 16x8 elementwise maps through an [`Io`] (bytes), forward only.
#[cfg_attr(
    not(any(feature = "op-add", feature = "op-mul", feature = "op-logistic", feature = "op-tanh")),
    allow(unused_mut)
)]
fn run_int16_map(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Int16(k) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let (mut io, walk) = b.io(spec.output, spec.inputs)?;
    if walk != Walk::Forward {
        return Err(Error::InvalidArgument);
    }
    match k {
        #[cfg(any(feature = "op-logistic", feature = "op-tanh"))]
        Int16Spec::Sigmoid(p) => sigmoid16::sigmoid_s16(p, &mut io),
        #[cfg(any(feature = "op-add", feature = "op-mul"))]
        Int16Spec::Binary(p) => elementwise16::binary_s16(p, &mut io),
        _ => Err(Error::Internal),
    }
}

/// Operators reading one input whole into a separate output.
fn run_global(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    whole(region)?;
    let s = b.split(spec.output)?;
    let src = s.input(input0(spec)?)?;
    let (input, out) = (as_i8(src), as_i8_mut(s.out));
    match &spec.params {
        #[cfg(feature = "op-mean")]
        Params::Mean(p) => mean::mean_s8(p, input, out),
        #[cfg(feature = "op-pad")]
        Params::Pad(p) => pad::pad_s8(p, input, out),
        #[cfg(feature = "op-resize-nearest")]
        Params::ResizeNearest(p) => resize_nearest::resize_nearest_s8(p, input, out),
        #[cfg(feature = "op-transpose")]
        Params::Transpose(p) => transpose::transpose_s8(p, input, out),
        #[cfg(any(feature = "op-strided-slice", feature = "op-slice", feature = "op-space-to-depth"))]
        Params::Walk(walk) => return walk.run(input, out),
        #[cfg(feature = "op-l2norm")]
        Params::L2Norm(p) => return l2norm::l2norm_s8(p, input, out),
        #[cfg(feature = "op-gather")]
        Params::Gather(g) => return gather::gather_s8(&g.params, input, out),
        #[cfg(feature = "op-resize-bilinear")]
        Params::ResizeBilinear(p) => return resize_bilinear::resize_bilinear_s8(p, input, out),
        #[cfg(feature = "op-space-batch")]
        Params::SpaceBatch(p) => return space_batch::space_batch_s8(p, input, out),
        Params::Copy if src.len() == out.len() => out.copy_from_slice(input),
        _ => return Err(Error::Internal),
    }
    Ok(())
}

#[cfg(feature = "op-split")]
/// One input cut into several outputs: each output bound and written in turn (the plan keeps
/// them all apart from the input).
fn run_split(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Split(sp) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let op = b.model().operator(spec.index)?;
    let mut at = 0;
    for i in 0..sp.params.outputs() {
        let t = op.output(i).ok_or(Error::Internal)?;
        let s = b.split(t)?;
        at = split::split_piece_s8(&sp.params, at, as_i8(s.input(sp.input)?), as_i8_mut(s.out))?;
    }
    Ok(())
}

#[cfg(feature = "op-pack")]
/// Several inputs stacked into one output along a new axis.
fn run_pack(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Pack(p) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let s = b.split(spec.output)?;
    for (i, &t) in p.inputs.iter().enumerate().take(p.params.inputs) {
        let x = as_i8(s.input(t)?);
        p.params.place_s8(i, x, as_i8_mut(&mut *s.out))?;
    }
    Ok(())
}

#[cfg(feature = "op-transpose-conv")]
/// TRANSPOSE_CONV into a separate output, channel by channel (multipliers on the fly).
fn run_transpose_conv(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::TransposeConv(t) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let s = b.split(spec.output)?;
    let r = &t.requant;
    let rq = |ch| conv::channel_requant(r.input_scale, r.filter_scales, r.output_scale, ch);
    transpose_conv::transpose_conv_s8(&t.params, rq, t.filter, t.bias, as_i8(s.input(t.input)?), as_i8_mut(s.out))
}

#[cfg(feature = "op-arg-min-max")]
/// ARG_MAX / ARG_MIN: raw input bytes (float32 or int8) to int32 indices.
fn run_arg(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Arg(p) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let s = b.split(spec.output)?;
    arg_min_max::arg_min_max(p, s.input(input0(spec)?)?, s.out)
}

#[cfg(feature = "op-detection-postprocess")]
/// TFLite_Detection_PostProcess: decode and NMS into the scratch, then each of the four
/// outputs in turn.
fn run_detection(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    use detection_postprocess::Output;
    let Params::Detection(d) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let scratch: &mut [u32] =
        bytemuck::try_cast_slice_mut(core::mem::take(&mut b.scratch)).map_err(|_| Error::Internal)?;
    let [te, ts, ta] = d.inputs;
    let found = {
        let s = b.split(spec.output)?;
        detection_postprocess::detect(&d.params, s.input(te)?, s.input(ts)?, s.input(ta)?, scratch)?
    };
    for (t, which) in d.outputs.into_iter().zip([Output::Boxes, Output::Classes, Output::Scores, Output::Count]) {
        let s = b.split(t)?;
        detection_postprocess::write_outputs(&d.params, found, scratch, which, s.out)?;
    }
    Ok(())
}

#[cfg(feature = "op-concatenation")]
fn run_concat(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Concat(c) = &spec.params else { return Err(Error::Internal) };
    whole(region)?;
    let s = b.split(spec.output)?;
    let mut inputs: [&[i8]; concatenation::CONCAT_MAX_INPUTS] = [&[]; concatenation::CONCAT_MAX_INPUTS];
    for (slot, &t) in inputs.iter_mut().zip(&c.inputs).take(c.count) {
        *slot = as_i8(s.input(t)?);
    }
    concatenation::concatenation_s8(&c.params, inputs.get(..c.count).ok_or(Error::Internal)?, as_i8_mut(s.out));
    Ok(())
}

/// The I/O and the call of an elementwise operator over `region`: forward only.
fn map_io<'b>(spec: &OpSpec<'_>, b: &'b mut Bound<'_, '_>, region: &Region) -> Result<(Io<'b>, MapCall)> {
    let model = *b.model();
    let (mut io, walk) = b.io(spec.output, spec.inputs)?;
    if walk != Walk::Forward {
        return Err(Error::InvalidArgument);
    }
    match region {
        Region::Whole => {
            let n = io.output_len();
            Ok((io, MapCall::flat(n)))
        }
        Region::Part { rows, cols } => {
            let dims = model.tensor(spec.output)?.shape.nhwc().ok_or(Error::InvalidArgument)?;
            let (block, at) = Block::dense(dims).sub(rows.clone(), cols.clone());
            let second = if spec.inputs[1].is_some() { at } else { 0 };
            io.skip([at, second], at).ok_or(Error::InvalidArgument)?;
            Ok((io, MapCall { inputs: [block; 2], output: block }))
        }
    }
}

/// The elementwise operators reading through an [`Io`]: unary maps over any region, the
/// broadcasting binaries and SOFTMAX over whole tensors.
fn run_map(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    if matches!(
        spec.params,
        Params::Add(_)
            | Params::Mul(_)
            | Params::Softmax(_)
            | Params::Sub(_)
            | Params::MinMax(_)
            | Params::SquaredDifference(_)
    ) {
        whole(region)?;
    }
    let (mut io, call) = map_io(spec, b, region)?;
    match &spec.params {
        #[cfg(feature = "op-add")]
        Params::Add(p) => add::add_s8(p, &mut io),
        #[cfg(feature = "op-mul")]
        Params::Mul(p) => mul::mul_s8(p, &mut io),
        #[cfg(feature = "op-softmax")]
        Params::Softmax(p) => softmax::softmax_s8(p, &mut io),
        #[cfg(feature = "op-sub")]
        Params::Sub(p) => sub::sub_s8(p, &mut io),
        #[cfg(feature = "op-maximum-minimum")]
        Params::MinMax(p) => maximum_minimum::maximum_minimum_s8(p, &mut io),
        #[cfg(feature = "op-squared-difference")]
        Params::SquaredDifference(p) => squared_difference::squared_difference_s8(p, &mut io),
        #[cfg(feature = "op-prelu")]
        Params::Prelu(p) => prelu::prelu_s8(p, &mut io),
        params => unary(params, &call, &mut io),
    }
}

#[cfg(any(feature = "op-quantize", feature = "op-dequantize"))]
/// QUANTIZE float32 → int8 and DEQUANTIZE int8 → float32: in place (the output at or before
/// the float input, or at or after the int8 input, in one buffer) or separate.
fn run_convert(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    whole(region)?;
    let ti = input0(spec)?;
    if let Some((buf, at_in, at_out)) = b.bytes_in_place(spec.output, ti)? {
        return match &spec.params {
            #[cfg(feature = "op-quantize")]
            Params::Quantize(p, n) => quantize::quantize_f32_s8_bytes(p, buf, at_in, at_out, *n),
            #[cfg(feature = "op-dequantize")]
            Params::Dequantize(p, n) => dequantize::dequantize_s8_f32_bytes(p, buf, at_in, at_out, *n),
            _ => Err(Error::Internal),
        };
    }
    let s = b.split(spec.output)?;
    let (x, y) = (s.input(ti)?, s.out);
    let bad = |_| Error::InvalidArgument;
    match &spec.params {
        #[cfg(feature = "op-quantize")]
        Params::Quantize(p, _) => quantize::quantize_f32_s8(p, bytemuck::try_cast_slice(x).map_err(bad)?, as_i8_mut(y)),
        #[cfg(feature = "op-dequantize")]
        Params::Dequantize(p, _) => {
            dequantize::dequantize_s8_f32(p, as_i8(x), bytemuck::try_cast_slice_mut(y).map_err(bad)?)
        }
        _ => Err(Error::Internal),
    }
}

// ---- rows inside fused segments ----

/// The window call computing full-width output rows `c.rows` from row buffers, with the
/// input and output slices it reads and writes.
pub(super) fn row_window<'a>(
    window: &Window,
    input: Dims4,
    output: Dims4,
    c: RowCall<'a>,
) -> Result<(WindowCall, Io<'a>, &'a mut [u8], bool)> {
    if input.n != 1 || output.n != 1 {
        return Err(Error::InvalidArgument);
    }
    let span = window.rows.span(c.rows.clone());
    let [in_row, out_row] = c.row_len;
    if input.w.checked_mul(input.c) != Some(in_row) || output.w.checked_mul(output.c) != Some(out_row) {
        return Err(Error::InvalidArgument);
    }
    let in_block = Block::dense(Dims4 { n: 1, h: span.range.1.saturating_sub(span.range.0), ..input });
    let out_block = Block::dense(Dims4 { n: 1, h: c.rows.end.saturating_sub(c.rows.start), ..output });
    let at = |row: usize, first: usize, len: usize| row.checked_sub(first).and_then(|r| r.checked_mul(len));
    let in_at = at(span.range.0, c.in_first, in_row).ok_or(Error::InvalidArgument)?;
    let out_at = at(c.rows.start, c.out_first, out_row).ok_or(Error::InvalidArgument)?;
    let pad = [span.pad_before, span.pad_after, window.cols.pad_before, window.cols.pad_after];
    let call = WindowCall { input: in_block, output: out_block, pad, walk: Walk::Forward };
    let x = c.input.get(in_at..).ok_or(Error::InvalidArgument)?;
    let y = c.output.get_mut(out_at..).ok_or(Error::InvalidArgument)?;
    Ok((call, Io::split(x, y), c.scratch, c.setup))
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
/// CONV_2D and DEPTHWISE_CONV_2D rows; the requantization table is filled on the first call.
fn rows_filtered(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    rows_filtered_with(spec, c, conv::conv2d_s8, depthwise_conv::depthwise_conv2d_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
/// [`rows_filtered`] with the given kernels (the fast variants share it).
pub(super) fn rows_filtered_with(
    spec: &OpSpec<'_>,
    c: RowCall<'_>,
    conv_kernel: ConvKernel,
    depthwise_kernel: DepthwiseKernel,
) -> Result<()> {
    let (window, input, output, requant) = match &spec.params {
        #[cfg(feature = "op-conv")]
        Params::Conv(s) => (s.params.window(), s.params.input(), s.params.output(), &s.requant),
        #[cfg(feature = "op-depthwise")]
        Params::Depthwise(s) => (s.params.window(), s.params.input(), s.params.output(), &s.requant),
        _ => return Err(Error::Internal),
    };
    let (call, mut io, scratch, setup) = row_window(window, input, output, c)?;
    let mut one = [Requant::default(); 1];
    let table: &mut [Requant] =
        if requant.count > 1 { bytemuck::try_cast_slice_mut(scratch).map_err(|_| Error::Internal)? } else { &mut one };
    if setup || requant.count <= 1 {
        conv_requant(requant)(table)?;
    }
    match &spec.params {
        #[cfg(feature = "op-conv")]
        Params::Conv(s) => conv_kernel(&s.params, table, s.filter, s.bias, &call, &mut io),
        #[cfg(feature = "op-depthwise")]
        Params::Depthwise(s) => depthwise_kernel(&s.params, table, s.filter, s.bias, &call, &mut io),
        _ => Err(Error::Internal),
    }
}

#[cfg(feature = "op-pool")]
fn rows_pool(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let (Params::AveragePool(p) | Params::MaxPool(p)) = &spec.params else { return Err(Error::Internal) };
    let (call, mut io, _, _) = row_window(p.window(), p.input(), p.output(), c)?;
    match spec.params {
        Params::AveragePool(_) => pooling::average_pool_s8(p, &call, &mut io),
        _ => pooling::max_pool_s8(p, &call, &mut io),
    }
}

/// Unary int8 maps: the same rows in and out.
fn rows_map(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let [in_row, out_row] = c.row_len;
    if in_row != out_row {
        return Err(Error::InvalidArgument);
    }
    let n = c.rows.end.saturating_sub(c.rows.start).checked_mul(in_row).ok_or(Error::InvalidArgument)?;
    let at = |first: usize| c.rows.start.checked_sub(first).and_then(|r| r.checked_mul(in_row));
    let x = c.input.get(at(c.in_first).ok_or(Error::InvalidArgument)?..).ok_or(Error::InvalidArgument)?;
    let y = c.output.get_mut(at(c.out_first).ok_or(Error::InvalidArgument)?..).ok_or(Error::InvalidArgument)?;
    let (call, mut io) = (MapCall::flat(n), Io::split(x, y));
    unary(&spec.params, &call, &mut io)
}

#[cfg(feature = "op-quantize")]
/// QUANTIZE float32 → int8 rows (a float input quantized row by row as the segment needs it):
/// four input bytes (little-endian float) per output value.
fn rows_quantize(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let Params::Quantize(p, _) = &spec.params else { return Err(Error::Internal) };
    let [in_row, out_row] = c.row_len;
    if out_row.checked_mul(4) != Some(in_row) {
        return Err(Error::InvalidArgument);
    }
    let rows = c.rows.end.saturating_sub(c.rows.start);
    let at = |first: usize, row: usize| c.rows.start.checked_sub(first).and_then(|r| r.checked_mul(row));
    let x0 = at(c.in_first, in_row).ok_or(Error::InvalidArgument)?;
    let y0 = at(c.out_first, out_row).ok_or(Error::InvalidArgument)?;
    let n = rows.checked_mul(out_row).ok_or(Error::InvalidArgument)?;
    let x = c.input.get(x0..).and_then(|x| x.get(..n.checked_mul(4)?)).ok_or(Error::InvalidArgument)?;
    let y = c.output.get_mut(y0..).and_then(|y| y.get_mut(..n)).ok_or(Error::InvalidArgument)?;
    for (o, v) in y.iter_mut().zip(x.chunks_exact(4)) {
        let &[a, b, cc, d] = v else { return Err(Error::Internal) };
        *o = p.quantize_one(f32::from_le_bytes([a as u8, b as u8, cc as u8, d as u8]));
    }
    Ok(())
}

#[cfg(feature = "op-add")]
/// A residual ADD's rows: both operands and the output of one shape, the same rows of each.
fn rows_add(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let Params::Add(p) = &spec.params else { return Err(Error::Internal) };
    let [in_row, out_row] = c.row_len;
    if in_row != out_row {
        return Err(Error::InvalidArgument);
    }
    let n = c.rows.end.saturating_sub(c.rows.start).checked_mul(in_row).ok_or(Error::InvalidArgument)?;
    let part = |buf: &[i8], first: usize| -> Result<(usize, usize)> {
        let at = c.rows.start.checked_sub(first).and_then(|r| r.checked_mul(in_row)).ok_or(Error::InvalidArgument)?;
        let end = at.checked_add(n).ok_or(Error::InvalidArgument)?;
        if end > buf.len() {
            return Err(Error::InvalidArgument);
        }
        Ok((at, end))
    };
    let (a0, a1) = part(c.input, c.in_first)?;
    let (b0, b1) = part(c.input2, c.in2_first)?;
    let (y0, y1) = part(c.output, c.out_first)?;
    let (a, b) = (c.input.get(a0..a1).ok_or(Error::Internal)?, c.input2.get(b0..b1).ok_or(Error::Internal)?);
    add::add_same_shape_s8(p, a, b, c.output.get_mut(y0..y1).ok_or(Error::Internal)?)
}

/// The unary int8 maps, over the elements `call` names.
fn unary(params: &Params<'_>, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    match params {
        #[cfg(feature = "op-logistic")]
        Params::Logistic(p) => logistic::logistic_s8(p, call, io),
        #[cfg(feature = "op-hard-swish")]
        Params::HardSwish(p) => hard_swish::hard_swish_s8(p, call, io),
        #[cfg(feature = "op-relu")]
        Params::Relu(p) => activations::relu_s8(p, call, io),
        #[cfg(feature = "op-relu")]
        Params::Relu6(p) => activations::relu6_s8(p, call, io),
        #[cfg(feature = "op-quantize")]
        Params::Requantize(p) => quantize::requantize_s8(p, call, io),
        #[cfg(feature = "op-leaky-relu")]
        Params::LeakyRelu(p) => leaky_relu::leaky_relu_s8(p, call, io),
        #[cfg(feature = "op-tanh")]
        Params::Tanh(p) => tanh::tanh_s8(p, call, io),
        _ => Err(Error::Internal),
    }
}

/// Refuses a part for a variant that computes whole outputs only.
fn whole(region: &Region) -> Result<()> {
    match region {
        Region::Whole => Ok(()),
        Region::Part { .. } => Err(Error::InvalidArgument),
    }
}

/// The spec's first activation input.
fn input0(spec: &OpSpec<'_>) -> Result<usize> {
    spec.inputs[0].ok_or(Error::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_stable() {
        // Ids are stored in run-plans: each portable row keeps its number, in table order,
        // and every id names exactly one row.
        let mut last = None;
        for v in TABLE {
            assert!(last.is_none_or(|l| (v.id as u8) > l), "{} out of id order", v.name);
            last = Some(v.id as u8);
            assert_eq!(VariantId::from_u8(v.id as u8), Some(v.id));
            assert_eq!(super::super::get(v.id).map(|g| g.name), Some(v.name));
        }
        assert_eq!(VariantId::Conv as u8, 0);
        assert_eq!(VariantId::SpaceBatch as u8, 36);
        assert_eq!(VariantId::Tanh16 as u8, 48);
        assert_eq!(VariantId::DetectionPostprocess as u8, 49);
        // With every operator compiled in, the ids are 0.. without gaps.
        #[cfg(feature = "all-ops")]
        for (i, v) in TABLE.iter().enumerate() {
            assert_eq!(v.id as usize, i, "{}", v.name);
        }
        assert_eq!(VariantId::from_u8(VariantId::DetectionPostprocess as u8 + 1), None);
    }
}
