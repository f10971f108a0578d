//! TRANSPOSE_CONV (int8, per-channel or per-tensor filters, int32 bias), bit-exact with TFLM's
//! integer reference.
//!
//! TFLM scatters every input pixel times the filter into an int32 buffer of the whole output,
//! then adds the bias and requantizes. The sums are exact integer sums, so computing each
//! output element as a gather (the input pixels whose scattered window covers it) gives the
//! same int32 accumulator without that buffer: output `(oy, ox)` receives input `(iy, ix)`
//! through filter tap `(fy, fx)` when `oy = iy·stride − pad + fy` (and likewise in x).

use super::conv::{requantize, IoQuant};
use crate::quant::Requant;
use crate::tensor::{Dims4, LeI32s};
use crate::{Error, Result};

/// Prepared int8 TRANSPOSE_CONV geometry and quantization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransposeConvParams {
    input: Dims4,
    output: Dims4,
    /// Filter `[out_c, kh, kw, in_c]`.
    kernel: [usize; 2],
    stride: [usize; 2],
    /// Leading padding `[top, left]`, TFLM's `ComputePaddingHeightWidth` on the output size.
    pad: [usize; 2],
    io: IoQuant,
}

impl TransposeConvParams {
    /// The geometry TFLM's Prepare accepts: batches and depths matching between input
    /// `[n, h, w, in_c]`, filter `[out_c, kh, kw, in_c]` and output `[n, oh, ow, out_c]`,
    /// strides ≥ 1, filter ≥ 1. `pad` comes from [`transpose_conv_padding`].
    pub fn new(
        input: Dims4,
        filter: Dims4,
        output: Dims4,
        stride: [usize; 2],
        pad: [usize; 2],
        io: IoQuant,
    ) -> Result<TransposeConvParams> {
        if input.n != output.n || input.c != filter.c || filter.n != output.c {
            return Err(Error::InvalidArgument);
        }
        if stride.contains(&0) || filter.h == 0 || filter.w == 0 {
            return Err(Error::InvalidArgument);
        }
        // Index arithmetic below stays in i64 on these (verified, i32-sized) extents.
        Ok(TransposeConvParams { input, output, kernel: [filter.h, filter.w], stride, pad, io })
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.output.c
    }
}

/// TFLM's transpose-convolution padding: `ComputePaddingHeightWidth` run on the *output*
/// extents (`[h, w]`) as if they were a convolution's input. Both pads are 0 when either axis's
/// size computation fails (a VALID window larger than the extent), as in TFLM.
pub fn transpose_conv_padding(same: bool, output: [usize; 2], kernel: [usize; 2], stride: [usize; 2]) -> [usize; 2] {
    use crate::geometry::{out_size, padding_before, Padding};
    let padding = if same { Padding::Same } else { Padding::Valid };
    let [(oh, kh, sh), (ow, kw, sw)] = [(output[0], kernel[0], stride[0]), (output[1], kernel[1], stride[1])];
    match (out_size(padding, oh, kh, sh, 1), out_size(padding, ow, kw, sw, 1)) {
        (Some(h), Some(w)) => [padding_before(sh, 1, oh, kh, h), padding_before(sw, 1, ow, kw, w)],
        _ => [0, 0],
    }
}

/// Input positions feeding output position `o` along one axis: `(tap, input index)` pairs.
fn taps(o: usize, pad: usize, stride: usize, kernel: usize, input: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..kernel).filter_map(move |f| {
        let t = (o + pad).checked_sub(f)?;
        let i = t.checked_div(stride)?;
        (t.checked_rem(stride)? == 0 && i < input).then_some((f, i))
    })
}

/// Int8 TRANSPOSE_CONV of `input` into `output` (both dense NHWC, exact lengths, else
/// [`Error::InvalidArgument`]). `requant(c)` is output channel `c`'s multiplier; `filter` is
/// `[out_c, kh, kw, in_c]`, `bias` one value per output channel if present. Output channels
/// are computed one after another (the output must not overlap the input).
pub fn transpose_conv_s8(
    p: &TransposeConvParams,
    requant: impl Fn(usize) -> Requant,
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    input: &[i8],
    output: &mut [i8],
) -> Result<()> {
    let (x, y) = (p.input, p.output);
    let [kh, kw] = p.kernel;
    if input.len() != x.len() || output.len() != y.len() || filter.len() != y.c * kh * kw * x.c {
        return Err(Error::InvalidArgument);
    }
    if bias.is_some_and(|b| b.len() != y.c) {
        return Err(Error::InvalidArgument);
    }
    let input_offset = -p.io.input_zp;
    for oc in 0..y.c {
        let rq = requant(oc);
        let b = bias.map_or(0, |b| b.get(oc));
        for n in 0..y.n {
            for oy in 0..y.h {
                for ox in 0..y.w {
                    let mut acc = 0i32;
                    for (fy, iy) in taps(oy, p.pad[0], p.stride[0], kh, x.h) {
                        for (fx, ix) in taps(ox, p.pad[1], p.stride[1], kw, x.w) {
                            let xi = x.offset(n, iy, ix, 0);
                            let fi = ((oc * kh + fy) * kw + fx) * x.c;
                            let xs = input.get(xi..xi + x.c).ok_or(Error::InvalidArgument)?;
                            let fs = filter.get(fi..fi + x.c).ok_or(Error::InvalidArgument)?;
                            for (&v, &w) in xs.iter().zip(fs) {
                                acc = acc.wrapping_add((v as i32 + input_offset).wrapping_mul(w as i32));
                            }
                        }
                    }
                    let v = requantize(acc.wrapping_add(b), rq, p.io.output_zp, p.io.act_min, p.io.act_max);
                    *output.get_mut(y.offset(n, oy, ox, oc)).ok_or(Error::InvalidArgument)? = v;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_two_scatters_the_filter() {
        // One 1x1x1 input pixel of value 3 (zp 0), 2x2 filter [1, 2; 3, 4], stride 2, VALID,
        // output 2x2: the filter times 3. Multiplier 1.0 (2^30, shift 1), output zp 0.
        let d = |n, h, w, c| Dims4 { n, h, w, c };
        let io = IoQuant { input_zp: 0, output_zp: 0, act_min: -128, act_max: 127 };
        let pad = transpose_conv_padding(false, [2, 2], [2, 2], [2, 2]);
        assert_eq!(pad, [0, 0]);
        let p = TransposeConvParams::new(d(1, 1, 1, 1), d(1, 2, 2, 1), d(1, 2, 2, 1), [2, 2], pad, io).unwrap();
        let one = Requant { multiplier: 1 << 30, shift: 1 };
        let mut y = [0i8; 4];
        transpose_conv_s8(&p, |_| one, &[1, 2, 3, 4], None, &[3], &mut y).unwrap();
        assert_eq!(y, [3, 6, 9, 12]);
    }

    #[test]
    fn overlapping_windows_sum() {
        // Input [1, 2] (1x2), 1x3 filter of ones, stride 1, SAME on a 1x2 output: pad 1 on
        // the left. Output x receives inputs x-1+1-f... : out0 = in0 + in1, out1 = in0 + in1.
        let d = |n, h, w, c| Dims4 { n, h, w, c };
        let io = IoQuant { input_zp: 0, output_zp: 0, act_min: -128, act_max: 127 };
        let pad = transpose_conv_padding(true, [1, 2], [1, 3], [1, 1]);
        assert_eq!(pad, [0, 1]);
        let p = TransposeConvParams::new(d(1, 1, 2, 1), d(1, 1, 3, 1), d(1, 1, 2, 1), [1, 1], pad, io).unwrap();
        let one = Requant { multiplier: 1 << 30, shift: 1 };
        let mut y = [0i8; 2];
        let bias_bytes: Vec<u8> = 10i32.to_le_bytes().to_vec();
        transpose_conv_s8(&p, |_| one, &[1, 1, 1], Some(LeI32s::new(&bias_bytes)), &[1, 2], &mut y).unwrap();
        assert_eq!(y, [13, 13]);
    }
}
