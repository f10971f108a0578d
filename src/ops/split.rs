//! SPLIT, SPLIT_V and UNPACK: one input cut along an axis into several outputs.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::split::SplitParams;
use crate::schema::numbers::{split_options, unpack_options};
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Tensor};
use crate::tensor::LeI32s;

/// A validated split: the kernel parameters and the tensor it reads.
#[derive(Clone, Copy, Debug)]
pub struct SplitSpec {
    pub params: SplitParams,
    /// Tensor index of the input.
    pub input: usize,
}

/// A constant int32 axis tensor of one value, resolved against `rank`.
fn const_axis(c: &Ctx<'_>, t: &Tensor<'_>, rank: usize) -> Result<usize> {
    c.want(t, DType::I32)?;
    let data = t.data.ok_or(c.bad())?;
    let v = LeI32s::new(data);
    if t.elements() != 1 || v.len() != 1 {
        return Err(c.bad());
    }
    c.axis(v.get(0), rank)
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let n = c.op.num_outputs();
    let o = c.options()?;
    let (ti, input, axis, pieces) = match c.kind {
        OpKind::Split => {
            // Inputs: the axis (constant), then the tensor.
            if c.op.num_inputs() != 2 {
                return Err(c.bad());
            }
            let (_, axis_t) = c.input(0)?;
            let (ti, input) = c.input(1)?;
            let axis = const_axis(c, &axis_t, input.shape.rank())?;
            // TFLM splits into as many pieces as there are outputs (`num_splits` unread).
            opt_i32(o, split_options::NUM_SPLITS, 0)?;
            let len = input.shape.dim(axis);
            if n == 0 || len.checked_rem(n) != Some(0) {
                return Err(c.bad());
            }
            (ti, input, axis, Pieces::Equal(len.checked_div(n).ok_or(c.bad())?))
        }
        OpKind::SplitV => {
            // Inputs: the tensor, the sizes (constant), the axis (constant).
            if c.op.num_inputs() != 3 {
                return Err(c.bad());
            }
            let (ti, input) = c.input(0)?;
            let (_, sizes) = c.input(1)?;
            let (_, axis_t) = c.input(2)?;
            let axis = const_axis(c, &axis_t, input.shape.rank())?;
            opt_i32(o, split_options::NUM_SPLITS, 0)?;
            // TFLM takes each piece's size from its output's shape (the sizes tensor, which
            // may hold a -1, is not read).
            if !matches!(sizes.dtype, DType::I32 | DType::I64) || sizes.elements() != n || n == 0 {
                return Err(c.bad());
            }
            (ti, input, axis, Pieces::FromOutputs)
        }
        _ => {
            // UNPACK: one output per index along the axis, the axis dropped.
            c.arity(1..=1, n)?;
            let (ti, input) = c.input(0)?;
            let axis = c.axis(opt_i32(o, unpack_options::AXIS, 0)?, input.shape.rank())?;
            let num = opt_i32(o, unpack_options::NUM, 0)?;
            if usize::try_from(num).ok() != Some(n) || input.shape.dim(axis) != n {
                return Err(c.bad());
            }
            (ti, input, axis, Pieces::Unpack)
        }
    };
    c.want(&input, DType::I8)?;
    let params = c.k(SplitParams::new(input.shape, axis, n))?;
    // Every output: int8, the input's shape with the piece's size along the axis (UNPACK:
    // without the axis); the pieces cover the axis exactly.
    let mut covered = 0usize;
    for i in 0..n {
        let (_, out) = c.output(i)?;
        c.want(&out, DType::I8)?;
        let size = match pieces {
            Pieces::Equal(s) => s,
            Pieces::FromOutputs => out.shape.dim(axis),
            Pieces::Unpack => 1,
        };
        let ind = input.shape.dims();
        let outd = out.shape.dims();
        let ok = match pieces {
            Pieces::Unpack => {
                outd.len().checked_add(1) == Some(ind.len())
                    && ind.iter().enumerate().filter(|&(d, _)| d != axis).map(|(_, &v)| v).eq(outd.iter().copied())
            }
            _ => {
                outd.len() == ind.len()
                    && ind.iter().zip(outd).enumerate().all(|(d, (&a, &b))| if d == axis { b == size } else { a == b })
            }
        };
        if !ok {
            return Err(c.bad());
        }
        covered = covered.checked_add(size).ok_or(c.bad())?;
    }
    if covered != params.axis_len() {
        return Err(c.bad());
    }
    c.spec([Some(ti), None], Dataflow::Global, Params::Split(SplitSpec { params, input: ti }))
}

/// How the outputs' sizes along the axis are given.
#[derive(Clone, Copy)]
enum Pieces {
    Equal(usize),
    FromOutputs,
    Unpack,
}
