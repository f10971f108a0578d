//! Helpers shared by the integration tests: locating ../shared and reading golden sets.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared folder (models, goldens): `$PATCHWISE_SHARED` or `../shared` beside the crate.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("PATCHWISE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The committed single-operator cases (`tests/data/ops/<case>/` holding a `model.tflite`),
/// sorted by name.
pub fn op_case_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ops");
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

/// Runs `model` on the inputs of golden `case` in `dir` and compares every output bit for bit.
/// Returns a description of the first mismatch.
pub fn run_case(model: &[u8], dir: &std::path::Path, case: usize) -> Result<(), String> {
    run_case_with(model, dir, case, &patchwise::Options::default())
}

/// Every planner configuration the tests exercise: all tricks, each switched off alone, none.
pub fn option_variants() -> Vec<(&'static str, patchwise::Options)> {
    use patchwise::Options;
    let all = Options::default();
    vec![
        ("all tricks", all),
        ("no pad fusion", Options { pad_fusion: false, ..all }),
        ("no alias", Options { alias: false, ..all }),
        ("no in-place", Options { in_place: false, ..all }),
        ("no overlap", Options { overlap: false, ..all }),
        ("no search", Options { search: false, ..all }),
        ("layer by layer", Options::layer_by_layer()),
    ]
}

/// [`run_case`] with explicit planner options.
pub fn run_case_with(
    model: &[u8],
    dir: &std::path::Path,
    case: usize,
    options: &patchwise::Options,
) -> Result<(), String> {
    use patchwise::{arena_required_with, HostArena, Interpreter};
    let need = arena_required_with(model, options).map_err(|e| format!("arena_required: {e}"))?;
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(model, arena.bytes_mut(), options).map_err(|e| format!("init: {e}"))?;
    if interp.arena_used() != need {
        return Err(format!("arena_used {} != arena_required {}", interp.arena_used(), need));
    }
    for i in 0..interp.num_inputs() {
        let path = dir.join(format!("case{case}.in{i}.bin"));
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let t = interp.input_mut(i).map_err(|e| format!("input {i}: {e}"))?;
        if t.data.len() != bytes.len() {
            return Err(format!("input {i}: {} bytes, golden has {}", t.data.len(), bytes.len()));
        }
        t.data.copy_from_slice(&bytes);
    }
    interp.invoke().map_err(|e| format!("invoke: {e}"))?;
    for j in 0..interp.num_outputs() {
        let path = dir.join(format!("case{case}.out{j}.bin"));
        let want = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let got = interp.output(j).map_err(|e| format!("output {j}: {e}"))?.data;
        if got != want.as_slice() {
            let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
            let diffs = got.iter().zip(&want).filter(|(a, b)| a != b).count();
            return Err(format!(
                "case {case} output {j}: {diffs} of {} bytes differ, first at byte {first} (got {}, want {})",
                want.len(),
                got.get(first).copied().unwrap_or(0),
                want.get(first).copied().unwrap_or(0)
            ));
        }
    }
    Ok(())
}
