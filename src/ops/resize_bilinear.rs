//! RESIZE_BILINEAR.

use super::{opt_bool, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::resize_bilinear::ResizeBilinearParams;
use crate::schema::numbers::resize_bilinear_options as f;
use crate::schema::DType;
use crate::tensor::LeI32s;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(2..=2, 1)?;
    let o = c.options()?;
    let align = opt_bool(o, f::ALIGN_CORNERS)?;
    let half = opt_bool(o, f::HALF_PIXEL_CENTERS)?;
    let (ti, input) = c.input(0)?;
    let (_, size) = c.input(1)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    c.want(&size, DType::I32)?;
    // TFLM requires a constant size of two values; the output takes that size.
    let sz = LeI32s::new(size.data.ok_or(c.bad())?);
    let (x, y) = (c.dims4(&input)?, c.dims4(&output)?);
    if size.shape.rank() != 1 || sz.len() != 2 || [sz.get(0), sz.get(1)] != [y.h as i32, y.w as i32] {
        return Err(c.bad());
    }
    let p = c.k(ResizeBilinearParams::new(x, y, align, half))?;
    c.spec([Some(ti), None], Dataflow::Global, Params::ResizeBilinear(p))
}
