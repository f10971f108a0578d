"""The engines timed on the host: patchwise (its CLI), TFLM and LiteRT (their Python packages).

Each engine loads one model and offers `times(n)` (n invoke latencies in microseconds, the
Python call overhead already subtracted), `outputs(inputs)` (raw output bytes for given input
arrays) and `arena` (bytes, or None). A model the engine cannot load sets `refused` to the
engine's own message instead of raising.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

MAX_REASON = 120


def reason(e):
    text = " ".join(str(e).split())
    head = text[:40]
    again = text.find(head, 1) if len(head) == 40 else -1
    if again > 0:  # LiteRT repeats one message per tensor: keep one, say how many
        text = f"{text[:again]} (×{text.count(head)})"
    return f"{type(e).__name__}: {text[:MAX_REASON]}{'…' if len(text) > MAX_REASON else ''}"


def bench_inputs(details):
    """The inputs `patchwise bench` builds: byte k = k*37 mod 251, floats ((k*37 mod 255)/255)*2-1."""
    arrays = []
    for dtype, shape in details:
        count = int(np.prod(shape))
        if dtype == np.float32:
            k = np.arange(count, dtype=np.int64)
            x = ((k * 37 % 255).astype(np.float32) / np.float32(255.0)) * np.float32(2.0) - np.float32(1.0)
        else:
            nbytes = count * np.dtype(dtype).itemsize
            x = (np.arange(nbytes, dtype=np.int64) * 37 % 251).astype(np.uint8).view(dtype)
        arrays.append(x.astype(dtype).reshape(shape))
    return arrays


def empty_model():
    """A .tflite with one int8 tensor (input and output at once) and no operator: its invoke does
    nothing but the call itself, so timing it gives an engine's call overhead."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    tensor = schema.TensorT()
    tensor.shape, tensor.type, tensor.buffer, tensor.name = [1], schema.TensorType.INT8, 0, b"x"
    graph = schema.SubGraphT()
    graph.tensors, graph.inputs, graph.outputs, graph.operators = [tensor], [0], [0], []
    model = schema.ModelT()
    model.version, model.buffers, model.subgraphs, model.operatorCodes = 3, [schema.BufferT()], [graph], []
    b = flatbuffers.Builder(256)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def call_overhead_us(invoke, n=2000):
    """Median time of `invoke` on the empty model, timed exactly as the real invokes are."""
    return float(np.median(clock(invoke, n)))


def clock(fn, n):
    pc = time.perf_counter_ns
    out = []
    for _ in range(n):
        t0 = pc()
        fn()
        out.append((pc() - t0) / 1e3)
    return out


class Patchwise:
    name = "patchwise"

    def __init__(self, exe, path, options=()):
        self.exe, self.path, self.options = exe, path, list(options)
        self.refused, self.arena = None, None
        try:
            first = self._bench(1, 1)
            self.arena = first["arena_bytes"]
        except RuntimeError as e:
            self.refused = str(e)

    def _bench(self, iters, warmup):
        cmd = [self.exe, "bench", self.path, "--iters", str(iters), "--warmup", str(warmup), "--json"]
        p = subprocess.run(cmd + self.options, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip().removeprefix("patchwise: ")[:MAX_REASON])
        return json.loads(p.stdout)

    def times(self, n):
        # Timed in Rust around Interpreter::invoke (no Python in the loop): nothing to subtract.
        return self._bench(n, 1)["times_us"]

    def outputs(self, inputs):
        with tempfile.TemporaryDirectory() as d:
            ins = []
            for i, x in enumerate(inputs):
                ins += ["--input", os.path.join(d, f"in{i}.bin")]
                x.tofile(ins[-1])
            outs = []
            for j in range(self.num_outputs):
                outs += ["--output", os.path.join(d, f"out{j}.bin")]
            p = subprocess.run([self.exe, "run", self.path] + ins + outs + self.options, capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(p.stderr.strip())
            return [open(f, "rb").read() for f in outs[1::2]]


class Tflm:
    name = "TFLM"

    def __init__(self, model_bytes, empty_bytes):
        from tflite_micro import runtime

        self.refused, self.arena, self.overhead_us = None, None, None
        try:
            self.it = runtime.Interpreter.from_bytes(model_bytes, arena_size=64 << 20)
            self.it.invoke()
            self.arena = tflm_arena(self.it)
        except Exception as e:  # an engine that cannot load a model is reported, not fatal
            self.refused = reason(e)
            return
        tiny = runtime.Interpreter.from_bytes(empty_bytes, arena_size=1 << 16)
        self.overhead_us = call_overhead_us(tiny.invoke)

    def times(self, n):
        return [max(t - self.overhead_us, 0.0) for t in clock(self.it.invoke, n)]

    def outputs(self, inputs):
        for i, x in enumerate(inputs):
            self.it.set_input(x, i)
        self.it.invoke()
        return [self.it.get_output(j).tobytes() for j in range(self.num_outputs)]


def tflm_arena(it):
    """Total arena bytes from TFLM's recording allocator (it prints them on the C stderr)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            it.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        m = re.search(rb"Arena allocation total (\d+) bytes", tmp.read())
    return int(m.group(1)) if m else None


class LiteRT:
    def __init__(self, model_bytes, empty_bytes, reference):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        kind = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
        self.name = "LiteRT ref" if reference else "LiteRT XNNPACK"
        self.refused, self.arena, self.overhead_us = None, None, None

        def load(b):
            it = Interpreter(model_content=b, num_threads=1, experimental_op_resolver_type=kind)
            it.allocate_tensors()
            it.invoke()
            return it

        try:
            self.it = load(model_bytes)
        except Exception as e:  # e.g. person_detect: "quantized_dimension must be in range [0, 1). Was 3."
            self.refused = reason(e)
            return
        self.overhead_us = call_overhead_us(load(empty_bytes).invoke)

    def times(self, n):
        return [max(t - self.overhead_us, 0.0) for t in clock(self.it.invoke, n)]

    def outputs(self, inputs):
        for d, x in zip(self.it.get_input_details(), inputs):
            self.it.set_tensor(d["index"], x)
        self.it.invoke()
        return [self.it.get_tensor(d["index"]).tobytes() for d in self.it.get_output_details()]
