//! The Arm Cortex-M DSP port (feature `arm-dsp`): kernel variants written in C with ACLE
//! intrinsics (`ports/arm/`, built by `build.rs`), listed before the portable table.
//!
//! Every wrapper checks the call and every length before the FFI call (the same checks the
//! portable kernels make), so the C code can index without checks: it reads only the input
//! block, the filter, the bias and requantization entries of the output channels and its
//! scratch, and writes only the output block. On targets without the DSP extension (the host,
//! Armv6-M) the same C kernels run on plain-C definitions of the DSP instructions: that is how
//! the conformance tests check them against the portable kernels.

// With CONV_2D or DEPTHWISE_CONV_2D compiled out, its wrapper is unused (and not linked).
#![cfg_attr(not(feature = "all-ops"), allow(dead_code, unused_imports))]

use super::portable::{row_window, window_io};
use super::{Access, Region, RowCall, Variant, VariantId};
use crate::error::{Error, Result};
use crate::kernels::call::{RawWindowCall, WindowCall};
use crate::kernels::conv::IoQuant;
use crate::kernels::io::{Io, Walk};
use crate::memory::Bound;
use crate::ops::{Family, OpSpec, Params, RequantSource};
use crate::quant::{Requant, ScaleRatio};
use crate::tensor::LeI32s;
use core::ffi::c_void;

/// The Arm variants, most preferred first (each compiled in with its operator's feature).
pub const TABLE: &[Variant] = &[
    #[cfg(feature = "op-conv")]
    Variant {
        id: VariantId::ArmConv,
        name: "arm_conv2d_s8_im2col",
        family: Family::Conv,
        requires: Some(conv_fits),
        scratch: conv_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_conv,
        rows: Some(rows_conv),
    },
    #[cfg(feature = "op-depthwise")]
    Variant {
        id: VariantId::ArmDepthwise,
        name: "arm_depthwise_conv2d_s8",
        family: Family::Depthwise,
        requires: Some(depthwise_fits),
        scratch: depthwise_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_depthwise,
        rows: Some(rows_depthwise),
    },
];

/// `pw_conv_params` (ports/arm/pw_arm.h).
#[repr(C)]
struct ConvArgs {
    filter: *const i8,
    bias: *const u8,
    requant: *const ArmRequant,
    requant_step: i32,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
    scratch: *mut c_void,
    /// Depthwise: the scratch already holds this operator's tables (a later row of a fused
    /// segment).
    scratch_ready: i32,
}

extern "C" {
    fn pw_arm_conv_s8(call: *const RawWindowCall, p: *const ConvArgs) -> i32;
    fn pw_arm_depthwise_s8(call: *const RawWindowCall, p: *const ConvArgs) -> i32;
}

/// The input zero point fits the kernels' int16 arithmetic (int8 tensors always do).
fn zero_point_fits(q: IoQuant) -> bool {
    (-128..=127).contains(&q.input_zp)
}

fn conv_fits(s: &OpSpec<'_>) -> bool {
    let Params::Conv(c) = &s.params else { return false };
    c.params.groups() == 1 && zero_point_fits(c.params.io_quant())
}

fn depthwise_fits(s: &OpSpec<'_>) -> bool {
    let Params::Depthwise(d) = &s.params else { return false };
    let m = d.params.depth_multiplier();
    (m == 1 || m % 4 == 0) && zero_point_fits(d.params.io_quant())
}

/// Values of one im2col column: the filter's `kh · kw · in_c`.
fn patch_len(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Conv(c) = &s.params else { return Err(Error::Internal) };
    let f = c.params.filter();
    f.h.checked_mul(f.w).and_then(|x| x.checked_mul(f.c)).ok_or(Error::TooLarge)
}

/// Bytes of the two int16 im2col columns (ports/arm/conv_s8.c: `2·k` values).
fn columns_bytes(k: usize) -> Result<usize> {
    k.checked_mul(4).ok_or(Error::TooLarge)
}

/// The requantization table (one entry per output channel, none for a per-tensor filter),
/// then the im2col columns (at a multiple of 4: the table's entries are 8 bytes).
fn conv_scratch(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Conv(c) = &s.params else { return Err(Error::Internal) };
    arm_table_bytes(c.requant.count)?.checked_add(columns_bytes(patch_len(s)?)?).ok_or(Error::TooLarge)
}

/// The requantization table, then for 3×3 windows without dilation the biases with the input
/// offset folded in (4 bytes per channel, ports/arm/depthwise_conv_s8.c).
fn depthwise_scratch(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Depthwise(d) = &s.params else { return Err(Error::Internal) };
    arm_table_bytes(d.requant.count)?.checked_add(folded_bytes(s)?).ok_or(Error::TooLarge)
}

/// Bytes of the folded biases (`k3` in ports/arm/depthwise_conv_s8.c), 0 when not used.
fn folded_bytes(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Depthwise(d) = &s.params else { return Err(Error::Internal) };
    let (f, w) = (d.params.filter(), d.params.window());
    let fast3 = [f.h, f.w] == [3, 3] && w.rows.dilation == 1 && w.cols.dilation == 1;
    if fast3 {
        d.params.output().c.checked_mul(4).ok_or(Error::TooLarge)
    } else {
        Ok(0)
    }
}

/// One output channel's requantization as the C kernels apply it (`pw_requant`,
/// ports/arm/pw_arm.h): the multiplier, and `e - 1` with `e = -shift` (the fast path when it
/// is in `0..=30` and the multiplier is not negative, i.e. shifts in `-31..=-1`, real
/// multipliers below 1/2 as in practice; the slow path recovers the shift from it). 8 bytes,
/// as the portable table's entries.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ArmRequant {
    mult: i32,
    e1: i32,
}

impl ArmRequant {
    /// From TFLM's multiplier and shift. A zero multiplier (TFLM's for real multipliers below
    /// 2^-31: channels of near-zero filters) scales every accumulator to 0 whatever the shift:
    /// it takes the fast path's `e - 1 = 0`, which gives 0 too (`floor((2^30 + 2^31 - [acc < 0]
    /// · 2^31) / 2^32)`), instead of sending the whole operator down the slow path.
    pub fn of(r: Requant) -> ArmRequant {
        let e1 = if r.multiplier == 0 { 0 } else { r.shift.wrapping_neg().wrapping_sub(1) };
        ArmRequant { mult: r.multiplier, e1 }
    }
}

/// Bytes of a table of `n` entries (none for one entry: it lives on the stack).
fn arm_table_bytes(n: usize) -> Result<usize> {
    if n > 1 {
        n.checked_mul(core::mem::size_of::<ArmRequant>()).ok_or(Error::TooLarge)
    } else {
        Ok(0)
    }
}

/// Splits the scratch into the requantization table (filled) and the rest.
/// With `fill` false a table in the scratch is taken as filled by an earlier call (the rows of
/// a fused segment: filled on the operator's first call of the invoke).
fn requant_table<'s>(
    r: &RequantSource<'_>,
    scratch: &'s mut [u8],
    one: &'s mut [ArmRequant; 1],
    fill: bool,
) -> Result<(&'s [ArmRequant], &'s mut [u8])> {
    let (table, rest): (&mut [ArmRequant], &mut [u8]) = if r.count > 1 {
        let (t, rest) = scratch.split_at_mut_checked(arm_table_bytes(r.count)?).ok_or(Error::Internal)?;
        (bytemuck::try_cast_slice_mut(t).map_err(|_| Error::Internal)?, rest)
    } else {
        (one, scratch)
    };
    if fill || r.count <= 1 {
        fill_requant(r, table)?;
    }
    Ok((table, rest))
}

/// The per-channel multipliers of [`crate::kernels::conv::per_channel_requant`], derived in
/// integer arithmetic ([`crate::quant::quantize_multiplier_of_scales`], bit for bit the same): a few dozen
/// instructions per channel instead of software double precision, at every invoke.
fn fill_requant(r: &RequantSource<'_>, table: &mut [ArmRequant]) -> Result<()> {
    let n = r.filter_scales.len();
    if table.is_empty() || !(n == 1 || n == table.len()) {
        return Err(Error::InvalidArgument);
    }
    let ratio = ScaleRatio::new(r.input_scale, r.output_scale);
    let of = |f: f32| ArmRequant::of(ratio.multiplier(f));
    let broadcast = of(r.filter_scales.get(0));
    for (i, slot) in table.iter_mut().enumerate() {
        *slot = if n > 1 { of(r.filter_scales.get(i)) } else { broadcast };
    }
    Ok(())
}

/// The C arguments of a checked convolution; `out_c` entries of bias and requantization.
fn args(
    q: IoQuant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    requant: &[ArmRequant],
    out_c: usize,
    scratch: *mut c_void,
    scratch_ready: bool,
) -> Result<ConvArgs> {
    let step = match requant.len() {
        1 => 0,
        n if n >= out_c => 1,
        _ => return Err(Error::InvalidArgument),
    };
    if bias.is_some_and(|b| b.len() < out_c) {
        return Err(Error::InvalidArgument);
    }
    Ok(ConvArgs {
        filter: filter.as_ptr(),
        bias: bias.map_or(core::ptr::null(), |b| b.bytes().as_ptr()),
        requant: requant.as_ptr(),
        requant_step: step,
        input_offset: q.input_zp.wrapping_neg(),
        output_offset: q.output_zp,
        act_min: q.act_min,
        act_max: q.act_max,
        scratch,
        scratch_ready: i32::from(scratch_ready),
    })
}

/// The call in C form over the I/O's operands (checked by the caller).
fn raw_call(call: &WindowCall, window: &crate::geometry::Window, io: &mut Io<'_>) -> Result<RawWindowCall> {
    let (x, y) = io.raw(0).ok_or(Error::Internal)?;
    RawWindowCall::of(call, window, x, y).ok_or(Error::TooLarge)
}

fn run_conv(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    let scratch = core::mem::take(&mut b.scratch);
    let (mut io, call) = window_io(spec, b, s.params.full_call(Walk::Forward), s.params.window(), region)?;
    conv(spec, &call, &mut io, scratch, true)
}

/// CONV_2D rows of a fused segment (the requantization table filled on the first call).
fn rows_conv(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    let (call, mut io, scratch, setup) = row_window(s.params.window(), s.params.input(), s.params.output(), c)?;
    conv(spec, &call, &mut io, scratch, setup)
}

/// Checks a convolution call over bound I/O and runs the C kernel.
fn conv(spec: &OpSpec<'_>, call: &WindowCall, io: &mut Io<'_>, scratch: &mut [u8], fill: bool) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    if !conv_fits(spec) {
        return Err(Error::Internal);
    }
    let k = patch_len(spec)?;
    let mut one = [ArmRequant::default(); 1];
    let (table, cols) = requant_table(&s.requant, scratch, &mut one, fill)?;
    let p = &s.params;
    p.check(table.len(), s.filter.len(), s.bias.map(|x| x.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    // The columns: 4-byte aligned, two of `k` int16 values.
    if cols.len() < columns_bytes(k)? || cols.as_ptr().align_offset(4) != 0 || i32::try_from(k).is_err() {
        return Err(Error::InvalidArgument);
    }
    let a = args(p.io_quant(), s.filter, s.bias, table, p.output().c, cols.as_mut_ptr().cast(), false)?;
    let raw = raw_call(call, p.window(), io)?;
    // SAFETY: `call` was checked against the window and the I/O's input and output lengths
    // (every window inside the input block plus its padding, the blocks inside their buffers,
    // every index an i32), the filter holds `out_c · kh · kw · in_c` values with one group,
    // the bias and the requantization table `out_c` entries (or one, step 0), and the scratch
    // two 4-byte aligned columns of `k` int16 values; the pointers come from live borrows that
    // outlast the call, and the kernel keeps the walk contract where input and output overlap.
    let rc = unsafe { pw_arm_conv_s8(&raw, &a) };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

fn run_depthwise(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Depthwise(s) = &spec.params else { return Err(Error::Internal) };
    let scratch = core::mem::take(&mut b.scratch);
    let (mut io, call) = window_io(spec, b, s.params.full_call(Walk::Forward), s.params.window(), region)?;
    depthwise(spec, &call, &mut io, scratch, true)
}

/// DEPTHWISE_CONV_2D rows of a fused segment (the requantization table filled on the first
/// call).
fn rows_depthwise(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let Params::Depthwise(s) = &spec.params else { return Err(Error::Internal) };
    let (call, mut io, scratch, setup) = row_window(s.params.window(), s.params.input(), s.params.output(), c)?;
    depthwise(spec, &call, &mut io, scratch, setup)
}

/// Checks a depthwise call over bound I/O and runs the C kernel.
fn depthwise(spec: &OpSpec<'_>, call: &WindowCall, io: &mut Io<'_>, scratch: &mut [u8], fill: bool) -> Result<()> {
    let Params::Depthwise(s) = &spec.params else { return Err(Error::Internal) };
    if !depthwise_fits(spec) {
        return Err(Error::Internal);
    }
    let mut one = [ArmRequant::default(); 1];
    let (table, rest) = requant_table(&s.requant, scratch, &mut one, fill)?;
    let p = &s.params;
    p.check(table.len(), s.filter.len(), s.bias.map(|x| x.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    let folded = folded_bytes(spec)?;
    if rest.len() < folded || (folded > 0 && rest.as_ptr().align_offset(4) != 0) {
        return Err(Error::InvalidArgument);
    }
    let fold = if folded > 0 { rest.as_mut_ptr().cast() } else { core::ptr::null_mut() };
    // Later rows of a fused segment find the folded biases the first row built (`fill` false).
    let a = args(p.io_quant(), s.filter, s.bias, table, p.output().c, fold, !fill)?;
    let raw = raw_call(call, p.window(), io)?;
    // SAFETY: as for the convolution: the call was checked against the window and the I/O
    // lengths (output channels = input channels × the depth multiplier, 1 or a multiple of
    // 4), the filter holds `kh · kw · out_c` values (plane 0), bias and requantization `out_c`
    // entries (or one, step 0); for 3×3 windows without dilation the scratch holds `out_c`
    // 4-byte aligned int32s (otherwise the kernel does not touch it), with `scratch_ready`
    // as this operator's first row call of the invoke left them.
    let rc = unsafe { pw_arm_depthwise_s8(&raw, &a) };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

#[cfg(test)]
mod tests {
    use super::ArmRequant;
    use crate::quant::multiply_by_quantized_multiplier;

    extern "C" {
        fn pw_arm_requantize_s8(acc: i32, r: *const ArmRequant) -> i32;
    }

    /// The C requantization (one multiply-accumulate, a shift and a carry) against TFLM's
    /// double rounding, operation for operation, on edge and random values: every
    /// multiplier, shift and accumulator range, including INT32_MIN (the saturating case)
    /// and accumulators whose rounding would overflow a naive 32-bit sum.
    #[test]
    fn requantization_matches_tflm() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u32() as i32;
        let edges = [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX, i32::MAX - 1, 1 << 30, -(1 << 30)];
        for i in 0..2_000_000u32 {
            let acc = if i % 5 == 0 { edges[(i / 5) as usize % edges.len()] } else { next() >> (next() & 31) };
            let mult = match i % 7 {
                0 => i32::MIN,
                1 => next(),
                // TFLM's multiplier for real multipliers below 2^-31, with any shift.
                2 if i % 3 == 0 => 0,
                _ => (next() as u32 >> 1 | 1 << 30) as i32,
            };
            let shift = next().rem_euclid(64) - 32;
            let rq = ArmRequant::of(crate::quant::Requant { multiplier: mult, shift });
            let want = multiply_by_quantized_multiplier(acc, mult, shift).clamp(-128, 127);
            // SAFETY: `rq` is one entry, live across the call; the function reads it only.
            let got = unsafe { pw_arm_requantize_s8(acc, &rq) };
            assert_eq!(got, want, "acc {acc} multiplier {mult} shift {shift}");
        }
    }
}
