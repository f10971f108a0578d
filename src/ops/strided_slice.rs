//! STRIDED_SLICE.

use super::{opt_bool, opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::strided_slice::{strided_slice, SliceMasks};
use crate::schema::numbers::strided_slice_options as f;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(4..=4, 1)?;
    let o = c.options()?;
    let m = SliceMasks {
        begin: opt_i32(o, f::BEGIN_MASK, 0)?,
        end: opt_i32(o, f::END_MASK, 0)?,
        shrink: opt_i32(o, f::SHRINK_AXIS_MASK, 0)?,
    };
    // TFLM's micro kernel reads but ignores these (its params are zeroed).
    opt_i32(o, f::ELLIPSIS_MASK, 0)?;
    opt_i32(o, f::NEW_AXIS_MASK, 0)?;
    opt_bool(o, f::OFFSET)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    let mut consts = [LeI32s::new(&[]); 3];
    for (i, v) in (1..).zip(consts.iter_mut()) {
        let (_, t) = c.input(i)?;
        c.want(&t, DType::I32)?;
        *v = LeI32s::new(t.data.ok_or(c.bad())?);
    }
    let [b, e, s] = consts;
    let walk = c.k(strided_slice(input.shape, output.shape, b, e, s, m))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Walk(walk))
}
