//! CONV_2D kernels of the fast portable variants for hosts with SIMD (x86-64, AArch64), where
//! LLVM vectorizes plain int8 loops: [`conv1x1_s8`] as in [`super::conv_fast`] (same
//! arguments, checks, errors and access contract), bit-exact with [`super::conv`]; the variant
//! table takes it on those hosts and [`super::conv_fast`]'s on the cores without SIMD
//! (Cortex-M, RISC-V, Xtensa), where int16 pixel-pair tiles cost fewer instructions. On x86-64
//! it runs person_detect's pointwise layers in about half the time of the tiled GEMM. Other
//! CONV_2D take [`super::conv_fast::conv_s8`] on every target.
//!
//! - [`conv1x1_s8`]: CONV_2D with a 1×1 filter, stride 1, no padding, one group, as a
//!   register-blocked GEMM: two output channels × two pixels per inner loop over the raw int8
//!   values, 32-bit accumulators. The input zero point is folded into a per-output-channel
//!   correction (`bias + input_offset · Σ filter`, exact in wrapping arithmetic), so the inner
//!   loop is loads and multiply-accumulates only, which LLVM vectorizes.
//!
//! Access: as the reference kernel (a sliding window walking output pixels in the call's
//! [`Walk`] order, lead 0). The GEMM reads and writes in any order when the input is a separate
//! buffer; when it shares the output's buffer it copies a tile of input pixels to the stack
//! before writing their outputs, tiles in walk order: a pixel's output is written only after
//! its own input has been read, and never before the input of a later pixel is read.

use super::call::WindowCall;
use super::conv::{ordered, requantize, ConvParams};
use super::io::Io;
use crate::quant::Requant;
use crate::tensor::LeI32s;
use crate::{Error, Result};

/// Input values the 1×1 GEMM copies to the stack at a time (int16, 1 KB) when its input shares
/// the output's buffer (inputs of more than this many channels take the reference kernel then).
const TILE: usize = 512;

/// True when [`conv1x1_s8`] computes a convolution of these parameters: a 1×1 filter,
/// stride 1, no padding, one group.
pub fn conv1x1_fits(p: &ConvParams) -> bool {
    let w = p.window();
    w.kernel() == [1, 1] && w.rows.stride == 1 && w.cols.stride == 1 && w.padding() == [0; 4] && p.groups() == 1
}

/// The GEMM's constants for one call.
struct Gemm<'a> {
    ic: usize,
    oc: usize,
    /// `oc · ic` filter values, output channel by output channel.
    filter: &'a [i8],
    bias: Option<LeI32s<'a>>,
    requant: &'a [Requant],
    rq_step: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl Gemm<'_> {
    /// Output channel `o`'s filter row and its correction: the bias, plus
    /// `input_offset · Σ filter` when the pixels are raw int8 values (`raw`), the correction
    /// that folds the input zero point out of the inner loop (exact in wrapping arithmetic).
    #[inline(always)]
    fn channel(&self, o: usize, raw: bool) -> (&[i8], i32, Requant) {
        let w = self.filter.get(o * self.ic..(o + 1) * self.ic).unwrap_or(&[]);
        let bias = self.bias.map_or(0, |b| b.get(o));
        let rq = self.requant.get(o * self.rq_step).copied().unwrap_or_default();
        if !raw {
            return (w, bias, rq);
        }
        let sum = w.iter().fold(0i32, |s, &v| s.wrapping_add(i32::from(v)));
        (w, bias.wrapping_add(sum.wrapping_mul(self.input_offset)), rq)
    }

    #[inline(always)]
    fn out(&self, acc: i32, corr: i32, rq: Requant) -> i8 {
        requantize(acc.wrapping_add(corr), rq, self.output_offset, self.act_min, self.act_max)
    }

    /// Output pixels of `x` (whole pixels of `ic` values) into `y` (as many pixels of `oc`):
    /// two output channels × two pixels per inner loop. `x` holds raw int8 values (`i8`, the
    /// zero point folded into the correction) or values with the input offset already added
    /// (`i16`).
    fn run<T: Copy + Into<i32>>(&self, x: &[T], y: &mut [i8]) -> Result<()> {
        let raw = core::mem::size_of::<T>() == 1;
        let (ic, oc) = (self.ic, self.oc);
        let (Some(ic2), Some(oc2)) = (ic.checked_mul(2), oc.checked_mul(2)) else { return Err(Error::InvalidArgument) };
        if ic == 0 || ic2 == 0 || oc2 == 0 {
            return Err(Error::InvalidArgument);
        }
        let px = x.len() / ic;
        if x.len() != px * ic || y.len() != px * oc || self.filter.len() != oc * ic {
            return Err(Error::InvalidArgument);
        }
        let mut o = 0;
        while o + 2 <= oc {
            let (w0, c0, r0) = self.channel(o, raw);
            let (w1, c1, r1) = self.channel(o + 1, raw);
            let (mut xr, mut yr) = (x, &mut *y);
            // (The lengths were checked: `y` holds a pair of pixels whenever `x` does.)
            while let Some((x2, xn)) = xr.split_at_checked(ic2) {
                let Some((y2, yn)) = core::mem::take(&mut yr).split_at_mut_checked(oc2) else { break };
                let Some((xa, xb)) = x2.split_at_checked(ic) else { break };
                let (mut a0, mut a1, mut a2, mut a3) = (0i32, 0i32, 0i32, 0i32);
                for (((&f0, &f1), &va), &vb) in w0.iter().zip(w1).zip(xa).zip(xb) {
                    let (f0, f1, va, vb) = (i32::from(f0), i32::from(f1), va.into(), vb.into());
                    a0 = a0.wrapping_add(f0 * va);
                    a1 = a1.wrapping_add(f1 * va);
                    a2 = a2.wrapping_add(f0 * vb);
                    a3 = a3.wrapping_add(f1 * vb);
                }
                if let Some([s0, s1]) = y2.get_mut(o..o + 2) {
                    *s0 = self.out(a0, c0, r0);
                    *s1 = self.out(a1, c1, r1);
                }
                if let Some([s0, s1]) = y2.get_mut(oc + o..oc + o + 2) {
                    *s0 = self.out(a2, c0, r0);
                    *s1 = self.out(a3, c1, r1);
                }
                (xr, yr) = (xn, yn);
            }
            // An odd last pixel.
            if let (Some((x1, _)), Some((y1, _))) = (xr.split_at_checked(ic), yr.split_at_mut_checked(oc)) {
                let (mut a0, mut a1) = (0i32, 0i32);
                for ((&f0, &f1), &v) in w0.iter().zip(w1).zip(x1) {
                    let v: i32 = v.into();
                    a0 = a0.wrapping_add(i32::from(f0) * v);
                    a1 = a1.wrapping_add(i32::from(f1) * v);
                }
                if let Some([s0, s1]) = y1.get_mut(o..o + 2) {
                    *s0 = self.out(a0, c0, r0);
                    *s1 = self.out(a1, c1, r1);
                }
            }
            o += 2;
        }
        if o < oc {
            // An odd last output channel: one at a time.
            let (w0, c0, r0) = self.channel(o, raw);
            let (mut xr, mut yr) = (x, &mut *y);
            while let Some((x1, xn)) = xr.split_at_checked(ic) {
                let Some((y1, yn)) = core::mem::take(&mut yr).split_at_mut_checked(oc) else { break };
                let acc = w0.iter().zip(x1).fold(0i32, |s, (&f, &v)| s.wrapping_add(i32::from(f) * v.into()));
                if let Some(slot) = y1.get_mut(o) {
                    *slot = self.out(acc, c0, r0);
                }
                (xr, yr) = (xn, yn);
            }
        }
        Ok(())
    }
}

/// CONV_2D with a 1×1 filter, stride 1, no padding and one group ([`conv1x1_fits`]), bit-exact
/// with [`super::conv::conv2d_s8`] (same arguments, same checks, same errors).
pub fn conv1x1_s8(
    p: &ConvParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.map(|b| b.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    let (ib, ob) = (call.input, call.output);
    if !conv1x1_fits(p) || call.pad != [0; 4] || (ib.n, ib.h, ib.w) != (ob.n, ob.h, ob.w) {
        return Err(Error::InvalidArgument);
    }
    let (ic, oc) = (ib.c, ob.c);
    if ob.n == 0 || ob.h == 0 || ob.w == 0 || oc == 0 || ic == 0 {
        return Ok(());
    }
    let q = p.io_quant();
    let g = Gemm {
        ic,
        oc,
        filter: filter.get(..oc * ic).ok_or(Error::InvalidArgument)?,
        bias,
        requant,
        rq_step: usize::from(requant.len() != 1),
        input_offset: q.input_zp.wrapping_neg(),
        output_offset: q.output_zp,
        act_min: q.act_min,
        act_max: q.act_max,
    };
    // Runs of pixels contiguous in both blocks: the whole block when both are dense, else rows.
    let one_run =
        |b: &super::call::Block| b.row_stride == b.w * b.c && (b.n <= 1 || b.batch_stride == b.h * b.row_stride);
    let (runs, px) = if one_run(&ib) && one_run(&ob) { (1, ob.n * ob.h * ob.w) } else { (ob.n * ob.h, ob.w) };
    let at = |r: usize| {
        let (b, y) =
            if runs == 1 { (0, 0) } else { (r.checked_div(ob.h).unwrap_or(0), r.checked_rem(ob.h).unwrap_or(0)) };
        (ib.offset(b, y, 0, 0), ob.offset(b, y, 0, 0))
    };
    if let Some((x, y)) = io.separate(0) {
        for r in 0..runs {
            let (xa, ya) = at(r);
            let x = x.get(xa..xa + px * ic).ok_or(Error::InvalidArgument)?;
            let y = y.get_mut(ya..ya + px * oc).ok_or(Error::InvalidArgument)?;
            g.run(x, y)?;
        }
        return Ok(());
    }
    // Input and output in one buffer: tiles of pixels copied out first (with the input offset
    // added: no correction to compute per tile), in walk order.
    let tile = TILE / ic;
    if tile == 0 || !(-32_000..=32_000).contains(&g.input_offset) {
        return super::conv::conv2d_s8(p, requant, filter, bias, call, io);
    }
    let mut buf = [0i16; TILE];
    let tiles = px.div_ceil(tile);
    for r in 0..runs {
        let (xa, ya) = at(ordered(call.walk, r, runs));
        for t in 0..tiles {
            let p0 = ordered(call.walk, t, tiles) * tile;
            let n = tile.min(px - p0);
            let xb = buf.get_mut(..n * ic).ok_or(Error::Internal)?;
            let src = io.input(0, xa + p0 * ic, n * ic);
            if src.len() != xb.len() {
                return Err(Error::InvalidArgument);
            }
            for (d, &v) in xb.iter_mut().zip(src) {
                *d = (i32::from(v) + g.input_offset) as i16;
            }
            let y = io.output_mut(ya + p0 * oc, n * oc);
            g.run(&*xb, y)?;
        }
    }
    Ok(())
}
