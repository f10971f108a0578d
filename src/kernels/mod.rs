//! Portable reference kernels, bit-exact with TensorFlow Lite Micro's reference kernels: one
//! operator family per file, each a `…Params` type built from plain numbers (nothing here
//! reads the flatbuffer) and eval functions taking the params, constants, a [`call`]
//! (which part of the output to compute, where the operands lie) and an [`io::Io`]. The
//! contract every kernel keeps — portable or port — is in `ports/README.md`.
//!
//! Kernels index and compute freely on lengths their params and calls checked: index
//! arithmetic on verified shapes cannot overflow, and reads go through `get` (an error or 0,
//! never a panic). The crate's panic-freedom lints on indexing and arithmetic are relaxed here
//! for that reason; the link-time panic check still covers every kernel.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

pub mod activations;
pub mod add;
pub mod arg_min_max;
pub mod call;
pub mod concatenation;
pub mod conv;
pub mod conv16;
// Each target's variant table links one of the two (see `crate::variants::fast`).
pub mod conv_fast;
#[cfg_attr(not(any(target_arch = "x86_64", target_arch = "aarch64")), allow(dead_code))]
pub mod depthwise_conv;
pub mod depthwise_conv16;
pub mod depthwise_fast;
pub mod dequantize;
pub mod detection_postprocess;
pub mod elementwise16;
pub mod fully_connected;
pub mod fully_connected16;
pub mod gather;
pub mod hard_swish;
pub mod io;
pub mod l2norm;
pub mod leaky_relu;
pub mod logistic;
pub mod maximum_minimum;
pub mod mean;
pub mod mul;
pub mod pack;
pub mod pad;
pub mod pooling;
pub mod prelu;
pub mod quantize;
pub mod resize_bilinear;
pub mod resize_nearest;
pub mod sigmoid16;
pub mod softmax;
pub mod softmax16;
pub mod space_batch;
pub mod split;
pub mod squared_difference;
pub mod strided_copy;
pub mod strided_slice;
pub mod sub;
pub mod tanh;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod test_support;
pub mod transpose;
pub mod transpose_conv;
