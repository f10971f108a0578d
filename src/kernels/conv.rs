//! CONV_2D for int8 activations and int8 filters, bit-exact with TFLM's per-channel reference
//! convolution (which TFLM also uses for per-tensor filters, broadcasting the one scale).
//!
//! Also home of the pieces CONV_2D shares with DEPTHWISE_CONV_2D: the window geometry
//! ([`Window`]), the int8 zero points and clamp ([`IoQuant`]) and the per-channel requantization
//! ([`per_channel_requant`]).
//!
//! Walk order and shared buffers: the eval functions read the activation input and write the
//! output through [`Io`], so the output may overlap the input in one buffer. They visit output
//! pixels `(batch, y, x)` in the order given by [`Walk`] (ascending or descending) and write a
//! pixel's channels only while visiting it, after which nothing of that pixel is written
//! again; a pixel's reads all happen while it is visited. That is the contract
//! `crate::plan::overlap` relies on.
//!
//! Arithmetic: a 32-bit accumulator sums `filter * (input - input_zp)` over the taps that fall
//! inside the image (padding contributes nothing), adds the optional bias, is requantized by
//! TFLM's double-rounding `MultiplyByQuantizedMultiplier` with the output channel's
//! multiplier/shift, offset by the output zero point, clamped to the activation range (first
//! the lower bound, then the upper) and narrowed to int8. Accumulator arithmetic wraps on
//! overflow, as TFLM's does on every target it runs on. The filter zero point is ignored, as
//! TFLM's reference convolution ignores it (int8 filters are symmetric).

use super::io::{Io, Walk};
use super::{out_size, padding_before, Dims4, LeF32s, LeI32s, Padding};
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier, Requant};
use crate::{Error, Result};

/// Largest value TFLM's `int` arithmetic can hold; every extent and index bound is checked
/// against it so that index arithmetic never overflows on a 32-bit target.
const INT_MAX: u64 = i32::MAX as u64;

/// Sliding-window geometry of CONV_2D and DEPTHWISE_CONV_2D (the schema options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// SAME or VALID.
    pub padding: Padding,
    /// Vertical stride, >= 1.
    pub stride_h: usize,
    /// Horizontal stride, >= 1.
    pub stride_w: usize,
    /// Vertical dilation factor, >= 1.
    pub dilation_h: usize,
    /// Horizontal dilation factor, >= 1.
    pub dilation_w: usize,
}

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
    let input_scale = input_scale as f64;
    let output_scale = output_scale as f64;
    let per_channel = n > 1;
    let broadcast = quantize_multiplier(input_scale * filter_scales.get(0) as f64 / output_scale);
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = if per_channel {
            quantize_multiplier(input_scale * filter_scales.get(i) as f64 / output_scale)
        } else {
            broadcast
        };
    }
    Ok(())
}

/// The requantization of output channel `channel` alone (same formula as
/// [`per_channel_requant`]; a single filter scale applies to every channel).
pub fn channel_requant(input_scale: f32, filter_scales: LeF32s<'_>, output_scale: f32, channel: usize) -> Requant {
    let f = if filter_scales.len() > 1 { filter_scales.get(channel) } else { filter_scales.get(0) };
    quantize_multiplier(input_scale as f64 * f as f64 / output_scale as f64)
}

/// Requantizes one accumulator to int8 exactly as TFLM's int8 conv/depthwise/FC epilogue:
/// double-rounding multiply, add the output offset, clamp (lower bound first), narrow.
#[inline(always)]
pub(crate) fn requantize(acc: i32, rq: Requant, output_offset: i32, act_min: i32, act_max: i32) -> i8 {
    let scaled = multiply_by_quantized_multiplier(acc, rq.multiplier, rq.shift).wrapping_add(output_offset);
    // Not `clamp`: TFLM tolerates act_min > act_max (yielding act_max) and `clamp` would panic.
    scaled.max(act_min).min(act_max) as i8
}

/// Checks that a `Dims4` has no dimension above `INT_MAX` and returns its element count.
pub(crate) fn checked_len(d: Dims4) -> Result<usize> {
    let dims = [d.n, d.h, d.w, d.c];
    if dims.iter().any(|&x| x as u64 > INT_MAX) {
        return Err(Error::InvalidArgument);
    }
    dims.iter().try_fold(1usize, |a, &x| a.checked_mul(x)).ok_or(Error::InvalidArgument)
}

/// Leading padding along one axis, as TFLM's conv Prepare derives it: from the output extent
/// *computed* from the input (not the output tensor's extent). When that computation fails
/// (VALID with a window larger than the input) TFLM silently uses zero padding. Also checks
/// that the last window position fits TFLM's `int` arithmetic for the given output extent.
pub(crate) fn axis_padding(
    padding: Padding,
    in_size: usize,
    filter: usize,
    stride: usize,
    dilation: usize,
    out: usize,
) -> Result<usize> {
    if stride == 0 || dilation == 0 || filter == 0 {
        return Err(Error::InvalidArgument);
    }
    if [in_size, filter, stride, dilation, out].iter().any(|&x| x as u64 > INT_MAX) {
        return Err(Error::InvalidArgument);
    }
    // Largest input coordinate the eval forms (before subtracting the padding).
    let last = (out.saturating_sub(1) as u64) * stride as u64 + (filter as u64 - 1) * dilation as u64;
    if last > INT_MAX {
        return Err(Error::InvalidArgument);
    }
    let pad = match out_size(padding, in_size, filter, stride, dilation) {
        Some(computed) => padding_before(stride, dilation, in_size, filter, computed),
        None => 0,
    };
    if pad as u64 > INT_MAX {
        return Err(Error::InvalidArgument);
    }
    Ok(pad)
}

/// Validates one axis of an explicitly padded window (a PAD folded into the convolution): the
/// output extent must be what a VALID window gives over the padded input,
/// `(in + before + after - effective) / stride + 1` (TFLM's VALID `ComputeOutSize`, which is
/// 0 when the padded input is shorter than the window by less than a stride), and every
/// extent, padding and the last window position must fit TFLM's `int` arithmetic.
pub(crate) fn explicit_axis(
    in_size: usize,
    before: usize,
    after: usize,
    filter: usize,
    stride: usize,
    dilation: usize,
    out: usize,
) -> Result<()> {
    if [in_size, before, after, filter, stride, dilation, out].iter().any(|&x| x as u64 > INT_MAX) {
        return Err(Error::InvalidArgument);
    }
    let padded = in_size as u64 + before as u64 + after as u64;
    if padded > INT_MAX {
        return Err(Error::InvalidArgument);
    }
    let expected = out_size(Padding::Valid, padded as usize, filter, stride, dilation).ok_or(Error::InvalidArgument)?;
    if expected != out {
        return Err(Error::InvalidArgument);
    }
    // Largest padded coordinate the eval forms (the output fits, so this is below `padded`).
    let last = (out.saturating_sub(1) as u64) * stride as u64 + (filter as u64 - 1) * dilation as u64;
    if last > INT_MAX {
        return Err(Error::InvalidArgument);
    }
    Ok(())
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
    input: Dims4,
    filter: Dims4,
    output: Dims4,
    stride_h: usize,
    stride_w: usize,
    dilation_h: usize,
    dilation_w: usize,
    pad_top: usize,
    pad_left: usize,
    filters_per_group: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl ConvParams {
    /// TFLM's CONV_2D Prepare for int8.
    ///
    /// - `window`: strides, dilations (all >= 1) and padding type. The leading padding is
    ///   derived as TFLM does (see [`ConvParams::pad_top`]).
    /// - `input`, `filter`, `output`: tensor shapes (see the type docs). Requires
    ///   `input.n == output.n`, `filter.n == output.c`, `filter.c >= 1`,
    ///   `input.c % filter.c == 0` and `output.c % (input.c / filter.c) == 0` (whole groups).
    ///   `output.h`/`output.w` are taken from the output tensor as given — TFLM does not
    ///   require them to match the computed extent, and neither does this kernel.
    /// - `io`: input/output zero points and activation clamp.
    ///
    /// Every dimension, and the last window position, must fit in an `i32`. Errors:
    /// [`Error::InvalidArgument`].
    pub fn new(window: Window, input: Dims4, filter: Dims4, output: Dims4, io: IoQuant) -> Result<ConvParams> {
        let pad_top = axis_padding(window.padding, input.h, filter.h, window.stride_h, window.dilation_h, output.h)?;
        let pad_left = axis_padding(window.padding, input.w, filter.w, window.stride_w, window.dilation_w, output.w)?;
        let strides = (window.stride_h, window.stride_w);
        let dilations = (window.dilation_h, window.dilation_w);
        Self::build(input, filter, output, strides, dilations, (pad_top, pad_left), io)
    }

    /// CONV_2D with explicit (virtual) zero padding, for a PAD operator folded into a VALID
    /// convolution.
    ///
    /// - `pad`: `[top, bottom, left, right]` rows/columns around the *unpadded* `input`.
    ///   Padded taps contribute nothing to the sum, exactly what padding the input with the
    ///   input zero point would give (TFLM subtracts the zero point from every tap), so
    ///   `PAD(value = input_zp)` followed by a VALID CONV_2D equals this convolution bit for
    ///   bit.
    /// - `stride_h`, `stride_w`, `dilation_h`, `dilation_w`: >= 1.
    /// - `input` (unpadded), `filter`, `output`, `io`: as for [`ConvParams::new`]. The output
    ///   height must be `(input.h + top + bottom - ((filter.h - 1) * dilation_h + 1)) /
    ///   stride_h + 1` (TFLM's VALID output size over the padded input; 0 when the padded
    ///   input is shorter than the window by less than a stride), the width likewise.
    ///
    /// Every dimension, padding, padded extent and the last window position must fit in an
    /// `i32`. Errors: [`Error::InvalidArgument`].
    #[allow(clippy::too_many_arguments)]
    pub fn with_padding(
        pad: [usize; 4],
        stride_h: usize,
        stride_w: usize,
        dilation_h: usize,
        dilation_w: usize,
        input: Dims4,
        filter: Dims4,
        output: Dims4,
        io: IoQuant,
    ) -> Result<ConvParams> {
        let [top, bottom, left, right] = pad;
        explicit_axis(input.h, top, bottom, filter.h, stride_h, dilation_h, output.h)?;
        explicit_axis(input.w, left, right, filter.w, stride_w, dilation_w, output.w)?;
        Self::build(input, filter, output, (stride_h, stride_w), (dilation_h, dilation_w), (top, left), io)
    }

    fn build(
        input: Dims4,
        filter: Dims4,
        output: Dims4,
        (stride_h, stride_w): (usize, usize),
        (dilation_h, dilation_w): (usize, usize),
        (pad_top, pad_left): (usize, usize),
        io: IoQuant,
    ) -> Result<ConvParams> {
        checked_len(input)?;
        checked_len(filter)?;
        checked_len(output)?;
        if input.n != output.n || filter.n != output.c || filter.c == 0 || input.c % filter.c != 0 {
            return Err(Error::InvalidArgument);
        }
        let groups = input.c / filter.c;
        if groups == 0 || output.c % groups != 0 {
            return Err(Error::InvalidArgument);
        }
        let filters_per_group = output.c / groups;
        Ok(ConvParams {
            input,
            filter,
            output,
            stride_h,
            stride_w,
            dilation_h,
            dilation_w,
            pad_top,
            pad_left,
            filters_per_group,
            input_offset: io.input_zp.wrapping_neg(),
            output_offset: io.output_zp,
            act_min: io.act_min,
            act_max: io.act_max,
        })
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
    /// Rows of zero padding above the image: TFLM's `ComputePadding` for the output height
    /// computed from the input (0 for VALID), or the explicit top padding of
    /// [`ConvParams::with_padding`].
    pub fn pad_top(&self) -> usize {
        self.pad_top
    }
    /// Columns of zero padding left of the image (as [`ConvParams::pad_top`]; the explicit
    /// left padding of [`ConvParams::with_padding`]).
    pub fn pad_left(&self) -> usize {
        self.pad_left
    }
    /// `(stride_h, stride_w)`.
    pub fn strides(&self) -> (usize, usize) {
        (self.stride_h, self.stride_w)
    }
    /// `(dilation_h, dilation_w)`.
    pub fn dilations(&self) -> (usize, usize) {
        (self.dilation_h, self.dilation_w)
    }
    /// Number of channel groups (`input.c / filter.c`; 1 for an ordinary convolution).
    pub fn groups(&self) -> usize {
        self.input.c / self.filter.c.max(1)
    }

    /// Checks the buffer lengths [`conv2d_s8`] needs: `requant_len` is 1 (broadcast) or
    /// `>= out_c`; input, filter and output at least their shapes' element counts; the bias,
    /// if present, at least `out_c` values (extra values are ignored).
    pub fn check(
        &self,
        requant_len: usize,
        input_len: usize,
        filter_len: usize,
        bias_len: Option<usize>,
        output_len: usize,
    ) -> Result<()> {
        let oc = self.output.c;
        let ok = (requant_len == 1 || requant_len >= oc)
            && input_len >= self.input.len()
            && filter_len >= self.filter.len()
            && bias_len.is_none_or(|b| b >= oc)
            && output_len >= self.output.len();
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
/// - `io`: input 0 is the NHWC activation input, the output the NHWC output, of the shapes
///   given to the constructor; they may share one buffer (see the module docs).
/// - `filter`: `[out_c, kh, kw, filter_in_c]` data; `bias`: `out_c` int32 values, or `None`
///   when the operator has no bias.
/// - `walk`: the order in which output pixels are visited ([`Walk::Forward`]: batch, rows top
///   to bottom, columns left to right; [`Walk::Backward`]: the reverse). Output pixel `q` is
///   written only while it is visited, and then reads only its own window (input rows
///   `oy*stride_h - pad_top ..` within the image).
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when [`ConvParams::check`] fails
/// for `io.input_len(0)` / `io.output_len()`.
pub fn conv2d_s8(
    p: &ConvParams,
    requant: &[Requant],
    io: &mut Io<'_>,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    walk: Walk,
) -> Result<()> {
    p.check(requant.len(), io.input_len(0), filter.len(), bias.map(|b| b.len()), io.output_len())?;
    let (ind, fd, od) = (p.input, p.filter, p.output);
    let in_len = ind.len();
    let rq_step = usize::from(requant.len() != 1);
    let fin = fd.c;
    let in_h = ind.h as isize;
    let in_w = ind.w as isize;
    if od.h == 0 {
        return Ok(()); // empty output
    }
    if p.filters_per_group == 0 {
        return Err(Error::InvalidArgument); // excluded by the constructor
    }
    let rows = od.n * od.h;
    for r in 0..rows {
        let row = ordered(walk, r, rows);
        let (b, oy) = (row / od.h, row % od.h);
        let in_y0 = (oy * p.stride_h) as isize - p.pad_top as isize;
        for s in 0..od.w {
            let ox = ordered(walk, s, od.w);
            let in_x0 = (ox * p.stride_w) as isize - p.pad_left as isize;
            let out_base = od.offset(b, oy, ox, 0);
            for oc in 0..od.c {
                let in_c0 = (oc / p.filters_per_group) * fin;
                // Re-borrowed per channel: earlier writes of this pixel are visible (the walk
                // contract makes them harmless), and the borrow ends before the write below.
                let input = io.input(0, 0, in_len);
                let mut acc: i32 = 0;
                for fy in 0..fd.h {
                    let iy = in_y0 + (fy * p.dilation_h) as isize;
                    if iy < 0 || iy >= in_h {
                        continue;
                    }
                    for fx in 0..fd.w {
                        let ix = in_x0 + (fx * p.dilation_w) as isize;
                        if ix < 0 || ix >= in_w {
                            continue;
                        }
                        let ib = ind.offset(b, iy as usize, ix as usize, in_c0);
                        let fb = fd.offset(oc, fy, fx, 0);
                        // In range once `check` passed; `get` only replaces a panic by an error.
                        let (Some(xs), Some(fs)) = (input.get(ib..ib + fin), filter.get(fb..fb + fin)) else {
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
    use super::super::test_support::{both_walks, d, f32s, i32s, io, rq, win};
    use super::*;
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
        both_walks(|io, walk| conv2d_s8(p, r, io, filter, bias, walk), input, out)
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
        let p = ConvParams::new(win(Padding::Same, 2, 2, 1, 1), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 1))
            .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (1, 1));
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
        let p = ConvParams::new(win(Padding::Same, 2, 2, 1, 1), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 0))
            .unwrap();
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
        let p =
            ConvParams::new(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 2, 2), d(3, 1, 1, 2), d(1, 1, 2, 3), io(1, -1))
                .unwrap();
        let mut out = [0i8; 6];
        run(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
        assert_eq!(out, [2, -5, -1, -5, 6, 10]);
    }

    /// Saturation at both ends and a fused RELU6 clamp.
    #[test]
    fn saturation_and_activation() {
        // 1x1 conv, identity scale: 100*127 = 12700 → 127; -100*127 → -128.
        let p = ConvParams::new(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 2, 1), d(1, 1, 1, 1), d(1, 1, 2, 1), io(0, 0))
            .unwrap();
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 2];
        run(&p, &r, &[100, -100], &[127], None, &mut out).unwrap();
        assert_eq!(out, [127, -128]);
        // Extreme input zp: input -128 with zp 127 → -255 per tap; bias pushes further.
        let p =
            ConvParams::new(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 1, 1), d(1, 1, 1, 1), d(1, 1, 1, 1), io(127, 0))
                .unwrap();
        run(&p, &r, &[-128], &[-128], Some(LeI32s::new(&i32s(&[-32640]))), &mut out[..1]).unwrap();
        // -255 * -128 = 32640; + bias -32640 = 0.
        assert_eq!(out[0], 0);
        // RELU6 at output scale 0.05, zp -10: range [-10, -10 + 120 = 110].
        let (lo, hi) = activation_range_i8(Activation::Relu6, 0.05, -10);
        assert_eq!((lo, hi), (-10, 110));
        let p = ConvParams::new(
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
        let p = ConvParams::new(win(Padding::Same, 1, 1, 2, 2), d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 5, 5, 1), io(0, 0))
            .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (2, 2));
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
        let p = ConvParams::new(win(Padding::Valid, 1, 2, 1, 1), d(1, 3, 4, 1), d(1, 2, 1, 1), d(1, 2, 2, 1), io(0, 0))
            .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (0, 0));
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
        let p = ConvParams::new(win(Padding::Same, 1, 1, 1, 1), d(2, 2, 2, 1), d(1, 2, 2, 1), d(2, 2, 2, 1), io(0, 0))
            .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (0, 0));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 8];
        run(&p, &r, &[1, 2, 3, 4, -1, -2, -3, -4], &[1, 2, 3, 4], None, &mut out).unwrap();
        assert_eq!(out, [30, 14, 11, 4, -30, -14, -11, -4]);
    }

    /// Grouped conv: 4 input channels, filter_in_c 2 → 2 groups of 2 output channels.
    #[test]
    fn groups() {
        let p = ConvParams::new(win(Padding::Valid, 1, 1, 1, 1), d(1, 1, 1, 4), d(4, 1, 1, 2), d(1, 1, 1, 4), io(0, 0))
            .unwrap();
        assert_eq!(p.groups(), 2);
        let r = rq(1.0, &[1.0], 1.0, 4);
        let mut out = [0i8; 4];
        run(&p, &r, &[1, 2, 3, 4], &[1, 0, 0, 1, 1, 1, 2, -1], None, &mut out).unwrap();
        assert_eq!(out, [1, 2, 7, 2]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let w = win(Padding::Same, 1, 1, 1, 1);
        let ok = ConvParams::new(w, d(1, 4, 4, 4), d(4, 3, 3, 2), d(1, 4, 4, 4), io(0, 0));
        assert!(ok.is_ok());
        // Zero stride / dilation.
        assert!(ConvParams::new(win(Padding::Same, 0, 1, 1, 1), d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 4), io(0, 0))
            .is_err());
        assert!(ConvParams::new(win(Padding::Same, 1, 1, 1, 0), d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 4), io(0, 0))
            .is_err());
        // Channels not a multiple of the filter depth; output channels not whole groups.
        assert!(ConvParams::new(w, d(1, 4, 4, 4), d(4, 3, 3, 3), d(1, 4, 4, 4), io(0, 0)).is_err());
        assert!(ConvParams::new(w, d(1, 4, 4, 4), d(3, 3, 3, 2), d(1, 4, 4, 3), io(0, 0)).is_err());
        // Batch or output-channel mismatch.
        assert!(ConvParams::new(w, d(1, 4, 4, 4), d(4, 3, 3, 4), d(2, 4, 4, 4), io(0, 0)).is_err());
        assert!(ConvParams::new(w, d(1, 4, 4, 4), d(4, 3, 3, 4), d(1, 4, 4, 5), io(0, 0)).is_err());
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
        let p =
            ConvParams::with_padding([1, 1, 1, 1], 2, 2, 1, 1, d(1, 5, 5, 1), d(1, 3, 3, 1), d(1, 3, 3, 1), io(-2, 1))
                .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (1, 1));
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
        let p =
            ConvParams::with_padding([0, 1, 1, 0], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 2, 2, 1), d(1, 2, 2, 1), io(5, 0))
                .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (0, 1));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 4];
        run(&p, &r, &[6, 7, 8, 9], &[1, 2, 3, 4], None, &mut out).unwrap();
        assert_eq!(out, [14, 30, 6, 11]);
        // Output extents other than the VALID size over the padded input are refused.
        let wp = |pad, out| ConvParams::with_padding(pad, 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 2, 2, 1), out, io(0, 0));
        assert!(wp([0, 1, 1, 0], d(1, 3, 2, 1)).is_err());
        assert!(wp([0, 1, 1, 0], d(1, 2, 3, 1)).is_err());
        assert!(wp([1, 1, 1, 1], d(1, 3, 3, 1)).is_ok());
        // Window larger than the padded input by less than a stride: empty output.
        assert!(wp([0, 0, 0, 0], d(1, 1, 1, 1)).is_ok());
        let p = ConvParams::with_padding([0; 4], 2, 2, 1, 1, d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_ok());
        let p = ConvParams::with_padding([0; 4], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_ok());
        let p = ConvParams::with_padding([0; 4], 1, 1, 1, 1, d(1, 1, 1, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0));
        assert!(p.is_err());
        // Zero stride or dilation, huge padding.
        let z = ConvParams::with_padding([0; 4], 0, 1, 1, 1, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
        let z = ConvParams::with_padding([0; 4], 1, 1, 1, 0, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
        let h = i32::MAX as usize;
        let z =
            ConvParams::with_padding([h, 1, 0, 0], 1, 1, 1, 1, d(1, 2, 2, 1), d(1, 1, 1, 1), d(1, 2, 2, 1), io(0, 0));
        assert!(z.is_err());
    }

    /// VALID with a window larger than the input: TFLM falls back to zero padding and the
    /// output tensor's (empty) extent drives the loops.
    #[test]
    fn valid_window_larger_than_input() {
        let p = ConvParams::new(win(Padding::Valid, 1, 1, 1, 1), d(1, 2, 2, 1), d(1, 3, 3, 1), d(1, 0, 0, 1), io(0, 0))
            .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (0, 0));
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
