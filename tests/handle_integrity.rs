//! The interpreter handle at the arena's start is checked before use: any single flipped bit
//! of its magic word gives `PW_ERR_NOT_INITIALIZED`, of its counters (`used`, the last failed
//! operator) `PW_ERR_ARENA_CORRUPTED`, and no flip anywhere in the handle makes a call follow a
//! wild pointer (every status is a documented one). The C side's `bitflip` program does the
//! same over whole arenas of several models under the sanitizers.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::capi::*;
use patchwise::{arena_required, Error, HostArena, Interpreter, Options};
use std::path::Path;

fn model(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ops").join(name).join("model.tflite")).unwrap()
}

fn known(s: pw_status) -> bool {
    // SAFETY: pw_status_str returns a static NUL-terminated string.
    let text = unsafe { std::ffi::CStr::from_ptr(pw_status_str(s)) };
    text.to_bytes() != b"unknown status"
}

#[test]
fn every_bit_of_the_handle_flipped_is_caught_or_harmless() {
    for name in ["conv_3x3_s1_same", "multi_io_add_mul"] {
        let bytes = model(name);
        let need = arena_required(&bytes).unwrap();
        let mut arena = HostArena::new(need);
        let mem = arena.bytes_mut();
        let base = mem.as_mut_ptr();
        let mut h: *mut pw_interpreter = std::ptr::null_mut();
        // SAFETY: the model and the arena outlive every use of the handle below, and the arena
        // is touched only through `base` (flips) between calls.
        unsafe {
            assert_eq!(
                pw_interpreter_init(bytes.as_ptr(), bytes.len(), base.cast(), need, std::ptr::null(), &mut h),
                PW_OK
            );
            assert_eq!(pw_interpreter_invoke(h), PW_OK);
        }
        let fresh: Vec<u8> = mem.to_vec();
        let (mut corrupted, mut harmless) = (0, 0);
        for bit in 0..160 * 8 {
            // SAFETY: `bit / 8 < 160 ≤ need`: inside the arena.
            unsafe { *base.add(bit / 8) ^= 1 << (bit % 8) };
            // SAFETY: `h` is the handle of this arena, whatever its bytes now are.
            let st = unsafe { pw_interpreter_invoke(h) };
            let mut n = 0usize;
            // SAFETY: as above; `n` is writable.
            let st2 = unsafe { pw_interpreter_output_count(h, &mut n) };
            assert!(known(st) && known(st2), "{name}: bit {bit}: statuses {st}, {st2}");
            match bit / 8 {
                0..=3 => assert_eq!(st, PW_ERR_NOT_INITIALIZED, "{name}: magic bit {bit}"),
                4..=15 => assert_eq!(st, PW_ERR_ARENA_CORRUPTED, "{name}: counter bit {bit}"),
                _ => {}
            }
            if st == PW_ERR_ARENA_CORRUPTED {
                corrupted += 1;
                assert_eq!(st2, PW_ERR_ARENA_CORRUPTED, "{name}: bit {bit}: every entry point checks");
            } else {
                harmless += 1;
            }
            // SAFETY: restores the arena as init left it (no call is running).
            unsafe { std::ptr::copy_nonoverlapping(fresh.as_ptr(), base, fresh.len()) };
        }
        println!("{name}: 1,280 flips in the first 160 bytes: {corrupted} PW_ERR_ARENA_CORRUPTED, {harmless} other");
        // SAFETY: as above.
        assert_eq!(unsafe { pw_interpreter_invoke(h) }, PW_OK, "{name}: the restored arena runs");
    }
}

#[test]
fn rust_api_checks_the_handle_and_names_the_error() {
    let bytes = model("conv_3x3_s1_same");
    let need = arena_required(&bytes).unwrap();
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(&bytes, arena.bytes_mut(), &Options::default()).unwrap();
    assert_eq!(interp.check_integrity(), Ok(()));
    interp.invoke().unwrap();
    assert_eq!(interp.check_integrity(), Ok(()));
    // Init from a plan made ahead of time seats a checked handle too.
    let plan = patchwise::planfile::write(&bytes, &Options::default()).unwrap();
    let need = patchwise::planned_arena_required(&bytes, &plan).unwrap();
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init_planned(&bytes, &plan, arena.bytes_mut()).unwrap();
    assert_eq!(interp.check_integrity(), Ok(()));
    interp.invoke().unwrap();
    assert!(Error::ArenaCorrupted.to_string().contains("init again"));
    assert_eq!(PW_ERR_ARENA_CORRUPTED, 305);
    assert!(known(PW_ERR_ARENA_CORRUPTED));
}
