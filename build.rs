//! Build script: tells the tests whether the shared models (../shared) are present, so that the
//! model tests are reported as ignored ("skipped: ../shared/models not found") rather than passing
//! vacuously when they are absent; with the `arm-dsp` feature, compiles the Arm port's C kernels
//! (`ports/arm`), with `xtensa` the Xtensa port's (`ports/xtensa`), see ports/README.md.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_models)");
    // Armv6-M (Cortex-M0/M0+/M1): no 32x32->64 multiply and only eight low registers; the
    // portable kernels take a few paths of their own there (src/kernels/conv_fast.rs,
    // src/quant.rs).
    println!("cargo::rustc-check-cfg=cfg(pw_armv6m)");
    if std::env::var("TARGET").unwrap_or_default().starts_with("thumbv6m") {
        println!("cargo::rustc-cfg=pw_armv6m");
    }
    println!("cargo::rerun-if-env-changed=PATCHWISE_SHARED");
    let shared = std::env::var_os("PATCHWISE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../shared"));
    let models = shared.join("models");
    println!("cargo::rerun-if-changed={}", models.display());
    if models.is_dir() {
        println!("cargo::rustc-cfg=shared_models");
    }
    #[cfg(feature = "arm-dsp")]
    arm_port();
    #[cfg(feature = "xtensa")]
    xtensa_port();
}

/// The Xtensa port's kernels (`ports/xtensa`): for the LX106 target of examples-c/xtensa built
/// with `xtensa-lx106-elf-gcc` (call0 ABI), for `xtensa-esp32*` targets with Espressif's
/// `xtensa-esp32*-elf-gcc` (override either with `CC_<target>`), elsewhere with the host's or
/// target's usual C compiler.
#[cfg(feature = "xtensa")]
fn xtensa_port() {
    let dir = PathBuf::from("ports/xtensa");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "c"));
    files.sort();
    let target = std::env::var("TARGET").unwrap_or_default();
    let mut build = cc::Build::new();
    build.files(&files).include(&dir).flag("-std=c11").flag("-fwrapv").warnings(true).extra_warnings(true);
    build.flag_if_supported("-Werror");
    build.opt_level(2);
    if target.starts_with("xtensa") {
        let var = format!("CC_{}", target.replace('-', "_"));
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(&var).is_none() {
            // Espressif's GCC for ESP32 targets (windowed ABI; not tested here), else the
            // LX106's (call0 ABI).
            let chip = ["esp32s3", "esp32s2", "esp32"].into_iter().find(|c| target.starts_with(&format!("xtensa-{c}")));
            let prefix = chip.map_or("xtensa-lx106-elf".to_string(), |c| format!("xtensa-{c}-elf"));
            build.compiler(format!("{prefix}-gcc")).archiver(format!("{prefix}-ar"));
        }
        build.flag("-ffunction-sections").flag("-fdata-sections").flag("-ffreestanding");
    }
    build.compile("patchwise_xtensa");
}

/// The Arm port's kernels as a static library linked into patchwise (and into its staticlib).
/// Armv7E-M and Armv8-M Mainline get the DSP extension (the kernels then use its instructions);
/// everything else compiles the plain-C definitions of those instructions.
#[cfg(feature = "arm-dsp")]
fn arm_port() {
    let dir = PathBuf::from("ports/arm");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "c"));
    files.sort();
    let target = std::env::var("TARGET").unwrap_or_default();
    let mut build = cc::Build::new();
    build.files(&files).include(&dir).flag("-std=c11").flag("-fwrapv").warnings(true).extra_warnings(true);
    build.flag_if_supported("-Werror");
    build.opt_level(2);
    if target.starts_with("thumbv8m.main") {
        // The Mainline profile's DSP extension is optional: Cortex-M33/M35P/M55 have it.
        build.flag("-march=armv8-m.main+dsp");
    }
    if target.starts_with("thumb") {
        build.flag("-ffunction-sections").flag("-fdata-sections").flag("-ffreestanding");
        // The GEMM core (conv_s8.c) keeps 14 values in registers: r7 must not be reserved as
        // the frame pointer (debug builds reserve it otherwise).
        build.flag("-fomit-frame-pointer");
    }
    build.compile("patchwise_arm");
}
