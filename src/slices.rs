//! Non-panicking slice carving for the arena and the planner's tables, and the checked size
//! sums that lead to it.
//!
//! `split_at_mut`, `[a..b]`, `[i]` and `+` panic when out of range; these return `None` (or an
//! [`Error`]) instead, so that a wrong size reaching them is an error, never a panic.

use crate::error::{Error, Result};

/// `len` bytes split off the front of `mem`; [`Error::InvalidArgument`] if it is shorter.
pub(crate) fn take_front<T>(mem: &mut [T], len: usize) -> Result<(&mut [T], &mut [T])> {
    mem.split_at_mut_checked(len).ok_or(Error::InvalidArgument)
}

/// Entry `i` of a table; [`Error::InvalidArgument`] past its end.
pub(crate) fn entry<T>(table: &mut [T], i: usize) -> Result<&mut T> {
    table.get_mut(i).ok_or(Error::InvalidArgument)
}

/// The `len` elements of `s` from `start`, if they are all inside it.
pub(crate) fn span<T>(s: &[T], start: usize, len: usize) -> Option<&[T]> {
    s.get(start..)?.get(..len)
}

/// The `len` elements of `s` from `start`, writable, if they are all inside it.
pub(crate) fn span_mut<T>(s: &mut [T], start: usize, len: usize) -> Option<&mut [T]> {
    s.get_mut(start..)?.get_mut(..len)
}

/// Where the range `at = (offset, length)` starts inside a part `base..base + len`, if it lies
/// entirely inside that part.
pub(crate) fn inside(base: usize, len: usize, at: (usize, usize)) -> Option<usize> {
    let rel = at.0.checked_sub(base)?;
    (rel.checked_add(at.1)? <= len).then_some(rel)
}

/// The sum of sizes; `None` on overflow (sizes from a model can overflow a 32-bit `usize`).
pub(crate) fn checked_sum(parts: &[usize]) -> Option<usize> {
    parts.iter().try_fold(0usize, |a, &b| a.checked_add(b))
}
