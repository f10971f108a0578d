//! DEPTHWISE_CONV_2D for int8 activations and int8 filters, bit-exact with TFLM's
//! `reference_integer_ops::DepthwiseConvPerChannel` (used by TFLM for per-tensor filters too).
//!
//! Output channel `oc = ic * depth_multiplier + m` is the window sum of input channel `ic`
//! weighted by filter channel `oc`. The arithmetic is the same as CONV_2D's (see
//! [`super::conv`]): 32-bit wrapping accumulator of `filter * (input - input_zp)` over the taps
//! inside the image, optional bias, double-rounding requantization with the channel's
//! multiplier, output zero point, clamp (lower bound first), narrow to int8. The filter zero
//! point is ignored, as in TFLM. Per-channel multipliers come from
//! [`super::conv::per_channel_requant`] with one entry per output channel (the filter's
//! quantized dimension is 3).
//!
//! Input and output go through [`Io`] and output pixels are visited in [`Walk`] order, with
//! the same contract as CONV_2D (see [`super::conv`]): a pixel is written only while visited
//! and reads only its own window then.

use super::call::WindowCall;
use super::conv::{check_window, checked_len, ordered, requantize, IoQuant};
use super::io::{Io, Walk};
use crate::geometry::Window;
use crate::quant::Requant;
use crate::tensor::{Dims4, LeI32s};
use crate::{Error, Result};

/// Prepared DEPTHWISE_CONV_2D (int8 input/output, int8 filter, optional int32 bias).
///
/// Layouts (NHWC row-major): input `[n, in_h, in_w, in_c]`, filter `[1, kh, kw, out_c]`,
/// output `[n, out_h, out_w, out_c]` with `out_c = in_c * depth_multiplier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseParams {
    window: Window,
    input: Dims4,
    filter: Dims4,
    output: Dims4,
    depth_multiplier: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl DepthwiseParams {
    /// TFLM's DEPTHWISE_CONV_2D Prepare for int8.
    ///
    /// - `window`: the sliding window (as for [`super::conv::ConvParams::new`]); its sizes
    ///   must be the input's, the output's and the filter's.
    /// - `depth_multiplier`: the schema option, >= 1. Must satisfy
    ///   `output.c == input.c * depth_multiplier` (TFLM only debug-checks this; a model that
    ///   violates it has no well-defined TFLM result, so it is rejected here).
    /// - `input`, `filter`, `output`: shapes as in the type docs; requires
    ///   `input.n == output.n`, `filter.c == output.c`, `filter.n >= 1` (only plane 0 is read,
    ///   as in TFLM).
    /// - `io`: zero points and activation clamp.
    ///
    /// Errors: [`Error::InvalidArgument`].
    pub fn new(
        window: Window,
        depth_multiplier: usize,
        input: Dims4,
        filter: Dims4,
        output: Dims4,
        io: IoQuant,
    ) -> Result<DepthwiseParams> {
        checked_len(input)?;
        checked_len(filter)?;
        checked_len(output)?;
        check_window(&window, input, [filter.h, filter.w], output)?;
        let expected_c = input.c.checked_mul(depth_multiplier).ok_or(Error::InvalidArgument)?;
        if depth_multiplier == 0
            || input.n != output.n
            || filter.n == 0
            || filter.c != output.c
            || output.c != expected_c
        {
            return Err(Error::InvalidArgument);
        }
        Ok(DepthwiseParams {
            window,
            input,
            filter,
            output,
            depth_multiplier,
            input_offset: io.input_zp.wrapping_neg(),
            output_offset: io.output_zp,
            act_min: io.act_min,
            act_max: io.act_max,
        })
    }

    /// The sliding window.
    pub fn window(&self) -> &Window {
        &self.window
    }
    /// Input shape.
    pub fn input(&self) -> Dims4 {
        self.input
    }
    /// Filter shape `[1, kh, kw, out_c]`.
    pub fn filter(&self) -> Dims4 {
        self.filter
    }
    /// Output shape.
    pub fn output(&self) -> Dims4 {
        self.output
    }
    /// Input zero point, output zero point and activation clamp, as given to
    /// [`DepthwiseParams::new`].
    pub fn io_quant(&self) -> IoQuant {
        IoQuant {
            input_zp: self.input_offset.wrapping_neg(),
            output_zp: self.output_offset,
            act_min: self.act_min,
            act_max: self.act_max,
        }
    }
    /// Depth multiplier (`out_c / in_c`).
    pub fn depth_multiplier(&self) -> usize {
        self.depth_multiplier
    }
    /// The call computing the whole output in `walk` order.
    pub fn full_call(&self, walk: Walk) -> WindowCall {
        WindowCall::full(&self.window, self.input, self.output, walk)
    }

    /// Checks the buffer lengths the kernels need: `requant_len` is 1 (broadcast) or
    /// `>= out_c`; filter at least `kh * kw * out_c` (plane 0); bias, if present, at least
    /// `out_c` values.
    pub fn check(&self, requant_len: usize, filter_len: usize, bias_len: Option<usize>) -> Result<()> {
        let oc = self.output.c;
        let plane = self.filter.h * self.filter.w * self.filter.c;
        let ok = (requant_len == 1 || requant_len >= oc) && filter_len >= plane && bias_len.is_none_or(|b| b >= oc);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }

    /// Scratch bytes of [`depthwise_conv2d_s8_channelwise`] for `call`: one input plane.
    pub fn plane_bytes(call: &WindowCall) -> usize {
        call.input.h.saturating_mul(call.input.w)
    }
}

/// Output channels accumulated at once (stack space: 4 bytes each).
const CHUNK: usize = 64;

/// DEPTHWISE_CONV_2D, int8, bit-exact with TFLM's `DepthwiseConvPerChannel`.
///
/// - `requant`: per-output-channel multipliers (from [`super::conv::per_channel_requant`]);
///   length `out_c`, or 1 to use the same entry for every channel.
/// - `filter`: `[1, kh, kw, out_c]` data (plane 0 is read); `bias`: `out_c` int32 values,
///   or `None` when the operator has no bias.
/// - `call`, `io`: the output block to compute from the input block (see [`super::call`]);
///   input and output may share one buffer (see [`super::conv`]). A pixel's channels are
///   written only while it is visited; output channel `c` depends only on input channel
///   `c / depth_multiplier`.
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when [`DepthwiseParams::check`]
/// or [`WindowCall::check`] fails.
pub fn depthwise_conv2d_s8(
    p: &DepthwiseParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.map(|b| b.len()))?;
    call.check(&p.window, p.input.c, p.output.c, io.input_len(0), io.output_len())?;
    let (fd, ib, ob) = (p.filter, call.input, call.output);
    let (rows, cols) = (&p.window.rows, &p.window.cols);
    let in_len = io.input_len(0);
    let rq_step = usize::from(requant.len() != 1);
    let dm = p.depth_multiplier;
    let [pad_top, _, pad_left, _] = call.pad;
    if ob.h == 0 {
        return Ok(()); // empty output
    }
    if dm == 0 {
        return Err(Error::InvalidArgument); // excluded by the constructor
    }
    // Output channels per chunk when whole groups of `dm` fit.
    let chunk = (CHUNK / dm).max(1) * dm;
    let in_h = ib.h as isize;
    let in_w = ib.w as isize;
    let out_rows = ob.n * ob.h;
    let mut acc = [0i32; CHUNK];
    let mut res = [0i8; CHUNK];
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        let (b, oy) = (row / ob.h, row % ob.h);
        let in_y0 = (oy * rows.stride) as isize - pad_top as isize;
        // Filter rows whose taps fall inside the input block.
        let fy_range = (0..fd.h).filter(|&fy| (0..in_h).contains(&(in_y0 + (fy * rows.dilation) as isize)));
        for s in 0..ob.w {
            let ox = ordered(call.walk, s, ob.w);
            let in_x0 = (ox * cols.stride) as isize - pad_left as isize;
            let out_base = ob.offset(b, oy, ox, 0);
            let mut oc0 = 0;
            while oc0 < ob.c {
                // Whole groups of `dm` (then `oc0` and `n` are multiples of `dm`), or a run
                // within one input channel's group.
                let (n, group) = if dm <= CHUNK {
                    (chunk.min(ob.c - oc0), dm)
                } else {
                    let n = CHUNK.min(dm - oc0 % dm).min(ob.c - oc0);
                    (n, n)
                };
                let ic_lo = oc0 / dm;
                let ic_n = (oc0 + n - 1) / dm + 1 - ic_lo;
                let Some(acc) = acc.get_mut(..n) else { return Err(Error::InvalidArgument) }; // n ≤ CHUNK
                acc.fill(0);
                let input = io.input(0, 0, in_len);
                for fy in fy_range.clone() {
                    let iy = (in_y0 + (fy * rows.dilation) as isize) as usize;
                    for fx in 0..fd.w {
                        let ix = in_x0 + (fx * cols.dilation) as isize;
                        if ix < 0 || ix >= in_w {
                            continue;
                        }
                        let at = ib.offset(b, iy, ix as usize, ic_lo);
                        let fb = fd.offset(0, fy, fx, oc0);
                        // In range once the checks passed; `get` only replaces a panic by an error.
                        let (Some(xs), Some(fs)) = (input.get(at..at + ic_n), filter.get(fb..fb + n)) else {
                            return Err(Error::InvalidArgument);
                        };
                        if group == 1 {
                            for ((a, &f), &x) in acc.iter_mut().zip(fs).zip(xs) {
                                *a = a.wrapping_add((f as i32).wrapping_mul((x as i32).wrapping_add(p.input_offset)));
                            }
                        } else {
                            // `group` accumulators and taps per input channel (chunks taken with
                            // split_at: chunks_exact would keep a division-by-zero panic path).
                            let (mut accs, mut taps) = (&mut *acc, fs);
                            for &x in xs {
                                let x = (x as i32).wrapping_add(p.input_offset);
                                let (Some((a, a_rest)), Some((f, f_rest))) = (
                                    core::mem::take(&mut accs).split_at_mut_checked(group),
                                    taps.split_at_checked(group),
                                ) else {
                                    break;
                                };
                                for (a, &f) in a.iter_mut().zip(f) {
                                    *a = a.wrapping_add((f as i32).wrapping_mul(x));
                                }
                                (accs, taps) = (a_rest, f_rest);
                            }
                        }
                    }
                }
                for (j, (&a, o)) in acc.iter().zip(res.iter_mut()).enumerate() {
                    let oc = oc0 + j;
                    let a = match bias {
                        Some(bias) => a.wrapping_add(bias.get(oc)),
                        None => a,
                    };
                    let rq = requant.get(oc * rq_step).ok_or(Error::InvalidArgument)?;
                    *o = requantize(a, *rq, p.output_offset, p.act_min, p.act_max);
                }
                for (j, &v) in res.iter().take(n).enumerate() {
                    io.set(out_base + oc0 + j, v);
                }
                oc0 += n;
            }
        }
    }
    Ok(())
}

/// DEPTHWISE_CONV_2D with depth multiplier 1, one channel at a time (TinyEngine's in-place
/// scheme). Channel `c` of the input block (`h×w` values) is first copied into `plane`; its
/// output plane is then computed from the copy and written into channel `c`'s slots of the
/// output block. Writes therefore only ever touch bytes of channels already copied, so the
/// output may start exactly where the input starts, with the same layout (or anywhere
/// disjoint from it). `requant(c)` gives channel `c`'s multiplier and shift, computed on the
/// fly: no per-channel table is needed. `plane` holds at least
/// [`DepthwiseParams::plane_bytes`] bytes.
pub fn depthwise_conv2d_s8_channelwise(
    p: &DepthwiseParams,
    requant: impl Fn(usize) -> Requant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    call: &WindowCall,
    io: &mut Io<'_>,
    plane: &mut [i8],
) -> Result<()> {
    p.check(1, filter.len(), bias.map(|b| b.len()))?;
    call.check(&p.window, p.input.c, p.output.c, io.input_len(0), io.output_len())?;
    let (fd, ib, ob) = (p.filter, call.input, call.output);
    let (rows, cols) = (&p.window.rows, &p.window.cols);
    let area = ib.h * ib.w;
    if p.depth_multiplier != 1 || plane.len() < area {
        return Err(Error::InvalidArgument);
    }
    let Some(plane) = plane.get_mut(..area) else { return Err(Error::InvalidArgument) };
    let in_len = io.input_len(0);
    let (in_h, in_w) = (ib.h as isize, ib.w as isize);
    let [pad_top, _, pad_left, _] = call.pad;
    for b in 0..ob.n {
        for c in 0..ob.c {
            {
                let input = io.input(0, 0, in_len);
                // In range: the input block fits `input` (checked above).
                for y in 0..ib.h {
                    let row = plane.get_mut(y * ib.w..(y + 1) * ib.w).unwrap_or(&mut []);
                    for (x, slot) in row.iter_mut().enumerate() {
                        *slot = input.get(ib.offset(b, y, x, c)).copied().unwrap_or(0);
                    }
                }
            }
            let rq = requant(c);
            let bias_c = bias.map_or(0, |bias| bias.get(c));
            for oy in 0..ob.h {
                let in_y0 = (oy * rows.stride) as isize - pad_top as isize;
                for ox in 0..ob.w {
                    let in_x0 = (ox * cols.stride) as isize - pad_left as isize;
                    let mut acc = 0i32;
                    for fy in 0..fd.h {
                        let iy = in_y0 + (fy * rows.dilation) as isize;
                        if iy < 0 || iy >= in_h {
                            continue;
                        }
                        // Plane row `iy` (exactly `w` bytes) and the filter taps of row `fy`
                        // (channel `c` every `out_c` bytes); in range once the checks passed.
                        let Some(row) = plane.get(iy as usize * ib.w..(iy as usize + 1) * ib.w) else { continue };
                        let Some(taps) = filter.get(fd.offset(0, fy, 0, c)..) else { continue };
                        for fx in 0..fd.w {
                            let ix = in_x0 + (fx * cols.dilation) as isize;
                            if ix < 0 || ix >= in_w {
                                continue;
                            }
                            let (Some(&x), Some(&f)) = (row.get(ix as usize), taps.get(fx * fd.c)) else { continue };
                            let (x, f) = (x as i32, f as i32);
                            acc = acc.wrapping_add(f.wrapping_mul(x.wrapping_add(p.input_offset)));
                        }
                    }
                    let v = requantize(acc.wrapping_add(bias_c), rq, p.output_offset, p.act_min, p.act_max);
                    io.set(ob.offset(b, oy, ox, c), v);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{both_walks, d, dw, dw_padded, i32s, io, rq, win};
    use super::*;
    use crate::geometry::Padding;

    /// The kernel over separate buffers, both walks compared.
    fn run(
        p: &DepthwiseParams,
        r: &[Requant],
        input: &[i8],
        filter: &[i8],
        bias: Option<LeI32s<'_>>,
        out: &mut [i8],
    ) -> Result<()> {
        both_walks(|io, walk| depthwise_conv2d_s8(p, r, filter, bias, &p.full_call(walk), io), input, out)
    }

    /// Depth multiplier 2: input 3x3x2 (zp 2; channel 0 real value 3y + x, channel 1 real 1),
    /// 2x2 filter, VALID stride 1 → 2x2x4.
    /// oc0 (ic0): ones → window sums 8, 12, 20, 24.
    /// oc1 (ic0): [[1,0],[0,-1]] → a(y,x) - a(y+1,x+1) = -4; bias 1 → -3.
    /// oc2 (ic1): [[1,2],[3,4]] → 10; bias 3 → 13; filter scale 0.5 → 6.5 → 7 (tie rounds up).
    /// oc3 (ic1): all -1 → -4; bias 3 → -1.
    #[test]
    fn depth_multiplier_two_per_channel() {
        let mut input = std::vec::Vec::new();
        for v in 0..9i8 {
            input.push(v + 2);
            input.push(3);
        }
        // [fy][fx][oc]
        let filter = [1i8, 1, 1, -1, 1, 0, 2, -1, 1, 0, 3, -1, 1, -1, 4, -1];
        let bias = i32s(&[0, 1, 3, 3]);
        let p = dw(win(Padding::Valid, 1, 1, 1, 1), 2, d(1, 3, 3, 2), d(1, 2, 2, 4), d(1, 2, 2, 4), io(2, 0)).unwrap();
        let r = rq(1.0, &[1.0, 1.0, 0.5, 1.0], 1.0, 4);
        let mut out = [0i8; 16];
        run(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
        assert_eq!(out, [8, -3, 7, -1, 12, -3, 7, -1, 20, -3, 7, -1, 24, -3, 7, -1]);
    }

    /// Same numbers as the CONV_2D hand example: 5x5x1, 3x3 ones, SAME stride 2, pad 1,
    /// input zp -2, bias 5, scale 0.5, output zp 1.
    #[test]
    fn same_stride2_odd_size() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| (v - 12) as i8).collect();
        let p = dw(win(Padding::Same, 2, 2, 1, 1), 1, d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 1)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (1, 1));
        let r = rq(1.0, &[1.0], 2.0, 1);
        let mut out = [0i8; 9];
        run(&p, &r, &input, &[1; 9], Some(LeI32s::new(&i32s(&[5]))), &mut out).unwrap();
        assert_eq!(out, [-10, -13, -4, 5, 13, 14, 20, 32, 26]);
    }

    /// Dilation 2, SAME (pad 2), same hand values as the CONV_2D dilation example.
    #[test]
    fn dilation_two_same() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| v as i8).collect();
        let mut filter = [1i8; 9];
        filter[4] = 2;
        let p = dw(win(Padding::Same, 1, 1, 2, 2), 1, d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 5, 5, 1), io(0, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (2, 2));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 25];
        run(&p, &r, &input, &filter, None, &mut out).unwrap();
        assert_eq!([out[0], out[1], out[6], out[12], out[24]], [24, 29, 54, 120, 96]);
    }

    /// Saturation at both ends, two channels, per-tensor requant broadcast (len 1), and a
    /// RELU clamp with output zp 5 → [5, 127].
    #[test]
    fn saturation() {
        let p = dw(win(Padding::Valid, 1, 1, 1, 1), 1, d(1, 1, 1, 2), d(1, 1, 1, 2), d(1, 1, 1, 2), io(0, 0)).unwrap();
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 2];
        run(&p, &r, &[127, 127], &[127, -128], None, &mut out).unwrap();
        assert_eq!(out, [127, -128]);
        let p = dw(
            win(Padding::Valid, 1, 1, 1, 1),
            1,
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            IoQuant { input_zp: 0, output_zp: 5, act_min: 5, act_max: 127 },
        )
        .unwrap();
        // acc [-3, 100] + zp 5 → [2, 105] → [5, 105].
        run(&p, &r, &[-3, 100], &[1, 1], None, &mut out).unwrap();
        assert_eq!(out, [5, 105]);
    }

    /// The chunked channel loop against a plain per-channel loop (TFLM's loop order), for
    /// depth multipliers below, at and above the chunk size, with padding on every side.
    #[test]
    fn matches_plain_loop() {
        let mut seed = 0x1234_5678u32;
        let mut rnd = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as i8
        };
        for (ic, dm) in [(3, 1), (70, 1), (5, 2), (2, 3), (1, 64), (2, 70), (1, 130)] {
            let oc = ic * dm;
            let (ind, fd, od) = (d(2, 4, 3, ic), d(1, 3, 2, oc), d(2, 2, 3, oc));
            let io_q = IoQuant { input_zp: -7, output_zp: 3, act_min: -128, act_max: 127 };
            let p = dw_padded([1, 1, 0, 2], 2, 1, 1, 2, dm, ind, fd, od, io_q).unwrap();
            let input: std::vec::Vec<i8> = (0..ind.len()).map(|_| rnd()).collect();
            let filter: std::vec::Vec<i8> = (0..fd.len()).map(|_| rnd()).collect();
            let bias_v: std::vec::Vec<i32> = (0..oc).map(|_| rnd() as i32 * 50).collect();
            let bias = i32s(&bias_v);
            let scales: std::vec::Vec<f32> = (0..oc).map(|i| 0.001 + 0.0003 * (i % 7) as f32).collect();
            let r = rq(0.5, &scales, 0.25, oc);
            let mut out = std::vec![0i8; od.len()];
            run(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
            let mut expect = std::vec![0i8; od.len()];
            for b in 0..od.n {
                for oy in 0..od.h {
                    for ox in 0..od.w {
                        for c in 0..oc {
                            let mut acc = 0i32;
                            for fy in 0..fd.h {
                                for fx in 0..fd.w {
                                    let iy = (oy * 2 + fy) as isize - 1;
                                    let ix = (ox + fx * 2) as isize;
                                    if iy < 0 || iy >= ind.h as isize || ix >= ind.w as isize {
                                        continue;
                                    }
                                    let x = input[ind.offset(b, iy as usize, ix as usize, c / dm)] as i32 + 7;
                                    acc += filter[fd.offset(0, fy, fx, c)] as i32 * x;
                                }
                            }
                            acc += bias_v[c];
                            expect[od.offset(b, oy, ox, c)] = requantize(acc, r[c], 3, -128, 127);
                        }
                    }
                }
            }
            assert_eq!(out, expect, "ic {ic} dm {dm}");
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        let w = win(Padding::Same, 1, 1, 1, 1);
        assert!(dw(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_ok());
        // Depth multiplier inconsistent with the channel counts, or zero.
        assert!(dw(w, 1, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_err());
        assert!(dw(w, 0, d(1, 4, 4, 0), d(1, 3, 3, 0), d(1, 4, 4, 0), io(0, 0)).is_err());
        // Filter channels differ from output channels; batch mismatch.
        assert!(dw(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 5), d(1, 4, 4, 6), io(0, 0)).is_err());
        assert!(dw(w, 2, d(2, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_err());
        // Short buffers.
        let p = dw(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).unwrap();
        let r = [Requant::default(); 6];
        let mut o = [0i8; 96];
        assert!(run(&p, &r, &[0; 48], &[0; 54], None, &mut o).is_ok());
        assert!(run(&p, &r[..5], &[0; 48], &[0; 54], None, &mut o).is_err());
        assert!(run(&p, &r, &[0; 47], &[0; 54], None, &mut o).is_err());
        assert!(run(&p, &r, &[0; 48], &[0; 53], None, &mut o).is_err());
        assert!(run(&p, &r, &[0; 48], &[0; 54], None, &mut o[..95]).is_err());
    }
}
