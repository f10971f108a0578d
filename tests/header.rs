//! include/patchwise.h must be exactly what the pinned cbindgen generates from src/capi/.
//! Regenerate with `PATCHWISE_BLESS=1 cargo test --test header`.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::PathBuf;

#[test]
fn header_matches_the_source() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new().with_crate(&root).with_config(config).generate().expect("cbindgen").write(&mut generated);
    let path = root.join("include/patchwise.h");
    if std::env::var_os("PATCHWISE_BLESS").is_some() {
        std::fs::create_dir_all(root.join("include")).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/patchwise.h differs from the cbindgen output; run PATCHWISE_BLESS=1 cargo test --test header"
    );
}
