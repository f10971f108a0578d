//! ADD (int8, with fused activation and NumPy-style broadcasting), bit-exact with TFLM.
//!
//! Also home of [`Broadcast`], the broadcast plan shared with MUL.
//!
//! TFLM's int8 ADD brings both inputs to a common scale with 20 bits of headroom: each input
//! (minus its zero point) is shifted left by 20, scaled by `scale_i / (2 · max_scale)` (a Q31
//! multiplier below one), the two are summed, and the sum is scaled by
//! `2 · max_scale / (2^20 · output_scale)`, all with TFLM's two-rounding fixed-point multiply.
//! The multipliers are derived in double precision from the float scales.

use super::io::Io;
use crate::quant::{
    activation_range_i8, multiply_by_quantized_multiplier_smaller_than_one_exp, quantize_multiplier, Activation,
};
use crate::tensor::{Shape, MAX_RANK};
use crate::{Error, Result};

/// Elements an elementwise kernel computes before writing them (stack space, bytes).
pub(crate) const CHUNK: usize = 64;

/// Left shift TFLM applies to int8 ADD inputs before rescaling them.
const ADD_LEFT_SHIFT: i32 = 20;

/// A broadcast plan for an elementwise binary op over two inputs and one output.
///
/// Shapes are aligned at their last dimension (NumPy rules, ranks up to [`MAX_RANK`]; a
/// missing leading dimension counts as 1, a rank-0 shape is a scalar). In each aligned
/// dimension an input extent must equal the output extent or be 1, and an output extent above
/// 1 must come from at least one input (so the output is exactly the broadcast shape; empty
/// outputs are allowed and evaluate to nothing). Adjacent dimensions that broadcast the same
/// way are merged, so same-shape inputs become one flat loop and `[1,H,W,C] op [1,1,1,C]`
/// becomes a two-level loop. Results do not depend on the loop order (each output element is
/// computed independently), so this matches both of TFLM's paths (elementwise and
/// `BroadcastBinaryOpSimple`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Broadcast {
    /// Number of merged dimensions in use (0 when the output is empty or a single element).
    rank: u8,
    /// Merged extents, innermost first.
    extent: [usize; MAX_RANK],
    /// Element strides of input 1 per merged dimension (0 where it is broadcast).
    stride1: [usize; MAX_RANK],
    /// Element strides of input 2 per merged dimension (0 where it is broadcast).
    stride2: [usize; MAX_RANK],
    len1: usize,
    len2: usize,
    len_out: usize,
}

impl Broadcast {
    /// Plans `output = op(input1, input2)` for the given shapes.
    ///
    /// Errors with [`Error::InvalidArgument`] when the shapes are not broadcast-compatible
    /// with the output (see the type's docs).
    pub fn new(input1: Shape, input2: Shape, output: Shape) -> Result<Broadcast> {
        let rank = input1.rank().max(input2.rank()).max(output.rank());
        let mut plan = Broadcast {
            rank: 0,
            extent: [1; MAX_RANK],
            stride1: [0; MAX_RANK],
            stride2: [0; MAX_RANK],
            len1: input1.num_elements(),
            len2: input2.num_elements(),
            len_out: output.num_elements(),
        };
        // Element strides accumulated so far, innermost first.
        let (mut acc1, mut acc2) = (1usize, 1usize);
        // Broadcast pattern of the last merged dimension: (input 1 broadcast, input 2 broadcast).
        let mut last: Option<(bool, bool)> = None;
        let mut merged = 0usize;
        for back in 0..rank {
            let d1 = aligned_dim(&input1, back);
            let d2 = aligned_dim(&input2, back);
            let dout = aligned_dim(&output, back);
            // Each input extent is 1 or the output's, and a non-trivial output extent must
            // come from at least one input (an empty output accepts extents 0 and 1).
            let from_input = dout <= 1 || d1 == dout || d2 == dout;
            if (d1 != dout && d1 != 1) || (d2 != dout && d2 != 1) || !from_input {
                return Err(Error::InvalidArgument);
            }
            if dout == 1 {
                continue;
            }
            let pattern = (d1 == 1, d2 == 1);
            if last == Some(pattern) {
                // `last` is set once a dimension was merged: merged ≥ 1.
                let e = merged.checked_sub(1).and_then(|i| plan.extent.get_mut(i)).ok_or(Error::InvalidArgument)?;
                *e = e.saturating_mul(dout);
            } else {
                // At most `rank` ≤ MAX_RANK merged dimensions exist.
                let i = merged;
                if i >= MAX_RANK {
                    return Err(Error::InvalidArgument);
                }
                plan.extent[i] = dout;
                plan.stride1[i] = if pattern.0 { 0 } else { acc1 };
                plan.stride2[i] = if pattern.1 { 0 } else { acc2 };
                merged += 1;
                last = Some(pattern);
            }
            acc1 = acc1.saturating_mul(d1);
            acc2 = acc2.saturating_mul(d2);
        }
        plan.rank = merged as u8;
        Ok(plan)
    }

    /// Elements input 1 must hold.
    pub fn input1_len(&self) -> usize {
        self.len1
    }

    /// Elements input 2 must hold.
    pub fn input2_len(&self) -> usize {
        self.len2
    }

    /// Elements of the output.
    pub fn output_len(&self) -> usize {
        self.len_out
    }

    /// True when no input is broadcast (TFLM's plain elementwise path).
    pub fn is_elementwise(&self) -> bool {
        self.len1 == self.len_out && self.len2 == self.len_out
    }

    /// Runs `f(a, b)` for every output element, reading the plan's first and second inputs
    /// from `io` inputs 0 and 1. Returns `Err` (writing nothing) when a buffer is shorter
    /// than the plan requires; longer ones are fine (the tail is untouched).
    ///
    /// Output elements are produced in ascending order, in runs of up to [`CHUNK`]: a run's
    /// inputs are all read before any of its outputs is written, and the output written so
    /// far never extends past the run being read. So an input of the output's own shape may
    /// share the output's buffer at an offset at or after the output's.
    #[inline]
    pub(crate) fn run(&self, io: &mut Io<'_>, f: impl Fn(i8, i8) -> i8) -> Result<()> {
        if io.input_len(0) < self.len1 || io.input_len(1) < self.len2 || io.output_len() < self.len_out {
            return Err(Error::InvalidArgument);
        }
        if self.len_out == 0 {
            return Ok(());
        }
        // rank ≤ MAX_RANK by construction; `min` lets the compiler see it.
        let rank = (self.rank as usize).min(MAX_RANK);
        if rank == 0 {
            // Single output element.
            let v = f(io.get(0, 0), io.get(1, 0));
            io.set(0, v);
            return Ok(());
        }
        let n = self.extent[0];
        let (s1, s2) = (self.stride1[0], self.stride2[0]);
        let mut idx = [0usize; MAX_RANK];
        let (mut off1, mut off2, mut off_out) = (0usize, 0usize, 0usize);
        let mut res = [0i8; CHUNK];
        loop {
            let mut j = 0;
            while j < n {
                let m = CHUNK.min(n - j);
                let res = &mut res[..m];
                // Innermost strides are 0 (broadcast) or 1 (contiguous); both 0 cannot happen.
                match (s1, s2) {
                    (0, _) => {
                        let (a, b) = (io.get(0, off1), io.input(1, off2 + j, m));
                        for (o, &b) in res.iter_mut().zip(b) {
                            *o = f(a, b);
                        }
                    }
                    (_, 0) => {
                        let (a, b) = (io.input(0, off1 + j, m), io.get(1, off2));
                        for (o, &a) in res.iter_mut().zip(a) {
                            *o = f(a, b);
                        }
                    }
                    _ => {
                        let (a, b) = (io.input(0, off1 + j, m), io.input(1, off2 + j, m));
                        for ((o, &a), &b) in res.iter_mut().zip(a).zip(b) {
                            *o = f(a, b);
                        }
                    }
                }
                for (k, &v) in res.iter().enumerate() {
                    io.set(off_out + j + k, v);
                }
                j += m;
            }
            off_out += n;
            // Advance the odometer over the outer merged dimensions.
            let mut d = 1;
            loop {
                if d >= rank {
                    return Ok(());
                }
                idx[d] += 1;
                off1 += self.stride1[d];
                off2 += self.stride2[d];
                if idx[d] < self.extent[d] {
                    break;
                }
                off1 -= self.stride1[d] * self.extent[d];
                off2 -= self.stride2[d] * self.extent[d];
                idx[d] = 0;
                d += 1;
            }
        }
    }
}

impl Broadcast {
    /// Calls `f(output, input1, input2)` with the element indices of every output element, in
    /// ascending output order (for kernels over other element widths).
    pub(crate) fn for_each(&self, mut f: impl FnMut(usize, usize, usize)) {
        if self.len_out == 0 {
            return;
        }
        let rank = (self.rank as usize).min(MAX_RANK);
        if rank == 0 {
            f(0, 0, 0);
            return;
        }
        let (n, s1, s2) = (self.extent[0], self.stride1[0], self.stride2[0]);
        let mut idx = [0usize; MAX_RANK];
        let (mut off1, mut off2, mut out) = (0usize, 0usize, 0usize);
        loop {
            for j in 0..n {
                f(out + j, off1 + j * s1, off2 + j * s2);
            }
            out += n;
            let mut d = 1;
            loop {
                if d >= rank {
                    return;
                }
                idx[d] += 1;
                off1 += self.stride1[d];
                off2 += self.stride2[d];
                if idx[d] < self.extent[d] {
                    break;
                }
                off1 -= self.stride1[d] * self.extent[d];
                off2 -= self.stride2[d] * self.extent[d];
                idx[d] = 0;
                d += 1;
            }
        }
    }
}

/// Dimension `back` places from the end of `shape`; 1 past its rank (NumPy alignment).
fn aligned_dim(shape: &Shape, back: usize) -> usize {
    let r = shape.rank();
    if back < r {
        shape.dim(r - 1 - back)
    } else {
        1
    }
}

/// Checks a per-tensor int8 quantization: finite positive scale, zero point in int8 range.
pub(crate) fn check_quant_i8(scale: f32, zero_point: i32) -> Result<()> {
    if !(scale.is_finite() && scale > 0.0 && (-128..=127).contains(&zero_point)) {
        return Err(Error::InvalidArgument);
    }
    Ok(())
}

/// Prepared int8 ADD (TFLM `CalculateOpDataAdd` for an int8 output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddParams {
    input1_offset: i32,
    input2_offset: i32,
    output_offset: i32,
    input1_multiplier: i32,
    input1_shift: i32,
    input2_multiplier: i32,
    input2_shift: i32,
    output_multiplier: i32,
    output_shift: i32,
    act_min: i32,
    act_max: i32,
    broadcast: Broadcast,
}

impl AddParams {
    /// Prepares `output = act(input1 + input2)` on int8 tensors.
    ///
    /// Scales must be finite and positive, zero points in `-128..=127`, and the shapes
    /// broadcast-compatible with the output ([`Broadcast`]). Like TFLM, the output scale must
    /// be large enough that `2 · max(scale1, scale2) / (2^20 · output_scale) < 1`; otherwise
    /// (where TFLM aborts) this returns [`Error::InvalidArgument`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        input1_scale: f32,
        input1_zero_point: i32,
        input2_scale: f32,
        input2_zero_point: i32,
        output_scale: f32,
        output_zero_point: i32,
        activation: Activation,
        input1_shape: Shape,
        input2_shape: Shape,
        output_shape: Shape,
    ) -> Result<AddParams> {
        check_quant_i8(input1_scale, input1_zero_point)?;
        check_quant_i8(input2_scale, input2_zero_point)?;
        check_quant_i8(output_scale, output_zero_point)?;
        let broadcast = Broadcast::new(input1_shape, input2_shape, output_shape)?;

        // The larger input scale is picked in float, then everything runs in double.
        let twice_max_input_scale = 2.0 * input1_scale.max(input2_scale) as f64;
        let real1 = input1_scale as f64 / twice_max_input_scale;
        let real2 = input2_scale as f64 / twice_max_input_scale;
        let real_out = twice_max_input_scale / ((1i64 << ADD_LEFT_SHIFT) as f64 * output_scale as f64);
        let m1 = smaller_than_one(real1)?;
        let m2 = smaller_than_one(real2)?;
        let mo = smaller_than_one(real_out)?;
        let (act_min, act_max) = activation_range_i8(activation, output_scale, output_zero_point);
        Ok(AddParams {
            input1_offset: -input1_zero_point,
            input2_offset: -input2_zero_point,
            output_offset: output_zero_point,
            input1_multiplier: m1.0,
            input1_shift: m1.1,
            input2_multiplier: m2.0,
            input2_shift: m2.1,
            output_multiplier: mo.0,
            output_shift: mo.1,
            act_min,
            act_max,
            broadcast,
        })
    }

    /// The broadcast plan (slice lengths the eval expects).
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }

    #[inline(always)]
    fn add_one(&self, x: i8, y: i8) -> i8 {
        let a = (self.input1_offset + x as i32) * (1 << ADD_LEFT_SHIFT);
        let b = (self.input2_offset + y as i32) * (1 << ADD_LEFT_SHIFT);
        let a = multiply_by_quantized_multiplier_smaller_than_one_exp(a, self.input1_multiplier, self.input1_shift);
        let b = multiply_by_quantized_multiplier_smaller_than_one_exp(b, self.input2_multiplier, self.input2_shift);
        let raw =
            multiply_by_quantized_multiplier_smaller_than_one_exp(a + b, self.output_multiplier, self.output_shift)
                + self.output_offset;
        raw.max(self.act_min).min(self.act_max) as i8
    }
}

/// TFLM `QuantizeMultiplierSmallerThanOneExp`: `(multiplier, shift ≤ 0)` for a real in (0, 1).
pub(crate) fn smaller_than_one(real: f64) -> Result<(i32, i32)> {
    if !(real > 0.0 && real < 1.0) {
        return Err(Error::InvalidArgument);
    }
    let q = quantize_multiplier(real);
    if q.shift > 0 {
        return Err(Error::InvalidArgument);
    }
    Ok((q.multiplier, q.shift))
}

/// Int8 ADD: `output[i] = act(input1[…] + input2[…])` over the broadcast plan in `params`.
///
/// Tensors are dense row-major (NHWC for 4-D). `io` input 0 is `input1`, input 1 is `input2`;
/// they must hold at least [`Broadcast::input1_len`] and [`Broadcast::input2_len`] elements
/// and the output at least [`Broadcast::output_len`]; otherwise nothing is written and
/// [`Error::InvalidArgument`] is returned. Walks forward only (ascending output index): an
/// input with the output's shape (not a broadcast one) may share the output's buffer when the
/// output starts at or before it.
pub fn add_s8(params: &AddParams, io: &mut Io<'_>) -> Result<()> {
    params.broadcast.run(io, |a, b| params.add_one(a, b))
}

/// ADD of two same-shape operands element by element, over matching parts of both (the rows
/// of a residual ADD inside a fused segment): `out[i] = a[i] + b[i]`, the slices of one length.
pub fn add_same_shape_s8(params: &AddParams, a: &[i8], b: &[i8], out: &mut [i8]) -> Result<()> {
    if a.len() != out.len() || b.len() != out.len() {
        return Err(Error::InvalidArgument);
    }
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = params.add_one(x, y);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ADD over separate buffers.
    fn add(p: &AddParams, a: &[i8], b: &[i8], out: &mut [i8]) -> Result<()> {
        add_s8(p, &mut Io::split2(a, b, out))
    }

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn params(s1: f32, z1: i32, s2: f32, z2: i32, so: f32, zo: i32, act: Activation, n: usize) -> AddParams {
        AddParams::new(s1, z1, s2, z2, so, zo, act, shape(&[n]), shape(&[n]), shape(&[n])).unwrap()
    }

    #[test]
    fn multipliers_match_tflm_prepare() {
        // Equal scales: each input multiplier is exactly 0.5 (Q31 2^30, shift 0); output is
        // 2·s/(2^20·s) = 2^-19 → (2^30, -18).
        let p = params(0.5, 0, 0.5, 0, 0.5, 0, Activation::None, 1);
        assert_eq!((p.input1_multiplier, p.input1_shift), (1 << 30, 0));
        assert_eq!((p.input2_multiplier, p.input2_shift), (1 << 30, 0));
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, -18));
        // Scales 0.25 and 1.0: input 1 gets 0.125 → (2^30, -2).
        let p = params(0.25, 0, 1.0, 0, 1.0, 0, Activation::None, 1);
        assert_eq!((p.input1_multiplier, p.input1_shift), (1 << 30, -2));
        assert_eq!((p.input2_multiplier, p.input2_shift), (1 << 30, 0));
    }

    #[test]
    fn same_scale_adds_exactly_and_saturates() {
        // With all scales equal and zero points 0: a·2^20 · 0.5 = a·2^19, sum (a+b)·2^19,
        // times 2^-19 → a+b exactly, clamped to int8.
        let p = params(0.5, 0, 0.5, 0, 0.5, 0, Activation::None, 5);
        let a = [1i8, -3, 100, -100, 127];
        let b = [2i8, 1, 100, -100, -127];
        let mut out = [0i8; 5];
        add(&p, &a, &b, &mut out).unwrap();
        assert_eq!(out, [3, -2, 127, -128, 0]);
    }

    #[test]
    fn rounding_ties_go_away_from_zero() {
        // Output scale twice the input scale: result (a+b)/2, ties rounded away from zero.
        // Output multiplier 2·0.5/(2^20·1.0) = 2^-20 → (2^30, -19); sum raw (a+b)·2^19;
        // SRDHM by 2^30 halves it exactly → (a+b)·2^18; rounding divide by 2^19 → (a+b)/2.
        let p = params(0.5, 0, 0.5, 0, 1.0, 0, Activation::None, 4);
        let a = [1i8, -1, 2, -3];
        let b = [0i8, 0, 1, 0];
        let mut out = [0i8; 4];
        add(&p, &a, &b, &mut out).unwrap();
        // 0.5 → 1, -0.5 → -1, 1.5 → 2, -1.5 → -2
        assert_eq!(out, [1, -1, 2, -2]);
    }

    #[test]
    fn zero_points_and_relu() {
        // Input zero points 10 and -5, output zero point -20, equal scales 1.0, ReLU: the
        // activation floor is quantize(0) = -20.
        let p = params(1.0, 10, 1.0, -5, 1.0, -20, Activation::Relu, 3);
        let a = [10i8, 0, 127];
        let b = [-5i8, -5, 100];
        let mut out = [0i8; 3];
        add(&p, &a, &b, &mut out).unwrap();
        // real sums: 0 → -20; -10 → clamped to -20; 117+105=222 → 202 → 127
        assert_eq!(out, [-20, -20, 127]);
    }

    #[test]
    fn relu6_clamps_in_output_quantization() {
        // Output scale 0.1, zp 0: Relu6 range [0, 60].
        let p = params(0.1, 0, 0.1, 0, 0.1, 0, Activation::Relu6, 3);
        let mut out = [0i8; 3];
        add(&p, &[40, -40, 20], &[30, 10, 5], &mut out).unwrap();
        assert_eq!(out, [60, 0, 25]);
    }

    #[test]
    fn broadcast_channel_vector() {
        // [1,2,2,3] + [1,1,1,3], unit scales.
        let p = AddParams::new(
            1.0,
            0,
            1.0,
            0,
            1.0,
            0,
            Activation::None,
            shape(&[1, 2, 2, 3]),
            shape(&[1, 1, 1, 3]),
            shape(&[1, 2, 2, 3]),
        )
        .unwrap();
        let a: [i8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        let b = [100i8, 0, -100];
        let mut out = [0i8; 12];
        add(&p, &a, &b, &mut out).unwrap();
        assert_eq!(out, [100, 1, -98, 103, 4, -95, 106, 7, -92, 109, 10, -89]);
        // Swapped operands give the same sums.
        let p = AddParams::new(
            1.0,
            0,
            1.0,
            0,
            1.0,
            0,
            Activation::None,
            shape(&[3]),
            shape(&[1, 2, 2, 3]),
            shape(&[1, 2, 2, 3]),
        )
        .unwrap();
        let mut out2 = [0i8; 12];
        add(&p, &b, &a, &mut out2).unwrap();
        assert_eq!(out, out2);
    }

    #[test]
    fn broadcast_scalar_and_both_sides() {
        let p = AddParams::new(1.0, 0, 1.0, 0, 1.0, 0, Activation::None, shape(&[2, 3]), shape(&[]), shape(&[2, 3]))
            .unwrap();
        let mut out = [0i8; 6];
        add(&p, &[1, 2, 3, 4, 5, 6], &[10], &mut out).unwrap();
        assert_eq!(out, [11, 12, 13, 14, 15, 16]);
        // [2,1] + [1,3] → [2,3]: both inputs broadcast.
        let p =
            AddParams::new(1.0, 0, 1.0, 0, 1.0, 0, Activation::None, shape(&[2, 1]), shape(&[1, 3]), shape(&[2, 3]))
                .unwrap();
        add(&p, &[10, 20], &[1, 2, 3], &mut out).unwrap();
        assert_eq!(out, [11, 12, 13, 21, 22, 23]);
        // [2,1,3] + [1,2,1] → [2,2,3]
        let p = AddParams::new(
            1.0,
            0,
            1.0,
            0,
            1.0,
            0,
            Activation::None,
            shape(&[2, 1, 3]),
            shape(&[1, 2, 1]),
            shape(&[2, 2, 3]),
        )
        .unwrap();
        let mut out = [0i8; 12];
        add(&p, &[0, 1, 2, 10, 11, 12], &[100, -100], &mut out).unwrap();
        assert_eq!(out, [100, 101, 102, -100, -99, -98, 110, 111, 112, -90, -89, -88]);
    }

    #[test]
    fn broadcast_plan_merges_dims() {
        let b = Broadcast::new(shape(&[1, 4, 5, 8]), shape(&[1, 1, 1, 8]), shape(&[1, 4, 5, 8])).unwrap();
        assert_eq!(b.rank, 2);
        assert_eq!(&b.extent[..2], &[8, 20]);
        assert_eq!(&b.stride2[..2], &[1, 0]);
        let b = Broadcast::new(shape(&[2, 3, 4]), shape(&[2, 3, 4]), shape(&[2, 3, 4])).unwrap();
        assert_eq!((b.rank, b.extent[0]), (1, 24));
        assert!(b.is_elementwise());
        let b = Broadcast::new(shape(&[4]), shape(&[1, 4]), shape(&[1, 4])).unwrap();
        assert!(b.is_elementwise());
        let b = Broadcast::new(shape(&[1]), shape(&[1, 1]), shape(&[1, 1])).unwrap();
        assert_eq!(b.rank, 0);
    }

    #[test]
    fn rejects_bad_shapes_and_quant() {
        let s = |d: &[usize]| shape(d);
        assert!(Broadcast::new(s(&[2, 3]), s(&[3, 3]), s(&[3, 3])).is_err());
        assert!(Broadcast::new(s(&[2, 3]), s(&[1, 3]), s(&[4, 3])).is_err());
        assert!(Broadcast::new(s(&[1, 3]), s(&[1, 3]), s(&[2, 3])).is_err());
        assert!(Broadcast::new(s(&[2, 3]), s(&[1]), s(&[1, 3])).is_err());
        // Empty tensors broadcast like NumPy and evaluate to nothing.
        let b = Broadcast::new(s(&[0, 3]), s(&[1, 3]), s(&[0, 3])).unwrap();
        assert_eq!((b.input1_len(), b.input2_len(), b.output_len()), (0, 3, 0));
        assert!(b.run(&mut Io::split2(&[], &[1, 2, 3], &mut []), |a, b| a + b).is_ok());
        let a = s(&[1]);
        assert!(AddParams::new(0.0, 0, 1.0, 0, 1.0, 0, Activation::None, a, a, a).is_err());
        assert!(AddParams::new(1.0, 128, 1.0, 0, 1.0, 0, Activation::None, a, a, a).is_err());
        // Output scale so small the output multiplier reaches 1: TFLM aborts, we refuse.
        assert!(AddParams::new(1.0, 0, 1.0, 0, 1.0 / (1u32 << 20) as f32, 0, Activation::None, a, a, a).is_err());
    }

    #[test]
    fn short_slices_are_refused() {
        let p = params(1.0, 0, 1.0, 0, 1.0, 0, Activation::None, 4);
        let mut out = [0i8; 4];
        assert!(add(&p, &[1, 2, 3], &[1, 2, 3, 4], &mut out).is_err());
        assert_eq!(out, [0; 4]);
    }
}
