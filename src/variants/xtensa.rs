//! The Xtensa port (feature `xtensa`): kernel variants in plain C written for the LX106
//! (`ports/xtensa/`, built by `build.rs` with `xtensa-lx106-elf-gcc` for the LX106 target and
//! with the host's compiler elsewhere), listed before the portable table.
//!
//! As in the Arm port, every wrapper checks the call and every length before the FFI call, so
//! the C code indexes without checks: it reads only the input block, the filter, the bias and
//! requantization entries of the output channels and its scratch, and writes only the output
//! block. The same C runs on the host, where the conformance tests compare it with the
//! portable kernels.

// With CONV_2D compiled out, its wrapper is unused (and not linked).
#![cfg_attr(not(feature = "all-ops"), allow(dead_code, unused_imports))]

use super::portable::{row_window, window_io};
use super::{Access, Region, RowCall, Variant, VariantId};
use crate::error::{Error, Result};
use crate::kernels::call::{RawWindowCall, WindowCall};
use crate::kernels::io::{Io, Walk};
use crate::memory::Bound;
use crate::ops::{Family, OpSpec, Params, RequantSource};
use crate::quant::{Requant, ScaleRatio};

/// The Xtensa variants, most preferred first (each compiled in with its operator's feature).
pub const TABLE: &[Variant] = &[
    #[cfg(feature = "op-conv")]
    Variant {
        id: VariantId::XtensaConv1x1,
        name: "xtensa_conv2d_1x1_s8",
        family: Family::Conv,
        requires: Some(conv1x1_fits),
        scratch: conv1x1_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_conv1x1,
        rows: Some(rows_conv1x1),
    },
    #[cfg(feature = "op-depthwise")]
    Variant {
        id: VariantId::XtensaDepthwise,
        name: "xtensa_depthwise_conv2d_s8",
        family: Family::Depthwise,
        requires: Some(depthwise_fits),
        scratch: depthwise_scratch,
        access: Access::Window { lead: 0 },
        parts: true,
        run: run_depthwise,
        rows: Some(rows_depthwise),
    },
];

/// Taps of the largest depthwise window the C kernel takes (`PW_XT_MAX_TAPS`).
const MAX_TAPS: usize = 25;

/// Output pixels per GEMM block (`PW_XT_PIXELS`, ports/xtensa/pw_xtensa.h).
const PIXELS: usize = 4;

/// `pw_xt_conv_params` (ports/xtensa/pw_xtensa.h).
#[repr(C)]
struct XtConvArgs {
    filter: *const i8,
    bias: *const u8,
    requant: *const XtRequant,
    requant_step: i32,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
    columns: *mut i16,
}

/// `pw_xt_requant`: TFLM's multiplier and shift, as the portable kernels use them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct XtRequant {
    multiplier: i32,
    shift: i32,
}

impl XtRequant {
    fn of(r: Requant) -> XtRequant {
        XtRequant { multiplier: r.multiplier, shift: r.shift }
    }
}

extern "C" {
    fn pw_xt_conv1x1_s8(call: *const RawWindowCall, p: *const XtConvArgs) -> i32;
    fn pw_xt_depthwise_s8(call: *const RawWindowCall, p: *const XtConvArgs) -> i32;
}

/// One group, a 1×1 filter, and an input zero point in int8 (the columns are int16).
fn conv1x1_fits(s: &OpSpec<'_>) -> bool {
    let Params::Conv(c) = &s.params else { return false };
    let f = c.params.filter();
    c.params.groups() == 1 && f.h == 1 && f.w == 1 && (-128..=127).contains(&c.params.io_quant().input_zp)
}

/// Depth multiplier 1 or a multiple of 4, at most 5×5 taps, an input zero point in int8.
fn depthwise_fits(s: &OpSpec<'_>) -> bool {
    let Params::Depthwise(d) = &s.params else { return false };
    let f = d.params.filter();
    let m = d.params.depth_multiplier();
    (m == 1 || m % 4 == 0)
        && f.h.checked_mul(f.w).is_some_and(|t| t <= MAX_TAPS)
        && (-128..=127).contains(&d.params.io_quant().input_zp)
}

/// The requantization table, then one int32 per channel (biases with the input offset and
/// the weights' sums folded in).
fn depthwise_scratch(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Depthwise(d) = &s.params else { return Err(Error::Internal) };
    let folded = d.params.output().c.checked_mul(4).ok_or(Error::TooLarge)?;
    table_bytes(d.requant.count)?.checked_add(folded).ok_or(Error::TooLarge)
}

/// Bytes of a requantization table of `n` entries (none for one entry: it lives on the stack).
fn table_bytes(n: usize) -> Result<usize> {
    if n > 1 {
        n.checked_mul(core::mem::size_of::<XtRequant>()).ok_or(Error::TooLarge)
    } else {
        Ok(0)
    }
}

/// Bytes of the int16 columns: `PIXELS · in_c` values.
fn columns_bytes(in_c: usize) -> Result<usize> {
    in_c.checked_mul(2 * PIXELS).ok_or(Error::TooLarge)
}

/// The requantization table (8 B per output channel, none per-tensor), then the columns (at a
/// multiple of 4 bytes: the table's entries are 8 bytes).
fn conv1x1_scratch(s: &OpSpec<'_>) -> Result<usize> {
    let Params::Conv(c) = &s.params else { return Err(Error::Internal) };
    table_bytes(c.requant.count)?.checked_add(columns_bytes(c.params.input().c)?).ok_or(Error::TooLarge)
}

/// Splits the scratch into the requantization table (filled when `fill`, or when it lives on
/// the stack) and the rest.
fn requant_table<'s>(
    r: &RequantSource<'_>,
    scratch: &'s mut [u8],
    one: &'s mut [XtRequant; 1],
    fill: bool,
) -> Result<(&'s [XtRequant], &'s mut [u8])> {
    let (table, rest): (&mut [XtRequant], &mut [u8]) = if r.count > 1 {
        let (t, rest) = scratch.split_at_mut_checked(table_bytes(r.count)?).ok_or(Error::Internal)?;
        (bytemuck::try_cast_slice_mut(t).map_err(|_| Error::Internal)?, rest)
    } else {
        (one, scratch)
    };
    if fill || r.count <= 1 {
        let n = r.filter_scales.len();
        if table.is_empty() || !(n == 1 || n == table.len()) {
            return Err(Error::InvalidArgument);
        }
        // Integer derivation, bit for bit TFLM's double-precision one (crate::quant).
        let ratio = ScaleRatio::new(r.input_scale, r.output_scale);
        let broadcast = XtRequant::of(ratio.multiplier(r.filter_scales.get(0)));
        for (i, slot) in table.iter_mut().enumerate() {
            *slot = if n > 1 { XtRequant::of(ratio.multiplier(r.filter_scales.get(i))) } else { broadcast };
        }
    }
    Ok((table, rest))
}

fn run_conv1x1(spec: &OpSpec<'_>, b: &mut Bound<'_, '_>, region: &Region) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    let scratch = core::mem::take(&mut b.scratch);
    let (mut io, call) = window_io(spec, b, s.params.full_call(Walk::Forward), s.params.window(), region)?;
    conv1x1(spec, &call, &mut io, scratch, true)
}

/// CONV_2D rows of a fused segment (the requantization table filled on the first call).
fn rows_conv1x1(spec: &OpSpec<'_>, c: RowCall<'_>) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    let (call, mut io, scratch, setup) = row_window(s.params.window(), s.params.input(), s.params.output(), c)?;
    conv1x1(spec, &call, &mut io, scratch, setup)
}

/// Checks a 1×1 convolution call over bound I/O and runs the C kernel.
fn conv1x1(spec: &OpSpec<'_>, call: &WindowCall, io: &mut Io<'_>, scratch: &mut [u8], fill: bool) -> Result<()> {
    let Params::Conv(s) = &spec.params else { return Err(Error::Internal) };
    if !conv1x1_fits(spec) {
        return Err(Error::Internal);
    }
    let mut one = [XtRequant::default(); 1];
    let (table, cols) = requant_table(&s.requant, scratch, &mut one, fill)?;
    let p = &s.params;
    p.check(table.len(), s.filter.len(), s.bias.map(|x| x.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    // The columns: 2-byte aligned, PIXELS · in_c int16 values.
    if cols.len() < columns_bytes(p.input().c)? || cols.as_ptr().align_offset(2) != 0 {
        return Err(Error::InvalidArgument);
    }
    let a = args(spec, table, p.output().c, cols.as_mut_ptr().cast())?;
    let (x, y) = io.raw(0).ok_or(Error::Internal)?;
    let raw = RawWindowCall::of(call, p.window(), x, y).ok_or(Error::TooLarge)?;
    // SAFETY: `call` was checked against the window and the I/O's input and output lengths
    // (every pixel inside the input block plus its padding, the blocks inside their buffers,
    // every index an i32); the filter is 1×1 with one group, so it holds `out_c · in_c`
    // values; the bias and the requantization table hold `out_c` entries (or one, step 0);
    // the scratch holds `PIXELS · in_c` 2-byte aligned int16s. The pointers come from live
    // borrows that outlast the call, and the kernel copies a block's input pixels before it
    // writes any of their outputs, in the call's walk order (Access::Window { lead: 0 }).
    let rc = unsafe { pw_xt_conv1x1_s8(&raw, &a) };
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
    let mut one = [XtRequant::default(); 1];
    let (table, rest) = requant_table(&s.requant, scratch, &mut one, fill)?;
    let p = &s.params;
    p.check(table.len(), s.filter.len(), s.bias.map(|x| x.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    let out_c = p.output().c;
    if p.input().c.checked_mul(p.depth_multiplier()) != Some(out_c)
        || rest.len() < out_c.checked_mul(4).ok_or(Error::TooLarge)?
        || rest.as_ptr().align_offset(4) != 0
    {
        return Err(Error::InvalidArgument);
    }
    let a = args(spec, table, out_c, rest.as_mut_ptr().cast())?;
    let (x, y) = io.raw(0).ok_or(Error::Internal)?;
    let raw = RawWindowCall::of(call, p.window(), x, y).ok_or(Error::TooLarge)?;
    // SAFETY: as for the 1×1 convolution: the call was checked against the window and the I/O
    // lengths (output channels = input channels × the depth multiplier, 1 or 4k, at most
    // MAX_TAPS taps),
    // the filter holds `kh · kw · out_c` values (plane 0), bias and requantization `out_c`
    // entries (or one, step 0), the scratch `out_c` 4-byte aligned int32s; the kernel writes a
    // pixel's channels after reading the same channels of its window, in walk order.
    let rc = unsafe { pw_xt_depthwise_s8(&raw, &a) };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// The C arguments of a checked convolution or depthwise call: `out_c` entries of bias and
/// requantization.
fn args(spec: &OpSpec<'_>, table: &[XtRequant], out_c: usize, scratch: *mut i16) -> Result<XtConvArgs> {
    let (filter, bias, q) = match &spec.params {
        Params::Conv(s) => (s.filter, s.bias, s.params.io_quant()),
        Params::Depthwise(s) => (s.filter, s.bias, s.params.io_quant()),
        _ => return Err(Error::Internal),
    };
    let step = match table.len() {
        1 => 0,
        n if n >= out_c => 1,
        _ => return Err(Error::InvalidArgument),
    };
    if bias.is_some_and(|b| b.len() < out_c) {
        return Err(Error::InvalidArgument);
    }
    Ok(XtConvArgs {
        filter: filter.as_ptr(),
        bias: bias.map_or(core::ptr::null(), |b| b.bytes().as_ptr()),
        requant: table.as_ptr(),
        requant_step: step,
        input_offset: q.input_zp.wrapping_neg(),
        output_offset: q.output_zp,
        act_min: q.act_min,
        act_max: q.act_max,
        columns: scratch,
    })
}

#[cfg(test)]
mod tests {
    use super::XtRequant;
    use crate::quant::multiply_by_quantized_multiplier;

    extern "C" {
        fn pw_xt_requantize_s8(acc: i32, r: *const XtRequant) -> i32;
    }

    /// The C requantization against src/quant.rs on edge and random values: every multiplier,
    /// shift and accumulator range, including INT32_MIN (the saturating case).
    #[test]
    fn requantization_matches_tflm() {
        let mut rng = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u32() as i32;
        let edges = [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX, i32::MAX - 1, 1 << 30, -(1 << 30)];
        for i in 0..1_000_000u32 {
            let acc = if i % 5 == 0 { edges[(i / 5) as usize % edges.len()] } else { next() >> (next() & 31) };
            let multiplier = match i % 7 {
                0 => i32::MIN,
                1 => next(),
                _ => (next() as u32 >> 1 | 1 << 30) as i32,
            };
            let shift = next().rem_euclid(64) - 32;
            let rq = XtRequant { multiplier, shift };
            let want = multiply_by_quantized_multiplier(acc, multiplier, shift).clamp(-128, 127);
            // SAFETY: `rq` is one entry, live across the call; the function reads it only.
            let got = unsafe { pw_xt_requantize_s8(acc, &rq) };
            assert_eq!(got, want, "acc {acc} multiplier {multiplier} shift {shift}");
        }
    }
}
