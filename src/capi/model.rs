//! Describing a model without an arena (`pw_model_*`, `pw_opcode_name`, `pw_feature_name`),
//! sizing it in a caller-given work buffer (`pw_arena_required_in`), and an init that reports
//! why it failed (`pw_interpreter_init_ex`).

use super::{error_info, pw_error_info, pw_status, pw_type, status_of, PW_MAX_RANK};
use super::{model_slice, options, pw_interpreter, pw_interpreter_arena_used, pw_interpreter_init, pw_options};
use super::{PW_ERR_INVALID_ARGUMENT, PW_ERR_NULL_POINTER, PW_OK};
use crate::interpreter::{plan_work_bytes, sizes_on_stack, Interpreter};
use crate::schema::opcodes::{builtin_cname, OpKind};
use crate::schema::Model;
use core::ffi::c_char;

/// `pw_model_tensor`: `index` is a model input (model order).
pub const PW_MODEL_INPUT: u32 = 0;
/// `pw_model_tensor`: `index` is a model output (model order).
pub const PW_MODEL_OUTPUT: u32 = 1;
/// `pw_model_tensor`: `index` is a tensor index of subgraph 0 (as in `pw_error_info`).
pub const PW_MODEL_TENSOR: u32 = 2;

/// Number of cargo features a model may need (`pw_feature_name(0 .. PW_FEATURE_COUNT-1)`):
/// the operator features, then "int16" (int16-activation operator forms).
pub const PW_FEATURE_COUNT: u32 = 36;
const _: () = assert!(PW_FEATURE_COUNT as usize == OpKind::FEATURES.len());

/// A model at a glance, from `pw_model_summary` (subgraph 0, the one that runs).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct pw_model_info {
    /// Number of model inputs (`pw_model_tensor(..., PW_MODEL_INPUT, i, ...)`).
    pub inputs: u32,
    /// Number of model outputs.
    pub outputs: u32,
    /// Number of operators (`pw_model_operator(..., i, ...)`).
    pub operators: u32,
    /// Number of tensors.
    pub tensors: u32,
    /// Operators this build of the library cannot run (unknown to patchwise, custom, or
    /// compiled out: see `features_missing`).
    pub unsupported_ops: u32,
    /// What `pw_model_verify` returns: `PW_OK` when init accepts the model given
    /// `arena_required` bytes, else the error init would give (`PW_ERR_PLAN_NEEDS_ARENA`:
    /// every operator is accepted, but the model is too large to size without a work buffer:
    /// `pw_arena_required_in`).
    pub verify_status: pw_status,
    /// Operator cargo features the model needs: bit `i` is `pw_feature_name(i)` ("op-conv").
    /// A library built with `--no-default-features --features panic-handler,` + these runs it.
    pub features_needed: u64,
    /// The needed features this library was built without (its operators are refused).
    pub features_missing: u64,
    /// Exact arena bytes for the options given (set when `verify_status` is `PW_OK`, else 0).
    pub arena_required: usize,
    /// Bytes of the work buffer `pw_arena_required_in` needs to size this model (any model).
    pub plan_work_bytes: usize,
}

/// One tensor of a model, from `pw_model_tensor`. Names point into the model bytes (valid as
/// long as they are) and are not NUL-terminated in general: print with `%.*s`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pw_tensor_info {
    /// The tensor's index in subgraph 0.
    pub tensor_index: u32,
    /// Element type, a `PW_TYPE_*` value.
    pub dtype: pw_type,
    /// Number of dimensions, 0..=`PW_MAX_RANK`.
    pub rank: u32,
    /// Dimensions; entries past `rank` are 0.
    pub dims: [i32; PW_MAX_RANK],
    /// Quantization scale (the first one when per-channel); 0 when not quantized.
    pub scale: f32,
    /// Quantization zero point (the first one when per-channel).
    pub zero_point: i32,
    /// Number of quantization scales: 0 none, 1 per-tensor, more: per-channel.
    pub quant_scales: u32,
    /// 1 when the tensor is constant (its data is in the model), else 0.
    pub is_constant: u32,
    /// Size in bytes (product of dims × element size).
    pub bytes: usize,
    /// The tensor's name in the model (may be empty).
    pub name: *const c_char,
    /// Its length in bytes.
    pub name_len: usize,
}

/// One operator of a model, from `pw_model_operator`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pw_operator_info {
    /// Builtin opcode (TFLite `BuiltinOperator`; 32 = CUSTOM).
    pub opcode: u32,
    /// Number of input tensor slots (an absent optional input counts).
    pub inputs: u32,
    /// Number of outputs.
    pub outputs: u32,
    /// Index of its feature for `pw_feature_name`, or `UINT32_MAX` when it needs none or is
    /// not a patchwise operator.
    pub feature: u32,
    /// 1 when this build of the library runs this operator (known and compiled in), else 0.
    pub supported: u32,
    /// Index of output 0 in the model's tensors (`PW_MODEL_TENSOR`), `UINT32_MAX` if none.
    pub output_tensor: u32,
    /// Its name: "CONV_2D" (the library's constant, NUL-terminated), or a custom operator's
    /// own name (in the model, not NUL-terminated); length 0 for a builtin code newer than
    /// this library knows.
    pub name: *const c_char,
    /// Its length in bytes.
    pub name_len: usize,
}

/// The schema name of a builtin operator code ("CONV_2D" for 3, "CUSTOM" for 32): a static,
/// NUL-terminated string, never NULL; "UNKNOWN" for codes past RIGHT_SHIFT (161) that this
/// library does not name. A custom operator's own name comes from `pw_model_operator`.
#[no_mangle]
pub extern "C" fn pw_opcode_name(code: u32) -> *const c_char {
    builtin_cname(code).unwrap_or(c"UNKNOWN").as_ptr()
}

/// The name of operator feature `index` ("op-conv"; the bits of
/// `pw_model_info.features_needed`): a static NUL-terminated string, or NULL for
/// `index >= PW_FEATURE_COUNT`.
#[no_mangle]
pub extern "C" fn pw_feature_name(index: u32) -> *const c_char {
    match FEATURE_CNAMES.get(index as usize) {
        Some(c) => c.as_ptr(),
        None => core::ptr::null(),
    }
}

/// [`OpKind::FEATURES`] as C strings (checked equal by a test).
const FEATURE_CNAMES: [&core::ffi::CStr; PW_FEATURE_COUNT as usize] = [
    c"op-add",
    c"op-pool",
    c"op-concatenation",
    c"op-conv",
    c"op-depthwise",
    c"op-dequantize",
    c"op-fully-connected",
    c"op-logistic",
    c"op-mul",
    c"op-relu",
    c"op-softmax",
    c"op-pad",
    c"op-transpose",
    c"op-mean",
    c"op-resize-nearest",
    c"op-quantize",
    c"op-hard-swish",
    c"op-leaky-relu",
    c"op-split",
    c"op-strided-slice",
    c"op-sub",
    c"op-maximum-minimum",
    c"op-squared-difference",
    c"op-tanh",
    c"op-l2norm",
    c"op-gather",
    c"op-pack",
    c"op-space-to-depth",
    c"op-transpose-conv",
    c"op-prelu",
    c"op-resize-bilinear",
    c"op-arg-min-max",
    c"op-slice",
    c"op-space-batch",
    c"op-detection-postprocess",
    c"int16",
];

/// Writes `value` to `out` (non-NULL, checked by the caller).
///
/// # Safety
/// `out` valid for writing a `T`.
unsafe fn put<T>(out: *mut T, value: T) -> pw_status {
    // SAFETY: non-NULL (checked by every caller) and writable by the caller's contract.
    unsafe { out.write_unaligned(value) };
    PW_OK
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Describes a model without an arena: input, output, operator and tensor counts, the
/// operator features it needs, whether (and in how many arena bytes, for `opts`) this library
/// runs it. Verifies the whole model and, to size it, plans it as `pw_arena_required` does
/// (on the stack: models above 256 tensors + operators get `verify_status`
/// `PW_ERR_PLAN_NEEDS_ARENA` and are sized by `pw_arena_required_in` in a work buffer of
/// `plan_work_bytes`).
///
/// # Returns
/// `PW_OK` and `*summary` set for any model that parses, runnable or not (`verify_status`
/// says); the model's `PW_ERR_MODEL_*` error when it does not parse; `PW_ERR_NULL_POINTER`,
/// `PW_ERR_BAD_OPTIONS`.
///
/// # Safety
/// `model` valid for `model_len` bytes; `opts` NULL or a valid `pw_options`; `summary` valid
/// for writing a `pw_model_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_model_summary(
    model: *const u8,
    model_len: usize,
    opts: *const pw_options,
    summary: *mut pw_model_info,
) -> pw_status {
    if summary.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contracts.
    let (model, opts) = match unsafe { (model_slice(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let s = match crate::summary::summarize(model, &opts) {
        Ok(s) => s,
        Err(e) => return status_of(&e),
    };
    let (verify_status, arena_required) = match s.arena {
        Ok(n) => (PW_OK, n),
        Err(e) => (status_of(&e), 0),
    };
    let out = pw_model_info {
        inputs: u32_of(s.inputs),
        outputs: u32_of(s.outputs),
        operators: u32_of(s.operators),
        tensors: u32_of(s.tensors),
        unsupported_ops: u32_of(s.unsupported_ops),
        verify_status,
        features_needed: s.features_needed,
        features_missing: s.features_missing,
        arena_required,
        plan_work_bytes: s.plan_work_bytes,
    };
    // SAFETY: non-NULL (checked above), caller's contract.
    unsafe { put(summary, out) }
}

/// Describes one tensor of a model without an arena: a model input (`which` =
/// `PW_MODEL_INPUT`), output (`PW_MODEL_OUTPUT`), or any tensor by its index in subgraph 0
/// (`PW_MODEL_TENSOR`, the index `pw_error_info.tensor_index` gives). Each call verifies the
/// model again (as `pw_model_summary`, without planning).
///
/// # Returns
/// `PW_OK` and `*info` set; `PW_ERR_INVALID_ARGUMENT` for an unknown `which` or an index past
/// the count; the model's `PW_ERR_MODEL_*` error; `PW_ERR_NULL_POINTER`.
///
/// # Safety
/// `model` valid for `model_len` bytes (the name in `*info` points into them); `info` valid
/// for writing a `pw_tensor_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_model_tensor(
    model: *const u8,
    model_len: usize,
    which: u32,
    index: usize,
    info: *mut pw_tensor_info,
) -> pw_status {
    if info.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contract.
    let bytes = match unsafe { model_slice(model, model_len) } {
        Ok(b) => b,
        Err(e) => return e,
    };
    let m = match Model::parse(bytes) {
        Ok(m) => m,
        Err(e) => return status_of(&e),
    };
    let t = match which {
        PW_MODEL_INPUT => m.input(index),
        PW_MODEL_OUTPUT => m.output(index),
        PW_MODEL_TENSOR if index < m.num_tensors() => Ok(index),
        _ => return PW_ERR_INVALID_ARGUMENT,
    };
    let Ok(t) = t else { return PW_ERR_INVALID_ARGUMENT };
    let tensor = match m.tensor(t) {
        Ok(x) => x,
        Err(e) => return status_of(&e),
    };
    let mut dims = [0i32; PW_MAX_RANK];
    for (d, &x) in dims.iter_mut().zip(tensor.shape.dims()) {
        *d = i32::try_from(x).unwrap_or(i32::MAX);
    }
    let out = pw_tensor_info {
        tensor_index: u32_of(t),
        dtype: tensor.dtype as u8 as u32,
        rank: u32_of(tensor.shape.rank()),
        dims,
        scale: tensor.quant.scale(),
        zero_point: tensor.quant.zero_point(),
        quant_scales: u32_of(tensor.quant.scales.len()),
        is_constant: u32::from(tensor.data.is_some()),
        bytes: tensor.bytes(),
        name: tensor.name.as_ptr().cast(),
        name_len: tensor.name.len(),
    };
    // SAFETY: non-NULL (checked above), caller's contract.
    unsafe { put(info, out) }
}

/// Describes operator `index` (execution order) of a model without an arena: opcode, name
/// ("CONV_2D", or a custom operator's own name), tensor counts, the feature it needs and
/// whether this library runs it. Each call verifies the model again.
///
/// # Returns
/// `PW_OK` and `*info` set; `PW_ERR_INVALID_ARGUMENT` for an index past the operator count;
/// the model's `PW_ERR_MODEL_*` error; `PW_ERR_NULL_POINTER`.
///
/// # Safety
/// `model` valid for `model_len` bytes (a custom name in `*info` points into them); `info`
/// valid for writing a `pw_operator_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_model_operator(
    model: *const u8,
    model_len: usize,
    index: usize,
    info: *mut pw_operator_info,
) -> pw_status {
    if info.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contract.
    let bytes = match unsafe { model_slice(model, model_len) } {
        Ok(b) => b,
        Err(e) => return e,
    };
    let m = match Model::parse(bytes) {
        Ok(m) => m,
        Err(e) => return status_of(&e),
    };
    if index >= m.num_operators() {
        return PW_ERR_INVALID_ARGUMENT;
    }
    let (op, name) = match (m.operator(index), m.operator_name(index)) {
        (Ok(op), Ok(name)) => (op, name),
        (Err(e), _) | (_, Err(e)) => return status_of(&e),
    };
    let kind = OpKind::from_code(op.opcode);
    // The custom operators patchwise runs carry its own codes inside; C sees CUSTOM (32).
    let schema_code = if op.opcode >= crate::schema::opcodes::CUSTOM_CODES {
        crate::schema::numbers::builtin::CUSTOM
    } else {
        op.opcode
    };
    let out = pw_operator_info {
        opcode: schema_code,
        inputs: u32_of(op.num_inputs()),
        outputs: u32_of(op.num_outputs()),
        feature: kind.and_then(OpKind::feature_index).map_or(u32::MAX, u32_of),
        supported: u32::from(kind.is_some_and(OpKind::enabled)),
        output_tensor: op.output(0).map_or(u32::MAX, u32_of),
        name: name.as_ptr().cast(),
        name_len: name.len(),
    };
    // SAFETY: non-NULL (checked above), caller's contract.
    unsafe { put(info, out) }
}

/// Exact arena bytes `pw_interpreter_init` needs for this model and options, planning inside
/// the caller's `work` buffer instead of the stack: sizes every model init can run, however
/// large (`pw_arena_required` gives `PW_ERR_PLAN_NEEDS_ARENA` above 256 tensors + operators).
/// `work` must start on a `PW_ARENA_ALIGN` boundary and hold `plan_work_bytes` (from
/// `pw_model_summary`); its contents are overwritten. The arena you will give to init may serve
/// as `work` (it is a fraction of the arena).
///
/// # Returns
/// `PW_OK` and `*bytes` set; `PW_ERR_ARENA_TOO_SMALL` when `work` is smaller than
/// `plan_work_bytes`; `PW_ERR_ARENA_MISALIGNED`; the model's error (`PW_ERR_MODEL_*`);
/// `PW_ERR_NULL_POINTER`, `PW_ERR_BAD_OPTIONS`, `PW_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `model` valid for `model_len` bytes; `opts` NULL or a valid `pw_options`; `work` valid for
/// reads and writes of `work_len` bytes, not overlapping the model; `bytes` valid for writing
/// a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_arena_required_in(
    model: *const u8,
    model_len: usize,
    opts: *const pw_options,
    work: *mut core::ffi::c_void,
    work_len: usize,
    bytes: *mut usize,
) -> pw_status {
    if bytes.is_null() || work.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    if work_len > isize::MAX as usize {
        return PW_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: forwarded caller contracts.
    let (model, opts) = match unsafe { (model_slice(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    // SAFETY: non-NULL, readable and writable for work_len ≤ isize::MAX bytes and not
    // overlapping the model for this call (caller's contract).
    let work = unsafe { core::slice::from_raw_parts_mut(work.cast::<u8>(), work_len) };
    match crate::interpreter::arena_required_in(model, &opts, work) {
        // SAFETY: non-NULL (checked above), caller's contract.
        Ok(n) => unsafe { put(bytes, n) },
        Err(e) => status_of(&e),
    }
}

/// `pw_interpreter_init`, plus `*info` describing the outcome, written on success and on
/// failure: on `PW_OK` `arena_required` is the arena bytes used; on `PW_ERR_ARENA_TOO_SMALL`
/// it is the bytes this model needs with these options (exact for every model, except one
/// above 256 tensors + operators given an arena too small even to plan in: then
/// `arena_required_exact` is 0 and the figure is a lower bound; init with that many bytes
/// reports the exact one); on a model error the failing operator and tensor, by index and name.
/// A failed init costs a second verification of the model (to describe the failure).
///
/// # Returns
/// As `pw_interpreter_init`; `PW_ERR_NULL_POINTER` also when `info` is NULL (nothing else is
/// done then).
///
/// # Safety
/// As `pw_interpreter_init`; `info` valid for writing a `pw_error_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_init_ex(
    model: *const u8,
    model_len: usize,
    arena: *mut core::ffi::c_void,
    arena_len: usize,
    opts: *const pw_options,
    out: *mut *mut pw_interpreter,
    info: *mut pw_error_info,
) -> pw_status {
    if info.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contracts.
    let status = unsafe { pw_interpreter_init(model, model_len, arena, arena_len, opts, out) };
    let details = if status == PW_OK {
        let mut used = 0usize;
        // SAFETY: `out` was just written with a live handle (init succeeded).
        let st = unsafe { pw_interpreter_arena_used(out.read_unaligned(), &mut used) };
        pw_error_info {
            arena_required: used,
            arena_required_exact: u32::from(st == PW_OK),
            ..pw_error_info::status_only(PW_OK)
        }
    } else {
        // SAFETY: forwarded caller contracts (init failed, so the arena holds no handle).
        unsafe { init_failure(status, model, model_len, arena, arena_len, opts) }
    };
    // SAFETY: non-NULL (checked above), caller's contract.
    unsafe { info.write_unaligned(details) };
    status
}

/// Describes why `pw_interpreter_init` failed with `status`: runs the Rust init again (a
/// failure path only) to recover the error it dropped.
///
/// # Safety
/// As `pw_interpreter_init`.
unsafe fn init_failure(
    status: pw_status,
    model: *const u8,
    model_len: usize,
    arena: *mut core::ffi::c_void,
    arena_len: usize,
    opts: *const pw_options,
) -> pw_error_info {
    let plain = pw_error_info::status_only(status);
    // Argument errors (NULL, misalignment, options) need no more words.
    if arena.is_null() || arena as usize % super::PW_ARENA_ALIGN != 0 || arena_len > isize::MAX as usize {
        return plain;
    }
    // SAFETY: forwarded caller contracts.
    let (bytes, options) = match unsafe { (model_slice(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => (m, o),
        _ => return plain,
    };
    // SAFETY: non-NULL, aligned, readable and writable for arena_len ≤ isize::MAX bytes, the
    // interpreter's alone during this call (caller's contract of pw_interpreter_init).
    let arena = unsafe { core::slice::from_raw_parts_mut(arena.cast::<u8>(), arena_len) };
    let e = match Interpreter::init(bytes, arena, &options) {
        Err(e) => e,
        Ok(_) => {
            // Init succeeded this time, yet the call above reported `status`: leave no live
            // handle behind a failed call.
            if let Some(magic) = arena.get_mut(..4) {
                magic.fill(0);
            }
            return plain;
        }
    };
    let mut info = error_info(&e);
    info.status = status;
    if info.arena_required != 0 {
        // Only a model above the stack-planning limit given an arena smaller than its
        // planner's work tables gets a lower bound (see `Interpreter::init`).
        let exact = Model::parse(bytes)
            .and_then(|m| Ok(sizes_on_stack(&m)? || arena_len >= plan_work_bytes(&m)?))
            .unwrap_or(false);
        info.arena_required_exact = u32::from(exact);
    }
    info.with_names(bytes)
}
