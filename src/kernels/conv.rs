//! CONV_2D for int8 activations and int8 filters, bit-exact with TFLM's per-channel reference
//! convolution (which TFLM also uses for per-tensor filters, broadcasting the one scale).
//!
//! Also home of the pieces CONV_2D shares with DEPTHWISE_CONV_2D: the int8 zero points and
//! clamp ([`IoQuant`]) and the per-channel requantization ([`per_channel_requant`]).
//!
//! Call shape and shared buffers: the kernel computes the output block of a [`WindowCall`]
//! from its input block, reading input 0 and writing the output through [`Io`], so the output
//! may overlap the input in one buffer. It visits output pixels `(batch, y, x)` in the call's
//! [`Walk`] order (ascending or descending) and writes a pixel's channels only while visiting
//! it, after which nothing of that pixel is written again; a pixel's reads all happen while it
//! is visited. That is the access contract the memory planner's overlap analysis relies on.
//!
//! Arithmetic: a 32-bit accumulator sums `filter * (input - input_zp)` over the taps that fall
//! inside the input block (padding contributes nothing), adds the optional bias, is requantized
//! by TFLM's double-rounding `MultiplyByQuantizedMultiplier` with the output channel's
//! multiplier/shift, offset by the output zero point, clamped to the activation range (first
//! the lower bound, then the upper) and narrowed to int8. Accumulator arithmetic wraps on
//! overflow, as TFLM's does on every target it runs on. The filter zero point is ignored, as
//! TFLM's reference convolution ignores it (int8 filters are symmetric).

use super::call::WindowCall;
use super::io::{Io, Walk};
use crate::geometry::Window;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier_of_scales, Requant, ScaleRatio};
use crate::tensor::{Dims4, LeF32s, LeI32s};
use crate::{Error, Result};

/// Zero points and fused-activation clamp of an int8 kernel's input and output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoQuant {
    /// Input zero point (any value; int8 tensors have it in `-128..=127`).
    pub input_zp: i32,
    /// Output zero point (any value; int8 tensors have it in `-128..=127`).
    pub output_zp: i32,
    /// Lower clamp bound, e.g. from [`crate::quant::activation_range_i8`].
    pub act_min: i32,
    /// Upper clamp bound. If `act_min > act_max` the result is `act_max`, as in TFLM (it
    /// applies the lower bound first, then the upper).
    pub act_max: i32,
}

/// TFLM's per-channel requantization parameters for CONV_2D and DEPTHWISE_CONV_2D
/// (`PopulateConvolutionQuantizationParams`).
///
/// For each output channel `i`: `quantize_multiplier((double)input_scale *
/// (double)filter_scale[i] / (double)output_scale)` — the product of the scales is formed in
/// double precision (unlike FULLY_CONNECTED's per-tensor path). `filter_scales` has either one
/// entry (per-tensor: broadcast to every entry of `out`) or exactly `out.len()` entries
/// (per-channel). `out.len()` is the number of output channels — or 1 when the filter is
/// per-tensor and the caller wants to keep a single entry (the eval functions accept a
/// length-1 slice as a broadcast).
///
/// Errors with [`Error::InvalidArgument`] when the scale count is neither 1 nor `out.len()`,
/// or `out` is empty. Scales are not range-checked (TFLM does not check them either); callers
/// should have verified they are finite and positive.
pub fn per_channel_requant(
    input_scale: f32,
    filter_scales: LeF32s<'_>,
    output_scale: f32,
    out: &mut [Requant],
) -> Result<()> {
    let n = filter_scales.len();
    if out.is_empty() || !(n == 1 || n == out.len()) {
        return Err(Error::InvalidArgument);
    }
    // In integer arithmetic, bit for bit the double-precision derivation (`ScaleRatio`).
    let ratio = ScaleRatio::new(input_scale, output_scale);
    let per_channel = n > 1;
    let broadcast = ratio.multiplier(filter_scales.get(0));
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = if per_channel { ratio.multiplier(filter_scales.get(i)) } else { broadcast };
    }
    Ok(())
}

/// The requantization of output channel `channel` alone (same formula as
/// [`per_channel_requant`]; a single filter scale applies to every channel).
pub fn channel_requant(input_scale: f32, filter_scales: LeF32s<'_>, output_scale: f32, channel: usize) -> Requant {
    let f = if filter_scales.len() > 1 { filter_scales.get(channel) } else { filter_scales.get(0) };
    quantize_multiplier_of_scales(input_scale, f, output_scale)
}

/// Requantizes one accumulator to int8 exactly as TFLM's int8 conv/depthwise/FC epilogue:
/// double-rounding multiply, add the output offset, clamp (lower bound first), narrow.
#[inline(always)]
pub(crate) fn requantize(acc: i32, rq: Requant, output_offset: i32, act_min: i32, act_max: i32) -> i8 {
    let scaled = multiply_by_quantized_multiplier(acc, rq.multiplier, rq.shift).wrapping_add(output_offset);
    // Not `clamp`: TFLM tolerates act_min > act_max (yielding act_max) and `clamp` would panic.
    scaled.max(act_min).min(act_max) as i8
}

/// Checks that a `Dims4` has no dimension above `i32::MAX` and returns its element count.
pub(crate) fn checked_len(d: Dims4) -> Result<usize> {
    let dims = [d.n, d.h, d.w, d.c];
    if dims.iter().any(|&x| x as u64 > i32::MAX as u64) {
        return Err(Error::InvalidArgument);
    }
    dims.iter().try_fold(1usize, |a, &x| a.checked_mul(x)).ok_or(Error::InvalidArgument)
}

/// Checks that `window` is the window of an `input` → `output` image with the filter's
/// spatial size `filter` (`[h, w]`).
pub(crate) fn check_window(window: &Window, input: Dims4, filter: [usize; 2], output: Dims4) -> Result<()> {
    if window.input() == [input.h, input.w] && window.output() == [output.h, output.w] && window.kernel() == filter {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Position `i` of `0..n` in walk order: `i` walking forward, `n - 1 - i` backward
/// (`i < n`).
#[inline(always)]
pub(crate) fn ordered(walk: Walk, i: usize, n: usize) -> usize {
    match walk {
        Walk::Forward => i,
        Walk::Backward => n - 1 - i,
    }
}

/// Prepared CONV_2D (int8 input/output, int8 filter, optional int32 bias).
///
/// Layouts: input `[n, in_h, in_w, in_c]`, filter `[out_c, kh, kw, filter_in_c]`, output
/// `[n, out_h, out_w, out_c]`, all NHWC row-major. Grouped convolution is supported as in
/// TFLM: `groups = in_c / filter_in_c`; output channel `oc` reads input channels
/// `(oc / (out_c / groups)) * filter_in_c ..+ filter_in_c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvParams {
    window: Window,
    input: Dims4,
    filter: Dims4,
    output: Dims4,
    filters_per_group: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl ConvParams {
    /// TFLM's CONV_2D Prepare for int8.
    ///
    /// - `window`: the sliding window over the input (TFLM's SAME/VALID padding,
    ///   [`Window::tflm`], or a folded PAD's explicit padding, [`Window::explicit`]); its
    ///   sizes must be the input's, the output's and the filter's.
    /// - `input`, `filter`, `output`: tensor shapes (see the type docs). Requires
    ///   `input.n == output.n`, `filter.n == output.c`, `filter.c >= 1`,
    ///   `input.c % filter.c == 0` and `output.c % (input.c / filter.c) == 0` (whole groups).
    /// - `io`: input/output zero points and activation clamp.
    ///
    /// Every dimension must fit in an `i32`. Errors: [`Error::InvalidArgument`].
    pub fn new(window: Window, input: Dims4, filter: Dims4, output: Dims4, io: IoQuant) -> Result<ConvParams> {
        checked_len(input)?;
        checked_len(filter)?;
        checked_len(output)?;
        check_window(&window, input, [filter.h, filter.w], output)?;
        if input.n != output.n || filter.n != output.c || filter.c == 0 || input.c % filter.c != 0 {
            return Err(Error::InvalidArgument);
        }
        let groups = input.c / filter.c;
        if groups == 0 || output.c % groups != 0 {
            return Err(Error::InvalidArgument);
        }
        let filters_per_group = output.c / groups;
        Ok(ConvParams {
            window,
            input,
            filter,
            output,
            filters_per_group,
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
    /// Filter shape `[out_c, kh, kw, filter_in_c]`.
    pub fn filter(&self) -> Dims4 {
        self.filter
    }
    /// Output shape.
    pub fn output(&self) -> Dims4 {
        self.output
    }
    /// Input zero point, output zero point and activation clamp, as given to [`ConvParams::new`].
    pub fn io_quant(&self) -> IoQuant {
        IoQuant {
            input_zp: self.input_offset.wrapping_neg(),
            output_zp: self.output_offset,
            act_min: self.act_min,
            act_max: self.act_max,
        }
    }
    /// Number of channel groups (`input.c / filter.c`; 1 for an ordinary convolution).
    pub fn groups(&self) -> usize {
        self.input.c / self.filter.c.max(1)
    }
    /// The call computing the whole output in `walk` order.
    pub fn full_call(&self, walk: Walk) -> WindowCall {
        WindowCall::full(&self.window, self.input, self.output, walk)
    }

    /// Checks the buffer lengths [`conv2d_s8`] needs: `requant_len` is 1 (broadcast) or
    /// `>= out_c`; the filter at least its shape's element count; the bias, if present, at
    /// least `out_c` values (extra values are ignored).
    pub fn check(&self, requant_len: usize, filter_len: usize, bias_len: Option<usize>) -> Result<()> {
        let oc = self.output.c;
        let ok = (requant_len == 1 || requant_len >= oc)
            && filter_len >= self.filter.len()
            && bias_len.is_none_or(|b| b >= oc);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }
}

/// CONV_2D, int8, bit-exact with TFLM's `reference_integer_ops::ConvPerChannel`.
///
/// - `requant`: per-output-channel multipliers from [`per_channel_requant`]; length `out_c`,
///   or 1 to use the same entry for every channel.
/// - `filter`: `[out_c, kh, kw, filter_in_c]` data; `bias`: `out_c` int32 values, or `None`
///   when the operator has no bias.
/// - `call`: the output block to compute from the input block (see [`super::call`]); `io`:
///   input 0 holds the input block, the output the output block (they may share one buffer,
///   see the module docs). Output pixel `q` is written only while it is visited, and then
///   reads only its own window.
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when [`ConvParams::check`] or
/// [`WindowCall::check`] fails.
pub fn conv2d_s8(
    p: &ConvParams,
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
    let fin = fd.c;
    let in_h = ib.h as isize;
    let in_w = ib.w as isize;
    let [pad_top, _, pad_left, _] = call.pad;
    if ob.h == 0 {
        return Ok(()); // empty output
    }
    if p.filters_per_group == 0 {
        return Err(Error::InvalidArgument); // excluded by the constructor
    }
    let out_rows = ob.n * ob.h;
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        let (b, oy) = (row / ob.h, row % ob.h);
        let in_y0 = (oy * rows.stride) as isize - pad_top as isize;
        for s in 0..ob.w {
            let ox = ordered(call.walk, s, ob.w);
            let in_x0 = (ox * cols.stride) as isize - pad_left as isize;
            let out_base = ob.offset(b, oy, ox, 0);
            for oc in 0..ob.c {
                let in_c0 = (oc / p.filters_per_group) * fin;
                // Re-borrowed per channel: earlier writes of this pixel are visible (the walk
                // contract makes them harmless), and the borrow ends before the write below.
                let input = io.input(0, 0, in_len);
                let mut acc: i32 = 0;
                for fy in 0..fd.h {
                    let iy = in_y0 + (fy * rows.dilation) as isize;
                    if iy < 0 || iy >= in_h {
                        continue;
                    }
                    for fx in 0..fd.w {
                        let ix = in_x0 + (fx * cols.dilation) as isize;
                        if ix < 0 || ix >= in_w {
                            continue;
                        }
                        let at = ib.offset(b, iy as usize, ix as usize, in_c0);
                        let fb = fd.offset(oc, fy, fx, 0);
                        // In range once the checks passed; `get` only replaces a panic by an error.
                        let (Some(xs), Some(fs)) = (input.get(at..at + fin), filter.get(fb..fb + fin)) else {
                            return Err(Error::InvalidArgument);
                        };
                        for (&i, &f) in xs.iter().zip(fs) {
                            acc = acc.wrapping_add((f as i32).wrapping_mul((i as i32).wrapping_add(p.input_offset)));
                        }
                    }
                }
                if let Some(bias) = bias {
                    acc = acc.wrapping_add(bias.get(oc));
                }
                let rq = requant.get(oc * rq_step).ok_or(Error::InvalidArgument)?;
                io.set(out_base + oc, requantize(acc, *rq, p.output_offset, p.act_min, p.act_max));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{both_walks, conv, conv_padded, d, f32s, i32s, io, rq, win};
    use super::*;
    use crate::geometry::Padding;
    use crate::quant::{activation_range_i8, Activation};

    /// The kernel over separate buffers, both walks compared.
    fn run(
        p: &ConvParams,
        r: &[Requant],
        input: &[i8],
        filter: &[i8],
        bias: Option<LeI32s<'_>>,
        out: &mut [i8],
    ) -> Result<()> {
        both_walks(|io, walk| conv2d_s8(p, r, filter, bias, &p.full_call(walk), io), input, out)
    }

    /// 5x5x1 input, 3x3 all-ones filter, SAME, stride 2 → 3x3 output, pad 1 on top/left.
    /// Input real values (q - zp) are 5y + x - 10; window sums worked by hand:
    /// [-28, -33, -16, 3, 18, 21, 32, 57, 44]. Bias 5 → [-23, -28, -11, 8, 23, 26, 37, 62, 49].
    /// Effective scale 1*1/2 = 0.5 → multiplier 2^30, shift 0: a single rounding-doubling
    /// high multiply, which rounds ties upward (-11.5 → -11, 11.5 → 12, -5.5 → -5).
    /// Then + output zp 1.
    #[test]
    fn same_stride2_odd_size_with_bias() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| (v - 12) as i8).collect(); // zp -2
        let filter = [1i8; 9];
        let bias = i32s(&[5]);
        let p = conv(win(Padding::Same, 2, 2, 1, 1), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 1)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (1, 1));
        let r = rq(1.0, &[1.0], 2.0, 1);
        assert_eq!(r[0], Requant { multiplier: 1 << 30, shift: 0 });
        let mut out = [0i8; 9];
        run(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
        assert_eq!(out, [-10, -13, -4, 5, 13, 14, 20, 32, 26]);
    }

    /// Without bias, identity scale (1.0 → multiplier 2^30, shift 1): raw window sums.
    #[test]
    fn same_stride2_no_bias_identity_scale() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| (v - 12) as i8).collect();
        let p = conv(win(Padding::Same, 2, 2, 1, 1), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 0)).unwrap();
        let r = rq(0.5, &[0.5], 0.25, 1);
        assert_eq!(r[0], Requant { multiplier: 1 << 30, shift: 1 });
        let mut out = [0i8; 9];
        run(&p, &r, &input, &[1i8; 9], None, &mut out).unwrap();
        assert_eq!(out, [-28, -33, -16, 3, 18, 21, 32, 57, 44]);
    }

    /// 1x1 conv, 2 input channels, 3 output channels with filter scales [0.5, 0.25, 3.0],
    /// input scale 0.5, output scale 1 → effective [0.25, 0.125, 1.5]:
    /// (2^30,-1), (2^30,-2), (0.75*2^31, 1). Input zp 1, output zp -1, bias [1, -3, 0].
    /// Pixel 0 (q-zp = [4,-4]): acc [9, -31, 0] → [2.25→3 (double rounding: 4.5→5, 2.5→3),
    /// -3.875→-4 (-15.5→-15, -3.75→-4), 0] + zp → [2, -5, -1].
    /// Pixel 1 (q-zp = [-8,9]): acc [-14, 58, 7] → [-7 → -3.5 → -4, 29 → 7.25 → 7,
    /// 2*7=14 → 10.5 → 11] + zp → [-5, 6, 10].
    #[test]
    fn per_channel_scales() {
        let input = [5i8, -3, -7, 10];
        let filter = [3i8, 1, -2, 5, 7, 7];
        let bias = i32s(&[1, -3, 0]);
        let r = rq(0.5, &[0.5, 0.25, 3.0], 1.0, 3);
        assert_eq!(
            r,
            [
                Requant { multiplier: 1 << 30, shift: -1 },
                Requant { multiplier: 1 << 30, shift: -2 },
                Requant { multiplier: 1_610_612_736, shift: 1 },
            ]
        );
        let p = conv(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 2, 2), d(3, 1, 1, 2), d(1, 1, 2, 3), io(1, -1)).unwrap();
        let mut out = [0i8; 6];
        run(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
        assert_eq!(out, [2, -5, -1, -5, 6, 10]);
    }

    /// Saturation at both ends and a fused RELU6 clamp.
    #[test]
    fn saturation_and_activation() {
        // 1x1 conv, identity scale: 100*127 = 12700 → 127; -100*127 → -128.
        let p = conv(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 2, 1), d(1, 1, 1, 1), d(1, 1, 2, 1), io(0, 0)).unwrap();
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 2];
        run(&p, &r, &[100, -100], &[127], None, &mut out).unwrap();
        assert_eq!(out, [127, -128]);
        // Extreme input zp: input -128 with zp 127 → -255 per tap; bias pushes further.
        let p = conv(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 1, 1), d(1, 1, 1, 1), d(1, 1, 1, 1), io(127, 0)).unwrap();
        run(&p, &r, &[-128], &[-128], Some(LeI32s::new(&i32s(&[-32640]))), &mut out[..1]).unwrap();
        // -255 * -128 = 32640; + bias -32640 = 0.
        assert_eq!(out[0], 0);
        // RELU6 at output scale 0.05, zp -10: range [-10, -10 + 120 = 110].
        let (lo, hi) = activation_range_i8(Activation::Relu6, 0.05, -10);
        assert_eq!((lo, hi), (-10, 110));
        let p = conv(
            win(Padding::Valid, 1, 1, 1, 1),
            d(1, 1, 3, 1),
            d(1, 1, 1, 1),
            d(1, 1, 3, 1),
            IoQuant { input_zp: 0, output_zp: -10, act_min: lo, act_max: hi },
        )
        .unwrap();
        let mut out = [0i8; 3];
        // acc = q * 1, identity scale: [-5, 50, 127] + zp -10 → [-15, 40, 117] → [-10, 40, 110].
        run(&p, &r, &[-5, 50, 127], &[1], None, &mut out).unwrap();
        assert_eq!(out, [-10, 40, 110]);
    }

    /// 5x5x1 input q = 5y + x (zp 0), 3x3 filter of ones with centre 2, dilation 2, SAME:
    /// effective window 5, pad 2. Hand-derived: (0,0)=24, (0,1)=29, (1,1)=54, (2,2)=120,
    /// (4,4)=96.
    #[test]
    fn dilation_two_same() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| v as i8).collect();
        let mut filter = [1i8; 9];
        filter[4] = 2;
        let p = conv(win(Padding::Same, 1, 1, 2, 2), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 5, 5, 1), io(0, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (2, 2));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 25];
        run(&p, &r, &input, &filter, None, &mut out).unwrap();
        assert_eq!(out[0], 24);
        assert_eq!(out[1], 29);
        assert_eq!(out[6], 54);
        assert_eq!(out[12], 120);
        assert_eq!(out[24], 96);
    }

    /// Non-square: input 3x4 (q = 4y + x), filter 2x1 = [1, 10], stride (1, 2), VALID → 2x2:
    /// out(oy,ox) = q(oy, 2ox) + 10 q(oy+1, 2ox) = [40, 62, 84, 106].
    #[test]
    fn asymmetric_stride_valid() {
        let input: std::vec::Vec<i8> = (0..12).map(|v| v as i8).collect();
        let p = conv(win(Padding::Valid, 1, 2, 1, 1), d(1, 3, 4, 1), d(1, 2, 1, 1), d(1, 2, 2, 1), io(0, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (0, 0));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 4];
        run(&p, &r, &input, &[1, 10], None, &mut out).unwrap();
        assert_eq!(out, [40, 62, 84, 106]);
    }

    /// Two batches, SAME 2x2 filter stride 1 on a 2x2 image: total padding 1 → pad_top 0
    /// (the extra row/column goes after). Filter [[1,2],[3,4]], input zp 0.
    /// Batch 0 q = [1,2,3,4]: (0,0)=1+4+9+16=30, (0,1)=1*2+3*4=14, (1,0)=1*3+2*4=11, (1,1)=4.
    /// Batch 1 q = -q0: negated.
    #[test]
    fn batches_and_trailing_padding() {
        let p = conv(win(Padding::Same, 1, 1, 1, 1), d(2, 2, 2, 1), d(1, 2, 2, 1), d(2, 2, 2, 1), io(0, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (0, 0));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 8];
        run(&p, &r, &[1, 2, 3, 4, -1, -2, -3, -4], &[1, 2, 3, 4], None, &mut out).unwrap();
        assert_eq!(out, [30, 14, 11, 4, -30, -14, -11, -4]);
    }

    /// Grouped conv: 4 input channels, filter_in_c 2 → 2 groups of 2 output channels.
    #[test]
    fn groups() {
        let p = conv(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 1, 4), d(4, 1, 1, 2), d(1, 1, 1, 4), io(0, 0)).unwrap();
        assert_eq!(p.groups(), 2);
        let r = rq(1.0, &[1.0], 1.0, 4);
        let mut out = [0i8; 4];
        run(&p, &r, &[1, 2, 3, 4], &[1, 0, 0, 1, 1, 1, 2, -1], None, &mut out).unwrap();
        assert_eq!(out, [1, 2, 7, 2]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let w = win(Padding::Same, 1, 1, 1, 1);
        let ok = conv(w, d(1, 4, 4, 4), d(4, 3, 3, 2), d(1, 4, 4, 4), io(0, 0));
        assert!(ok.is_ok());
        // Zero stride / dilation.
        assert!(conv(win(Padding::Same, 0, 1, 1, 1), d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 4), io(0, 0)).is_err());
        assert!(conv(win(Padding::Same, 1, 1, 1, 0), d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 4), io(0, 0)).is_err());
        // Channels not a multiple of the filter depth; output channels not whole groups.
        assert!(conv(w, d(1, 4, 4, 4), d(4, 3, 3, 3), d(1, 4, 4, 4), io(0, 0)).is_err());
        assert!(conv(w, d(1, 4, 4, 4), d(3, 3, 3, 2), d(1, 4, 4, 3), io(0, 0)).is_err());
        // Batch or output-channel mismatch.
        assert!(conv(w, d(1, 4, 4, 4), d(4, 3, 3, 4), d(2, 4, 4, 4), io(0, 0)).is_err());
        assert!(conv(w, d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 5), io(0, 0)).is_err());
        // Requant count.
        let bytes = f32s(&[1.0, 1.0]);
        let mut out = [Requant::default(); 3];
        assert!(per_channel_requant(1.0, LeF32s::new(&bytes), 1.0, &mut out).is_err());
        // Short buffers: error, no panic.
        let p = ok.unwrap();
        let r = [Requant::default(); 2];
        let mut o = [0i8; 64];
        assert!(run(&p, &r, &[0; 64], &[0; 72], None, &mut o).is_err());
        let r = [Requant::default(); 4];
        assert!(run(&p, &r, &[0; 63], &[0; 72], None, &mut o).is_err());
        assert!(run(&p, &r, &[0; 64], &[0; 72], Some(LeI32s::new(&[0; 15])), &mut o).is_err());
        assert!(run(&p, &r, &[0; 64], &[0; 72], None, &mut o[..63]).is_err());
        assert!(run(&p, &r, &[0; 64], &[0; 72], None, &mut o).is_ok());
    }

    /// Explicit padding [1, 1, 1, 1] reproduces the SAME stride-2 hand example exactly.
    #[test]
    fn explicit_padding_matches_same() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| (v - 12) as i8).collect();
        let p = conv_padded([1, 1, 1, 1], 2, 2, 1, 1, d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 1)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (1, 1));
        let r = rq(1.0, &[1.0], 2.0, 1);
        let mut out = [0i8; 9];
        run(&p, &r, &input, &[1i8; 9], Some(LeI32s::new(&i32s(&[5]))), &mut out).unwrap();
        assert_eq!(out, [-10, -13, -4, 5, 13, 14, 20, 32, 26]);
    }

    /// Asymmetric explicit padding (top 0, bottom 1, left 1, right 0) around a 2x2 image with
    /// real values [1, 2, 3, 4] stored with zero point 5; padded taps count as the zero point:
    /// padded image [[0,1,2],[0,3,4],[0,0,0]], filter [[1,2],[3,4]], VALID stride 1 →
    /// (0,0) = 2 + 12 = 14, (0,1) = 1 + 4 + 9 + 16 = 30, (1,0) = 3·2 = 6, (1,1) = 3 + 8 = 11.
    #[test]
    fn explicit_asymmetric_padding() {
        let p = conv_padded([0, 1, 1, 0], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 2, 2, 1), d(1, 2, 2, 1), io(5, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (0, 1));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 4];
        run(&p, &r, &[6, 7, 8, 9], &[1, 2, 3, 4], None, &mut out).unwrap();
        assert_eq!(out, [14, 30, 6, 11]);
        // Output extents other than the VALID size over the padded input are refused.
        let wp = |pad, out| conv_padded(pad, 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 2, 2, 1), out, io(0, 0));
        assert!(wp([0, 1, 1, 0], d(1, 3, 2, 1)).is_err());
        assert!(wp([0, 1, 1, 0], d(1, 2, 3, 1)).is_err());
        assert!(wp([1, 1, 1, 1], d(1, 3, 3, 1)).is_ok());
        // Window larger than the padded input by less than a stride: empty output.
        assert!(wp([0, 0, 0, 0], d(1, 1, 1, 1)).is_ok());
        let p = conv_padded([0; 4], 2, 2, 1, 1, d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_ok());
        let p = conv_padded([0; 4], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_ok());
        let p = conv_padded([0; 4], 1, 1, 1, 1, d(1, 1, 1, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_err());
        // Zero stride or dilation, huge padding.
        let z = conv_padded([0; 4], 0, 1, 1, 1, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
        let z = conv_padded([0; 4], 1, 1, 1, 0, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
        let h = i32::MAX as usize;
        let z = conv_padded([h, 1, 0, 0], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
    }

    /// VALID with a window larger than the input: TFLM falls back to zero padding and the
    /// output tensor's (empty) extent drives the loops.
    #[test]
    fn valid_window_larger_than_input() {
        let p = conv(win(Padding::Valid, 1, 1, 1, 1), d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0)).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (0, 0));
        let mut out = [0i8; 0];
        assert!(run(&p, &[Requant::default()], &[0; 4], &[0; 9], None, &mut out).is_ok());
    }

    /// Conv multipliers use the double-precision product of the scales.
    /// (1 + 2^-12)^2 / 2 = 0.5 + 2^-12 + 2^-25 → 2^30 + 2^19 + 2^6, shift 0.
    #[test]
    fn requant_uses_double_product() {
        let s = 1.0 + 1.0 / 4096.0;
        let r = rq(s, &[s], 2.0, 1);
        assert_eq!(r[0], Requant { multiplier: (1 << 30) + (1 << 19) + (1 << 6), shift: 0 });
        // Broadcast of a per-tensor scale.
        let r = rq(0.5, &[0.5], 1.0, 3);
        assert!(r.iter().all(|x| *x == Requant { multiplier: 1 << 30, shift: -1 }));
    }
}
