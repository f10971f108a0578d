//! The one description of a sliding window (convolution, depthwise convolution, pooling) over
//! the H and W axes of NHWC images, and what follows from it: which input rows and columns an
//! output range reads, and which padding applies where a range touches the image border.
//!
//! Every user reads the same [`Window`]: the kernels (through the call they are given), the
//! memory planner's overlap analysis, and the tiler that cuts an output into rectangles.
//!
//! Per axis ([`Axis`]): output position `o` reads input positions
//! `o·stride − pad_before + k·dilation` for `k` in `0..kernel`; positions outside
//! `0..input` are padding (they contribute nothing: TFLM subtracts the input zero point from
//! every tap, so a tap equal to it — what a PAD of the zero point writes — adds zero). The
//! leading padding follows TFLM's `ComputePadding` (from the output size the input implies,
//! not the output tensor's declared size); the trailing padding is whatever the last window
//! walks past the image.

use crate::error::{Error, Result};
use core::ops::Range;

/// Schema `Padding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    Same,
    Valid,
}

/// TFLM `ComputeOutSize`: output extent of a sliding window. `None` on a zero stride/dilation
/// or a window larger than the VALID input.
pub fn out_size(padding: Padding, in_size: usize, filter: usize, stride: usize, dilation: usize) -> Option<usize> {
    if stride == 0 || dilation == 0 || filter == 0 {
        return None;
    }
    let effective = filter.checked_sub(1)?.checked_mul(dilation)?.checked_add(1)?;
    match padding {
        Padding::Same => in_size.checked_add(stride.checked_sub(1)?)?.checked_div(stride),
        Padding::Valid => in_size.checked_add(stride)?.checked_sub(effective)?.checked_div(stride),
    }
}

/// TFLM `ComputePadding`: leading padding (top or left) for an output of `out` elements.
/// Saturating `i64` arithmetic: exact for the `int`-sized extents TFLM allows (larger ones are
/// refused by the callers' range checks).
pub fn padding_before(stride: usize, dilation: usize, in_size: usize, filter: usize, out: usize) -> usize {
    let v = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    let effective = v(filter).saturating_sub(1).saturating_mul(v(dilation)).saturating_add(1);
    let total = v(out).saturating_sub(1).saturating_mul(v(stride)).saturating_add(effective).saturating_sub(v(in_size));
    usize::try_from(total / 2).unwrap_or(0)
}

/// Largest value TFLM's `int` arithmetic holds: every extent, padding and window position is
/// checked against it, so index arithmetic never overflows, on 32-bit targets included.
const INT_MAX: u64 = i32::MAX as u64;

/// One axis (H or W) of a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Axis {
    /// Input (image) extent.
    pub input: usize,
    /// Output extent.
    pub output: usize,
    /// Window extent in taps (≥ 1).
    pub kernel: usize,
    /// Step between output positions (≥ 1).
    pub stride: usize,
    /// Step between taps (≥ 1).
    pub dilation: usize,
    /// Padding before the image that the first window reaches.
    pub pad_before: usize,
    /// Padding after the image that the last window reaches.
    pub pad_after: usize,
}

/// The input positions a range of outputs reads along one axis: `range` inside the image, and
/// how far the windows reach past it on either side ([`Axis::span`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Input positions inside the image.
    pub range: (usize, usize),
    /// Padding positions before `range.0` that the first window reads.
    pub pad_before: usize,
    /// Padding positions after `range.1` that the last window reads.
    pub pad_after: usize,
}

impl Axis {
    /// TFLM's CONV_2D / DEPTHWISE_CONV_2D Prepare along one axis: the leading padding comes
    /// from the output size `padding` computes from the input (0 for VALID, and 0 when that
    /// computation fails, as TFLM does), and the window walks the declared `output` extent.
    /// Every extent, the padding and the last window position must fit an `i32`.
    pub fn tflm(
        padding: Padding,
        input: usize,
        kernel: usize,
        stride: usize,
        dilation: usize,
        output: usize,
    ) -> Result<Axis> {
        let pad_before = match out_size(padding, input, kernel, stride, dilation) {
            Some(computed) => padding_before(stride, dilation, input, kernel, computed),
            None => 0,
        };
        Self::checked(input, output, kernel, stride, dilation, pad_before)
    }

    /// An explicitly padded axis (a PAD folded into a VALID window): `before` and `after`
    /// positions of padding around `input`; `output` must be TFLM's VALID output size over the
    /// padded extent (0 when it is shorter than the window by less than a stride).
    pub fn explicit(
        before: usize,
        after: usize,
        input: usize,
        kernel: usize,
        stride: usize,
        dilation: usize,
        output: usize,
    ) -> Result<Axis> {
        let big = |v: usize| v as u64 > INT_MAX;
        if big(before) || big(after) {
            return Err(Error::InvalidArgument);
        }
        // Each term is at most 2^31 (checked above and by the caller's verified shapes).
        let padded = (input as u64).saturating_add(before as u64).saturating_add(after as u64);
        if padded > INT_MAX {
            return Err(Error::InvalidArgument);
        }
        let expected =
            out_size(Padding::Valid, padded as usize, kernel, stride, dilation).ok_or(Error::InvalidArgument)?;
        if expected != output {
            return Err(Error::InvalidArgument);
        }
        Self::checked(input, output, kernel, stride, dilation, before)
    }

    /// TFLM's pooling Prepare along one axis (dilation 1): the output must be the size
    /// `padding` computes, and every window must overlap the image (an average over no taps
    /// would divide by zero; TFLM abandons the op then).
    pub fn pool(padding: Padding, input: usize, kernel: usize, stride: usize, output: usize) -> Result<Axis> {
        if out_size(padding, input, kernel, stride, 1) != Some(output) {
            return Err(Error::InvalidArgument);
        }
        // The output is the computed one: TFLM's leading padding, as for a convolution.
        let a = Self::tflm(padding, input, kernel, stride, 1, output)?;
        let last_start = (output.saturating_sub(1)).saturating_mul(stride);
        if output > 0 && (a.pad_before >= kernel || last_start >= input.saturating_add(a.pad_before)) {
            return Err(Error::InvalidArgument);
        }
        Ok(a)
    }

    /// An axis after the range checks every constructor shares; the trailing padding is
    /// derived from how far the last window walks.
    fn checked(
        input: usize,
        output: usize,
        kernel: usize,
        stride: usize,
        dilation: usize,
        pad_before: usize,
    ) -> Result<Axis> {
        if stride == 0 || dilation == 0 || kernel == 0 {
            return Err(Error::InvalidArgument);
        }
        if [input, output, kernel, stride, dilation, pad_before].iter().any(|&x| x as u64 > INT_MAX) {
            return Err(Error::InvalidArgument);
        }
        // Largest position the windows form (before subtracting the padding): every factor is
        // at most 2^31, so the u64 products and sum cannot overflow.
        let last = (output.saturating_sub(1) as u64)
            .saturating_mul(stride as u64)
            .saturating_add((kernel as u64).saturating_sub(1).saturating_mul(dilation as u64));
        if last > INT_MAX {
            return Err(Error::InvalidArgument);
        }
        let mut a = Axis { input, output, kernel, stride, dilation, pad_before, pad_after: 0 };
        a.pad_after = a.walked(output).saturating_sub(input.saturating_add(pad_before));
        Ok(a)
    }

    /// Extent (padding included) that `n` consecutive outputs' windows cover:
    /// `(n − 1)·stride + (kernel − 1)·dilation + 1`, 0 for `n = 0` (saturating: exact for
    /// `n` up to the output extent, which the constructors checked).
    pub fn walked(&self, n: usize) -> usize {
        let Some(steps) = n.checked_sub(1) else { return 0 };
        steps
            .saturating_mul(self.stride)
            .saturating_add(self.kernel.saturating_sub(1).saturating_mul(self.dilation))
            .saturating_add(1)
    }

    /// The input positions outputs `outputs` read, clipped to the image, and the padding the
    /// windows reach on either side. An empty range reads nothing.
    pub fn span(&self, outputs: Range<usize>) -> Span {
        if outputs.start >= outputs.end {
            return Span { range: (0, 0), pad_before: 0, pad_after: 0 };
        }
        // Positions relative to the padded start: first = o0·s, end = first + walked(n)
        // (saturating: exact for outputs inside the output extent).
        let first = outputs.start.saturating_mul(self.stride);
        let end = first.saturating_add(self.walked(outputs.end.saturating_sub(outputs.start)));
        let (lo, hi) = (self.pad_before, self.pad_before.saturating_add(self.input));
        let start = first.max(lo).min(hi);
        let stop = end.max(start).min(hi);
        Span {
            range: (start.saturating_sub(lo), stop.saturating_sub(lo)),
            pad_before: start.saturating_sub(first),
            pad_after: end.saturating_sub(stop),
        }
    }
}

/// A sliding window over the H and W axes of NHWC images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Window {
    /// The H axis.
    pub rows: Axis,
    /// The W axis.
    pub cols: Axis,
}

impl Window {
    /// TFLM's CONV_2D / DEPTHWISE_CONV_2D window ([`Axis::tflm`] on both axes). Sizes are
    /// `[h, w]`.
    #[inline]
    pub fn tflm(
        padding: Padding,
        stride: [usize; 2],
        dilation: [usize; 2],
        input: [usize; 2],
        kernel: [usize; 2],
        output: [usize; 2],
    ) -> Result<Window> {
        Ok(Window {
            rows: Axis::tflm(padding, input[0], kernel[0], stride[0], dilation[0], output[0])?,
            cols: Axis::tflm(padding, input[1], kernel[1], stride[1], dilation[1], output[1])?,
        })
    }

    /// An explicitly padded window ([`Axis::explicit`]); `pad` is `[top, bottom, left, right]`.
    #[inline]
    pub fn explicit(
        pad: [usize; 4],
        stride: [usize; 2],
        dilation: [usize; 2],
        input: [usize; 2],
        kernel: [usize; 2],
        output: [usize; 2],
    ) -> Result<Window> {
        let [top, bottom, left, right] = pad;
        Ok(Window {
            rows: Axis::explicit(top, bottom, input[0], kernel[0], stride[0], dilation[0], output[0])?,
            cols: Axis::explicit(left, right, input[1], kernel[1], stride[1], dilation[1], output[1])?,
        })
    }

    /// TFLM's pooling window ([`Axis::pool`] on both axes).
    #[inline]
    pub fn pool(
        padding: Padding,
        stride: [usize; 2],
        input: [usize; 2],
        kernel: [usize; 2],
        output: [usize; 2],
    ) -> Result<Window> {
        Ok(Window {
            rows: Axis::pool(padding, input[0], kernel[0], stride[0], output[0])?,
            cols: Axis::pool(padding, input[1], kernel[1], stride[1], output[1])?,
        })
    }

    /// `[h, w]` of the input image.
    pub fn input(&self) -> [usize; 2] {
        [self.rows.input, self.cols.input]
    }

    /// `[h, w]` of the output image.
    pub fn output(&self) -> [usize; 2] {
        [self.rows.output, self.cols.output]
    }

    /// `[h, w]` of the kernel.
    pub fn kernel(&self) -> [usize; 2] {
        [self.rows.kernel, self.cols.kernel]
    }

    /// `[top, bottom, left, right]` padding the windows reach around the whole image.
    pub fn padding(&self) -> [usize; 4] {
        [self.rows.pad_before, self.rows.pad_after, self.cols.pad_before, self.cols.pad_after]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stride_two_pads_before_and_after() {
        // 5 → 3 with a 3-tap window, stride 2: total padding 2, one before, one after.
        let a = Axis::tflm(Padding::Same, 5, 3, 2, 1, 3).unwrap();
        assert_eq!((a.pad_before, a.pad_after), (1, 1));
        // 4 → 2: total padding 1, all after (TFLM puts the odd one after).
        let a = Axis::tflm(Padding::Same, 4, 3, 2, 1, 2).unwrap();
        assert_eq!((a.pad_before, a.pad_after), (0, 1));
        // VALID: no padding at all.
        let a = Axis::tflm(Padding::Valid, 5, 3, 2, 1, 2).unwrap();
        assert_eq!((a.pad_before, a.pad_after), (0, 0));
    }

    #[test]
    fn spans_clip_at_the_border_only() {
        // 8 → 8, 3 taps, pad 1 each side.
        let a = Axis::tflm(Padding::Same, 8, 3, 1, 1, 8).unwrap();
        assert_eq!(a.span(0..8), Span { range: (0, 8), pad_before: 1, pad_after: 1 });
        assert_eq!(a.span(0..3), Span { range: (0, 4), pad_before: 1, pad_after: 0 });
        assert_eq!(a.span(3..5), Span { range: (2, 6), pad_before: 0, pad_after: 0 });
        assert_eq!(a.span(5..8), Span { range: (4, 8), pad_before: 0, pad_after: 1 });
        assert_eq!(a.span(4..4), Span { range: (0, 0), pad_before: 0, pad_after: 0 });
        // Stride 2, dilation 2: 9 → 5, window extent 5, pad 2 each side.
        let a = Axis::tflm(Padding::Same, 9, 3, 2, 2, 5).unwrap();
        assert_eq!((a.pad_before, a.pad_after), (2, 2));
        assert_eq!(a.span(1..2), Span { range: (0, 5), pad_before: 0, pad_after: 0 });
        assert_eq!(a.span(4..5), Span { range: (6, 9), pad_before: 0, pad_after: 2 });
    }

    #[test]
    fn pool_and_explicit_axes_check_their_output() {
        assert!(Axis::pool(Padding::Valid, 6, 2, 2, 3).is_ok());
        assert!(Axis::pool(Padding::Valid, 6, 2, 2, 2).is_err());
        // Explicit: 4 + 1 + 1 padded, 3 taps → 4 outputs.
        let a = Axis::explicit(1, 1, 4, 3, 1, 1, 4).unwrap();
        assert_eq!((a.pad_before, a.pad_after), (1, 1));
        assert!(Axis::explicit(1, 1, 4, 3, 1, 1, 5).is_err());
        assert!(Axis::tflm(Padding::Same, 4, 3, 0, 1, 4).is_err());
        assert!(Axis::tflm(Padding::Same, i32::MAX as usize, 3, 2, 1, i32::MAX as usize).is_err());
    }
}
