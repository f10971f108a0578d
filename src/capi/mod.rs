//! The C API: `pw_` functions over the safe Rust API (see `include/patchwise.h`).
//!
//! Conventions (also in the README): `pw_<object>_<verb>`; the object pointer first, then
//! inputs, then outputs; every buffer is followed by its `size_t` length; outputs are written
//! only on success; every pointer is NULL-checked; the caller owns all memory (there is no
//! `_free`: the interpreter handle lives inside the caller's arena). Every function returns a
//! `pw_status`; codes are grouped and never renumbered.
//!
//! Pointer vocabulary used in the `# Safety` sections: a pointer is *valid for N bytes* when it
//! is NULL (rejected with `PW_ERR_NULL_POINTER`) or points to N bytes the caller owns for the
//! duration stated; a *handle* is NULL or a pointer returned by `pw_interpreter_init` whose
//! arena and model are still alive and not used for anything else.

#![allow(non_camel_case_types)]

mod interpreter;
mod model;
mod profile;
mod status;

pub use interpreter::*;
pub use model::*;
pub use status::*;

use crate::interpreter::Options;

/// Version of patchwise: `major << 16 | minor << 8 | patch`.
pub const PW_VERSION: u32 = 0x00_01_00;

/// Required alignment (bytes) of the arena's first byte.
pub const PW_ARENA_ALIGN: usize = 16;
const _: () = assert!(PW_ARENA_ALIGN == crate::interpreter::ARENA_ALIGN);

/// Largest tensor rank; `pw_tensor.dims` has this many entries.
pub const PW_MAX_RANK: usize = 6;
const _: () = assert!(PW_MAX_RANK == crate::tensor::MAX_RANK);

/// Patching policy: let patchwise decide (fused segments run row by row where they lower the
/// arena).
pub const PW_PATCH_AUTO: u32 = 0;
/// Patching policy: always run layer by layer.
pub const PW_PATCH_OFF: u32 = 1;

/// `pw_options.flags`: do not fold PAD into the following convolution.
pub const PW_FLAG_NO_PAD_FUSION: u32 = 1 << 0;
/// `pw_options.flags`: give RESHAPE/SQUEEZE outputs their own bytes (copy).
pub const PW_FLAG_NO_ALIAS: u32 = 1 << 1;
/// `pw_options.flags`: no in-place elementwise operators.
pub const PW_FLAG_NO_IN_PLACE: u32 = 1 << 2;
/// `pw_options.flags`: no overlapping input/output buffers for sliding-window operators.
pub const PW_FLAG_NO_OVERLAP: u32 = 1 << 3;
/// `pw_options.flags`: plain TFLM-style greedy placement instead of the arena search.
pub const PW_FLAG_NO_SEARCH: u32 = 1 << 4;
/// `pw_options.flags`: the model's inputs stay in the caller's memory (a frame buffer, say)
/// and take no arena bytes; every invoke must then be `pw_interpreter_invoke_with_inputs`. An
/// input that is also an output stays in the arena.
pub const PW_FLAG_EXTERNAL_INPUT: u32 = 1 << 5;
/// `pw_options.flags`: inputs stay intact across `pw_interpreter_invoke` (no other tensor
/// reuses their bytes, no operator writes over them), so an invoke can be repeated without
/// writing the inputs again. Costs arena bytes (`patchwise plan MODEL --keep-inputs` tells how
/// many).
pub const PW_FLAG_KEEP_INPUTS: u32 = 1 << 6;
/// `pw_options.flags`: outputs never share bytes with inputs
/// (`pw_interpreter_output_aliases_input` is then 0), so writing the next input leaves the
/// previous outputs readable. Costs arena bytes (`patchwise plan MODEL --outputs-apart`).
pub const PW_FLAG_OUTPUTS_APART: u32 = 1 << 7;
const PW_FLAGS_KNOWN: u32 = 0xff;

/// Options for planning and init. Initialize with `pw_options_default`, then change fields.
/// Passing NULL where a `const pw_options*` is expected means the defaults.
///
/// Versioning: the library reads `struct_size` bytes (a whole number of fields, at least
/// `struct_size` and `flags`, at most this library's `sizeof(pw_options)`); fields beyond an
/// older caller's `struct_size` take their defaults. Fields that take effect: `flags`,
/// `patching`, `memory_budget`. `reserved` must be 0 (`PW_ERR_BAD_OPTIONS` otherwise), as must
/// every unknown flag bit.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pw_options {
    /// `sizeof(pw_options)` as the caller compiled it (set by `pw_options_default`).
    pub struct_size: u32,
    /// `PW_FLAG_*` bits switching memory-planning tricks off (0 = all on), keeping inputs
    /// outside the arena, keeping inputs intact across invoke and outputs apart from inputs.
    pub flags: u32,
    /// Patching policy: `PW_PATCH_AUTO` or `PW_PATCH_OFF`.
    pub patching: u32,
    /// Total arena bytes the plan may take; 0 (default): no budget, the smallest plan. With a
    /// budget the plan fuses operators into patch-based segments only when it must: the
    /// operator-by-operator plan if it fits, else the fused plan (`PW_PATCH_AUTO`); when
    /// neither fits, `PW_ERR_OVER_BUDGET` with the smallest arena in
    /// `pw_error_info.arena_required` (from `pw_model_verify`).
    pub memory_budget: u32,
    /// Reserved for future options; must be 0.
    pub reserved: [u32; 4],
}

impl pw_options {
    const DEFAULT: pw_options = pw_options {
        struct_size: core::mem::size_of::<pw_options>() as u32,
        flags: 0,
        patching: PW_PATCH_AUTO,
        memory_budget: 0,
        reserved: [0; 4],
    };
}

/// Reads and validates options (NULL = defaults).
///
/// # Safety
/// `opts` is NULL, or valid for reading its `struct_size` field and then `struct_size` bytes.
unsafe fn options(opts: *const pw_options) -> Result<Options, pw_status> {
    if opts.is_null() {
        return Ok(Options::default());
    }
    // SAFETY: non-NULL and, by the caller's contract, its first field is readable.
    let size = unsafe { opts.cast::<u32>().read_unaligned() } as usize;
    // A whole number of u32 fields, `struct_size` and `flags` at least, none this library
    // does not know.
    if size < 8 || size % 4 != 0 || size > core::mem::size_of::<pw_options>() {
        return Err(PW_ERR_BAD_OPTIONS);
    }
    let mut o = pw_options::DEFAULT;
    // SAFETY: the caller's struct is readable for `size` bytes (its contract), `o` is a local
    // of at least `size` bytes (checked above), and the two do not overlap; every field is a
    // u32, so any bytes make a valid pw_options.
    unsafe { core::ptr::copy_nonoverlapping(opts.cast::<u8>(), (&mut o as *mut pw_options).cast::<u8>(), size) };
    if o.flags & !PW_FLAGS_KNOWN != 0 || o.patching > PW_PATCH_OFF || o.reserved != [0; 4] {
        return Err(PW_ERR_BAD_OPTIONS);
    }
    let mut options = options_from_flags(o.flags);
    options.patch = o.patching == PW_PATCH_AUTO;
    options.budget = o.memory_budget as usize;
    Ok(options)
}

/// Planner options from `pw_options.flags`: each `PW_FLAG_NO_*` bit set switches its trick off,
/// `PW_FLAG_EXTERNAL_INPUT` keeps inputs out of the arena (other bits are ignored here; the
/// `pw_` functions refuse them); patching stays on (it is `pw_options.patching`). The tests and fuzz targets select option combinations with the
/// same encoding.
pub fn options_from_flags(flags: u32) -> Options {
    let on = |flag: u32| flags & flag == 0;
    Options {
        pad_fusion: on(PW_FLAG_NO_PAD_FUSION),
        alias: on(PW_FLAG_NO_ALIAS),
        in_place: on(PW_FLAG_NO_IN_PLACE),
        overlap: on(PW_FLAG_NO_OVERLAP),
        search: on(PW_FLAG_NO_SEARCH),
        patch: true,
        patch_all: false,
        external_input: flags & PW_FLAG_EXTERNAL_INPUT != 0,
        keep_inputs: flags & PW_FLAG_KEEP_INPUTS != 0,
        outputs_apart: flags & PW_FLAG_OUTPUTS_APART != 0,
        budget: 0,
    }
}

/// The version of the library (`PW_VERSION` of the build that was linked).
#[no_mangle]
pub extern "C" fn pw_version() -> u32 {
    PW_VERSION
}

/// Fills `*opts` with the default options.
///
/// # Returns
/// `PW_OK`, or `PW_ERR_NULL_POINTER` if `opts` is NULL.
///
/// # Safety
/// `opts` is NULL or valid for writing `sizeof(pw_options)` bytes.
#[no_mangle]
pub unsafe extern "C" fn pw_options_default(opts: *mut pw_options) -> pw_status {
    if opts.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: non-NULL and writable by the caller's contract.
    unsafe { opts.write_unaligned(pw_options::DEFAULT) };
    PW_OK
}

/// A model slice from a C pointer and length.
///
/// # Safety
/// `model` is NULL or valid for reads of `len` bytes for `'m`.
unsafe fn model_slice<'m>(model: *const u8, len: usize) -> Result<&'m [u8], pw_status> {
    if model.is_null() {
        return Err(PW_ERR_NULL_POINTER);
    }
    if len > isize::MAX as usize {
        return Err(PW_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, readable for `len` bytes for 'm (caller's contract), len ≤ isize::MAX;
    // u8 has no alignment requirement.
    Ok(unsafe { core::slice::from_raw_parts(model, len) })
}

/// Exact arena bytes `pw_interpreter_init` needs for this model and options.
///
/// Verifies the whole model and plans it. Without an arena, planning uses the stack: about 35
/// bytes per tensor and operator, about 12 KiB at most (models of at most 256 tensors +
/// operators, else `PW_ERR_PLAN_NEEDS_ARENA`: `pw_arena_required_in` sizes those in a work
/// buffer, and `pw_interpreter_init` has no such limit).
/// Firmware usually takes the figure from `patchwise plan` instead.
///
/// # Returns
/// `PW_OK` and `*bytes` set; or the model's error (`PW_ERR_MODEL_*`), `PW_ERR_PLAN_NEEDS_ARENA`,
/// `PW_ERR_NULL_POINTER`, `PW_ERR_BAD_OPTIONS`.
///
/// # Safety
/// `model` valid for `model_len` bytes; `opts` NULL or a valid `pw_options`; `bytes` valid for
/// writing a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn pw_arena_required(
    model: *const u8,
    model_len: usize,
    opts: *const pw_options,
    bytes: *mut usize,
) -> pw_status {
    if bytes.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contracts.
    let (model, opts) = match unsafe { (model_slice(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match crate::interpreter::arena_required_with(model, &opts) {
        Ok(n) => {
            // SAFETY: non-NULL and writable by the caller's contract.
            unsafe { bytes.write_unaligned(n) };
            PW_OK
        }
        Err(e) => status_of(&e),
    }
}

/// Verifies and plans a model as `pw_interpreter_init` would, without an arena, and describes
/// the outcome in `*info` (status, failing operator index and opcode, tensor index, arena bytes
/// required). This is the one function whose output is written on failure: it exists to tell
/// why a model is refused.
///
/// # Returns
/// The model's status: `PW_OK` if `pw_interpreter_init` would accept it given a large enough
/// arena; otherwise the error init would return. `PW_ERR_NULL_POINTER` if `info` is NULL.
///
/// # Safety
/// As `pw_arena_required`; `info` valid for writing a `pw_error_info`.
#[no_mangle]
pub unsafe extern "C" fn pw_model_verify(
    model: *const u8,
    model_len: usize,
    opts: *const pw_options,
    info: *mut pw_error_info,
) -> pw_status {
    if info.is_null() {
        return PW_ERR_NULL_POINTER;
    }
    // SAFETY: forwarded caller contracts.
    let result = match unsafe { (model_slice(model, model_len), options(opts)) } {
        (Ok(m), Ok(o)) => crate::interpreter::arena_required_with(m, &o).map_err(|e| error_info(&e).with_names(m)),
        (Err(e), _) | (_, Err(e)) => Err(pw_error_info::status_only(e)),
    };
    let out = match result {
        Ok(n) => pw_error_info { arena_required: n, arena_required_exact: 1, ..pw_error_info::status_only(PW_OK) },
        Err(i) => i,
    };
    // SAFETY: non-NULL and writable by the caller's contract.
    unsafe { info.write_unaligned(out) };
    out.status
}
