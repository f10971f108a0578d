//! FULLY_CONNECTED with int16 activations and int8 filters, bit-exact with TFLM's
//! `reference_integer_ops::FullyConnected` / `FullyConnectedPerChannel` instantiated for
//! int16: the accumulator has the bias's width (int64, or int32 wrapping; see
//! [`super::conv16::Bias16`]), sums `(filter + filter_offset) × (input + input_offset)` (the
//! filter offset on the per-tensor path only), then requantizes, adds the output offset and
//! clamps. Shapes as in [`super::fully_connected`].

use super::conv::IoQuant;
use super::conv16::{get16, set16, Bias16};
use super::fully_connected::FullyConnectedParams;
use crate::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64, Requant};
use crate::Result;

/// FULLY_CONNECTED, int16 input `[batches, accum_depth]` and output `[batches, output_depth]`
/// as little-endian bytes, int8 filter `[rows, accum_depth]`.
///
/// - `requant`: one entry per output row when per-channel, else entry 0 for every row;
/// - `io`: zero points (0 for int16 models) and the clamp; `filter_offset`: minus the
///   filter's zero point on the per-tensor path, 0 per-channel.
///
/// Errors with [`Error::InvalidArgument`] (writing nothing) when a length disagrees.
#[allow(clippy::too_many_arguments)]
pub fn fully_connected_s16(
    p: &FullyConnectedParams,
    requant: &[Requant],
    io: IoQuant,
    filter_offset: i32,
    filter: &[i8],
    bias: Bias16<'_>,
    input: &[u8],
    output: &mut [u8],
) -> Result<()> {
    p.check(requant.len(), input.len() / 2, filter.len(), bias.values(), output.len() / 2)?;
    let (depth, od) = (p.accum_depth(), p.output_depth());
    let input_offset = io.input_zp.wrapping_neg();
    for b in 0..p.batches() {
        for oc in 0..od {
            // In range after `check`; `get` keeps panics out of the code.
            let rq = requant.get(if p.per_channel() { oc } else { 0 }).copied().unwrap_or_default();
            let row = filter.get(oc * depth..(oc + 1) * depth).unwrap_or(&[]);
            let (mut acc64, mut acc32) = (0i64, 0i32);
            for (d, &w) in row.iter().enumerate() {
                let f = (w as i32).wrapping_add(filter_offset);
                let prod = f.wrapping_mul(get16(input, b * depth + d).wrapping_add(input_offset));
                acc64 = acc64.wrapping_add(prod as i64);
                acc32 = acc32.wrapping_add(prod);
            }
            let scaled = match bias {
                Bias16::None64 => multiply_by_quantized_multiplier_i64(acc64, rq.multiplier, rq.shift),
                Bias16::I64(bv) => {
                    multiply_by_quantized_multiplier_i64(acc64.wrapping_add(bv.get(oc)), rq.multiplier, rq.shift)
                }
                Bias16::None32 => multiply_by_quantized_multiplier(acc32, rq.multiplier, rq.shift),
                Bias16::I32(bv) => {
                    multiply_by_quantized_multiplier(acc32.wrapping_add(bv.get(oc)), rq.multiplier, rq.shift)
                }
            };
            let v = scaled.wrapping_add(io.output_zp).max(io.act_min).min(io.act_max);
            set16(output, b * od + oc, v as i16);
        }
    }
    Ok(())
}
