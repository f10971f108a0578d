//! DEQUANTIZE: int8 → float32, bit-exact with TFLM: `(float)(double(scale) · (q - zero_point))`.

use super::add::check_quant_i8;
use crate::{Error, Result};

/// Prepared int8 → float32 DEQUANTIZE (the input tensor's quantization).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DequantizeParams {
    scale: f64,
    zero_point: i32,
}

impl DequantizeParams {
    /// Prepares int8 → float with the input's scale (finite, positive) and zero point
    /// (`-128..=127`).
    pub fn new(input_scale: f32, input_zero_point: i32) -> Result<DequantizeParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        Ok(DequantizeParams { scale: input_scale as f64, zero_point: input_zero_point })
    }
}

impl DequantizeParams {
    /// One value: `(float)(double(scale) · (q - zero_point))`.
    #[inline(always)]
    pub fn dequantize_one(&self, x: i8) -> f32 {
        (self.scale * (x as i32 - self.zero_point) as f64) as f32
    }
}

/// Int8 → float32 DEQUANTIZE, elementwise: the product is taken in double and rounded to
/// float once. `output` must be at least as long as `input` (otherwise
/// [`Error::InvalidArgument`], nothing written); any layout.
pub fn dequantize_s8_f32(params: &DequantizeParams, input: &[i8], output: &mut [f32]) -> Result<()> {
    let Some(output) = output.get_mut(..input.len()) else {
        return Err(Error::InvalidArgument);
    };
    for (o, &x) in output.iter_mut().zip(input) {
        *o = params.dequantize_one(x);
    }
    Ok(())
}

/// Int8 → float32 DEQUANTIZE inside one byte buffer (the output may overlap the input).
///
/// Reads int8 `i` from `buf[input_offset + i]` and writes float `i` as little-endian bytes to
/// `buf[output_offset + 4i .. + 4]`, for `i` descending from `n - 1` to 0; each int8 is read
/// before float `i` is written. Safe in place whenever `output_offset >= input_offset` (the
/// output then never reaches an int8 not yet read). Byte buffers need no alignment.
///
/// Errors with [`Error::InvalidArgument`], writing nothing, when either range falls outside
/// `buf`, or when the ranges overlap with `output_offset < input_offset`.
pub fn dequantize_s8_f32_bytes(
    params: &DequantizeParams,
    buf: &mut [u8],
    input_offset: usize,
    output_offset: usize,
    n: usize,
) -> Result<()> {
    let in_end = input_offset.checked_add(n).ok_or(Error::InvalidArgument)?;
    let out_end = n.checked_mul(4).and_then(|b| b.checked_add(output_offset)).ok_or(Error::InvalidArgument)?;
    let overlap = output_offset < in_end && input_offset < out_end;
    if in_end > buf.len() || out_end > buf.len() || (n > 0 && overlap && output_offset < input_offset) {
        return Err(Error::InvalidArgument);
    }
    for i in (0..n).rev() {
        let Some(&x) = buf.get(input_offset + i) else {
            return Err(Error::InvalidArgument);
        };
        let at = output_offset + 4 * i;
        if let Some(o) = buf.get_mut(at..at + 4) {
            o.copy_from_slice(&params.dequantize_one(x as i8).to_le_bytes());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequantize_in_double() {
        let p = DequantizeParams::new(0.5, -3).unwrap();
        let mut out = [0f32; 3];
        dequantize_s8_f32(&p, &[-3, 127, -128], &mut out).unwrap();
        assert_eq!(out, [0.0, 65.0, -62.5]);
        // 0.1f · 3: the double product 0.3000000044703484 rounds to the float 0x3E99999A.
        // (For int8 inputs the product is exact in double, so a float multiply would round
        // the same way; the double path is kept to mirror TFLM.)
        let p = DequantizeParams::new(0.1, 0).unwrap();
        dequantize_s8_f32(&p, &[3], &mut out[..1]).unwrap();
        assert_eq!(out[0].to_bits(), 0x3E99_999A);
    }

    #[test]
    fn dequantize_in_place_bytes() {
        let p = DequantizeParams::new(0.5, -3).unwrap();
        let q = [-3i8, 127, -128, 0, 5];
        let expect = [0.0f32, 65.0, -62.5, 1.5, 4.0];
        for (in_off, out_off) in [(0usize, 0usize), (0, 1), (4, 4), (4, 7), (20, 0)] {
            let mut buf = std::vec![0xAAu8; 40];
            for (i, &v) in q.iter().enumerate() {
                buf[in_off + i] = v as u8;
            }
            dequantize_s8_f32_bytes(&p, &mut buf, in_off, out_off, 5).unwrap();
            for (i, e) in expect.iter().enumerate() {
                let b = &buf[out_off + 4 * i..out_off + 4 * i + 4];
                assert_eq!(f32::from_le_bytes([b[0], b[1], b[2], b[3]]), *e, "offsets {in_off} {out_off}");
            }
        }
        // Output before an overlapping input, or ranges outside the buffer: refused.
        let mut buf = [0u8; 40];
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, 4, 3, 5).is_err());
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, 10, 0, 5).is_err());
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, 0, 21, 5).is_err());
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, 36, 0, 5).is_err());
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, 0, 20, 5).is_ok());
        assert!(dequantize_s8_f32_bytes(&p, &mut buf, usize::MAX, 0, 5).is_err());
    }

    #[test]
    fn short_output_is_refused() {
        let p = DequantizeParams::new(1.0, 0).unwrap();
        let mut out = [7f32; 1];
        assert!(dequantize_s8_f32(&p, &[1, 2], &mut out).is_err());
        assert_eq!(out, [7.0]);
    }
}
