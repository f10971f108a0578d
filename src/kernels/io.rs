//! Where a kernel reads its activation inputs and writes its output.
//!
//! Most of the time the output and the inputs are separate slices. When the memory planner
//! lets an output overlap a dying input (in-place elementwise ops, overlapping sliding-window
//! ops), both live in one buffer at different offsets: the kernel then must read each input
//! element before the write that could clobber it, which the planner guarantees for the walk
//! order the kernel is told to use ([`Walk`]).
//!
//! Reads return short (empty) slices and writes are ignored when out of range; kernels check
//! lengths up front with [`Io::input_len`] / [`Io::output_len`], so that never happens on a
//! validated call.

/// Order in which a kernel visits output elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// Ascending output index (rows top to bottom, pixels left to right). Safe when the output
    /// starts at or before the overlapping input, by at least the planner's forward distance.
    Forward,
    /// Descending output index. Safe when the output starts after the overlapping input by at
    /// least the planner's backward distance.
    Backward,
}

/// Where one activation input comes from.
#[derive(Clone, Copy, Debug)]
pub enum Src<'a> {
    /// A separate slice (another part of the arena, or constant data in the model).
    Slice(&'a [i8]),
    /// `len` elements at `offset` inside the output's buffer.
    Shared { offset: usize, len: usize },
}

/// Activation inputs (up to two) and the output of one kernel call.
#[derive(Debug)]
pub struct Io<'a> {
    buf: &'a mut [i8],
    out: usize,
    out_len: usize,
    inputs: [Src<'a>; 2],
}

impl<'a> Io<'a> {
    /// Separate input and output slices.
    pub fn split(input: &'a [i8], output: &'a mut [i8]) -> Io<'a> {
        let out_len = output.len();
        Io { buf: output, out: 0, out_len, inputs: [Src::Slice(input), Src::Slice(&[])] }
    }

    /// Two separate inputs and an output slice.
    pub fn split2(input1: &'a [i8], input2: &'a [i8], output: &'a mut [i8]) -> Io<'a> {
        let out_len = output.len();
        Io { buf: output, out: 0, out_len, inputs: [Src::Slice(input1), Src::Slice(input2)] }
    }

    /// The output is `out_len` elements at `out` in `buf`; inputs as given (a `Shared` input
    /// lies in the same `buf`). `None` if a range falls outside `buf`.
    pub fn shared(buf: &'a mut [i8], out: usize, out_len: usize, inputs: [Src<'a>; 2]) -> Option<Io<'a>> {
        let fits = |off: usize, len: usize| off.checked_add(len).is_some_and(|e| e <= buf.len());
        if !fits(out, out_len) {
            return None;
        }
        for s in &inputs {
            if let Src::Shared { offset, len } = *s {
                if !fits(offset, len) {
                    return None;
                }
            }
        }
        Some(Io { buf, out, out_len, inputs })
    }

    /// Moves the start of input `k` forward by `inputs[k]` elements and the start of the
    /// output by `output` elements (for a call on a part of the operands); `None`, changing
    /// nothing, if a start would pass its operand's end.
    pub fn skip(&mut self, inputs: [usize; 2], output: usize) -> Option<()> {
        let out_len = self.out_len.checked_sub(output)?;
        let mut moved = self.inputs;
        for (s, &at) in moved.iter_mut().zip(&inputs) {
            *s = match *s {
                Src::Slice(x) => Src::Slice(x.get(at..)?),
                Src::Shared { offset, len } => Src::Shared { offset: offset + at, len: len.checked_sub(at)? },
            };
        }
        self.inputs = moved;
        self.out += output;
        self.out_len = out_len;
        Some(())
    }

    /// Length of input `k` in elements.
    pub fn input_len(&self, k: usize) -> usize {
        match self.inputs.get(k) {
            Some(Src::Slice(s)) => s.len(),
            Some(Src::Shared { len, .. }) => *len,
            None => 0,
        }
    }

    /// `output start − input start` when input `k` shares the output's buffer and their ranges
    /// overlap; `None` when they are separate.
    pub fn overlap_delta(&self, k: usize) -> Option<isize> {
        match self.inputs.get(k) {
            Some(Src::Shared { offset, len }) if *offset < self.out + self.out_len && self.out < offset + len => {
                Some(self.out as isize - *offset as isize)
            }
            _ => None,
        }
    }

    /// Length of the output in elements.
    pub fn output_len(&self) -> usize {
        self.out_len
    }

    /// Pointers to the first element of input `k` and of the output, for a kernel written in
    /// C or assembly that was given a call checked against [`Io::input_len`] and
    /// [`Io::output_len`]. A shared input's pointer derives from the same buffer pointer as the
    /// output's (they may overlap: the kernel keeps the walk contract). `None` for a missing input.
    pub fn raw(&mut self, k: usize) -> Option<(*const i8, *mut i8)> {
        let input = *self.inputs.get(k)?;
        let base = self.buf.as_mut_ptr();
        // `shared` and `skip` keep every offset within `buf`: the pointers stay in bounds.
        let out = base.wrapping_add(self.out);
        let x = match input {
            Src::Slice(s) => s.as_ptr(),
            Src::Shared { offset, .. } => base.wrapping_add(offset).cast_const(),
        };
        Some((x, out))
    }

    /// `len` elements of input `k` from element `at` (empty if out of range).
    #[inline(always)]
    pub fn input(&self, k: usize, at: usize, len: usize) -> &[i8] {
        let (s, start, total) = match self.inputs.get(k) {
            Some(Src::Slice(s)) => (*s, 0, s.len()),
            Some(Src::Shared { offset, len }) => (&*self.buf, *offset, *len),
            None => return &[],
        };
        match at.checked_add(len) {
            Some(end) if end <= total => s.get(start + at..start + end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Element `at` of input `k` (0 if out of range).
    #[inline(always)]
    pub fn get(&self, k: usize, at: usize) -> i8 {
        self.input(k, at, 1).first().copied().unwrap_or(0)
    }

    /// Input `k` and the output as two slices, when input `k` is a separate slice (not in the
    /// output's buffer): a kernel may then read and write in any order.
    pub fn separate(&mut self, k: usize) -> Option<(&[i8], &mut [i8])> {
        let Some(Src::Slice(x)) = self.inputs.get(k).copied() else { return None };
        let end = self.out.checked_add(self.out_len)?;
        Some((x, self.buf.get_mut(self.out..end)?))
    }

    /// `len` output elements from element `at` (empty if out of range).
    #[inline(always)]
    pub fn output_mut(&mut self, at: usize, len: usize) -> &mut [i8] {
        match at.checked_add(len) {
            Some(end) if end <= self.out_len => self.buf.get_mut(self.out + at..self.out + end).unwrap_or(&mut []),
            _ => &mut [],
        }
    }

    /// Writes output element `at` (ignored if out of range).
    #[inline(always)]
    pub fn set(&mut self, at: usize, v: i8) {
        if at < self.out_len {
            if let Some(slot) = self.buf.get_mut(self.out + at) {
                *slot = v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_reads_see_earlier_writes() {
        let mut buf = [1i8, 2, 3, 4, 5, 6];
        let mut io = Io::shared(&mut buf, 0, 4, [Src::Shared { offset: 2, len: 4 }, Src::Slice(&[])]).unwrap();
        assert_eq!(io.input(0, 0, 4), &[3, 4, 5, 6]);
        io.set(2, 9);
        assert_eq!(io.get(0, 0), 9);
        assert_eq!(io.input(0, 3, 2), &[] as &[i8]);
        assert!(Io::shared(&mut buf, 4, 4, [Src::Slice(&[]), Src::Slice(&[])]).is_none());
    }
}
