//! The int16 elementwise kernels, bit-exact with TFLM's reference kernels: QUANTIZE between
//! float32, int8, int16 and int32 (`AffineQuantize`, `Requantize`), DEQUANTIZE int16 → float32,
//! and the broadcasting ADD and MUL on int16 tensors.
//!
//! - QUANTIZE float32 → int16: `roundf(x / scale)` in float, plus the zero point, clamped.
//! - QUANTIZE between integer types: `input - input_zp` rescaled by the Q31 form of
//!   `double(input_scale) / double(output_scale)` (double-rounding multiply), plus the output
//!   zero point, clamped to the output type.
//! - DEQUANTIZE: `(float)(double(scale) · (q - zero_point))`.
//! - ADD: as the int8 ADD with 15 bits of headroom instead of 20 (TFLM's general int16 path):
//!   both inputs shifted left by 15, scaled to a common scale, summed, rescaled, clamped.
//! - MUL: `(a · b)` in 32 bits requantized by `s1 · s2 / s_out` (double-rounding); TFLM
//!   requires zero points 0.
//!
//! Operands are little-endian bytes at any alignment; outputs are separate from inputs.

use super::add::{smaller_than_one, Broadcast};
use super::conv16::{io_get16, io_set16};
use super::io::Io;
use crate::quant::{
    activation_range_i16, multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_smaller_than_one_exp,
    quantize_multiplier, Activation,
};
use crate::tensor::Shape;
use crate::{Error, Result};

/// Integer element types of QUANTIZE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Int {
    I8,
    I16,
    I32,
}

impl Int {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Int::I8 => 1,
            Int::I16 => 2,
            Int::I32 => 4,
        }
    }
    /// `[min, max]` of the type.
    fn range(self) -> (i64, i64) {
        match self {
            Int::I8 => (i8::MIN as i64, i8::MAX as i64),
            Int::I16 => (i16::MIN as i64, i16::MAX as i64),
            Int::I32 => (i32::MIN as i64, i32::MAX as i64),
        }
    }
    /// True when `zp` is a value of the type.
    pub fn holds(self, zp: i32) -> bool {
        let (lo, hi) = self.range();
        (lo..=hi).contains(&(zp as i64))
    }
    /// Element `i` of little-endian bytes (0 when out of range).
    #[inline(always)]
    fn get(self, x: &[u8], i: usize) -> i32 {
        let n = self.size();
        match x.get(i * n..i * n + n) {
            Some(&[a]) => a as i8 as i32,
            Some(&[a, b]) => i16::from_le_bytes([a, b]) as i32,
            Some(&[a, b, c, d]) => i32::from_le_bytes([a, b, c, d]),
            _ => 0,
        }
    }
    /// Writes `v` (clamped to the type) as element `i`.
    #[inline(always)]
    fn set(self, y: &mut [u8], i: usize, v: i64) {
        let (lo, hi) = self.range();
        let v = v.clamp(lo, hi);
        let n = self.size();
        if let Some(s) = y.get_mut(i * n..i * n + n) {
            s.copy_from_slice(&(v as i32).to_le_bytes()[..n]);
        }
    }
}

/// Prepared QUANTIZE between integer types (one of them int16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requantize16Params {
    from: Int,
    to: Int,
    input_zp: i32,
    output_zp: i32,
    multiplier: i32,
    shift: i32,
    len: usize,
}

impl Requantize16Params {
    /// `len` values `from` → `to`; finite positive scales, zero points of their types.
    pub fn new(from: Int, to: Int, scales: [f32; 2], zps: [i32; 2], len: usize) -> Result<Requantize16Params> {
        let ok = |s: f32| s.is_finite() && s > 0.0;
        if !ok(scales[0]) || !ok(scales[1]) || !from.holds(zps[0]) || !to.holds(zps[1]) {
            return Err(Error::InvalidArgument);
        }
        let q = quantize_multiplier(scales[0] as f64 / scales[1] as f64);
        Ok(Requantize16Params {
            from,
            to,
            input_zp: zps[0],
            output_zp: zps[1],
            multiplier: q.multiplier,
            shift: q.shift,
            len,
        })
    }
    /// Input and output bytes.
    pub fn bytes(&self) -> (usize, usize) {
        (self.len * self.from.size(), self.len * self.to.size())
    }
}

/// QUANTIZE between integer types over whole tensors.
pub fn requantize16(p: &Requantize16Params, input: &[u8], output: &mut [u8]) -> Result<()> {
    let (ni, no) = p.bytes();
    if input.len() < ni || output.len() < no {
        return Err(Error::InvalidArgument);
    }
    for i in 0..p.len {
        let x = p.from.get(input, i).wrapping_sub(p.input_zp);
        let v = multiply_by_quantized_multiplier(x, p.multiplier, p.shift).wrapping_add(p.output_zp);
        p.to.set(output, i, v as i64);
    }
    Ok(())
}

/// Prepared QUANTIZE float32 → int16 and DEQUANTIZE int16 → float32.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Convert16Params {
    scale: f32,
    zero_point: i32,
    len: usize,
}

impl Convert16Params {
    /// `len` values with an int16 tensor's quantization (finite positive scale, int16 zero
    /// point).
    pub fn new(scale: f32, zero_point: i32, len: usize) -> Result<Convert16Params> {
        if !(scale.is_finite() && scale > 0.0 && Int::I16.holds(zero_point)) {
            return Err(Error::InvalidArgument);
        }
        Ok(Convert16Params { scale, zero_point, len })
    }
}

/// QUANTIZE float32 → int16 (a quotient outside the int32 range, or NaN, converts to
/// `i32::MIN` as on TFLM's x86-64 host build, see [`super::quantize`]).
pub fn quantize_f32_s16(p: &Convert16Params, input: &[u8], output: &mut [u8]) -> Result<()> {
    if input.len() < 4 * p.len || output.len() < 2 * p.len {
        return Err(Error::InvalidArgument);
    }
    for i in 0..p.len {
        let x = match input.get(4 * i..4 * i + 4) {
            Some(&[a, b, c, d]) => f32::from_le_bytes([a, b, c, d]),
            _ => return Err(Error::InvalidArgument),
        };
        let t = libm::roundf(x / p.scale);
        let q = if (-2_147_483_648.0f32..2_147_483_648.0f32).contains(&t) { t as i32 } else { i32::MIN };
        Int::I16.set(output, i, q.wrapping_add(p.zero_point) as i64);
    }
    Ok(())
}

/// DEQUANTIZE int16 → float32.
pub fn dequantize_s16_f32(p: &Convert16Params, input: &[u8], output: &mut [u8]) -> Result<()> {
    if input.len() < 2 * p.len || output.len() < 4 * p.len {
        return Err(Error::InvalidArgument);
    }
    for i in 0..p.len {
        let v = (p.scale as f64 * (Int::I16.get(input, i) - p.zero_point) as f64) as f32;
        if let Some(s) = output.get_mut(4 * i..4 * i + 4) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }
    Ok(())
}

/// Left shift of TFLM's int16 ADD inputs.
const ADD16_LEFT_SHIFT: i32 = 15;

/// Prepared int16 ADD or MUL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binary16Params {
    mul: bool,
    offsets: [i32; 3],
    /// ADD: input 1, input 2 and output multipliers; MUL: the output's in entry 2.
    multipliers: [(i32, i32); 3],
    act_min: i32,
    act_max: i32,
    broadcast: Broadcast,
}

impl Binary16Params {
    /// TFLM's ADD (`mul` false) or MUL Prepare for int16 tensors: `scales` and `zps` of input
    /// 1, input 2 and the output (finite positive scales, int16 zero points; MUL requires
    /// them 0), shapes broadcast-compatible.
    pub fn new(
        mul: bool,
        scales: [f32; 3],
        zps: [i32; 3],
        activation: Activation,
        shapes: [Shape; 3],
    ) -> Result<Binary16Params> {
        if scales.iter().any(|&s| !(s.is_finite() && s > 0.0))
            || zps.iter().any(|&z| !Int::I16.holds(z))
            || (mul && zps != [0; 3])
        {
            return Err(Error::InvalidArgument);
        }
        let broadcast = Broadcast::new(shapes[0], shapes[1], shapes[2])?;
        let [s1, s2, so] = scales;
        let multipliers = if mul {
            let q = quantize_multiplier(s1 as f64 * s2 as f64 / so as f64);
            [(0, 0), (0, 0), (q.multiplier, q.shift)]
        } else {
            let twice_max = 2.0 * s1.max(s2) as f64;
            let out = twice_max / ((1i64 << ADD16_LEFT_SHIFT) as f64 * so as f64);
            [smaller_than_one(s1 as f64 / twice_max)?, smaller_than_one(s2 as f64 / twice_max)?, smaller_than_one(out)?]
        };
        let (act_min, act_max) = activation_range_i16(activation, so, zps[2]);
        Ok(Binary16Params {
            mul,
            offsets: [zps[0].wrapping_neg(), zps[1].wrapping_neg(), zps[2]],
            multipliers,
            act_min,
            act_max,
            broadcast,
        })
    }

    /// True for MUL, false for ADD.
    pub fn is_mul(&self) -> bool {
        self.mul
    }

    #[inline(always)]
    fn one(&self, x: i32, y: i32) -> i32 {
        let [o1, o2, oo] = self.offsets;
        let [m1, m2, mo] = self.multipliers;
        let raw = if self.mul {
            let p = (x + o1).wrapping_mul(y + o2);
            multiply_by_quantized_multiplier(p, mo.0, mo.1).wrapping_add(oo)
        } else {
            let a = (x + o1).wrapping_mul(1 << ADD16_LEFT_SHIFT);
            let b = (y + o2).wrapping_mul(1 << ADD16_LEFT_SHIFT);
            let a = multiply_by_quantized_multiplier_smaller_than_one_exp(a, m1.0, m1.1);
            let b = multiply_by_quantized_multiplier_smaller_than_one_exp(b, m2.0, m2.1);
            multiply_by_quantized_multiplier_smaller_than_one_exp(a.wrapping_add(b), mo.0, mo.1).wrapping_add(oo)
        };
        raw.max(self.act_min).min(self.act_max)
    }
}

/// Int16 ADD or MUL over the broadcast plan: inputs 0 and 1 of `io`, little-endian bytes.
/// Walks the output forward and reads each output element's operands before writing it, so
/// an operand of the output's shape may share the output's bytes from its start or after.
pub fn binary_s16(p: &Binary16Params, io: &mut Io<'_>) -> Result<()> {
    let b = &p.broadcast;
    if io.input_len(0) < 2 * b.input1_len()
        || io.input_len(1) < 2 * b.input2_len()
        || io.output_len() < 2 * b.output_len()
    {
        return Err(Error::InvalidArgument);
    }
    b.for_each(|o, i, j| {
        let v = p.one(io_get16(io, 0, i), io_get16(io, 1, j));
        io_set16(io, o, v as i16);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_by_hand() {
        // int16 → int8: scale 2^-10 → 2^-5 divides by 32 (rounding), zero point 7, clamped.
        let p = Requantize16Params::new(Int::I16, Int::I8, [1.0 / 1024.0, 1.0 / 32.0], [0, 7], 3).unwrap();
        let input: std::vec::Vec<u8> = [100i16, -48, 30000].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut out = [0u8; 3];
        requantize16(&p, &input, &mut out).unwrap();
        assert_eq!(out.map(|b| b as i8), [10, 5, 127]);
        // float → int16 with zero point 0 and DEQUANTIZE back.
        let q = Convert16Params::new(0.5, 0, 2).unwrap();
        let f: std::vec::Vec<u8> = [1.25f32, -40000.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut y = [0u8; 4];
        quantize_f32_s16(&q, &f, &mut y).unwrap();
        assert_eq!([i16::from_le_bytes([y[0], y[1]]), i16::from_le_bytes([y[2], y[3]])], [3, -32768]);
        let mut back = [0u8; 8];
        dequantize_s16_f32(&q, &y, &mut back).unwrap();
        assert_eq!(f32::from_le_bytes([back[0], back[1], back[2], back[3]]), 1.5);
        // Zero points outside the type are refused.
        assert!(Requantize16Params::new(Int::I16, Int::I8, [1.0, 1.0], [0, 200], 1).is_err());
    }

    #[test]
    fn mul_broadcasts_and_requires_zero_points_0() {
        let s = |d: &[usize]| Shape::new(d).unwrap();
        let shapes = [s(&[2, 2]), s(&[2]), s(&[2, 2])];
        // 2^-8 · 2^-8 / 2^-10 = 1/64.
        let scales = [1.0 / 256.0, 1.0 / 256.0, 1.0 / 1024.0];
        let p = Binary16Params::new(true, scales, [0; 3], Activation::None, shapes).unwrap();
        let a: std::vec::Vec<i8> =
            [64i16, -64, 640, 32767].iter().flat_map(|v| v.to_le_bytes()).map(|b| b as i8).collect();
        let b: std::vec::Vec<i8> = [2i16, 100].iter().flat_map(|v| v.to_le_bytes()).map(|b| b as i8).collect();
        let mut y = [0i8; 8];
        binary_s16(&p, &mut Io::split2(&a, &b, &mut y)).unwrap();
        let v: std::vec::Vec<i16> = y.chunks(2).map(|c| i16::from_le_bytes([c[0] as u8, c[1] as u8])).collect();
        assert_eq!(v, [2, -100, 20, 32767]);
        assert!(Binary16Params::new(true, scales, [0, 1, 0], Activation::None, shapes).is_err());
    }
}
