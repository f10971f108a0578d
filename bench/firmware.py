"""Firmware figures: the examples-c firmwares built and run under QEMU (exact instruction counts).

Every number comes from the firmwares' own output: `make run` / `make run-vww` print the arena,
the instructions of init and invoke and PASS only when the output is bit-exact with TFLM's
golden; `make size` prints the library's share of the link map.
"""
import json
import os
import re
import subprocess
import sys

MODELS = [("person_detect", "run"), ("mlperf_vww", "run-vww")]
# (core, port, directory, make variables); `quick` keeps the first of each directory's group.
CORES = [
    ("Cortex-M4F (mps2-an386)", "portable", "cortex-m", {}),
    ("Cortex-M4F (mps2-an386)", "arm-dsp", "cortex-m", {"PORT": "arm-dsp"}),
    ("Cortex-M7 (mps2-an500)", "portable", "cortex-m", {"QEMU_MACHINE": "mps2-an500"}),
    ("Cortex-M7 (mps2-an500)", "arm-dsp", "cortex-m", {"QEMU_MACHINE": "mps2-an500", "PORT": "arm-dsp"}),
    ("Cortex-M33 (mps2-an505)", "portable", "cortex-m", {"CORE": "m33"}),
    ("Cortex-M33 (mps2-an505)", "arm-dsp", "cortex-m", {"CORE": "m33", "PORT": "arm-dsp"}),
    ("Cortex-M0+ class, thumbv6m (mps2-an385)", "portable", "cortex-m", {"CORE": "m0"}),
    ("RV32IMAC (QEMU virt)", "portable", "riscv", {}),
    ("RV64GC (QEMU virt)", "portable", "riscv", {"RUST_TARGET": "riscv64gc-unknown-none-elf"}),
    ("Xtensa LX106 (QEMU sim)", "portable", "xtensa", {}),
    ("Xtensa LX106 (QEMU sim)", "xtensa", "xtensa", {"PORT": "xtensa"}),
]
QUICK = {("Cortex-M4F (mps2-an386)", "portable"), ("Cortex-M4F (mps2-an386)", "arm-dsp"),
         ("Cortex-M0+ class, thumbv6m (mps2-an385)", "portable"), ("RV32IMAC (QEMU virt)", "portable")}
# Library code per target and operator set (`make size`, person_detect firmware).
SIZES = [
    ("thumbv7em (M4F/M7)", "portable", "cortex-m", {}),
    ("thumbv7em (M4F/M7)", "arm-dsp", "cortex-m", {"PORT": "arm-dsp"}),
    ("thumbv8m.main (M33)", "portable", "cortex-m", {"CORE": "m33"}),
    ("thumbv8m.main (M33)", "arm-dsp", "cortex-m", {"CORE": "m33", "PORT": "arm-dsp"}),
    ("thumbv6m (M0/M0+)", "portable", "cortex-m", {"CORE": "m0"}),
    ("riscv32imac", "portable", "riscv", {}),
    ("riscv64gc", "portable", "riscv", {"RUST_TARGET": "riscv64gc-unknown-none-elf"}),
    ("xtensa lx106", "portable", "xtensa", {}),
    ("xtensa lx106", "xtensa", "xtensa", {"PORT": "xtensa"}),
]
QUICK_SIZES = {("thumbv7em (M4F/M7)", "portable"), ("thumbv7em (M4F/M7)", "arm-dsp")}


def make(repo, shared, directory, target, variables):
    shared_var = "SHARED" if directory == "cortex-m" else "PATCHWISE_SHARED"
    cmd = ["make", "--no-print-directory", "-C", os.path.join(repo, "examples-c", directory), target,
           f"{shared_var}={shared}"] + [f"{k}={v}" for k, v in variables.items()]
    print("bench:", " ".join(cmd[3:]), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def number(pattern, text):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


def run_one(repo, shared, directory, target, variables):
    rc, out = make(repo, shared, directory, target, variables)
    res = {
        "invoke": number(r"PASS: .*?(\d+) instructions per inference", out)
        or number(r"invoke: (\d+) instructions", out),
        "init": number(r"init (\d+),", out),
        "arena": number(r"arena: (\d+) bytes required", out) or number(r"arena required: (\d+) bytes", out),
        "passed": rc == 0 and "PASS" in out,
    }
    if not res["passed"]:
        lines = [ln for ln in out.splitlines() if ln.strip()]
        res["error"] = f"exit {rc}: " + " / ".join(lines[-3:])[:300]
    return res


def library_size(repo, shared, directory, variables):
    rc, out = make(repo, shared, directory, "size", variables)
    code = number(r"library \(all 'lib:' rows\): code (\d+) bytes", out)  # Arm: libsize.awk
    if code is None:  # RISC-V, Xtensa: mapsize.awk
        code = number(r"library code \(.text of libpatchwise.a\): (\d+)", out)
    rodata = number(r"read-only data (\d+) bytes", out)
    if rodata is None:
        with_ro = number(r"with its .rodata: (\d+) bytes", out)
        rodata = with_ro - code if with_ro is not None and code is not None else None
    if rc != 0 or code is None:
        lines = [ln for ln in out.splitlines() if ln.strip()]
        return {"error": f"exit {rc}: " + " / ".join(lines[-3:])[:300]}
    return {"code": code, "rodata": rodata}


def m4_per_op(repo, shared):
    """examples-c/cortex-m/bench.py: per operator type, portable vs arm-dsp (markdown), and its
    per-MAC figures parsed back for the chart: {model: {op type: (portable, arm-dsp, CMSIS-NN)}}."""
    p = subprocess.run([sys.executable, os.path.join(repo, "examples-c", "cortex-m", "bench.py"), "--shared", shared],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": f"exit {p.returncode}: {(p.stdout + p.stderr).strip()[-300:]}"}
    per_mac, model = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"### (\S+)", line)
        if m:
            model = m.group(1)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if model and len(cells) == 8 and re.match(r"[A-Z_0-9]+$", cells[0]) and cells[4] != "–":
            per_mac.setdefault(model, {})[cells[0]] = (float(cells[4]), float(cells[6]), cells[7])
    return {"markdown": p.stdout.strip(), "per_mac": per_mac}


def collect(repo, shared, quick):
    cores = [c for c in CORES if not quick or (c[0], c[1]) in QUICK]
    sizes = [s for s in SIZES if not quick or (s[0], s[1]) in QUICK_SIZES]
    result = {"m4": m4_per_op(repo, shared), "runs": [], "sizes": []}
    for core, port, directory, variables in cores:
        row = {"core": core, "port": port, "models": {}}
        for model, target in MODELS:
            row["models"][model] = run_one(repo, shared, directory, target, variables)
        result["runs"].append(row)
    ops = None
    for target, port, directory, variables in sizes:
        size = library_size(repo, shared, directory, variables)
        result["sizes"].append({"target": target, "port": port, "ops": "all", **size})
        if directory == "cortex-m":
            ops = ops or person_detect_ops(repo, shared)
            result["sizes"].append({"target": target, "port": port, "ops": "person_detect",
                                    **library_size(repo, shared, directory, {**variables, "OPS": ops})})
    result["pd_ops"] = ops
    return result


def person_detect_ops(repo, shared):
    exe = os.path.join(repo, "target", "bench", "patchwise")
    out = subprocess.run([exe, "plan", os.path.join(shared, "models", "person_detect.tflite"), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return ",".join(json.loads(out)["features"])
