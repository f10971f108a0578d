#!/usr/bin/env python3
"""Regression guard: person_detect's instructions per invoke on the Cortex-M4 firmware (QEMU
-icount counts exactly) may not rise more than 2% above the figures committed in BENCHMARKS.md.

Runs `make -C examples-c/cortex-m run` for the portable and the arm-dsp library (default plan:
fused segments), reads "N instructions per inference" from each, and compares it with the row
"instructions / invoke, fused segments (default)" of BENCHMARKS.md's person_detect table.
A count below the committed one passes (regenerate BENCHMARKS.md to lower the bar).
Exit status: 0 pass, 1 regression or missing figure, 77 skipped (no ../shared models).
"""
import os
import re
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ROW = "instructions / invoke, fused segments (default)"
LIMIT = 1.02


def committed():
    """{column: count} of the ROW in the person_detect section of BENCHMARKS.md."""
    text = open(os.path.join(REPO, "BENCHMARKS.md"), encoding="utf-8").read()
    section = re.search(r"^#+ [^\n]*person_detect[^\n]*\n(.*?)(?=^#+ |\Z)", text, re.S | re.M)
    if not section:
        sys.exit("bench-guard: BENCHMARKS.md has no person_detect section")
    lines = section.group(1).splitlines()
    header = next((l for l in lines if l.startswith("| |") and "portable" in l), None)
    row = next((l for l in lines if l.startswith(f"| {ROW} |")), None)
    if not header or not row:
        sys.exit(f"bench-guard: BENCHMARKS.md's person_detect table has no row '{ROW}'")
    cols = [c.strip() for c in header.strip("|").split("|")][1:]
    vals = [int(c.strip().replace(",", "")) for c in row.strip("|").split("|")[1:]]
    return dict(zip(cols, vals))


def measure(port):
    args = ["make", "-s", "-C", os.path.join(REPO, "examples-c/cortex-m"), "run"]
    if port != "portable":
        args.append(f"PORT={port}")
    out = subprocess.run(args, capture_output=True, text=True)
    m = re.search(r"PASS: person_detect: output bit-exact with TFLM, (\d+) instructions per inference",
                  out.stdout)
    if out.returncode != 0 or not m:
        sys.exit(f"bench-guard: firmware run failed ({' '.join(args)}):\n{out.stdout}\n{out.stderr}")
    return int(m.group(1))


def main():
    shared = os.path.join(REPO, "..", "shared", "models", "person_detect.tflite")
    if not os.path.exists(shared):
        print(f"bench-guard: skipped: {shared} not found")
        return 77
    base = committed()
    failed = False
    for port in ("portable", "arm-dsp"):
        if port not in base:
            sys.exit(f"bench-guard: no '{port}' column in BENCHMARKS.md's person_detect table")
        now = measure(port)
        ratio = now / base[port]
        verdict = "ok" if ratio <= LIMIT else "REGRESSION"
        failed |= ratio > LIMIT
        print(f"bench-guard: person_detect {port}: {now:,} instructions, committed {base[port]:,} "
              f"({(ratio - 1) * 100:+.2f}%, limit +{(LIMIT - 1) * 100:.0f}%): {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
