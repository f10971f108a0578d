#!/usr/bin/env python3
"""Per-operator instruction counts of the Cortex-M4F firmware, portable kernels vs the Arm DSP
port (feature arm-dsp), under QEMU mps2-an386 with -icount (exact instruction counts).

    python3 bench.py [--shared ../../../shared] [--out FILE]

For person_detect and mlperf_vww it builds both firmwares (make, PORT= and PORT=arm-dsp, profile
min-size), planned operator by operator (PATCH=off) for the per-operator table, runs each once
with the per-address counting QEMU plugin of ../shared/tools/qemu-pcprof (a phase per call of
patchwise::exec::run_op), and joins the phases
with the operators of `patchwise plan MODEL --json` (kinds, kernels, MACs from the filter and
output shapes). Prints markdown: per model, instructions per invoke; per operator type, MACs
and instructions per MAC for each build beside the CMSIS-NN reference figures of issue 10; the
library's code size (link map) for the person_detect firmware; the arena.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODELS = {
    "person_detect": ("person_96x96x1.int8.bin", "person_detect/case0.out0.bin"),
    "mlperf_vww": ("person_96x96x3.int8.bin", "mlperf_vww/case0.out0.bin"),
}
# TFLM + CMSIS-NN on the same QEMU core, instructions per MAC (issue 10).
CMSIS_NN = {"CONV_2D": "2.35–2.63", "DEPTHWISE_CONV_2D": "8.1–8.6"}
PORTS = [("portable", ""), ("arm-dsp", "arm-dsp")]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def symbol(elf, name):
    for line in run(["arm-none-eabi-nm", "-C", elf]).splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16) & ~1
    sys.exit(f"{elf}: no symbol {name}")


def plan(model, port):
    cmd = ["cargo", "run", "-q", "--release", "-p", "patchwise-cli"]
    if port:
        cmd += ["--features", f"patchwise/{port}"]
    return json.loads(run(cmd + ["--", "plan", model, "--json"], cwd=REPO))


def macs(p, op):
    shape = {t["index"]: t["shape"] for t in p["tensors"]}
    out = shape[op["outputs"][0]]
    if op["op"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        f = shape[op["inputs"][1]]
        pixels = 1
        for d in out[:-1]:
            pixels *= d
        if op["op"] == "CONV_2D":
            return pixels * out[-1] * f[1] * f[2] * f[3]
        if op["op"] == "DEPTHWISE_CONV_2D":
            return pixels * out[-1] * f[1] * f[2]
        return pixels * out[-1] * f[-1]
    return 0


def make_args(shared, name, port):
    inp, exp = MODELS[name]
    model = os.path.join(shared, "models", f"{name}.tflite")
    args = [f"MODEL={model}", f"INPUT={os.path.join(shared, 'models', 'images', inp)}",
            f"EXPECT={os.path.join(shared, 'golden', exp)}", f"SHARED={shared}"]
    if port:
        args.append(f"PORT={port}")
    return args


def fused(shared, name, port):
    """Instructions per invoke and arena of the default plan (fused segments)."""
    out = run(["make", "-C", HERE, "run"] + make_args(shared, name, port))
    m = re.search(r"PASS: .*?(\d+) instructions per inference", out)
    if not m:
        sys.exit(f"{name} {port or 'portable'} (fused): firmware failed:\n{out}")
    return {"invoke": int(m.group(1)), "arena": int(re.search(r"arena: (\d+) bytes required", out).group(1))}


def profile(shared, name, port, plugin):
    run(["make", "-C", HERE, "all", "PATCH=off"] + make_args(shared, name, port))
    build = os.path.join(HERE, "build", f"{name}-min-size" + (f"-{port}" if port else "") + "-nopatch")
    elf = os.path.join(build, "firmware.elf")
    prof = os.path.join(build, "prof.txt")
    marks = f"mark={symbol(elf, 'pw_interpreter_invoke'):x}:invoke,mark={symbol(elf, 'patchwise::exec::run_op'):x}:op"
    out = run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
               "-semihosting-config", "enable=on,target=native,chardev=sh0", "-chardev", "stdio,id=sh0",
               "-icount", "shift=7,sleep=off,align=off", "-plugin", f"{plugin},out={prof},{marks}",
               "-kernel", elf])
    m = re.search(r"PASS: .*?(\d+) instructions per inference", out)
    if not m:
        sys.exit(f"{name} {port or 'portable'}: firmware failed:\n{out}")
    arena = int(re.search(r"arena: (\d+) bytes required", out).group(1))
    init = int(re.search(r"init (\d+),", out).group(1))
    with open(prof) as f:
        labels = dict(kv.split("=") for kv in f.readline()[len("# phases "):].split())
        per = {}
        for line in f:
            ph, _, n = line.split()
            per[labels[ph]] = per.get(labels[ph], 0) + int(n)
    ops = [per.get(f"op{k}", 0) for k in range(len([x for x in labels.values() if x.startswith("op")]))]
    return {"invoke": int(m.group(1)), "ops": ops, "arena": arena, "init": init, "map": os.path.join(build, "firmware.map")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.abspath(os.path.join(REPO, "..", "shared")))
    ap.add_argument("--out")
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    plugin = os.path.join(REPO, "target", "libpcprof.so")
    src = os.path.join(shared, "tools", "qemu-pcprof")
    run(["gcc", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", f"-I{src}", "-o", plugin,
         os.path.join(src, "pcprof.c")])
    lines = []
    for name in MODELS:
        model = os.path.join(shared, "models", f"{name}.tflite")
        res = {port: profile(shared, name, flag, plugin) for port, flag in PORTS}
        fuse = {port: fused(shared, name, flag) for port, flag in PORTS}
        plans = {port: plan(model, flag) for port, flag in PORTS}
        total_macs = sum(macs(plans["portable"], o) for o in plans["portable"]["ops"])
        lines.append(f"### {name} ({total_macs / 1e6:.2f} M MACs)\n")
        lines.append("| | portable | arm-dsp |\n|---|---:|---:|")
        lines.append("| instructions / invoke, operator by operator (`PATCH=off`) | "
                     + " | ".join(f"{res[p]['invoke']:,}" for p, _ in PORTS) + " |")
        lines.append("| instructions / invoke, fused segments (default) | "
                     + " | ".join(f"{fuse[p]['invoke']:,}" for p, _ in PORTS) + " |")
        lines.append("| per MAC, operator by operator | "
                     + " | ".join(f"{res[p]['invoke'] / total_macs:.2f}" for p, _ in PORTS) + " |")
        lines.append("| arena bytes (firmware, 32-bit), operator by operator | "
                     + " | ".join(f"{res[p]['arena']:,}" for p, _ in PORTS) + " |")
        lines.append("| arena bytes (firmware, 32-bit), fused segments | "
                     + " | ".join(f"{fuse[p]['arena']:,}" for p, _ in PORTS) + " |")
        lines.append("| instructions in `pw_interpreter_init` | " + " | ".join(f"{res[p]['init']:,}" for p, _ in PORTS) + " |")
        lines.append("")
        kinds = {}
        for port, _ in PORTS:
            run_ops = [o for o in plans[port]["ops"] if o["kernel"]]
            for o, n in zip(run_ops, res[port]["ops"]):
                k = kinds.setdefault(o["op"], {"macs": 0, "count": 0})
                if port == "portable":
                    k["macs"] += macs(plans[port], o)
                    k["count"] += 1
                k[port] = k.get(port, 0) + n
        lines.append("| operator type | ops | MACs | portable: instructions | per MAC | arm-dsp: instructions "
                     "| per MAC | TFLM + CMSIS-NN per MAC |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind, k in sorted(kinds.items(), key=lambda kv: -kv[1].get("portable", 0)):
            per = lambda p: f"{k[p] / k['macs']:.2f}" if k["macs"] else "–"
            lines.append(f"| {kind} | {k['count']} | {k['macs']:,} | {k['portable']:,} | {per('portable')} "
                         f"| {k['arm-dsp']:,} | {per('arm-dsp')} | {CMSIS_NN.get(kind, '–')} |")
        lines.append("")
        if name == "person_detect":
            for port, _ in PORTS:
                size = run(["awk", "-f", os.path.join(HERE, "libsize.awk"), res[port]["map"]])
                lines.append(f"Library code, person_detect firmware, {port} (`libsize.awk`, min-size):\n")
                lines.append("```\n" + size.strip() + "\n```\n")
    text = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
