//! AVERAGE_POOL_2D and MAX_POOL_2D for int8 NHWC tensors, bit-exact with TFLM's reference
//! integer pooling.
//!
//! TFLM does not rescale in pooling: the output must carry the input's quantization (scales
//! within 1e-6, equal zero points, see [`check_pool_quantization`]). The fused activation only
//! clamps, with the range TFLM derives from the *output* quantization
//! ([`crate::quant::activation_range_i8`]).
//!
//! Windows are clipped at the image border: padded positions are never read and are not counted
//! in an average.
//!
//! Input and output go through [`Io`] and may share one buffer: output pixels are visited in
//! [`Walk`] order, and a pixel is written only while it is visited, after reading only its own
//! window (the contract `crate::plan::overlap` relies on, as for CONV_2D).

use super::call::WindowCall;
use super::conv::ordered;
use super::io::{Io, Walk};
use crate::geometry::{Padding, Window};
use crate::tensor::Dims4;
use crate::{Error, Result};

/// Prepared parameters of a 2-D pooling op (average or max).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolParams {
    /// The window (dilation 1; TFLM's leading padding).
    window: Window,
    /// Input and output shapes (NHWC); batch and channels agree.
    input: Dims4,
    output: Dims4,
    /// Fused activation range in the output's quantization, `-128 ≤ act_min ≤ act_max ≤ 127`.
    act_min: i32,
    act_max: i32,
}

impl PoolParams {
    /// The window.
    pub fn window(&self) -> &Window {
        &self.window
    }
    /// Input shape (NHWC).
    pub fn input(&self) -> Dims4 {
        self.input
    }
    /// Output shape (NHWC).
    pub fn output(&self) -> Dims4 {
        self.output
    }
    /// `(act_min, act_max)`.
    pub fn activation_range(&self) -> (i32, i32) {
        (self.act_min, self.act_max)
    }
    /// The call computing the whole output in `walk` order.
    pub fn full_call(&self, walk: Walk) -> WindowCall {
        WindowCall::full(&self.window, self.input, self.output, walk)
    }

    /// TFLM's pooling Prepare.
    ///
    /// - `padding`, `filter_h/w`, `stride_h/w`: the op's `Pool2DOptions`.
    /// - `input`, `output`: NHWC shapes. The output height/width must equal TFLM's computed
    ///   output size for the padding mode, and batch/channels must match the input.
    /// - `act_min`, `act_max`: the fused activation range from
    ///   [`crate::quant::activation_range_i8`] with the **output** scale and zero point.
    ///
    /// Errors with [`Error::InvalidArgument`] on a zero filter or stride, shapes that disagree,
    /// a window that misses the image, or an activation range outside int8 (or empty).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        padding: Padding,
        filter_h: usize,
        filter_w: usize,
        stride_h: usize,
        stride_w: usize,
        input: Dims4,
        output: Dims4,
        act_min: i32,
        act_max: i32,
    ) -> Result<PoolParams> {
        let window = Window::pool(
            padding,
            [stride_h, stride_w],
            [input.h, input.w],
            [filter_h, filter_w],
            [output.h, output.w],
        )?;
        if output.n != input.n || output.c != input.c {
            return Err(Error::InvalidArgument);
        }
        if act_min < i8::MIN as i32 || act_max > i8::MAX as i32 || act_min > act_max {
            return Err(Error::InvalidArgument);
        }
        Ok(PoolParams { window, input, output, act_min, act_max })
    }
}

/// The input window along one axis for output position `o` of a call, clipped to the block:
/// `(first input index, end)`.
#[inline(always)]
fn clipped(o: usize, stride: usize, pad: usize, filter: usize, in_size: usize) -> (usize, usize) {
    let origin = o * stride; // window start in padded coordinates
    let start = origin.saturating_sub(pad);
    let end = (origin + filter).saturating_sub(pad).min(in_size);
    (start, end)
}

/// TFLM's pooling requirement that input and output share quantization: the scales differ by
/// at most 1e-6 (difference taken in `f32`) and the zero points are equal. Errors with
/// [`Error::InvalidArgument`] otherwise.
pub fn check_pool_quantization(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> Result<()> {
    let diff = (input_scale - output_scale).abs();
    // TFLM compares the f32 difference, widened, with the double 1e-6: the largest f32 not
    // above that double is 1e-6f32 (9.99999997e-7), so the f32 comparison is the same test.
    // Written so that a NaN difference fails, as TFLM's `diff <= 1e-6` does.
    if diff <= 1.0e-6f32 && input_zero_point == output_zero_point {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Channels pooled at once (stack space: 4 bytes each for averages).
const CHUNK: usize = 64;

/// Visits output pixels in walk order, calling `pixel(io, window, out_base)` to compute and
/// write the pixel at output offset `out_base` (channel 0) from its clipped input window.
fn for_each_pixel(p: &PoolParams, call: &WindowCall, io: &mut Io<'_>, mut pixel: impl FnMut(&mut Io<'_>, Win, usize)) {
    let (ib, ob) = (call.input, call.output);
    let (rows, cols) = (&p.window.rows, &p.window.cols);
    let [pad_top, _, pad_left, _] = call.pad;
    if ob.h == 0 {
        return; // empty output
    }
    let out_rows = ob.n * ob.h;
    for r in 0..out_rows {
        let row = ordered(call.walk, r, out_rows);
        let (b, oy) = (row / ob.h, row % ob.h);
        let (y0, y1) = clipped(oy, rows.stride, pad_top, rows.kernel, ib.h);
        for s in 0..ob.w {
            let ox = ordered(call.walk, s, ob.w);
            let (x0, x1) = clipped(ox, cols.stride, pad_left, cols.kernel, ib.w);
            let win = Win {
                start: ib.offset(b, y0, x0, 0),
                rows: y1.saturating_sub(y0),
                cols: x1.saturating_sub(x0),
                row_stride: ib.row_stride,
            };
            pixel(io, win, ob.offset(b, oy, ox, 0));
        }
    }
}

/// One output pixel's clipped input window.
#[derive(Clone, Copy)]
struct Win {
    /// Input offset of the window's first pixel, channel 0.
    start: usize,
    rows: usize,
    cols: usize,
    /// Elements between vertically adjacent input pixels.
    row_stride: usize,
}

impl Win {
    /// Calls `f(offset)` with the input offset (channel 0) of each window pixel, row by row.
    #[inline(always)]
    fn each(self, depth: usize, mut f: impl FnMut(usize)) {
        for y in 0..self.rows {
            let row = self.start + y * self.row_stride;
            for x in 0..self.cols {
                f(row + x * depth);
            }
        }
    }
}

/// AVERAGE_POOL_2D, int8 NHWC.
///
/// Each output is the sum of the window elements inside the input block divided by their
/// count, rounded to nearest with ties away from zero (TFLM adds or subtracts half the count,
/// then divides with truncation), then clamped to `[act_min, act_max]`.
///
/// `call`, `io`: the output block to compute from the input block (see [`super::call`]); they
/// may share a buffer, output pixels are visited in the call's walk order (see the module
/// docs).
///
/// Errors with [`Error::InvalidArgument`], writing nothing, when [`WindowCall::check`] fails.
pub fn average_pool_s8(p: &PoolParams, call: &WindowCall, io: &mut Io<'_>) -> Result<()> {
    call.check(&p.window, p.input.c, p.output.c, io.input_len(0), io.output_len())?;
    let in_len = io.input_len(0);
    let depth = p.output.c;
    let (lo, hi) = (p.act_min, p.act_max);
    let mut acc = [0i32; CHUNK];
    let mut res = [0i8; CHUNK];
    for_each_pixel(p, call, io, |io, win, out_base| {
        let count = (win.rows * win.cols) as i32;
        if count == 0 {
            // Unreachable with validated params (TFLM would abandon the op here).
            return;
        }
        let mut c0 = 0;
        while c0 < depth {
            let n = CHUNK.min(depth - c0);
            let acc = &mut acc[..n];
            acc.fill(0);
            let input = io.input(0, 0, in_len);
            win.each(depth, |at| {
                // In range once the call is checked; `get` keeps this panic-free.
                for (a, &x) in acc.iter_mut().zip(input.get(at + c0..at + c0 + n).unwrap_or(&[])) {
                    *a = a.wrapping_add(x as i32);
                }
            });
            for (o, &a) in res.iter_mut().zip(acc.iter()) {
                // Half the count away from zero, then C's truncating division.
                let avg = if a > 0 {
                    a.wrapping_add(count / 2).wrapping_div(count)
                } else {
                    a.wrapping_sub(count / 2).wrapping_div(count)
                };
                *o = avg.max(lo).min(hi) as i8;
            }
            for (j, &v) in res[..n].iter().enumerate() {
                io.set(out_base + c0 + j, v);
            }
            c0 += n;
        }
    });
    Ok(())
}

/// MAX_POOL_2D, int8 NHWC.
///
/// Each output is the maximum of the window elements inside the input block (padding never
/// wins), clamped to `[act_min, act_max]`.
///
/// `call`, `io` and errors: as [`average_pool_s8`].
pub fn max_pool_s8(p: &PoolParams, call: &WindowCall, io: &mut Io<'_>) -> Result<()> {
    call.check(&p.window, p.input.c, p.output.c, io.input_len(0), io.output_len())?;
    let in_len = io.input_len(0);
    let depth = p.output.c;
    let (lo, hi) = (p.act_min as i8, p.act_max as i8);
    let mut acc = [0i8; CHUNK];
    for_each_pixel(p, call, io, |io, win, out_base| {
        let mut c0 = 0;
        while c0 < depth {
            let n = CHUNK.min(depth - c0);
            let acc = &mut acc[..n];
            acc.fill(i8::MIN);
            let input = io.input(0, 0, in_len);
            win.each(depth, |at| {
                for (m, &x) in acc.iter_mut().zip(input.get(at + c0..at + c0 + n).unwrap_or(&[])) {
                    *m = (*m).max(x);
                }
            });
            for (j, &m) in acc.iter().enumerate() {
                io.set(out_base + c0 + j, m.max(lo).min(hi));
            }
            c0 += n;
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::d;
    use super::*;

    type Kernel = fn(&PoolParams, &WindowCall, &mut Io<'_>) -> Result<()>;

    /// Runs a pooling kernel over separate buffers walking forward and checks that walking
    /// backward gives the same output.
    fn run(kernel: Kernel, p: &PoolParams, input: &[i8], out: &mut [i8]) {
        let mut back = out.to_vec();
        kernel(p, &p.full_call(Walk::Backward), &mut Io::split(input, &mut back)).unwrap();
        kernel(p, &p.full_call(Walk::Forward), &mut Io::split(input, out)).unwrap();
        assert_eq!(&back[..], &out[..]);
    }

    #[test]
    fn rejects_inconsistent_shapes() {
        // VALID 2x2/2 on 4x4 gives 2x2, not 3x3.
        assert_eq!(
            PoolParams::new(Padding::Valid, 2, 2, 2, 2, d(1, 4, 4, 1), d(1, 3, 3, 1), -128, 127),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            PoolParams::new(Padding::Valid, 2, 2, 0, 2, d(1, 4, 4, 1), d(1, 2, 2, 1), -128, 127),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            PoolParams::new(Padding::Valid, 2, 2, 2, 2, d(1, 4, 4, 1), d(1, 2, 2, 2), -128, 127),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            PoolParams::new(Padding::Valid, 2, 2, 2, 2, d(1, 4, 4, 1), d(1, 2, 2, 1), 5, 4),
            Err(Error::InvalidArgument)
        );
    }

    #[test]
    fn quantization_must_match() {
        assert!(check_pool_quantization(0.5, 3, 0.5, 3).is_ok());
        assert!(check_pool_quantization(0.5, 3, 0.5000005, 3).is_ok());
        assert!(check_pool_quantization(0.5, 3, 0.50001, 3).is_err());
        assert!(check_pool_quantization(0.5, 3, 0.5, 4).is_err());
        assert!(check_pool_quantization(f32::NAN, 3, 0.5, 3).is_err());
    }

    #[test]
    fn average_rounds_half_away_from_zero() {
        // VALID 2x1 windows (filter 1x2, stride 1x2) on a 1x8 image: pairs.
        let p = PoolParams::new(Padding::Valid, 1, 2, 1, 2, d(1, 1, 8, 1), d(1, 1, 4, 1), -128, 127).unwrap();
        let input = [1i8, 2, -1, -2, 3, 3, -3, -4];
        let mut out = [0i8; 4];
        run(average_pool_s8, &p, &input, &mut out);
        // 3/2 = 1.5 -> 2; -3/2 = -1.5 -> -2; 6/2 = 3; -7/2 = -3.5 -> -4.
        assert_eq!(out, [2, -2, 3, -4]);
    }

    #[test]
    fn average_thirds_and_zero() {
        // 1x3 windows, stride 3: sums 1 (1/3 -> 0), -2 (-2/3 -> -1), -1 (-1/3 -> 0), 0.
        let p = PoolParams::new(Padding::Valid, 1, 3, 1, 3, d(1, 1, 12, 1), d(1, 1, 4, 1), -128, 127).unwrap();
        let input = [1i8, 0, 0, -1, -1, 0, 0, 0, -1, 5, -5, 0];
        let mut out = [9i8; 4];
        run(average_pool_s8, &p, &input, &mut out);
        // (1+1)/3 = 0; (-2-1)/3 = -1; (-1-1)/3 = 0; (0-1)/3 = 0.
        assert_eq!(out, [0, -1, 0, 0]);
    }

    #[test]
    fn average_same_padding_counts_only_inside() {
        // 3x3 image, 3x3 filter, stride 1, SAME: pad 1 on each side.
        let p = PoolParams::new(Padding::Same, 3, 3, 1, 1, d(1, 3, 3, 1), d(1, 3, 3, 1), -128, 127).unwrap();
        assert_eq!((p.window().rows.pad_before, p.window().cols.pad_before), (1, 1));
        let input = [1i8, 2, 3, 4, 5, 6, 7, 8, 10];
        let mut out = [0i8; 9];
        run(average_pool_s8, &p, &input, &mut out);
        // Corner (0,0): {1,2,4,5} = 12/4 = 3. Edge (0,1): {1,2,3,4,5,6} = 21/6 = 3.5 -> 4.
        // (0,2): {2,3,5,6} = 16/4 = 4. (1,0): {1,2,4,5,7,8} = 27/6 = 4.5 -> 5.
        // Centre: 46/9 = 5.11 -> 5. (1,2): {2,3,5,6,8,10} = 34/6 = 5.67 -> 6.
        // (2,0): {4,5,7,8} = 24/4 = 6. (2,1): {4,5,6,7,8,10} = 40/6 = 6.67 -> 7.
        // (2,2): {5,6,8,10} = 29/4 = 7.25 -> 7.
        assert_eq!(out, [3, 4, 4, 5, 5, 6, 6, 7, 7]);
    }

    #[test]
    fn same_padding_odd_total_pads_after() {
        // 4-wide row, filter 2, stride 2, SAME: out 2, total padding 0 -> windows {0,1},{2,3}.
        // 5-wide row, filter 2, stride 2, SAME: out 3, total 1 -> pad_left 0, last window {4}.
        let p = PoolParams::new(Padding::Same, 1, 2, 1, 2, d(1, 1, 5, 1), d(1, 1, 3, 1), -128, 127).unwrap();
        assert_eq!(p.window().cols.pad_before, 0);
        let input = [-10i8, -11, 7, 8, -5];
        let mut out = [0i8; 3];
        run(average_pool_s8, &p, &input, &mut out);
        // -21/2 = -10.5 -> -11; 15/2 = 7.5 -> 8; -5/1 = -5.
        assert_eq!(out, [-11, 8, -5]);
        let mut out = [0i8; 3];
        run(max_pool_s8, &p, &input, &mut out);
        assert_eq!(out, [-10, 8, -5]);
    }

    #[test]
    fn average_saturating_ends_and_activation() {
        // 2x2 VALID on 2x2 with two channels; channel 0 all -128, channel 1 all 127.
        let p = PoolParams::new(Padding::Valid, 2, 2, 1, 1, d(1, 2, 2, 2), d(1, 1, 1, 2), -128, 127).unwrap();
        let input = [-128i8, 127, -128, 127, -128, 127, -128, 127];
        let mut out = [0i8; 2];
        run(average_pool_s8, &p, &input, &mut out);
        assert_eq!(out, [-128, 127]);
        // Relu-like range [-3, 100].
        let p = PoolParams::new(Padding::Valid, 2, 2, 1, 1, d(1, 2, 2, 2), d(1, 1, 1, 2), -3, 100).unwrap();
        run(average_pool_s8, &p, &input, &mut out);
        assert_eq!(out, [-3, 100]);
        run(max_pool_s8, &p, &input, &mut out);
        assert_eq!(out, [-3, 100]);
    }

    #[test]
    fn max_pool_strided_with_batches_and_channels() {
        // 2 batches, 3x3 image, 2 channels, VALID 2x2 stride 1 -> 2x2.
        let p = PoolParams::new(Padding::Valid, 2, 2, 1, 1, d(2, 3, 3, 2), d(2, 2, 2, 2), -128, 127).unwrap();
        let mut input = [0i8; 36];
        for (i, v) in input.iter_mut().enumerate() {
            // channel 0: pixel index; channel 1: minus pixel index (batch 1 offset by 9).
            let px = (i / 2) as i8;
            *v = if i % 2 == 0 { px } else { -px };
        }
        let mut out = [0i8; 16];
        run(max_pool_s8, &p, &input, &mut out);
        // Batch 0 pixel indices 0..9 in a 3x3 grid: window maxima (bottom-right) 4,5,7,8; the
        // negated channel takes top-left: -0,-1,-3,-4. Batch 1 adds 9.
        assert_eq!(out, [4, 0, 5, -1, 7, -3, 8, -4, 13, -9, 14, -10, 16, -12, 17, -13]);
    }

    #[test]
    fn max_pool_same_padding_never_uses_pad() {
        // All-negative image; SAME padding must not inject zeros.
        let p = PoolParams::new(Padding::Same, 3, 3, 2, 2, d(1, 3, 3, 1), d(1, 2, 2, 1), -128, 127).unwrap();
        // total padding = (2-1)*2 + 3 - 3 = 2 -> pad 1.
        assert_eq!(p.window().rows.pad_before, 1);
        let input = [-9i8, -8, -7, -6, -5, -4, -3, -2, -100];
        let mut out = [0i8; 4];
        run(max_pool_s8, &p, &input, &mut out);
        // (0,0): rows 0..2, cols 0..2 -> max -5; (0,1): rows 0..2 cols 1..3 -> -4;
        // (1,0): rows 1..3 cols 0..2 -> -2; (1,1): rows 1..3, cols 1..3 -> -2.
        assert_eq!(out, [-5, -4, -2, -2]);
        let mut out = [0i8; 4];
        run(average_pool_s8, &p, &input, &mut out);
        // (0,0): -28/4 = -7; (0,1): -24/4 = -6; (1,0): -16/4 = -4; (1,1): -111/4 = -27.75 -> -28.
        assert_eq!(out, [-7, -6, -4, -28]);
    }
}
