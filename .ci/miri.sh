#!/usr/bin/env bash
# Miri over the unit tests of the reader (schema), planner (plan), arena I/O (kernels::io) and
# fixed-point helpers, and over the interpreter/arena integration tests (state_misuse).
# Installs nightly + miri when missing. Takes about 4 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain install nightly --profile minimal >/dev/null 2>&1 || true
rustup +nightly component add miri rust-src >/dev/null
export MIRIFLAGS="-Zmiri-disable-isolation"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/miri"
cargo +nightly miri setup >/dev/null
cargo +nightly miri test --lib -- schema:: plan:: kernels::io quant::
cargo +nightly miri test --test state_misuse
