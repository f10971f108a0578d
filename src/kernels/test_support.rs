//! Fixtures shared by the kernel unit tests.

use super::conv::{per_channel_requant, ConvParams, IoQuant};
use super::depthwise_conv::DepthwiseParams;
use crate::geometry::{Padding, Window};
use crate::quant::Requant;
use crate::tensor::{Dims4, LeF32s};
use std::vec::Vec;

pub fn d(n: usize, h: usize, w: usize, c: usize) -> Dims4 {
    Dims4 { n, h, w, c }
}

/// A window's schema options: padding type, strides and dilations.
#[derive(Clone, Copy)]
pub struct Opts {
    padding: Padding,
    stride: [usize; 2],
    dilation: [usize; 2],
}

pub fn win(padding: Padding, sh: usize, sw: usize, dh: usize, dw: usize) -> Opts {
    Opts { padding, stride: [sh, sw], dilation: [dh, dw] }
}

/// CONV_2D params with TFLM's padding.
pub fn conv(o: Opts, i: Dims4, f: Dims4, out: Dims4, io: IoQuant) -> crate::Result<ConvParams> {
    let w = Window::tflm(o.padding, o.stride, o.dilation, [i.h, i.w], [f.h, f.w], [out.h, out.w])?;
    ConvParams::new(w, i, f, out, io)
}

/// CONV_2D params with explicit `[top, bottom, left, right]` padding.
#[allow(clippy::too_many_arguments)]
pub fn conv_padded(
    pad: [usize; 4],
    sh: usize,
    sw: usize,
    dh: usize,
    dw: usize,
    i: Dims4,
    f: Dims4,
    out: Dims4,
    io: IoQuant,
) -> crate::Result<ConvParams> {
    let w = Window::explicit(pad, [sh, sw], [dh, dw], [i.h, i.w], [f.h, f.w], [out.h, out.w])?;
    ConvParams::new(w, i, f, out, io)
}

/// DEPTHWISE_CONV_2D params with TFLM's padding.
pub fn dw(o: Opts, dm: usize, i: Dims4, f: Dims4, out: Dims4, io: IoQuant) -> crate::Result<DepthwiseParams> {
    let w = Window::tflm(o.padding, o.stride, o.dilation, [i.h, i.w], [f.h, f.w], [out.h, out.w])?;
    DepthwiseParams::new(w, dm, i, f, out, io)
}

/// DEPTHWISE_CONV_2D params with explicit `[top, bottom, left, right]` padding.
#[allow(clippy::too_many_arguments)]
pub fn dw_padded(
    pad: [usize; 4],
    sh: usize,
    sw: usize,
    dh: usize,
    dwi: usize,
    dm: usize,
    i: Dims4,
    f: Dims4,
    out: Dims4,
    io: IoQuant,
) -> crate::Result<DepthwiseParams> {
    let w = Window::explicit(pad, [sh, sw], [dh, dwi], [i.h, i.w], [f.h, f.w], [out.h, out.w])?;
    DepthwiseParams::new(w, dm, i, f, out, io)
}

/// Input and output zero points, no fused activation.
pub fn io(input_zp: i32, output_zp: i32) -> IoQuant {
    IoQuant { input_zp, output_zp, act_min: -128, act_max: 127 }
}

/// Little-endian bytes, as constants sit in a model.
pub fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Little-endian bytes, as constants sit in a model.
pub fn i32s(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `n` convolution requantization entries for `input_scale × filter_scales[i] / output_scale`.
pub fn rq(input_scale: f32, filter_scales: &[f32], output_scale: f32, n: usize) -> Vec<Requant> {
    let bytes = f32s(filter_scales);
    let mut out = std::vec![Requant::default(); n];
    per_channel_requant(input_scale, LeF32s::new(&bytes), output_scale, &mut out).unwrap();
    out
}

/// Runs a sliding-window kernel over separate buffers walking forward, checks that walking
/// backward gives the same result and output, and returns the forward result.
pub fn both_walks(
    kernel: impl Fn(&mut super::io::Io<'_>, super::io::Walk) -> crate::Result<()>,
    input: &[i8],
    out: &mut [i8],
) -> crate::Result<()> {
    use super::io::{Io, Walk};
    let mut back = out.to_vec();
    let rb = kernel(&mut Io::split(input, &mut back), Walk::Backward);
    let rf = kernel(&mut Io::split(input, out), Walk::Forward);
    assert_eq!(rf, rb);
    assert_eq!(&back[..], &out[..]);
    rf
}
