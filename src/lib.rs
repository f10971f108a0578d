//! patchwise: int8 TensorFlow Lite inference inside one caller-provided arena.
//!
//! Data flow: model bytes → [`schema`] (verified zero-copy views) → [`plan`] (ops, tensor
//! lifetimes, arena offsets) → [`interpreter`] (invoke) → [`kernels`] (portable reference).
//!
//! Panic freedom: the code that reads untrusted model bytes ([`schema`]), sizes and places
//! buffers ([`plan`]), carves the arena (`interpreter`, `ops`, `slices`) and faces C callers
//! ([`capi`]) denies, as inner attributes at the top of each of those modules, clippy's
//! `unwrap_used`, `expect_used`, `panic`, `unreachable`, `todo`, `indexing_slicing` and
//! `arithmetic_side_effects`: sizes and offsets from the model use checked operations that
//! return an [`Error`] ([`Error::TooLarge`] when a 32-bit target cannot hold them), and the few
//! saturating or wrapping ones say why they are exact. The [`kernels`] index freely on shapes
//! the verifier proved, using non-panicking forms where that costs nothing. The link-time check
//! `examples-c/cortex-m/panic-check.sh` (feature `panic-link-check`) proves that no panic path
//! remains in the Cortex-M build of the whole C API.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "builder")]
pub mod builder;
pub mod capi;
pub mod error;
pub mod interpreter;
pub mod kernels;
mod ops;
pub mod plan;
pub mod quant;
pub mod schema;
mod slices;

pub use error::{Error, Result, TensorFault};
pub use interpreter::{arena_required, arena_required_with, Interpreter, Options, TensorMut, TensorView, ARENA_ALIGN};
#[cfg(feature = "std")]
pub use interpreter::{plan_details, HostArena, PlanDetails};
pub use schema::DType;

/// Panics are unreachable by design (verified input, checked arithmetic); should one happen
/// anyway in a no_std build, the core stops here instead of unwinding into C. Switch the
/// `panic-handler` feature off when the firmware links another Rust staticlib.
#[cfg(all(feature = "panic-handler", not(feature = "panic-link-check"), not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Link-time proof that no panic is reachable (`panic-link-check` feature, see
/// `examples-c/cortex-m/panic-check.sh`): the handler calls a symbol that nothing defines, so
/// linking firmware with `--gc-sections` fails exactly when some kept code can still panic.
/// A library built this way is for that check only, never for shipping.
#[cfg(all(feature = "panic-link-check", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn patchwise_panic_is_reachable() -> !;
    }
    // SAFETY: the symbol is deliberately left undefined; a link that keeps this call fails,
    // so the call is never executed.
    unsafe { patchwise_panic_is_reachable() }
}

/// Hosted no_std builds (the C library on Linux/macOS) link a `core` compiled with unwind
/// tables that name this symbol. With `panic = "abort"` it is never called.
#[cfg(all(
    any(feature = "panic-handler", feature = "panic-link-check"),
    not(feature = "std"),
    not(test),
    not(target_os = "none")
))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
