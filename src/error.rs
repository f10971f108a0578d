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
    /// The operator computes in float32 (`tensor` is a float32 tensor it reads or writes):
    /// patchwise runs int8-quantized models only (float32 is accepted at QUANTIZE, DEQUANTIZE,
    /// ARG_MAX and ARG_MIN). Convert with full-integer post-training quantization.
    NotQuantized { op: u32, opcode: u32, tensor: u32 },

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
    /// The interpreter handle at the arena's start was changed since init (a stray write, a
    /// flipped bit in RAM): its checksum or a pointer in it no longer matches what init set
    /// up. Nothing of the arena was used; init again.
    ArenaCorrupted,
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
            | Error::NotQuantized { op, opcode, .. }
            | Error::KernelFailed { op, opcode } => Some((op, opcode)),
            _ => None,
        }
    }

    /// The tensor an error is about, if any.
    pub fn tensor(&self) -> Option<u32> {
        match *self {
            Error::BadTensor { tensor, .. }
            | Error::UnsupportedType { tensor, .. }
            | Error::NotQuantized { tensor, .. } => Some(tensor),
            _ => None,
        }
    }
}

impl fmt::Display for TensorFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TensorFault::BadShape => "invalid shape (a dimension of 0 or less, or more than 6 dimensions)",
            TensorFault::SizeOverflow => "too large (2 GiB or more)",
            TensorFault::BufferSize => "constant data of the wrong size for its shape and type",
            TensorFault::BufferIndex => "refers to a buffer that does not exist",
            TensorFault::Quantization => "invalid quantization (scales or zero points)",
        })
    }
}

/// "operator 3 (CONV_2D)": an operator by index and schema name (the code when unnamed).
struct OpRef(u32, u32);

impl fmt::Display for OpRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let OpRef(op, opcode) = *self;
        match crate::schema::opcodes::builtin_name(opcode) {
            Some(name) => write!(f, "operator {op} ({name})"),
            None if opcode == u32::MAX => write!(f, "operator {op}"),
            None => write!(f, "operator {op} (builtin code {opcode})"),
        }
    }
}

/// The schema name of a `TensorType` value, or its number.
struct TypeName(i8);

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::schema::numbers::tensor_type as t;
        let name = match self.0 {
            t::FLOAT32 => "float32",
            1 => "float16",
            t::INT32 => "int32",
            t::UINT8 => "uint8",
            t::INT64 => "int64",
            5 => "string",
            t::BOOL => "bool",
            t::INT16 => "int16",
            8 => "complex64",
            t::INT8 => "int8",
            10 => "float64",
            other => return write!(f, "type {other}"),
        };
        f.write_str(name)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidArgument => write!(f, "invalid argument"),
            Error::NotInitialized => write!(f, "interpreter not initialized"),
            Error::Truncated => write!(f, "the model is truncated (a structure ends past the end of the file)"),
            Error::BadOffset => write!(f, "the model is corrupt (an offset points outside the file)"),
            Error::BadVtable => write!(f, "the model is corrupt (a malformed flatbuffer table)"),
            Error::UnsupportedSchema => write!(f, "not a TensorFlow Lite model (schema v3, identifier TFL3)"),
            Error::MissingField => write!(f, "the model lacks a required field"),
            Error::NoSubgraph => write!(f, "the model has no subgraph with inputs and outputs"),
            Error::BadTensor { tensor, fault } => write!(f, "tensor {tensor}: {fault}"),
            Error::UnsupportedType { tensor, tensor_type } => {
                write!(f, "tensor {tensor}: element type {} is not supported", TypeName(tensor_type))
            }
            Error::BadTensorIndex { op: u32::MAX } => {
                write!(f, "a model input or output names a tensor that does not exist")
            }
            Error::BadTensorIndex { op } => write!(f, "operator {op} names a tensor that does not exist"),
            Error::BadOpcodeIndex { op } => write!(f, "operator {op} has an operator code that does not exist"),
            Error::UnsupportedOp { op, opcode } => {
                write!(f, "{} is not supported by this build of patchwise", OpRef(op, opcode))
            }
            Error::BadOptions { op, opcode } => write!(f, "{}: missing or invalid options", OpRef(op, opcode)),
            Error::BadOperator { op, opcode } => write!(
                f,
                "{}: its tensors' shapes, types or quantization are not what the operator computes",
                OpRef(op, opcode)
            ),
            Error::NotQuantized { op, opcode, tensor } => write!(
                f,
                "{} computes in float32 (tensor {tensor}): patchwise runs int8-quantized models; convert \
                 the model with full-integer post-training quantization (int8 weights and activations, \
                 a representative dataset)",
                OpRef(op, opcode)
            ),
            Error::ArenaTooSmall { required } => write!(f, "arena too small: {required} bytes required"),
            Error::ArenaMisaligned => write!(f, "arena not 16-byte aligned"),
            Error::ArenaCorrupted => write!(
                f,
                "the interpreter's memory was overwritten since init (a stray write or a flipped bit in the arena): init again"
            ),
            Error::TooLarge => write!(f, "the model exceeds patchwise's fixed limits"),
            Error::OverBudget { required } => {
                write!(f, "no plan fits the memory budget: the smallest arena for this model is {required} bytes")
            }
            Error::BadPlan => write!(
                f,
                "the plan file is corrupted or was made for another model (make it again with patchwise plan MODEL --emit FILE)"
            ),
            Error::PlanNeedsArena => {
                write!(f, "model too large to size without an arena or a work buffer; init plans inside the arena")
            }
            Error::KernelFailed { op, opcode } => write!(f, "{}: kernel failed", OpRef(op, opcode)),
            Error::Internal => write!(f, "internal error (a patchwise bug: please report it with the model)"),
        }
    }
}

/// Result alias used across the crate.
pub type Result<T> = core::result::Result<T, Error>;
