//! The fast portable kernels as variants (`crate::kernels::conv_fast`,
//! `crate::kernels::depthwise_fast`): plain Rust for every target, listed after a port's table
//! and before the portable table. Each covers the common shape of its operator and computes
//! exactly what the reference kernel computes, with the same scratch (the requantization
//! table), the same access and parts: the plan and the arena are the ones the portable kernels
//! get.

// With CONV_2D or DEPTHWISE_CONV_2D compiled out, its helpers are unused (and not linked).
#![cfg_attr(not(feature = "all-ops"), allow(dead_code, unused_imports))]

use super::portable::{channelwise_fits, plane_scratch, requant_scratch, window_io};
#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
use super::portable::{rows_filtered_with, run_filtered_with};
use super::{Access, Region, RowCall, Variant, VariantId};
use crate::error::{Error, Result};
use crate::kernels::io::Walk;
use crate::kernels::{conv, conv_fast, depthwise_conv, depthwise_fast};
use crate::memory::as_i8_mut;
use crate::memory::Bound;
use crate::ops::{Family, OpSpec, Params};
use crate::quant::ScaleRatio;

/// The fast variants, most preferred first (each compiled in with its operator's feature).
pub const TABLE: &[Variant] = &[
    #[cfg(feature = "op-conv")]
    Variant {
        id: VariantId::FastConv1x1,
        name: "conv2d_s8_1x1_gemm",
        family: Family::Conv,
        requires: Some(conv1x1_fits),
        scratch: requant_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_conv1x1,
        rows: Some(rows_conv1x1),
    },
    #[cfg(feature = "op-conv")]
    Variant {
        id: VariantId::FastConv,
        name: "conv2d_s8_im2col_gemm",
        family: Family::Conv,
        requires: Some(conv_fits),
        scratch: requant_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_conv,
        rows: Some(rows_conv),
    },
    #[cfg(feature = "op-depthwise")]
    Variant {
        id: VariantId::FastDepthwise3x3,
        name: "depthwise_conv2d_s8_3x3",
        family: Family::Depthwise,
        requires: Some(depthwise3x3_fits),
        scratch: requant_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_depthwise3x3,
        rows: Some(rows_depthwise3x3),
    },
    #[cfg(feature = "op-depthwise")]
    Variant {
        id: VariantId::FastDepthwise3x3Channelwise,
        name: "depthwise_conv2d_s8_3x3_channelwise",
        family: Family::Depthwise,
        requires: Some(channelwise3x3_fits),
        scratch: plane_scratch,
        access: Access::SameOffset,
        parts: true,
        run: run_depthwise3x3_channelwise,
        rows: None,
    },
];

fn channelwise3x3_fits(s: &OpSpec<'_>) -> bool {
    depthwise3x3_fits(s) && channelwise_fits(s)
}

#[cfg(feature = "op-depthwise")]
fn run_depthwise3x3_channelwise(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Depthwise(s) = &spec.params else { return Err(Error::Internal) };
    let scratch = core::mem::take(&mut b.scratch);
    let (mut io, call) = window_io(spec, b, s.params.full_call(Walk::Forward), s.params.window(), region)?;
    // Exactly in place or apart: anything in between would overwrite unread channels.
    if io.overlap_delta(0).is_some_and(|d| d != 0) {
        return Err(Error::InvalidArgument);
    }
    // Each channel's multiplier from the scales in integer arithmetic (bit for bit the
    // double-precision derivation, `ScaleRatio`): a few dozen instructions per channel.
    let r = &s.requant;
    let ratio = ScaleRatio::new(r.input_scale, r.output_scale);
    let one = r.filter_scales.len() <= 1;
    let broadcast = ratio.multiplier(r.filter_scales.get(0));
    let rq = |ch| if one { broadcast } else { ratio.multiplier(r.filter_scales.get(ch)) };
    depthwise_fast::depthwise3x3_s8_channelwise(&s.params, rq, s.filter, s.bias, &call, &mut io, as_i8_mut(scratch))
}

fn conv_fits(s: &OpSpec<'_>) -> bool {
    matches!(&s.params, Params::Conv(c) if conv_fast::conv_fits(&c.params))
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn run_conv(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    run_filtered_with(spec, b, region, conv_fast::conv_s8, depthwise_conv::depthwise_conv2d_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn rows_conv(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    rows_filtered_with(spec, c, conv_fast::conv_s8, depthwise_conv::depthwise_conv2d_s8)
}

fn conv1x1_fits(s: &OpSpec<'_>) -> bool {
    matches!(&s.params, Params::Conv(c) if conv_fast::conv1x1_fits(&c.params))
}

fn depthwise3x3_fits(s: &OpSpec<'_>) -> bool {
    matches!(&s.params, Params::Depthwise(d) if depthwise_fast::depthwise3x3_fits(&d.params))
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn run_conv1x1(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    run_filtered_with(spec, b, region, conv_fast::conv1x1_s8, depthwise_conv::depthwise_conv2d_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn rows_conv1x1(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    rows_filtered_with(spec, c, conv_fast::conv1x1_s8, depthwise_conv::depthwise_conv2d_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn run_depthwise3x3(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    run_filtered_with(spec, b, region, conv::conv2d_s8, depthwise_fast::depthwise3x3_s8)
}

#[cfg(any(feature = "op-conv", feature = "op-depthwise"))]
fn rows_depthwise3x3(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    rows_filtered_with(spec, c, conv::conv2d_s8, depthwise_fast::depthwise3x3_s8)
}
