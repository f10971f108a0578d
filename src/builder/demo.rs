//! The README's demo model: a small MobileNetV2-style int8 network, built deterministically.
//!
//! ```text
//! input int8 [1,48,48,3]
//! conv0   CONV_2D 3x3 s2 SAME, 3→8, RELU6          [1,24,24,8]
//! dw1     DEPTHWISE_CONV_2D 3x3 s1 SAME, RELU6      [1,24,24,8]
//! pw1     CONV_2D 1x1, 8→16 (linear)                [1,24,24,16]
//! pw2     CONV_2D 1x1, 16→48, RELU6 (expand)        [1,24,24,48]
//! dw2     DEPTHWISE_CONV_2D 3x3 s2 SAME, RELU6      [1,12,12,48]
//! pw3     CONV_2D 1x1, 48→24 (linear)  ──────┐      [1,12,12,24]
//! pw4     CONV_2D 1x1, 24→72, RELU6          │      [1,12,12,72]
//! dw3     DEPTHWISE_CONV_2D 3x3 s1 SAME, RELU6│     [1,12,12,72]
//! pw5     CONV_2D 1x1, 72→24 (linear)        │      [1,12,12,24]
//! add     ADD (residual) ◄───────────────────┘      [1,12,12,24]
//! mean    MEAN over H,W (keep_dims false)           [1,24]
//! fc      FULLY_CONNECTED 24→10                     [1,10]
//! softmax SOFTMAX (beta 1)                          [1,10], scale 1/256, zero point -128
//! ```
//! Filters are per-channel (as the converter writes them), FC weights per-tensor.

use super::layers::{add_random_layer, quant_for, uniform_q_rms, LayerSpec};
use super::{
    Activation, BuiltinOp, Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions, ModelBuilder, OpOptions,
    Padding, Prng, QuantSpec, TensorSpec, TensorType,
};

/// Seed of the demo model's weights.
const DEMO_SEED: u64 = 0x5eed_de30;

/// RMS of `q - zero_point` assumed for a RELU6 output quantized as `(6/255, -128)`.
const RELU6_Q_RMS: f32 = 80.0;

/// The quantization the converter gives RELU6 outputs.
fn relu6_quant() -> QuantSpec {
    QuantSpec::per_tensor(6.0 / 255.0, -128)
}

/// An activation tensor: its index, quantization and the RMS of its `q - zero_point`.
#[derive(Clone, Copy)]
struct Act {
    index: i32,
    scale: f32,
    q_rms: f32,
}

struct Net {
    b: ModelBuilder,
    rng: Prng,
}

impl Net {
    fn act(&mut self, name: &str, shape: &[i32], quant: QuantSpec, q_rms: f32) -> Act {
        let scale = quant.scale.first().copied().unwrap_or(1.0);
        let index = self.b.add_tensor(TensorSpec::new(name, shape, TensorType::Int8).with_quant(quant));
        Act { index, scale, q_rms }
    }

    /// CONV_2D (`dw == false`) or DEPTHWISE_CONV_2D with a per-channel random filter.
    #[allow(clippy::too_many_arguments)]
    fn conv(
        &mut self,
        name: &str,
        x: Act,
        out_shape: &[i32],
        cin: i32,
        k: i32,
        stride: i32,
        relu6: bool,
        dw: bool,
    ) -> Act {
        let cout = out_shape[3];
        let filter_shape = if dw { [1, k, k, cout] } else { [cout, k, k, cin] };
        let layer = add_random_layer(
            &mut self.b,
            &mut self.rng,
            &LayerSpec {
                name,
                filter_shape: &filter_shape,
                channel_dim: if dw { 3 } else { 0 },
                per_channel: true,
                bias: true,
                input_scale: x.scale,
                input_q_rms: x.q_rms,
                output_std: if relu6 { 3.0 } else { 1.0 },
            },
        );
        let (quant, q_rms) = if relu6 {
            (relu6_quant(), RELU6_Q_RMS)
        } else {
            let zp = i64::from(self.rng.range_i32(-10, 10));
            let mut q = quant_for(1.0, 0.0, 3.5);
            q.zero_point = vec![zp];
            (q, 127.5 / 3.5)
        };
        let y = self.act(name, out_shape, quant, q_rms);
        let activation = if relu6 { Activation::Relu6 } else { Activation::None };
        let inputs = [x.index, layer.filter, layer.bias];
        if dw {
            let o = DepthwiseConv2DOptions {
                padding: Padding::Same,
                stride_w: stride,
                stride_h: stride,
                depth_multiplier: 1,
                activation,
                ..Default::default()
            };
            self.b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &inputs, &[y.index], OpOptions::DepthwiseConv2D(o));
        } else {
            let o = Conv2DOptions {
                padding: Padding::Same,
                stride_w: stride,
                stride_h: stride,
                activation,
                ..Default::default()
            };
            self.b.add_op(BuiltinOp::CONV_2D, &inputs, &[y.index], OpOptions::Conv2D(o));
        }
        y
    }
}

/// A small MobileNetV2-style int8 model (about 21 kB), the same bytes on every call and host.
/// Input `input` int8 `[1,48,48,3]` (scale 2/255, zero point -1); output `probabilities` int8
/// `[1,10]` (scale 1/256, zero point -128). Layer list in the module documentation.
pub fn demo_model() -> Vec<u8> {
    let mut n = Net { b: ModelBuilder::new(), rng: Prng::new(DEMO_SEED) };
    n.b.set_description("patchwise demo: MobileNetV2-style int8");
    let x = n.act("input", &[1, 48, 48, 3], QuantSpec::per_tensor(2.0 / 255.0, -1), uniform_q_rms(-1));
    let c0 = n.conv("conv0", x, &[1, 24, 24, 8], 3, 3, 2, true, false);
    let d1 = n.conv("dw1", c0, &[1, 24, 24, 8], 8, 3, 1, true, true);
    let p1 = n.conv("pw1", d1, &[1, 24, 24, 16], 8, 1, 1, false, false);
    let p2 = n.conv("pw2", p1, &[1, 24, 24, 48], 16, 1, 1, true, false);
    let d2 = n.conv("dw2", p2, &[1, 12, 12, 48], 48, 3, 2, true, true);
    let p3 = n.conv("pw3", d2, &[1, 12, 12, 24], 48, 1, 1, false, false);
    let p4 = n.conv("pw4", p3, &[1, 12, 12, 72], 24, 1, 1, true, false);
    let d3 = n.conv("dw3", p4, &[1, 12, 12, 72], 72, 3, 1, true, true);
    let p5 = n.conv("pw5", d3, &[1, 12, 12, 24], 72, 1, 1, false, false);

    let sum = n.act("add", &[1, 12, 12, 24], quant_for(2f32.sqrt(), 0.0, 3.5), 127.5 / 3.5);
    n.b.add_op(BuiltinOp::ADD, &[p3.index, p5.index], &[sum.index], OpOptions::Add { activation: Activation::None });

    let axes = n.b.add_const_i32("mean/axes", &[2], &[1, 2]);
    // Averaging 144 positions leaves mostly the per-channel offsets: zoom in 3x.
    let mean = n.act("mean", &[1, 24], QuantSpec::per_tensor(sum.scale / 3.0, 0), 40.0);
    n.b.add_op(BuiltinOp::MEAN, &[sum.index, axes], &[mean.index], OpOptions::Reducer { keep_dims: false });

    let fc = add_random_layer(
        &mut n.b,
        &mut n.rng,
        &LayerSpec {
            name: "fc",
            filter_shape: &[10, 24],
            channel_dim: 0,
            per_channel: false,
            bias: true,
            input_scale: mean.scale,
            input_q_rms: mean.q_rms,
            output_std: 2.0,
        },
    );
    let logits = n.act("logits", &[1, 10], quant_for(2.0, 0.0, 4.0), 32.0);
    n.b.add_op(
        BuiltinOp::FULLY_CONNECTED,
        &[mean.index, fc.filter, fc.bias],
        &[logits.index],
        OpOptions::FullyConnected(FullyConnectedOptions::default()),
    );
    let probs = n.act("probabilities", &[1, 10], QuantSpec::per_tensor(1.0 / 256.0, -128), 0.0);
    n.b.add_op(BuiltinOp::SOFTMAX, &[logits.index], &[probs.index], OpOptions::Softmax { beta: 1.0 });
    n.b.set_io(&[x.index], &[probs.index]);
    n.b.finish()
}
