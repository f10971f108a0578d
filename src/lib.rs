//! patchwise: int8 TensorFlow Lite inference inside one caller-provided arena.
//!
//! Data flow (docs/architecture.md): model bytes → [`schema`] (verified zero-copy views) →
//! [`ops`] (one operator's validated spec) → [`plan`] (kernel variants, lifetimes, arena
//! offsets) → [`runplan`] (what init leaves in the arena) → [`exec`] (runs each operator's
//! chosen [`variants`] entry over [`memory`] bound to it) → [`kernels`] (portable reference).
//! [`interpreter`] and [`capi`] are the Rust and C APIs on top; [`geometry`], [`tensor`] and
//! [`quant`] are the shared floor.
//!
//! Panic freedom: clippy's `unwrap_used`, `expect_used`, `panic`, `unreachable`, `todo`,
//! `indexing_slicing` and `arithmetic_side_effects` are denied crate-wide (`Cargo.toml`
//! `[lints]`): sizes and offsets from the model use checked operations that return an
//! [`Error`] ([`Error::TooLarge`] when a 32-bit target cannot hold them), and the few
//! saturating or wrapping ones say why they are exact. The [`kernels`] (and the [`tensor`] and
//! [`quant`] helpers they use on hot paths) index freely on shapes the verifier proved, using
//! non-panicking forms where that costs nothing. The link-time check
//! `examples-c/cortex-m/panic-check.sh` (feature `panic-link-check`) proves that no panic path
//! remains in the Cortex-M build of the whole C API.
#![cfg_attr(not(any(test, feature = "std")), no_std)]

#[cfg(feature = "builder")]
pub mod builder;
pub mod capi;
pub mod error;
pub mod exec;
pub mod geometry;
pub mod interpreter;
pub mod kernels;
pub mod memory;
pub mod ops;
pub mod plan;
pub mod planfile;
pub mod quant;
pub mod runplan;
pub mod schema;
mod slices;
pub mod summary;
pub mod tensor;
#[cfg(test)]
mod test_rng;
pub mod tiling;
pub mod variants;

pub use error::{Error, Result, TensorFault};
pub use interpreter::{
    arena_required, arena_required_in, arena_required_with, planned_arena_required, Interpreter, Observer, Options,
    TensorMut, TensorView, ARENA_ALIGN,
};
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
