//! Writes the single-op test models behind `tests/data/ops/`: one directory per case,
//! `<out>/<case>/model.tflite`. Goldens come from the TFLM oracle afterwards (see
//! `tests/data/ops/regen.sh`).
//!
//! ```text
//! cargo run -p patchwise-cli --example gen_op_cases -- <out_dir>
//! ```
//!
//! Every model is int8 unless its name says otherwise, deterministic (one fixed seed per case),
//! and small (spatial sizes at most 12). Output scales are chosen from estimated output spreads:
//! `spread` 3 keeps almost every value inside the int8 range, cases named `*_saturate` use
//! spreads below 1 so both ends clip.

use std::path::Path;

use patchwise::builder::{
    add_random_layer, add_random_layer_with_bias, quant_for, uniform_q_rms, Activation, BuiltinOp, Conv2DOptions,
    DepthwiseConv2DOptions, FlexMap, FullyConnectedOptions, LayerSpec, ModelBuilder, OpOptions, Padding, Pool2DOptions,
    Prng, QuantSpec, TensorSpec, TensorType,
};

/// Normal output spread (about ±3 standard deviations fit).
const SPREAD: f32 = 3.0;
/// Saturating output spread.
const SATURATE: f32 = 0.6;

/// One generated case.
struct Case {
    name: String,
    model: Vec<u8>,
}

/// A model under construction with its own deterministic generator.
struct Model {
    b: ModelBuilder,
    rng: Prng,
}

impl Model {
    fn new(name: &str) -> Self {
        // A per-case seed (FNV-1a of the name): adding a case never changes another one.
        let seed = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, c| (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3));
        let mut b = ModelBuilder::new();
        b.set_description(name);
        Model { b, rng: Prng::new(seed) }
    }

    fn int8(&mut self, name: &str, shape: &[i32], q: &QuantSpec) -> i32 {
        self.b.add_tensor(TensorSpec::new(name, shape, TensorType::Int8).with_quant(q.clone()))
    }

    fn float(&mut self, name: &str, shape: &[i32]) -> i32 {
        self.b.add_tensor(TensorSpec::new(name, shape, TensorType::Float32))
    }

    /// A random zero point in `-r..=r`.
    fn zp(&mut self, r: i32) -> i64 {
        i64::from(self.rng.range_i32(-r, r))
    }

    fn finish(self, name: &str, inputs: &[i32], outputs: &[i32], out: &mut Vec<Case>) {
        let mut b = self.b;
        b.set_io(inputs, outputs);
        out.push(Case { name: name.to_string(), model: b.finish() });
    }
}

/// Output spatial size of a convolution or pool.
fn out_size(input: i32, k: i32, stride: i32, dilation: i32, padding: Padding) -> i32 {
    let eff = (k - 1) * dilation + 1;
    match padding {
        Padding::Same => (input + stride - 1) / stride,
        Padding::Valid => (input - eff + stride) / stride,
    }
}

/// How a conv or FC case treats its bias.
#[derive(Clone, Copy, PartialEq)]
enum Bias {
    Yes,
    /// Only two inputs.
    Absent,
    /// Third input `-1` (what the converter writes for FULLY_CONNECTED without bias).
    Omitted,
}

/// A CONV_2D or DEPTHWISE_CONV_2D case.
#[derive(Clone, Copy)]
struct Conv {
    /// Input `[N, H, W, C]`.
    input: [i32; 4],
    /// Output channels (conv) or depth multiplier (depthwise).
    cout_or_mult: i32,
    k: [i32; 2],
    stride: [i32; 2],
    dilation: [i32; 2],
    padding: Padding,
    activation: Activation,
    per_channel: bool,
    bias: Bias,
    spread: f32,
    depthwise: bool,
}

impl Conv {
    fn new(input: [i32; 4], cout: i32, k: i32, stride: i32, padding: Padding) -> Self {
        Conv {
            input,
            cout_or_mult: cout,
            k: [k, k],
            stride: [stride, stride],
            dilation: [1, 1],
            padding,
            activation: Activation::None,
            per_channel: true,
            bias: Bias::Yes,
            spread: SPREAD,
            depthwise: false,
        }
    }

    fn dw(input: [i32; 4], mult: i32, k: i32, stride: i32, padding: Padding) -> Self {
        Conv { depthwise: true, ..Conv::new(input, mult, k, stride, padding) }
    }

    fn build(self, name: &str, out: &mut Vec<Case>) {
        let mut m = Model::new(name);
        let [n, h, w, cin] = self.input;
        let in_zp = m.zp(40);
        let in_q = QuantSpec::per_tensor(m.rng.range_f32(0.02, 0.08), in_zp);
        let x = m.int8("input", &self.input, &in_q);
        let cout = if self.depthwise { cin * self.cout_or_mult } else { self.cout_or_mult };
        let [kh, kw] = self.k;
        let filter_shape = if self.depthwise { [1, kh, kw, cout] } else { [cout, kh, kw, cin] };
        let relu6 = self.activation == Activation::Relu6;
        let layer = add_random_layer(
            &mut m.b,
            &mut m.rng,
            &LayerSpec {
                name: "layer",
                filter_shape: &filter_shape,
                channel_dim: if self.depthwise { 3 } else { 0 },
                per_channel: self.per_channel,
                bias: self.bias == Bias::Yes,
                input_scale: in_q.scale[0],
                input_q_rms: uniform_q_rms(in_zp),
                output_std: if relu6 { 4.0 } else { 1.0 },
            },
        );
        let out_q = match self.activation {
            // 6.0 lands inside the int8 range, so the RELU6 clamp is visible.
            Activation::Relu6 => QuantSpec::per_tensor(8.0 / 255.0, -100),
            _ => {
                let mut q = quant_for(1.0, 0.0, self.spread);
                q.zero_point = vec![m.zp(20)];
                q
            }
        };
        let oh = out_size(h, kh, self.stride[0], self.dilation[0], self.padding);
        let ow = out_size(w, kw, self.stride[1], self.dilation[1], self.padding);
        let y = m.int8("output", &[n, oh, ow, cout], &out_q);
        let inputs: Vec<i32> = match self.bias {
            Bias::Yes => vec![x, layer.filter, layer.bias],
            Bias::Absent => vec![x, layer.filter],
            Bias::Omitted => vec![x, layer.filter, -1],
        };
        if self.depthwise {
            let o = DepthwiseConv2DOptions {
                padding: self.padding,
                stride_h: self.stride[0],
                stride_w: self.stride[1],
                depth_multiplier: self.cout_or_mult,
                activation: self.activation,
                dilation_h: self.dilation[0],
                dilation_w: self.dilation[1],
            };
            m.b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &inputs, &[y], OpOptions::DepthwiseConv2D(o));
        } else {
            let o = Conv2DOptions {
                padding: self.padding,
                stride_h: self.stride[0],
                stride_w: self.stride[1],
                activation: self.activation,
                dilation_h: self.dilation[0],
                dilation_w: self.dilation[1],
            };
            m.b.add_op(BuiltinOp::CONV_2D, &inputs, &[y], OpOptions::Conv2D(o));
        }
        m.finish(name, &[x], &[y], out);
    }
}

fn conv_cases(out: &mut Vec<Case>) {
    use Padding::{Same, Valid};
    let c = Conv::new;
    c([1, 8, 8, 3], 4, 3, 1, Same).build("conv_3x3_s1_same", out);
    c([1, 9, 11, 4], 6, 3, 2, Same).build("conv_3x3_s2_same_odd", out);
    c([1, 9, 9, 3], 5, 3, 2, Valid).build("conv_3x3_s2_valid", out);
    c([1, 8, 8, 2], 4, 5, 1, Same).build("conv_5x5_same", out);
    c([1, 6, 6, 8], 12, 1, 1, Same).build("conv_1x1", out);
    Conv { dilation: [2, 2], ..c([1, 9, 9, 3], 4, 3, 1, Same) }.build("conv_dilation2_same", out);
    Conv { dilation: [2, 2], ..c([1, 10, 9, 3], 4, 3, 1, Valid) }.build("conv_dilation2_valid", out);
    c([1, 7, 7, 3], 5, 3, 1, Same).build("conv_3to5", out);
    c([1, 6, 6, 7], 6, 3, 1, Same).build("conv_7to6", out);
    Conv { per_channel: false, ..c([1, 8, 8, 3], 4, 3, 1, Same) }.build("conv_per_tensor", out);
    Conv { activation: Activation::Relu, ..c([1, 7, 7, 4], 4, 3, 1, Same) }.build("conv_relu", out);
    Conv { activation: Activation::Relu6, ..c([1, 7, 7, 4], 4, 3, 1, Same) }.build("conv_relu6", out);
    Conv { bias: Bias::Absent, ..c([1, 6, 6, 3], 4, 3, 1, Same) }.build("conv_no_bias", out);
    Conv { bias: Bias::Omitted, ..c([1, 6, 6, 3], 4, 3, 1, Same) }.build("conv_no_bias_minus1", out);
    Conv { stride: [1, 2], ..c([1, 7, 10, 3], 4, 3, 1, Same) }.build("conv_stride_1x2", out);
    Conv { spread: SATURATE, ..c([1, 7, 7, 4], 5, 3, 1, Same) }.build("conv_saturate", out);
    c([2, 5, 5, 3], 4, 3, 1, Same).build("conv_batch2", out);
}

fn depthwise_cases(out: &mut Vec<Case>) {
    use Padding::{Same, Valid};
    let d = Conv::dw;
    d([1, 8, 8, 4], 1, 3, 1, Same).build("dw_3x3_s1_same", out);
    d([1, 9, 11, 6], 1, 3, 2, Same).build("dw_3x3_s2_same_odd", out);
    d([1, 11, 11, 3], 1, 5, 2, Valid).build("dw_5x5_s2_valid", out);
    d([1, 6, 6, 3], 2, 3, 1, Same).build("dw_mult2", out);
    d([1, 7, 7, 1], 3, 3, 1, Same).build("dw_mult3_1ch", out);
    Conv { dilation: [2, 2], ..d([1, 9, 9, 4], 1, 3, 1, Same) }.build("dw_dilation2", out);
    Conv { per_channel: false, ..d([1, 8, 8, 4], 1, 3, 1, Same) }.build("dw_per_tensor", out);
    Conv { activation: Activation::Relu6, ..d([1, 8, 8, 5], 1, 3, 1, Same) }.build("dw_relu6", out);
    Conv { spread: SATURATE, ..d([1, 8, 8, 4], 1, 3, 2, Same) }.build("dw_saturate", out);
}

/// A FULLY_CONNECTED case.
struct Fc {
    input: &'static [i32],
    units: i32,
    bias: Bias,
    per_channel: bool,
    activation: Activation,
    keep_num_dims: bool,
    spread: f32,
}

impl Fc {
    fn new(input: &'static [i32], units: i32) -> Self {
        Fc {
            input,
            units,
            bias: Bias::Yes,
            per_channel: false,
            activation: Activation::None,
            keep_num_dims: false,
            spread: SPREAD,
        }
    }

    fn build(self, name: &str, out: &mut Vec<Case>) {
        let mut m = Model::new(name);
        let in_zp = m.zp(40);
        let in_q = QuantSpec::per_tensor(m.rng.range_f32(0.02, 0.08), in_zp);
        let x = m.int8("input", self.input, &in_q);
        let depth = *self.input.last().unwrap_or(&1);
        let total: i32 = self.input.iter().product();
        // keep_num_dims: the last dimension is the depth; otherwise the whole input is
        // flattened to [batches, depth] with depth = weights' second dimension.
        let k = if self.keep_num_dims || self.input.len() == 2 { depth } else { total };
        let layer = add_random_layer(
            &mut m.b,
            &mut m.rng,
            &LayerSpec {
                name: "fc",
                filter_shape: &[self.units, k],
                channel_dim: 0,
                per_channel: self.per_channel,
                bias: self.bias == Bias::Yes,
                input_scale: in_q.scale[0],
                input_q_rms: uniform_q_rms(in_zp),
                output_std: 1.0,
            },
        );
        let mut out_q = quant_for(1.0, 0.0, self.spread);
        out_q.zero_point = vec![m.zp(20)];
        let out_shape: Vec<i32> = if self.keep_num_dims {
            let mut s = self.input.to_vec();
            if let Some(last) = s.last_mut() {
                *last = self.units;
            }
            s
        } else {
            vec![total / k, self.units]
        };
        let y = m.int8("output", &out_shape, &out_q);
        let inputs: Vec<i32> = match self.bias {
            Bias::Yes => vec![x, layer.filter, layer.bias],
            Bias::Absent => vec![x, layer.filter],
            Bias::Omitted => vec![x, layer.filter, -1],
        };
        let o = FullyConnectedOptions { activation: self.activation, keep_num_dims: self.keep_num_dims };
        m.b.add_op(BuiltinOp::FULLY_CONNECTED, &inputs, &[y], OpOptions::FullyConnected(o));
        m.finish(name, &[x], &[y], out);
    }
}

fn fc_cases(out: &mut Vec<Case>) {
    Fc::new(&[2, 16], 8).build("fc_2d_bias", out);
    Fc { bias: Bias::Omitted, ..Fc::new(&[2, 16], 8) }.build("fc_2d_no_bias", out);
    Fc::new(&[1, 3, 3, 4], 10).build("fc_4d_flatten", out);
    Fc { spread: SATURATE, ..Fc::new(&[3, 20], 6) }.build("fc_saturate", out);
    Fc { activation: Activation::Relu, ..Fc::new(&[1, 24], 7) }.build("fc_relu", out);
    Fc { per_channel: true, ..Fc::new(&[2, 12], 5) }.build("fc_per_channel", out);
    Fc { keep_num_dims: true, ..Fc::new(&[1, 3, 8], 5) }.build("fc_keep_num_dims", out);
}

/// ADD or MUL of two int8 inputs (the second may be a constant).
struct Binary {
    op: BuiltinOp,
    a: &'static [i32],
    b: &'static [i32],
    b_const: bool,
    activation: Activation,
    spread: f32,
}

impl Binary {
    fn new(op: BuiltinOp, a: &'static [i32], b: &'static [i32]) -> Self {
        Binary { op, a, b, b_const: false, activation: Activation::None, spread: SPREAD }
    }

    fn build(self, name: &str, out: &mut Vec<Case>) {
        let mut m = Model::new(name);
        let qa = QuantSpec::per_tensor(m.rng.range_f32(0.02, 0.05), m.zp(30));
        let qb = QuantSpec::per_tensor(m.rng.range_f32(0.05, 0.1), m.zp(30));
        let a = m.int8("a", self.a, &qa);
        let b = if self.b_const {
            let n: i32 = self.b.iter().product();
            let values = m.rng.i8_vec(n as usize, -128, 127);
            m.b.add_const_i8("b", self.b, &values, qb.clone())
        } else {
            m.int8("b", self.b, &qb)
        };
        let (sa, sb) = (qa.scale[0] * 74.0, qb.scale[0] * 74.0);
        let (std, options) = if self.op == BuiltinOp::MUL {
            (sa * sb, OpOptions::Mul { activation: self.activation })
        } else if self.op == BuiltinOp::SUB {
            ((sa * sa + sb * sb).sqrt(), OpOptions::Sub { activation: self.activation })
        } else if self.op == BuiltinOp::MAXIMUM || self.op == BuiltinOp::MINIMUM {
            (0.0, OpOptions::MaximumMinimum)
        } else if self.op == BuiltinOp::SQUARED_DIFFERENCE {
            (sa * sa + sb * sb, OpOptions::SquaredDifference)
        } else {
            ((sa * sa + sb * sb).sqrt(), OpOptions::Add { activation: self.activation })
        };
        let out_q = if self.op == BuiltinOp::MAXIMUM || self.op == BuiltinOp::MINIMUM {
            // TFLM compares raw values and keeps them: the output carries input a's labels.
            qa.clone()
        } else if self.op == BuiltinOp::SQUARED_DIFFERENCE {
            // Non-negative values around the mean square `std`.
            quant_for(std, 2.0 * std, self.spread)
        } else if self.activation == Activation::Relu6 {
            // 6.0 lands inside the int8 range, so the RELU6 clamp is visible.
            QuantSpec::per_tensor(8.0 / 255.0, -100)
        } else {
            let mut q = quant_for(std, 0.0, self.spread);
            q.zero_point = vec![m.zp(20)];
            q
        };
        // The broadcast of both shapes (aligned at the end).
        let rank = self.a.len().max(self.b.len());
        let dim = |s: &[i32], i: usize| if i + s.len() >= rank { s[i + s.len() - rank] } else { 1 };
        let shape: Vec<i32> = (0..rank).map(|i| dim(self.a, i).max(dim(self.b, i))).collect();
        let y = m.int8("output", &shape, &out_q);
        m.b.add_op(self.op, &[a, b], &[y], options);
        let inputs: Vec<i32> = if self.b_const { vec![a] } else { vec![a, b] };
        m.finish(name, &inputs, &[y], out);
    }
}

fn binary_cases(out: &mut Vec<Case>) {
    const FULL: &[i32] = &[1, 4, 5, 3];
    for (op, tag) in [(BuiltinOp::ADD, "add"), (BuiltinOp::MUL, "mul")] {
        let n = |s: &str| format!("{tag}_{s}");
        Binary::new(op, FULL, FULL).build(&n("same_shape"), out);
        Binary::new(op, FULL, &[1, 1, 1, 3]).build(&n("broadcast_channel"), out);
        Binary::new(op, &[1, 1, 1, 3], FULL).build(&n("broadcast_lhs"), out);
        Binary::new(op, FULL, &[1]).build(&n("broadcast_scalar"), out);
        Binary { b_const: true, ..Binary::new(op, FULL, &[1, 1, 1, 3]) }.build(&n("const_operand"), out);
        Binary { activation: Activation::Relu, ..Binary::new(op, FULL, FULL) }.build(&n("relu"), out);
        Binary { activation: Activation::Relu6, ..Binary::new(op, FULL, FULL) }.build(&n("relu6"), out);
        Binary { spread: SATURATE, ..Binary::new(op, FULL, FULL) }.build(&n("saturate"), out);
    }
    let sub = BuiltinOp::SUB;
    Binary::new(sub, FULL, FULL).build("sub_same_shape", out);
    Binary::new(sub, FULL, &[1, 1, 1, 3]).build("sub_broadcast_channel", out);
    Binary::new(sub, &[1, 1, 1, 3], FULL).build("sub_broadcast_lhs", out);
    Binary::new(sub, FULL, &[1]).build("sub_broadcast_scalar", out);
    Binary { b_const: true, ..Binary::new(sub, FULL, &[1, 1, 1, 3]) }.build("sub_const_operand", out);
    Binary { activation: Activation::Relu, ..Binary::new(sub, FULL, FULL) }.build("sub_relu", out);
    Binary { activation: Activation::Relu6, ..Binary::new(sub, FULL, FULL) }.build("sub_relu6", out);
    Binary { spread: SATURATE, ..Binary::new(sub, FULL, FULL) }.build("sub_saturate", out);
    for (op, tag) in [(BuiltinOp::MAXIMUM, "maximum"), (BuiltinOp::MINIMUM, "minimum")] {
        let n = |s: &str| format!("{tag}_{s}");
        Binary::new(op, FULL, FULL).build(&n("same_shape"), out);
        Binary::new(op, FULL, &[1, 1, 1, 3]).build(&n("broadcast_channel"), out);
        Binary::new(op, &[1], FULL).build(&n("broadcast_scalar_lhs"), out);
        Binary { b_const: true, ..Binary::new(op, FULL, &[1, 1, 5, 1]) }.build(&n("const_broadcast_width"), out);
    }
    let sq = BuiltinOp::SQUARED_DIFFERENCE;
    Binary::new(sq, FULL, FULL).build("squared_difference_same_shape", out);
    Binary::new(sq, FULL, &[1, 1, 1, 3]).build("squared_difference_broadcast_channel", out);
    Binary::new(sq, &[1, 4, 1, 3], &[1, 1, 5, 1]).build("squared_difference_broadcast_both", out);
    Binary { spread: SATURATE, ..Binary::new(sq, FULL, FULL) }.build("squared_difference_saturate", out);
}

/// An AVERAGE_POOL_2D / MAX_POOL_2D case: input `[N, H, W, C]`, filter `[h, w]`, stride,
/// padding, fused activation. Input and output share quantization, as TFLM requires.
type Pool = ([i32; 4], [i32; 2], i32, Padding, Activation);

fn pool(name: &str, op: BuiltinOp, (input, k, stride, padding, act): Pool, out: &mut Vec<Case>) {
    let mut m = Model::new(name);
    let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
    let x = m.int8("input", &input, &q);
    let oh = out_size(input[1], k[0], stride, 1, padding);
    let ow = out_size(input[2], k[1], stride, 1, padding);
    let y = m.int8("output", &[input[0], oh, ow, input[3]], &q);
    let o = Pool2DOptions {
        padding,
        stride_w: stride,
        stride_h: stride,
        filter_width: k[1],
        filter_height: k[0],
        activation: act,
    };
    m.b.add_op(op, &[x], &[y], OpOptions::Pool2D(o));
    m.finish(name, &[x], &[y], out);
}

fn pool_cases(out: &mut Vec<Case>) {
    use Activation::{Relu, Relu6};
    use Padding::{Same, Valid};
    let none = Activation::None;
    let avg = BuiltinOp::AVERAGE_POOL_2D;
    let max = BuiltinOp::MAX_POOL_2D;
    for (op, tag) in [(avg, "avgpool"), (max, "maxpool")] {
        let n = |s: &str| format!("{tag}_{s}");
        pool(&n("2x2_s2_valid"), op, ([1, 8, 8, 3], [2, 2], 2, Valid, none), out);
        pool(&n("3x3_s2_same_odd"), op, ([1, 9, 11, 3], [3, 3], 2, Same, none), out);
        pool(&n("3x3_s1_same"), op, ([1, 7, 7, 4], [3, 3], 1, Same, none), out);
        pool(&n("global"), op, ([1, 6, 5, 4], [6, 5], 1, Valid, none), out);
    }
    pool("avgpool_relu6", avg, ([1, 8, 8, 3], [2, 2], 2, Valid, Relu6), out);
    pool("maxpool_relu", max, ([1, 8, 8, 3], [2, 2], 2, Valid, Relu), out);
}

fn mean_cases(out: &mut Vec<Case>) {
    for keep in [true, false] {
        for same in [true, false] {
            let name = format!(
                "mean_{}_{}",
                if keep { "keepdims" } else { "nokeepdims" },
                if same { "same_quant" } else { "diff_quant" }
            );
            let mut m = Model::new(&name);
            let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
            let x = m.int8("input", &[1, 6, 5, 8], &q);
            // A mean of 30 uniform values has about 1/5.5 of their spread: zoom in 8x (some
            // values saturate) when the quantizations differ.
            let out_q = if same { q.clone() } else { QuantSpec::per_tensor(q.scale[0] / 8.0, m.zp(20)) };
            let shape: &[i32] = if keep { &[1, 1, 1, 8] } else { &[1, 8] };
            let y = m.int8("output", shape, &out_q);
            let axes = m.b.add_const_i32("axes", &[2], &[1, 2]);
            m.b.add_op(BuiltinOp::MEAN, &[x, axes], &[y], OpOptions::Reducer { keep_dims: keep });
            m.finish(&name, &[x], &[y], out);
        }
    }
}

fn shape_cases(out: &mut Vec<Case>) {
    let q = |m: &mut Model| QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));

    let mut m = Model::new("pad");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 4, 5, 3], &qx);
    let pads = m.b.add_const_i32("paddings", &[4, 2], &[0, 0, 1, 2, 2, 1, 0, 0]);
    let y = m.int8("output", &[1, 7, 8, 3], &qx);
    m.b.add_op(BuiltinOp::PAD, &[x, pads], &[y], OpOptions::Pad);
    m.finish("pad", &[x], &[y], out);

    let mut m = Model::new("padv2");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 4, 5, 3], &qx);
    let pads = m.b.add_const_i32("paddings", &[4, 2], &[0, 0, 1, 2, 2, 1, 0, 0]);
    let value = m.b.add_const_i8("constant_value", &[], &[57], qx.clone());
    let y = m.int8("output", &[1, 7, 8, 3], &qx);
    m.b.add_op(BuiltinOp::PADV2, &[x, pads, value], &[y], OpOptions::PadV2);
    m.finish("padv2", &[x], &[y], out);

    let mut m = Model::new("reshape_shape_tensor");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 4, 5, 3], &qx);
    let shape = m.b.add_const_i32("shape", &[2], &[1, -1]);
    let y = m.int8("output", &[1, 60], &qx);
    let o = OpOptions::Reshape { new_shape: Some(vec![1, 60]) };
    m.b.add_op(BuiltinOp::RESHAPE, &[x, shape], &[y], o);
    m.finish("reshape_shape_tensor", &[x], &[y], out);

    let mut m = Model::new("reshape_no_shape_input");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 2, 3, 4], &qx);
    let y = m.int8("output", &[1, 6, 4], &qx);
    m.b.add_op(BuiltinOp::RESHAPE, &[x], &[y], OpOptions::Reshape { new_shape: None });
    m.finish("reshape_no_shape_input", &[x], &[y], out);

    let mut m = Model::new("squeeze_dims");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 1, 1, 8], &qx);
    let y = m.int8("output", &[1, 8], &qx);
    let o = OpOptions::Squeeze { squeeze_dims: vec![1, 2] };
    m.b.add_op(BuiltinOp::SQUEEZE, &[x], &[y], o);
    m.finish("squeeze_dims", &[x], &[y], out);

    let mut m = Model::new("squeeze_all");
    let qx = q(&mut m);
    let x = m.int8("input", &[1, 3, 1, 4], &qx);
    let y = m.int8("output", &[3, 4], &qx);
    m.b.add_op(BuiltinOp::SQUEEZE, &[x], &[y], OpOptions::Squeeze { squeeze_dims: vec![] });
    m.finish("squeeze_all", &[x], &[y], out);

    for (name, axis, shapes, out_shape) in [
        ("concat_channels", 3, [[1, 4, 5, 2], [1, 4, 5, 3], [1, 4, 5, 1]], [1, 4, 5, 6]),
        ("concat_width", 2, [[1, 3, 2, 4], [1, 3, 5, 4], [1, 3, 1, 4]], [1, 3, 8, 4]),
        ("concat_axis_neg1", -1, [[1, 2, 3, 3], [1, 2, 3, 1], [1, 2, 3, 2]], [1, 2, 3, 6]),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let xs: Vec<i32> = shapes.iter().enumerate().map(|(i, s)| m.int8(&format!("input{i}"), s, &qx)).collect();
        let y = m.int8("output", &out_shape, &qx);
        let o = OpOptions::Concatenation { axis, activation: Activation::None };
        m.b.add_op(BuiltinOp::CONCATENATION, &xs, &[y], o);
        m.finish(name, &xs, &[y], out);
    }

    for (name, input, size, align_corners, half_pixel_centers) in [
        ("resize_nn_2x", [1, 4, 5, 3], [8, 10], false, false),
        ("resize_nn_2x_align_corners", [1, 4, 5, 3], [8, 10], true, false),
        ("resize_nn_2x_half_pixel", [1, 4, 5, 3], [8, 10], false, true),
        ("resize_nn_5x7_to_8x11", [1, 5, 7, 3], [8, 11], false, false),
        ("resize_nn_5x7_to_8x11_align_corners", [1, 5, 7, 3], [8, 11], true, false),
        ("resize_nn_5x7_to_8x11_half_pixel", [1, 5, 7, 3], [8, 11], false, true),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let sz = m.b.add_const_i32("size", &[2], &size);
        let y = m.int8("output", &[1, size[0], size[1], input[3]], &qx);
        let o = OpOptions::ResizeNearestNeighbor { align_corners, half_pixel_centers };
        m.b.add_op(BuiltinOp::RESIZE_NEAREST_NEIGHBOR, &[x, sz], &[y], o);
        m.finish(name, &[x], &[y], out);
    }

    for (name, input, perm) in
        [("transpose_0231", [1, 3, 4, 5], [0, 2, 3, 1]), ("transpose_0312", [1, 4, 5, 3], [0, 3, 1, 2])]
    {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let p = m.b.add_const_i32("perm", &[4], &perm);
        let out_shape: Vec<i32> = perm.iter().map(|&i| input[i as usize]).collect();
        let y = m.int8("output", &out_shape, &qx);
        m.b.add_op(BuiltinOp::TRANSPOSE, &[x, p], &[y], OpOptions::Transpose);
        m.finish(name, &[x], &[y], out);
    }
}

/// A single-input, single-output elementwise op.
fn unary(
    name: &str,
    op: BuiltinOp,
    shape: &[i32],
    qin: QuantSpec,
    qout: QuantSpec,
    options: OpOptions,
    out: &mut Vec<Case>,
) {
    let mut m = Model::new(name);
    let x = m.int8("input", shape, &qin);
    let y = m.int8("output", shape, &qout);
    m.b.add_op(op, &[x], &[y], options);
    m.finish(name, &[x], &[y], out);
}

fn activation_cases(out: &mut Vec<Case>) {
    let pt = QuantSpec::per_tensor;
    let probs = || pt(1.0 / 256.0, -128);
    let s1x10: &[i32] = &[1, 10];
    let s4d: &[i32] = &[1, 3, 4, 5];
    let sm = |beta| OpOptions::Softmax { beta };
    unary("softmax_1x10", BuiltinOp::SOFTMAX, s1x10, pt(0.05, 3), probs(), sm(1.0), out);
    unary("softmax_1x10_beta0p5", BuiltinOp::SOFTMAX, s1x10, pt(0.05, 3), probs(), sm(0.5), out);
    unary("softmax_4d", BuiltinOp::SOFTMAX, s4d, pt(0.08, -10), probs(), sm(1.0), out);
    unary("softmax_4d_beta2", BuiltinOp::SOFTMAX, s4d, pt(0.03, 7), probs(), sm(2.0), out);
    unary("softmax_wide_range", BuiltinOp::SOFTMAX, s1x10, pt(0.4, 0), probs(), sm(1.0), out);

    let shape: &[i32] = &[1, 4, 5, 3];
    let none = || OpOptions::None;
    unary("logistic", BuiltinOp::LOGISTIC, shape, pt(0.06, 5), probs(), none(), out);
    unary("logistic_wide_range", BuiltinOp::LOGISTIC, shape, pt(0.2, -20), probs(), none(), out);
    unary("hard_swish", BuiltinOp::HARD_SWISH, shape, pt(0.04, -3), pt(0.025, -110), OpOptions::HardSwish, out);
    unary("hard_swish_saturate", BuiltinOp::HARD_SWISH, shape, pt(0.05, 10), pt(0.01, -20), OpOptions::HardSwish, out);
    unary("relu_diff_quant", BuiltinOp::RELU, shape, pt(0.05, 10), pt(0.03, -128), none(), out);
    unary("relu_saturate", BuiltinOp::RELU, shape, pt(0.05, 10), pt(0.015, -128), none(), out);
    unary("relu_same_quant", BuiltinOp::RELU, shape, pt(0.05, -20), pt(0.05, -20), none(), out);
    unary("relu6_diff_quant", BuiltinOp::RELU6, shape, pt(0.06, 0), pt(6.0 / 255.0, -128), none(), out);
    unary("relu6_same_quant", BuiltinOp::RELU6, shape, pt(0.05, -20), pt(0.05, -20), none(), out);

    let leaky = |alpha| OpOptions::LeakyRelu { alpha };
    let lr = BuiltinOp::LEAKY_RELU;
    unary("leaky_relu", lr, shape, pt(0.05, -6), pt(0.03, -100), leaky(0.1), out);
    unary("leaky_relu_same_quant", lr, shape, pt(0.04, 12), pt(0.04, 12), leaky(0.2), out);
    unary("leaky_relu_alpha_above_1", lr, shape, pt(0.04, 3), pt(0.09, 0), leaky(1.7), out);
    unary("leaky_relu_negative_alpha", lr, shape, pt(0.05, 0), pt(0.04, -60), leaky(-0.3), out);
    unary("tanh", BuiltinOp::TANH, shape, pt(0.03, 4), pt(1.0 / 128.0, 0), none(), out);
    unary("tanh_wide_range", BuiltinOp::TANH, shape, pt(0.12, -30), pt(1.0 / 128.0, 0), none(), out);
    unary("tanh_fine_input", BuiltinOp::TANH, s1x10, pt(0.004, 60), pt(1.0 / 128.0, 0), none(), out);
    let l2 = || OpOptions::L2Norm { activation: Activation::None };
    let l2n = BuiltinOp::L2_NORMALIZATION;
    unary("l2_normalization_2d", l2n, &[3, 6], pt(0.05, 0), pt(1.0 / 128.0, 0), l2(), out);
    unary("l2_normalization_4d", l2n, shape, pt(0.02, -128), pt(1.0 / 128.0, 0), l2(), out);
    unary("l2_normalization_zp", l2n, &[2, 8], pt(0.07, 37), pt(1.0 / 128.0, 0), l2(), out);
    unary("leaky_relu_saturate", lr, &[1, 7, 3, 5], pt(0.06, -20), pt(0.015, -10), leaky(0.25), out);
}

/// Data movement with several outputs or strided reads: SPLIT, SPLIT_V, UNPACK,
/// STRIDED_SLICE.
fn movement_cases(out: &mut Vec<Case>) {
    let q = |m: &mut Model| QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));

    // SPLIT: (name, input, axis, pieces); inputs are (axis, tensor).
    for (name, input, axis, pieces) in [
        ("split_channels_2", [1, 4, 5, 6], -1, 2),
        ("split_height_3", [1, 6, 3, 2], 1, 3),
        ("split_batch_2", [2, 3, 3, 4], 0, 2),
        ("split_width_odd_1", [1, 3, 5, 3], 2, 1),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let a = m.b.add_const_i32("axis", &[], &[axis]);
        let d = if axis < 0 { (axis + 4) as usize } else { axis as usize };
        let mut piece = input;
        piece[d] /= pieces;
        let ys: Vec<i32> = (0..pieces).map(|i| m.int8(&format!("output{i}"), &piece, &qx)).collect();
        m.b.add_op(BuiltinOp::SPLIT, &[a, x], &ys, OpOptions::Split { num_splits: pieces });
        m.finish(name, &[x], &ys, out);
    }

    // SPLIT_V: (name, input, axis, sizes as written, sizes as shaped); inputs (tensor, sizes,
    // axis).
    for (name, input, axis, sizes, shaped) in [
        ("split_v_channels", [1, 3, 4, 6], 3, vec![1, 3, 2], vec![1, 3, 2]),
        ("split_v_height_minus1", [1, 7, 2, 3], -3, vec![2, -1], vec![2, 5]),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let sz = m.b.add_const_i32("size_splits", &[sizes.len() as i32], &sizes);
        let a = m.b.add_const_i32("axis", &[], &[axis]);
        let d = if axis < 0 { (axis + 4) as usize } else { axis as usize };
        let ys: Vec<i32> = shaped
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let mut piece = input;
                piece[d] = s;
                m.int8(&format!("output{i}"), &piece, &qx)
            })
            .collect();
        let o = OpOptions::SplitV { num_splits: sizes.len() as i32 };
        m.b.add_op(BuiltinOp::SPLIT_V, &[x, sz, a], &ys, o);
        m.finish(name, &[x], &ys, out);
    }

    // UNPACK: (name, input, axis).
    for (name, input, axis) in [
        ("unpack_axis_neg1", vec![1, 4, 5, 3], -1),
        ("unpack_axis1", vec![2, 3, 4], 1),
        ("unpack_axis0", vec![4, 5], 0),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let d = if axis < 0 { (axis + input.len() as i32) as usize } else { axis as usize };
        let num = input[d];
        let mut piece = input.clone();
        piece.remove(d);
        let ys: Vec<i32> = (0..num).map(|i| m.int8(&format!("output{i}"), &piece, &qx)).collect();
        m.b.add_op(BuiltinOp::UNPACK, &[x], &ys, OpOptions::Unpack { num, axis });
        m.finish(name, &[x], &ys, out);
    }

    // GATHER: (name, input, indices shape, indices, axis, batch_dims, output).
    type Gather = (&'static str, Vec<i32>, Vec<i32>, Vec<i32>, i32, i32, Vec<i32>);
    let gathers: Vec<Gather> = vec![
        ("gather_channels_neg1", vec![1, 4, 5, 4], vec![4], vec![3, 0, 2, 1], -1, 0, vec![1, 4, 5, 4]),
        ("gather_axis0_repeat", vec![5, 6], vec![7], vec![4, 0, 0, 2, 4, 1, 3], 0, 0, vec![7, 6]),
        ("gather_axis1_2d_indices", vec![2, 5, 3], vec![2, 2], vec![1, 4, 0, 1], 1, 0, vec![2, 2, 2, 3]),
        ("gather_batch_dims1", vec![3, 4, 2], vec![3, 2], vec![0, 3, 2, 2, 1, 0], 1, 1, vec![3, 2, 2]),
    ];
    for (name, input, ishape, indices, axis, batch_dims, output) in gathers {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let i = m.b.add_const_i32("indices", &ishape, &indices);
        let y = m.int8("output", &output, &qx);
        m.b.add_op(BuiltinOp::GATHER, &[x, i], &[y], OpOptions::Gather { axis, batch_dims });
        m.finish(name, &[x], &[y], out);
    }

    // PACK: (name, input shape, count, axis).
    for (name, input, count, axis) in [
        ("pack_axis_neg1", vec![1, 4, 5], 4, -1),
        ("pack_axis0", vec![3, 2], 3, 0),
        ("pack_axis1", vec![2, 3, 2], 2, 1),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let xs: Vec<i32> = (0..count).map(|i| m.int8(&format!("input{i}"), &input, &qx)).collect();
        let rank = input.len() as i32 + 1;
        let d = if axis < 0 { (axis + rank) as usize } else { axis as usize };
        let mut shape = input.clone();
        shape.insert(d, count);
        let y = m.int8("output", &shape, &qx);
        m.b.add_op(BuiltinOp::PACK, &xs, &[y], OpOptions::Pack { values_count: count, axis });
        m.finish(name, &xs, &[y], out);
    }

    // SPACE_TO_DEPTH and DEPTH_TO_SPACE: (name, input, block, output).
    for (name, input, block, output) in [
        ("space_to_depth_2", [1, 4, 6, 3], 2, [1, 2, 3, 12]),
        ("space_to_depth_3_batch2", [2, 6, 3, 2], 3, [2, 2, 1, 18]),
        ("depth_to_space_2", [1, 3, 2, 8], 2, [1, 6, 4, 2]),
        ("depth_to_space_3", [1, 2, 3, 9], 3, [1, 6, 9, 1]),
    ] {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let y = m.int8("output", &output, &qx);
        let (op, o) = if name.starts_with("space") {
            (BuiltinOp::SPACE_TO_DEPTH, OpOptions::SpaceToDepth { block_size: block })
        } else {
            (BuiltinOp::DEPTH_TO_SPACE, OpOptions::DepthToSpace { block_size: block })
        };
        m.b.add_op(op, &[x], &[y], o);
        m.finish(name, &[x], &[y], out);
    }

    // STRIDED_SLICE: (name, input, begin, end, strides, begin_mask, end_mask, shrink_mask,
    // output).
    type Slice = (&'static str, Vec<i32>, Vec<i32>, Vec<i32>, Vec<i32>, i32, i32, i32, Vec<i32>);
    let slices: Vec<Slice> = vec![
        (
            "strided_slice_channels_masks",
            vec![1, 4, 5, 18],
            vec![0, 0, 0, 4],
            vec![0, 0, 0, 6],
            vec![1; 4],
            7,
            7,
            0,
            vec![1, 4, 5, 2],
        ),
        (
            "strided_slice_begin_mask_all",
            vec![1, 4, 5, 6],
            vec![0, 0, 0, 0],
            vec![0, 0, 0, 4],
            vec![1; 4],
            15,
            7,
            0,
            vec![1, 4, 5, 4],
        ),
        (
            "strided_slice_stride2_odd",
            vec![1, 7, 9, 3],
            vec![0, 1, 0, 0],
            vec![1, 7, 9, 3],
            vec![1, 2, 2, 1],
            0,
            0,
            0,
            vec![1, 3, 5, 3],
        ),
        (
            "strided_slice_stride3",
            vec![1, 8, 8, 2],
            vec![0, 1, 2, 0],
            vec![1, 8, 8, 2],
            vec![1, 3, 3, 1],
            0,
            0,
            0,
            vec![1, 3, 2, 2],
        ),
        (
            "strided_slice_negative_stride",
            vec![1, 5, 6, 3],
            vec![0, -1, 4, 0],
            vec![1, 0, 0, 3],
            vec![1, -1, -2, 1],
            0,
            0,
            0,
            vec![1, 4, 2, 3],
        ),
        (
            "strided_slice_reverse_masks",
            vec![1, 3, 4, 5],
            vec![0, 0, 0, 0],
            vec![1, 0, 0, 0],
            vec![1, -1, -1, -2],
            14,
            14,
            0,
            vec![1, 3, 4, 3],
        ),
        (
            "strided_slice_negative_indices",
            vec![1, 6, 5, 4],
            vec![0, -4, -3, 1],
            vec![1, -1, 5, -1],
            vec![1; 4],
            0,
            0,
            0,
            vec![1, 3, 3, 2],
        ),
        (
            "strided_slice_clamped_ends",
            vec![1, 4, 5, 3],
            vec![0, 1, -9, 0],
            vec![1, 99, 3, 3],
            vec![1; 4],
            0,
            0,
            0,
            vec![1, 3, 3, 3],
        ),
        (
            "strided_slice_shrink_row",
            vec![1, 4, 5, 3],
            vec![0, 2, 0, 0],
            vec![1, 3, 5, 3],
            vec![1; 4],
            0,
            0,
            2,
            vec![1, 5, 3],
        ),
        (
            "strided_slice_shrink_two_axes",
            vec![2, 4, 6],
            vec![1, 0, -1],
            vec![2, 4, 6],
            vec![1, 1, 1],
            2,
            2,
            5,
            vec![4],
        ),
        ("strided_slice_2d", vec![6, 10], vec![1, 1], vec![6, 10], vec![2, 3], 0, 0, 0, vec![3, 3]),
    ];
    for (name, input, begin, end, strides, begin_mask, end_mask, shrink_axis_mask, output) in slices {
        let mut m = Model::new(name);
        let qx = q(&mut m);
        let x = m.int8("input", &input, &qx);
        let r = input.len() as i32;
        let b = m.b.add_const_i32("begin", &[r], &begin);
        let e = m.b.add_const_i32("end", &[r], &end);
        let s = m.b.add_const_i32("strides", &[r], &strides);
        let y = m.int8("output", &output, &qx);
        let o = OpOptions::StridedSlice {
            begin_mask,
            end_mask,
            ellipsis_mask: 0,
            new_axis_mask: 0,
            shrink_axis_mask,
            offset: false,
        };
        m.b.add_op(BuiltinOp::STRIDED_SLICE, &[x, b, e, s], &[y], o);
        m.finish(name, &[x], &[y], out);
    }
}

fn quantize_cases(out: &mut Vec<Case>) {
    let shape: &[i32] = &[1, 4, 5, 3];

    let mut m = Model::new("quantize_f32_to_i8");
    let x = m.float("input", shape);
    let y = m.int8("output", shape, &QuantSpec::per_tensor(0.02, 5));
    m.b.add_op(BuiltinOp::QUANTIZE, &[x], &[y], OpOptions::Quantize);
    m.finish("quantize_f32_to_i8", &[x], &[y], out);

    let mut m = Model::new("quantize_i8_to_i8");
    let x = m.int8("input", shape, &QuantSpec::per_tensor(0.05, -3));
    let y = m.int8("output", shape, &QuantSpec::per_tensor(0.03, 10));
    m.b.add_op(BuiltinOp::QUANTIZE, &[x], &[y], OpOptions::Quantize);
    m.finish("quantize_i8_to_i8", &[x], &[y], out);

    let mut m = Model::new("dequantize_i8_to_f32");
    let x = m.int8("input", shape, &QuantSpec::per_tensor(0.07, 4));
    let y = m.float("output", shape);
    m.b.add_op(BuiltinOp::DEQUANTIZE, &[x], &[y], OpOptions::Dequantize);
    m.finish("dequantize_i8_to_f32", &[x], &[y], out);
}

/// Two inputs and two outputs, listed in an order that differs from tensor and op order:
/// inputs `[b, a]` (b is `[1,1,1,3]`, broadcast), outputs `[product, sum]`.
fn multi_io_case(out: &mut Vec<Case>) {
    let name = "multi_io_add_mul";
    let mut m = Model::new(name);
    let qa = QuantSpec::per_tensor(0.04, -5);
    let qb = QuantSpec::per_tensor(0.06, 8);
    let a = m.int8("a", &[1, 4, 4, 3], &qa);
    let b = m.int8("b", &[1, 1, 1, 3], &qb);
    let sum = m.int8("sum", &[1, 4, 4, 3], &quant_for(5.3, 0.0, SPREAD));
    let product = m.int8("product", &[1, 4, 4, 3], &quant_for(13.1, 0.0, SPREAD));
    let act = Activation::None;
    m.b.add_op(BuiltinOp::ADD, &[a, b], &[sum], OpOptions::Add { activation: act });
    m.b.add_op(BuiltinOp::MUL, &[b, a], &[product], OpOptions::Mul { activation: act });
    m.finish(name, &[b, a], &[product, sum], out);
}

/// A TRANSPOSE_CONV case: input `[N, H, W, C]`, output channels, kernel, stride, padding,
/// output `[H, W]`, per-channel, bias, activation.
struct TConv {
    input: [i32; 4],
    cout: i32,
    k: [i32; 2],
    stride: [i32; 2],
    padding: Padding,
    out_hw: [i32; 2],
    per_channel: bool,
    bias: bool,
    activation: Activation,
    spread: f32,
}

impl TConv {
    fn new(input: [i32; 4], cout: i32, k: i32, stride: i32, padding: Padding, out_hw: [i32; 2]) -> Self {
        TConv {
            input,
            cout,
            k: [k, k],
            stride: [stride, stride],
            padding,
            out_hw,
            per_channel: true,
            bias: true,
            activation: Activation::None,
            spread: SPREAD,
        }
    }

    fn build(self, name: &str, out: &mut Vec<Case>) {
        let mut m = Model::new(name);
        let [n, _, _, cin] = self.input;
        let in_scale = m.rng.range_f32(0.02, 0.06);
        let in_q = QuantSpec::per_tensor(in_scale, m.zp(40));
        let x = m.int8("input", &self.input, &in_q);
        let [kh, kw] = self.k;
        let channels = if self.per_channel { self.cout as usize } else { 1 };
        let scales: Vec<f32> = (0..channels).map(|_| m.rng.range_f32(0.002, 0.01)).collect();
        let fq = if self.per_channel {
            QuantSpec::per_channel(scales.clone(), 0)
        } else {
            QuantSpec::per_tensor(scales[0], 0)
        };
        let weights = m.rng.i8_vec((self.cout * kh * kw * cin) as usize, -127, 127);
        let f = m.b.add_const_i8("filter", &[self.cout, kh, kw, cin], &weights, fq);
        let shape = m.b.add_const_i32("output_shape", &[4], &[n, self.out_hw[0], self.out_hw[1], self.cout]);
        // Taps per output pixel on average: kernel area over stride area.
        let taps = (kh * kw) as f32 / (self.stride[0] * self.stride[1]) as f32;
        let mean_scale = scales.iter().sum::<f32>() / scales.len() as f32;
        let std = 74.0 * in_scale * 73.0 * mean_scale * (taps * cin as f32).sqrt();
        let mut out_q = quant_for(std, 0.0, self.spread);
        out_q.zero_point = vec![m.zp(20)];
        let y = m.int8("output", &[n, self.out_hw[0], self.out_hw[1], self.cout], &out_q);
        let mut inputs = vec![shape, f, x];
        if self.bias {
            let bias_scales: Vec<f32> =
                (0..self.cout as usize).map(|c| in_scale * scales[c.min(channels - 1)]).collect();
            let values = m.rng.i32_vec(self.cout as usize, -3000, 3000);
            let bq = if self.per_channel {
                QuantSpec::per_channel(bias_scales, 0)
            } else {
                QuantSpec::per_tensor(bias_scales[0], 0)
            };
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            inputs.push(m.b.add_const_tensor("bias", &[self.cout], TensorType::Int32, Some(bq), bytes));
        }
        let o = OpOptions::TransposeConv {
            padding: self.padding,
            stride_w: self.stride[1],
            stride_h: self.stride[0],
            activation: self.activation,
        };
        m.b.add_op(BuiltinOp::TRANSPOSE_CONV, &inputs, &[y], o);
        m.finish(name, &[x], &[y], out);
    }
}

fn transpose_conv_cases(out: &mut Vec<Case>) {
    use Padding::{Same, Valid};
    TConv::new([1, 4, 4, 6], 5, 3, 2, Same, [8, 8]).build("transpose_conv_3x3_s2_same", out);
    TConv::new([1, 3, 5, 4], 3, 3, 2, Valid, [7, 11]).build("transpose_conv_3x3_s2_valid_odd", out);
    TConv::new([1, 5, 4, 3], 4, 3, 1, Same, [5, 4]).build("transpose_conv_3x3_s1_same", out);
    TConv::new([1, 3, 3, 4], 2, 2, 2, Valid, [6, 6]).build("transpose_conv_2x2_s2_valid", out);
    TConv { stride: [1, 2], ..TConv::new([1, 4, 3, 3], 3, 3, 2, Same, [4, 6]) }.build("transpose_conv_stride_1x2", out);
    TConv { per_channel: false, ..TConv::new([1, 4, 4, 3], 4, 3, 2, Same, [8, 8]) }
        .build("transpose_conv_per_tensor", out);
    TConv { bias: false, ..TConv::new([1, 4, 4, 3], 4, 3, 2, Same, [8, 8]) }.build("transpose_conv_no_bias", out);
    TConv { activation: Activation::Relu, ..TConv::new([1, 4, 4, 3], 4, 3, 2, Same, [8, 8]) }
        .build("transpose_conv_relu", out);
    TConv { spread: SATURATE, ..TConv::new([2, 3, 3, 4], 3, 3, 2, Same, [6, 6]) }
        .build("transpose_conv_saturate_batch2", out);
}

/// PRELU: (name, input shape, alpha shape, alpha constant, alpha zero point).
fn prelu_cases(out: &mut Vec<Case>) {
    for (name, shape, alpha_shape, constant, alpha_zp) in [
        ("prelu_channel_alpha", vec![1, 4, 5, 3], vec![1, 1, 3], true, 0),
        ("prelu_channel_alpha_zp", vec![1, 4, 5, 3], vec![3], true, 25),
        ("prelu_scalar_alpha", vec![1, 4, 5, 3], vec![1], true, 0),
        ("prelu_full_alpha_input", vec![1, 3, 4, 2], vec![1, 3, 4, 2], false, -10),
    ] {
        let mut m = Model::new(name);
        let q_in = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
        let q_alpha = QuantSpec::per_tensor(m.rng.range_f32(0.002, 0.01), alpha_zp);
        let x = m.int8("input", &shape, &q_in);
        let a = if constant {
            let n: i32 = alpha_shape.iter().product();
            let values = m.rng.i8_vec(n as usize, -100, 127);
            m.b.add_const_i8("alpha", &alpha_shape, &values, q_alpha)
        } else {
            m.int8("alpha", &alpha_shape, &q_alpha)
        };
        let mut q_out = quant_for(74.0 * q_in.scale[0], 0.0, SPREAD);
        q_out.zero_point = vec![m.zp(20)];
        let y = m.int8("output", &shape, &q_out);
        m.b.add_op(BuiltinOp::PRELU, &[x, a], &[y], OpOptions::None);
        let inputs = if constant { vec![x] } else { vec![x, a] };
        m.finish(name, &inputs, &[y], out);
    }
}

/// RESIZE_BILINEAR: (name, input, size, align_corners, half_pixel_centers).
fn resize_bilinear_cases(out: &mut Vec<Case>) {
    for (name, input, size, align_corners, half_pixel_centers) in [
        ("resize_bilinear_2x", [1, 4, 5, 3], [8, 10], false, false),
        ("resize_bilinear_2x_align_corners", [1, 4, 5, 3], [8, 10], true, false),
        ("resize_bilinear_2x_half_pixel", [1, 4, 5, 3], [8, 10], false, true),
        ("resize_bilinear_5x7_to_8x11", [1, 5, 7, 2], [8, 11], false, false),
        ("resize_bilinear_5x7_to_8x11_align_corners", [1, 5, 7, 2], [8, 11], true, false),
        ("resize_bilinear_5x7_to_8x11_half_pixel", [1, 5, 7, 2], [8, 11], false, true),
        ("resize_bilinear_down_9x8_to_4x3_half_pixel", [2, 9, 8, 2], [4, 3], false, true),
    ] {
        let mut m = Model::new(name);
        let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
        let x = m.int8("input", &input, &q);
        let sz = m.b.add_const_i32("size", &[2], &size);
        let y = m.int8("output", &[input[0], size[0], size[1], input[3]], &q);
        let o = OpOptions::ResizeBilinear { align_corners, half_pixel_centers };
        m.b.add_op(BuiltinOp::RESIZE_BILINEAR, &[x, sz], &[y], o);
        m.finish(name, &[x], &[y], out);
    }
}

/// ARG_MAX / ARG_MIN: (name, max, float input, input shape, axis).
fn arg_cases(out: &mut Vec<Case>) {
    for (name, max, float, input, axis) in [
        ("arg_max_f32_channels", true, true, vec![1, 4, 5, 6], -1),
        ("arg_max_i8_channels", true, false, vec![1, 4, 5, 6], 3),
        ("arg_max_i8_height", true, false, vec![1, 7, 3, 2], 1),
        ("arg_min_f32_axis0", false, true, vec![5, 6], 0),
        ("arg_min_i8_channels_ties", false, false, vec![1, 6, 6, 40], -1),
    ] {
        let mut m = Model::new(name);
        let x = if float {
            m.float("input", &input)
        } else {
            let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
            m.int8("input", &input, &q)
        };
        let a = m.b.add_const_i32("axis", &[], &[axis]);
        let rank = input.len() as i32;
        let d = if axis < 0 { (axis + rank) as usize } else { axis as usize };
        let mut shape = input.clone();
        shape.remove(d);
        let y = m.b.add_tensor(TensorSpec::new("output", &shape, TensorType::Int32));
        let (op, o) = if max {
            (BuiltinOp::ARG_MAX, OpOptions::ArgMax { output_type: 2 })
        } else {
            (BuiltinOp::ARG_MIN, OpOptions::ArgMin { output_type: 2 })
        };
        m.b.add_op(op, &[x, a], &[y], o);
        m.finish(name, &[x], &[y], out);
    }
}

/// SLICE and EXPAND_DIMS.
fn slice_cases(out: &mut Vec<Case>) {
    // SLICE: (name, input, begin, size, int64 indices, output).
    type Slice = (&'static str, Vec<i32>, Vec<i32>, Vec<i32>, bool, Vec<i32>);
    let slices: Vec<Slice> = vec![
        ("slice_box", vec![1, 5, 6, 4], vec![0, 1, 2, 1], vec![1, 3, 3, 2], false, vec![1, 3, 3, 2]),
        ("slice_size_minus1", vec![1, 5, 6, 4], vec![0, 2, 0, 3], vec![-1, -1, 4, -1], false, vec![1, 3, 4, 1]),
        ("slice_rank5_i64", vec![2, 3, 2, 3, 4], vec![1, 0, 1, 1, 0], vec![1, 2, 1, 2, 3], true, vec![1, 2, 1, 2, 3]),
        ("slice_rank1", vec![10], vec![3], vec![5], false, vec![5]),
    ];
    for (name, input, begin, size, wide, output) in slices {
        let mut m = Model::new(name);
        let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
        let x = m.int8("input", &input, &q);
        let r = input.len() as i32;
        let (b, s) = if wide {
            let bytes = |v: &[i32]| v.iter().flat_map(|&x| i64::from(x).to_le_bytes()).collect::<Vec<u8>>();
            (
                m.b.add_const_tensor("begin", &[r], TensorType::Int64, None, bytes(&begin)),
                m.b.add_const_tensor("size", &[r], TensorType::Int64, None, bytes(&size)),
            )
        } else {
            (m.b.add_const_i32("begin", &[r], &begin), m.b.add_const_i32("size", &[r], &size))
        };
        let y = m.int8("output", &output, &q);
        m.b.add_op(BuiltinOp::SLICE, &[x, b, s], &[y], OpOptions::Slice);
        m.finish(name, &[x], &[y], out);
    }

    // EXPAND_DIMS: (name, input, axis, output); the last feeds a RELU so that the alias has a
    // reader inside the graph.
    for (name, input, axis, output) in [
        ("expand_dims_axis0", vec![4, 5, 3], 0, vec![1, 4, 5, 3]),
        ("expand_dims_axis_neg1", vec![1, 4, 5], -1, vec![1, 4, 5, 1]),
        ("expand_dims_then_relu", vec![2, 6], 1, vec![2, 1, 6]),
    ] {
        let mut m = Model::new(name);
        let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
        let x = m.int8("input", &input, &q);
        let a = m.b.add_const_i32("axis", &[1], &[axis]);
        let y = m.int8("expanded", &output, &q);
        m.b.add_op(BuiltinOp::EXPAND_DIMS, &[x, a], &[y], OpOptions::ExpandDims);
        if name.ends_with("relu") {
            let z = m.int8("output", &output, &q);
            m.b.add_op(BuiltinOp::RELU, &[y], &[z], OpOptions::None);
            m.finish(name, &[x], &[z], out);
        } else {
            m.finish(name, &[x], &[y], out);
        }
    }
}

/// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: (name, to batch, input, block, pads or crops,
/// output).
fn space_batch_cases(out: &mut Vec<Case>) {
    type SpaceBatch = (&'static str, bool, Vec<i32>, Vec<i32>, Vec<i32>, Vec<i32>);
    let cases: Vec<SpaceBatch> = vec![
        ("space_to_batch_2x2", true, vec![1, 4, 6, 3], vec![2, 2], vec![0, 0, 0, 0], vec![4, 2, 3, 3]),
        ("space_to_batch_padded", true, vec![1, 5, 4, 2], vec![2, 2], vec![2, 1, 1, 1], vec![4, 4, 3, 2]),
        ("space_to_batch_rank3", true, vec![2, 5, 3], vec![3], vec![1, 0], vec![6, 2, 3]),
        ("batch_to_space_2x2", false, vec![4, 2, 3, 3], vec![2, 2], vec![0, 0, 0, 0], vec![1, 4, 6, 3]),
        ("batch_to_space_cropped", false, vec![8, 3, 2, 2], vec![2, 2], vec![1, 2, 0, 1], vec![2, 3, 3, 2]),
        ("batch_to_space_rank3", false, vec![6, 2, 3], vec![3], vec![1, 0], vec![2, 5, 3]),
    ];
    for (name, to_batch, input, block, pads, output) in cases {
        let mut m = Model::new(name);
        let q = QuantSpec::per_tensor(m.rng.range_f32(0.03, 0.06), m.zp(30));
        let x = m.int8("input", &input, &q);
        let b = m.b.add_const_i32("block_shape", &[block.len() as i32], &block);
        let p = m.b.add_const_i32(if to_batch { "paddings" } else { "crops" }, &[block.len() as i32, 2], &pads);
        let y = m.int8("output", &output, &q);
        let (op, o) = if to_batch {
            (BuiltinOp::SPACE_TO_BATCH_ND, OpOptions::SpaceToBatchNd)
        } else {
            (BuiltinOp::BATCH_TO_SPACE_ND, OpOptions::BatchToSpaceNd)
        };
        m.b.add_op(op, &[x, b, p], &[y], o);
        m.finish(name, &[x], &[y], out);
    }

    // The converter's dilated convolution: SPACE_TO_BATCH_ND (padded), a VALID 3x3 CONV_2D,
    // BATCH_TO_SPACE_ND (cropped): a dilation-2 SAME convolution of a 6x6 image.
    let name = "dilated_conv_as_space_to_batch";
    let mut m = Model::new(name);
    let in_scale = m.rng.range_f32(0.02, 0.06);
    let in_zp = m.zp(40);
    let q = QuantSpec::per_tensor(in_scale, in_zp);
    let x = m.int8("input", &[1, 6, 6, 3], &q);
    let b = m.b.add_const_i32("block_shape", &[2], &[2, 2]);
    let pads = m.b.add_const_i32("paddings", &[2, 2], &[2, 2, 2, 2]);
    let s2b = m.int8("s2b", &[4, 5, 5, 3], &q);
    m.b.add_op(BuiltinOp::SPACE_TO_BATCH_ND, &[x, b, pads], &[s2b], OpOptions::SpaceToBatchNd);
    let layer = add_random_layer(
        &mut m.b,
        &mut m.rng,
        &LayerSpec {
            name: "conv",
            filter_shape: &[4, 3, 3, 3],
            channel_dim: 0,
            per_channel: true,
            bias: true,
            input_scale: in_scale,
            input_q_rms: uniform_q_rms(in_zp),
            output_std: 1.0,
        },
    );
    let mut conv_q = quant_for(1.0, 0.0, SPREAD);
    conv_q.zero_point = vec![m.zp(20)];
    let conv = m.int8("conv", &[4, 3, 3, 4], &conv_q);
    let o = Conv2DOptions { padding: Padding::Valid, ..Conv2DOptions::default() };
    m.b.add_op(BuiltinOp::CONV_2D, &[s2b, layer.filter, layer.bias], &[conv], OpOptions::Conv2D(o));
    let b2 = m.b.add_const_i32("block_shape_out", &[2], &[2, 2]);
    let crops = m.b.add_const_i32("crops", &[2, 2], &[0, 0, 0, 0]);
    let y = m.int8("output", &[1, 6, 6, 4], &conv_q);
    m.b.add_op(BuiltinOp::BATCH_TO_SPACE_ND, &[conv, b2, crops], &[y], OpOptions::BatchToSpaceNd);
    m.finish(name, &[x], &[y], out);
}

// ---- 16x8: int16 activations, int8 weights ----

/// RMS of int16 values uniform over the whole range (zero point 0): `65536 / sqrt(12)`.
const INT16_Q_RMS: f32 = 18918.6;

/// Per-tensor int16 quantization (zero point 0) for values of standard deviation `std`:
/// `spread` standard deviations fit in each half of the range.
fn q16_for(std: f32, spread: f32) -> QuantSpec {
    QuantSpec::per_tensor(std * spread / 32767.5, 0)
}

impl Model {
    fn int16(&mut self, name: &str, shape: &[i32], q: &QuantSpec) -> i32 {
        self.b.add_tensor(TensorSpec::new(name, shape, TensorType::Int16).with_quant(q.clone()))
    }
}

/// The bias of a 16x8 case: int64 (the converter's), int32 (TFLM then accumulates in 32
/// bits) or none.
#[derive(Clone, Copy, PartialEq)]
enum Bias16 {
    I64,
    I32,
    Absent,
}

impl Bias16 {
    fn tensor_type(self) -> TensorType {
        if self == Bias16::I32 {
            TensorType::Int32
        } else {
            TensorType::Int64
        }
    }
}

/// A 16x8 CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED case: int16 input and output (zero
/// points 0), int8 filter.
#[derive(Clone, Copy)]
struct Filtered16 {
    conv: Conv,
    bias: Bias16,
    fc: Option<(&'static [i32], i32)>,
}

impl Filtered16 {
    fn conv(input: [i32; 4], cout: i32, k: i32, stride: i32, padding: Padding) -> Self {
        Filtered16 { conv: Conv::new(input, cout, k, stride, padding), bias: Bias16::I64, fc: None }
    }
    fn dw(input: [i32; 4], mult: i32, k: i32, stride: i32, padding: Padding) -> Self {
        Filtered16 { conv: Conv::dw(input, mult, k, stride, padding), bias: Bias16::I64, fc: None }
    }
    fn fc(input: &'static [i32], units: i32) -> Self {
        let mut f = Filtered16::conv([1, 1, 1, 1], units, 1, 1, Padding::Valid);
        f.conv.per_channel = false;
        f.fc = Some((input, units));
        f
    }

    fn build(self, name: &str, out: &mut Vec<Case>) {
        let c = self.conv;
        let mut m = Model::new(name);
        let in_q = QuantSpec::per_tensor(m.rng.range_f32(1e-4, 4e-4), 0);
        let (in_shape, filter_shape, channel_dim, out_shape): (Vec<i32>, Vec<i32>, usize, Vec<i32>) = match self.fc {
            Some((input, units)) => {
                let depth = *input.last().unwrap_or(&1);
                let total: i32 = input.iter().product();
                let k = if input.len() == 2 { depth } else { total };
                (input.to_vec(), vec![units, k], 0, vec![total / k, units])
            }
            None => {
                let [n, h, w, cin] = c.input;
                let cout = if c.depthwise { cin * c.cout_or_mult } else { c.cout_or_mult };
                let [kh, kw] = c.k;
                let oh = out_size(h, kh, c.stride[0], c.dilation[0], c.padding);
                let ow = out_size(w, kw, c.stride[1], c.dilation[1], c.padding);
                let filter = if c.depthwise { vec![1, kh, kw, cout] } else { vec![cout, kh, kw, cin] };
                (c.input.to_vec(), filter, if c.depthwise { 3 } else { 0 }, vec![n, oh, ow, cout])
            }
        };
        let x = m.int16("input", &in_shape, &in_q);
        let relu6 = c.activation == Activation::Relu6;
        let spec = LayerSpec {
            name: "layer",
            filter_shape: &filter_shape,
            channel_dim,
            per_channel: c.per_channel,
            bias: self.bias != Bias16::Absent,
            input_scale: in_q.scale[0],
            input_q_rms: INT16_Q_RMS,
            output_std: if relu6 { 4.0 } else { 1.0 },
        };
        let layer = add_random_layer_with_bias(&mut m.b, &mut m.rng, &spec, self.bias.tensor_type());
        // 6.0 inside the int16 range, so the RELU6 clamp is visible.
        let out_q = if relu6 { QuantSpec::per_tensor(8.0 / 32767.0, 0) } else { q16_for(1.0, c.spread) };
        let y = m.int16("output", &out_shape, &out_q);
        let inputs: Vec<i32> =
            if self.bias == Bias16::Absent { vec![x, layer.filter] } else { vec![x, layer.filter, layer.bias] };
        if self.fc.is_some() {
            let o = FullyConnectedOptions { activation: c.activation, keep_num_dims: false };
            m.b.add_op(BuiltinOp::FULLY_CONNECTED, &inputs, &[y], OpOptions::FullyConnected(o));
        } else if c.depthwise {
            let o = DepthwiseConv2DOptions {
                padding: c.padding,
                stride_h: c.stride[0],
                stride_w: c.stride[1],
                depth_multiplier: c.cout_or_mult,
                activation: c.activation,
                dilation_h: c.dilation[0],
                dilation_w: c.dilation[1],
            };
            m.b.add_op(BuiltinOp::DEPTHWISE_CONV_2D, &inputs, &[y], OpOptions::DepthwiseConv2D(o));
        } else {
            let o = Conv2DOptions {
                padding: c.padding,
                stride_h: c.stride[0],
                stride_w: c.stride[1],
                activation: c.activation,
                dilation_h: c.dilation[0],
                dilation_w: c.dilation[1],
            };
            m.b.add_op(BuiltinOp::CONV_2D, &inputs, &[y], OpOptions::Conv2D(o));
        }
        m.finish(name, &[x], &[y], out);
    }
}

fn cases_16x8(out: &mut Vec<Case>) {
    use Padding::{Same, Valid};
    let c = Filtered16::conv;
    let with = |f: Filtered16, g: fn(&mut Conv)| {
        let mut f = f;
        g(&mut f.conv);
        f
    };
    c([1, 8, 8, 3], 4, 3, 1, Same).build("conv16_3x3_s1_same", out);
    c([1, 9, 11, 4], 6, 3, 2, Same).build("conv16_3x3_s2_same_odd", out);
    c([1, 9, 9, 3], 5, 3, 2, Valid).build("conv16_3x3_s2_valid", out);
    with(c([1, 9, 9, 3], 4, 3, 1, Same), |c| c.dilation = [2, 2]).build("conv16_dilation2", out);
    with(c([1, 7, 10, 3], 4, 3, 1, Same), |c| c.stride = [1, 2]).build("conv16_stride_1x2", out);
    with(c([1, 8, 8, 3], 4, 3, 1, Same), |c| c.per_channel = false).build("conv16_per_tensor", out);
    with(c([1, 7, 7, 4], 4, 3, 1, Same), |c| c.activation = Activation::Relu6).build("conv16_relu6", out);
    with(c([1, 7, 7, 4], 5, 3, 1, Same), |c| c.spread = SATURATE).build("conv16_saturate", out);
    Filtered16 { bias: Bias16::I32, ..c([1, 7, 7, 3], 5, 3, 1, Same) }.build("conv16_bias32", out);
    Filtered16 { bias: Bias16::Absent, ..c([1, 6, 6, 3], 4, 3, 1, Same) }.build("conv16_no_bias", out);
    c([2, 5, 5, 3], 4, 1, 1, Same).build("conv16_1x1_batch2", out);

    let d = Filtered16::dw;
    d([1, 8, 8, 4], 1, 3, 1, Same).build("dw16_3x3_s1_same", out);
    d([1, 9, 11, 6], 1, 3, 2, Same).build("dw16_3x3_s2_same_odd", out);
    d([1, 11, 11, 3], 1, 5, 2, Valid).build("dw16_5x5_s2_valid", out);
    d([1, 6, 6, 3], 2, 3, 1, Same).build("dw16_mult2", out);
    with(d([1, 9, 9, 4], 1, 3, 1, Same), |c| c.dilation = [2, 2]).build("dw16_dilation2", out);
    with(d([1, 8, 8, 4], 1, 3, 1, Same), |c| c.per_channel = false).build("dw16_per_tensor", out);
    with(d([1, 8, 8, 5], 1, 3, 1, Same), |c| c.activation = Activation::Relu6).build("dw16_relu6", out);
    with(d([1, 8, 8, 4], 1, 3, 2, Same), |c| c.spread = SATURATE).build("dw16_saturate", out);
    Filtered16 { bias: Bias16::Absent, ..d([1, 7, 7, 3], 1, 3, 1, Same) }.build("dw16_no_bias", out);

    let f = Filtered16::fc;
    f(&[2, 16], 8).build("fc16_2d_bias64", out);
    Filtered16 { bias: Bias16::I32, ..f(&[2, 16], 8) }.build("fc16_2d_bias32", out);
    Filtered16 { bias: Bias16::Absent, ..f(&[1, 20], 6) }.build("fc16_no_bias", out);
    with(f(&[2, 12], 5), |c| c.per_channel = true).build("fc16_per_channel", out);
    Filtered16 { bias: Bias16::I32, ..with(f(&[2, 12], 5), |c| c.per_channel = true) }
        .build("fc16_per_channel_bias32", out);
    f(&[1, 3, 3, 4], 10).build("fc16_4d_flatten", out);
    with(f(&[3, 20], 6), |c| c.spread = SATURATE).build("fc16_saturate", out);
    with(f(&[1, 24], 7), |c| c.activation = Activation::Relu).build("fc16_relu", out);

    for (name, shape, axes, keep, zoom) in [
        ("mean16_hw_keepdims", &[1, 6, 5, 8][..], &[1, 2][..], true, 1.0f32),
        ("mean16_hw_nokeepdims_diff_quant", &[1, 6, 5, 8][..], &[1, 2][..], false, 8.0),
        ("mean16_channels_neg1", &[1, 4, 5, 6][..], &[-1][..], false, 2.0),
    ] {
        let mut m = Model::new(name);
        let q = QuantSpec::per_tensor(m.rng.range_f32(1e-4, 4e-4), 0);
        let x = m.int16("input", shape, &q);
        let out_shape: Vec<i32> = shape
            .iter()
            .enumerate()
            .filter_map(|(d, &n)| {
                let reduced = axes.iter().any(|&a| (a + shape.len() as i32) % shape.len() as i32 == d as i32);
                if reduced {
                    keep.then_some(1)
                } else {
                    Some(n)
                }
            })
            .collect();
        let y = m.int16("output", &out_shape, &QuantSpec::per_tensor(q.scale[0] / zoom, 0));
        let a = m.b.add_const_i32("axes", &[axes.len() as i32], axes);
        m.b.add_op(BuiltinOp::MEAN, &[x, a], &[y], OpOptions::Reducer { keep_dims: keep });
        m.finish(name, &[x], &[y], out);
    }

    for (name, shape, scale, beta) in [
        ("softmax16_1x10", &[1, 10][..], 2e-4f32, 1.0f32),
        ("softmax16_1x10_beta0p5", &[1, 10][..], 2e-4, 0.5),
        ("softmax16_4d", &[1, 3, 4, 5][..], 1e-4, 1.0),
        ("softmax16_fine_input", &[2, 7][..], 1e-5, 2.0),
        ("softmax16_wide_range", &[1, 12][..], 3e-3, 1.0),
    ] {
        let mut m = Model::new(name);
        let x = m.int16("input", shape, &QuantSpec::per_tensor(scale, 0));
        let y = m.int16("output", shape, &QuantSpec::per_tensor(1.0 / 32768.0, 0));
        m.b.add_op(BuiltinOp::SOFTMAX, &[x], &[y], OpOptions::Softmax { beta });
        m.finish(name, &[x], &[y], out);
    }
}

fn elementwise_16_cases(out: &mut Vec<Case>) {
    let shape: &[i32] = &[1, 4, 5, 3];
    let conversions: [(&str, TensorType, f32, i64, TensorType, f32, i64); 6] = [
        ("quantize_f32_to_i16", TensorType::Float32, 0.0, 0, TensorType::Int16, 1.5e-4, 0),
        ("quantize_i16_to_i8", TensorType::Int16, 2e-4, 0, TensorType::Int8, 0.02, 7),
        ("quantize_i16_to_i16_saturate", TensorType::Int16, 3e-4, 0, TensorType::Int16, 1e-4, 0),
        ("quantize_i8_to_i16", TensorType::Int8, 0.05, -3, TensorType::Int16, 1.7e-4, 0),
        ("quantize_i16_to_i32", TensorType::Int16, 2e-4, 0, TensorType::Int32, 3e-5, 0),
        ("dequantize_i16_to_f32", TensorType::Int16, 1.3e-4, 0, TensorType::Float32, 0.0, 0),
    ];
    for (name, ti, si, zi, to, so, zo) in conversions {
        let mut m = Model::new(name);
        let tensor = |m: &mut Model, n: &str, t: TensorType, s: f32, z: i64| {
            let spec = TensorSpec::new(n, shape, t);
            m.b.add_tensor(if t == TensorType::Float32 { spec } else { spec.with_quant(QuantSpec::per_tensor(s, z)) })
        };
        let x = tensor(&mut m, "input", ti, si, zi);
        let y = tensor(&mut m, "output", to, so, zo);
        let (op, o) = if to == TensorType::Float32 {
            (BuiltinOp::DEQUANTIZE, OpOptions::Dequantize)
        } else {
            (BuiltinOp::QUANTIZE, OpOptions::Quantize)
        };
        m.b.add_op(op, &[x], &[y], o);
        m.finish(name, &[x], &[y], out);
    }

    // ADD and MUL: the inputs' scales differ; `spread` as for int8 (below 1 saturates).
    for (name, op, b_shape, b_const, activation, spread) in [
        ("add16_same_shape", BuiltinOp::ADD, &[1, 4, 5, 3][..], false, Activation::None, SPREAD),
        ("add16_broadcast_channel", BuiltinOp::ADD, &[1, 1, 1, 3][..], false, Activation::None, SPREAD),
        ("add16_broadcast_scalar_const", BuiltinOp::ADD, &[1][..], true, Activation::None, SPREAD),
        ("add16_relu6", BuiltinOp::ADD, &[1, 4, 5, 3][..], false, Activation::Relu6, SPREAD),
        ("add16_saturate", BuiltinOp::ADD, &[1, 4, 5, 3][..], false, Activation::None, SATURATE),
        ("mul16_same_shape", BuiltinOp::MUL, &[1, 4, 5, 3][..], false, Activation::None, SPREAD),
        ("mul16_broadcast_channel", BuiltinOp::MUL, &[1, 1, 1, 3][..], false, Activation::None, SPREAD),
        ("mul16_const_operand", BuiltinOp::MUL, &[1, 4, 5, 3][..], true, Activation::None, SPREAD),
        ("mul16_relu", BuiltinOp::MUL, &[1, 4, 5, 3][..], false, Activation::Relu, SPREAD),
        ("mul16_saturate", BuiltinOp::MUL, &[1, 4, 5, 3][..], false, Activation::None, SATURATE),
    ] {
        let mut m = Model::new(name);
        let (sa, sb) = (m.rng.range_f32(1e-4, 2e-4), m.rng.range_f32(2e-4, 4e-4));
        let a = m.int16("a", shape, &QuantSpec::per_tensor(sa, 0));
        let b = if b_const {
            let n: i32 = b_shape.iter().product();
            let values: Vec<u8> = (0..n).flat_map(|_| (m.rng.range_i32(-32768, 32767) as i16).to_le_bytes()).collect();
            let spec = TensorSpec::new("b", b_shape, TensorType::Int16).with_quant(QuantSpec::per_tensor(sb, 0));
            m.b.add_tensor(spec.with_data(values))
        } else {
            m.int16("b", b_shape, &QuantSpec::per_tensor(sb, 0))
        };
        // Real values: uniform int16 inputs have a standard deviation of about 18919 steps.
        let (std_a, std_b) = (18919.0 * sa, 18919.0 * sb);
        let std = if op == BuiltinOp::MUL { std_a * std_b } else { (std_a * std_a + std_b * std_b).sqrt() };
        let out_q = if activation == Activation::Relu6 {
            QuantSpec::per_tensor(8.0 / 32767.0, 0)
        } else {
            q16_for(std, spread)
        };
        let y = m.int16("output", shape, &out_q);
        let options = if op == BuiltinOp::MUL { OpOptions::Mul { activation } } else { OpOptions::Add { activation } };
        m.b.add_op(op, &[a, b], &[y], options);
        let inputs: Vec<i32> = if b_const { vec![a] } else { vec![a, b] };
        m.finish(name, &inputs, &[y], out);
    }
}

fn sigmoid_16_cases(out: &mut Vec<Case>) {
    // Output scale 2^-15, zero points 0 (TFLM's requirements). Power-of-two input scales
    // take TFLM's fixed multiplier, the others its integer multiplier and shift.
    for (name, op, scale) in [
        ("logistic16_pot", BuiltinOp::LOGISTIC, 1.0 / 4096.0),
        ("logistic16_scale", BuiltinOp::LOGISTIC, 3e-4f32),
        ("logistic16_wide_range", BuiltinOp::LOGISTIC, 1.3e-3),
        ("tanh16_pot", BuiltinOp::TANH, 1.0 / 4096.0),
        ("tanh16_pot_2048", BuiltinOp::TANH, 1.0 / 2048.0),
        ("tanh16_scale", BuiltinOp::TANH, 1.7e-4),
        ("tanh16_wide_range", BuiltinOp::TANH, 9e-4),
    ] {
        let mut m = Model::new(name);
        let shape: &[i32] = &[1, 5, 7, 3];
        let x = m.int16("input", shape, &QuantSpec::per_tensor(scale, 0));
        let y = m.int16("output", shape, &QuantSpec::per_tensor(1.0 / 32768.0, 0));
        m.b.add_op(op, &[x], &[y], OpOptions::None);
        m.finish(name, &[x], &[y], out);
    }
}

fn all_cases() -> Vec<Case> {
    let mut out = Vec::new();
    conv_cases(&mut out);
    depthwise_cases(&mut out);
    fc_cases(&mut out);
    binary_cases(&mut out);
    pool_cases(&mut out);
    mean_cases(&mut out);
    shape_cases(&mut out);
    activation_cases(&mut out);
    quantize_cases(&mut out);
    multi_io_case(&mut out);
    movement_cases(&mut out);
    transpose_conv_cases(&mut out);
    prelu_cases(&mut out);
    resize_bilinear_cases(&mut out);
    arg_cases(&mut out);
    slice_cases(&mut out);
    space_batch_cases(&mut out);
    cases_16x8(&mut out);
    elementwise_16_cases(&mut out);
    sigmoid_16_cases(&mut out);
    detection_cases(&mut out);
    out
}

/// TFLite_Detection_PostProcess: (name, boxes, classes, background class, max detections,
/// regular NMS, detections per class, score threshold, IoU threshold, int8 inputs through
/// DEQUANTIZE, 8-byte option values). Float inputs are uniform in [-1, 1]; int8 ones cover
/// their range and the dequantized scores land on 256 levels, so equal scores are common.
/// Anchors are constant boxes with heights and widths 0.15..0.45 around random centres, so
/// neighbours overlap and NMS suppresses. Fast-NMS cases keep `max_detections` below the
/// survivors: TFLM leaves the entries past `num_detections` untouched in that mode (stale
/// from the previous invoke), and patchwise writes zeros there.
fn detection_cases(out: &mut Vec<Case>) {
    type Det = (&'static str, i32, i32, bool, i32, bool, i32, f32, f32, bool, bool);
    let cases: [Det; 6] = [
        ("detection_postprocess_fast_f32", 24, 3, true, 3, false, 100, 0.3, 0.5, false, false),
        ("detection_postprocess_regular_f32", 24, 3, true, 20, true, 4, 0.6, 0.5, false, false),
        ("detection_postprocess_regular_f32_wide_options", 20, 2, false, 16, true, 3, 0.5, 0.3, false, true),
        ("detection_postprocess_fast_i8_ties", 30, 4, false, 5, false, 100, 0.25, 0.45, true, false),
        ("detection_postprocess_regular_i8_ties", 30, 3, true, 25, true, 3, 0.55, 0.4, true, false),
        ("detection_postprocess_regular_i8_few", 16, 2, true, 12, true, 100, 0.9, 0.6, true, false),
    ];
    for (name, n, classes, background, max_det, regular, per_class, score_t, iou_t, int8, wide) in cases {
        let mut m = Model::new(name);
        let cwb = classes + i32::from(background);
        let mut anchors = Vec::new();
        for _ in 0..n {
            let (y, x) = (m.rng.range_f32(0.0, 1.0), m.rng.range_f32(0.0, 1.0));
            let (h, w) = (m.rng.range_f32(0.15, 0.45), m.rng.range_f32(0.15, 0.45));
            anchors.extend_from_slice(&[y, x, h, w]);
        }
        let anchors = m.b.add_const_tensor(
            "anchors",
            &[n, 4],
            TensorType::Float32,
            None,
            patchwise::builder::f32_bytes(&anchors),
        );
        let (inputs, enc, scores) = if int8 {
            let qe = QuantSpec::per_tensor(0.05, 0);
            let qs = QuantSpec::per_tensor(1.0 / 256.0, -128);
            let e8 = m.int8("box_encodings_q", &[1, n, 4], &qe);
            let s8 = m.int8("class_predictions_q", &[1, n, cwb], &qs);
            let e = m.float("box_encodings", &[1, n, 4]);
            let s = m.float("class_predictions", &[1, n, cwb]);
            m.b.add_op(BuiltinOp::DEQUANTIZE, &[e8], &[e], OpOptions::Dequantize);
            m.b.add_op(BuiltinOp::DEQUANTIZE, &[s8], &[s], OpOptions::Dequantize);
            (vec![e8, s8], e, s)
        } else {
            let e = m.float("box_encodings", &[1, n, 4]);
            let s = m.float("class_predictions", &[1, n, cwb]);
            (vec![e, s], e, s)
        };
        let boxes = m.float("detection_boxes", &[1, max_det, 4]);
        let cls = m.float("detection_classes", &[1, max_det]);
        let sc = m.float("detection_scores", &[1, max_det]);
        let num = m.float("num_detections", &[1]);
        let mut o = FlexMap::new();
        o.int("max_detections", i64::from(max_det))
            .int("max_classes_per_detection", 1)
            .int("detections_per_class", i64::from(per_class))
            .bool("use_regular_nms", regular)
            .float("nms_score_threshold", score_t)
            .float("nms_iou_threshold", iou_t)
            .int("num_classes", i64::from(classes))
            .float("y_scale", 10.0)
            .float("x_scale", 10.0)
            .float("h_scale", 5.0)
            .float("w_scale", 5.0);
        let bytes = if wide { o.finish_wide() } else { o.finish() };
        m.b.add_custom_op_with_options(
            "TFLite_Detection_PostProcess",
            &[enc, scores, anchors],
            &[boxes, cls, sc, num],
            bytes,
        );
        m.finish(name, &inputs, &[boxes, cls, sc, num], out);
    }
}

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: gen_op_cases <out_dir>");
        std::process::exit(2);
    };
    let cases = all_cases();
    for c in &cases {
        let case_dir = Path::new(&dir).join(&c.name);
        std::fs::create_dir_all(&case_dir)?;
        std::fs::write(case_dir.join("model.tflite"), &c.model)?;
        println!("{}", c.name);
    }
    eprintln!("{} cases written to {dir}", cases.len());
    Ok(())
}
