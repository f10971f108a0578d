//! SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (rank 3 or 4; constant int32 block shape and
//! paddings or crops).

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::space_batch::SpaceBatchParams;
use crate::schema::opcodes::OpKind;
use crate::schema::{DType, Tensor};
use crate::tensor::{Dims4, LeI32s};

/// The NHWC view TFLM takes: rank 4 as is, rank 3 `[n, h, c]` as `[n, h, 1, c]`.
fn view(c: &Ctx<'_>, t: &Tensor<'_>) -> Result<Dims4> {
    match *t.shape.dims() {
        [n, h, w, ch] => Ok(Dims4 { n, h, w, c: ch }),
        [n, h, ch] => Ok(Dims4 { n, h, w: 1, c: ch }),
        _ => Err(c.bad()),
    }
}

/// Non-negative constant int32 values of `t`, `n` of them.
fn values<const N: usize>(c: &Ctx<'_>, t: &Tensor<'_>, n: usize) -> Result<[usize; N]> {
    c.want(t, DType::I32)?;
    let v = LeI32s::new(t.data.ok_or(c.bad())?);
    if v.len() != n || t.elements() != n {
        return Err(c.bad());
    }
    let mut out = [0usize; N];
    for (i, slot) in out.iter_mut().enumerate().take(n) {
        *slot = usize::try_from(v.get(i)).map_err(|_| c.bad())?;
    }
    Ok(out)
}

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(3..=3, 1)?;
    c.options()?;
    let (ti, input) = c.input(0)?;
    let (_, block) = c.input(1)?;
    let (_, pads) = c.input(2)?;
    let (_, output) = c.output(0)?;
    c.want(&input, DType::I8)?;
    c.want(&output, DType::I8)?;
    let rank = input.shape.rank();
    if output.shape.rank() != rank {
        return Err(c.bad());
    }
    let (x, y) = (view(c, &input)?, view(c, &output)?);
    // Rank 4: block [bh, bw], pads [[t, b], [l, r]]; rank 3: block [bh], pads [[t, b]].
    let (spatial, pad_values) = if rank == 4 { (2, 4) } else { (1, 2) };
    let b: [usize; 2] = values(c, &block, spatial)?;
    let p: [usize; 4] = values(c, &pads, pad_values)?;
    let (block, lead_trail) = if rank == 4 { (b, p) } else { ([b[0], 1], [p[0], p[1], 0, 0]) };
    let params = if c.kind == OpKind::SpaceToBatchNd {
        // TFLM's micro kernel pads with a value its Prepare never sets (0 in a fresh arena).
        c.k(SpaceBatchParams::to_batch(x, y, block, lead_trail, 0))?
    } else {
        c.k(SpaceBatchParams::to_space(x, y, block, lead_trail))?
    };
    c.spec([Some(ti), None], Dataflow::Global, Params::SpaceBatch(params))
}
