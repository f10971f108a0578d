//! FULLY_CONNECTED for int8 activations and int8 filters, bit-exact with TFLM's
//! `reference_integer_ops::FullyConnected` (per-tensor filter scale) and
//! `FullyConnectedPerChannel` (one filter scale per output row).
//!
//! Shapes follow TFLM's int8 kernel, which looks only at the output and filter shapes:
//! `output_depth` is the output's last dimension, `batches` the product of the output's other
//! dimensions, `accum_depth` the filter's last dimension. Batch `b` reads the input elements
//! `b * accum_depth ..+ accum_depth` of the flattened input, whatever the input's shape (so
//! `keep_num_dims` only matters through the output shape the model declares).
//!
//! Arithmetic: a 32-bit wrapping accumulator of `(filter - filter_zp) * (input - input_zp)`
//! (the filter zero point is applied on the per-tensor path only, as in TFLM; the per-channel
//! path ignores it), optional bias, double-rounding requantization, output zero point, clamp
//! (lower bound first), narrow to int8.

use super::conv::{requantize, IoQuant};
use crate::quant::{quantize_multiplier, Requant};
use crate::tensor::{LeF32s, LeI32s, Shape};
use crate::{Error, Result};

/// TFLM's FULLY_CONNECTED requantization parameters (`CalculateOpDataFullyConnected`).
///
/// - Per-channel (`filter_scales.len() > 1`): `out[i] = quantize_multiplier((double)input_scale *
///   (double)filter_scales[i] / (double)output_scale)` for every `i`; requires
///   `out.len() == filter_scales.len()`. `bias_scale` is not looked at.
/// - Per-tensor (`filter_scales.len() == 1`): the product of the scales is formed in **float**
///   and then widened: `quantize_multiplier((double)(input_scale * filter_scale) /
///   (double)output_scale)` — this differs from CONV_2D, which multiplies in double. Written
///   to every entry of `out` (a length-1 `out` is enough). When the operator has a bias tensor,
///   pass `bias_scale = Some(its per-tensor scale)` (0.0 when it has no quantization, as TFLM
///   then sees 0): TFLM refuses the model unless
///   `|(double)input_scale * (double)filter_scale - (double)bias_scale| / (double)output_scale
///   <= 0.02`. TFLM also refuses a negative (or NaN) float product.
///
/// Errors: [`Error::InvalidArgument`] on an empty `out`, no filter scale, a count mismatch, or
/// the two refusals above.
pub fn fully_connected_requant(
    input_scale: f32,
    filter_scales: LeF32s<'_>,
    output_scale: f32,
    bias_scale: Option<f32>,
    out: &mut [Requant],
) -> Result<()> {
    let n = filter_scales.len();
    if out.is_empty() || n == 0 {
        return Err(Error::InvalidArgument);
    }
    if n > 1 {
        if out.len() != n {
            return Err(Error::InvalidArgument);
        }
        for (i, slot) in out.iter_mut().enumerate() {
            let real = input_scale as f64 * filter_scales.get(i) as f64 / output_scale as f64;
            *slot = quantize_multiplier(real);
        }
        return Ok(());
    }
    let filter_scale = filter_scales.get(0);
    if let Some(bias_scale) = bias_scale {
        let product = input_scale as f64 * filter_scale as f64;
        let diff = libm::fabs(product - bias_scale as f64);
        let close = diff / output_scale as f64 <= 0.02;
        if !close {
            return Err(Error::InvalidArgument);
        }
    }
    let product = (input_scale * filter_scale) as f64;
    let non_negative = product >= 0.0;
    if !non_negative {
        return Err(Error::InvalidArgument);
    }
    let rq = quantize_multiplier(product / output_scale as f64);
    out.fill(rq);
    Ok(())
}

/// Prepared FULLY_CONNECTED (int8 input/output, int8 filter `[.., rows, accum_depth]`,
/// optional int32 bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullyConnectedParams {
    batches: usize,
    accum_depth: usize,
    output_depth: usize,
    per_channel: bool,
    input_offset: i32,
    filter_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl FullyConnectedParams {
    /// TFLM's FULLY_CONNECTED Prepare for int8.
    ///
    /// - `input`: input shape; needs at least `batches * accum_depth` elements (TFLM reads
    ///   that prefix of the flattened input).
    /// - `filter`: rank >= 2; `accum_depth` = last dimension, `rows` = the one before it.
    /// - `output`: rank >= 1; `output_depth` = last dimension (must be `<= rows`; TFLM uses
    ///   the first `output_depth` rows), `batches` = product of the others.
    /// - `num_filter_scales`: length of the filter's scale array. More than 1 selects the
    ///   per-channel path and must equal `rows` (the caller should also have checked that the
    ///   filter's quantized dimension is the row dimension, as TFLM compares the count with
    ///   that dimension).
    /// - `filter_zp`: the filter's zero point; TFLM applies it on the per-tensor path (it is
    ///   normally 0) and ignores it on the per-channel path.
    /// - `io`: zero points and activation clamp.
    ///
    /// Every dimension must fit in an `i32`. Errors: [`Error::InvalidArgument`].
    pub fn new(
        input: Shape,
        filter: Shape,
        output: Shape,
        num_filter_scales: usize,
        filter_zp: i32,
        io: IoQuant,
    ) -> Result<FullyConnectedParams> {
        let fits = |s: &Shape| s.dims().iter().all(|&x| x as u64 <= i32::MAX as u64);
        if filter.rank() < 2 || output.rank() < 1 || !fits(&input) || !fits(&filter) || !fits(&output) {
            return Err(Error::InvalidArgument);
        }
        let fr = filter.rank();
        let accum_depth = filter.dim(fr - 1);
        let rows = filter.dim(fr - 2);
        let Some((&output_depth, outer)) = output.dims().split_last() else { return Err(Error::InvalidArgument) };
        let batches = outer.iter().try_fold(1usize, |a, &x| a.checked_mul(x)).ok_or(Error::InvalidArgument)?;
        let needed_input = batches.checked_mul(accum_depth).ok_or(Error::InvalidArgument)?;
        // Also proves rows * accum_depth and batches * output_depth do not overflow.
        rows.checked_mul(accum_depth).ok_or(Error::InvalidArgument)?;
        batches.checked_mul(output_depth).ok_or(Error::InvalidArgument)?;
        let per_channel = num_filter_scales > 1;
        if output_depth > rows
            || input.num_elements() < needed_input
            || num_filter_scales == 0
            || (per_channel && num_filter_scales != rows)
        {
            return Err(Error::InvalidArgument);
        }
        Ok(FullyConnectedParams {
            batches,
            accum_depth,
            output_depth,
            per_channel,
            input_offset: io.input_zp.wrapping_neg(),
            filter_offset: if per_channel { 0 } else { filter_zp.wrapping_neg() },
            output_offset: io.output_zp,
            act_min: io.act_min,
            act_max: io.act_max,
        })
    }

    /// Number of rows of the flattened input/output.
    pub fn batches(&self) -> usize {
        self.batches
    }
    /// Values per input row (the filter's last dimension).
    pub fn accum_depth(&self) -> usize {
        self.accum_depth
    }
    /// Values per output row (the output's last dimension).
    pub fn output_depth(&self) -> usize {
        self.output_depth
    }
    /// True when the filter has one scale per output row.
    pub fn per_channel(&self) -> bool {
        self.per_channel
    }

    /// Checks the buffer lengths [`fully_connected_s8`] needs: `requant_len >= output_depth`
    /// when per-channel, `>= 1` when per-tensor (only entry 0 is used); input at least
    /// `batches * accum_depth`; filter at least `output_depth * accum_depth`; bias, if
    /// present, at least `output_depth` values; output at least `batches * output_depth`.
    pub fn check(
        &self,
        requant_len: usize,
        input_len: usize,
        filter_len: usize,
        bias_len: Option<usize>,
        output_len: usize,
    ) -> Result<()> {
        let od = self.output_depth;
        let rq_ok = if self.per_channel { requant_len >= od } else { requant_len >= 1 };
        let ok = rq_ok
            && input_len >= self.batches * self.accum_depth
            && filter_len >= od * self.accum_depth
            && bias_len.is_none_or(|b| b >= od)
            && output_len >= self.batches * od;
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }
}

/// FULLY_CONNECTED, int8, bit-exact with TFLM's int8 reference kernels.
///
/// - `requant`: from [`fully_connected_requant`]; one entry per output row when per-channel,
///   otherwise entry 0 is used for every row.
/// - `input`: flattened `[batches, accum_depth]`; `filter`: row-major `[rows, accum_depth]`;
///   `output`: `[batches, output_depth]`.
/// - `bias`: `output_depth` int32 values, or `None` when the operator has no bias.
///
/// Output is written in order, one batch row after another. Errors with
/// [`Error::InvalidArgument`] (writing nothing) when [`FullyConnectedParams::check`] fails.
pub fn fully_connected_s8(
    p: &FullyConnectedParams,
    requant: &[Requant],
    input: &[i8],
    filter: &[i8],
    bias: Option<LeI32s<'_>>,
    output: &mut [i8],
) -> Result<()> {
    p.check(requant.len(), input.len(), filter.len(), bias.map(|b| b.len()), output.len())?;
    let depth = p.accum_depth;
    let rq_step = usize::from(p.per_channel);
    let mut out_idx = 0usize;
    // Rows are in range once `check` passed; `get` only replaces a panic by an error.
    fn row(s: &[i8], i: usize, depth: usize) -> Result<&[i8]> {
        s.get(i * depth..(i + 1) * depth).ok_or(Error::InvalidArgument)
    }
    for b in 0..p.batches {
        let in_row = row(input, b, depth)?;
        for oc in 0..p.output_depth {
            let f_row = row(filter, oc, depth)?;
            let mut acc: i32 = 0;
            for (&i, &f) in in_row.iter().zip(f_row) {
                let fv = (f as i32).wrapping_add(p.filter_offset);
                acc = acc.wrapping_add(fv.wrapping_mul((i as i32).wrapping_add(p.input_offset)));
            }
            if let Some(bias) = bias {
                acc = acc.wrapping_add(bias.get(oc));
            }
            let rq = requant.get(oc * rq_step).ok_or(Error::InvalidArgument)?;
            let out = output.get_mut(out_idx).ok_or(Error::InvalidArgument)?;
            *out = requantize(acc, *rq, p.output_offset, p.act_min, p.act_max);
            out_idx += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{f32s, i32s, io};
    use super::*;

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }
    fn rq(
        input_scale: f32,
        filter_scales: &[f32],
        output_scale: f32,
        bias: Option<f32>,
        n: usize,
    ) -> Result<std::vec::Vec<Requant>> {
        let bytes = f32s(filter_scales);
        let mut out = std::vec![Requant::default(); n];
        fully_connected_requant(input_scale, LeF32s::new(&bytes), output_scale, bias, &mut out)?;
        Ok(out)
    }

    // Shared example: input zp -1, rows b0 = [1,2,3] (real [2,3,4]), b1 = [-4,0,5]
    // (real [-3,1,6]); filter rows [1,-1,2] and [3,0,-2].
    // Dot products: b0 → [7, -2], b1 → [8, -21].
    const INPUT: [i8; 6] = [1, 2, 3, -4, 0, 5];
    const FILTER: [i8; 6] = [1, -1, 2, 3, 0, -2];

    /// Bias [10, -10] → [17, -12, 18, -31]; scale 0.5*0.5/1 = 0.25 → (2^30, -1):
    /// 17 → 8.5→9 → 4.5→5 (double rounding; exact 4.25), -12 → -6 → -3, 18 → 9 → 5,
    /// -31 → -15.5→-15 → -7.5→-8. Output zp 3 → [8, 0, 8, -5].
    #[test]
    fn per_tensor_with_bias() {
        let p = FullyConnectedParams::new(shape(&[2, 3]), shape(&[2, 3]), shape(&[2, 2]), 1, 0, io(-1, 3)).unwrap();
        let r = rq(0.5, &[0.5], 1.0, Some(0.25), 1).unwrap();
        assert_eq!(r[0], Requant { multiplier: 1 << 30, shift: -1 });
        let mut out = [0i8; 4];
        fully_connected_s8(&p, &r, &INPUT, &FILTER, Some(LeI32s::new(&i32s(&[10, -10]))), &mut out).unwrap();
        assert_eq!(out, [8, 0, 8, -5]);
    }

    /// No bias: [7, -2, 8, -21] × 0.25 → 7→3.5→4→2, -2→-1→-0.5→-1, 8→4→2, -21→-10.5→-10→-5;
    /// + 3 → [5, 2, 5, -2]. Input given as [1, 2, 3] (batches come from the output shape).
    #[test]
    fn per_tensor_without_bias_batches_from_output() {
        let p = FullyConnectedParams::new(shape(&[1, 2, 3]), shape(&[2, 3]), shape(&[2, 2]), 1, 0, io(-1, 3)).unwrap();
        assert_eq!((p.batches(), p.accum_depth(), p.output_depth()), (2, 3, 2));
        let r = rq(0.5, &[0.5], 1.0, None, 1).unwrap();
        let mut out = [0i8; 4];
        fully_connected_s8(&p, &r, &INPUT, &FILTER, None, &mut out).unwrap();
        assert_eq!(out, [5, 2, 5, -2]);
        // keep_num_dims-style output [1, 2, 2]: same batches, same result.
        let p =
            FullyConnectedParams::new(shape(&[1, 2, 3]), shape(&[2, 3]), shape(&[1, 2, 2]), 1, 0, io(-1, 3)).unwrap();
        let mut out2 = [0i8; 4];
        fully_connected_s8(&p, &r, &INPUT, &FILTER, None, &mut out2).unwrap();
        assert_eq!(out2, out);
    }

    /// Per-channel scales [0.5, 1.0] → [0.25, 0.5]; bias [10, -10]:
    /// row 0 as per-tensor (17 → 5, 18 → 5), row 1 × 0.5: -12 → -6, -31 → -15.5 → -15.
    /// + 3 → [8, -3, 8, -12]. A filter zero point is ignored on this path.
    #[test]
    fn per_channel_with_bias() {
        let r = rq(0.5, &[0.5, 1.0], 1.0, None, 2).unwrap();
        assert_eq!(r, [Requant { multiplier: 1 << 30, shift: -1 }, Requant { multiplier: 1 << 30, shift: 0 }]);
        let bias = i32s(&[10, -10]);
        for fzp in [0, 5] {
            let p =
                FullyConnectedParams::new(shape(&[2, 3]), shape(&[2, 3]), shape(&[2, 2]), 2, fzp, io(-1, 3)).unwrap();
            let mut out = [0i8; 4];
            fully_connected_s8(&p, &r, &INPUT, &FILTER, Some(LeI32s::new(&bias)), &mut out).unwrap();
            assert_eq!(out, [8, -3, 8, -12]);
        }
    }

    /// Per-tensor path applies the filter zero point: zp 1 → rows [0,-2,1], [2,-1,-3];
    /// b0 real [2,3,4] → [-2, -11] × 0.25 → -2→-1→-1, -11→-5.5→-5→-2.5→-3.
    #[test]
    fn per_tensor_filter_zero_point() {
        let p = FullyConnectedParams::new(shape(&[1, 3]), shape(&[2, 3]), shape(&[1, 2]), 1, 1, io(-1, 0)).unwrap();
        let r = rq(0.5, &[0.5], 1.0, None, 1).unwrap();
        let mut out = [0i8; 2];
        fully_connected_s8(&p, &r, &INPUT[..3], &FILTER, None, &mut out).unwrap();
        assert_eq!(out, [-1, -3]);
    }

    /// Output depth smaller than the filter's rows: only the first rows are used.
    #[test]
    fn fewer_outputs_than_rows() {
        let p = FullyConnectedParams::new(shape(&[1, 3]), shape(&[2, 3]), shape(&[1, 1]), 1, 0, io(-1, 0)).unwrap();
        let r = rq(1.0, &[1.0], 1.0, None, 1).unwrap();
        let mut out = [0i8; 1];
        fully_connected_s8(&p, &r, &INPUT[..3], &FILTER, None, &mut out).unwrap();
        assert_eq!(out, [7]);
    }

    /// Saturation at both ends and a RELU clamp (output zp -20 → [-20, 127]).
    #[test]
    fn saturation_and_relu() {
        let r = rq(1.0, &[1.0], 1.0, None, 1).unwrap();
        let p = FullyConnectedParams::new(shape(&[2, 2]), shape(&[1, 2]), shape(&[2, 1]), 1, 0, io(0, 0)).unwrap();
        let mut out = [0i8; 2];
        fully_connected_s8(&p, &r, &[127, 127, -128, -128], &[127, 127], None, &mut out).unwrap();
        assert_eq!(out, [127, -128]);
        let relu = IoQuant { input_zp: 0, output_zp: -20, act_min: -20, act_max: 127 };
        let p = FullyConnectedParams::new(shape(&[2, 2]), shape(&[1, 2]), shape(&[2, 1]), 1, 0, relu).unwrap();
        // acc [-5, 30] + zp → [-25, 10] → [-20, 10].
        fully_connected_s8(&p, &r, &[-5, 0, 10, 20], &[1, 1], None, &mut out).unwrap();
        assert_eq!(out, [-20, 10]);
    }

    /// Per-tensor FC multiplies the scales in float, CONV_2D in double.
    /// s = 1 + 2^-12: s*s = 1 + 2^-11 + 2^-24 rounds (tie to even) to 1 + 2^-11 in float, so
    /// /2 gives 2^30 + 2^19 here, versus 2^30 + 2^19 + 2^6 on the double (per-channel) path.
    #[test]
    fn per_tensor_product_in_float() {
        let s = 1.0 + 1.0 / 4096.0;
        let r = rq(s, &[s], 2.0, None, 1).unwrap();
        assert_eq!(r[0], Requant { multiplier: (1 << 30) + (1 << 19), shift: 0 });
        let r = rq(s, &[s, s], 2.0, None, 2).unwrap();
        assert_eq!(r[0], Requant { multiplier: (1 << 30) + (1 << 19) + (1 << 6), shift: 0 });
    }

    #[test]
    fn requant_refusals() {
        // Bias scale off by 0.05 / output 1.0 > 0.02; within tolerance; missing quantization.
        assert!(rq(0.5, &[0.5], 1.0, Some(0.3), 1).is_err());
        assert!(rq(0.5, &[0.5], 1.0, Some(0.26), 1).is_ok());
        assert!(rq(0.5, &[0.5], 1.0, Some(0.0), 1).is_err());
        // Negative product.
        assert!(rq(0.5, &[-0.5], 1.0, None, 1).is_err());
        // Count mismatches.
        assert!(rq(0.5, &[0.5, 0.5], 1.0, None, 3).is_err());
        assert!(rq(0.5, &[], 1.0, None, 1).is_err());
        // Per-tensor fills every entry.
        let r = rq(0.5, &[0.5], 1.0, None, 3).unwrap();
        assert!(r.iter().all(|x| *x == Requant { multiplier: 1 << 30, shift: -1 }));
    }

    #[test]
    fn rejects_bad_shapes_and_buffers() {
        // Filter rank 1; output depth above the filter rows; input too small; scale count.
        assert!(FullyConnectedParams::new(shape(&[3]), shape(&[3]), shape(&[1]), 1, 0, io(0, 0)).is_err());
        assert!(FullyConnectedParams::new(shape(&[1, 3]), shape(&[2, 3]), shape(&[1, 3]), 1, 0, io(0, 0)).is_err());
        assert!(FullyConnectedParams::new(shape(&[1, 5]), shape(&[2, 3]), shape(&[2, 2]), 1, 0, io(0, 0)).is_err());
        assert!(FullyConnectedParams::new(shape(&[2, 3]), shape(&[2, 3]), shape(&[2, 2]), 3, 0, io(0, 0)).is_err());
        assert!(FullyConnectedParams::new(shape(&[2, 3]), shape(&[2, 3]), shape(&[2, 2]), 0, 0, io(0, 0)).is_err());
        let p = FullyConnectedParams::new(shape(&[2, 3]), shape(&[2, 3]), shape(&[2, 2]), 2, 0, io(0, 0)).unwrap();
        let r = [Requant::default(); 2];
        let mut o = [0i8; 4];
        assert!(fully_connected_s8(&p, &r, &INPUT, &FILTER, None, &mut o).is_ok());
        assert!(fully_connected_s8(&p, &r[..1], &INPUT, &FILTER, None, &mut o).is_err());
        assert!(fully_connected_s8(&p, &r, &INPUT[..5], &FILTER, None, &mut o).is_err());
        assert!(fully_connected_s8(&p, &r, &INPUT, &FILTER[..5], None, &mut o).is_err());
        assert!(fully_connected_s8(&p, &r, &INPUT, &FILTER, Some(LeI32s::new(&[0; 4])), &mut o).is_err());
        assert!(fully_connected_s8(&p, &r, &INPUT, &FILTER, None, &mut o[..3]).is_err());
    }
}
