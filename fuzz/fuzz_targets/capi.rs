//! `capi`: drives the C API (`pw_*`) with arguments decoded from the input.
//!
//! Input: `[n][script: n bytes][model bytes]`. The script is a sequence of commands (one byte
//! each, followed by argument bytes; reading past the script gives zeros) over one arena and
//! one model. Arguments cover NULL pointers, model lengths (every prefix of the model, a
//! copy of it at an odd address), arena offsets (misaligned ones included) and lengths
//! (exact, one short, tiny, arbitrary), arbitrary `pw_options` fields, arbitrary tensor
//! indices, stale handles after a failed re-init, never-initialized and misaligned handles,
//! and arbitrary status codes.
//!
//! Only lengths that are true for the memory passed are used (lying about a length is
//! undefined behaviour by the API's contract), and a handle is used only while its arena and
//! model are alive and no init at another address has reused its bytes.
//!
//! Checked: no crash, no panic; statuses are the documented ones; outputs of failed calls stay
//! untouched; `pw_model_verify` agrees with `pw_arena_required`; init succeeds exactly with the
//! required figure and fails with `PW_ERR_ARENA_TOO_SMALL` one byte short; tensor views lie
//! inside the arena; a handle whose arena was re-initialized unsuccessfully reports
//! `PW_ERR_NOT_INITIALIZED`.
#![no_main]

use core::ffi::CStr;
use core::ptr::{null, null_mut};
use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use patchwise::capi::*;

struct Script<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Script<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// The largest arena the target allocates.
const ARENA_CAP: usize = 4 << 20;
const ARENA_SLACK: usize = 64;

/// A handle the target may still pass: its address, the arena bytes and required figure of
/// the init that made it.
#[derive(Clone, Copy)]
struct Live {
    handle: *mut pw_interpreter,
    arena_lo: usize,
    arena_hi: usize,
    used: usize,
}

struct State<'a> {
    model: &'a [u8],
    /// The model copied to an odd address.
    odd_model: Vec<u8>,
    arena: Vec<u128>,
    /// Handles at arena addresses: `Some` while live (as far as the target knows), `None` for
    /// an address whose last init failed (stale).
    handles: Vec<(usize, Option<Live>)>,
    never_initialized: Vec<u128>,
    opts: pw_options,
    /// What the options pointer argument is: 0 NULL, 1 `&opts`.
    opts_mode: u8,
}

impl<'a> State<'a> {
    fn base(&mut self) -> *mut u8 {
        self.arena.as_mut_ptr() as *mut u8
    }
    fn arena_bytes(&self) -> usize {
        self.arena.len() * 16
    }
    fn opts_ptr(&self) -> *const pw_options {
        if self.opts_mode == 0 {
            null()
        } else {
            &self.opts
        }
    }
    /// `(pointer, length)` of a model argument: NULL, the whole model, a prefix, or the copy
    /// at an odd address.
    fn model_arg(&self, s: &mut Script<'_>) -> (*const u8, usize) {
        let b = s.byte();
        let n = self.model.len();
        match b % 8 {
            0 => (null(), if b & 0x80 != 0 { 0 } else { n }),
            1 => (self.model.as_ptr(), 0),
            2 => (self.model.as_ptr(), n.saturating_sub(1 + (b as usize >> 3))),
            3 => (self.model.as_ptr(), (s.u32() as usize) % (n + 1)),
            4 => (self.odd_model[1..].as_ptr(), n),
            _ => (self.model.as_ptr(), n),
        }
    }
    /// The handle argument: NULL, a known arena handle (live or stale), a never-initialized
    /// one, or a misaligned pointer.
    fn handle_arg(&mut self, s: &mut Script<'_>) -> (*mut pw_interpreter, Option<Option<Live>>) {
        let b = s.byte();
        match b % 8 {
            0 => (null_mut(), None),
            1 => (self.never_initialized.as_mut_ptr() as *mut pw_interpreter, Some(None)),
            2 => {
                let k = 1 + (b as usize >> 3) % 15;
                // SAFETY: inside the arena allocation; never dereferenced (misaligned).
                (unsafe { self.base().add(k) } as *mut pw_interpreter, Some(None))
            }
            _ => {
                if self.handles.is_empty() {
                    return (null_mut(), None);
                }
                let (addr, live) = self.handles[(b as usize >> 3) % self.handles.len()];
                (addr as *mut pw_interpreter, Some(live))
            }
        }
    }
}

fn required(model: (*const u8, usize), opts: *const pw_options) -> (pw_status, usize) {
    let mut n = usize::MAX;
    // SAFETY: model pointer/length from `model_arg` (true lengths), opts NULL or a pw_options.
    let st = unsafe { pw_arena_required(model.0, model.1, opts, &mut n) };
    (st, n)
}

fn check_status_str(code: u32) {
    let p = pw_status_str(code);
    assert!(!p.is_null());
    // SAFETY: pw_status_str returns a static NUL-terminated string.
    let s = unsafe { CStr::from_ptr(p) };
    assert!(!s.to_bytes().is_empty() && s.to_bytes().len() < 80 && s.to_bytes().is_ascii());
}

const KNOWN: [u32; 25] = [
    0, 100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 300, 301, 302,
    400, 999,
];

fn run(script: &[u8], model: &[u8]) {
    let mut odd_model = vec![0u8; model.len() + 1];
    odd_model[1..].copy_from_slice(model);
    // Arena: enough for the model under any options (when below the cap), plus slack for
    // misaligned starts.
    let opts_all = |flags: u32| {
        let mut o = pw_options { struct_size: 0, flags: 0, patching: 0, memory_budget: 0, reserved: [0; 4] };
        // SAFETY: valid pointer.
        unsafe { pw_options_default(&mut o) };
        o.flags = flags;
        o
    };
    let mut need = 0usize;
    for flags in [0, 0x1f, 0x10] {
        let o = opts_all(flags);
        if let (PW_OK, n) = required((model.as_ptr(), model.len()), &o) {
            need = need.max(n);
        }
    }
    let arena_len = if need == 0 || need > ARENA_CAP { 4096 } else { need + ARENA_SLACK };
    let mut st = State {
        model,
        odd_model,
        arena: vec![0u128; arena_len.div_ceil(16)],
        handles: Vec::new(),
        never_initialized: vec![0u128; 16],
        opts: opts_all(0),
        opts_mode: 0,
    };
    let mut s = Script { bytes: script, pos: 0 };
    let mut steps = 0;
    while !s.done() && steps < 64 {
        steps += 1;
        match s.byte() % 12 {
            0 => {
                // Options: NULL, defaults, arbitrary fields, or pw_options_default(NULL).
                let b = s.byte();
                match b % 4 {
                    0 => st.opts_mode = 0,
                    1 => {
                        st.opts_mode = 1;
                        // SAFETY: valid pointer.
                        assert_eq!(unsafe { pw_options_default(&mut st.opts) }, PW_OK);
                        assert_eq!(st.opts.struct_size as usize, core::mem::size_of::<pw_options>());
                    }
                    2 => {
                        st.opts_mode = 1;
                        let size = core::mem::size_of::<pw_options>() as u32;
                        st.opts.struct_size =
                            [size, size, size, size - 4, size + 4, 0, u32::MAX][s.byte() as usize % 7];
                        st.opts.flags = match s.byte() {
                            x if x < 200 => (x & 0x1f) as u32,
                            _ => s.u32(),
                        };
                        st.opts.patching = [0, 1, 2, u32::MAX][s.byte() as usize % 4];
                        // Mostly none; a budget plans (or refuses with PW_ERR_OVER_BUDGET).
                        st.opts.memory_budget = if s.byte() < 200 { 0 } else { s.u32() };
                        let r = s.byte();
                        st.opts.reserved = [0; 4];
                        if r >= 0xf0 {
                            st.opts.reserved[(r & 3) as usize] = 1 + (r >> 2) as u32;
                        }
                    }
                    _ => {
                        // SAFETY: NULL is allowed and rejected.
                        assert_eq!(unsafe { pw_options_default(null_mut()) }, PW_ERR_NULL_POINTER);
                    }
                }
            }
            1 => {
                // pw_arena_required vs pw_model_verify.
                let m = st.model_arg(&mut s);
                let null_out = s.byte().is_multiple_of(8);
                let mut n = 0xdead_beefusize;
                let mut info = pw_error_info {
                    status: 12345,
                    op_index: 1,
                    opcode: 2,
                    tensor_index: 3,
                    arena_required: 4,
                    arena_required_exact: 5,
                    op_name: core::ptr::null(),
                    op_name_len: 0,
                    tensor_name: core::ptr::null(),
                    tensor_name_len: 0,
                };
                // SAFETY: true lengths; outputs valid or NULL.
                let (a, v) = unsafe {
                    let out = if null_out { null_mut() } else { &mut n as *mut usize };
                    let a = pw_arena_required(m.0, m.1, st.opts_ptr(), out);
                    let v = pw_model_verify(m.0, m.1, st.opts_ptr(), &mut info);
                    (a, v)
                };
                check_status_str(a);
                assert_eq!(v, info.status);
                if null_out {
                    assert_eq!(a, PW_ERR_NULL_POINTER);
                    assert_eq!(n, 0xdead_beef);
                } else {
                    assert_eq!(a, v, "pw_arena_required and pw_model_verify disagree");
                    if a == PW_OK {
                        assert_eq!(n, info.arena_required);
                    } else {
                        assert_eq!(n, 0xdead_beef, "output written on failure");
                    }
                }
                // SAFETY: NULL info is rejected without writing.
                assert_eq!(unsafe { pw_model_verify(m.0, m.1, st.opts_ptr(), null_mut()) }, PW_ERR_NULL_POINTER);
                if m.0.is_null() {
                    assert_eq!(v, PW_ERR_NULL_POINTER);
                }
                // SAFETY: true lengths; the model slice is alive through the checks.
                unsafe { check_description(m, st.opts_ptr(), v, info.arena_required) };
            }
            2 => {
                // pw_interpreter_init at an offset of the arena with some length.
                let m = st.model_arg(&mut s);
                let off_b = s.byte();
                let off = (off_b % 16) as usize + 16 * ((off_b >> 4) % 3) as usize;
                let total = st.arena_bytes();
                let avail = total.saturating_sub(off);
                let (rst, rn) = required(m, st.opts_ptr());
                let len = match s.byte() % 10 {
                    0 if rst == PW_OK => rn.min(avail),
                    1 if rst == PW_OK => rn.saturating_sub(1).min(avail),
                    2 => 0,
                    3 => 3,
                    4 => 4,
                    5 => 160,
                    6 => s.u32() as usize % (avail + 1),
                    _ => avail,
                };
                let null_out = s.byte().is_multiple_of(16);
                let base = st.base();
                // SAFETY: off < total (the arena is at least 4096 bytes and off < 48).
                let arena = unsafe { base.add(off) };
                let mut out: *mut pw_interpreter = 0x5a5a_5a50 as *mut pw_interpreter;
                let outp = if null_out { null_mut() } else { &mut out as *mut _ };
                let aligned = (arena as usize).is_multiple_of(PW_ARENA_ALIGN);
                // SAFETY: arena valid for `len` bytes (len ≤ avail), model true length, opts
                // valid or NULL, out valid or NULL. Handles overlapping this region are dropped
                // below before any further use.
                let stt = unsafe { pw_interpreter_init(m.0, m.1, arena as *mut _, len, st.opts_ptr(), outp) };
                check_status_str(stt);
                if null_out {
                    assert_eq!(stt, PW_ERR_NULL_POINTER);
                    continue;
                }
                if !aligned {
                    assert_eq!(stt, PW_ERR_ARENA_MISALIGNED);
                    assert_eq!(out as usize, 0x5a5a_5a50);
                    continue;
                }
                let addr = arena as usize;
                // Any handle at another address whose interpreter may overlap [addr, addr+len)
                // is no longer usable; the one at this address is replaced or stale.
                st.handles.retain(|&(a, l)| {
                    a == addr
                        || match l {
                            Some(l) => l.arena_hi <= addr || l.arena_lo >= addr + len,
                            None => a + 4 <= addr || a >= addr + len,
                        }
                });
                let prev = st.handles.iter().position(|&(a, _)| a == addr);
                if stt == PW_OK {
                    assert_eq!(out as usize, addr, "handle not at the arena's first byte");
                    assert_eq!(rst, PW_OK, "init accepts what pw_arena_required refuses");
                    assert!(len >= rn, "init succeeded with {len} < required {rn}");
                    let live = Live { handle: out, arena_lo: addr, arena_hi: addr + len, used: rn };
                    match prev {
                        Some(i) => st.handles[i] = (addr, Some(live)),
                        None => st.handles.push((addr, Some(live))),
                    }
                } else {
                    assert_eq!(out as usize, 0x5a5a_5a50, "output written on failure");
                    if rst != PW_OK && !m.0.is_null() && m.1 > 0 && len >= 4 {
                        assert_eq!(stt, rst, "init and pw_arena_required disagree");
                    }
                    if stt == PW_ERR_ARENA_TOO_SMALL {
                        assert_eq!(rst, PW_OK);
                        assert!(len < rn, "too small with {len} ≥ {rn}");
                    }
                    if rst == PW_OK && len >= rn && !m.0.is_null() {
                        panic!("init fails ({stt}) with {len} ≥ required {rn}");
                    }
                    if len >= 4 {
                        // The old interpreter at this address (if any) is invalidated.
                        match prev {
                            Some(i) => st.handles[i].1 = None,
                            None => st.handles.push((addr, None)),
                        }
                    } else if let Some(i) = prev {
                        // Contract: "invalidates any interpreter that lived there, even when it
                        // fails". With fewer than 4 bytes nothing can be written; the target
                        // no longer uses such a handle either way.
                        st.handles.remove(i);
                    }
                }
            }
            3 => {
                let (h, known) = st.handle_arg(&mut s);
                // SAFETY: NULL, misaligned, never-initialized, or a tracked handle.
                let r = unsafe { pw_interpreter_invoke(h) };
                check_status_str(r);
                expect_handle_status(r, h, known, &[PW_OK, PW_ERR_KERNEL_FAILED]);
            }
            4 => {
                let (h, known) = st.handle_arg(&mut s);
                let null_out = s.byte().is_multiple_of(8);
                let mut n = 777usize;
                let out = if null_out { null_mut() } else { &mut n as *mut usize };
                // SAFETY: as above; out valid or NULL.
                let (a, b) = unsafe { (pw_interpreter_input_count(h, out), pw_interpreter_output_count(h, out)) };
                if null_out {
                    assert_eq!((a, b), (PW_ERR_NULL_POINTER, PW_ERR_NULL_POINTER));
                } else {
                    expect_handle_status(a, h, known, &[PW_OK]);
                    expect_handle_status(b, h, known, &[PW_OK]);
                    if a != PW_OK {
                        assert_eq!(n, 777);
                    } else {
                        assert!(n >= 1);
                    }
                }
            }
            5 | 6 => {
                let is_input = s.byte().is_multiple_of(2);
                let (h, known) = st.handle_arg(&mut s);
                let ib = s.byte();
                let index = match ib % 6 {
                    0 => 0,
                    1 => 1,
                    2 => usize::MAX,
                    3 => u32::MAX as usize + 1,
                    4 => (ib >> 3) as usize,
                    _ => s.u32() as usize,
                };
                let null_out = s.byte().is_multiple_of(8);
                let mut t = pw_tensor {
                    data: 0x1234_0000 as *mut _,
                    bytes: 99,
                    dtype: 98,
                    rank: 97,
                    dims: [96; PW_MAX_RANK],
                    scale: 95.0,
                    zero_point: 94,
                };
                let out = if null_out { null_mut() } else { &mut t as *mut pw_tensor };
                // SAFETY: as above; out valid or NULL.
                let r = unsafe {
                    if is_input {
                        pw_interpreter_input(h, index, out)
                    } else {
                        pw_interpreter_output(h, index, out)
                    }
                };
                check_status_str(r);
                if null_out {
                    assert_eq!(r, PW_ERR_NULL_POINTER);
                    continue;
                }
                expect_handle_status(r, h, known, &[PW_OK, PW_ERR_INVALID_ARGUMENT]);
                if r != PW_OK {
                    assert_eq!(t.bytes, 99, "output written on failure");
                    continue;
                }
                let Some(Some(live)) = known else { panic!("PW_OK from an unknown handle") };
                assert!(t.rank as usize <= PW_MAX_RANK);
                let elems: usize = t.dims[..t.rank as usize].iter().map(|&d| d as usize).product();
                let size = match t.dtype {
                    PW_TYPE_INT8 | PW_TYPE_UINT8 | PW_TYPE_BOOL => 1,
                    PW_TYPE_INT16 => 2,
                    PW_TYPE_FLOAT32 | PW_TYPE_INT32 => 4,
                    PW_TYPE_INT64 => 8,
                    x => panic!("dtype {x}"),
                };
                assert_eq!(t.bytes, elems * size);
                assert!(t.dims[t.rank as usize..].iter().all(|&d| d == 0));
                let p = t.data as usize;
                let in_arena = p >= live.arena_lo && p + t.bytes <= live.arena_hi;
                let in_model = p >= st.model.as_ptr() as usize
                    && p + t.bytes <= st.model.as_ptr() as usize + st.model.len()
                    || p >= st.odd_model.as_ptr() as usize
                        && p + t.bytes <= st.odd_model.as_ptr() as usize + st.odd_model.len();
                if is_input {
                    assert!(t.bytes == 0 || in_arena, "input {index} outside the arena");
                    let fill = s.byte();
                    // SAFETY: `bytes` bytes inside the arena this handle owns.
                    unsafe { core::ptr::write_bytes(t.data as *mut u8, fill, t.bytes) };
                } else {
                    // Outputs may be constants (read from the model) or arena bytes.
                    assert!(t.bytes == 0 || in_arena || in_model, "output {index} outside arena and model");
                    // SAFETY: readable as just checked.
                    let v = unsafe { core::slice::from_raw_parts(t.data as *const u8, t.bytes) };
                    std::hint::black_box(v.iter().fold(0u8, |a, &b| a ^ b));
                }
            }
            7 => {
                let (h, known) = st.handle_arg(&mut s);
                let mut n = 0usize;
                // SAFETY: as above.
                let r = unsafe { pw_interpreter_arena_used(h, &mut n) };
                expect_handle_status(r, h, known, &[PW_OK]);
                if let (PW_OK, Some(Some(live))) = (r, known) {
                    assert_eq!(n, live.used, "arena_used differs from pw_arena_required");
                }
                // SAFETY: NULL output rejected.
                assert_eq!(unsafe { pw_interpreter_arena_used(h, null_mut()) }, PW_ERR_NULL_POINTER);
            }
            8 => {
                let (h, known) = st.handle_arg(&mut s);
                let mut info = pw_error_info {
                    status: 5,
                    op_index: 6,
                    opcode: 7,
                    tensor_index: 8,
                    arena_required: 9,
                    arena_required_exact: 10,
                    op_name: core::ptr::null(),
                    op_name_len: 0,
                    tensor_name: core::ptr::null(),
                    tensor_name_len: 0,
                };
                // SAFETY: as above.
                let r = unsafe { pw_interpreter_last_error(h, &mut info) };
                expect_handle_status(r, h, known, &[PW_OK]);
                if r == PW_OK {
                    assert!(info.status == PW_OK || info.status == PW_ERR_KERNEL_FAILED, "{info:?}");
                    if info.status == PW_ERR_KERNEL_FAILED {
                        assert_ne!(info.op_index, u32::MAX);
                    }
                } else {
                    assert_eq!(info.status, 5);
                }
            }
            9 => {
                let code = if s.byte().is_multiple_of(2) { KNOWN[s.byte() as usize % KNOWN.len()] } else { s.u32() };
                check_status_str(code);
            }
            10 => assert_eq!(pw_version(), PW_VERSION),
            _ => {
                // A full, correct sequence on the current options: required → init → inputs →
                // invoke → outputs.
                let m = (st.model.as_ptr(), st.model.len());
                let (rst, rn) = required(m, st.opts_ptr());
                if rst != PW_OK || rn + 16 > st.arena_bytes() {
                    continue;
                }
                let base = st.base();
                let addr = base as usize;
                st.handles.retain(|&(a, l)| {
                    a == addr
                        || match l {
                            Some(l) => l.arena_hi <= addr || l.arena_lo >= addr + rn,
                            None => a + 4 <= addr || a >= addr + rn,
                        }
                });
                st.handles.retain(|&(a, _)| a != addr);
                let mut h = null_mut();
                // SAFETY: aligned arena of at least rn bytes; model true length.
                let r = unsafe { pw_interpreter_init(m.0, m.1, base as *mut _, rn, st.opts_ptr(), &mut h) };
                assert_eq!(r, PW_OK, "init with the required figure");
                st.handles.push((addr, Some(Live { handle: h, arena_lo: addr, arena_hi: addr + rn, used: rn })));
                let mut n = 0;
                // SAFETY: live handle.
                unsafe {
                    assert_eq!(pw_interpreter_input_count(h, &mut n), PW_OK);
                    for i in 0..n {
                        let mut t = core::mem::zeroed::<pw_tensor>();
                        if pw_interpreter_input(h, i, &mut t) == PW_OK {
                            core::ptr::write_bytes(t.data as *mut u8, s.byte(), t.bytes);
                        }
                    }
                    let r = pw_interpreter_invoke(h);
                    assert!(r == PW_OK || r == PW_ERR_KERNEL_FAILED, "invoke {r}");
                    assert_eq!(pw_interpreter_input(h, n, &mut core::mem::zeroed()), PW_ERR_INVALID_ARGUMENT);
                }
            }
        }
    }
    // Every tracked live handle still answers (nothing scribbled over it).
    for &(addr, l) in &st.handles {
        if let Some(l) = l {
            let mut n = 0;
            // SAFETY: tracked live handle.
            assert_eq!(unsafe { pw_interpreter_arena_used(l.handle, &mut n) }, PW_OK, "handle at {addr:#x}");
            assert_eq!(n, l.used);
        }
    }
}

/// A name from the description calls: empty, inside the model, or (operators) the library's
/// static name of `opcode`.
fn check_name(model: (*const u8, usize), p: *const core::ffi::c_char, len: usize, opcode: Option<u32>) {
    if len == 0 {
        return;
    }
    let (lo, hi) = (model.0 as usize, model.0 as usize + model.1);
    let (a, b) = (p as usize, p as usize + len);
    if a >= lo && b <= hi {
        return;
    }
    let code = opcode.expect("a tensor name outside the model");
    // SAFETY: pw_opcode_name returns a static NUL-terminated string.
    let builtin = unsafe { CStr::from_ptr(pw_opcode_name(code)) }.to_bytes();
    assert_eq!(p as usize, builtin.as_ptr() as usize, "operator name neither in the model nor static");
    assert_eq!(len, builtin.len());
}

/// `pw_model_summary`, `pw_model_tensor`, `pw_model_operator` and `pw_arena_required_in` agree
/// with `pw_model_verify` (status `v`, `required` bytes on success) and never point outside the
/// model.
///
/// # Safety
/// `m` is NULL or valid for `m.1` bytes; `opts` NULL or a valid pw_options.
unsafe fn check_description(m: (*const u8, usize), opts: *const pw_options, v: pw_status, required: usize) {
    let mut sum = core::mem::MaybeUninit::<pw_model_info>::zeroed();
    // SAFETY: caller's contract; output valid.
    let r = unsafe { pw_model_summary(m.0, m.1, opts, sum.as_mut_ptr()) };
    check_status_str(r);
    if r != PW_OK {
        assert_eq!(r, v, "pw_model_summary and pw_model_verify disagree");
        return;
    }
    // SAFETY: written on PW_OK.
    let sum = unsafe { sum.assume_init() };
    assert_eq!(sum.verify_status, v);
    assert_eq!(sum.arena_required, if v == PW_OK { required } else { 0 });
    assert!(sum.unsupported_ops <= sum.operators && sum.features_missing & !sum.features_needed == 0);
    for (which, count) in [(PW_MODEL_INPUT, sum.inputs), (PW_MODEL_OUTPUT, sum.outputs), (PW_MODEL_TENSOR, sum.tensors)]
    {
        for i in 0..=count.min(64) as usize {
            let mut t = core::mem::MaybeUninit::<pw_tensor_info>::zeroed();
            // SAFETY: caller's contract; output valid.
            let r = unsafe { pw_model_tensor(m.0, m.1, which, i, t.as_mut_ptr()) };
            if i == count as usize {
                assert_eq!(r, PW_ERR_INVALID_ARGUMENT);
                continue;
            }
            assert_eq!(r, PW_OK);
            // SAFETY: written on PW_OK.
            let t = unsafe { t.assume_init() };
            assert!(t.tensor_index < sum.tensors && t.rank as usize <= PW_MAX_RANK);
            check_name(m, t.name, t.name_len, None);
        }
    }
    let mut needed = 0u64;
    for o in 0..=sum.operators.min(64) as usize {
        let mut op = core::mem::MaybeUninit::<pw_operator_info>::zeroed();
        // SAFETY: caller's contract; output valid.
        let r = unsafe { pw_model_operator(m.0, m.1, o, op.as_mut_ptr()) };
        if o == sum.operators as usize {
            assert_eq!(r, PW_ERR_INVALID_ARGUMENT);
            continue;
        }
        assert_eq!(r, PW_OK);
        // SAFETY: written on PW_OK.
        let op = unsafe { op.assume_init() };
        check_name(m, op.name, op.name_len, Some(op.opcode));
        if op.feature != u32::MAX {
            assert!(op.feature < PW_FEATURE_COUNT && !pw_feature_name(op.feature).is_null());
            needed |= 1 << op.feature;
        }
    }
    if sum.operators <= 64 {
        // The operators give the operator features; the last one, "int16", comes from the
        // model's tensor types.
        let int16 = 1u64 << (PW_FEATURE_COUNT - 1);
        assert_eq!(needed, sum.features_needed & !int16);
    }
    // Sizing in a work buffer of plan_work_bytes gives what verify gives.
    if sum.plan_work_bytes <= 4 << 20 {
        let mut work = vec![0u128; sum.plan_work_bytes.div_ceil(16)];
        let mut n = 0usize;
        // SAFETY: caller's contract; the work buffer is ours and at least plan_work_bytes.
        let r = unsafe { pw_arena_required_in(m.0, m.1, opts, work.as_mut_ptr().cast(), sum.plan_work_bytes, &mut n) };
        if v == PW_OK {
            assert_eq!((r, n), (PW_OK, required), "pw_arena_required_in and pw_model_verify disagree");
        } else if v != PW_ERR_PLAN_NEEDS_ARENA {
            assert_eq!(r, v, "pw_arena_required_in and pw_model_verify disagree");
        }
    }
}

/// Checks the status of a call on a handle argument.
fn expect_handle_status(r: pw_status, h: *mut pw_interpreter, known: Option<Option<Live>>, ok: &[pw_status]) {
    match known {
        None => {
            assert!(h.is_null());
            assert_eq!(r, PW_ERR_NULL_POINTER);
        }
        Some(None) => assert_eq!(r, PW_ERR_NOT_INITIALIZED, "stale/never-initialized/misaligned handle"),
        Some(Some(_)) => assert!(ok.contains(&r), "status {r} on a live handle"),
    }
}

fuzz_target!(|data: &[u8]| {
    let prefix = patchwise_fuzz::capi_prefix(data);
    let (script, model) = data.split_at(prefix);
    run(script.get(1..).unwrap_or(&[]), model);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let prefix = patchwise_fuzz::capi_prefix(&data[..size]);
    patchwise_fuzz::mutate::mutate(data, size, max_size, seed, prefix, &|d, s, m| libfuzzer_sys::fuzzer_mutate(d, s, m))
});
