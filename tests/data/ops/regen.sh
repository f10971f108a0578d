#!/usr/bin/env bash
# Regenerates tests/data/ops/ from scratch: the single-op models written by
# cli/examples/gen_op_cases.rs, then the TFLM goldens of each one (3 cases, seed 0).
#
#   tests/data/ops/regen.sh            # needs cargo, python3, pip install tflite-micro numpy
#
# PATCHWISE_ORACLE overrides the oracle script (default: ../shared/oracle/tflm_golden.py
# beside the repository). A rerun gives byte-identical files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
oracle="${PATCHWISE_ORACLE:-$root/../shared/oracle/tflm_golden.py}"
[ -f "$oracle" ] || { echo "oracle not found: $oracle" >&2; exit 1; }

# Remove every case directory (keeps this script and README.md).
find "$here" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +

cargo run --quiet --manifest-path "$root/Cargo.toml" -p patchwise-cli --example gen_op_cases -- "$here" >/dev/null

n=0
for dir in "$here"/*/; do
  dir="${dir%/}"
  python3 "$oracle" "$dir/model.tflite" "$dir" --cases 3 --seed 0 >/dev/null
  n=$((n + 1))
done
echo "$n cases in $here"
