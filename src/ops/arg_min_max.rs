//! ARG_MAX and ARG_MIN (float32 or int8 input, int32 output, constant int32 axis).

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::arg_min_max::ArgParams;
use crate::schema::numbers::arg_options;
use crate::schema::opcodes::OpKind;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    // TFLM computes from the output tensor's type (int32 only); `output_type` is not read.
    c.options()?.map_or(Ok(0), |t| t.i8(arg_options::OUTPUT_TYPE, 0))?;
    let (ti, input) = c.input(0)?;
    let (_, axis) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&output, DType::I32)?;
    let float = match input.dtype {
        DType::F32 => true,
        DType::I8 => false,
        _ => return Err(c.bad()),
    };
    c.want(&axis, DType::I32)?;
    let a = LeI32s::new(axis.data.ok_or(c.bad())?);
    if a.is_empty() {
        return Err(c.bad());
    }
    let axis = c.axis(a.get(0), input.shape.rank())?;
    let maximum = c.kind == OpKind::ArgMax;
    let p = c.k(ArgParams::new(input.shape.dims(), output.shape.dims(), axis, maximum, float))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Arg(p))
}
