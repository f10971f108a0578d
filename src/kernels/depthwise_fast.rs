//! Fast portable DEPTHWISE_CONV_2D kernels for the common shapes, bit-exact with the reference
//! kernels in [`super::depthwise_conv`] (same arithmetic, same wrapping, same requantization),
//! with the same call shape and access contract.
//!
//! - [`depthwise3x3_s8`]: DEPTHWISE_CONV_2D with a 3×3 filter, no dilation (any stride).
//!   Depth multiplier 1, output apart from the input: channel by channel through a
//!   zero-point-padded plane on the stack ([`dw3x3_padded`]) when it fits. Otherwise (the
//!   output overlaps the input, or the plane is too large) output pixels in walk order; with at
//!   most [`DW_CHUNK`] channels, every channel's constants are gathered once per call (its
//!   nine taps side by side, `bias + input_offset · Σ taps`, which folds the input zero point
//!   out of the interior pixels, and its requantization), and runs of interior pixels are
//!   computed channels innermost from nine runs of `ch` input values each, then written
//!   together. Border pixels (and more channels) take a general per-tap path. Depth
//!   multiplier above 1: each input channel's nine taps are read once and feed its output
//!   channels, whose taps, biases and requantizations are gathered once per call.
//! - [`depthwise3x3_s8_channelwise`]: the same with depth multiplier 1, channel by channel
//!   (the output may take exactly the input's bytes).
//!
//! Access: as the reference kernels (a sliding window walking output pixels in the call's
//! [`Walk`](super::io::Walk) order, lead 0): the output may overlap the input as the planner
//! declared, so a pixel's output is written only after its own window has been read, and never
//! before the windows of earlier pixels (in walk order) have been read; a run of pixels is
//! read completely before any of its outputs is written. The channel-by-channel paths copy
//! channel `c`'s input plane before writing any of its outputs (the output takes exactly the
//! input's bytes, or lies apart from them). The kernels are also called on sub-rectangles and
//! row ranges of an image (fused segments, parts): every offset comes from the call's blocks
//! and padding.

use super::call::WindowCall;
use super::conv::{ordered, requantize};
use super::depthwise_conv::DepthwiseParams;
use super::io::Io;
use crate::quant::{Requant, RightShift64};
use crate::tensor::LeI32s;
use crate::{Error, Result};

/// Output values the depthwise kernel computes before writing them (a stack buffer), and the
/// most channels whose constants it gathers into stack tables once per call.
const DW_CHUNK: usize = 64;

/// True when [`depthwise3x3_s8`] computes a depthwise convolution of these parameters: a 3×3
/// filter, no dilation, depth multiplier 1 or up to [`DW_CHUNK`].
pub fn depthwise3x3_fits(p: &DepthwiseParams) -> bool {
    let w = p.window();
    w.kernel() == [3, 3] && w.rows.dilation == 1 && w.cols.dilation == 1 && p.depth_multiplier() <= DW_CHUNK
}

/// One tap of every channel: input and filter values side by side.
#[inline(always)]
fn pair<'a>(x: &'a [i8], f: &'a [i8]) -> impl Iterator<Item = (i8, i8)> + 'a {
    x.iter().copied().zip(f.iter().copied())
}

/// DEPTHWISE_CONV_2D with a 3×3 filter, depth multiplier 1 and no dilation
/// ([`depthwise3x3_fits`]), bit-exact with [`super::depthwise_conv::depthwise_conv2d_s8`]
/// (same arguments, same checks, same errors).
pub fn depthwise3x3_s8(
    p: &DepthwiseParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.map(|b| b.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    if !depthwise3x3_fits(p) {
        return Err(Error::InvalidArgument);
    }
    let (ib, ob) = (call.input, call.output);
    let ch = ob.c;
    if ob.n == 0 || ob.h == 0 || ob.w == 0 || ch == 0 {
        return Ok(());
    }
    if p.depth_multiplier() != 1 {
        return dw3x3_multiplier(p, requant, filter, bias, call, io);
    }
    if ib.c != ch {
        return Ok(());
    }
    // Output apart from the input: channel by channel (any order) through padded planes.
    if io.overlap_delta(0).is_none() {
        let step = usize::from(requant.len() != 1);
        let rq = |c: usize| requant.get(c * step).copied().unwrap_or_default();
        if dw3x3_padded(p, rq, filter, bias, call, io)? {
            return Ok(());
        }
    }
    let q = p.io_quant();
    let (ioff, ooff) = (q.input_zp.wrapping_neg(), q.output_zp);
    let filter = filter.get(..9 * ch).ok_or(Error::InvalidArgument)?;
    let rq_step = usize::from(requant.len() != 1);
    let (sy, sx) = (p.window().rows.stride, p.window().cols.stride);
    let [pad_top, _, pad_left, _] = call.pad;
    let in_len = io.input_len(0);
    let (in_h, in_w) = (ib.h as isize, ib.w as isize);
    let out_rows = ob.n * ob.h;
    let mut res = [0i8; DW_CHUNK];
    let requant_of = |c: usize| requant.get(c * rq_step).copied().unwrap_or_default();
    let bias_of = |c: usize| bias.map_or(0, |b| b.get(c));
    // Up to DW_CHUNK channels: every channel's constants once per call (its nine taps side by
    // side, `bias + input_offset · Σ taps` folding the input zero point out of the interior
    // pixels, its requantization), and interior pixels read their three rows as nine runs of
    // `ch` values.
    let small = ch <= DW_CHUNK;
    let mut taps = [[0i8; 9]; DW_CHUNK];
    let mut corrs = [0i32; DW_CHUNK];
    let mut rqs = [Requant::default(); DW_CHUNK];
    if small {
        let consts = taps.iter_mut().zip(corrs.iter_mut()).zip(rqs.iter_mut()).take(ch).enumerate();
        for (c, ((w, corr), rq)) in consts {
            let mut sum = 0i32;
            for (t, slot) in w.iter_mut().enumerate() {
                *slot = filter.get(t * ch + c).copied().unwrap_or(0);
                sum = sum.wrapping_add(i32::from(*slot));
            }
            *corr = bias_of(c).wrapping_add(ioff.wrapping_mul(sum));
            *rq = requant_of(c);
        }
    }
    // Interior pixels per batch: as many as `res` holds.
    let batch = if small { DW_CHUNK.checked_div(ch).unwrap_or(0) } else { 0 };
    let inside_x = |ox: usize| {
        let ix0 = (ox * sx) as isize - pad_left as isize;
        ix0 >= 0 && ix0 + 3 <= in_w
    };
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        let (b, oy) = (row / ob.h, row % ob.h);
        let iy0 = (oy * sy) as isize - pad_top as isize;
        let rows_inside = iy0 >= 0 && iy0 + 3 <= in_h;
        let mut s = 0;
        while s < ob.w {
            let ox = ordered(call.walk, s, ob.w);
            if rows_inside && batch > 0 && inside_x(ox) {
                // A batch of consecutive interior pixels (in walk order): every window read
                // into `res`, then their outputs written together (one run of bytes).
                let mut k = 1;
                while k < batch && s + k < ob.w && inside_x(ordered(call.walk, s + k, ob.w)) {
                    k += 1;
                }
                let x0 = ox.min(ordered(call.walk, s + k - 1, ob.w));
                let mut out = res.get_mut(..k * ch).ok_or(Error::Internal)?;
                let input = io.input(0, 0, in_len);
                for x in x0..x0 + k {
                    let Some((px, rest)) = core::mem::take(&mut out).split_at_mut_checked(ch) else {
                        return Err(Error::Internal);
                    };
                    let at = ib.offset(b, iy0 as usize, (x * sx).wrapping_sub(pad_left), 0);
                    let consts = (&taps[..], &corrs[..], &rqs[..]);
                    interior_pixel(input, at, ib.row_stride, ch, consts, px, (ooff, q.act_min, q.act_max))
                        .ok_or(Error::InvalidArgument)?;
                    out = rest;
                }
                let src = res.get(..k * ch).ok_or(Error::Internal)?;
                let dst = io.output_mut(ob.offset(b, oy, x0, 0), k * ch);
                if dst.len() != src.len() {
                    return Err(Error::InvalidArgument);
                }
                dst.copy_from_slice(src);
                s += k;
                continue;
            }
            s += 1;
            let ix0 = (ox * sx) as isize - pad_left as isize;
            let inside = rows_inside && ix0 >= 0 && ix0 + 3 <= in_w;
            let out_base = ob.offset(b, oy, ox, 0);
            let mut c0 = 0;
            while c0 < ch {
                let n = DW_CHUNK.min(ch - c0);
                let out = &mut res[..n];
                let input = io.input(0, 0, in_len);
                if inside && small {
                    let at = ib.offset(b, iy0 as usize, ix0 as usize, 0);
                    let consts = (&taps[..], &corrs[..], &rqs[..]);
                    interior_pixel(input, at, ib.row_stride, ch, consts, out, (ooff, q.act_min, q.act_max))
                        .ok_or(Error::InvalidArgument)?;
                } else if inside {
                    let (iy, ix) = (iy0 as usize, ix0 as usize);
                    let tap = |dy: usize, dx: usize| -> Result<&[i8]> {
                        let at = ib.offset(b, iy + dy, ix + dx, c0);
                        input.get(at..at + n).ok_or(Error::InvalidArgument)
                    };
                    let ftap = |t: usize| -> Result<&[i8]> {
                        filter.get(t * ch + c0..t * ch + c0 + n).ok_or(Error::InvalidArgument)
                    };
                    let (x0, x1, x2) = (tap(0, 0)?, tap(0, 1)?, tap(0, 2)?);
                    let (x3, x4, x5) = (tap(1, 0)?, tap(1, 1)?, tap(1, 2)?);
                    let (x6, x7, x8) = (tap(2, 0)?, tap(2, 1)?, tap(2, 2)?);
                    let (f0, f1, f2) = (ftap(0)?, ftap(1)?, ftap(2)?);
                    let (f3, f4, f5) = (ftap(3)?, ftap(4)?, ftap(5)?);
                    let (f6, f7, f8) = (ftap(6)?, ftap(7)?, ftap(8)?);
                    let taps = out
                        .iter_mut()
                        .zip(pair(x0, f0))
                        .zip(pair(x1, f1))
                        .zip(pair(x2, f2))
                        .zip(pair(x3, f3))
                        .zip(pair(x4, f4))
                        .zip(pair(x5, f5))
                        .zip(pair(x6, f6))
                        .zip(pair(x7, f7))
                        .zip(pair(x8, f8));
                    for (c, (((((((((o, t0), t1), t2), t3), t4), t5), t6), t7), t8)) in taps.enumerate() {
                        let m = |(x, f): (i8, i8)| i32::from(f).wrapping_mul(i32::from(x).wrapping_add(ioff));
                        let acc = m(t0)
                            .wrapping_add(m(t1))
                            .wrapping_add(m(t2))
                            .wrapping_add(m(t3))
                            .wrapping_add(m(t4))
                            .wrapping_add(m(t5))
                            .wrapping_add(m(t6))
                            .wrapping_add(m(t7))
                            .wrapping_add(m(t8));
                        let acc = acc.wrapping_add(bias_of(c0 + c));
                        *o = requantize(acc, requant_of(c0 + c), ooff, q.act_min, q.act_max);
                    }
                } else {
                    for (c, o) in out.iter_mut().enumerate() {
                        let mut acc = 0i32;
                        for dy in 0..3 {
                            let iy = iy0 + dy as isize;
                            if iy < 0 || iy >= in_h {
                                continue;
                            }
                            for dx in 0..3 {
                                let ix = ix0 + dx as isize;
                                if ix < 0 || ix >= in_w {
                                    continue;
                                }
                                let at = ib.offset(b, iy as usize, ix as usize, c0 + c);
                                let x = *input.get(at).ok_or(Error::InvalidArgument)?;
                                let f = *filter.get((dy * 3 + dx) * ch + c0 + c).ok_or(Error::InvalidArgument)?;
                                acc = acc.wrapping_add(i32::from(f).wrapping_mul(i32::from(x).wrapping_add(ioff)));
                            }
                        }
                        let acc = acc.wrapping_add(bias_of(c0 + c));
                        *o = requantize(acc, requant_of(c0 + c), ooff, q.act_min, q.act_max);
                    }
                }
                let dst = io.output_mut(out_base + c0, n);
                if dst.len() != n {
                    return Err(Error::InvalidArgument);
                }
                dst.copy_from_slice(out);
                c0 += n;
            }
        }
    }
    Ok(())
}

/// One interior pixel of [`depthwise3x3_s8`] (depth multiplier 1, at most [`DW_CHUNK`]
/// channels): its window starts at `at` of `input`, rows `row_stride` apart; `consts` are the
/// per-channel taps, corrections (bias and input zero point) and requantizations; `out` gets
/// the pixel's `ch` values. `None` when a slice is short (excluded by the call checks).
#[inline(always)]
fn interior_pixel(
    input: &[i8],
    at: usize,
    row_stride: usize,
    ch: usize,
    consts: (&[[i8; 9]], &[i32], &[Requant]),
    out: &mut [i8],
    (ooff, act_min, act_max): (i32, i32, i32),
) -> Option<()> {
    let row = |dy: usize| {
        let r = input.get(at + dy * row_stride..)?.get(..3 * ch)?;
        let (a, rest) = r.split_at_checked(ch)?;
        let (m, z) = rest.split_at_checked(ch)?;
        Some((a, m, z))
    };
    let ((x0, x1, x2), (x3, x4, x5), (x6, x7, x8)) = (row(0)?, row(1)?, row(2)?);
    let (taps, corrs, rqs) = consts;
    let consts = taps.iter().zip(corrs).zip(rqs);
    let xs = x0.iter().zip(x1).zip(x2).zip(x3).zip(x4).zip(x5).zip(x6).zip(x7).zip(x8);
    for ((o, ((w, &corr), &rq)), ((((((((&a0, &a1), &a2), &a3), &a4), &a5), &a6), &a7), &a8)) in
        out.iter_mut().zip(consts).zip(xs)
    {
        let [w0, w1, w2, w3, w4, w5, w6, w7, w8] = *w;
        let m = |f: i8, x: i8| i32::from(f).wrapping_mul(i32::from(x));
        let acc = corr
            .wrapping_add(m(w0, a0))
            .wrapping_add(m(w1, a1))
            .wrapping_add(m(w2, a2))
            .wrapping_add(m(w3, a3))
            .wrapping_add(m(w4, a4))
            .wrapping_add(m(w5, a5))
            .wrapping_add(m(w6, a6))
            .wrapping_add(m(w7, a7))
            .wrapping_add(m(w8, a8));
        *o = requantize(acc, rq, ooff, act_min, act_max);
    }
    Some(())
}

/// [`depthwise3x3_s8`] with a depth multiplier `m` above 1 (at most [`DW_CHUNK`]): output
/// pixels in walk order, input channel by input channel: the channel's nine taps are read once
/// (with the input offset added; a tap outside the image counts 0, as the reference skips it)
/// and feed its `m` output channels, which are written together after their taps are read.
fn dw3x3_multiplier(
    p: &DepthwiseParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<()> {
    let (ib, ob) = (call.input, call.output);
    let (ch, m, ic) = (ob.c, p.depth_multiplier(), ib.c);
    if m == 0 || m > DW_CHUNK || ic.checked_mul(m) != Some(ch) {
        return Err(Error::InvalidArgument);
    }
    let q = p.io_quant();
    let (ioff, ooff) = (q.input_zp.wrapping_neg(), q.output_zp);
    let filter = filter.get(..9 * ch).ok_or(Error::InvalidArgument)?;
    // Tap `t`'s filter values of every output channel.
    let [f0, f1, f2, f3, f4, f5, f6, f7, f8] =
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map(|t| filter.get(t * ch..t * ch + ch).unwrap_or(&[]));
    let rq_step = usize::from(requant.len() != 1);
    let (sy, sx) = (p.window().rows.stride, p.window().cols.stride);
    let [pad_top, _, pad_left, _] = call.pad;
    let in_len = io.input_len(0);
    let (in_h, in_w) = (ib.h as isize, ib.w as isize);
    let out_rows = ob.n * ob.h;
    let mut res = [0i8; DW_CHUNK];
    let res = &mut res[..m];
    // Every output channel's constants once per call when they fit the stack tables: its nine
    // taps side by side, its bias and its requantization (no per-tap lookups per pixel).
    let small = ch <= DW_CHUNK;
    let mut taps = [[0i8; 9]; DW_CHUNK];
    let mut biases = [0i32; DW_CHUNK];
    let mut rqs = [Requant::default(); DW_CHUNK];
    if small {
        let consts = taps.iter_mut().zip(biases.iter_mut()).zip(rqs.iter_mut()).take(ch).enumerate();
        for (c, ((w, bc), rq)) in consts {
            for (t, slot) in w.iter_mut().enumerate() {
                *slot = filter.get(t * ch + c).copied().unwrap_or(0);
            }
            *bc = bias.map_or(0, |b| b.get(c));
            *rq = requant.get(c * rq_step).copied().unwrap_or_default();
        }
    }
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        // `ob.h` > 0 here (`out_rows` counts its rows); checked, so no division-by-zero path.
        let (b, oy) = (row.checked_div(ob.h).unwrap_or(0), row.checked_rem(ob.h).unwrap_or(0));
        let iy0 = (oy * sy) as isize - pad_top as isize;
        for s in 0..ob.w {
            let ox = ordered(call.walk, s, ob.w);
            let ix0 = (ox * sx) as isize - pad_left as isize;
            let out_base = ob.offset(b, oy, ox, 0);
            for i in 0..ic {
                let o0 = i * m;
                {
                    let input = io.input(0, 0, in_len);
                    // The nine taps plus the input offset; a tap outside the image counts 0.
                    let inside = iy0 >= 0 && iy0 + 3 <= in_h && ix0 >= 0 && ix0 + 3 <= in_w;
                    let tap = |x: i8| i32::from(x).wrapping_add(ioff);
                    let mut v = if inside {
                        let at = ib.offset(b, iy0 as usize, ix0 as usize, i);
                        let row = |dy: usize| {
                            let r = input.get(at + dy * ib.row_stride..)?;
                            Some([tap(*r.first()?), tap(*r.get(ic)?), tap(*r.get(2 * ic)?)])
                        };
                        let (Some([a0, a1, a2]), Some([a3, a4, a5]), Some([a6, a7, a8])) = (row(0), row(1), row(2))
                        else {
                            return Err(Error::InvalidArgument);
                        };
                        [a0, a1, a2, a3, a4, a5, a6, a7, a8]
                    } else {
                        [0i32; 9]
                    };
                    for (dy, vr) in v.chunks_exact_mut(3).enumerate().filter(|_| !inside) {
                        let iy = iy0 + dy as isize;
                        if iy < 0 || iy >= in_h {
                            continue;
                        }
                        for (dx, slot) in vr.iter_mut().enumerate() {
                            let ix = ix0 + dx as isize;
                            if ix < 0 || ix >= in_w {
                                continue;
                            }
                            let at = ib.offset(b, iy as usize, ix as usize, i);
                            *slot = i32::from(*input.get(at).ok_or(Error::InvalidArgument)?).wrapping_add(ioff);
                        }
                    }
                    let [v0, v1, v2, v3, v4, v5, v6, v7, v8] = v;
                    let mf = |f: i8, v: i32| i32::from(f).wrapping_mul(v);
                    let group = (taps.get(o0..o0 + m), biases.get(o0..o0 + m), rqs.get(o0..o0 + m));
                    if let (true, Some(ws), Some(bs), Some(rs)) = (small, group.0, group.1, group.2) {
                        for (((o, w), &bc), &rq) in res.iter_mut().zip(ws).zip(bs).zip(rs) {
                            let [w0, w1, w2, w3, w4, w5, w6, w7, w8] = *w;
                            let acc = mf(w0, v0)
                                .wrapping_add(mf(w1, v1))
                                .wrapping_add(mf(w2, v2))
                                .wrapping_add(mf(w3, v3))
                                .wrapping_add(mf(w4, v4))
                                .wrapping_add(mf(w5, v5))
                                .wrapping_add(mf(w6, v6))
                                .wrapping_add(mf(w7, v7))
                                .wrapping_add(mf(w8, v8));
                            *o = requantize(acc.wrapping_add(bc), rq, ooff, q.act_min, q.act_max);
                        }
                    }
                    for (k, o) in res.iter_mut().enumerate().filter(|_| !small) {
                        let c = o0 + k;
                        let (
                            Some(&w0),
                            Some(&w1),
                            Some(&w2),
                            Some(&w3),
                            Some(&w4),
                            Some(&w5),
                            Some(&w6),
                            Some(&w7),
                            Some(&w8),
                        ) = (
                            f0.get(c),
                            f1.get(c),
                            f2.get(c),
                            f3.get(c),
                            f4.get(c),
                            f5.get(c),
                            f6.get(c),
                            f7.get(c),
                            f8.get(c),
                        )
                        else {
                            return Err(Error::InvalidArgument);
                        };
                        let acc = mf(w0, v0)
                            .wrapping_add(mf(w1, v1))
                            .wrapping_add(mf(w2, v2))
                            .wrapping_add(mf(w3, v3))
                            .wrapping_add(mf(w4, v4))
                            .wrapping_add(mf(w5, v5))
                            .wrapping_add(mf(w6, v6))
                            .wrapping_add(mf(w7, v7))
                            .wrapping_add(mf(w8, v8));
                        let acc = acc.wrapping_add(bias.map_or(0, |b| b.get(c)));
                        let rq = requant.get(c * rq_step).copied().unwrap_or_default();
                        *o = requantize(acc, rq, ooff, q.act_min, q.act_max);
                    }
                }
                let dst = io.output_mut(out_base + o0, m);
                if dst.len() != m {
                    return Err(Error::InvalidArgument);
                }
                dst.copy_from_slice(res);
            }
        }
    }
    Ok(())
}

/// DEPTHWISE_CONV_2D with a 3×3 filter, depth multiplier 1 and no dilation, one channel at a
/// time, bit-exact with [`super::depthwise_conv::depthwise_conv2d_s8_channelwise`] (same
/// arguments, same checks, same in-place contract: channel `c`'s input plane is copied before
/// any of its outputs is written): through a zero-point-padded plane on the stack
/// ([`dw3x3_padded`]); when that does not fit, through `plane` (the block's values only):
/// pixels whose window lies inside it read their nine taps without checks, the input zero
/// point folded into a per-channel correction, border pixels take the per-tap path.
pub fn depthwise3x3_s8_channelwise(
    p: &DepthwiseParams,
    requant: impl Fn(usize) -> Requant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
    plane: &mut [i8],
) -> Result<()> {
    p.check(1, filter.len(), bias.map(|b| b.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    let (ib, ob) = (call.input, call.output);
    let area = ib.h * ib.w;
    if !depthwise3x3_fits(p) || ib.c != ob.c || plane.len() < area {
        return Err(Error::InvalidArgument);
    }
    if dw3x3_padded(p, &requant, filter, bias, call, io)? {
        return Ok(());
    }
    channelwise_unpadded(p, requant, filter, bias, call, io, plane)
}

/// [`depthwise3x3_s8_channelwise`] through the unpadded `plane` (checked by the caller).
fn channelwise_unpadded(
    p: &DepthwiseParams,
    requant: impl Fn(usize) -> Requant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
    plane: &mut [i8],
) -> Result<()> {
    let (ib, ob) = (call.input, call.output);
    let area = ib.h * ib.w;
    let Some(plane) = plane.get_mut(..area) else { return Err(Error::InvalidArgument) };
    let ch = ob.c;
    let filter = filter.get(..9 * ch).ok_or(Error::InvalidArgument)?;
    let q = p.io_quant();
    let (ioff, ooff) = (q.input_zp.wrapping_neg(), q.output_zp);
    let (sy, sx) = (p.window().rows.stride, p.window().cols.stride);
    let [pad_top, _, pad_left, _] = call.pad;
    let in_len = io.input_len(0);
    let (in_h, in_w) = (ib.h as isize, ib.w as isize);
    // Output pixels whose window lies inside the block: `lo..hi` along each axis.
    let inner = |pad: usize, stride: usize, size: usize, out: usize| {
        let lo = (pad + stride - 1).checked_div(stride).unwrap_or(out).min(out);
        let hi = if size + pad >= 3 { (size + pad - 3).checked_div(stride).map_or(0, |v| (v + 1).min(out)) } else { 0 };
        (lo, hi.max(lo))
    };
    let (y_lo, y_hi) = inner(pad_top, sy, ib.h, ob.h);
    let (x_lo, x_hi) = inner(pad_left, sx, ib.w, ob.w);
    for b in 0..ob.n {
        for c in 0..ch {
            {
                let input = io.input(0, 0, in_len);
                for (y, row) in plane.chunks_exact_mut(ib.w.max(1)).enumerate().take(ib.h) {
                    for (x, slot) in row.iter_mut().enumerate() {
                        *slot = input.get(ib.offset(b, y, x, c)).copied().unwrap_or(0);
                    }
                }
            }
            let rq = requant(c);
            let bias_c = bias.map_or(0, |bias| bias.get(c));
            let mut f = [0i32; 9];
            for (t, slot) in f.iter_mut().enumerate() {
                *slot = i32::from(filter.get(t * ch + c).copied().unwrap_or(0));
            }
            let corr = bias_c.wrapping_add(ioff.wrapping_mul(f.iter().fold(0i32, |s, &v| s.wrapping_add(v))));
            let [f0, f1, f2, f3, f4, f5, f6, f7, f8] = f;
            let plane = &*plane;
            for oy in 0..ob.h {
                let iy0 = (oy * sy) as isize - pad_top as isize;
                let inside_y = (y_lo..y_hi).contains(&oy);
                for ox in 0..ob.w {
                    let ix0 = (ox * sx) as isize - pad_left as isize;
                    let acc = if inside_y && (x_lo..x_hi).contains(&ox) {
                        let (iy, ix) = (iy0 as usize, ix0 as usize);
                        let at = |dy: usize| plane.get((iy + dy) * ib.w + ix..(iy + dy) * ib.w + ix + 3);
                        let (Some(&[a0, a1, a2]), Some(&[a3, a4, a5]), Some(&[a6, a7, a8])) = (at(0), at(1), at(2))
                        else {
                            return Err(Error::Internal);
                        };
                        let m = |f: i32, x: i8| f * i32::from(x);
                        corr.wrapping_add(
                            m(f0, a0)
                                + m(f1, a1)
                                + m(f2, a2)
                                + m(f3, a3)
                                + m(f4, a4)
                                + m(f5, a5)
                                + m(f6, a6)
                                + m(f7, a7)
                                + m(f8, a8),
                        )
                    } else {
                        let mut acc = bias_c;
                        for dy in 0..3 {
                            let iy = iy0 + dy as isize;
                            if iy < 0 || iy >= in_h {
                                continue;
                            }
                            for dx in 0..3 {
                                let ix = ix0 + dx as isize;
                                if ix < 0 || ix >= in_w {
                                    continue;
                                }
                                let x = plane.get(iy as usize * ib.w + ix as usize).copied().unwrap_or(0);
                                let tap = f.get(dy * 3 + dx).copied().unwrap_or(0);
                                acc = acc.wrapping_add(tap.wrapping_mul(i32::from(x).wrapping_add(ioff)));
                            }
                        }
                        acc
                    };
                    io.set(ob.offset(b, oy, ox, c), requantize(acc, rq, ooff, q.act_min, q.act_max));
                }
            }
        }
    }
    Ok(())
}

/// Bytes of the zero-point-padded plane [`dw3x3_padded`] keeps on the stack.
const PADDED: usize = 1024;

/// DEPTHWISE_CONV_2D 3×3 (depth multiplier 1, no dilation) channel by channel through a plane
/// on the stack that holds the channel's input block surrounded by the call's padding, filled
/// with the input zero point (a padded tap then adds `f · 0`, as the reference skips it): every
/// output pixel reads its nine taps without checks, the zero point folded into a per-channel
/// correction. Channel `c`'s outputs are written after its plane is copied, so the output may
/// take exactly the input's bytes (or lie apart from it). `Ok(false)`, computing nothing, when
/// the padded plane does not fit or the zero point is not an int8 value. The caller checked
/// the parameters and the call.
fn dw3x3_padded(
    p: &DepthwiseParams,
    requant: impl Fn(usize) -> Requant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<bool> {
    let (ib, ob) = (call.input, call.output);
    let [pt, pb, pl, pr] = call.pad;
    let q = p.io_quant();
    let (Some(ph), Some(pw)) =
        (pt.checked_add(ib.h).and_then(|v| v.checked_add(pb)), pl.checked_add(ib.w).and_then(|v| v.checked_add(pr)))
    else {
        return Ok(false);
    };
    let Ok(zp) = i8::try_from(q.input_zp) else { return Ok(false) };
    let mut buf = [zp; PADDED];
    let Some(plane) = ph.checked_mul(pw).and_then(|n| buf.get_mut(..n)) else { return Ok(false) };
    let ch = ob.c;
    if ib.c != ch || pw == 0 {
        return Ok(false);
    }
    let filter = filter.get(..9 * ch).ok_or(Error::InvalidArgument)?;
    let (ioff, ooff) = (q.input_zp.wrapping_neg(), q.output_zp);
    let (sy, sx) = (p.window().rows.stride.max(1), p.window().cols.stride.max(1));
    let in_len = io.input_len(0);
    let step = ch.max(1);
    for b in 0..ob.n {
        for c in 0..ch {
            {
                // The block's values; the padding around it keeps the zero point.
                let input = io.input(0, 0, in_len);
                // A row of the channel: `ib.w` values `step` apart.
                let row_len = match ib.w.checked_sub(1) {
                    Some(last) => {
                        last.checked_mul(step).and_then(|v| v.checked_add(1)).ok_or(Error::InvalidArgument)?
                    }
                    None => 0,
                };
                for (y, row) in plane.chunks_exact_mut(pw).skip(pt).take(ib.h).enumerate() {
                    let Some(src) = input.get(ib.offset(b, y, 0, c)..).and_then(|s| s.get(..row_len)) else {
                        return Err(Error::Internal); // rows outside the input: excluded by the call check
                    };
                    let dst = row.get_mut(pl..pl + ib.w).unwrap_or(&mut []);
                    let mut k = 0;
                    for d in dst.iter_mut() {
                        // SAFETY: at pixel `x < ib.w`, `k = x·step <= (ib.w - 1)·step < row_len`,
                        // the length of `src` (cut above).
                        *d = unsafe { *src.get_unchecked(k) };
                        k += step;
                    }
                }
            }
            let rq = requant(c);
            let mut f = [0i32; 9];
            for (t, slot) in f.iter_mut().enumerate() {
                *slot = i32::from(filter.get(t * ch + c).copied().unwrap_or(0));
            }
            let sum = f.iter().fold(0i32, |s, &v| s.wrapping_add(v));
            let corr = bias.map_or(0, |bias| bias.get(c)).wrapping_add(ioff.wrapping_mul(sum));
            let (lo, hi) = (q.act_min, q.act_max);
            let plane = &*plane;
            let rows = PlaneRows { plane, pw, sy, sx, w: ob.w, h: ob.h };
            let at = |oy: usize| ob.offset(b, oy, 0, c);
            // 64-bit cores: the requantization as one multiply-add and one shift.
            match RightShift64::of(rq).filter(|_| cfg!(target_pointer_width = "64")) {
                Some(one) => rows.run(f, io, at, ch, move |acc| {
                    one.apply(acc.wrapping_add(corr)).wrapping_add(ooff).max(lo).min(hi) as i8
                })?,
                None => rows.run(f, io, at, ch, move |acc| requantize(acc.wrapping_add(corr), rq, ooff, lo, hi))?,
            }
        }
    }
    Ok(true)
}

/// The zero-point-padded plane of one channel in [`dw3x3_padded`] and the output rows to
/// compute from it: output row `oy` (of `h`, `w` pixels each) reads plane rows
/// `oy·sy .. oy·sy + 3` of `pw` values, its pixels `sx` apart.
struct PlaneRows<'a> {
    plane: &'a [i8],
    pw: usize,
    sy: usize,
    sx: usize,
    w: usize,
    h: usize,
}

impl PlaneRows<'_> {
    /// Writes the channel's outputs, `ch` apart from `at(oy)` in each row, each the 3×3 sum
    /// `Σ f·x` through `out` (the correction, requantization and clamp). Generic in `out` so
    /// that each requantization form gets a pixel loop of its own; not inlined, so that the
    /// loop keeps the nine taps and the constants in registers. The row slices are cut to the
    /// lengths the loop reads once per row, so the pixel loop itself has no checks.
    #[inline(never)]
    fn run(
        &self,
        f: [i32; 9],
        io: &mut Io<'_>,
        at: impl Fn(usize) -> usize,
        ch: usize,
        out: impl Fn(i32) -> i8,
    ) -> Result<()> {
        let [f0, f1, f2, f3, f4, f5, f6, f7, f8] = f;
        let Some(last) = self.w.checked_sub(1) else { return Ok(()) };
        // Each row reads `need` plane values of three rows and writes `span` output values.
        let need = last.checked_mul(self.sx).and_then(|v| v.checked_add(3)).ok_or(Error::InvalidArgument)?;
        let span = last.checked_mul(ch).and_then(|v| v.checked_add(1)).ok_or(Error::InvalidArgument)?;
        for oy in 0..self.h {
            let row = |dy: usize| self.plane.get((oy * self.sy + dy) * self.pw..).and_then(|r| r.get(..need));
            let (Some(x0), Some(x1), Some(x2)) = (row(0), row(1), row(2)) else {
                return Err(Error::Internal); // windows outside the padded block: excluded by the call check
            };
            let dst = io.output_mut(at(oy), span);
            if dst.len() != span {
                return Err(Error::InvalidArgument);
            }
            let (mut at, mut ix) = (0, 0);
            for _ in 0..self.w {
                // SAFETY: pixel `i < w` has `ix = i·sx <= last·sx`, so `ix + 2 < need`, the
                // length of `x0`, `x1` and `x2` (cut above); and `at = i·ch <= last·ch < span`,
                // the length of `dst` (checked above).
                let (x, slot) = unsafe {
                    let t = |r: &[i8], k: usize| *r.get_unchecked(ix + k);
                    let x = [t(x0, 0), t(x0, 1), t(x0, 2), t(x1, 0), t(x1, 1), t(x1, 2), t(x2, 0), t(x2, 1), t(x2, 2)];
                    (x, dst.get_unchecked_mut(at))
                };
                let [a0, a1, a2, a3, a4, a5, a6, a7, a8] = x;
                let m = |f: i32, x: i8| f.wrapping_mul(i32::from(x));
                let acc = m(f0, a0)
                    .wrapping_add(m(f1, a1))
                    .wrapping_add(m(f2, a2))
                    .wrapping_add(m(f3, a3))
                    .wrapping_add(m(f4, a4))
                    .wrapping_add(m(f5, a5))
                    .wrapping_add(m(f6, a6))
                    .wrapping_add(m(f7, a7))
                    .wrapping_add(m(f8, a8));
                *slot = out(acc);
                at += ch;
                ix += self.sx;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_conv::depthwise_conv2d_s8_channelwise;
    use super::super::io::Walk;
    use super::super::test_support::{d, dw, i32s, io, rq, win};
    use super::*;
    use crate::geometry::Padding;

    /// One 3-channel `h`×`w` case of [`depthwise3x3_s8_channelwise`] against the reference
    /// channelwise kernel: random input and filter values in `-amp..=amp`, the scales
    /// `(input, [filter; 3], output)`, the bias.
    fn matches_the_reference(
        next: &mut impl FnMut() -> u32,
        (h, w): (usize, usize),
        (stride, padding): (usize, Padding),
        (si, sf, so): (f32, [f32; 3], f32),
        zero_points: (i32, i32),
        amp: u32,
        bias: [i32; 3],
    ) -> bool {
        let c = 3;
        let out_size = |n: usize| match padding {
            Padding::Same => n.div_ceil(stride),
            Padding::Valid => (n - 3) / stride + 1,
        };
        let (oh, ow) = (out_size(h), out_size(w));
        let p = dw(
            win(padding, stride, stride, 1, 1),
            1,
            d(1, h, w, c),
            d(1, 3, 3, c),
            d(1, oh, ow, c),
            io(zero_points.0, zero_points.1),
        )
        .unwrap();
        let mut value = || ((next() % (2 * amp + 1)) as i32 - amp as i32) as i8;
        let input: std::vec::Vec<i8> = (0..h * w * c).map(|_| value()).collect();
        let filter: std::vec::Vec<i8> = (0..9 * c).map(|_| value()).collect();
        let bias = i32s(&bias);
        let table = rq(si, &sf, so, c);
        let requant = |ch: usize| table[ch];
        let call = p.full_call(Walk::Forward);
        let (mut want, mut got) = (vec![0i8; oh * ow * c], vec![0i8; oh * ow * c]);
        let mut plane = vec![0i8; h * w];
        let b = Some(LeI32s::new(&bias));
        depthwise_conv2d_s8_channelwise(&p, requant, &filter, b, &call, &mut Io::split(&input, &mut want), &mut plane)
            .unwrap();
        depthwise3x3_s8_channelwise(&p, requant, &filter, b, &call, &mut Io::split(&input, &mut got), &mut plane)
            .unwrap();
        got == want
    }

    /// The padded stack plane's pixel loop comes in two forms, by requantization (one
    /// multiply on 64-bit cores for right shifts, the reference's steps otherwise): both against
    /// the reference, with right shifts (scale ratios below 1/2) and without (above; small
    /// values, so that the outputs do not all saturate).
    #[test]
    fn padded_planes_match_the_reference_in_both_requantization_forms() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u32();
        let right = ((0.05, [0.01, 0.02, 0.015], 0.2), 127, [1000, -2000, 37]);
        let left = ((0.5, [0.4, 1.0, 0.3], 0.25), 6, [10, -20, 3]);
        for ((scales, amp, bias), stride, padding) in
            [(right, 1, Padding::Same), (right, 2, Padding::Valid), (left, 1, Padding::Valid), (left, 2, Padding::Same)]
        {
            let ok = matches_the_reference(&mut next, (9, 11), (stride, padding), scales, (5, -9), amp, bias);
            assert!(ok, "{scales:?} stride {stride} {padding:?}");
        }
    }

    /// Planes too large for the padded stack plane take the unpadded path (interior without
    /// checks, borders per tap): against the reference on images the conformance harness's
    /// random shapes do not reach.
    #[test]
    fn large_planes_match_the_reference() {
        let mut rng = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u32();
        for (h, w, stride, padding) in [
            (40, 37, 1, Padding::Same),
            (41, 40, 2, Padding::Same),
            (36, 45, 1, Padding::Valid),
            (39, 38, 2, Padding::Valid),
        ] {
            assert!((h + 2) * (w + 2) > PADDED);
            let scales = (0.05, [0.01, 0.02, 0.015], 0.2);
            let ok =
                matches_the_reference(&mut next, (h, w), (stride, padding), scales, (-7, 3), 127, [1000, -2000, 37]);
            assert!(ok, "{h}x{w} stride {stride} {padding:?}");
        }
    }
}
