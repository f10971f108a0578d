//! DEPTHWISE_CONV_2D with int16 activations and int8 filters, bit-exact with TFLM's int16
//! `reference_integer_ops::DepthwiseConvPerChannel`: a 64-bit accumulator of
//! `filter × input` over the window's taps inside the image, plus an optional int64 bias,
//! requantized with the 64-bit `MultiplyByQuantizedMultiplier`, clamped and narrowed (TFLM
//! reads the bias as int64 whatever its declared type, so only int64 or no bias is accepted
//! by the spec).

use super::conv16::{channel, get16, set16, Bias16};
use super::depthwise_conv::DepthwiseParams;
use crate::quant::Requant;
use crate::{Error, Result};

/// DEPTHWISE_CONV_2D, int16 input and output, int8 filter `[1, kh, kw, out_c]`, over whole
/// NHWC tensors given as little-endian bytes (`input` and `output` separate). Output channel
/// `ic · multiplier + m` reads input channel `ic`.
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when a length disagrees.
pub fn depthwise_conv2d_s16(
    p: &DepthwiseParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Bias16<'_>,
    input: &[u8],
    output: &mut [u8],
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.values())?;
    let (i, f, o) = (p.input(), p.filter(), p.output());
    if input.len() < 2 * i.len() || output.len() < 2 * o.len() || !bias.wide() {
        return Err(Error::InvalidArgument);
    }
    let w = p.window();
    let (rows, cols) = (&w.rows, &w.cols);
    let mult = p.depth_multiplier();
    let io = p.io_quant();
    for b in 0..o.n {
        for oy in 0..o.h {
            let y0 = (oy * rows.stride) as isize - rows.pad_before as isize;
            for ox in 0..o.w {
                let x0 = (ox * cols.stride) as isize - cols.pad_before as isize;
                for ic in 0..i.c {
                    for m in 0..mult {
                        let oc = ic * mult + m;
                        let mut acc: i64 = 0;
                        for ky in 0..f.h {
                            let y = y0 + (ky * rows.dilation) as isize;
                            if y < 0 || y >= i.h as isize {
                                continue;
                            }
                            for kx in 0..f.w {
                                let x = x0 + (kx * cols.dilation) as isize;
                                if x < 0 || x >= i.w as isize {
                                    continue;
                                }
                                let v = get16(input, i.offset(b, y as usize, x as usize, ic));
                                let w = filter.get(f.offset(0, ky, kx, oc)).copied().unwrap_or(0);
                                acc += (w as i32 * v) as i64;
                            }
                        }
                        let v = bias.finish(acc, oc, channel(requant, oc), io.act_min, io.act_max);
                        set16(output, o.offset(b, oy, ox, oc), v);
                    }
                }
            }
        }
    }
    Ok(())
}
