//! PAD and PADV2 (when not folded into the next convolution).

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::pad::{pad_value_for_pad, pad_value_for_padv2, PadParams};
use crate::schema::opcodes::OpKind;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    let v2 = c.kind == OpKind::PadV2;
    c.arity(if v2 { 3..=3 } else { 2..=3 }, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, paddings) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    let (os, oz) = c.q8(&output)?;
    let pads = paddings.data.ok_or(c.bad())?;
    if paddings.dtype != DType::I32 && paddings.dtype != DType::I64 {
        return Err(c.bad());
    }
    let value = match c.opt_input(2)? {
        Some((_, cv)) => {
            let (cs, cz) = c.q8(&cv)?;
            let &[value] = cv.data.ok_or(c.bad())? else { return Err(c.bad()) };
            c.k(pad_value_for_padv2(os, oz, cs, cz, value as i8))?
        }
        None => c.k(pad_value_for_pad(oz))?,
    };
    let p = c.k(PadParams::new(input.shape, output.shape, LeI32s::new(pads), value))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::Pad(p))
}
