//! Writes the seed corpora of the fuzz targets (run by `fuzz/seed.sh`).
//!
//! Usage: `gen-seeds REPO_ROOT SHARED_MODELS_DIR OUT_DIR [MAX_BYTES]`
//!
//! Sources: `patchwise::builder::demo_model()`, `REPO_ROOT/tests/data/ops/*/model.tflite`, and
//! every `SHARED_MODELS_DIR/*.tflite` below MAX_BYTES (default 700,000). Writes
//! `OUT_DIR/{verify,plan,invoke,capi}/<name>`; `plan` inputs get an options byte in front,
//! `capi` inputs a command script (small models only).

use std::fs;
use std::path::{Path, PathBuf};

/// C API scripts (see fuzz_targets/capi.rs for the command encoding).
const SCRIPTS: &[&[u8]] = &[
    // The straight path: required → init → inputs → invoke → outputs.
    &[11, 0x22],
    // required/verify, exact init, input, invoke, output, arena_used, last_error, one byte
    // short re-init (stale handle), invoke on it, a status string, odd options, misaligned init.
    &[
        1, 5, 1, 2, 5, 0, 0, 1, 5, 0, 3, 0, 1, 0x11, 3, 3, 6, 1, 3, 0, 1, 7, 3, 8, 3, 2, 5, 0, 1, 1, 3, 3, 9, 0, 5, 0,
        2, 0, 0x1f, 1, 0, 0, 0, 0, 0, 2, 5, 3, 7, 1, 11, 0x33,
    ],
    // Handles of every kind on each query, model prefixes, NULL outputs.
    &[
        2, 5, 0, 0, 1, 3, 0, 3, 1, 3, 2, 3, 3, 4, 3, 1, 4, 3, 0, 5, 0, 3, 4, 1, 5, 0, 3, 2, 1, 6, 1, 3, 5, 1, 7, 1, 8,
        2, 1, 2, 1, 1, 11, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 4, 1, 0, 2, 0, 1, 10, 9, 1, 0xff, 0xff, 0xff, 0xff,
    ],
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: gen-seeds REPO_ROOT SHARED_MODELS_DIR OUT_DIR [MAX_BYTES]");
        std::process::exit(2);
    }
    let root = PathBuf::from(&args[1]);
    let shared = PathBuf::from(&args[2]);
    let out = PathBuf::from(&args[3]);
    let max: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(700_000);

    let mut models: Vec<(String, Vec<u8>)> = vec![("demo".into(), patchwise::builder::demo_model())];
    let ops = root.join("tests/data/ops");
    for dir in sorted(&ops) {
        let f = dir.join("model.tflite");
        if let Ok(b) = fs::read(&f) {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            models.push((format!("op-{name}"), b));
        }
    }
    for f in sorted(&shared) {
        if f.extension().is_some_and(|e| e == "tflite") && fs::metadata(&f).is_ok_and(|m| m.len() < max) {
            let name = f.file_stem().unwrap().to_string_lossy().into_owned();
            models.push((format!("shared-{name}"), fs::read(&f).unwrap()));
        }
    }
    let dirs = ["verify", "plan", "invoke", "capi"];
    for d in dirs {
        fs::create_dir_all(out.join(d)).unwrap();
    }
    let mut count = [0usize; 4];
    let mut write = |i: usize, name: String, bytes: &[u8]| {
        fs::write(out.join(dirs[i]).join(name), bytes).unwrap();
        count[i] += 1;
    };
    for (k, (name, bytes)) in models.iter().enumerate() {
        write(0, name.clone(), bytes);
        write(2, name.clone(), bytes);
        // plan: default options, every trick off, and one more combination by turns.
        let extra = [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x06][k % 6];
        let variants: &[u8] = if bytes.len() < 100_000 { &[0x00, 0x1f, extra] } else { &[0x00] };
        for &v in variants {
            let mut p = vec![v];
            p.extend_from_slice(bytes);
            write(1, format!("{name}.opt{v:02x}"), &p);
        }
        if bytes.len() < 64_000 {
            for (j, s) in SCRIPTS.iter().enumerate() {
                if j > 0 && !name.starts_with("op-") && name != "demo" && k % 2 == 1 {
                    continue;
                }
                let mut c = vec![s.len() as u8];
                c.extend_from_slice(s);
                c.extend_from_slice(bytes);
                write(3, format!("{name}.s{j}"), &c);
            }
        }
    }
    for (d, n) in dirs.iter().zip(count) {
        println!("{d}: {n} seeds");
    }
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        fs::read_dir(dir).map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.sort();
    v
}
