//! QUANTIZE: float32 → int8 and int8 → int8 (requantize), bit-exact with TFLM.
//!
//! Float → int8 divides by the output scale in float (no reciprocal), rounds half away from
//! zero (`roundf`), converts to int32, adds the zero point and clamps. int8 → int8 rescales
//! `input - input_zp` by the Q31 form of `double(input_scale) / double(output_scale)` with
//! TFLM's two-rounding multiply, adds the output zero point and clamps.

use super::activations::map_s8;
use super::add::check_quant_i8;
use super::call::MapCall;
use super::io::Io;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::{Error, Result};

/// Prepared float32 → int8 QUANTIZE (the output tensor's quantization).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantizeParams {
    scale: f32,
    zero_point: i32,
}

impl QuantizeParams {
    /// Prepares float → int8 with the output's scale (finite, positive) and zero point
    /// (`-128..=127`).
    pub fn new(output_scale: f32, output_zero_point: i32) -> Result<QuantizeParams> {
        check_quant_i8(output_scale, output_zero_point)?;
        Ok(QuantizeParams { scale: output_scale, zero_point: output_zero_point })
    }

    /// One value: `clamp(roundf(x / scale) + zero_point)`.
    ///
    /// A quotient outside the int32 range (or NaN) converts to `i32::MIN`, as the x86-64
    /// conversion in TFLM's host build does, so huge positive inputs and NaN give -128 just
    /// like the oracle (on Arm, TFLM itself would saturate instead).
    #[inline(always)]
    pub fn quantize_one(&self, x: f32) -> i8 {
        let t = libm::roundf(x / self.scale);
        let q = if (-2_147_483_648.0f32..2_147_483_648.0f32).contains(&t) { t as i32 } else { i32::MIN };
        q.wrapping_add(self.zero_point).clamp(i8::MIN as i32, i8::MAX as i32) as i8
    }
}

/// Float32 → int8 QUANTIZE, elementwise. `output` must be at least as long as `input`
/// (otherwise [`Error::InvalidArgument`], nothing written); any layout.
pub fn quantize_f32_s8(params: &QuantizeParams, input: &[f32], output: &mut [i8]) -> Result<()> {
    let Some(output) = output.get_mut(..input.len()) else {
        return Err(Error::InvalidArgument);
    };
    for (o, &x) in output.iter_mut().zip(input) {
        *o = params.quantize_one(x);
    }
    Ok(())
}

/// Float32 → int8 QUANTIZE inside one byte buffer (the output may overlap the input).
///
/// Reads float `i` as the little-endian bytes `buf[input_offset + 4i .. + 4]` and writes int8
/// `i` to `buf[output_offset + i]`, for `i` ascending in `0..n`; each float is read before
/// the byte at the same index is written. Safe in place whenever
/// `output_offset <= input_offset` (the output then never reaches a float not yet read).
/// Byte buffers need no alignment.
///
/// Errors with [`Error::InvalidArgument`], writing nothing, when either range falls outside
/// `buf`, or when the ranges overlap with `output_offset > input_offset` (the walk would read
/// bytes it already overwrote).
pub fn quantize_f32_s8_bytes(
    params: &QuantizeParams,
    buf: &mut [u8],
    input_offset: usize,
    output_offset: usize,
    n: usize,
) -> Result<()> {
    let in_end = n.checked_mul(4).and_then(|b| b.checked_add(input_offset)).ok_or(Error::InvalidArgument)?;
    let out_end = output_offset.checked_add(n).ok_or(Error::InvalidArgument)?;
    let overlap = output_offset < in_end && input_offset < out_end;
    if in_end > buf.len() || out_end > buf.len() || (n > 0 && overlap && output_offset > input_offset) {
        return Err(Error::InvalidArgument);
    }
    for i in 0..n {
        let at = input_offset + 4 * i;
        let x = match buf.get(at..at + 4) {
            Some(&[a, b, c, d]) => f32::from_le_bytes([a, b, c, d]),
            _ => return Err(Error::InvalidArgument),
        };
        if let Some(o) = buf.get_mut(output_offset + i) {
            *o = params.quantize_one(x) as u8;
        }
    }
    Ok(())
}

/// Prepared int8 → int8 QUANTIZE (requantization; TFLM's `Requantize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantizeParams {
    input_zero_point: i32,
    output_zero_point: i32,
    multiplier: i32,
    shift: i32,
}

impl RequantizeParams {
    /// Prepares int8 → int8 from the input and output quantization (finite positive scales,
    /// zero points in `-128..=127`).
    pub fn new(
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<RequantizeParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let q = quantize_multiplier(input_scale as f64 / output_scale as f64);
        Ok(RequantizeParams { input_zero_point, output_zero_point, multiplier: q.multiplier, shift: q.shift })
    }
}

/// Int8 → int8 requantize, elementwise over input 0 of `io` (any layout). The output must
/// be at least as long as the input (otherwise [`Error::InvalidArgument`], nothing written).
/// Walks forward (ascending index); the output may share the input's buffer when it starts at
/// or before the input.
pub fn requantize_s8(params: &RequantizeParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    map_s8(io, call, |x| {
        let v = multiply_by_quantized_multiplier(x as i32 - params.input_zero_point, params.multiplier, params.shift)
            .wrapping_add(params.output_zero_point);
        v.clamp(i8::MIN as i32, i8::MAX as i32) as i8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_quantize_rounds_half_away_and_saturates() {
        let p = QuantizeParams::new(0.5, -3).unwrap();
        let mut out = [0i8; 8];
        // x / 0.5: 0.25 → 0.5 → 1; -0.25 → -0.5 → -1; 0.75 → 1.5 → 2; -0.75 → -2;
        // 0.2 → 0.4 → 0; then + (-3). 1000 → 2000 → 127; -1000 → -128; 62.5 → 125 → 122.
        quantize_f32_s8(&p, &[0.25, -0.25, 0.75, -0.75, 0.2, 1000.0, -1000.0, 62.5], &mut out).unwrap();
        assert_eq!(out, [-2, -4, -1, -5, -3, 127, -128, 122]);
    }

    #[test]
    fn float_quantize_divides_in_float() {
        // 2.25 / 0.3f is 7.4999995 in float → 7, whereas multiplying by the float reciprocal
        // of 0.3f gives exactly 7.5 → 8. TFLM divides.
        let p = QuantizeParams::new(0.3, 0).unwrap();
        assert_eq!(p.quantize_one(2.25), 7);
        assert_eq!(p.quantize_one(-2.25), -7);
        assert_eq!(libm::roundf(2.25f32 * (1.0f32 / 0.3f32)), 8.0);
    }

    #[test]
    fn float_quantize_out_of_range_follows_x86() {
        let p = QuantizeParams::new(1.0, 10).unwrap();
        assert_eq!(p.quantize_one(3e9), -128);
        assert_eq!(p.quantize_one(-3e9), -128);
        assert_eq!(p.quantize_one(f32::NAN), -128);
        assert_eq!(p.quantize_one(f32::INFINITY), -128);
        assert_eq!(p.quantize_one(2e9), 127);
    }

    #[test]
    fn float_quantize_in_place_bytes() {
        let p = QuantizeParams::new(0.5, -3).unwrap();
        let xs = [0.25f32, -0.25, 0.75, -0.75, 0.2, 1000.0, -1000.0, 62.5];
        let expect = [-2i8, -4, -1, -5, -3, 127, -128, 122];
        for out_off in [0usize, 1, 3, 8] {
            let mut buf = std::vec![0x55u8; 8 + 32];
            for (i, x) in xs.iter().enumerate() {
                buf[8 + 4 * i..12 + 4 * i].copy_from_slice(&x.to_le_bytes());
            }
            quantize_f32_s8_bytes(&p, &mut buf, 8, out_off, 8).unwrap();
            let got: std::vec::Vec<i8> = buf[out_off..out_off + 8].iter().map(|&b| b as i8).collect();
            assert_eq!(got, expect, "output offset {out_off}");
        }
        let mut buf = [0u8; 40];
        // Output after an overlapping input, or ranges outside the buffer: refused.
        assert!(quantize_f32_s8_bytes(&p, &mut buf, 8, 9, 8).is_err());
        assert!(quantize_f32_s8_bytes(&p, &mut buf, 9, 0, 8).is_err());
        assert!(quantize_f32_s8_bytes(&p, &mut buf, 0, 33, 8).is_err());
        assert!(quantize_f32_s8_bytes(&p, &mut buf, 0, 32, 8).is_ok());
        assert!(quantize_f32_s8_bytes(&p, &mut buf, 0, usize::MAX, 2).is_err());
    }

    #[test]
    fn requantize_rounds_and_clamps() {
        // 0.5 / 1.0 → (2^30, 0): the high multiply halves with ties toward +inf.
        let p = RequantizeParams::new(0.5, 1, 1.0, -2).unwrap();
        let mut out = [0i8; 6];
        // (x - 1) / 2 - 2: 4 → 1.5 → 2 → 0; 2 → 0.5 → 1 → -1; 0 → -0.5 → 0 → -2;
        // -2 → -1.5 → -1 → -3; 127 → 63 → 61; -128 → -64.5 → -64 → -66.
        requantize_s8(&p, &MapCall::flat(6), &mut Io::split(&[4, 2, 0, -2, 127, -128], &mut out)).unwrap();
        assert_eq!(out, [0, -1, -2, -3, 61, -66]);
        // 1.0 / 0.25 = 4: saturates both ends.
        let p = RequantizeParams::new(1.0, 0, 0.25, 0).unwrap();
        requantize_s8(&p, &MapCall::flat(6), &mut Io::split(&[40, -40, 31, -32, 0, 1], &mut out)).unwrap();
        assert_eq!(out, [127, -128, 124, -128, 0, 4]);
    }
}
