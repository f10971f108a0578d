//! patchwise: int8 TensorFlow Lite inference inside one caller-provided arena.
//!
//! Data flow: model bytes → [`schema`] (verified zero-copy views) → [`plan`] (ops, tensor
//! lifetimes, arena offsets) → [`interpreter`] (invoke) → [`kernels`] (portable reference).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "builder")]
pub mod builder;
pub mod error;
pub mod interpreter;
pub mod kernels;
mod ops;
pub mod plan;
pub mod quant;
pub mod schema;

pub use error::{Error, Result, TensorFault};
pub use interpreter::{arena_required, Interpreter, Options, TensorMut, TensorView, ARENA_ALIGN};
#[cfg(feature = "std")]
pub use interpreter::{plan_details, HostArena, PlanDetails};
pub use schema::DType;

#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
