#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: patchwise beside TensorFlow Lite Micro and LiteRT on this host, the
# firmware instruction counts under QEMU, arena bytes per planning mode, and the charts.
#
#   bench/run.sh [--quick] [--no-firmware] [--shared DIR] [--out FILE] [MODEL.tflite ...]
#
# Installs what it needs when missing: the cross compilers and QEMU (apt), the Rust targets and a
# nightly toolchain with rust-src for the Xtensa firmware (rustup), and a Python venv under
# target/bench-venv (numpy, tflite-micro, ai-edge-litert).
# Everything else is in bench/benchmarks.py; `--help` there lists every option.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v arm-none-eabi-gcc >/dev/null || need+=(gcc-arm-none-eabi)
command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf)
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v qemu-system-riscv32 >/dev/null || need+=(qemu-system-misc)
command -v qemu-system-xtensa >/dev/null || need+=(qemu-system-misc)
command -v xtensa-lx106-elf-gcc >/dev/null || need+=(gcc-xtensa-lx106)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
    echo "bench: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Debian's qemu-system-* conflict with a newer qemu-utils: let apt remove it (as .ci/run does).
    apt-get install -y -qq "${need[@]}" qemu-utils- >/dev/null
fi
rustup target add thumbv6m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf \
    riscv32imac-unknown-none-elf riscv64gc-unknown-none-elf >/dev/null 2>&1
# The Xtensa firmware builds core with nightly (-Zbuild-std=core), as .ci/run does.
# Pinned (examples-c/xtensa/Makefile's NIGHTLY): other nightlies' Xtensa backend may abort or mislink.
rustup run nightly-2026-10-29 rustc --version >/dev/null 2>&1 ||
    rustup toolchain install nightly-2026-10-29 --profile minimal --component rust-src >/dev/null
rustup component add rust-src --toolchain nightly-2026-10-29 >/dev/null 2>&1 || true

venv=target/bench-venv
if ! "$venv/bin/python" -c 'import numpy, tflite_micro, ai_edge_litert' 2>/dev/null; then
    echo "bench: creating $venv (numpy, tflite-micro, ai-edge-litert)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check numpy tflite-micro ai-edge-litert
fi

BENCH_COMMAND="bench/run.sh${*:+ $*}" exec "$venv/bin/python" bench/benchmarks.py "$@"
