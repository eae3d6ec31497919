"""PyTorch peer of `npm run bench`, run with /usr/bin/python3 (torch 1.13).

For each case that scripts/bench/cases.ts wrote under the bench folder it builds the PyTorch module,
loads the very weights opgraph used (strict state_dict), checks its output against opgraph's
interpreter, exports it to ONNX for the onnxruntime peers (model.onnx, beside the weights), and
times it on the CPU with 1 and 2 threads, by the same method as scripts/bench/measure.ts.

Usage: torch_peer.py BENCH_DIR [--quick]. Writes BENCH_DIR/torch.json.
"""

import json
import os
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
import safetensors_io as st  # noqa: E402
import cnn_models  # noqa: E402
import import_models  # noqa: E402
import seed_models as sm  # noqa: E402


class Gemm(nn.Module):
    """x @ w, w a [k, n] parameter: the 512^3 GEMM case."""

    def __init__(self, k, n):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(k, n))

    def forward(self, x):
        return x @ self.w


class Lstm(nn.LSTM):
    """nn.LSTM from zero states, returning only the output sequence."""

    def forward(self, x):
        return super().forward(x)[0]


def build(case):
    c = case["config"]
    kind = case["kind"]
    if kind == "mha":
        return sm.MultiHeadAttentionQKV(c["heads"], c["dModel"])
    if kind == "encoder":
        return nn.TransformerEncoderLayer(c["dModel"], c["heads"], c["ff"], dropout=0.0)
    if kind == "lstm":
        return Lstm(c["input"], c["hidden"], c["layers"])
    if kind == "gemm":
        return Gemm(c["k"], c["n"])
    if kind == "cnn":
        return cnn_models.SmallCnn()
    if kind == "gpt2block":
        return import_models.Gpt2Block(c["dModel"], c["heads"], c["seq"])
    raise ValueError(f"unknown case kind {kind!r}")


def measure(fn, budget_ms, warm_ms, min_samples):
    """Per-call percentiles in microseconds: warm-up, batches of >= 2 ms, >= min_samples samples."""
    calls = 0
    warm_end = time.perf_counter() + warm_ms / 1e3
    while time.perf_counter() < warm_end or calls < 3:
        fn()
        calls += 1
    per_call = warm_ms / calls
    batch = max(1, int(-(-2 // max(per_call, 1e-4))))
    times = []
    end = time.perf_counter() + budget_ms / 1e3
    while time.perf_counter() < end or len(times) < min_samples:
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - t0) * 1e6 / batch)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"p10": q(0.1), "p50": q(0.5), "p90": q(0.9), "samples": len(times)}


def export_onnx(model, args, names, path):
    # The encoder layer's inference fast path does not trace; exporting with gradients on avoids it.
    with torch.enable_grad():
        torch.onnx.export(model, tuple(args), path, input_names=names, output_names=["output"], opset_version=14)


def peak_gflops():
    """Single-thread native throughput: a 1024^3 float32 GEMM (PyTorch's BLAS, AVX2/FMA where the CPU has it)."""
    torch.set_num_threads(1)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    lat = measure(lambda: torch.mm(a, b), 1500, 300, 15)
    return 2 * 1024**3 / lat["p50"] / 1e3


def main():
    bench_dir = sys.argv[1]
    quick = "--quick" in sys.argv
    budget, warm, min_samples = (300, 60, 5) if quick else (2000, 300, 15)
    torch.manual_seed(0)
    cases = json.load(open(os.path.join(bench_dir, "cases.json")))
    rows, errors = [], []
    for case in cases:
        folder = os.path.join(bench_dir, case["id"])
        state = st.read(os.path.join(folder, "weights.safetensors"))[0]
        inputs = st.read(os.path.join(folder, "inputs.safetensors"))[0]
        ref = st.read(os.path.join(folder, "reference.safetensors"))[0]["output"]
        args = [inputs[n] for n in case["inputs"]]
        t0 = time.perf_counter()
        model = build(case).eval()
        model.load_state_dict(state, strict=True)
        load_ms = (time.perf_counter() - t0) * 1e3
        try:
            export_onnx(model, args, case["inputs"], os.path.join(folder, "model.onnx"))
        except Exception as e:  # the ONNX peers report the missing file
            errors.append(f"{case['id']}: torch.onnx.export failed: {e}")
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with torch.inference_mode():
                t0 = time.perf_counter()
                out = model(*args)
                cold_ms = (time.perf_counter() - t0) * 1e3
                err = (out - ref).abs().max().item()
                lat = measure(lambda: model(*args), budget, warm, min_samples)
            rows.append({"case": case["id"], "runner": f"PyTorch CPU, {threads} thread{'s' if threads > 1 else ''}",
                         **lat, "loadMs": load_ms, "coldMs": cold_ms, "peakBytes": None, "maxErr": err})
        print(f"torch: {case['id']} done", file=sys.stderr)
    result = {"version": torch.__version__, "peakGflops": peak_gflops(), "rows": rows, "errors": errors}
    with open(os.path.join(bench_dir, "torch.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
