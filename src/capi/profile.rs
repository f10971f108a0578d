//! Per-operator profiling hooks of the C API (cargo feature `profile`).
//!
//! With the feature on, `pw_interpreter_invoke` and `pw_interpreter_invoke_with_inputs` call
//! two functions the application defines, around every step of the run-plan (one operator, or
//! one fused segment of operators run together row by row). The firmware reads a cycle counter
//! (DWT `CYCCNT`, a timer) in them. With the feature off (the default) the library references
//! neither function and the calls compile to nothing.

#[cfg(feature = "profile")]
use crate::interpreter::Observer;

#[cfg(feature = "profile")]
extern "C" {
    /// Called (library built with the cargo feature `profile`) before operators `first_op` to
    /// `last_op` (inclusive) run: one operator (`first_op == last_op`) or one fused segment.
    /// Defined by the application; it must not call back into patchwise for the same
    /// interpreter.
    pub fn pw_profile_begin(first_op: u32, last_op: u32);
    /// Called (feature `profile`) after operators `first_op` to `last_op` ran (or failed).
    pub fn pw_profile_end(first_op: u32, last_op: u32);
}

/// The observer the C API's invoke runs with: without the feature, the plain invoke's (one
/// copy of the invoke code, not two).
#[cfg(not(feature = "profile"))]
pub(crate) use crate::interpreter::Unobserved as Hooks;

/// The observer the C API's invoke runs with: calls the application's hooks.
#[cfg(feature = "profile")]
pub(crate) struct Hooks;

/// An operator index as the hooks pass it (indices are below `MAX_OPERATORS`, so exact).
#[cfg(feature = "profile")]
fn index(op: usize) -> u32 {
    u32::try_from(op).unwrap_or(u32::MAX)
}

#[cfg(feature = "profile")]
impl Observer for Hooks {
    #[inline(always)]
    fn begin(&mut self, first: usize, last: usize) {
        // SAFETY: the application defines the hook (documented link-time contract of the
        // feature); it receives two integers and touches no patchwise memory.
        unsafe { pw_profile_begin(index(first), index(last)) }
    }
    #[inline(always)]
    fn end(&mut self, first: usize, last: usize) {
        // SAFETY: as in `begin`.
        unsafe { pw_profile_end(index(first), index(last)) }
    }
}
