//! Where the shared models and goldens live, and the committed single-operator cases.

use std::path::PathBuf;

/// The shared folder (models, goldens): `$PATCHWISE_SHARED` or `../shared` beside the crate.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("PATCHWISE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// The committed single-operator cases (`tests/data/ops/<case>/` holding a `model.tflite`),
/// sorted by name.
pub fn op_case_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ops");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/data/ops")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("model.tflite").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The integer after `"key":` in a JSON text (enough for the flat numbers tests need).
pub fn json_number(text: &str, key: &str) -> Option<u64> {
    let pat = format!("\"{key}\":");
    let at = text.find(&pat)? + pat.len();
    let rest = text[at..].trim_start();
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}
