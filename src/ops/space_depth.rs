//! SPACE_TO_DEPTH and DEPTH_TO_SPACE: NHWC rearrangements as six-dimensional strided walks.

use super::{opt_i32, Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::strided_copy::StridedCopy;
use crate::schema::numbers::block_size_options;
use crate::schema::opcodes::OpKind;
use crate::schema::DType;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(1..=1, 1)?;
    let bs = opt_i32(c.options()?, block_size_options::BLOCK_SIZE, 0)?;
    let (ti, input) = c.input(0)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    let (x, y) = (c.dims4(&input)?, c.dims4(&output)?);
    let b = usize::try_from(bs).ok().filter(|&b| b > 0).ok_or(c.bad_options())?;
    let mul = |a: usize, k: usize| a.checked_mul(k).ok_or(c.bad());
    // Strides of a verified tensor (below 2^31 elements) do not saturate; the walk is
    // bounds-checked against the input anyway.
    let m = |a: isize, k: isize| a.saturating_mul(k);
    let walk = if c.kind == OpKind::SpaceToDepth {
        // Output [n, h/b, w/b, b·b·c]: out channel (dy·b + dx)·c + ch reads input
        // (y·b + dy, x·b + dx, ch).
        if mul(y.h, b)? != x.h || mul(y.w, b)? != x.w || mul(mul(x.c, b)?, b)? != y.c || x.n != y.n {
            return Err(c.bad());
        }
        let (w, ch, bi) = (x.w as isize, x.c as isize, b as isize);
        let shape = [x.n, y.h, y.w, b, b, x.c];
        let strides = [m(m(x.h as isize, w), ch), m(m(bi, w), ch), m(bi, ch), m(w, ch), ch, 1];
        StridedCopy::new(&shape, &strides, 0, x.len())
    } else {
        // Output [n, h·b, w·b, c/(b·b)]: pixel (y·b + dy, x·b + dx), channel ch reads input
        // (y, x, (dy·b + dx)·oc + ch).
        if mul(x.h, b)? != y.h || mul(x.w, b)? != y.w || mul(mul(y.c, b)?, b)? != x.c || x.n != y.n {
            return Err(c.bad());
        }
        let (w, ch, oc, bi) = (x.w as isize, x.c as isize, y.c as isize, b as isize);
        let shape = [y.n, x.h, b, x.w, b, y.c];
        let strides = [m(m(x.h as isize, w), ch), m(w, ch), m(bi, oc), ch, oc, 1];
        StridedCopy::new(&shape, &strides, 0, x.len())
    };
    c.spec([Some(ti), None], Dataflow::Global, Params::Walk(c.k(walk)?))
}
