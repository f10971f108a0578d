#!/usr/bin/env python3
"""Regenerates BENCHMARKS.md and bench/charts/*.svg. Run it through bench/run.sh, which installs
the Python packages, cross compilers, QEMU and Rust targets this needs.

    bench/run.sh [--quick] [--no-firmware] [--shared DIR] [--out FILE] [MODEL.tflite ...]

Host: every model of ../shared/models (plus the .tflite files given; only the given ones when
--only-given), one thread, patchwise / TFLM / LiteRT reference / LiteRT default (XNNPACK)
interleaved in rounds (A B C D A B C D ...), invoke latency only. Memory: `patchwise plan
--json` in three modes beside TFLM's arena and published figures. Firmware: the examples-c
firmwares under QEMU (exact instruction counts) and their library code size.
"""
import argparse
import datetime
import glob
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import charts  # noqa: E402
import engines  # noqa: E402
import firmware  # noqa: E402

QUICK_MODELS = ["person_detect", "mlperf_vww", "micro_speech", "mlperf_resnet"]
# Published arena figures, as quoted in issue 14 (input outside the arena in each).
PUBLISHED = {
    "person_detect": [("msf-CNN", "23,904 B at +8% MACs; 14,768 B at +15%")],
    "mcunet_vww": [("msf-CNN", "26,240 B at +11% MACs"),
                   ("TinyEngine (MCUNetV2 code)", "62,352 B with 2×2 patches; 93,992 B layer by layer")],
    "mobilenet_v2_pt224": [("MCUNetV2 (MobileNetV2-224)", "172 kB at +10% MACs"),
                           ("msf-CNN", "177,728 B at +18% MACs; 152 kB at 1.24× in its analysis")],
}
# TFLM on the firmware core, as measured for issue 10 (QEMU mps2-an386, instructions / invoke).
TFLM_M4 = {"person_detect": ("525.8 M", "22.93 M"), "mlperf_vww": ("–", "24.10 M")}
MODES = [("layer by layer (`--patch off`)", ["--patch", "off"]), ("default (fused segments)", []),
         ("default + `--external-input`", ["--external-input"])]


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw).stdout.strip()


def machine():
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    osname = next((ln.split("=", 1)[1].strip().strip('"') for ln in open("/etc/os-release")
                   if ln.startswith("PRETTY_NAME=")), platform.system())
    from importlib.metadata import version
    pkgs = ", ".join(f"{p} {version(p)}" for p in ("tflite-micro", "ai-edge-litert", "numpy"))
    return [("CPU", f"{cpu}, {os.cpu_count()} logical cores"), ("OS", f"{osname}, Linux {platform.release()}"),
            ("rustc", sh(["rustc", "--version"])), ("Python", f"{platform.python_version()}; {pkgs}"),
            ("qemu", sh(["qemu-system-arm", "--version"]).splitlines()[0] if shutil.which("qemu-system-arm") else "–"),
            ("commit", sh(["git", "-C", REPO, "describe", "--always", "--dirty"]))]


def model_io(model_bytes):
    """Input (dtype, shape) list and the output count of subgraph 0, read from the flatbuffer."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    types = {0: np.float32, 2: np.int32, 3: np.uint8, 4: np.int64, 7: np.int16, 9: np.int8}
    sg = schema.Model.GetRootAsModel(model_bytes, 0).Subgraphs(0)
    ins = []
    for i in range(sg.InputsLength()):
        t = sg.Tensors(sg.Inputs(i))
        ins.append((types.get(t.Type(), np.int8), [int(d) for d in t.ShapeAsNumpy()]))
    return ins, sg.OutputsLength()


def host_model(exe, path, empty, rounds, budget_s):
    name = os.path.splitext(os.path.basename(path))[0]
    print(f"bench: host {name}", file=sys.stderr, flush=True)
    with open(path, "rb") as f:
        b = f.read()
    ins, n_out = model_io(b)
    all_engines = [engines.Patchwise(exe, path), engines.Tflm(b, empty),
                   engines.LiteRT(b, empty, reference=True), engines.LiteRT(b, empty, reference=False)]
    live = [e for e in all_engines if not e.refused]
    for e in all_engines:
        e.num_outputs = n_out
    iters = {}
    for e in live:
        est = max(float(np.median(e.times(1))), 1.0)
        iters[e.name] = int(min(max(budget_s * 1e6 / rounds / est, 1), 200))
    samples = {e.name: [] for e in live}
    for _ in range(rounds):  # interleaved: every engine once per round
        for e in live:
            samples[e.name] += e.times(iters[e.name])
    inputs = engines.bench_inputs(ins)
    tflm = all_engines[1]
    ref = None if tflm.refused else tflm.outputs(inputs)
    res = {"name": name, "engines": {}}
    for e in all_engines:
        r = {"refused": e.refused, "arena": e.arena, "overhead_us": getattr(e, "overhead_us", None)}
        if not e.refused:
            t = np.array(samples[e.name])
            r.update(median=float(np.median(t)), min=float(t.min()), max=float(t.max()), n=len(t))
            try:
                r["equal"] = None if ref is None else e.outputs(inputs) == ref
            except Exception as err:
                r["equal"] = engines.reason(err)
        res["engines"][e.name] = r
    return res


def load_cortex_m_bench():
    path = os.path.join(REPO, "examples-c", "cortex-m", "bench.py")
    spec = importlib.util.spec_from_file_location("cortex_m_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def memory_model(exe, path, tflm_arena):
    name = os.path.splitext(os.path.basename(path))[0]
    row = {"name": name, "tflm": tflm_arena, "modes": [], "macs": None}
    for _, flags in MODES:
        p = subprocess.run([exe, "plan", path, "--json"] + flags, capture_output=True, text=True)
        if p.returncode != 0:
            row["modes"].append(p.stderr.strip().removeprefix("patchwise: ")[:160])
            continue
        plan = json.loads(p.stdout)
        row["modes"].append(plan["arena_bytes"])
        if row["macs"] is None:
            macs = load_cortex_m_bench().macs
            row["macs"] = sum(macs(plan, op) for op in plan["ops"])
    return row


def us(v):
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.1f} µs"


def num(v):
    return f"{v:,}" if isinstance(v, int) else ("–" if v is None else str(v))


def geomean(xs):
    return float(np.exp(np.mean(np.log(xs)))) if xs else None


def ratio(ours, other):
    """patchwise's median ÷ the other engine's, or None when either refused the model or a median
    is not above zero (a call overhead as large as the invoke leaves nothing measurable)."""
    if ours["refused"] or other["refused"] or ours["median"] <= 0 or other["median"] <= 0:
        return None
    return ours["median"] / other["median"]


def summary(host, mem, fw):
    """Headline figures, each computed from the tables below."""
    out = ["## Summary\n"]
    for n in ("TFLM", "LiteRT ref", "LiteRT XNNPACK"):
        rs = [r for m in host if (r := ratio(m["engines"]["patchwise"], m["engines"][n])) is not None]
        if rs:
            out.append(f"- Host latency, patchwise ÷ {n}: geometric mean {geomean(rs):.2f} over {len(rs)} models "
                       f"(from {min(rs):.2f} to {max(rs):.2f}; below 1 patchwise is faster).")
    eq = [m["name"] for m in host if m["engines"]["patchwise"].get("equal") is True]
    if host:
        out.append(f"- Outputs byte-identical to TFLM's on the same input: {len(eq)} of {len(host)} models.")
    ar = [r["modes"][1] / r["tflm"] for r in mem if isinstance(r["modes"][1], int) and r["tflm"]]
    ext = [r["modes"][2] / r["tflm"] for r in mem if isinstance(r["modes"][2], int) and r["tflm"]]
    if ar:
        out.append(f"- Arena, patchwise default plan ÷ TFLM: geometric mean {geomean(ar):.2f} over {len(ar)} models "
                   f"({geomean(ext):.2f} with the input outside the arena).")
    for row in (fw or {}).get("runs", []):
        r = row["models"]["person_detect"]
        if row["core"].startswith("Cortex-M4F") and row["port"] == "arm-dsp" and r["invoke"]:
            out.append(f"- person_detect on the Cortex-M4F with `arm-dsp`: {r['invoke'] / 1e6:.2f} M instructions "
                       f"per invoke, arena {num(r['arena'])} B (TFLM + CMSIS-NN, issue 10: "
                       f"{TFLM_M4['person_detect'][1]} instructions).")
    runs = [(f"{row['core'].split(' (')[0]} {row['port']}", row["models"]["person_detect"]["invoke"])
            for row in (fw or {}).get("runs", [])]
    if runs:
        out.append("- person_detect, instructions per invoke under QEMU (exact): "
                   + "; ".join(f"{name} {n / 1e6:.1f} M" if n else f"{name} failed" for name, n in runs) + ".")
    return out + [""]


def host_section(host, rounds, budget_s):
    names = ["patchwise", "TFLM", "LiteRT ref", "LiteRT XNNPACK"]
    out = ["## Host: one thread, interleaved\n",
           f"Each model is loaded once per engine; then {rounds} rounds run every engine in turn (patchwise, "
           "TFLM, LiteRT reference, LiteRT XNNPACK, then again), each engine a fixed number of invokes per round "
           f"chosen from one calibration invoke so that it gets about {budget_s:g} s in all (1 to 200 per round). "
           "Latencies are pooled over the rounds: median (min–max). Only the invoke is timed:",
           "",
           "- **patchwise**: `patchwise bench MODEL --iters N --warmup 1 --json` (Rust `Instant` around "
           "`Interpreter::invoke`, input copy excluded; `times_us` lists every invoke), default options "
           "(fused segments), one process per round.",
           "- **TFLM**: PyPI `tflite-micro` (reference kernels), `Interpreter.invoke()`; **LiteRT ref**: "
           "`ai-edge-litert` with `experimental_op_resolver_type=BUILTIN_REF`; **LiteRT XNNPACK**: its default "
           "resolver (the XNNPACK delegate applies), both `num_threads=1`. Timed with `time.perf_counter_ns` "
           "around the Python `invoke()`; from every sample the engine's **Python call overhead** is "
           "subtracted: the median of 2,000 invokes, timed the same way, of a model with one tensor and no "
           "operator that `bench/engines.py` builds (so the engine does nothing but the call); figures per "
           "engine below the table.",
           "- **ratio** = patchwise median ÷ the engine's median: below 1, patchwise is faster; – where an "
           "engine refused the model or a median is not above zero (the call overhead as long as the invoke).",
           "- **= TFLM**: every output byte equal to TFLM's on the same input (the `patchwise bench` input "
           "pattern, rebuilt in Python). **arena**: patchwise's `arena_bytes` (default plan) and TFLM's "
           "`Arena allocation total` from its recording allocator (64-bit host: its persistent part is "
           "larger than on a 32-bit MCU).",
           "- A model an engine refuses is listed with the engine's message. LiteRT's reference FULLY_CONNECTED "
           "rounds once where TFLM rounds twice, so LiteRT may differ from TFLM by 1 LSB after one "
           "(`../shared/golden/README.md`).",
           "",
           "| model | patchwise | TFLM | LiteRT ref | LiteRT XNNPACK | ratio to TFLM | to LiteRT ref | to XNNPACK "
           "| arena: patchwise | TFLM | = TFLM (patchwise / ref / XNNPACK) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    refusals = []
    for m in host:
        e = m["engines"]
        cells = []
        for n in names:
            r = e[n]
            if r["refused"]:
                cells.append("refused")
                refusals.append(f"- {m['name']}, {n}: {r['refused']}")
            else:
                cells.append(f"{us(r['median'])} ({us(r['min'])}–{us(r['max'])})")
        ours = e["patchwise"]
        ratios = []
        for n in names[1:]:
            r = ratio(ours, e[n])
            ratios.append("–" if r is None else f"{r:.2f}")
        eq = []
        for n in ("patchwise", "LiteRT ref", "LiteRT XNNPACK"):
            r = e[n]
            eq.append("–" if r["refused"] or r.get("equal") is None else
                      ("yes" if r["equal"] is True else ("**no**" if r["equal"] is False else r["equal"])))
        out.append(f"| {m['name']} | " + " | ".join(cells + ratios) + f" | {num(ours['arena'])} | "
                   f"{num(e['TFLM']['arena'])} | {' / '.join(eq)} |")
    out.append("")
    if refusals:
        out += ["Refused:", ""] + refusals + [""]
    oh = {}
    for m in host:
        for n, r in m["engines"].items():
            if r.get("overhead_us") is not None:
                oh.setdefault(n, []).append(r["overhead_us"])
    if oh:
        out.append("Python call overhead subtracted (median over the models' runs of the empty invoke): "
                   + "; ".join(f"{n} {np.median(v):.1f} µs" for n, v in oh.items()) + ".\n")
    counts = {m["name"]: {n: r.get("n") for n, r in m["engines"].items()} for m in host}
    out.append("Invokes timed per engine (patchwise / TFLM / LiteRT ref / XNNPACK): "
               + "; ".join(f"{k} " + "/".join(str(v[n] or 0) for n in names) for k, v in counts.items()) + ".\n")
    return out


def memory_section(mem):
    out = ["## Memory: arena bytes per planning mode\n",
           "patchwise's `arena_bytes` from `patchwise plan MODEL --json` (host build; the 32-bit firmware "
           "figures below differ by a few bytes of bookkeeping) in three modes: operator by operator, the "
           "default plan (fused segments where they lower the arena), and the default plan with the inputs "
           "read from the caller's memory (not counted in the arena). Beside them TFLM's total from its "
           "recording allocator on this host, and published figures of other engines where they exist. "
           "The published ones are quoted from issue 14 (MCUNetV2 and msf-CNN papers, TinyEngine's "
           "generated code); they are not measured here, and all keep the input outside the arena.\n",
           "| model | MACs | TFLM | " + " | ".join(m for m, _ in MODES) + " | published |",
           "|---|---:|---:|" + "---:|" * len(MODES) + "---|"]
    for r in mem:
        pub = "; ".join(f"{who}: {what}" for who, what in PUBLISHED.get(r["name"], [])) or "–"
        macs = f"{r['macs'] / 1e6:.2f} M" if r["macs"] else "–"
        modes = " | ".join(num(v) for v in r["modes"])
        out.append(f"| {r['name']} | {macs} | {num(r['tflm'])} | {modes} | {pub} |")
    return out + [""]


def firmware_section(fw):
    out = ["## Firmware: Cortex-M4F per operator type, portable vs `arm-dsp`\n"]
    m4 = fw["m4"]
    if "error" in m4:
        out.append(f"`examples-c/cortex-m/bench.py` failed: {m4['error']}\n")
    else:
        out += ["From `examples-c/cortex-m/bench.py` (its output as it is): exact instruction counts under QEMU "
                "`mps2-an386` with `-icount`, library profile `min-size`, each phase of the per-address counting "
                "plugin `../shared/tools/qemu-pcprof` one operator, joined with `patchwise plan --json` for the "
                "operator kinds and MACs. The CMSIS-NN column is issue 10's measurement of TFLM + CMSIS-NN on "
                "the same QEMU core (not re-measured here). QEMU counts instructions, not cycles.\n",
                m4["markdown"].replace("### ", "### Cortex-M4F: "), ""]
    out += ["## Firmware: every core\n",
            "`make -C examples-c/cortex-m run|run-vww` (with `CORE=`, `PORT=`, `QEMU_MACHINE=`) and "
            "`make -C examples-c/riscv run|run-vww` (with `RUST_TARGET=`) and `make -C examples-c/xtensa "
            "run|run-vww` (with `PORT=`): default plan, library profile "
            "`min-size`, instructions per invoke as the firmware counts them (icount on Arm, `instret` on "
            "RISC-V, `CCOUNT` scaled on Xtensa), arena from `pw_arena_required` on the target. PASS = output bit-exact with TFLM's golden. "
            "The Cortex-M7 runs the M4F binary (QEMU counts the same instructions; it checks the core runs it).\n",
            "| core | kernels | person_detect: instructions / invoke | init | arena | bit-exact "
            "| mlperf_vww: instructions / invoke | init | arena | bit-exact |",
            "|---|---|---:|---:|---:|---|---:|---:|---:|---|"]
    errors = []
    for row in fw["runs"]:
        cells = []
        for model, _ in firmware.MODELS:
            r = row["models"][model]
            cells += [num(r["invoke"]), num(r["init"]), num(r["arena"]), "PASS" if r["passed"] else "**FAIL**"]
            if not r["passed"]:
                errors.append(f"- {row['core']} {row['port']} {model}: {r['error']}")
        out.append(f"| {row['core']} | {row['port']} | " + " | ".join(cells) + " |")
    out.append("")
    out += errors + ([""] if errors else [])
    out += ["TFLM on the Cortex-M4F (`mps2-an386`), instructions per invoke as measured for issue 10 (not "
            "re-measured by this command): " + "; ".join(f"{m}: reference kernels {a}, CMSIS-NN {b}"
                                                          for m, (a, b) in TFLM_M4.items()) + ".\n"]
    out += ["## Library code size per target and operator set\n",
            "`make size` on the person_detect firmware (profile `min-size`; `libsize.awk` / `mapsize.awk` over "
            "the link map): the library's code (`.text`) and read-only data. Operator set \"person_detect\" = "
            f"`OPS={fw.get('pd_ops') or '–'}` (the features `patchwise plan` lists); \"all\" = every operator.\n",
            "| target | kernels | operators | library code bytes | read-only data bytes |", "|---|---|---|---:|---:|"]
    for s in fw["sizes"]:
        if "error" in s:
            out.append(f"| {s['target']} | {s['port']} | {s['ops']} | failed: {s['error']} | |")
        else:
            out.append(f"| {s['target']} | {s['port']} | {s['ops']} | {num(s['code'])} | {num(s['rodata'])} |")
    return out + [""]


def write_charts(host, mem, fw, chart_dir):
    os.makedirs(chart_dir, exist_ok=True)
    made = []
    if host:
        rows = []
        for m in host:
            e, ours = m["engines"], m["engines"]["patchwise"]
            rows.append((m["name"], [ratio(ours, e[n]) for n in ("TFLM", "LiteRT ref", "LiteRT XNNPACK")]))
        made.append(("latency_ratio.svg", "Host latency ratio (below 1: patchwise is faster)", charts.bars(
            "Host latency: patchwise median ÷ engine median (one thread)", rows,
            ["vs TFLM", "vs LiteRT reference", "vs LiteRT XNNPACK"], "ratio (log scale; below 1: patchwise faster)",
            log=True, reference=1.0, missing="refused")))
    per_mac = (fw or {}).get("m4", {}).get("per_mac")
    if per_mac:
        rows = []
        for model, kinds in per_mac.items():
            for kind, (port, dsp, cmsis) in kinds.items():
                lo = float(cmsis.split("–")[0]) if cmsis[:1].isdigit() else None
                rows.append((f"{model} {kind}", [port, dsp, lo]))
        made.append(("instructions_per_mac.svg", "Cortex-M4F instructions per MAC per operator type", charts.bars(
            "Cortex-M4F instructions per MAC, by operator type", rows,
            ["patchwise portable", "patchwise arm-dsp", "TFLM + CMSIS-NN (issue 10, low end)"],
            "instructions per MAC (log scale)", log=True, missing="no figure")))
    rows = [(r["name"], [r["tflm"]] + [v if isinstance(v, int) else None for v in r["modes"]]) for r in mem]
    made.append(("arena_bytes.svg", "Arena bytes per model and mode", charts.bars(
        "Arena bytes per model", rows, ["TFLM (64-bit host)", "patchwise layer by layer", "patchwise default",
                                        "patchwise external input"], "bytes (log scale)", log=True)))
    for fname, _, svg in made:
        with open(os.path.join(chart_dir, fname), "w") as f:
            f.write(svg)
    return [(fname, title) for fname, title, _ in made]


README_BEGIN = "<!-- bench/run.sh writes the lines below: headline figures of BENCHMARKS.md -->"
README_END = "<!-- end of bench/run.sh's lines -->"


def update_readme(path, lines, cmd, started):
    """Replaces the lines between README_BEGIN and README_END with the summary of this run."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        print(f"bench: {path} has no headline markers; left as it is", file=sys.stderr)
        return
    block = [README_BEGIN, f"Headline figures of [BENCHMARKS.md](BENCHMARKS.md) (`{cmd}`, "
             f"{started:%Y-%m-%d}):", ""] + [ln for ln in lines if ln] + [""]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:begin] + "\n".join(block) + "\n" + text[end:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", help="more .tflite files to time and plan")
    ap.add_argument("--quick", action="store_true", help=f"smoke run: {', '.join(QUICK_MODELS)}, short timing, "
                    "fewer firmware configurations")
    ap.add_argument("--only-given", action="store_true", help="host and memory: only the models given")
    ap.add_argument("--no-firmware", action="store_true", help="skip the QEMU firmware sections")
    ap.add_argument("--rounds", type=int, help="interleaved rounds per model (default 10, quick 3)")
    ap.add_argument("--seconds", type=float, help="timed seconds per engine and model (default 3, quick 0.5)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    ap.add_argument("--charts", help="chart directory (default: charts/ beside --out's file under bench/)")
    ap.add_argument("--readme", help="file whose headline block (between the README_BEGIN and README_END "
                    "markers) gets the summary (default: README.md when --out is BENCHMARKS.md in the repo; "
                    "'none' leaves it)")
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    rounds = a.rounds or (3 if a.quick else 10)
    budget = a.seconds or (0.5 if a.quick else 3.0)
    started, t0 = datetime.datetime.now(datetime.timezone.utc), time.time()
    load_start = open("/proc/loadavg").read().split()[:3]

    subprocess.run(["cargo", "build", "-q", "--release", "-p", "patchwise-cli"], cwd=REPO, check=True)
    exe = os.path.join(REPO, "target", "bench", "patchwise")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    shutil.copy2(os.path.join(REPO, "target", "release", "patchwise"), exe)  # firmware/bench.py rebuilds release

    shared_models = sorted(glob.glob(os.path.join(shared, "models", "*.tflite")))
    if a.quick:
        shared_models = [p for p in shared_models if os.path.splitext(os.path.basename(p))[0] in QUICK_MODELS]
    models = ([] if a.only_given else shared_models) + [os.path.abspath(p) for p in a.models]
    empty = engines.empty_model()  # for the Python call overhead

    t_host = time.time()
    host = [host_model(exe, p, empty, rounds, budget) for p in models]
    host_s = time.time() - t_host
    tflm_arena = {m["name"]: m["engines"]["TFLM"]["arena"] for m in host}
    mem = [memory_model(exe, p, tflm_arena.get(os.path.splitext(os.path.basename(p))[0])) for p in models]
    fw = None if a.no_firmware else firmware.collect(REPO, shared, a.quick)
    out_dir = os.path.dirname(os.path.abspath(a.out))
    chart_dir = a.charts or os.path.join(HERE, "charts")
    made = write_charts(host, mem, fw, chart_dir)
    load_end = open("/proc/loadavg").read().split()[:3]
    elapsed = time.time() - t0

    cmd = os.environ.get("BENCH_COMMAND") or "python3 bench/benchmarks.py " + " ".join(sys.argv[1:])
    doc = ["# Benchmarks\n",
           "Generated by one command from the repository root (it installs its own Python venv under "
           "`target/`, the cross compilers, QEMU and Rust targets when missing; needs `../shared`):\n",
           f"```sh\n{cmd}\n```\n",
           f"Run {started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.1f} min ({host_s / 60:.1f} min of it host timing)"
           + (", `--quick`" if a.quick else "") + ".\n",
           "| machine | |", "|---|---|"]
    doc += [f"| {k} | {v} |" for k, v in machine()]
    doc += [f"| load average (1, 5, 15 min) | {' '.join(load_start)} at the start, {' '.join(load_end)} at the end "
            "(other processes share the cores: host latencies are noisy when it is above the core count; the "
            "QEMU instruction counts are exact whatever the load) |", ""]
    doc += ["Charts: " + ", ".join(f"[{title}]({os.path.relpath(os.path.join(chart_dir, f), out_dir)})"
                                   for f, title in made) + ".\n"]
    doc += summary(host, mem, fw)
    doc += host_section(host, rounds, budget) if host else []
    doc += memory_section(mem)
    if fw:
        doc += firmware_section(fw)
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            doc += [f.read().strip(), ""]
    with open(a.out, "w") as f:
        f.write("\n".join(doc).rstrip() + "\n")
    readme = a.readme or (os.path.join(REPO, "README.md")
                          if os.path.abspath(a.out) == os.path.join(REPO, "BENCHMARKS.md") else "none")
    if readme != "none":
        update_readme(readme, summary(host, mem, fw)[1:], cmd, started)
    print(f"bench: wrote {a.out} and {len(made)} charts in {chart_dir} ({elapsed / 60:.1f} min)", file=sys.stderr)


if __name__ == "__main__":
    main()
