//! Status codes and error details of the C API.

use crate::error::Error;

/// Result of every `pw_` function: `PW_OK` (0) or an error code. Fixed width (`uint32_t`) so
/// that `-fshort-enums` toolchains cannot change the ABI. Codes are grouped by hundreds and never
/// renumbered: 1xx argument, 2xx model, 3xx memory, 4xx kernel.
pub type pw_status = u32;

/// Success.
pub const PW_OK: pw_status = 0;

/// A required pointer argument is NULL.
pub const PW_ERR_NULL_POINTER: pw_status = 100;
/// An argument is out of range (e.g. a tensor index past the count).
pub const PW_ERR_INVALID_ARGUMENT: pw_status = 101;
/// The handle is not a live interpreter (never initialized, or its arena was re-initialized).
pub const PW_ERR_NOT_INITIALIZED: pw_status = 102;
/// `pw_options` has a wrong `struct_size`, unknown flags or out-of-range values.
pub const PW_ERR_BAD_OPTIONS: pw_status = 103;

/// The model ends before a structure it references (includes a zero-length model).
pub const PW_ERR_MODEL_TRUNCATED: pw_status = 200;
/// An offset in the model points outside it.
pub const PW_ERR_MODEL_BAD_OFFSET: pw_status = 201;
/// A flatbuffer vtable in the model is malformed.
pub const PW_ERR_MODEL_BAD_VTABLE: pw_status = 202;
/// Not a TFLite schema v3 model (identifier "TFL3", version 3).
pub const PW_ERR_MODEL_UNSUPPORTED_SCHEMA: pw_status = 203;
/// A required table or field is absent.
pub const PW_ERR_MODEL_MISSING_FIELD: pw_status = 204;
/// No subgraph, or subgraph 0 has no inputs or outputs.
pub const PW_ERR_MODEL_NO_SUBGRAPH: pw_status = 205;
/// A tensor's shape, size, buffer or quantization is invalid (see `tensor_index`).
pub const PW_ERR_MODEL_BAD_TENSOR: pw_status = 206;
/// A tensor has an element type patchwise does not support (see `tensor_index`).
pub const PW_ERR_MODEL_UNSUPPORTED_TYPE: pw_status = 207;
/// An operator (or the subgraph's I/O list) names a tensor that does not exist.
pub const PW_ERR_MODEL_BAD_TENSOR_INDEX: pw_status = 208;
/// An operator's opcode index is outside the model's operator-code table.
pub const PW_ERR_MODEL_BAD_OPCODE_INDEX: pw_status = 209;
/// The operator is not supported (see `op_index`, `opcode`).
pub const PW_ERR_MODEL_UNSUPPORTED_OP: pw_status = 210;
/// An operator's options are missing or invalid.
pub const PW_ERR_MODEL_BAD_OPTIONS: pw_status = 211;
/// An operator's tensors disagree with what it computes (shapes, types, quantization).
pub const PW_ERR_MODEL_BAD_OPERATOR: pw_status = 212;
/// The model exceeds a fixed limit of patchwise (more than 16,000 operators or 65,534 tensors +
/// operators in a subgraph, a tensor of 2 GiB or more).
pub const PW_ERR_MODEL_TOO_LARGE: pw_status = 213;
/// The model computes in float32 (see `op_index`, `tensor_index`): patchwise runs int8-quantized
/// models. Convert it with full-integer post-training quantization (int8 weights and
/// activations; float32 is accepted only at QUANTIZE/DEQUANTIZE at the model's edges).
pub const PW_ERR_MODEL_NOT_QUANTIZED: pw_status = 214;

/// The arena is smaller than needed (`pw_interpreter_init_ex` reports the bytes needed, as do
/// `pw_arena_required`, `pw_arena_required_in` and `pw_model_verify`).
pub const PW_ERR_ARENA_TOO_SMALL: pw_status = 300;
/// The arena does not start on a `PW_ARENA_ALIGN`-byte boundary.
pub const PW_ERR_ARENA_MISALIGNED: pw_status = 301;
/// `pw_arena_required` / `pw_model_verify` cannot size this model without an arena: planning
/// it on the stack would take more than the library allows itself (above 256 tensors +
/// operators). The model is fine: `pw_arena_required_in` sizes it in a caller-given work buffer,
/// and `pw_interpreter_init` plans inside the arena it is given (give
/// it all the memory you can spare; `pw_interpreter_arena_used` then tells what it uses), or take
/// the size from `patchwise plan MODEL` on the host.
pub const PW_ERR_PLAN_NEEDS_ARENA: pw_status = 302;
/// No plan fits `pw_options.memory_budget`; `pw_error_info.arena_required` (from
/// `pw_model_verify`) is the smallest arena any plan needs.
pub const PW_ERR_OVER_BUDGET: pw_status = 303;
/// The plan given to `pw_interpreter_init_planned` is not a plan file, is corrupted, or was
/// made for other model bytes (make it again: `patchwise plan MODEL --emit FILE`).
pub const PW_ERR_BAD_PLAN: pw_status = 304;
/// The interpreter handle at the arena's start was overwritten since init (a stray write, a
/// flipped bit in RAM): its checksum, or a pointer in it, no longer matches what init set up.
/// Checked by every call that takes a `pw_interpreter*`, before anything is read through it.
/// Init again (the model and the arena are otherwise usable).
pub const PW_ERR_ARENA_CORRUPTED: pw_status = 305;

/// A kernel failed at invoke time (see `pw_interpreter_last_error`).
pub const PW_ERR_KERNEL_FAILED: pw_status = 400;

/// An internal invariant does not hold: a bug in patchwise, never caused by the model or the
/// arguments. Please report it with the model.
pub const PW_ERR_INTERNAL: pw_status = 500;

/// Details of a failure.
///
/// Names point into the model (or, for builtin operator names, into the library's constant
/// data) and stay valid as long as the model bytes do; they are *not* NUL-terminated in
/// general: print them with `printf("%.*s", (int)info.op_name_len, info.op_name)`. A name
/// that is unknown or absent has length 0 (and may be NULL).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct pw_error_info {
    /// The status the failing call returned.
    pub status: pw_status,
    /// Index of the failing operator in subgraph 0, or `UINT32_MAX` when no operator is involved.
    pub op_index: u32,
    /// Builtin opcode of the failing operator (TFLite `BuiltinOperator`), or `UINT32_MAX`.
    pub opcode: u32,
    /// Index of the offending tensor, or `UINT32_MAX`.
    pub tensor_index: u32,
    /// Arena bytes required (set with `PW_OK` and `PW_ERR_ARENA_TOO_SMALL`), else 0.
    pub arena_required: usize,
    /// 1 when `arena_required` is the exact figure; 0 when it is a lower bound (only from
    /// `pw_interpreter_init_ex` on a model above the stack-planning limit given an arena too
    /// small even to plan in: an init with that many bytes then reports the exact figure).
    pub arena_required_exact: u32,
    /// The failing operator's name ("CONV_2D", or a custom operator's own name), if known.
    pub op_name: *const core::ffi::c_char,
    /// Its length in bytes (0: none).
    pub op_name_len: usize,
    /// The offending tensor's name (from the model), if any.
    pub tensor_name: *const core::ffi::c_char,
    /// Its length in bytes (0: none).
    pub tensor_name_len: usize,
}

impl pw_error_info {
    pub(crate) const fn status_only(status: pw_status) -> pw_error_info {
        pw_error_info {
            status,
            op_index: u32::MAX,
            opcode: u32::MAX,
            tensor_index: u32::MAX,
            arena_required: 0,
            arena_required_exact: 0,
            op_name: core::ptr::null(),
            op_name_len: 0,
            tensor_name: core::ptr::null(),
            tensor_name_len: 0,
        }
    }

    /// Adds the operator's and the tensor's names from `model` (the bytes the error is about).
    pub(crate) fn with_names(mut self, model: &[u8]) -> pw_error_info {
        if self.op_index != u32::MAX {
            let name = crate::schema::Model::parse(model).and_then(|m| m.operator_name(self.op_index as usize));
            let name = match name {
                Ok(n) => n,
                // A model that does not parse still names its builtin operators by code.
                Err(_) => crate::schema::opcodes::builtin_name(self.opcode).map_or(&[][..], str::as_bytes),
            };
            self.op_name = name.as_ptr().cast();
            self.op_name_len = name.len();
        }
        if self.tensor_index != u32::MAX {
            if let Some(name) = crate::schema::tensor_name(model, self.tensor_index as usize) {
                self.tensor_name = name.as_ptr().cast();
                self.tensor_name_len = name.len();
            }
        }
        self
    }
}

/// The status code of a Rust error.
pub(crate) fn status_of(e: &Error) -> pw_status {
    match e {
        Error::InvalidArgument => PW_ERR_INVALID_ARGUMENT,
        Error::NotInitialized => PW_ERR_NOT_INITIALIZED,
        Error::Truncated => PW_ERR_MODEL_TRUNCATED,
        Error::BadOffset => PW_ERR_MODEL_BAD_OFFSET,
        Error::BadVtable => PW_ERR_MODEL_BAD_VTABLE,
        Error::UnsupportedSchema => PW_ERR_MODEL_UNSUPPORTED_SCHEMA,
        Error::MissingField => PW_ERR_MODEL_MISSING_FIELD,
        Error::NoSubgraph => PW_ERR_MODEL_NO_SUBGRAPH,
        Error::BadTensor { .. } => PW_ERR_MODEL_BAD_TENSOR,
        Error::UnsupportedType { .. } => PW_ERR_MODEL_UNSUPPORTED_TYPE,
        Error::BadTensorIndex { .. } => PW_ERR_MODEL_BAD_TENSOR_INDEX,
        Error::BadOpcodeIndex { .. } => PW_ERR_MODEL_BAD_OPCODE_INDEX,
        Error::UnsupportedOp { .. } => PW_ERR_MODEL_UNSUPPORTED_OP,
        Error::BadOptions { .. } => PW_ERR_MODEL_BAD_OPTIONS,
        Error::BadOperator { .. } => PW_ERR_MODEL_BAD_OPERATOR,
        Error::NotQuantized { .. } => PW_ERR_MODEL_NOT_QUANTIZED,
        Error::TooLarge => PW_ERR_MODEL_TOO_LARGE,
        Error::ArenaTooSmall { .. } => PW_ERR_ARENA_TOO_SMALL,
        Error::ArenaMisaligned => PW_ERR_ARENA_MISALIGNED,
        Error::PlanNeedsArena => PW_ERR_PLAN_NEEDS_ARENA,
        Error::OverBudget { .. } => PW_ERR_OVER_BUDGET,
        Error::BadPlan => PW_ERR_BAD_PLAN,
        Error::ArenaCorrupted => PW_ERR_ARENA_CORRUPTED,
        Error::KernelFailed { .. } => PW_ERR_KERNEL_FAILED,
        Error::Internal => PW_ERR_INTERNAL,
    }
}

/// Full details of a Rust error.
pub(crate) fn error_info(e: &Error) -> pw_error_info {
    let mut info = pw_error_info::status_only(status_of(e));
    if let Some((op, opcode)) = e.operator() {
        info.op_index = op;
        info.opcode = opcode;
    }
    if let Some(tensor) = e.tensor() {
        info.tensor_index = tensor;
    }
    if let Error::ArenaTooSmall { required } | Error::OverBudget { required } = *e {
        info.arena_required = required;
        info.arena_required_exact = 1;
    }
    info
}

/// A static, NUL-terminated description of `status` (never NULL; "unknown status" for codes
/// this version does not know).
#[no_mangle]
pub extern "C" fn pw_status_str(status: pw_status) -> *const core::ffi::c_char {
    let s: &'static core::ffi::CStr = match status {
        PW_OK => c"ok",
        PW_ERR_NULL_POINTER => c"a required pointer argument is NULL",
        PW_ERR_INVALID_ARGUMENT => c"an argument is out of range",
        PW_ERR_NOT_INITIALIZED => c"not a live interpreter (never initialized, or its arena was reused)",
        PW_ERR_BAD_OPTIONS => c"invalid pw_options (struct_size, unknown flags or non-zero reserved fields)",
        PW_ERR_MODEL_TRUNCATED => c"the model is truncated",
        PW_ERR_MODEL_BAD_OFFSET => c"the model is corrupt (an offset points outside it)",
        PW_ERR_MODEL_BAD_VTABLE => c"the model is corrupt (a malformed flatbuffer table)",
        PW_ERR_MODEL_UNSUPPORTED_SCHEMA => c"not a TensorFlow Lite model (schema v3)",
        PW_ERR_MODEL_MISSING_FIELD => c"the model lacks a required field",
        PW_ERR_MODEL_NO_SUBGRAPH => c"the model has no subgraph with inputs and outputs",
        PW_ERR_MODEL_BAD_TENSOR => c"a tensor of the model is invalid (shape, size, buffer or quantization)",
        PW_ERR_MODEL_UNSUPPORTED_TYPE => c"a tensor has an element type patchwise does not support",
        PW_ERR_MODEL_BAD_TENSOR_INDEX => c"the model names a tensor that does not exist",
        PW_ERR_MODEL_BAD_OPCODE_INDEX => c"an operator has an operator code that does not exist",
        PW_ERR_MODEL_UNSUPPORTED_OP => c"an operator is not supported by this build of patchwise",
        PW_ERR_MODEL_BAD_OPTIONS => c"an operator's options are missing or invalid",
        PW_ERR_MODEL_BAD_OPERATOR => c"an operator's tensors do not fit what it computes (shapes, types, quantization)",
        PW_ERR_MODEL_TOO_LARGE => c"the model exceeds patchwise's fixed limits",
        PW_ERR_MODEL_NOT_QUANTIZED => c"float32 model: patchwise runs int8 (full-integer post-training quantization)",
        PW_ERR_ARENA_TOO_SMALL => c"the arena is too small (pw_interpreter_init_ex reports the bytes needed)",
        PW_ERR_ARENA_MISALIGNED => c"the arena does not start on a PW_ARENA_ALIGN (16) byte boundary",
        PW_ERR_PLAN_NEEDS_ARENA => c"model too large to size on the stack: size it with pw_arena_required_in",
        PW_ERR_OVER_BUDGET => c"no plan fits the memory budget (arena_required: the smallest arena)",
        PW_ERR_BAD_PLAN => c"plan file corrupted or made for another model",
        PW_ERR_ARENA_CORRUPTED => {
            c"the interpreter's memory was overwritten since init (stray write or flipped bit): init again"
        }
        PW_ERR_KERNEL_FAILED => c"an operator failed while running (pw_interpreter_last_error names it)",
        PW_ERR_INTERNAL => c"internal error (a patchwise bug: please report it with the model)",
        _ => c"unknown status",
    };
    s.as_ptr()
}
