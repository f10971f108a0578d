//! CONCATENATION for int8 tensors, bit-exact with TFLM's reference concatenation.
//!
//! TFLM's int8 concatenation never rescales: every input must carry exactly the output's scale
//! and zero point, the fused activation must be NONE, there are at most 10 inputs and ranks up
//! to 6. The op is a sequence of block copies.

use crate::quant::Activation;
use crate::slices::{span, span_mut};
use crate::tensor::{Shape, MAX_RANK};
use crate::{Error, Result};

/// Most inputs TFLM's concatenation accepts.
pub const CONCAT_MAX_INPUTS: usize = 10;

/// One concatenation input as seen by prepare: its shape and quantization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConcatInput {
    pub shape: Shape,
    pub scale: f32,
    pub zero_point: i32,
}

/// Prepared parameters of an int8 CONCATENATION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConcatParams {
    /// Number of inputs (1..=[`CONCAT_MAX_INPUTS`]).
    inputs: usize,
    /// The concatenation axis, resolved to `0..rank`.
    axis: usize,
    /// Product of the output dimensions before `axis`.
    outer: usize,
    /// Elements each input contributes per outer step: `input.dim(axis) × inner size`.
    block: [usize; CONCAT_MAX_INPUTS],
    /// Output element count.
    output_len: usize,
}

impl ConcatParams {
    /// Number of inputs [`concatenation_s8`] expects.
    pub fn num_inputs(&self) -> usize {
        self.inputs
    }
    /// Concatenation axis resolved to `0..rank`.
    pub fn axis(&self) -> usize {
        self.axis
    }
    /// Output element count.
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// TFLM's concatenation Prepare for int8.
    ///
    /// - `axis`: the option value; negative counts from the end of the output rank.
    /// - `activation`: must be [`Activation::None`] (TFLM refuses any fused activation).
    /// - `inputs`: 1..=10 inputs, each of the output's rank (1..=6), equal to the output in
    ///   every dimension except `axis`, with scale and zero point exactly equal to the output's.
    /// - `output`: the output shape; its `axis` dimension is the sum of the inputs'.
    ///
    /// Errors with [`Error::InvalidArgument`] otherwise.
    pub fn new(
        axis: i32,
        activation: Activation,
        inputs: &[ConcatInput],
        output: Shape,
        output_scale: f32,
        output_zero_point: i32,
    ) -> Result<ConcatParams> {
        if activation != Activation::None || inputs.is_empty() || inputs.len() > CONCAT_MAX_INPUTS {
            return Err(Error::InvalidArgument);
        }
        let rank = output.rank();
        if rank == 0 || rank > MAX_RANK {
            return Err(Error::InvalidArgument);
        }
        let resolved = if axis < 0 { axis as i64 + rank as i64 } else { axis as i64 };
        if resolved < 0 || resolved >= rank as i64 {
            return Err(Error::InvalidArgument);
        }
        let axis = resolved as usize;
        let outer: usize = output.dims()[..axis].iter().product();
        let inner: usize = output.dims()[axis + 1..].iter().product();
        let mut block = [0usize; CONCAT_MAX_INPUTS];
        let mut axis_total = 0usize;
        for (inp, slot) in inputs.iter().zip(block.iter_mut()) {
            // Exact equality (NaN fails), as TFLM compares the scales.
            if inp.scale != output_scale || inp.zero_point != output_zero_point {
                return Err(Error::InvalidArgument);
            }
            if inp.shape.rank() != rank {
                return Err(Error::InvalidArgument);
            }
            for d in 0..rank {
                if d != axis && inp.shape.dim(d) != output.dim(d) {
                    return Err(Error::InvalidArgument);
                }
            }
            let a = inp.shape.dim(axis);
            axis_total = axis_total.checked_add(a).ok_or(Error::InvalidArgument)?;
            *slot = a.checked_mul(inner).ok_or(Error::InvalidArgument)?;
        }
        if axis_total != output.dim(axis) {
            return Err(Error::InvalidArgument);
        }
        Ok(ConcatParams { inputs: inputs.len(), axis, outer, block, output_len: output.num_elements() })
    }
}

/// CONCATENATION, int8, row-major tensors.
///
/// For each outer index (product of the dimensions before the axis), copies one block from each
/// input in order. Along NHWC's channel axis this interleaves per pixel; along H it appends
/// whole images, so output rows are produced top to bottom.
///
/// Preconditions: `inputs.len() == params.num_inputs()`, each `inputs[i]` holds at least the
/// element count of input `i`'s shape, `output.len() ≥ params.output_len()`; otherwise nothing
/// is written.
pub fn concatenation_s8(p: &ConcatParams, inputs: &[&[i8]], output: &mut [i8]) {
    if inputs.len() != p.inputs || output.len() < p.output_len {
        return;
    }
    for (inp, &blk) in inputs.iter().zip(p.block.iter()) {
        if inp.len() < p.outer * blk {
            return;
        }
    }
    let mut pos = 0usize;
    for k in 0..p.outer {
        for (inp, &blk) in inputs.iter().zip(p.block.iter()) {
            // In range by the checks above; `get` keeps the copy panic-free regardless.
            let (Some(dst), Some(src)) = (span_mut(output, pos, blk), span(inp, k * blk, blk)) else { return };
            dst.copy_from_slice(src);
            pos += blk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inp(d: &[usize]) -> ConcatInput {
        ConcatInput { shape: Shape::new(d).unwrap(), scale: 0.5, zero_point: -1 }
    }

    fn shape(d: &[usize]) -> Shape {
        Shape::new(d).unwrap()
    }

    #[test]
    fn channel_axis_interleaves() {
        // [1,1,2,1] ++ [1,1,2,2] on axis -1 -> [1,1,2,3].
        let p = ConcatParams::new(
            -1,
            Activation::None,
            &[inp(&[1, 1, 2, 1]), inp(&[1, 1, 2, 2])],
            shape(&[1, 1, 2, 3]),
            0.5,
            -1,
        )
        .unwrap();
        assert_eq!(p.axis, 3);
        let a = [1i8, 2];
        let b = [10i8, 11, 20, 21];
        let mut out = [0i8; 6];
        concatenation_s8(&p, &[&a, &b], &mut out);
        assert_eq!(out, [1, 10, 11, 2, 20, 21]);
    }

    #[test]
    fn width_axis() {
        // [1,2,1,2] ++ [1,2,2,2] on axis 2 -> [1,2,3,2].
        let p = ConcatParams::new(
            2,
            Activation::None,
            &[inp(&[1, 2, 1, 2]), inp(&[1, 2, 2, 2])],
            shape(&[1, 2, 3, 2]),
            0.5,
            -1,
        )
        .unwrap();
        let a = [1i8, 2, 3, 4];
        let b = [10i8, 11, 12, 13, 20, 21, 22, 23];
        let mut out = [0i8; 12];
        concatenation_s8(&p, &[&a, &b], &mut out);
        assert_eq!(out, [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23]);
    }

    #[test]
    fn three_inputs_axis_zero() {
        let p = ConcatParams::new(
            0,
            Activation::None,
            &[inp(&[1, 2]), inp(&[2, 2]), inp(&[1, 2])],
            shape(&[4, 2]),
            0.5,
            -1,
        )
        .unwrap();
        let mut out = [0i8; 8];
        concatenation_s8(&p, &[&[1, 2], &[3, 4, 5, 6], &[7, 8]], &mut out);
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn rejects_what_tflm_rejects() {
        let out = shape(&[1, 1, 2, 3]);
        let ok = [inp(&[1, 1, 2, 1]), inp(&[1, 1, 2, 2])];
        assert!(ConcatParams::new(3, Activation::Relu, &ok, out, 0.5, -1).is_err());
        assert!(ConcatParams::new(3, Activation::None, &ok, out, 0.5, 0).is_err());
        assert!(ConcatParams::new(3, Activation::None, &ok, out, 0.25, -1).is_err());
        assert!(ConcatParams::new(4, Activation::None, &ok, out, 0.5, -1).is_err());
        assert!(ConcatParams::new(-5, Activation::None, &ok, out, 0.5, -1).is_err());
        let mut differing = ok;
        differing[1].scale = 0.5000001;
        assert!(ConcatParams::new(3, Activation::None, &differing, out, 0.5, -1).is_err());
        // Other dims must match; the axis sum must match.
        assert!(
            ConcatParams::new(3, Activation::None, &[inp(&[1, 1, 1, 1]), inp(&[1, 1, 2, 2])], out, 0.5, -1).is_err()
        );
        assert!(
            ConcatParams::new(3, Activation::None, &[inp(&[1, 1, 2, 1]), inp(&[1, 1, 2, 1])], out, 0.5, -1).is_err()
        );
        let many = [inp(&[1, 1, 2, 1]); 11];
        assert!(ConcatParams::new(3, Activation::None, &many, shape(&[1, 1, 2, 11]), 0.5, -1).is_err());
        assert!(ConcatParams::new(3, Activation::None, &many[..10], shape(&[1, 1, 2, 10]), 0.5, -1).is_ok());
    }
}
