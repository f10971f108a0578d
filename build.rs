//! Build script: tells the tests whether the shared models (../shared) are present, so that the
//! model tests are reported as ignored ("skipped: ../shared/models not found") rather than passing
//! vacuously when they are absent.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_models)");
    println!("cargo::rerun-if-env-changed=PATCHWISE_SHARED");
    let shared = std::env::var_os("PATCHWISE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../shared"));
    let models = shared.join("models");
    println!("cargo::rerun-if-changed={}", models.display());
    if models.is_dir() {
        println!("cargo::rustc-cfg=shared_models");
    }
}
