//! patchwise: int8 TensorFlow Lite inference inside one caller-provided arena.
//!
//! Data flow: model bytes → [`schema`] (verified zero-copy views) → [`plan`] (ops, tensor
//! lifetimes, arena offsets) → [`interpreter`] (invoke) → [`kernels`] (portable reference).
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

pub use error::{Error, Result, TensorFault};
pub use interpreter::{arena_required, arena_required_with, Interpreter, Options, TensorMut, TensorView, ARENA_ALIGN};
#[cfg(feature = "std")]
pub use interpreter::{plan_details, HostArena, PlanDetails};
pub use schema::DType;

/// Panics are unreachable by design (verified input, checked arithmetic); should one happen
/// anyway in a no_std build, the core stops here instead of unwinding into C. Switch the
/// `panic-handler` feature off when the firmware links another Rust staticlib.
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Hosted no_std builds (the C library on Linux/macOS) link a `core` compiled with unwind
/// tables that name this symbol. With `panic = "abort"` it is never called.
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test), not(target_os = "none")))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
