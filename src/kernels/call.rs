//! The one call shape of the spatial kernels: compute an output block from input blocks.
//!
//! A [`Block`] says where a rectangle of an NHWC image lies in a buffer: `n × h × w` pixels of
//! `c` channels, rows `row_stride` elements apart and batches `batch_stride` apart, starting at
//! the operand's position in its buffer (the [`Io`] source). A whole tensor is
//! a dense block ([`Block::dense`]); a tile of it, or a tile buffer, has a longer row stride or
//! a smaller extent.
//!
//! A sliding-window kernel gets a [`WindowCall`]: the input block it may read, the output block
//! it writes, and the padding around the input block for this call. Output pixel `(b, y, x)` of
//! the block reads input rows `y·stride − pad[0] + k·dilation` (block coordinates) and columns
//! likewise; rows and columns outside the block are padding — zero contribution, not counted in
//! an average, never a maximum. The caller (the executor, or a tiler) builds the call from the
//! operator's [`Window`] so that padding appears only where the block touches the real image
//! border ([`WindowCall::full`] for the whole image, [`WindowCall::part`] for an output
//! rectangle). An elementwise kernel gets a [`MapCall`]: the same pixels in every operand.
//!
//! The layout is plain integers, so that a C or assembly kernel can take the same description
//! ([`RawWindowCall`], `#[repr(C)]`).

use super::io::{Io, Walk};
use crate::error::{Error, Result};
use crate::geometry::Window;
use crate::tensor::Dims4;
use core::ops::Range;

/// Where an NHWC block lies in its buffer (all counts in elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Block {
    /// Batches.
    pub n: usize,
    /// Rows.
    pub h: usize,
    /// Pixels per row.
    pub w: usize,
    /// Channels per pixel (pixels are dense: channel `c` of a pixel follows `c − 1`).
    pub c: usize,
    /// Elements from one row to the next (≥ `w · c`).
    pub row_stride: usize,
    /// Elements from one batch to the next (≥ `h · row_stride` when `h > 0`).
    pub batch_stride: usize,
}

impl Block {
    /// A whole tensor of shape `d`, rows and batches back to back.
    pub const fn dense(d: Dims4) -> Block {
        let row = d.w * d.c;
        Block { n: d.n, h: d.h, w: d.w, c: d.c, row_stride: row, batch_stride: d.h * row }
    }

    /// `len` elements in one row (a flat run, for elementwise kernels over whole tensors).
    pub const fn flat(len: usize) -> Block {
        Block { n: 1, h: 1, w: len, c: 1, row_stride: len, batch_stride: len }
    }

    /// Elements spanned from the block's first element to one past its last (0 when empty);
    /// `None` on overflow. A buffer holding the block needs at least this many.
    pub fn extent(&self) -> Option<usize> {
        if self.n == 0 || self.h == 0 || self.w == 0 || self.c == 0 {
            return Some(0);
        }
        let batches = (self.n - 1).checked_mul(self.batch_stride)?;
        let rows = (self.h - 1).checked_mul(self.row_stride)?;
        batches.checked_add(rows)?.checked_add(self.w.checked_mul(self.c)?)
    }

    /// True when rows and batches lie back to back (the block is one run of elements).
    pub fn is_dense(&self) -> bool {
        self.row_stride == self.w * self.c && (self.h <= 1 || self.batch_stride == self.h * self.row_stride)
            || self.h == 0
    }

    /// Offset of element `ch` of pixel `(b, y, x)` (in range for a checked block).
    #[inline(always)]
    pub fn offset(&self, b: usize, y: usize, x: usize, ch: usize) -> usize {
        b * self.batch_stride + y * self.row_stride + x * self.c + ch
    }

    /// The block of the same buffer covering rows `rows` and columns `cols` of this one, and
    /// its offset from this block's start (0 for an empty block, which reads nothing).
    pub fn sub(&self, rows: Range<usize>, cols: Range<usize>) -> (Block, usize) {
        let b = Block { h: rows.end.saturating_sub(rows.start), w: cols.end.saturating_sub(cols.start), ..*self };
        let at = if b.h == 0 || b.w == 0 { 0 } else { self.offset(0, rows.start, cols.start, 0) };
        (b, at)
    }

    /// Checks that the block has `c` channels and fits `len` elements.
    pub fn check(&self, c: usize, len: usize) -> Result<()> {
        match self.extent() {
            Some(e) if e <= len && self.c == c && self.row_stride >= self.w * self.c => Ok(()),
            _ => Err(Error::InvalidArgument),
        }
    }
}

/// One call of a sliding-window kernel (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCall {
    /// The input block the call may read (input 0 of the [`Io`]).
    pub input: Block,
    /// The output block the call computes and writes.
    pub output: Block,
    /// `[top, bottom, left, right]` padding around the input block that the windows of this
    /// call reach: non-zero only where the block touches the real image border.
    pub pad: [usize; 4],
    /// Order in which output pixels are visited.
    pub walk: Walk,
}

impl WindowCall {
    /// The whole image: dense input and output of shapes `input` and `output`, padded as the
    /// window is.
    pub fn full(window: &Window, input: Dims4, output: Dims4, walk: Walk) -> WindowCall {
        WindowCall { input: Block::dense(input), output: Block::dense(output), pad: window.padding(), walk }
    }

    /// Output rows `rows` and columns `cols` of a whole-image call (all batches and channels):
    /// the call, and the offsets of its input and output blocks inside the full call's.
    pub fn part(&self, window: &Window, rows: Range<usize>, cols: Range<usize>) -> (WindowCall, usize, usize) {
        let (sr, sc) = (window.rows.span(rows.clone()), window.cols.span(cols.clone()));
        let (input, in_at) = self.input.sub(sr.range.0..sr.range.1, sc.range.0..sc.range.1);
        let (output, out_at) = self.output.sub(rows, cols);
        let pad = [sr.pad_before, sr.pad_after, sc.pad_before, sc.pad_after];
        (WindowCall { input, output, pad, walk: self.walk }, in_at, out_at)
    }

    /// Checks the call against a window's kernel, stride and dilation and the channel counts,
    /// and the blocks against the buffer lengths: every window of the output block stays
    /// within the input block plus the declared padding, and every index fits an `i32`.
    pub fn check(&self, w: &Window, in_c: usize, out_c: usize, in_len: usize, out_len: usize) -> Result<()> {
        self.input.check(in_c, in_len)?;
        self.output.check(out_c, out_len)?;
        if self.input.n != self.output.n {
            return Err(Error::InvalidArgument);
        }
        let [top, bottom, left, right] = self.pad;
        let fits = |walked: usize, before: usize, size: usize, after: usize| {
            let room = before as u64 + size as u64 + after as u64;
            walked as u64 <= room && room <= 1 << 31
        };
        if !fits(w.rows.walked(self.output.h), top, self.input.h, bottom)
            || !fits(w.cols.walked(self.output.w), left, self.input.w, right)
        {
            return Err(Error::InvalidArgument);
        }
        Ok(())
    }
}

/// One call of an elementwise kernel: the same pixels in every operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapCall {
    /// Where the pixels lie in inputs 0 and 1.
    pub inputs: [Block; 2],
    /// Where they lie in the output.
    pub output: Block,
}

impl MapCall {
    /// Whole tensors of `len` elements.
    pub const fn flat(len: usize) -> MapCall {
        MapCall { inputs: [Block::flat(len); 2], output: Block::flat(len) }
    }

    /// Checks that the output block fits the output of `io` and that each of the first `k`
    /// inputs has the output's pixel grid and fits its input.
    pub fn check(&self, k: usize, io: &Io<'_>) -> Result<()> {
        let o = &self.output;
        o.check(o.c, io.output_len())?;
        for (i, b) in self.inputs.iter().enumerate().take(k) {
            if (b.n, b.h, b.w) != (o.n, o.h, o.w) {
                return Err(Error::InvalidArgument);
            }
            b.check(o.c, io.input_len(i))?;
        }
        Ok(())
    }

    /// The runs of contiguous elements, in ascending order (every operand has the output's
    /// pixel grid: see [`MapCall::check`]).
    pub fn runs(&self) -> Runs<'_> {
        Runs { call: self, row: 0 }
    }
}

/// Runs of contiguous elements of a [`MapCall`]: `(input 0 offset, input 1 offset, output
/// offset, length)`, one per output row.
pub struct Runs<'c> {
    call: &'c MapCall,
    row: usize,
}

impl Iterator for Runs<'_> {
    type Item = (usize, usize, usize, usize);

    #[inline(never)]
    fn next(&mut self) -> Option<Self::Item> {
        let o = &self.call.output;
        let rows = o.n.checked_mul(o.h)?;
        if self.row >= rows || o.h == 0 {
            return None;
        }
        let (b, y) = (self.row / o.h, self.row % o.h);
        self.row += 1;
        let [i0, i1] = &self.call.inputs;
        Some((i0.offset(b, y, 0, 0), i1.offset(b, y, 0, 0), o.offset(b, y, 0, 0), o.w * o.c))
    }
}

/// [`WindowCall`] as a C or assembly kernel takes it: pointers to the blocks' first elements
/// and the geometry as `int32_t` (every value was checked to fit by [`WindowCall::check`]).
///
/// ```c
/// typedef struct { int32_t n, h, w, c, row_stride, batch_stride; } pw_block;
/// typedef struct {
///     const int8_t *input; int8_t *output;     /* may overlap: see walk and the access contract */
///     pw_block in, out;
///     int32_t pad_top, pad_bottom, pad_left, pad_right;
///     int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
///     int32_t walk;                            /* 0: forward, 1: backward */
/// } pw_window_call;
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawWindowCall {
    pub input: *const i8,
    pub output: *mut i8,
    pub input_block: RawBlock,
    pub output_block: RawBlock,
    pub pad: [i32; 4],
    pub kernel: [i32; 2],
    pub stride: [i32; 2],
    pub dilation: [i32; 2],
    pub walk: i32,
}

/// [`Block`] as `int32_t`s.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawBlock {
    pub n: i32,
    pub h: i32,
    pub w: i32,
    pub c: i32,
    pub row_stride: i32,
    pub batch_stride: i32,
}

impl RawBlock {
    /// The block as `int32_t`s; `None` if a value does not fit.
    pub fn of(b: &Block) -> Option<RawBlock> {
        let v = |x: usize| i32::try_from(x).ok();
        Some(RawBlock {
            n: v(b.n)?,
            h: v(b.h)?,
            w: v(b.w)?,
            c: v(b.c)?,
            row_stride: v(b.row_stride)?,
            batch_stride: v(b.batch_stride)?,
        })
    }
}

impl RawWindowCall {
    /// The C form of a checked call over the given block pointers; `None` if a value does not
    /// fit an `int32_t`.
    pub fn of(call: &WindowCall, w: &Window, input: *const i8, output: *mut i8) -> Option<RawWindowCall> {
        let v = |x: usize| i32::try_from(x).ok();
        let [t, b, l, r] = call.pad;
        Some(RawWindowCall {
            input,
            output,
            input_block: RawBlock::of(&call.input)?,
            output_block: RawBlock::of(&call.output)?,
            pad: [v(t)?, v(b)?, v(l)?, v(r)?],
            kernel: [v(w.rows.kernel)?, v(w.cols.kernel)?],
            stride: [v(w.rows.stride)?, v(w.cols.stride)?],
            dilation: [v(w.rows.dilation)?, v(w.cols.dilation)?],
            walk: match call.walk {
                Walk::Forward => 0,
                Walk::Backward => 1,
            },
        })
    }
}
