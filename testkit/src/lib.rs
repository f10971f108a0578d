//! Test support for patchwise (not published): what every test of a model, an operator or a
//! kernel variant needs.
//!
//! - [`shared`]: where `../shared` (models, goldens) and the committed op cases are;
//! - [`golden`]: run a model on golden inputs, compare every output bit for bit;
//! - [`options`]: the planner configurations every model test runs;
//! - [`shadow`]: the independent plan checker (replays operators byte by byte on a shadow
//!   arena);
//! - [`conformance`]: the harness every kernel variant's tests call (hand cases and random
//!   shapes against the portable kernels, overlap at the declared distances, output parts
//!   against the whole).

pub mod conformance;
pub mod golden;
pub mod options;
pub mod shadow;
pub mod shared;

pub use golden::{run_case, run_case_planned, run_case_with};
pub use options::option_variants;
pub use shared::{json_number, op_case_dirs, shared_dir};
