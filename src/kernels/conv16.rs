//! CONV_2D with int16 activations and int8 filters ("16x8"), bit-exact with TFLM's
//! `reference_integer_ops::ConvPerChannel` for int16, and what the other 16x8 kernels share:
//! little-endian int16 element access, the bias forms and the two accumulator widths.
//!
//! TFLM picks the accumulator from the bias: an int64 bias (or none, unless the options ask for
//! an int32 one) accumulates in 64 bits and requantizes with the 64-bit
//! `MultiplyByQuantizedMultiplier` (multiplier rounded to 16 bits, single rounding); an int32
//! bias accumulates in a wrapping 32-bit integer and requantizes with the double-rounding
//! 32-bit one. Input and output zero points are 0 (TFLM requires it for int16); the output is
//! clamped to the fused activation's range (lower bound first) and narrowed.
//!
//! Activations are read and written as little-endian bytes, so tensors may sit at any
//! alignment in the arena.

use super::conv::ConvParams;
use crate::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64, Requant};
use crate::tensor::LeI32s;
use crate::{Error, Result};

/// Int64 values stored little-endian (a bias tensor's bytes).
#[derive(Clone, Copy, Debug)]
pub struct LeI64s<'a>(&'a [u8]);

impl<'a> LeI64s<'a> {
    /// The values in `bytes` (a trailing partial value is ignored).
    pub const fn new(bytes: &'a [u8]) -> LeI64s<'a> {
        LeI64s(bytes)
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Value `i` (0 when out of range).
    pub fn get(&self, i: usize) -> i64 {
        match self.0.get(i * 8..i * 8 + 8) {
            Some(&[a, b, c, d, e, f, g, h]) => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => 0,
        }
    }
}

/// The bias of a 16x8 kernel, which also selects its accumulator width.
#[derive(Clone, Copy, Debug)]
pub enum Bias16<'a> {
    /// No bias, 64-bit accumulator.
    None64,
    /// No bias, 32-bit accumulator (the options' `quantized_bias_type` is int32).
    None32,
    /// Int32 bias: 32-bit wrapping accumulator, double-rounding requantization.
    I32(LeI32s<'a>),
    /// Int64 bias: 64-bit accumulator, 64-bit requantization.
    I64(LeI64s<'a>),
}

impl Bias16<'_> {
    /// Number of bias values (`None` without a bias).
    pub fn values(&self) -> Option<usize> {
        match self {
            Bias16::None64 | Bias16::None32 => None,
            Bias16::I32(b) => Some(b.len()),
            Bias16::I64(b) => Some(b.len()),
        }
    }
    /// True for the 64-bit accumulator forms.
    pub fn wide(&self) -> bool {
        matches!(self, Bias16::None64 | Bias16::I64(_))
    }

    /// Adds the bias of channel `ch` to the accumulator `acc` (kept in 64 bits; the 32-bit
    /// forms wrap it to 32 bits as TFLM's `int32_t` accumulator does) and requantizes it with
    /// `rq`, clamped to `[act_min, act_max]` (lower bound first).
    #[inline(always)]
    pub fn finish(&self, acc: i64, ch: usize, rq: Requant, act_min: i32, act_max: i32) -> i16 {
        let scaled = match self {
            Bias16::None64 => multiply_by_quantized_multiplier_i64(acc, rq.multiplier, rq.shift),
            Bias16::I64(b) => {
                multiply_by_quantized_multiplier_i64(acc.wrapping_add(b.get(ch)), rq.multiplier, rq.shift)
            }
            Bias16::None32 => multiply_by_quantized_multiplier(acc as i32, rq.multiplier, rq.shift),
            Bias16::I32(b) => {
                multiply_by_quantized_multiplier((acc as i32).wrapping_add(b.get(ch)), rq.multiplier, rq.shift)
            }
        };
        scaled.max(act_min).min(act_max) as i16
    }
}

/// Element `i` of little-endian int16 bytes (0 when out of range).
#[inline(always)]
pub fn get16(x: &[u8], i: usize) -> i32 {
    match x.get(2 * i..2 * i + 2) {
        Some(&[a, b]) => i16::from_le_bytes([a, b]) as i32,
        _ => 0,
    }
}

/// Writes element `i` of little-endian int16 bytes (ignored when out of range).
#[inline(always)]
pub fn set16(y: &mut [u8], i: usize, v: i16) {
    if let Some(s) = y.get_mut(2 * i..2 * i + 2) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

/// Element `i` of input `k` of `io`, read as little-endian int16 (byte offsets `2i`, `2i + 1`;
/// 0 when out of range).
#[inline(always)]
pub fn io_get16(io: &super::io::Io<'_>, k: usize, i: usize) -> i32 {
    match io.input(k, 2 * i, 2) {
        &[a, b] => i16::from_le_bytes([a as u8, b as u8]) as i32,
        _ => 0,
    }
}

/// Writes output element `i` of `io` as little-endian int16 (both bytes after the caller
/// read what it needs of input element `i`).
#[inline(always)]
pub fn io_set16(io: &mut super::io::Io<'_>, i: usize, v: i16) {
    let [a, b] = v.to_le_bytes();
    io.set(2 * i, a as i8);
    io.set(2 * i + 1, b as i8);
}

/// The requantization of channel `ch` (one entry broadcasts).
#[inline(always)]
pub(crate) fn channel(requant: &[Requant], ch: usize) -> Requant {
    let i = if requant.len() == 1 { 0 } else { ch };
    requant.get(i).copied().unwrap_or_default()
}

/// CONV_2D, int16 input and output, int8 filter, over whole NHWC tensors given as
/// little-endian bytes (`input` and `output` separate).
///
/// - `p`: geometry and clamp (the zero points in it are ignored: int16 has none);
/// - `requant`: from [`super::conv::per_channel_requant`], `out_c` entries or 1;
/// - `filter`: `[out_c, kh, kw, filter_in_c]`; `bias`: see [`Bias16`].
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when a length disagrees.
pub fn conv2d_s16(
    p: &ConvParams,
    requant: &[Requant],
    filter: &[i8],
    bias: Bias16<'_>,
    input: &[u8],
    output: &mut [u8],
) -> Result<()> {
    p.check(requant.len(), filter.len(), bias.values())?;
    let (i, f, o) = (p.input(), p.filter(), p.output());
    if input.len() < 2 * i.len() || output.len() < 2 * o.len() {
        return Err(Error::InvalidArgument);
    }
    let w = p.window();
    let (rows, cols) = (&w.rows, &w.cols);
    let per_group = o.c / p.groups().max(1);
    let io = p.io_quant();
    for b in 0..o.n {
        for oy in 0..o.h {
            let y0 = (oy * rows.stride) as isize - rows.pad_before as isize;
            for ox in 0..o.w {
                let x0 = (ox * cols.stride) as isize - cols.pad_before as isize;
                for oc in 0..o.c {
                    let in_base = (oc / per_group.max(1)) * f.c;
                    let mut acc64: i64 = 0;
                    let mut acc32: i32 = 0;
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
                            let at_in = i.offset(b, y as usize, x as usize, in_base);
                            let at_f = f.offset(oc, ky, kx, 0);
                            // In range after `check`; `get` keeps panics out of the code.
                            let taps = filter.get(at_f..at_f + f.c).unwrap_or(&[]);
                            for (c, &w) in taps.iter().enumerate() {
                                let prod = w as i32 * get16(input, at_in + c);
                                acc64 += prod as i64;
                                acc32 = acc32.wrapping_add(prod);
                            }
                        }
                    }
                    let acc = if bias.wide() { acc64 } else { acc32 as i64 };
                    let v = bias.finish(acc, oc, channel(requant, oc), io.act_min, io.act_max);
                    set16(output, o.offset(b, oy, ox, oc), v);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Padding, Window};
    use crate::kernels::conv::IoQuant;
    use crate::tensor::Dims4;

    fn bytes(v: &[i16]) -> std::vec::Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// A 1x1 convolution of one pixel, two input channels, two output channels: the
    /// accumulator and both requantizations by hand.
    #[test]
    fn one_pixel_both_accumulators() {
        let d = |c| Dims4 { n: 1, h: 1, w: 1, c };
        let w = Window::tflm(Padding::Valid, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]).unwrap();
        let io = IoQuant { input_zp: 0, output_zp: 0, act_min: -32768, act_max: 32767 };
        let p = ConvParams::new(w, d(2), Dims4 { n: 2, h: 1, w: 1, c: 2 }, d(2), io).unwrap();
        let input = bytes(&[30000, -20000]);
        // Channel 0: 100·30000 + 50·(−20000) = 2,000,000; channel 1: −127·30000 + 1·(−20000).
        let filter = [100i8, 50, -127, 1];
        let half = Requant { multiplier: 1 << 30, shift: -6 }; // 0.5 / 64 = 1/128
        let bias64 = 8i64.to_le_bytes().iter().chain(&(-8i64).to_le_bytes()).copied().collect::<std::vec::Vec<u8>>();
        let mut out = [0u8; 4];
        conv2d_s16(&p, &[half], &filter, Bias16::I64(LeI64s::new(&bias64)), &input, &mut out).unwrap();
        // (2,000,008 / 128) = 15625.06 → 15625; (−3,830,008 / 128) = −29921.9 → −29922.
        assert_eq!([get16(&out, 0), get16(&out, 1)], [15625, -29922]);
        let bias32 = 8i32.to_le_bytes().iter().chain(&(-8i32).to_le_bytes()).copied().collect::<std::vec::Vec<u8>>();
        conv2d_s16(&p, &[half], &filter, Bias16::I32(LeI32s::new(&bias32)), &input, &mut out).unwrap();
        assert_eq!([get16(&out, 0), get16(&out, 1)], [15625, -29922]);
        // A bias length below the channel count is refused before anything is written.
        let short = 8i64.to_le_bytes();
        let r = conv2d_s16(&p, &[half], &filter, Bias16::I64(LeI64s::new(&short)), &input, &mut out);
        assert!(r.is_err());
    }

    #[test]
    fn int64_values_read_little_endian() {
        let b = (-5i64).to_le_bytes().iter().chain(&(1i64 << 40).to_le_bytes()).copied().collect::<std::vec::Vec<u8>>();
        let v = LeI64s::new(&b);
        assert_eq!((v.len(), v.get(0), v.get(1), v.get(2)), (2, -5, 1 << 40, 0));
    }
}
