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

/// Int8 → float32 DEQUANTIZE, elementwise: the product is taken in double and rounded to
/// float once. `output` must be at least as long as `input` (otherwise
/// [`Error::InvalidArgument`], nothing written); any layout.
pub fn dequantize_s8_f32(params: &DequantizeParams, input: &[i8], output: &mut [f32]) -> Result<()> {
    let Some(output) = output.get_mut(..input.len()) else {
        return Err(Error::InvalidArgument);
    };
    for (o, &x) in output.iter_mut().zip(input) {
        *o = (params.scale * (x as i32 - params.zero_point) as f64) as f32;
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
    fn short_output_is_refused() {
        let p = DequantizeParams::new(1.0, 0).unwrap();
        let mut out = [7f32; 1];
        assert!(dequantize_s8_f32(&p, &[1, 2], &mut out).is_err());
        assert_eq!(out, [7.0]);
    }
}
