//! SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (int8, NHWC or NHC), as TFLM's reference kernels:
//! spatial blocks moved into (or back out of) the batch dimension, with padding (or crops) at
//! the top and left given explicitly and at the bottom and right implied by the shapes.
//!
//! SPACE_TO_BATCH_ND fills its padding with a `pad_value`. TFLM's micro kernel takes it from a
//! parameter block its Prepare never writes: in a fresh arena it reads 0, not the output zero
//! point TFLite uses, so the padding holds the raw value 0 there. The spec passes what TFLM
//! computes with (see `ops/space_batch.rs`).

use crate::tensor::Dims4;
use crate::{Error, Result};

/// Prepared SPACE_TO_BATCH_ND or BATCH_TO_SPACE_ND on NHWC views (a rank-3 tensor is
/// `[n, h, 1, c]`, with a block and padding of 1 and 0 along the width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpaceBatchParams {
    input: Dims4,
    output: Dims4,
    /// Block `[h, w]`.
    block: [usize; 2],
    /// Leading padding (SPACE_TO_BATCH_ND) or crop (BATCH_TO_SPACE_ND), `[top, left]`.
    lead: [usize; 2],
    /// SPACE_TO_BATCH_ND (else BATCH_TO_SPACE_ND).
    to_batch: bool,
    pad_value: i8,
}

impl SpaceBatchParams {
    /// SPACE_TO_BATCH_ND: `output = [n·bh·bw, (h + pt + pb)/bh, (w + pl + pr)/bw, c]`, the
    /// padded extents multiples of the block. `pad = [top, bottom, left, right]`.
    pub fn to_batch(input: Dims4, output: Dims4, block: [usize; 2], pad: [usize; 4], pad_value: i8) -> Result<Self> {
        let [bh, bw] = block;
        let [pt, pb, pl, pr] = pad;
        let ph = input.h.checked_add(pt).and_then(|v| v.checked_add(pb)).ok_or(Error::InvalidArgument)?;
        let pw = input.w.checked_add(pl).and_then(|v| v.checked_add(pr)).ok_or(Error::InvalidArgument)?;
        let ok = bh > 0
            && bw > 0
            && ph % bh == 0
            && pw % bw == 0
            && output.h == ph / bh
            && output.w == pw / bw
            && input.n.checked_mul(bh).and_then(|v| v.checked_mul(bw)) == Some(output.n)
            && input.c == output.c;
        if !ok {
            return Err(Error::InvalidArgument);
        }
        Ok(SpaceBatchParams { input, output, block, lead: [pt, pl], to_batch: true, pad_value })
    }

    /// BATCH_TO_SPACE_ND: `output = [n/(bh·bw), h·bh − ct − cb, w·bw − cl − cr, c]`.
    /// `crop = [top, bottom, left, right]`.
    pub fn to_space(input: Dims4, output: Dims4, block: [usize; 2], crop: [usize; 4]) -> Result<Self> {
        let [bh, bw] = block;
        let [ct, cb, cl, cr] = crop;
        let full_h = input.h.checked_mul(bh).ok_or(Error::InvalidArgument)?;
        let full_w = input.w.checked_mul(bw).ok_or(Error::InvalidArgument)?;
        let ok = bh > 0
            && bw > 0
            && ct.checked_add(cb).and_then(|c| full_h.checked_sub(c)) == Some(output.h)
            && cl.checked_add(cr).and_then(|c| full_w.checked_sub(c)) == Some(output.w)
            && output.n.checked_mul(bh).and_then(|v| v.checked_mul(bw)) == Some(input.n)
            && input.c == output.c;
        if !ok {
            return Err(Error::InvalidArgument);
        }
        Ok(SpaceBatchParams { input, output, block, lead: [ct, cl], to_batch: false, pad_value: 0 })
    }
}

/// Runs the rearrangement from `input` into `output` (dense, exact lengths, else
/// [`Error::InvalidArgument`]; the output must not overlap the input).
pub fn space_batch_s8(p: &SpaceBatchParams, input: &[i8], output: &mut [i8]) -> Result<()> {
    let (x, y) = (p.input, p.output);
    if input.len() != x.len() || output.len() != y.len() {
        return Err(Error::InvalidArgument);
    }
    let [bh, bw] = p.block;
    let [top, left] = p.lead;
    let c = x.c;
    let copy = |output: &mut [i8], from: usize, to: usize| -> Result<()> {
        let src = input.get(from..from + c).ok_or(Error::InvalidArgument)?;
        output.get_mut(to..to + c).ok_or(Error::InvalidArgument)?.copy_from_slice(src);
        Ok(())
    };
    if p.to_batch {
        for ob in 0..y.n {
            // Divisors were checked non-zero in the constructors (the loops do not run on an
            // empty batch); `checked_` keeps that visible to the compiler.
            let split = |a: usize, d: usize| a.checked_div(d).zip(a.checked_rem(d)).ok_or(Error::InvalidArgument);
            let (shift, b) = split(ob, x.n)?;
            let (sh, sw) = split(shift, bw)?;
            for oy in 0..y.h {
                for ox in 0..y.w {
                    let to = y.offset(ob, oy, ox, 0);
                    let (py, px) = (oy * bh + sh, ox * bw + sw);
                    match (py.checked_sub(top).filter(|&v| v < x.h), px.checked_sub(left).filter(|&v| v < x.w)) {
                        (Some(iy), Some(ix)) => copy(output, x.offset(b, iy, ix, 0), to)?,
                        _ => output.get_mut(to..to + c).ok_or(Error::InvalidArgument)?.fill(p.pad_value),
                    }
                }
            }
        }
    } else {
        for ib in 0..x.n {
            let split = |a: usize, d: usize| a.checked_div(d).zip(a.checked_rem(d)).ok_or(Error::InvalidArgument);
            let (spatial, ob) = split(ib, y.n)?;
            let (sh, sw) = split(spatial, bw)?;
            for iy in 0..x.h {
                let Some(oy) = (iy * bh + sh).checked_sub(top).filter(|&v| v < y.h) else { continue };
                for ix in 0..x.w {
                    let Some(ox) = (ix * bw + sw).checked_sub(left).filter(|&v| v < y.w) else { continue };
                    copy(output, x.offset(ib, iy, ix, 0), y.offset(ob, oy, ox, 0))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: usize, h: usize, w: usize, c: usize) -> Dims4 {
        Dims4 { n, h, w, c }
    }

    #[test]
    fn round_trip_with_padding_and_crops() {
        // 1x2x3x1 padded to 2x4 (right 1 column), block 2x2 → 4 batches of 1x2.
        let x: [i8; 6] = [1, 2, 3, 4, 5, 6];
        let p = SpaceBatchParams::to_batch(d(1, 2, 3, 1), d(4, 1, 2, 1), [2, 2], [0, 0, 0, 1], 0).unwrap();
        let mut y = [9i8; 8];
        space_batch_s8(&p, &x, &mut y).unwrap();
        // Batch (sh, sw): (0,0) → rows 0, cols 0,2: [1, 3]; (0,1) → cols 1,3: [2, pad];
        // (1,0) → row 1: [4, 6]; (1,1): [5, pad].
        assert_eq!(y, [1, 3, 2, 0, 4, 6, 5, 0]);
        let q = SpaceBatchParams::to_space(d(4, 1, 2, 1), d(1, 2, 3, 1), [2, 2], [0, 0, 0, 1]).unwrap();
        let mut z = [0i8; 6];
        space_batch_s8(&q, &y, &mut z).unwrap();
        assert_eq!(z, x);
        assert!(SpaceBatchParams::to_batch(d(1, 2, 3, 1), d(4, 1, 2, 1), [2, 2], [0, 0, 0, 0], 0).is_err());
    }
}
