//! The C side of the library on the host: `make -C examples-c/host test` (the C misuse tests,
//! then pw_run on committed op cases against their goldens) must pass, and the static library
//! must export only `pw_*` plus Rust-runtime names (`examples-c/check-symbols.sh`).
//!
//! `make`, a C compiler (`$CC`, default `cc`) and `nm` are required: without them this test
//! fails with a message saying what to install, it does not skip. The C build uses its own
//! cargo target dir (`target/c-host`) so that it never waits for the lock of the cargo that
//! runs this test.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Panics with an install hint unless `tool --version` runs.
fn require(tool: &str, what: &str) {
    if let Err(e) = Command::new(tool).arg("--version").output() {
        panic!("tests/c_host.rs needs {what} (`{tool}`), which cannot be run: {e}. Install it (Debian: apt-get install build-essential binutils).");
    }
}

fn show(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(cmd: &mut Command, what: &str) -> Output {
    match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run {what}: {e}"),
    }
}

#[test]
fn c_examples_pass_and_only_pw_symbols_are_exported() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    require("make", "GNU make");
    require(&cc, "a C compiler");
    require("nm", "binutils nm");

    let target_dir = root().join("target").join("c-host");
    let out = run(
        Command::new("make")
            .arg("-C")
            .arg(root().join("examples-c/host"))
            .arg("test")
            .env("CARGO_TARGET_DIR", &target_dir),
        "make -C examples-c/host test",
    );
    println!("{}", show(&out));
    assert!(out.status.success(), "make -C examples-c/host test failed ({}):\n{}", out.status, show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(" 0 failed"), "the misuse summary line is missing:\n{stdout}");

    let lib: &Path = &target_dir.join("release").join("libpatchwise.a");
    let out = run(Command::new("sh").arg(root().join("examples-c/check-symbols.sh")).arg(lib), "check-symbols.sh");
    println!("{}", show(&out));
    assert!(out.status.success(), "check-symbols.sh {} failed ({}):\n{}", lib.display(), out.status, show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for f in ["pw_version", "pw_arena_required", "pw_interpreter_init", "pw_interpreter_invoke", "pw_status_str"] {
        assert!(stdout.lines().any(|l| l.trim() == f), "{f} is not exported:\n{stdout}");
    }
}
