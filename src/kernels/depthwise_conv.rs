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

use super::conv::{axis_padding, checked_len, requantize, IoQuant, Window};
use super::{Dims4, LeI32s};
use crate::quant::Requant;
use crate::{Error, Result};

/// Prepared DEPTHWISE_CONV_2D (int8 input/output, int8 filter, optional int32 bias).
///
/// Layouts (NHWC row-major): input `[n, in_h, in_w, in_c]`, filter `[1, kh, kw, out_c]`,
/// output `[n, out_h, out_w, out_c]` with `out_c = in_c * depth_multiplier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseParams {
    input: Dims4,
    filter: Dims4,
    output: Dims4,
    depth_multiplier: usize,
    stride_h: usize,
    stride_w: usize,
    dilation_h: usize,
    dilation_w: usize,
    pad_top: usize,
    pad_left: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl DepthwiseParams {
    /// TFLM's DEPTHWISE_CONV_2D Prepare for int8.
    ///
    /// - `window`: strides, dilations (>= 1), padding type; leading padding derived as for
    ///   CONV_2D (from the output extent computed from the input, 0 for VALID).
    /// - `depth_multiplier`: the schema option, >= 1. Must satisfy
    ///   `output.c == input.c * depth_multiplier` (TFLM only debug-checks this; a model that
    ///   violates it has no well-defined TFLM result, so it is rejected here).
    /// - `input`, `filter`, `output`: shapes as in the type docs; requires
    ///   `input.n == output.n`, `filter.c == output.c`, `filter.n >= 1` (only plane 0 is read,
    ///   as in TFLM). `output.h`/`output.w` are used as given.
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
        let expected_c = input.c.checked_mul(depth_multiplier).ok_or(Error::InvalidArgument)?;
        if depth_multiplier == 0
            || input.n != output.n
            || filter.n == 0
            || filter.c != output.c
            || output.c != expected_c
        {
            return Err(Error::InvalidArgument);
        }
        let pad_top = axis_padding(window.padding, input.h, filter.h, window.stride_h, window.dilation_h, output.h)?;
        let pad_left = axis_padding(window.padding, input.w, filter.w, window.stride_w, window.dilation_w, output.w)?;
        Ok(DepthwiseParams {
            input,
            filter,
            output,
            depth_multiplier,
            stride_h: window.stride_h,
            stride_w: window.stride_w,
            dilation_h: window.dilation_h,
            dilation_w: window.dilation_w,
            pad_top,
            pad_left,
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
    /// Filter shape `[1, kh, kw, out_c]`.
    pub fn filter(&self) -> Dims4 {
        self.filter
    }
    /// Output shape.
    pub fn output(&self) -> Dims4 {
        self.output
    }
    /// Depth multiplier (`out_c / in_c`).
    pub fn depth_multiplier(&self) -> usize {
        self.depth_multiplier
    }
    /// Rows of zero padding above the image (0 for VALID).
    pub fn pad_top(&self) -> usize {
        self.pad_top
    }
    /// Columns of zero padding left of the image (0 for VALID).
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

    /// Checks the buffer lengths [`depthwise_conv2d_s8`] needs: `requant_len` is 1
    /// (broadcast) or `>= out_c`; input and output at least their element counts; filter at
    /// least `kh * kw * out_c` (plane 0); bias, if present, at least `out_c` values.
    pub fn check(
        &self,
        requant_len: usize,
        input_len: usize,
        filter_len: usize,
        bias_len: Option<usize>,
        output_len: usize,
    ) -> Result<()> {
        let oc = self.output.c;
        let plane = self.filter.h * self.filter.w * self.filter.c;
        let ok = (requant_len == 1 || requant_len >= oc)
            && input_len >= self.input.len()
            && filter_len >= plane
            && bias_len.is_none_or(|b| b >= oc)
            && output_len >= self.output.len();
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }
}

/// DEPTHWISE_CONV_2D, int8, bit-exact with TFLM's `DepthwiseConvPerChannel`.
///
/// - `requant`: per-output-channel multipliers (from [`super::conv::per_channel_requant`]);
///   length `out_c`, or 1 to use the same entry for every channel.
/// - `input`, `filter`, `output`: NHWC data of the shapes given to [`DepthwiseParams::new`].
/// - `bias`: `out_c` int32 values, or `None` when the operator has no bias.
///
/// Output is written in order (batch, rows top to bottom, columns, channels); output channel
/// `c` depends only on input channel `c / depth_multiplier`. Errors with
/// [`Error::InvalidArgument`] (writing nothing) when [`DepthwiseParams::check`] fails.
pub fn depthwise_conv2d_s8(
    p: &DepthwiseParams,
    requant: &[Requant],
    input: &[i8],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    output: &mut [i8],
) -> Result<()> {
    p.check(requant.len(), input.len(), filter.len(), bias.map(|b| b.len()), output.len())?;
    let (ind, fd, od) = (p.input, p.filter, p.output);
    let rq_step = usize::from(requant.len() != 1);
    let dm = p.depth_multiplier;
    let in_h = ind.h as isize;
    let in_w = ind.w as isize;
    let mut out_idx = 0usize;
    for b in 0..od.n {
        for oy in 0..od.h {
            let in_y0 = (oy * p.stride_h) as isize - p.pad_top as isize;
            for ox in 0..od.w {
                let in_x0 = (ox * p.stride_w) as isize - p.pad_left as isize;
                for ic in 0..ind.c {
                    for m in 0..dm {
                        let oc = ic * dm + m;
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
                                let i = input[ind.offset(b, iy as usize, ix as usize, ic)] as i32;
                                let f = filter[fd.offset(0, fy, fx, oc)] as i32;
                                acc = acc.wrapping_add(f.wrapping_mul(i.wrapping_add(p.input_offset)));
                            }
                        }
                        if let Some(bias) = bias {
                            acc = acc.wrapping_add(bias.get(oc));
                        }
                        output[out_idx] = requantize(acc, requant[oc * rq_step], p.output_offset, p.act_min, p.act_max);
                        out_idx += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::conv::per_channel_requant;
    use super::super::{LeF32s, Padding};
    use super::*;

    fn d(n: usize, h: usize, w: usize, c: usize) -> Dims4 {
        Dims4 { n, h, w, c }
    }
    fn win(padding: Padding, sh: usize, sw: usize, dh: usize, dw: usize) -> Window {
        Window { padding, stride_h: sh, stride_w: sw, dilation_h: dh, dilation_w: dw }
    }
    fn io(input_zp: i32, output_zp: i32) -> IoQuant {
        IoQuant { input_zp, output_zp, act_min: -128, act_max: 127 }
    }
    fn i32s(v: &[i32]) -> std::vec::Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }
    fn rq(input_scale: f32, filter_scales: &[f32], output_scale: f32, n: usize) -> std::vec::Vec<Requant> {
        let bytes: std::vec::Vec<u8> = filter_scales.iter().flat_map(|x| x.to_le_bytes()).collect();
        let mut out = std::vec![Requant::default(); n];
        per_channel_requant(input_scale, LeF32s::new(&bytes), output_scale, &mut out).unwrap();
        out
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
        let p = DepthwiseParams::new(
            win(Padding::Valid, 1, 1, 1, 1),
            2,
            d(1, 3, 3, 2),
            d(1, 2, 2, 4),
            d(1, 2, 2, 4),
            io(2, 0),
        )
        .unwrap();
        let r = rq(1.0, &[1.0, 1.0, 0.5, 1.0], 1.0, 4);
        let mut out = [0i8; 16];
        depthwise_conv2d_s8(&p, &r, &input, &filter, Some(LeI32s::new(&bias)), &mut out).unwrap();
        assert_eq!(out, [8, -3, 7, -1, 12, -3, 7, -1, 20, -3, 7, -1, 24, -3, 7, -1]);
    }

    /// Same numbers as the CONV_2D hand example: 5x5x1, 3x3 ones, SAME stride 2, pad 1,
    /// input zp -2, bias 5, scale 0.5, output zp 1.
    #[test]
    fn same_stride2_odd_size() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| (v - 12) as i8).collect();
        let p = DepthwiseParams::new(
            win(Padding::Same, 2, 2, 1, 1),
            1,
            d(1, 5, 5, 1),
            d(1, 3, 3, 1),
            d(1, 3, 3, 1),
            io(-2, 1),
        )
        .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (1, 1));
        let r = rq(1.0, &[1.0], 2.0, 1);
        let mut out = [0i8; 9];
        depthwise_conv2d_s8(&p, &r, &input, &[1; 9], Some(LeI32s::new(&i32s(&[5]))), &mut out).unwrap();
        assert_eq!(out, [-10, -13, -4, 5, 13, 14, 20, 32, 26]);
    }

    /// Dilation 2, SAME (pad 2), same hand values as the CONV_2D dilation example.
    #[test]
    fn dilation_two_same() {
        let input: std::vec::Vec<i8> = (0..25).map(|v| v as i8).collect();
        let mut filter = [1i8; 9];
        filter[4] = 2;
        let p = DepthwiseParams::new(
            win(Padding::Same, 1, 1, 2, 2),
            1,
            d(1, 5, 5, 1),
            d(1, 3, 3, 1),
            d(1, 5, 5, 1),
            io(0, 0),
        )
        .unwrap();
        assert_eq!((p.pad_top(), p.pad_left()), (2, 2));
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 25];
        depthwise_conv2d_s8(&p, &r, &input, &filter, None, &mut out).unwrap();
        assert_eq!([out[0], out[1], out[6], out[12], out[24]], [24, 29, 54, 120, 96]);
    }

    /// Saturation at both ends, two channels, per-tensor requant broadcast (len 1), and a
    /// RELU clamp with output zp 5 → [5, 127].
    #[test]
    fn saturation() {
        let p = DepthwiseParams::new(
            win(Padding::Valid, 1, 1, 1, 1),
            1,
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            io(0, 0),
        )
        .unwrap();
        let r = rq(1.0, &[1.0], 1.0, 1);
        let mut out = [0i8; 2];
        depthwise_conv2d_s8(&p, &r, &[127, 127], &[127, -128], None, &mut out).unwrap();
        assert_eq!(out, [127, -128]);
        let p = DepthwiseParams::new(
            win(Padding::Valid, 1, 1, 1, 1),
            1,
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            d(1, 1, 1, 2),
            IoQuant { input_zp: 0, output_zp: 5, act_min: 5, act_max: 127 },
        )
        .unwrap();
        // acc [-3, 100] + zp 5 → [2, 105] → [5, 105].
        depthwise_conv2d_s8(&p, &r, &[-3, 100], &[1, 1], None, &mut out).unwrap();
        assert_eq!(out, [5, 105]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let w = win(Padding::Same, 1, 1, 1, 1);
        assert!(DepthwiseParams::new(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_ok());
        // Depth multiplier inconsistent with the channel counts, or zero.
        assert!(DepthwiseParams::new(w, 1, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_err());
        assert!(DepthwiseParams::new(w, 0, d(1, 4, 4, 0), d(1, 3, 3, 0), d(1, 4, 4, 0), io(0, 0)).is_err());
        // Filter channels differ from output channels; batch mismatch.
        assert!(DepthwiseParams::new(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 5), d(1, 4, 4, 6), io(0, 0)).is_err());
        assert!(DepthwiseParams::new(w, 2, d(2, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).is_err());
        // Short buffers.
        let p = DepthwiseParams::new(w, 2, d(1, 4, 4, 3), d(1, 3, 3, 6), d(1, 4, 4, 6), io(0, 0)).unwrap();
        let r = [Requant::default(); 6];
        let mut o = [0i8; 96];
        assert!(depthwise_conv2d_s8(&p, &r, &[0; 48], &[0; 54], None, &mut o).is_ok());
        assert!(depthwise_conv2d_s8(&p, &r[..5], &[0; 48], &[0; 54], None, &mut o).is_err());
        assert!(depthwise_conv2d_s8(&p, &r, &[0; 47], &[0; 54], None, &mut o).is_err());
        assert!(depthwise_conv2d_s8(&p, &r, &[0; 48], &[0; 53], None, &mut o).is_err());
        assert!(depthwise_conv2d_s8(&p, &r, &[0; 48], &[0; 54], None, &mut o[..95]).is_err());
    }
}
