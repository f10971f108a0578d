//! Every way patchwise can refuse a model, an arena or a call.
//!
//! Errors are small `Copy` values. Model errors say what was wrong and where (a tensor or an
//! operator index); the C API maps each variant to a fixed `pw_status` code.

use core::fmt;

/// Why a tensor description was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorFault {
    /// A dimension is negative or zero where data must exist, or the rank is above the maximum.
    BadShape,
    /// The element count or byte size overflows the address space of a 32-bit target.
    SizeOverflow,
    /// A constant buffer's length is not `elements × element size`.
    BufferSize,
    /// The buffer index is out of range.
    BufferIndex,
    /// Quantization parameters are missing, inconsistent or out of range.
    Quantization,
}

/// A patchwise error. `op` fields are operator indices in subgraph 0, `opcode` the builtin code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ---- argument errors ----
    /// An argument is out of its documented range (e.g. a tensor index past the I/O count).
    InvalidArgument,
    /// The interpreter was used before a successful init.
    NotInitialized,

    // ---- model (format) errors ----
    /// The model ends before a structure it references.
    Truncated,
    /// An offset points outside the model or is misaligned for what it references.
    BadOffset,
    /// A vtable is malformed (size, alignment or field offsets out of bounds).
    BadVtable,
    /// The file identifier is not "TFL3" or the schema version is not 3.
    UnsupportedSchema,
    /// A required table or field is absent.
    MissingField,
    /// The model has no subgraph, or subgraph 0 has no inputs or outputs.
    NoSubgraph,
    /// A tensor description is invalid.
    BadTensor { tensor: u32, fault: TensorFault },
    /// A tensor's element type is not supported by patchwise.
    UnsupportedType { tensor: u32, tensor_type: i8 },
    /// An operator references a tensor index that does not exist (or a subgraph I/O does).
    BadTensorIndex { op: u32 },
    /// An operator code is outside the model's operator-code table.
    BadOpcodeIndex { op: u32 },
    /// The operator is not supported (custom ops, or builtins patchwise lacks).
    UnsupportedOp { op: u32, opcode: u32 },
    /// The operator lacks the options table it needs, or an option value is out of range.
    BadOptions { op: u32, opcode: u32 },
    /// The operator's tensors disagree (shapes, types, quantization) with what the op computes.
    BadOperator { op: u32, opcode: u32 },

    // ---- memory errors ----
    /// The arena is smaller than `required` bytes.
    ArenaTooSmall { required: usize },
    /// No plan fits the memory budget (`Options::budget`); `required` is the smallest arena any
    /// plan needs.
    OverBudget { required: usize },
    /// A plan made ahead of time ([`crate::planfile`]) that is not one, is corrupted, or was
    /// made for other model bytes.
    BadPlan,
    /// The arena does not start at a 16-byte boundary.
    ArenaMisaligned,
    /// The model needs more bookkeeping than patchwise's fixed limits (e.g. too many tensors).
    TooLarge,
    /// Sizing the arena without one needs more stack than patchwise allows itself (no_std
    /// builds: models above [`crate::interpreter::MAX_STACK_PLAN_BUFFERS`] tensors + operators). The model
    /// is fine: [`crate::Interpreter::init`] plans inside the arena it is given.
    PlanNeedsArena,

    // ---- kernel errors ----
    /// A kernel found its inputs inconsistent at invoke time.
    KernelFailed { op: u32, opcode: u32 },

    // ---- internal errors ----
    /// An invariant of patchwise itself does not hold (a table the planner wrote disagrees
    /// with what reads it). Never caused by a model or an argument: a bug to report.
    Internal,
}

impl Error {
    /// The operator an error is about, if any: `(op index, opcode)`; opcode is `u32::MAX` if unknown.
    pub fn operator(&self) -> Option<(u32, u32)> {
        match *self {
            Error::BadTensorIndex { op } | Error::BadOpcodeIndex { op } => Some((op, u32::MAX)),
            Error::UnsupportedOp { op, opcode }
            | Error::BadOptions { op, opcode }
            | Error::BadOperator { op, opcode }
            | Error::KernelFailed { op, opcode } => Some((op, opcode)),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidArgument => write!(f, "invalid argument"),
            Error::NotInitialized => write!(f, "interpreter not initialized"),
            Error::Truncated => write!(f, "model truncated"),
            Error::BadOffset => write!(f, "model has an out-of-bounds or misaligned offset"),
            Error::BadVtable => write!(f, "model has a malformed vtable"),
            Error::UnsupportedSchema => write!(f, "not a TFLite schema v3 model"),
            Error::MissingField => write!(f, "model lacks a required field"),
            Error::NoSubgraph => write!(f, "model has no usable subgraph"),
            Error::BadTensor { tensor, fault } => write!(f, "tensor {tensor}: {fault:?}"),
            Error::UnsupportedType { tensor, tensor_type } => {
                write!(f, "tensor {tensor}: unsupported type {tensor_type}")
            }
            Error::BadTensorIndex { op } => write!(f, "op {op}: tensor index out of range"),
            Error::BadOpcodeIndex { op } => write!(f, "op {op}: opcode index out of range"),
            Error::UnsupportedOp { op, opcode } => write!(f, "op {op}: unsupported opcode {opcode}"),
            Error::BadOptions { op, opcode } => {
                write!(f, "op {op} (opcode {opcode}): missing or invalid options")
            }
            Error::BadOperator { op, opcode } => {
                write!(f, "op {op} (opcode {opcode}): tensors inconsistent with the operator")
            }
            Error::ArenaTooSmall { required } => {
                write!(f, "arena too small: {required} bytes required")
            }
            Error::ArenaMisaligned => write!(f, "arena not 16-byte aligned"),
            Error::TooLarge => write!(f, "model exceeds patchwise's fixed limits"),
            Error::OverBudget { required } => {
                write!(f, "no plan fits the memory budget: the smallest arena for this model is {required} bytes")
            }
            Error::BadPlan => write!(f, "the plan file is corrupted or was made for another model (make it again with patchwise plan MODEL --emit FILE)"),
            Error::PlanNeedsArena => write!(f, "model too large to plan without an arena; init plans inside the arena"),
            Error::KernelFailed { op, opcode } => write!(f, "op {op} (opcode {opcode}): kernel failed"),
            Error::Internal => write!(f, "internal error (a patchwise bug)"),
        }
    }
}

/// Result alias used across the crate.
pub type Result<T> = core::result::Result<T, Error>;
