//! AVERAGE_POOL_2D and MAX_POOL_2D.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::pooling::{check_pool_quantization, PoolParams};
use crate::quant::activation_range_i8;
use crate::schema::numbers::pool_2d_options;
use crate::schema::opcodes::OpKind;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(1..=1, 1)?;
    let o = c.options()?;
    use pool_2d_options as f;
    let pad = c.padding(o, f::PADDING)?;
    let sw = c.positive(opt_i32(o, f::STRIDE_W, 0)?)?;
    let sh = c.positive(opt_i32(o, f::STRIDE_H, 0)?)?;
    let fw = c.positive(opt_i32(o, f::FILTER_WIDTH, 0)?)?;
    let fh = c.positive(opt_i32(o, f::FILTER_HEIGHT, 0)?)?;
    let act = c.activation(o, f::FUSED_ACTIVATION_FUNCTION)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    let (is, iz) = c.q8(&input)?;
    let (os, oz) = c.q8(&output)?;
    c.k(check_pool_quantization(is, iz, os, oz))?;
    let (lo, hi) = activation_range_i8(act, os, oz);
    let (ind, outd) = (c.dims4(&input)?, c.dims4(&output)?);
    let p = c.k(PoolParams::new(pad, fh, fw, sh, sw, ind, outd, lo, hi))?;
    let params = if c.kind == OpKind::AveragePool2d { Params::AveragePool(p) } else { Params::MaxPool(p) };
    c.spec([Some(ti), None], Dataflow::Window { input: ti }, params)
}
