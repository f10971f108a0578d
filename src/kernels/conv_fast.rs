//! Fast portable CONV_2D kernels for the common shapes, bit-exact with the reference kernel in
//! [`super::conv`] (same arithmetic, same wrapping, same requantization), with the same call
//! shape and access contract. The fast DEPTHWISE_CONV_2D kernels are in
//! [`super::depthwise_fast`].
//!
//! - [`conv1x1_s8`]: CONV_2D with a 1×1 filter, stride 1, no padding, one group (the
//!   pointwise layers of MobileNets) as a register-blocked GEMM: tiles of input pixels are
//!   gathered to the stack as int16 with the input offset added (no zero-point correction
//!   left), pixels paired and each pair's two columns interleaved, then two output channels ×
//!   two pixels per inner loop (a leaf function, so that its accumulators and pointers stay in
//!   registers; 32-bit accumulators; on Arm a tap's pixel pair is one 32-bit load feeding the
//!   halfword multiply-accumulates), output channel pairs outermost so that each channel's
//!   constants are read once per tile; with few input channels one call sums a batch of pixel
//!   pairs, whose sums are then requantized and stored. On 64-bit cores without SIMD (RV64)
//!   a pair's values of a tap are packed into one `i64` and four output channels share each
//!   load ([`dot4x2_packed`]). Inputs wider than a tile take the raw
//!   int8 pixels (the input zero point folded into a per-channel correction
//!   `bias + input_offset · Σ filter`, exact in wrapping arithmetic).
//! - [`conv_s8`]: any other CONV_2D of one group: its im2col columns are gathered the same way
//!   (a pixel pair's windows side by side) and go through the same GEMM.
//!
//! Access: as the reference kernel (a sliding window walking output pixels in the call's
//! [`Walk`] order, lead 0). The GEMM copies a tile of input pixels to the stack before writing
//! their outputs, tiles in walk order: a pixel's output is written only after its own input
//! has been read, and never before the input of a later pixel is read (its raw path, for
//! inputs wider than a tile, reads and writes in any order, and runs only when the input is a
//! separate buffer).

use super::call::WindowCall;
use super::conv::{ordered, requantize, ConvParams};
use super::io::Io;
use crate::quant::{rounding_divide_by_pot, saturating_rounding_doubling_high_mul, Requant, RightShift64};
use crate::tensor::LeI32s;
use crate::{Error, Result};

/// Input values the 1×1 GEMM gathers to the stack at a time (int16, 1 KB): inputs of more than
/// this many channels take raw pixels when the input is a separate buffer, else the reference
/// kernel.
const TILE: usize = 512;

/// True when [`conv1x1_s8`] computes a convolution of these parameters: a 1×1 filter,
/// stride 1, no padding, one group.
pub fn conv1x1_fits(p: &ConvParams) -> bool {
    let w = p.window();
    w.kernel() == [1, 1] && w.rows.stride == 1 && w.cols.stride == 1 && w.padding() == [0; 4] && p.groups() == 1
}

/// Hosts with SIMD (x86-64, AArch64): LLVM vectorizes [`Gemm::run_raw`]'s plain int8 loop,
/// which there runs the pointwise layers in about half the time of the gathered int16 tiles;
/// the cores without SIMD (Cortex-M, RISC-V, Xtensa) take the tiles, fewer instructions there.
const SIMD: bool = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));

/// 64-bit cores without SIMD (RV64): [`Gemm::run`] packs a pixel pair's two values of a tap
/// into one 64-bit register and takes four output channels per inner loop
/// ([`dot4x2_packed`]): one multiply and one add per two MACs.
const PACKED: bool = cfg!(target_pointer_width = "64") && !SIMD;

/// The GEMM's constants for one call.
struct Gemm<'a> {
    /// Values per output (`kh · kw · in_c`: one gathered column).
    k: usize,
    oc: usize,
    /// `oc · k` filter values, output channel by output channel.
    filter: &'a [i8],
    bias: Option<LeI32s<'a>>,
    requant: &'a [Requant],
    rq_step: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

/// Pixels per group of gathered columns of `k` values: 2 when two columns fit [`TILE`], else 1
/// (the general convolution's smaller buffer then holds single pixels: [`group_len`]).
/// (Four pixels × two channels needs more registers than a Cortex-M has: the accumulators
/// spill.)
fn lanes(k: usize) -> usize {
    if k.saturating_mul(2) <= TILE {
        2
    } else {
        1
    }
}

/// Pixels of the next group when `left` pixels remain: `lanes` while that many remain, then a
/// pair, then one.
#[inline(always)]
fn group_len(left: usize, lanes: usize) -> usize {
    if left >= lanes {
        lanes
    } else if left >= 2 {
        2
    } else {
        1
    }
}

/// Writes `src` plus `offset` into lane `lane` of a group of `lanes` interleaved columns
/// (`group[i · lanes + lane]` is value `i` of the lane's column), from value `at` on; `None`
/// (`src` cut short) writes zeros, `len` of them.
#[inline(always)]
fn put(group: &mut [i16], lanes: usize, lane: usize, at: usize, src: Option<&[i8]>, len: usize, offset: i32) {
    let rows = group.get_mut(at * lanes..).unwrap_or(&mut []).chunks_exact_mut(lanes.max(1)).take(len);
    match src {
        Some(src) => {
            for (row, &v) in rows.zip(src) {
                if let Some(d) = row.get_mut(lane) {
                    *d = (i32::from(v) + offset) as i16;
                }
            }
        }
        None => {
            for row in rows {
                if let Some(d) = row.get_mut(lane) {
                    *d = 0;
                }
            }
        }
    }
}

/// `acc + f · x` (wrapping; `|f · x| < 2^23`).
#[inline(always)]
fn mac(acc: i32, f: i32, x: i16) -> i32 {
    acc.wrapping_add(f * i32::from(x))
}

/// `Σ w0 · x` and `Σ w1 · x` over the taps of a pair of pixels whose columns are interleaved
/// (`[i16; 2]` per tap): two output channels × two pixels. Not inlined: on its own the loop
/// keeps its four accumulators, three pointers and temporaries in registers (ten instructions
/// per tap on a Cortex-M4; opt-level "s" does not unroll it, and unrolled by hand the
/// accumulators rotate through extra moves).
#[inline(always)]
#[cfg(not(any(all(any(target_arch = "arm", test), target_endian = "little"), pw_armv6m)))]
fn dot2x2(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    let (mut a0, mut a1, mut b0, mut b1) = (0, 0, 0, 0);
    // Two taps per iteration (on RV32 the loads take immediate offsets: fewer pointer updates).
    let even = cols.len() & !1;
    let (Some((c2, ct)), Some((f2, ft)), Some((g2, gt))) =
        (cols.split_at_checked(even), w0.split_at_checked(even), w1.split_at_checked(even))
    else {
        return ([0; 2], [0; 2]);
    };
    let c2: &[[[i16; 2]; 2]] = bytemuck::try_cast_slice(c2).unwrap_or(&[]);
    let f2: &[[i8; 2]] = bytemuck::try_cast_slice(f2).unwrap_or(&[]);
    let g2: &[[i8; 2]] = bytemuck::try_cast_slice(g2).unwrap_or(&[]);
    for ((&[[x0, x1], [x2, x3]], &[f0, f1]), &[g0, g1]) in c2.iter().zip(f2).zip(g2) {
        let (f0, f1, g0, g1) = (i32::from(f0), i32::from(f1), i32::from(g0), i32::from(g1));
        (a0, b0) = (mac(mac(a0, f0, x0), f1, x2), mac(mac(b0, g0, x0), g1, x2));
        (a1, b1) = (mac(mac(a1, f0, x1), f1, x3), mac(mac(b1, g0, x1), g1, x3));
    }
    if let (&[[x0, x1]], &[f0], &[g0]) = (ct, ft, gt) {
        let (f0, g0) = (i32::from(f0), i32::from(g0));
        (a0, b0, a1, b1) = (mac(a0, f0, x0), mac(b0, g0, x0), mac(a1, f0, x1), mac(b1, g0, x1));
    }
    ([a0, a1], [b0, b1])
}

/// [`dot2x2`] on Armv6-M (Cortex-M0/M0+): eight low registers and a destructive `muls` make
/// LLVM spill three accumulators of the generic loop (60 instructions per two taps). Here
/// the accumulators live in r8–r11 (`add` reaches high registers), a tap's pixel pair is one
/// word load split by `sxth`/`asrs`, and each product is `mov`, `muls`, `add`: 19 instructions
/// per tap (4 MACs).
#[inline(always)]
#[cfg(pw_armv6m)]
fn dot2x2(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    let n = cols.len().min(w0.len()).min(w1.len());
    if n == 0 {
        return ([0; 2], [0; 2]);
    }
    if (cols.as_ptr() as usize) % 4 != 0 {
        return dot2x2_by_tap(cols, w0, w1);
    }
    let (a0, a1, b0, b1): (i32, i32, i32, i32);
    // SAFETY: the loop reads taps 0..n of `cols` (one word each, at the word-aligned address
    // checked above), of `w0` and of `w1` (n is at most each length) and nothing else; it
    // writes only the declared registers (the accumulators in the clobbered r8–r11 are moved
    // to r0–r3 at the end), and saves and restores r6 and r7, which cannot be operands.
    unsafe {
        core::arch::asm!(
            "push {{r6, r7}}",
            "mov r12, r3",
            "movs r4, #0",
            "mov r8, r4",
            "mov r9, r4",
            "mov r10, r4",
            "mov r11, r4",
            "movs r7, #0",
            "2:",
            "ldr r6, [r0]",
            "sxth r3, r6",
            "asrs r6, r6, #16",
            "ldrsb r4, [r1, r7]",
            "mov r5, r4",
            "muls r5, r3, r5",
            "add r8, r5",
            "muls r4, r6, r4",
            "add r9, r4",
            "ldrsb r4, [r2, r7]",
            "mov r5, r4",
            "muls r5, r3, r5",
            "add r10, r5",
            "muls r4, r6, r4",
            "add r11, r4",
            "adds r0, #4",
            "adds r7, #1",
            "cmp r7, r12",
            "bne 2b",
            "pop {{r6, r7}}",
            "mov r0, r8",
            "mov r1, r9",
            "mov r2, r10",
            "mov r3, r11",
            inout("r0") cols.as_ptr() => a0,
            inout("r1") w0.as_ptr() => a1,
            inout("r2") w1.as_ptr() => b0,
            inout("r3") n => b1,
            out("r4") _,
            out("r5") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
        );
    }
    ([a0, a1], [b0, b1])
}

/// [`dot2x2`] on little-endian Arm (and in the host's unit tests): each tap's pair of values
/// is one 32-bit load, its halves taken by shifts that the compiler folds into the halfword
/// multiply-accumulates of the Armv7E-M DSP extension (`smlabb`, `smlatb`), two taps per
/// iteration. (Elsewhere, e.g. RV32, the shifts would cost instructions of their own.)
#[inline(always)]
#[cfg(all(any(target_arch = "arm", test), target_endian = "little", not(pw_armv6m)))]
fn dot2x2(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    let words: &[i32] = bytemuck::try_cast_slice(cols).unwrap_or(&[]);
    let (mut a0, mut a1, mut b0, mut b1) = (0i32, 0i32, 0i32, 0i32);
    let even = words.len() & !1;
    let (Some((w2, wt)), Some((f2, ft)), Some((g2, gt))) =
        (words.split_at_checked(even), w0.split_at_checked(even), w1.split_at_checked(even))
    else {
        return ([0; 2], [0; 2]);
    };
    let w2: &[[i32; 2]] = bytemuck::try_cast_slice(w2).unwrap_or(&[]);
    let f2: &[[i8; 2]] = bytemuck::try_cast_slice(f2).unwrap_or(&[]);
    let g2: &[[i8; 2]] = bytemuck::try_cast_slice(g2).unwrap_or(&[]);
    for ((&[u, v], &[f0, f1]), &[g0, g1]) in w2.iter().zip(f2).zip(g2) {
        let (f0, f1, g0, g1) = (i32::from(f0), i32::from(f1), i32::from(g0), i32::from(g1));
        a0 = a0.wrapping_add(f0 * ((u << 16) >> 16));
        b0 = b0.wrapping_add(g0 * ((u << 16) >> 16));
        a1 = a1.wrapping_add(f0 * (u >> 16));
        b1 = b1.wrapping_add(g0 * (u >> 16));
        a0 = a0.wrapping_add(f1 * ((v << 16) >> 16));
        b0 = b0.wrapping_add(g1 * ((v << 16) >> 16));
        a1 = a1.wrapping_add(f1 * (v >> 16));
        b1 = b1.wrapping_add(g1 * (v >> 16));
    }
    if let (&[u], &[f0], &[g0]) = (wt, ft, gt) {
        let (f0, g0) = (i32::from(f0), i32::from(g0));
        a0 = a0.wrapping_add(f0 * ((u << 16) >> 16));
        b0 = b0.wrapping_add(g0 * ((u << 16) >> 16));
        a1 = a1.wrapping_add(f0 * (u >> 16));
        b1 = b1.wrapping_add(g0 * (u >> 16));
    }
    ([a0, a1], [b0, b1])
}

/// Pixel pairs [`Gemm::run`] sums per call of [`dot2x2_batch`].
const BATCH: usize = 16;

/// Taps from which [`Gemm::run`] calls [`dot2x2_leaf`] (two taps per iteration) once per pair
/// of pixels rather than [`dot2x2_batch`] (one tap per iteration, cheaper to set up).
const LONG: usize = 64;

/// [`dot2x2`] for one pair of pixels. Not inlined: on its own the loop over the taps keeps
/// its four accumulators, pointers and temporaries in registers (but one).
#[inline(never)]
fn dot2x2_leaf(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    dot2x2(cols, w0, w1)
}

/// [`dot2x2`] over consecutive pairs of pixels (`k` taps each), their sums
/// `[a0, a1, b0, b1]` into `out`. Not inlined: on its own the loop over the taps keeps its
/// four accumulators, pointers and temporaries in registers, and one call covers a batch of
/// pairs (few taps: the call and loop setup per pair would cost as much as the taps).
#[inline(never)]
fn dot2x2_batch(cols: &[[i16; 2]], k: usize, w0: &[i8], w1: &[i8], out: &mut [[i32; 4]]) {
    for (group, slot) in cols.chunks_exact(k.max(1)).zip(out) {
        let ([a0, a1], [b0, b1]) = dot2x2_short(group, w0, w1);
        *slot = [a0, a1, b0, b1];
    }
}

/// [`dot2x2`] one tap per iteration: for few taps on Arm (the unrolled loop's setup would cost
/// more than it saves), and on Armv6-M for columns that are not word-aligned (not seen in
/// practice: the kernels' stack buffers come word-aligned).
#[inline(always)]
#[cfg(all(any(target_arch = "arm", test), target_endian = "little"))]
fn dot2x2_by_tap(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    let (mut a0, mut a1, mut b0, mut b1) = (0, 0, 0, 0);
    for ((&[x0, x1], &f0), &f1) in cols.iter().zip(w0).zip(w1) {
        let (f0, f1) = (i32::from(f0), i32::from(f1));
        (a0, b0) = (mac(a0, f0, x0), mac(b0, f1, x0));
        (a1, b1) = (mac(a1, f0, x1), mac(b1, f1, x1));
    }
    ([a0, a1], [b0, b1])
}

/// [`dot2x2`] for few taps on Arm with the DSP extension.
#[inline(always)]
#[cfg(all(any(target_arch = "arm", test), target_endian = "little", not(pw_armv6m)))]
fn dot2x2_short(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    dot2x2_by_tap(cols, w0, w1)
}

/// [`dot2x2`] for few taps elsewhere: the same loop (unrolled, it still pays on RV32).
#[inline(always)]
#[cfg(not(all(any(target_arch = "arm", test), target_endian = "little", not(pw_armv6m))))]
fn dot2x2_short(cols: &[[i16; 2]], w0: &[i8], w1: &[i8]) -> ([i32; 2], [i32; 2]) {
    dot2x2(cols, w0, w1)
}

/// [`dot2x2`] for one pixel.
fn dot2x1(cols: &[i16], w0: &[i8], w1: &[i8]) -> (i32, i32) {
    let (mut a0, mut b0) = (0, 0);
    for ((&x0, &f0), &f1) in cols.iter().zip(w0).zip(w1) {
        (a0, b0) = (mac(a0, i32::from(f0), x0), mac(b0, i32::from(f1), x0));
    }
    (a0, b0)
}

/// One output channel's requantization as [`Gemm::out_scaled`] applies it: TFLM's
/// `MultiplyByQuantizedMultiplier` as one 64-bit multiply-add ([`RightShift64`]) when the
/// channel allows, else with its shift split into the left factor and the right exponent,
/// decoded once per call instead of per value.
#[derive(Clone, Copy)]
struct Scaled {
    /// The one-multiply form, when the channel has it (then the fields below are not used).
    fast: Option<RightShift64>,
    corr: i32,
    multiplier: i32,
    /// `2^left` (wrapping, as the reference's `1 << left`).
    scale: i32,
    right: i32,
}

impl Scaled {
    fn of(corr: i32, rq: Requant) -> Scaled {
        let (left, right) = if rq.shift > 0 { (rq.shift, 0) } else { (0, rq.shift.wrapping_neg()) };
        let fast = RightShift64::of(rq);
        Scaled { fast, corr, multiplier: rq.multiplier, scale: 1i32.wrapping_shl(left as u32), right }
    }
}

/// `Σ w_c · x` over the taps of a pair of pixels for four output channels `c`, `[c][pixel]`,
/// each tap's pair packed as `x0 + x1 · 2^32` in an `i64` (by [`Gemm::run_quads`]), so that
/// one 64-bit multiply-accumulate by a filter value sums both pixels: the
/// low half holds `Σ w · x0` and the high half `Σ w · x1` as long as each sum fits an `i32`
/// (then the packed sum is exactly `S0 + S1 · 2^32`, from which both are recovered; the caller
/// checks the bound, [`Gemm::packed_exact`]), and as the sums never wrap, they equal the
/// reference kernel's wrapping `i32` sums. Not inlined: the loop keeps its four accumulators
/// and five pointers in registers.
#[inline(never)]
fn dot4x2_packed(cols: &[i64], w: [&[i8]; 4]) -> [[i32; 2]; 4] {
    let [w0, w1, w2, w3] = w;
    let (mut a0, mut a1, mut a2, mut a3) = (0i64, 0i64, 0i64, 0i64);
    for ((((&v, &f0), &f1), &f2), &f3) in cols.iter().zip(w0).zip(w1).zip(w2).zip(w3) {
        a0 = a0.wrapping_add(v.wrapping_mul(i64::from(f0)));
        a1 = a1.wrapping_add(v.wrapping_mul(i64::from(f1)));
        a2 = a2.wrapping_add(v.wrapping_mul(i64::from(f2)));
        a3 = a3.wrapping_add(v.wrapping_mul(i64::from(f3)));
    }
    let split = |a: i64| {
        let lo = a as i32;
        [lo, (a.wrapping_sub(i64::from(lo)) >> 32) as i32]
    };
    [split(a0), split(a1), split(a2), split(a3)]
}

impl Gemm<'_> {
    /// True when every sum of [`dot4x2_packed`] fits an `i32`: `k` taps of at most
    /// `(|input_offset| + 128) · 128` each.
    fn packed_exact(&self) -> bool {
        let tap = (self.input_offset.unsigned_abs() as u64 + 128) * 128;
        (self.k as u64).saturating_mul(tap) < 1 << 31
    }

    /// Output channel `o`'s filter row, bias and requantization.
    #[inline(always)]
    fn channel(&self, o: usize) -> (&[i8], i32, Requant) {
        let w = self.filter.get(o * self.k..(o + 1) * self.k).unwrap_or(&[]);
        let bias = self.bias.map_or(0, |b| b.get(o));
        (w, bias, self.requant.get(o * self.rq_step).copied().unwrap_or_default())
    }

    #[inline(always)]
    fn out(&self, acc: i32, corr: i32, rq: Requant) -> i8 {
        requantize(acc.wrapping_add(corr), rq, self.output_offset, self.act_min, self.act_max)
    }

    /// [`Gemm::out`] with the channel's constants decoded once ([`Scaled`]): the same
    /// operations on the same values.
    #[inline(always)]
    fn out_scaled(&self, acc: i32, q: &Scaled) -> i8 {
        let x = acc.wrapping_add(q.corr);
        let v = match q.fast {
            Some(f) => f.apply(x),
            None => rounding_divide_by_pot(
                saturating_rounding_doubling_high_mul(x.wrapping_mul(q.scale), q.multiplier),
                q.right,
            ),
        };
        v.wrapping_add(self.output_offset).max(self.act_min).min(self.act_max) as i8
    }

    /// Gathers whole pixels of `src` (`k` raw int8 values each) into `dst` (as many int16
    /// values) for [`Gemm::run`]: groups of pixels ([`group_len`]), each group's columns
    /// interleaved, the input offset added.
    fn gather(&self, dst: &mut [i16], src: &[i8], lanes: usize) {
        let k = self.k;
        if k == 0 {
            return;
        }
        let (mut d, mut s, mut left) = (dst, src, src.len() / k);
        while left > 0 {
            let n = group_len(left, lanes);
            let (Some((dg, dn)), Some((sg, sn))) =
                (core::mem::take(&mut d).split_at_mut_checked(n * k), s.split_at_checked(n * k))
            else {
                return;
            };
            let off = self.input_offset;
            let pair: Option<&mut [[i16; 2]]> = if n == 2 { bytemuck::try_cast_slice_mut(dg).ok() } else { None };
            match (pair, sg.split_at_checked(k)) {
                // A pair: both pixels' values side by side, one pass.
                (Some(cols), Some((a, b))) => {
                    for (c, (&va, &vb)) in cols.iter_mut().zip(a.iter().zip(b)) {
                        *c = [(i32::from(va) + off) as i16, (i32::from(vb) + off) as i16];
                    }
                }
                _ => {
                    for (lane, pixel) in sg.chunks_exact(k).enumerate() {
                        put(dg, n, lane, 0, Some(pixel), k, off);
                    }
                }
            }
            (d, s, left) = (dn, sn, left - n);
        }
    }

    /// Output pixels of the gathered columns `x` (groups as [`Gemm::gather`] lays them out,
    /// `lanes` as it was given, the input offset added) into `y` (`oc` values per pixel): two
    /// output channels at a time over every group, each channel's constants read once per call.
    fn run(&self, x: &[i16], y: &mut [i8], lanes: usize) -> Result<()> {
        if PACKED && lanes == 2 && x.len() <= TILE && self.packed_exact() {
            return self.run_quads(x, y);
        }
        self.run_pairs(x, y, lanes)
    }

    /// [`Gemm::run`] with two lanes on 64-bit cores ([`PACKED`]): the pixel pairs' columns
    /// packed once per call (`x0 + x1 · 2^32` per tap, on the stack), then four output
    /// channels × a pixel pair per inner loop ([`dot4x2_packed`]), an odd last pixel one
    /// channel at a time; channels beyond `oc` in the last quad repeat its last one (computed,
    /// not stored).
    fn run_quads(&self, x: &[i16], y: &mut [i8]) -> Result<()> {
        let (k, oc) = (self.k, self.oc);
        if k == 0 || oc == 0 || x.len() / k != y.len() / oc || self.filter.len() != oc * k {
            return Err(Error::InvalidArgument);
        }
        let px = y.len() / oc;
        let pairs = px / 2;
        let mut buf = [0i64; TILE / 2];
        let packed = buf.get_mut(..pairs * k).ok_or(Error::InvalidArgument)?;
        let (xp, single) = x.split_at_checked(2 * pairs * k).ok_or(Error::InvalidArgument)?;
        let xp: &[[i16; 2]] = bytemuck::try_cast_slice(xp).map_err(|_| Error::Internal)?;
        for (d, &[x0, x1]) in packed.iter_mut().zip(xp) {
            *d = i64::from(x0).wrapping_add(i64::from(x1) << 32);
        }
        let packed = &*packed;
        let mut o = 0;
        while o < oc {
            let n = (oc - o).min(4);
            // (Spelled out: `array::map` is an out-of-line loop with copies at opt-level "s".)
            let ch = |i: usize| self.channel(o + i.min(n - 1));
            let ((w0, c0, r0), (w1, c1, r1), (w2, c2, r2), (w3, c3, r3)) = (ch(0), ch(1), ch(2), ch(3));
            let w = [w0, w1, w2, w3];
            let scaled = [Scaled::of(c0, r0), Scaled::of(c1, r1), Scaled::of(c2, r2), Scaled::of(c3, r3)];
            let store = |yp: &mut [i8], sums: [i32; 4]| {
                let out = yp.get_mut(o..o + n).unwrap_or(&mut []);
                for ((d, &s), q) in out.iter_mut().zip(&sums).zip(&scaled) {
                    *d = self.out_scaled(s, q);
                }
            };
            for (cols, y2) in packed.chunks_exact(k).zip(y.chunks_exact_mut(2 * oc)) {
                let [[a0, b0], [a1, b1], [a2, b2], [a3, b3]] = dot4x2_packed(cols, w);
                let (y0, y1) = y2.split_at_mut(oc);
                store(y0, [a0, a1, a2, a3]);
                store(y1, [b0, b1, b2, b3]);
            }
            if px % 2 == 1 {
                let dot = |wc: &[i8]| wc.iter().zip(single).fold(0i32, |a, (&f, &v)| mac(a, i32::from(f), v));
                let y1 = y.get_mut((px - 1) * oc..px * oc).ok_or(Error::InvalidArgument)?;
                store(y1, [dot(w0), dot(w1), dot(w2), dot(w3)]);
            }
            o += 4;
        }
        Ok(())
    }

    /// [`Gemm::run`] two output channels × two pixels at a time.
    fn run_pairs(&self, x: &[i16], y: &mut [i8], lanes: usize) -> Result<()> {
        let (k, oc) = (self.k, self.oc);
        if k == 0 || oc == 0 || x.len() / k != y.len() / oc || self.filter.len() != oc * k {
            return Err(Error::InvalidArgument);
        }
        let px = y.len() / oc;
        let mut sums = [[0i32; 4]; BATCH];
        let mut o = 0;
        while o < oc {
            // An odd last channel goes through the pair kernel with itself (one of it stored).
            let pair = o + 2 <= oc;
            let (w0, c0, r0) = self.channel(o);
            let (w1, c1, r1) = if pair { self.channel(o + 1) } else { (w0, c0, r0) };
            let (mut xr, mut yr, mut left) = (x, &mut *y, px);
            while left > 0 {
                // Few taps: a batch of pixel pairs per call; else one group (a pair or one pixel).
                let pairs = if lanes == 2 && k < LONG { (left / 2).min(BATCH) } else { 0 };
                let n = if pairs > 0 { 2 * pairs } else { group_len(left, lanes) };
                let (Some((xg, xn)), Some((yg, yn))) =
                    (xr.split_at_checked(n * k), core::mem::take(&mut yr).split_at_mut_checked(n * oc))
                else {
                    return Err(Error::InvalidArgument);
                };
                let put = |y: &mut [i8], at: usize, acc: i32, corr: i32, rq: Requant| {
                    if let Some(slot) = y.get_mut(at) {
                        *slot = self.out(acc, corr, rq);
                    }
                };
                if pairs > 0 {
                    let cols: &[[i16; 2]] = bytemuck::try_cast_slice(xg).map_err(|_| Error::Internal)?;
                    let sums = sums.get_mut(..pairs).ok_or(Error::Internal)?;
                    dot2x2_batch(cols, k, w0, w1, sums);
                    for (yp, &[a0, a1, b0, b1]) in yg.chunks_exact_mut((2 * oc).max(1)).zip(&*sums) {
                        put(yp, o, a0, c0, r0);
                        put(yp, oc + o, a1, c0, r0);
                        if pair {
                            put(yp, o + 1, b0, c1, r1);
                            put(yp, oc + o + 1, b1, c1, r1);
                        }
                    }
                } else {
                    let ([a0, a1], [b0, b1]) = if n == 2 {
                        let cols: &[[i16; 2]] = bytemuck::try_cast_slice(xg).map_err(|_| Error::Internal)?;
                        dot2x2_leaf(cols, w0, w1)
                    } else {
                        let (a0, b0) = dot2x1(xg, w0, w1);
                        ([a0, 0], [b0, 0])
                    };
                    put(yg, o, a0, c0, r0);
                    if pair {
                        put(yg, o + 1, b0, c1, r1);
                    }
                    if n == 2 {
                        put(yg, oc + o, a1, c0, r0);
                        if pair {
                            put(yg, oc + o + 1, b1, c1, r1);
                        }
                    }
                }
                (xr, yr, left) = (xn, yn, left - n);
            }
            o += 2;
        }
        Ok(())
    }

    /// Output pixels of `x` (whole pixels of `k` values) into `y` (as many pixels of `oc`)
    /// without gathering: two output channels × two pixels per inner loop over the pixels as
    /// they lie. `x` holds raw int8 values (`i8`: the input zero point is folded into a
    /// per-channel correction `bias + input_offset · Σ filter`, exact in wrapping arithmetic,
    /// computed once per output channel and call) or values with the input offset already
    /// added (`i16`). For inputs too wide to gather, and on hosts with SIMD, where LLVM
    /// vectorizes this loop and it beats the gathered tiles.
    fn run_raw<T: Copy + Into<i32>>(&self, x: &[T], y: &mut [i8]) -> Result<()> {
        let raw = core::mem::size_of::<T>() == 1;
        let (ic, oc) = (self.k, self.oc);
        let (Some(ic2), Some(oc2)) = (ic.checked_mul(2), oc.checked_mul(2)) else { return Err(Error::InvalidArgument) };
        if ic == 0 || ic2 == 0 || oc2 == 0 {
            return Err(Error::InvalidArgument);
        }
        let px = x.len() / ic;
        if x.len() != px * ic || y.len() != px * oc || self.filter.len() != oc * ic {
            return Err(Error::InvalidArgument);
        }
        let corrected = |o: usize| {
            let (w, bias, rq) = self.channel(o);
            if !raw {
                return (w, bias, rq);
            }
            let sum = w.iter().fold(0i32, |s, &v| s.wrapping_add(i32::from(v)));
            (w, bias.wrapping_add(sum.wrapping_mul(self.input_offset)), rq)
        };
        let mut o = 0;
        while o + 2 <= oc {
            let (w0, c0, r0) = corrected(o);
            let (w1, c1, r1) = corrected(o + 1);
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
            let (w0, c0, r0) = corrected(o);
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
        k: ic,
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
    let tile = TILE / ic;
    let too_wide = tile == 0 || !(-32_000..=32_000).contains(&g.input_offset);
    if too_wide || (SIMD && io.separate(0).is_some()) {
        // Too wide to gather (or an offset outside int16), or a host with SIMD: raw pixels
        // when the input is a separate buffer, else the reference kernel.
        let Some((x, y)) = io.separate(0) else { return super::conv::conv2d_s8(p, requant, filter, bias, call, io) };
        for r in 0..runs {
            let (xa, ya) = at(r);
            let x = x.get(xa..xa + px * ic).ok_or(Error::InvalidArgument)?;
            let y = y.get_mut(ya..ya + px * oc).ok_or(Error::InvalidArgument)?;
            g.run_raw(x, y)?;
        }
        return Ok(());
    }
    // Tiles of pixels gathered to the stack first (every tile's inputs are read before its
    // outputs are written), in walk order.
    let lanes = lanes(ic);
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
            let y = if SIMD {
                // Pixel by pixel as they lie, the input offset added: what `run_raw` reads.
                for (d, &v) in xb.iter_mut().zip(src) {
                    *d = (i32::from(v) + g.input_offset) as i16;
                }
                let y = io.output_mut(ya + p0 * oc, n * oc);
                g.run_raw(&*xb, y)?;
                continue;
            } else {
                g.gather(xb, src, lanes);
                io.output_mut(ya + p0 * oc, n * oc)
            };
            g.run(&*xb, y, lanes)?;
        }
    }
    Ok(())
}

/// Values of one im2col column the general CONV_2D kernel builds on the stack (int16, 1 KB):
/// filters of more taps (`kh · kw · in_c`) take the reference kernel.
pub(crate) const COLUMN: usize = 512;

/// True when [`conv_s8`] computes a convolution of these parameters: one group and at most
/// [`COLUMN`] taps per output value.
pub fn conv_fits(p: &ConvParams) -> bool {
    let f = p.filter();
    p.groups() == 1 && f.h.checked_mul(f.w).and_then(|v| v.checked_mul(f.c)).is_some_and(|k| k > 0 && k <= COLUMN)
}

/// CONV_2D of one group, any filter size, stride, dilation and padding ([`conv_fits`]),
/// bit-exact with [`super::conv::conv2d_s8`] (same arguments, same checks, same errors):
/// the windows of a run of output pixels of one row are copied to the stack as int16 columns
/// with the input offset added (zeros for padding taps), pixels paired with their columns
/// interleaved, then multiplied by the filter as a GEMM ([`Gemm`], two output channels × two
/// pixels). Runs follow the call's walk and every
/// window of a run is copied before any of its outputs is written (the reference kernel's
/// access contract).
pub fn conv_s8(
    p: &ConvParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.map(|b| b.len()))?;
    call.check(p.window(), p.input().c, p.output().c, io.input_len(0), io.output_len())?;
    if !conv_fits(p) {
        return Err(Error::InvalidArgument);
    }
    let (ib, ob, fd) = (call.input, call.output, p.filter());
    let (ic, oc) = (ib.c, ob.c);
    let k = fd.h * fd.w * ic;
    let q = p.io_quant();
    let ioff = q.input_zp.wrapping_neg();
    if ob.n == 0 || ob.h == 0 || ob.w == 0 || oc == 0 || k == 0 {
        return Ok(());
    }
    if !(-32_000..=32_000).contains(&ioff) {
        return super::conv::conv2d_s8(p, requant, filter, bias, call, io);
    }
    let g = Gemm {
        k,
        oc,
        filter: filter.get(..oc * k).ok_or(Error::InvalidArgument)?,
        bias,
        requant,
        rq_step: usize::from(requant.len() != 1),
        input_offset: ioff,
        output_offset: q.output_zp,
        act_min: q.act_min,
        act_max: q.act_max,
    };
    let (rows, cols) = (&p.window().rows, &p.window().cols);
    let [pad_top, _, pad_left, _] = call.pad;
    let (in_h, in_w) = (ib.h as isize, ib.w as isize);
    let in_len = io.input_len(0);
    let tile = (COLUMN / k).max(1);
    let tiles = ob.w.div_ceil(tile);
    let lanes = lanes(k);
    let mut buf = [0i16; COLUMN];
    let out_rows = ob.n * ob.h;
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        let (b, oy) = (row.checked_div(ob.h).unwrap_or(0), row.checked_rem(ob.h).unwrap_or(0));
        let iy0 = (oy * rows.stride) as isize - pad_top as isize;
        for t in 0..tiles {
            let x0 = ordered(call.walk, t, tiles) * tile;
            let n = tile.min(ob.w - x0);
            let cols_buf = buf.get_mut(..n * k).ok_or(Error::Internal)?;
            {
                let input = io.input(0, 0, in_len);
                // The `ic` values of tap (fy, fx) of output column `ox`; `None` for padding.
                let tap = |ox: usize, fy: usize, fx: usize| -> Result<Option<&[i8]>> {
                    let iy = iy0 + (fy * rows.dilation) as isize;
                    let ix = (ox * cols.stride) as isize - pad_left as isize + (fx * cols.dilation) as isize;
                    if iy < 0 || iy >= in_h || ix < 0 || ix >= in_w {
                        return Ok(None);
                    }
                    let a = ib.offset(b, iy as usize, ix as usize, 0);
                    input.get(a..a + ic).map(Some).ok_or(Error::InvalidArgument)
                };
                // Groups of pixels as `Gemm::run` takes them, each pixel's window in its lane (a
                // pair's two windows in one pass, side by side).
                let (mut rest, mut g0) = (&mut *cols_buf, 0);
                while g0 < n {
                    let m = group_len(n - g0, lanes);
                    let Some((group, next)) = core::mem::take(&mut rest).split_at_mut_checked(m * k) else {
                        return Err(Error::Internal);
                    };
                    let (ox_a, ox_b) = (x0 + g0, x0 + g0 + 1);
                    let mut at = 0;
                    if m == 2 {
                        let pairs: &mut [[i16; 2]] =
                            bytemuck::try_cast_slice_mut(group).map_err(|_| Error::Internal)?;
                        for fy in 0..fd.h {
                            for fx in 0..fd.w {
                                let d = pairs.get_mut(at..at + ic).ok_or(Error::Internal)?;
                                let v = |x: i8| (i32::from(x) + ioff) as i16;
                                match (tap(ox_a, fy, fx)?, tap(ox_b, fy, fx)?) {
                                    (Some(xa), Some(xb)) => {
                                        for (c, (&va, &vb)) in d.iter_mut().zip(xa.iter().zip(xb)) {
                                            *c = [v(va), v(vb)];
                                        }
                                    }
                                    (Some(xa), None) => {
                                        for (c, &va) in d.iter_mut().zip(xa) {
                                            *c = [v(va), 0];
                                        }
                                    }
                                    (None, Some(xb)) => {
                                        for (c, &vb) in d.iter_mut().zip(xb) {
                                            *c = [0, v(vb)];
                                        }
                                    }
                                    (None, None) => d.fill([0, 0]),
                                }
                                at += ic;
                            }
                        }
                    } else {
                        for fy in 0..fd.h {
                            for fx in 0..fd.w {
                                put(group, 1, 0, at, tap(ox_a, fy, fx)?, ic, ioff);
                                at += ic;
                            }
                        }
                    }
                    (rest, g0) = (next, g0 + m);
                }
            }
            let y = io.output_mut(ob.offset(b, oy, x0, 0), n * oc);
            g.run(&*cols_buf, y, lanes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::io::Src;
    use super::super::io::Walk;
    use super::super::test_support::{conv, d, i32s, io, rq, win};
    use super::*;
    use crate::geometry::Padding;

    /// The packed 64-bit GEMM (what RV64 runs) against the pairs path on gathered tiles: odd
    /// tap, pixel and channel counts, per-tensor and per-channel scales, right and left
    /// shifts, clamped activations, input offsets up to the int16 limit with the longest
    /// columns whose sums still fit (`packed_exact`).
    #[test]
    fn packed_quads_match_the_pairs() {
        let mut r = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut range = move |lo: i32, hi: i32| lo + r.below((hi - lo + 1) as u64) as i32;
        // Miri interprets every operation: a sample there.
        for case in 0..if cfg!(miri) { 40 } else { 400 } {
            let k = [1, 2, 3, 7, 8, 16, 33, 64, 127, 256][case % 10];
            // At most a tile of values, as the kernels gather.
            let (oc, px) = (range(1, 11) as usize, (range(1, 9) as usize).min(TILE / k));
            let input_offset = if case % 7 == 0 { range(31_936, 32_000) } else { range(-127, 128) };
            let x: std::vec::Vec<i8> = (0..px * k).map(|_| range(-128, 127) as i8).collect();
            let filter: std::vec::Vec<i8> = (0..oc * k).map(|_| range(-128, 127) as i8).collect();
            let bias: std::vec::Vec<i32> = (0..oc).map(|_| range(-20_000, 20_000)).collect();
            let bias = i32s(&bias);
            // Every fourth case with real multipliers above 1 (left shifts).
            let boost = if case % 4 == 1 { 3_000.0 } else { 1.0 };
            let scales: std::vec::Vec<f32> = (0..oc).map(|c| (0.001 + 0.0007 * c as f32) * boost).collect();
            let nq = if case % 3 == 0 { 1 } else { oc };
            let table = rq(0.05, &scales[..nq], 0.1, nq);
            let g = Gemm {
                k,
                oc,
                filter: &filter,
                bias: Some(LeI32s::new(&bias)),
                requant: &table,
                rq_step: usize::from(table.len() != 1),
                input_offset,
                output_offset: range(-128, 127),
                act_min: -128,
                act_max: 127 - (case % 5) as i32,
            };
            assert!(g.packed_exact(), "k {k}, offset {input_offset}");
            let mut cols = vec![0i16; px * k];
            g.gather(&mut cols, &x, 2);
            let (mut want, mut got) = (vec![0i8; px * oc], vec![0i8; px * oc]);
            g.run_pairs(&cols, &mut want, 2).unwrap();
            g.run_quads(&cols, &mut got).unwrap();
            assert_eq!(got, want, "case {case}: k {k}, {oc} channels, {px} pixels, offset {input_offset}");
        }
        // The bound: 512 taps at offset 32,000 fit; at 32,768, or 4,096 taps at 8,000, they would not.
        let g = |k, input_offset| Gemm {
            k,
            oc: 1,
            filter: &[],
            bias: None,
            requant: &[],
            rq_step: 0,
            input_offset,
            output_offset: 0,
            act_min: -128,
            act_max: 127,
        };
        assert!(g(512, 32_000).packed_exact() && g(512, -32_000).packed_exact());
        assert!(!g(512, 32_768).packed_exact() && !g(4096, 8_000).packed_exact());
    }

    /// Wide inputs and long columns, which the conformance harness's random shapes (at most
    /// 8 input channels) do not reach: gathered pixel pairs, single pixels (more than half a
    /// tile per column), raw pixels (more than a tile) and the reference fallback (in place,
    /// more than a tile); odd pixel and channel counts, per-channel scales, both walks, apart
    /// and in place, against the reference kernel.
    #[test]
    fn wide_inputs_match_the_reference() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u32();
        // (kernel size, input channels, output channels, image side)
        for (kk, ic, oc, side) in
            [(1, 130, 5, 3), (1, 257, 7, 3), (1, 600, 3, 3), (1, 9, 1, 5), (3, 20, 3, 4), (3, 40, 5, 4), (2, 3, 9, 7)]
        {
            let pad = if kk == 1 { Padding::Valid } else { Padding::Same };
            let p =
                conv(win(pad, 1, 1, 1, 1), d(1, side, side, ic), d(oc, kk, kk, ic), d(1, side, side, oc), io(-9, 4))
                    .unwrap();
            let input: std::vec::Vec<i8> = (0..side * side * ic).map(|_| next() as i8).collect();
            let filter: std::vec::Vec<i8> = (0..oc * kk * kk * ic).map(|_| next() as i8).collect();
            let bias: std::vec::Vec<i32> = (0..oc).map(|_| (next() % 20_000) as i32 - 10_000).collect();
            let bias = i32s(&bias);
            let scales: std::vec::Vec<f32> = (0..oc).map(|c| 0.002 + 0.0005 * c as f32).collect();
            let table = rq(0.05, &scales, 0.1, oc);
            let b = Some(LeI32s::new(&bias));
            let kernel = if kk == 1 { conv1x1_s8 } else { conv_s8 };
            for walk in [Walk::Forward, Walk::Backward] {
                let call = p.full_call(walk);
                let n = side * side * oc;
                let (mut want, mut got) = (vec![0i8; n], vec![0i8; n]);
                super::super::conv::conv2d_s8(&p, &table, &filter, b, &call, &mut Io::split(&input, &mut want))
                    .unwrap();
                kernel(&p, &table, &filter, b, &call, &mut Io::split(&input, &mut got)).unwrap();
                assert_eq!(got, want, "apart: {kk}x{kk} {ic} -> {oc}, {walk:?}");
                if kk == 1 && oc <= ic && walk == Walk::Forward {
                    // In place: each pixel's output over the front of its own input.
                    let mut buf = input.clone();
                    let len = buf.len();
                    let mut shared =
                        Io::shared(&mut buf, 0, n, [Src::Shared { offset: 0, len }, Src::Slice(&[])]).unwrap();
                    kernel(&p, &table, &filter, b, &call, &mut shared).unwrap();
                    assert_eq!(&buf[..n], &want[..], "in place: {ic} -> {oc}");
                }
            }
        }
    }
}
