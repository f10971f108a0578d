//! SOFTMAX int16 → int16, bit-exact with TFLM's `SoftmaxInt16`: two 513-entry tables with
//! linear interpolation between entries (the top 9 bits of a value pick the entry, the low 7
//! interpolate), one for `exp(x)` over `[-10, 0]` and one for `1 / (1 + x)` over `[0, 1]`.
//!
//! Per row: the differences to the row's maximum are rescaled (double-rounding multiplier of
//! `input_scale · beta / (10 / 65535)`) so that `[-65535, 0]` spans `[-10, 0]`, shifted by
//! 32767 and saturated to int16, and looked up in the exp table (Q0.15). Their sum (Q16.15) is
//! normalized by its leading zeros to `[1, 2)`, moved to the reciprocal table's input range
//! and looked up; each exp value times the reciprocal, shifted back by the normalization
//! (rounding), clamped to `[0, 32767]`, is the output (scale 1/32768, zero point 0).
//!
//! The tables are TFLM's `LUTPopulate<int16_t>` values for those two functions (float
//! arithmetic: samples at 512 steps, each corrected by half the error of the interpolated
//! midpoint); [`populate`] computes them and a test checks the constants against it.

use super::conv16::{get16, set16};
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::{Error, Result};

/// Prepared SOFTMAX int16 → int16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Softmax16Params {
    multiplier: i32,
    shift: i32,
    /// Rows and values per row (the last dimension).
    outer: usize,
    depth: usize,
}

impl Softmax16Params {
    /// TFLM's SOFTMAX Prepare for int16: input and output zero points 0, output scale
    /// 1/32768 (within 0.1%); `outer` rows of `depth` values. Errors: [`Error::InvalidArgument`].
    pub fn new(
        input_scale: f32,
        input_zp: i32,
        output_scale: f32,
        output_zp: i32,
        beta: f32,
        outer: usize,
        depth: usize,
    ) -> Result<Softmax16Params> {
        let target = 1.0f32 / 32768.0;
        let near = libm::fabsf(output_scale - target) <= 0.001 * target;
        if input_zp != 0
            || output_zp != 0
            || !near
            || !(input_scale.is_finite() && input_scale > 0.0)
            || outer.checked_mul(depth).is_none()
            || depth == 0
        {
            return Err(Error::InvalidArgument);
        }
        let rq = quantize_multiplier(input_scale as f64 * beta as f64 / (10.0 / 65535.0));
        Ok(Softmax16Params { multiplier: rq.multiplier, shift: rq.shift, outer, depth })
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.outer * self.depth
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Entries of an int16 table: 512 and one more for the last slope.
pub(crate) const LUT_LEN: usize = 513;

/// TFLM's `LUTPopulate<int16_t>` for `f` with the given input and output quantization.
pub fn populate(
    input_scale: f32,
    input_zp: i32,
    output_scale: f32,
    output_zp: i32,
    f: fn(f32) -> f32,
) -> [i16; LUT_LEN] {
    let input_min = input_scale * (-32768 - input_zp) as f32;
    let input_max = input_scale * (32767 - input_zp) as f32;
    let output_min = output_scale * (-32768 - output_zp) as f32;
    let output_max = output_scale * (32767 - output_zp) as f32;
    let steps = LUT_LEN - 1;
    let step = (input_max - input_min) / steps as f32;
    let half_step = step / 2.0;
    let inv = 65536.0f32 / (output_max - output_min);
    let clamp = |v: f32| v.clamp(-32768.0, 32767.0) as i16;
    let mut lut = [0i16; LUT_LEN];
    for (i, slot) in lut.iter_mut().enumerate().take(steps) {
        let at = input_min + i as f32 * step;
        let val = f(at);
        let val_mid = f(at + half_step);
        let val_next = f(input_min + (i + 1) as f32 * step);
        let sample = libm::roundf(val * inv);
        let interp = libm::roundf((val_next * inv + libm::roundf(val * inv)) / 2.0);
        let mid = libm::roundf(val_mid * inv);
        let bias = libm::roundf((interp - mid) / 2.0);
        *slot = clamp(sample - bias);
    }
    lut[steps] = clamp(libm::roundf(f(input_max) * inv));
    lut
}

/// The table value at `v`, interpolated (TFLM's `LUTLookup` for int16).
#[inline(always)]
fn lookup(v: i16, lut: &[i16; LUT_LEN]) -> i16 {
    let index = (256 + (v as i32 >> 7)) as usize;
    let offset = (v & 0x7f) as i32;
    let base = lut[index.min(LUT_LEN - 2)] as i32;
    let slope = (lut[index.min(LUT_LEN - 2) + 1] as i32 - base) as i16 as i32;
    let delta = (slope * offset + 64) >> 7;
    (base + delta) as i16
}

/// `exp(x)` over `[-10, 0]` (input zero point 32767, scale 10/65535; output scale 2/65535).
pub fn exp_table() -> [i16; LUT_LEN] {
    populate(10.0 / 65535.0, 32767, 2.0 / 65535.0, 0, libm::expf)
}

/// `1 / (1 + x)` over `[0, 1]` (input zero point -32768, scale 1/65535; output scale 2/65535).
pub fn one_over_one_plus_x_table() -> [i16; LUT_LEN] {
    populate(1.0 / 65535.0, -32768, 2.0 / 65535.0, 0, |x| 1.0 / (1.0 + x))
}

/// SOFTMAX int16 over the last dimension, little-endian bytes in and out (separate).
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when a length disagrees.
pub fn softmax_s16(p: &Softmax16Params, input: &[u8], output: &mut [u8]) -> Result<()> {
    if input.len() < 2 * p.len() || output.len() < 2 * p.len() {
        return Err(Error::InvalidArgument);
    }
    for row in 0..p.outer {
        let at = row * p.depth;
        let max = (0..p.depth).map(|c| get16(input, at + c)).max().unwrap_or(0);
        let mut sum: i32 = 0;
        for c in 0..p.depth {
            let diff = get16(input, at + c) - max;
            let scaled = multiply_by_quantized_multiplier(diff, p.multiplier, p.shift);
            let sym = scaled.wrapping_add(32767).clamp(-32768, 32767) as i16;
            let e = lookup(sym, &EXP);
            set16(output, at + c, e);
            sum = sum.wrapping_add(e as i32);
        }
        let headroom = (sum as u32).leading_zeros().max(1);
        let shifted = ((((sum as i64) << (headroom - 1)) + (1 << 13)) >> 14) as i32;
        let sym = shifted.wrapping_sub((1 << 15) + (1 << 16)).clamp(-32768, 32767) as i16;
        let reciprocal = lookup(sym, &ONE_OVER_ONE_PLUS_X) as i64;
        // The row maximum alone contributes about 32767: headroom stays at or below 17.
        let right = 31u32.saturating_sub(headroom).max(1);
        let round = 1i64 << (right - 1);
        for c in 0..p.depth {
            let e = get16(output, at + c) as i64;
            let r = ((e * reciprocal + round) >> right) as i32;
            set16(output, at + c, r.clamp(0, 32767) as i16);
        }
    }
    Ok(())
}

include!("softmax16_tables.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_tflm_populate() {
        assert_eq!(EXP, exp_table());
        assert_eq!(ONE_OVER_ONE_PLUS_X, one_over_one_plus_x_table());
        // exp(0) = 1 at the top of the exp table (Q0.15, saturated), 1/(1+0) = 1 at the
        // bottom of the reciprocal table.
        assert_eq!(EXP[LUT_LEN - 1], 32767);
        assert_eq!(ONE_OVER_ONE_PLUS_X[0], 32767);
        assert_eq!(ONE_OVER_ONE_PLUS_X[LUT_LEN - 1], 16384);
    }

    #[test]
    fn uniform_row_splits_evenly() {
        let p = Softmax16Params::new(0.001, 0, 1.0 / 32768.0, 0, 1.0, 1, 4).unwrap();
        let input = [7i16; 4].iter().flat_map(|v| v.to_le_bytes()).collect::<std::vec::Vec<u8>>();
        let mut out = [0u8; 8];
        softmax_s16(&p, &input, &mut out).unwrap();
        for c in 0..4 {
            let v = get16(&out, c);
            assert!((v - 8192).abs() <= 2, "{v}");
        }
    }
}
