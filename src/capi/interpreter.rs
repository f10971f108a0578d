//! `pw_interpreter_*`: the interpreter object of the C API.

use super::profile::Hooks;
use super::status::*;
use super::{model_slice, options, pw_options, PW_ARENA_ALIGN, PW_MAX_RANK};
use crate::interpreter::{Interpreter, TensorView, HANDLE_MAGIC};
use crate::memory::MAX_EXTERNAL;
use core::ffi::c_void;

/// An interpreter. Opaque: it lives inside the caller's arena, at its first byte, and is valid
/// until the arena is reused (a new `pw_interpreter_init` on it invalidates the old handle).
/// Every call taking a handle first checks it: a checksum of its fields (set at init) and its
/// tables inside the arena; a handle overwritten since init (a stray write, a flipped bit)
/// gives `PW_ERR_ARENA_CORRUPTED`, never a wild pointer.
pub struct pw_interpreter {
    _opaque: [u8; 0],
}

/// Element type of a tensor (values of the TFLite schema's `TensorType`).
pub type pw_type = u32;
/// 32-bit IEEE float.
pub const PW_TYPE_FLOAT32: pw_type = 0;
/// 32-bit signed integer.
pub const PW_TYPE_INT32: pw_type = 2;
/// 8-bit unsigned integer.
pub const PW_TYPE_UINT8: pw_type = 3;
/// 64-bit signed integer.
pub const PW_TYPE_INT64: pw_type = 4;
/// Boolean, one byte.
pub const PW_TYPE_BOOL: pw_type = 6;
/// 16-bit signed integer.
pub const PW_TYPE_INT16: pw_type = 7;
/// 8-bit signed integer.
pub const PW_TYPE_INT8: pw_type = 9;

/// A model input or output. `data` points into the arena: it stays valid while the
/// interpreter is; inputs are written through it before `pw_interpreter_invoke`, outputs read
/// after it. Layout is row-major over `dims[0..rank]` (NHWC for images), little-endian.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pw_tensor {
    /// First byte of the tensor's data (16-byte aligned only if the model's plan makes it so;
    /// at least 4-byte aligned).
    pub data: *mut core::ffi::c_void,
    /// Size of the data in bytes (= product of dims × element size).
    pub bytes: usize,
    /// Element type, a `PW_TYPE_*` value.
    pub dtype: pw_type,
    /// Number of dimensions, 0..=`PW_MAX_RANK`.
    pub rank: u32,
    /// Dimensions; entries past `rank` are 0.
    pub dims: [i32; PW_MAX_RANK],
    /// Quantization scale: real = scale × (q − zero_point); 0 for float tensors.
    pub scale: f32,
    /// Quantization zero point.
    pub zero_point: i32,
}

type Handle = Interpreter<'static, 'static>;

/// Checks a handle pointer: NULL, alignment, the live-handle magic, then the handle's integrity
/// (checksum and pointers within the arena: `PW_ERR_ARENA_CORRUPTED`).
///
/// # Safety
/// `h` is NULL or valid for reads of 4 bytes.
unsafe fn live(h: *const pw_interpreter) -> Result<*mut Handle, pw_status> {
    if h.is_null() {
        return Err(PW_ERR_NULL_POINTER);
    }
    if h as usize % PW_ARENA_ALIGN != 0 {
        return Err(PW_ERR_NOT_INITIALIZED);
    }
    // SAFETY: non-NULL, aligned, readable for 4 bytes (caller's contract). `Interpreter` is
    // repr(C) with the magic word first, so a live handle has HANDLE_MAGIC here.
    let magic = unsafe { (h as *const u32).read() };
    if magic != HANDLE_MAGIC {
        return Err(PW_ERR_NOT_INITIALIZED);
    }
    // SAFETY: a live handle (magic checked) built by pw_interpreter_init; only its own bytes
    // are read, and the checksum and bounds are verified before any pointer in it is followed.
    match unsafe { &*(h as *const Handle) }.check_integrity() {
        Ok(()) => Ok(h as *mut Handle),
        Err(e) => Err(status_of(&e)),
    }
}

/// Writes `get(handle)` to `out` (the shape of every `pw_interpreter_*` getter of one value).
///
/// # Safety
/// `interp` is NULL or a handle; `out` is NULL or valid for writing a `T`.
unsafe fn write_from<T>(interp: *const pw_interpreter, out: *mut T, get: impl FnOnce(&Handle) -> T) -> pw_status {
    if out.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: caller's contract on `interp`.
    match unsafe { live(interp) } {
        Ok(h) => {
            // SAFETY: `live` checked a handle built by pw_interpreter_init; `out` is non-NULL and
            // writable by the caller's contract.
            unsafe { out.write_unaligned(get(&*h)) };
            PW_OK
        }
        Err(e) => e,
    }
}

fn tensor_of(v: &TensorView<'_>, data: *mut core::ffi::c_void) -> pw_tensor {
    let mut dims = [0i32; PW_MAX_RANK];
    for (d, &x) in dims.iter_mut().zip(v.shape.dims()) {
        *d = x as i32;
    }
    pw_tensor {
        data,
        bytes: v.data.len(),
        dtype: v.dtype as u8 as u32,
        rank: v.shape.rank() as u32,
        dims,
        scale: v.scale,
        zero_point: v.zero_point,
    }
}

/// Verifies `model`, plans it and builds an interpreter inside `arena`.
///
/// The model is read in place (it may live in flash at any alignment) and must stay unchanged
/// and alive while the interpreter is used; patchwise keeps no copy. The arena must start on a
/// `PW_ARENA_ALIGN` (16) byte boundary and be at least `pw_arena_required` bytes; it belongs
/// to the interpreter until you reuse it. Any interpreter previously built in the same arena is
/// invalidated, even when this call fails (for an arena of at least 4 bytes). No other memory
/// is used (no heap, no globals), so interpreters on different arenas are independent and may
/// run on different threads. Planning happens inside the arena, so this works for models too
/// large for `pw_arena_required` (`PW_ERR_PLAN_NEEDS_ARENA`): give such a model all the memory
/// you can spare and read back `pw_interpreter_arena_used`.
///
/// # Returns
/// `PW_OK` and `*out` set; `PW_ERR_NULL_POINTER`, `PW_ERR_BAD_OPTIONS`,
/// `PW_ERR_ARENA_MISALIGNED`, `PW_ERR_ARENA_TOO_SMALL` (then `pw_model_verify` or
/// `pw_arena_required` tell the size), or the model's `PW_ERR_MODEL_*` error (details from
/// `pw_model_verify`).
///
/// # Safety
/// `model` valid for reads of `model_len` bytes and `arena` valid for reads and writes of
/// `arena_len` bytes, both for as long as the handle is used and not accessed by anything else
/// meanwhile (except input/output data through `pw_tensor`); `opts` NULL or a valid
/// `pw_options`; `out` valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_init(
    model: *const u8,
    model_len: usize,
    arena: *mut core::ffi::c_void,
    arena_len: usize,
    opts: *const pw_options,
    out: *mut *mut pw_interpreter,
) -> pw_status {
    if out.is_null() || arena.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    if arena as usize % PW_ARENA_ALIGN != 0 {
        return PW_ERR_ARENA_MISALIGNED;
    }
    if arena_len > isize::MAX as usize {
        return PW_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: non-NULL, aligned, readable and writable for arena_len bytes and exclusively the
    // interpreter's while the handle is used (caller's contract); arena_len ≤ isize::MAX.
    let arena: &'static mut [u8] = unsafe { core::slice::from_raw_parts_mut(arena as *mut u8, arena_len) };
    // From here on any interpreter that lived in this arena is invalid, whatever happens next.
    if let Some(magic) = arena.get_mut(..4) {
        magic.fill(0);
    }
    // SAFETY: forwarded caller contracts; the slice lives as long as the handle ('static here
    // stands for "until the caller reuses the memory", which the contract above promises).
    let (model, opts) = match unsafe { (model_slice::<'static>(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match Interpreter::init(model, arena, &opts) {
        Ok(interp) => {
            // SAFETY: `out` is non-NULL and writable (caller's contract).
            unsafe { out.write_unaligned(interp as *mut Handle as *mut pw_interpreter) };
            PW_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Sets up an interpreter from a plan made ahead of time on the host (`patchwise plan MODEL
/// --emit FILE`, kept in flash beside the model) instead of planning on the device.
///
/// Init then verifies the model, checks that the plan was made for exactly these model bytes
/// (length and checksum) and is intact, and copies its tables into the arena: it runs no
/// planner and needs no planning memory (`pw_planned_arena_required` gives the size), and a
/// firmware that never calls `pw_interpreter_init` links no planner code. Everything else is as
/// with `pw_interpreter_init` (options were chosen when the plan was made).
///
/// # Returns
/// `PW_OK` and `*out` set; `PW_ERR_NULL_POINTER`, `PW_ERR_ARENA_MISALIGNED`,
/// `PW_ERR_ARENA_TOO_SMALL`, `PW_ERR_BAD_PLAN`, or the model's `PW_ERR_MODEL_*` error.
///
/// # Safety
/// As `pw_interpreter_init`; `plan` valid for reads of `plan_len` bytes during the call (it is
/// not kept).
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_init_planned(
    model: *const u8,
    model_len: usize,
    plan: *const u8,
    plan_len: usize,
    arena: *mut core::ffi::c_void,
    arena_len: usize,
    out: *mut *mut pw_interpreter,
) -> pw_status {
    if out.is_null() || arena.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    if arena as usize % PW_ARENA_ALIGN != 0 {
        return PW_ERR_ARENA_MISALIGNED;
    }
    if arena_len > isize::MAX as usize {
        return PW_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: as in pw_interpreter_init: non-NULL, aligned, readable and writable for
    // arena_len bytes and exclusively the interpreter's while the handle is used.
    let arena: &'static mut [u8] = unsafe { core::slice::from_raw_parts_mut(arena as *mut u8, arena_len) };
    if let Some(magic) = arena.get_mut(..4) {
        magic.fill(0);
    }
    // SAFETY: forwarded caller contracts (the model for as long as the handle lives, the plan
    // for this call).
    let (model, plan) = match unsafe { (model_slice::<'static>(model, model_len), model_slice(plan, plan_len)) } {
        (Ok(m), Ok(p)) => (m, p),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match Interpreter::init_planned(model, plan, arena) {
        Ok(interp) => {
            // SAFETY: `out` is non-NULL and writable (caller's contract).
            unsafe { out.write_unaligned(interp as *mut Handle as *mut pw_interpreter) };
            PW_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Exact arena bytes `pw_interpreter_init_planned` needs for this model and plan (both
/// verified, as init does).
///
/// # Returns
/// `PW_OK` and `*bytes` set; `PW_ERR_NULL_POINTER`, `PW_ERR_BAD_PLAN`, or the model's
/// `PW_ERR_MODEL_*` error.
///
/// # Safety
/// `model` valid for `model_len` bytes, `plan` for `plan_len` bytes; `bytes` valid for writing
/// a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_planned_arena_required(
    model: *const u8,
    model_len: usize,
    plan: *const u8,
    plan_len: usize,
    bytes: *mut usize,
) -> pw_status {
    if bytes.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contracts.
    let (model, plan) = match unsafe { (model_slice(model, model_len), model_slice(plan, plan_len)) } {
        (Ok(m), Ok(p)) => (m, p),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match crate::interpreter::planned_arena_required(model, plan) {
        Ok(n) => {
            // SAFETY: non-NULL and writable by the caller's contract.
            unsafe { bytes.write_unaligned(n) };
            PW_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Runs the model once on the current input data.
///
/// Input data may be overwritten during the run (as in TFLM): write all inputs before every
/// invoke, or init with `PW_FLAG_KEEP_INPUTS`. On failure, `pw_interpreter_last_error` names the operator. An interpreter
/// initialized with `PW_FLAG_EXTERNAL_INPUT` runs only through
/// `pw_interpreter_invoke_with_inputs` (here: `PW_ERR_INVALID_ARGUMENT`).
///
/// # Returns
/// `PW_OK`; `PW_ERR_NULL_POINTER`, `PW_ERR_NOT_INITIALIZED`, `PW_ERR_ARENA_CORRUPTED` (the
/// handle was overwritten since init: init again), `PW_ERR_INVALID_ARGUMENT`, or
/// `PW_ERR_KERNEL_FAILED`.
///
/// # Safety
/// `interp` is a handle (see the module docs) not used concurrently from another thread.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_invoke(interp: *mut pw_interpreter) -> pw_status {
    // SAFETY: caller's contract on `interp`.
    match unsafe { live(interp) } {
        // SAFETY: `live` checked the magic of an interpreter built by pw_interpreter_init, whose
        // memory the caller still grants exclusively.
        Ok(h) => match unsafe { &mut *h }.invoke_observed(None, &mut Hooks) {
            Ok(()) => PW_OK,
            Err(e) => status_of(&e),
        },
        Err(e) => e,
    }
}

/// One model input in the caller's memory, for `pw_interpreter_invoke_with_inputs`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pw_input {
    /// The input's bytes (any alignment); read, never written.
    pub data: *const c_void,
    /// Their number: exactly the input tensor's size in bytes.
    pub size: usize,
}

/// Runs the model once on inputs in the caller's memory (a camera frame buffer, say).
///
/// `inputs[i]` is model input `i`; `count` must equal the model's input count (at most 8).
/// With `PW_FLAG_EXTERNAL_INPUT` at init the inputs take no arena bytes and are read where they
/// are (only the rows each fused segment needs, while it needs them); without it they are
/// copied into the arena first, as `pw_interpreter_input` + `pw_interpreter_invoke` would.
/// The input memory is never written and must stay valid and unchanged until this returns.
///
/// # Returns
/// `PW_OK`; `PW_ERR_NULL_POINTER` (a NULL handle, `inputs` NULL, or an input's `data` NULL);
/// `PW_ERR_INVALID_ARGUMENT` (`count` or a `size` not matching the model);
/// `PW_ERR_NOT_INITIALIZED`; `PW_ERR_KERNEL_FAILED`.
///
/// # Safety
/// `interp` is a handle not used concurrently from another thread; `inputs` is valid for
/// reading `count` `pw_input`s, each `data` for reading `size` bytes, none inside the arena.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_invoke_with_inputs(
    interp: *mut pw_interpreter,
    inputs: *const pw_input,
    count: usize,
) -> pw_status {
    // SAFETY: caller's contract on `interp`.
    let h = match unsafe { live(interp) } {
        Ok(h) => h,
        Err(e) => return e,
    };
    if inputs.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: `live` checked the magic of an interpreter built by pw_interpreter_init.
    if count != unsafe { &*h }.num_inputs() || count > MAX_EXTERNAL {
        return PW_ERR_INVALID_ARGUMENT;
    }
    let mut slices: [&[u8]; MAX_EXTERNAL] = [&[]; MAX_EXTERNAL];
    for (i, slot) in slices.iter_mut().enumerate().take(count) {
        // SAFETY: `inputs` is valid for `count` entries (caller's contract) and i < count.
        let input = unsafe { inputs.add(i).read_unaligned() };
        if input.data.is_null() {
            return PW_ERR_NULL_POINTER;
        }
        // SAFETY: `data` is non-NULL and valid for reading `size` bytes, unchanged and outside
        // the arena until this call returns (caller's contract); the slice does not outlive it.
        *slot = unsafe { core::slice::from_raw_parts(input.data.cast::<u8>(), input.size) };
    }
    // SAFETY: `live` checked the magic of an interpreter built by pw_interpreter_init, whose
    // memory the caller still grants exclusively.
    match unsafe { &mut *h }.invoke_observed(Some(slices.get(..count).unwrap_or(&[])), &mut Hooks) {
        Ok(()) => PW_OK,
        Err(e) => status_of(&e),
    }
}

/// Number of model inputs.
///
/// # Safety
/// `interp` a handle; `count` valid for writing a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_input_count(interp: *const pw_interpreter, count: *mut usize) -> pw_status {
    // SAFETY: forwarded caller contracts.
    unsafe { write_from(interp, count, Handle::num_inputs) }
}

/// Number of model outputs.
///
/// # Safety
/// `interp` a handle; `count` valid for writing a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_output_count(interp: *const pw_interpreter, count: *mut usize) -> pw_status {
    // SAFETY: forwarded caller contracts.
    unsafe { write_from(interp, count, Handle::num_outputs) }
}

/// Describes input `index` (model order); write the input through `tensor->data`.
///
/// Shared bytes: to keep the arena small, the plan reuses an input's bytes once no operator
/// needs the input any more. By default, therefore, `pw_interpreter_invoke` may overwrite the
/// input (write every input before every invoke; `PW_FLAG_KEEP_INPUTS` keeps them intact), and
/// an output may occupy some of the input's bytes, so that writing the next input destroys the
/// previous output (`pw_interpreter_output_aliases_input` tells; `PW_FLAG_OUTPUTS_APART`
/// prevents it).
///
/// An interpreter initialized with `PW_FLAG_EXTERNAL_INPUT` keeps its inputs in the caller's
/// memory: they have no bytes in the arena, this returns `PW_ERR_INVALID_ARGUMENT`, and they
/// are passed to `pw_interpreter_invoke_with_inputs` instead.
///
/// # Returns
/// `PW_OK`; `PW_ERR_NULL_POINTER`, `PW_ERR_NOT_INITIALIZED`, `PW_ERR_INVALID_ARGUMENT` for an
/// index ≥ the input count or an input kept in caller memory.
///
/// # Safety
/// `interp` a handle; `tensor` valid for writing a `pw_tensor`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_input(
    interp: *mut pw_interpreter,
    index: usize,
    tensor: *mut pw_tensor,
) -> pw_status {
    if tensor.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: caller's contract on `interp`.
    let h = match unsafe { live(interp) } {
        Ok(h) => h,
        Err(e) => return e,
    };
    // SAFETY: live handle, exclusively granted by the caller for this call.
    let h = unsafe { &mut *h };
    let t = match h.input_mut(index) {
        Ok(t) => {
            let ptr = t.data.as_mut_ptr() as *mut core::ffi::c_void;
            let view =
                TensorView { data: &[], shape: t.shape, dtype: t.dtype, scale: t.scale, zero_point: t.zero_point };
            pw_tensor { bytes: t.data.len(), ..tensor_of(&view, ptr) }
        }
        Err(e) => return status_of(&e),
    };
    // SAFETY: non-NULL and writable (caller's contract).
    unsafe { tensor.write_unaligned(t) };
    PW_OK
}

/// Describes output `index` (model order); read it through `tensor->data` after a successful
/// `pw_interpreter_invoke`.
///
/// Shared bytes: by default an output may occupy bytes of an input (the plan reuses the
/// input's bytes once no operator needs it): read the outputs before writing the next input.
/// `pw_interpreter_output_aliases_input` tells whether this output does; planning with
/// `PW_FLAG_OUTPUTS_APART` keeps every output apart from the inputs.
///
/// # Returns
/// `PW_OK`; `PW_ERR_NULL_POINTER`, `PW_ERR_NOT_INITIALIZED`, `PW_ERR_INVALID_ARGUMENT` for an
/// index ≥ the output count.
///
/// # Safety
/// `interp` a handle; `tensor` valid for writing a `pw_tensor`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_output(
    interp: *const pw_interpreter,
    index: usize,
    tensor: *mut pw_tensor,
) -> pw_status {
    if tensor.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: caller's contract on `interp`.
    let h = match unsafe { live(interp) } {
        Ok(h) => h,
        Err(e) => return e,
    };
    // SAFETY: live handle.
    let h = unsafe { &*h };
    let t = match h.output(index) {
        Ok(v) => tensor_of(&v, v.data.as_ptr() as *mut core::ffi::c_void),
        Err(e) => return status_of(&e),
    };
    // SAFETY: non-NULL and writable (caller's contract).
    unsafe { tensor.write_unaligned(t) };
    PW_OK
}

/// Sets `*aliases` to 1 when output `index` shares arena bytes with some input (writing that
/// input overwrites the output), else 0. Always 0 with `PW_FLAG_OUTPUTS_APART` (except for a
/// tensor that is both an input and an output) and for inputs kept in the caller's memory
/// (`PW_FLAG_EXTERNAL_INPUT`).
///
/// # Returns
/// `PW_OK`; `PW_ERR_NULL_POINTER`, `PW_ERR_NOT_INITIALIZED`, `PW_ERR_INVALID_ARGUMENT` for an
/// index ≥ the output count.
///
/// # Safety
/// `interp` a handle; `aliases` valid for writing an `int`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_output_aliases_input(
    interp: *const pw_interpreter,
    index: usize,
    aliases: *mut core::ffi::c_int,
) -> pw_status {
    if aliases.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: caller's contract on `interp`.
    let h = match unsafe { live(interp) } {
        Ok(h) => h,
        Err(e) => return e,
    };
    // SAFETY: live handle.
    match unsafe { &*h }.output_aliases_input(index) {
        Ok(a) => {
            // SAFETY: non-NULL and writable (caller's contract).
            unsafe { aliases.write_unaligned(core::ffi::c_int::from(a)) };
            PW_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Arena bytes the interpreter uses (equals `pw_arena_required`).
///
/// # Safety
/// `interp` a handle; `bytes` valid for writing a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_arena_used(interp: *const pw_interpreter, bytes: *mut usize) -> pw_status {
    // SAFETY: forwarded caller contracts.
    unsafe { write_from(interp, bytes, Handle::arena_used) }
}

/// Details of the last failed `pw_interpreter_invoke` (status `PW_OK` in `*info` if the last
/// invoke succeeded or none ran): failing operator index and opcode.
///
/// # Safety
/// `interp` a handle; `info` valid for writing a `pw_error_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_interpreter_last_error(
    interp: *const pw_interpreter,
    info: *mut pw_error_info,
) -> pw_status {
    if info.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: caller's contract on `interp`.
    let h = match unsafe { live(interp) } {
        Ok(h) => h,
        Err(e) => return e,
    };
    // SAFETY: live handle.
    let h = unsafe { &*h };
    let details = match h.last_error() {
        Some(e) => error_info(&e).with_names(h.model().bytes()),
        None => pw_error_info::status_only(PW_OK),
    };
    // SAFETY: non-NULL and writable.
    unsafe { info.write_unaligned(details) };
    PW_OK
}
