//! Random quantized layer parameters with sensible scales, for test models.
//!
//! The estimates assume independent, roughly uniform values; they only need to be good enough
//! that an output scale chosen from them spreads results over the int8 range (or saturates it on
//! purpose).

use super::{i32_bytes, i8_bytes, ModelBuilder, Prng, QuantSpec, TensorType};

/// RMS of the quantized weights [`add_random_layer`] draws (uniform over `-127..=127`).
const WEIGHT_Q_RMS: f32 = 73.6;

/// RMS of `q - zero_point` for int8 values uniform over `-128..=127` (the oracle's random
/// inputs): `sqrt((256² - 1) / 12 + (zero_point + 0.5)²)`.
pub fn uniform_q_rms(zero_point: i64) -> f32 {
    let mean = -0.5 - zero_point as f32;
    ((65535.0 / 12.0) + mean * mean).sqrt()
}

/// Quantization for an int8 tensor whose real values have standard deviation `std` around
/// `center`: `spread` standard deviations fit in each half of the int8 range (about 3 covers
/// nearly everything, below 1 saturates both ends often).
pub fn quant_for(std: f32, center: f32, spread: f32) -> QuantSpec {
    let scale = std * spread / 127.5;
    let zp = (-center / scale).round().clamp(-128.0, 127.0) as i64;
    QuantSpec::per_tensor(scale, zp)
}

/// What [`add_random_layer`] makes: a filter (or FC weights) tensor and, optionally, a bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomLayer {
    /// Filter tensor index (int8, symmetric, zero points 0).
    pub filter: i32,
    /// Bias tensor index (int32, scale `input_scale × filter_scale`), or `-1` without bias.
    pub bias: i32,
}

/// Parameters of [`add_random_layer`].
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSpec<'a> {
    /// Name prefix of the filter (`<name>/filter`) and bias (`<name>/bias`) tensors.
    pub name: &'a str,
    /// Filter shape: `[O, H, W, I]` for CONV_2D, `[1, H, W, C·M]` for DEPTHWISE_CONV_2D,
    /// `[O, I]` for FULLY_CONNECTED.
    pub filter_shape: &'a [i32],
    /// The output-channel axis of the filter: 0 (conv, FC) or 3 (depthwise).
    pub channel_dim: usize,
    /// One scale per output channel (`true`) or one for the whole filter.
    pub per_channel: bool,
    /// Add a bias tensor.
    pub bias: bool,
    /// Scale of the layer's input.
    pub input_scale: f32,
    /// RMS of the input's `q - zero_point` (see [`uniform_q_rms`]).
    pub input_q_rms: f32,
    /// Wanted standard deviation of the real-valued output before activation.
    pub output_std: f32,
}

/// Adds a random int8 filter (values uniform over `-127..=127`) and int32 bias whose scales give
/// the layer an output of about `spec.output_std`. Per-channel scales vary by up to ±50 %.
pub fn add_random_layer(b: &mut ModelBuilder, rng: &mut Prng, spec: &LayerSpec) -> RandomLayer {
    add_random_layer_with_bias(b, rng, spec, TensorType::Int32)
}

/// [`add_random_layer`] with the bias stored as `bias_type`: `Int32`, or `Int64` (the bias of
/// 16x8 layers; same values, eight bytes each).
pub fn add_random_layer_with_bias(
    b: &mut ModelBuilder,
    rng: &mut Prng,
    spec: &LayerSpec,
    bias_type: TensorType,
) -> RandomLayer {
    let shape = spec.filter_shape;
    let channels = shape.get(spec.channel_dim).copied().unwrap_or(1).max(1) as usize;
    let count: usize = shape.iter().map(|&d| d.max(0) as usize).product();
    let fan_in = (count / channels).max(1) as f32;

    let rel: Vec<f32> =
        if spec.per_channel { (0..channels).map(|_| rng.range_f32(0.5, 1.5)).collect() } else { vec![1.0] };
    let rel_rms = (rel.iter().map(|r| r * r).sum::<f32>() / rel.len() as f32).sqrt();
    // Accumulator std (real) = sqrt(fan_in) · input_q_rms · input_scale · WEIGHT_Q_RMS · w_scale;
    // a bias uniform over ±std/2 adds 1/12 of the variance.
    let unit = fan_in.sqrt() * spec.input_q_rms * spec.input_scale * WEIGHT_Q_RMS * (13.0f32 / 12.0).sqrt();
    let base = spec.output_std / (unit * rel_rms);
    let w_scales: Vec<f32> = rel.iter().map(|r| base * r).collect();

    let values = rng.i8_vec(count, -127, 127);
    let quant = if spec.per_channel {
        QuantSpec::per_channel(w_scales.clone(), spec.channel_dim as i32)
    } else {
        QuantSpec::per_tensor(w_scales[0], 0)
    };
    let filter =
        b.add_const_tensor(&format!("{}/filter", spec.name), shape, TensorType::Int8, Some(quant), i8_bytes(&values));
    if !spec.bias {
        return RandomLayer { filter, bias: -1 };
    }
    let b_scales: Vec<f32> = w_scales.iter().map(|w| w * spec.input_scale).collect();
    let bias_values: Vec<i32> = (0..channels)
        .map(|c| {
            let s = b_scales[c.min(b_scales.len() - 1)];
            let acc_std = unit * base * rel[c.min(rel.len() - 1)] / (13.0f32 / 12.0).sqrt();
            let limit = (0.5 * acc_std / s).round() as i32;
            rng.range_i32(-limit, limit)
        })
        .collect();
    let b_quant =
        if spec.per_channel { QuantSpec::per_channel(b_scales, 0) } else { QuantSpec::per_tensor(b_scales[0], 0) };
    let bytes = match bias_type {
        TensorType::Int64 => bias_values.iter().flat_map(|&v| i64::from(v).to_le_bytes()).collect(),
        _ => i32_bytes(&bias_values),
    };
    let bias = b.add_const_tensor(&format!("{}/bias", spec.name), &[channels as i32], bias_type, Some(b_quant), bytes);
    RandomLayer { filter, bias }
}
