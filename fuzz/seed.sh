#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds: patchwise's demo model, the committed op models
# (tests/data/ops/*/model.tflite) and the small shared models (../shared/models/*.tflite below
# 700 KB, when present). The corpora are generated, never committed (fuzz/.gitignore).
#
# Usage: fuzz/seed.sh [MAX_MODEL_BYTES]     (from anywhere)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="${PATCHWISE_SHARED:-$root/../shared}/models"
max="${1:-700000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
# Stable toolchain is enough: the generator does not link libFuzzer.
cargo run --quiet --release --manifest-path "$here/Cargo.toml" --bin gen-seeds -- \
    "$root" "$shared" "$here/corpus" "$max"
