//! RELU and RELU6 (int8), bit-exact with TFLM's micro kernels.
//!
//! The two differ in TFLM more than their names suggest:
//! - RELU requantizes: `output = max(output_zp, output_zp + (input - input_zp) · s_in / s_out)`
//!   with the ratio `s_in / s_out` divided in float, widened to double and turned into a Q31
//!   multiplier.
//! - RELU6 does not requantize at all: it clamps the raw input to
//!   `[input_zp, quantize(6.0)]`, both in the *input's* quantization, and stores that as the
//!   output (the output tensor's quantization is ignored).
//!
//! TFLM has no int8 RELU_N1_TO_1 kernel, so none is provided here.

use super::add::{check_quant_i8, CHUNK};
use super::call::MapCall;
use super::io::Io;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
use crate::{Error, Result};

/// Applies `f` to every element of input 0 of `io` over the blocks of `call`, writing each
/// output element after reading its input (ascending). Elements are read in runs of up to
/// [`CHUNK`] before the run's outputs are written, so the output may share the input's buffer
/// when it starts at or before the input (with the same layout).
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when [`MapCall::check`] fails.
#[inline]
pub(crate) fn map_s8(io: &mut Io<'_>, call: &MapCall, f: impl Fn(i8) -> i8) -> Result<()> {
    call.check(1, io)?;
    let mut res = [0i8; CHUNK];
    for (at, _, out, n) in call.runs() {
        let mut i = 0;
        while i < n {
            let m = CHUNK.min(n - i);
            let res = &mut res[..m];
            for (o, &x) in res.iter_mut().zip(io.input(0, at + i, m)) {
                *o = f(x);
            }
            for (k, &v) in res.iter().enumerate() {
                io.set(out + i + k, v);
            }
            i += m;
        }
    }
    Ok(())
}

/// Prepared int8 RELU (TFLM `CalculateReluOpData<int8_t>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReluParams {
    input_offset: i32,
    output_offset: i32,
    output_multiplier: i32,
    output_shift: i32,
    act_min: i32,
}

impl ReluParams {
    /// Prepares int8 RELU from the input and output quantization (finite positive scales,
    /// zero points in `-128..=127`).
    pub fn new(
        input_scale: f32,
        input_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<ReluParams> {
        check_quant_i8(input_scale, input_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let real = (input_scale / output_scale) as f64;
        if !real.is_finite() {
            return Err(Error::InvalidArgument);
        }
        let q = quantize_multiplier(real);
        // TFLM: max(-128, zp + (int)roundf(0 / scale)), i.e. the output zero point.
        let act_min = (i8::MIN as i32).max(output_zero_point + libm::roundf(0.0 / output_scale) as i32);
        Ok(ReluParams {
            input_offset: input_zero_point,
            output_offset: output_zero_point,
            output_multiplier: q.multiplier,
            output_shift: q.shift,
            act_min,
        })
    }
}

/// Int8 RELU, elementwise over input 0 of `io` (any layout). The output must be at least as
/// long as the input (otherwise [`Error::InvalidArgument`], nothing written). Walks forward
/// (ascending index); the output may share the input's buffer when it starts at or before
/// the input.
pub fn relu_s8(params: &ReluParams, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    map_s8(io, call, |x| {
        let v = params.output_offset.wrapping_add(multiply_by_quantized_multiplier(
            x as i32 - params.input_offset,
            params.output_multiplier,
            params.output_shift,
        ));
        v.max(params.act_min).min(i8::MAX as i32) as i8
    })
}

/// Prepared int8 RELU6 (TFLM `Relu6Prepare`): clamp bounds in the input's quantization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relu6Params {
    lower: i8,
    upper: i8,
}

impl Relu6Params {
    /// Prepares int8 RELU6 from the *input* quantization only (finite positive scale, zero
    /// point in `-128..=127`). The upper bound is TFLM's `FloatToQuantizedType(6.0)`:
    /// `round(6.0f / scale)` (float division, rounded half away from zero) plus the zero
    /// point, clamped to int8. Where that sum does not fit in int32 (scale below about
    /// 3e-9), the x86-64 conversion TFLM's host build performs yields `i32::MIN`, so the bound
    /// becomes -128; this is reproduced.
    pub fn new(input_scale: f32, input_zero_point: i32) -> Result<Relu6Params> {
        check_quant_i8(input_scale, input_zero_point)?;
        let r = libm::round((6.0f32 / input_scale) as f64) + input_zero_point as f64;
        let six = if (-2_147_483_648.0..2_147_483_648.0).contains(&r) { r as i32 } else { i32::MIN };
        let six = six.clamp(i8::MIN as i32, i8::MAX as i32);
        Ok(Relu6Params { lower: input_zero_point as i8, upper: six as i8 })
    }
}

/// Int8 RELU6, elementwise over input 0 of `io`: `output = clamp(input, lower, upper)` with
/// the upper bound tested first, as TFLM does. No requantization: the output holds
/// input-quantized values. The output must be at least as long as the input (otherwise
/// [`Error::InvalidArgument`], nothing written). Walks forward; in-place as [`relu_s8`].
pub fn relu6_s8(params: &Relu6Params, call: &MapCall, io: &mut Io<'_>) -> Result<()> {
    let (lower, upper) = (params.lower, params.upper);
    map_s8(io, call, |x| {
        if x > upper {
            upper
        } else if x < lower {
            lower
        } else {
            x
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relu(p: &ReluParams, x: &[i8], out: &mut [i8]) -> Result<()> {
        relu_s8(p, &MapCall::flat(x.len()), &mut Io::split(x, out))
    }

    fn relu6(p: &Relu6Params, x: &[i8], out: &mut [i8]) -> Result<()> {
        relu6_s8(p, &MapCall::flat(x.len()), &mut Io::split(x, out))
    }

    #[test]
    fn relu_same_quantization_is_a_clamp() {
        // Equal scales: multiplier 1.0 = (2^30, 1), exact for every input.
        let p = ReluParams::new(0.5, -10, 0.5, -10).unwrap();
        let mut out = [0i8; 5];
        relu(&p, &[-128, -11, -10, -9, 127], &mut out).unwrap();
        assert_eq!(out, [-10, -10, -10, -9, 127]);
    }

    #[test]
    fn relu_requantizes_with_rounding() {
        // s_in / s_out = 0.5 → (2^30, 0): the doubling high multiply halves, ties toward +inf.
        // Output zp 5 → floor 5. Inputs (zp 0): 3 → 1.5 → 2 → 7; 1 → 0.5 → 1 → 6;
        // -1 → -0.5 → 0 → 5; 127 → 63.5 → 64 → 69; -128 → -64 → -59 → clamped to 5.
        let p = ReluParams::new(0.5, 0, 1.0, 5).unwrap();
        let mut out = [0i8; 5];
        relu(&p, &[3, 1, -1, 127, -128], &mut out).unwrap();
        assert_eq!(out, [7, 6, 5, 69, 5]);
        // Saturation at the top: s_in / s_out = 4 → 127 · 4 → 127.
        let p = ReluParams::new(1.0, 0, 0.25, -128).unwrap();
        relu(&p, &[127, 0, 40, -1, 31], &mut out).unwrap();
        assert_eq!(out, [127, -128, 32, -128, -4]);
    }

    #[test]
    fn relu6_clamps_in_input_quantization() {
        // scale 0.05, zp -20: six = round(6/0.05f) - 20 = 120 - 20 = 100.
        let p = Relu6Params::new(0.05, -20).unwrap();
        assert_eq!((p.lower, p.upper), (-20, 100));
        let mut out = [0i8; 6];
        relu6(&p, &[-128, -21, -20, 0, 100, 127], &mut out).unwrap();
        assert_eq!(out, [-20, -20, -20, 0, 100, 100]);
        // Six beyond int8 is clamped to 127: scale 0.01, zp 0 → 600 → 127 (plain ReLU).
        let p = Relu6Params::new(0.01, 0).unwrap();
        assert_eq!((p.lower, p.upper), (0, 127));
        // Half-way rounding away from zero: scale 0.75 → 6/0.75 = 8 exactly; scale 1.6 → 3.75
        // → 4; scale 2.4 → 2.5 → 3.
        assert_eq!(Relu6Params::new(0.75, 0).unwrap().upper, 8);
        assert_eq!(Relu6Params::new(1.6, 0).unwrap().upper, 4);
        assert_eq!(Relu6Params::new(2.4, 0).unwrap().upper, 3);
        // Overflowing conversion (x86-64 semantics) → i32::MIN → -128.
        assert_eq!(Relu6Params::new(1e-30, 0).unwrap().upper, -128);
    }

    #[test]
    fn rejects_bad_quantization() {
        assert!(ReluParams::new(0.0, 0, 1.0, 0).is_err());
        assert!(ReluParams::new(1.0, 0, 1.0, -129).is_err());
        assert!(Relu6Params::new(f32::INFINITY, 0).is_err());
    }
}
