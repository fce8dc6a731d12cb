"""Time one training step (forward + loss + BPTT) of rnn_kit's NumPy model against PyTorch.

Same shapes, float32, one thread each, one process; the two are run interleaved
(NumPy, torch, NumPy, torch, ...) so machine noise hits both alike, and the medians
are compared. Run:  python benchmarks/bench_step.py [--repeats 30] [--json results.json]
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnn_kit import RNNModel  # noqa: E402
from rnn_kit.torch.models import to_torch  # noqa: E402

CASES = {  # name: (vocab V or None, D, H, N, T, O)
    "small char (V=65, H=64, N=32, T=50)": (65, 64, 64, 32, 50, 65),
    "medium char (V=65, H=256, N=64, T=100)": (65, 256, 256, 64, 100, 65),
    "sine regression (D=1, H=32, N=64, T=40)": (None, 1, 32, 64, 40, 1),
}
BARS = {"small": 0.75, "medium": 1.15, "sine": 0.75}


def make_case(V, D, H, N, T, O, rng):
    """The NumPy model, its torch twin, and one batch."""
    loss = "cross_entropy" if V else "mse"
    model = RNNModel(D, H, O, vocab_size=V, head="every" if V else "last", loss=loss, dtype=np.float32, rng=0)
    tm = to_torch(model)
    if V:
        x, y = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
        tx, ty = torch.as_tensor(x), torch.as_tensor(y).reshape(-1)

        def torch_loss(out):
            return torch.nn.functional.cross_entropy(out.reshape(-1, O), ty)
    else:
        x, y = rng.standard_normal((N, T, D)).astype(np.float32), rng.standard_normal((N, O)).astype(np.float32)
        tx, ty = torch.as_tensor(x), torch.as_tensor(y)

        def torch_loss(out):
            return torch.nn.functional.mse_loss(out, ty)

    def numpy_step():
        model.loss_and_grads(x, y)

    def torch_step():
        tm.zero_grad(set_to_none=True)
        out, _ = tm(tx)
        torch_loss(out).backward()

    return numpy_step, torch_step


def interleaved_medians(numpy_step, torch_step, repeats):
    for _ in range(3):  # warm up both
        numpy_step()
        torch_step()
    times = {"numpy": [], "torch": []}
    for _ in range(repeats):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {k: float(np.median(v)) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}, python {platform.python_version()}, "
          f"float32, 1 thread, {args.repeats} interleaved repeats, medians")
    print(f"{'case':42s} {'numpy ms':>9s} {'torch ms':>9s} {'numpy/torch':>12s} {'bar':>6s}")
    ok, results = True, {}
    for name, shape in CASES.items():
        med = interleaved_medians(*make_case(*shape, rng), args.repeats)
        ratio = med["numpy"] / med["torch"]
        bar = BARS[name.split()[0]]
        ok &= ratio <= bar
        results[name] = {"numpy_ms": 1e3 * med["numpy"], "torch_ms": 1e3 * med["torch"], "ratio": ratio, "bar": bar}
        print(f"{name:42s} {1e3 * med['numpy']:9.2f} {1e3 * med['torch']:9.2f} {ratio:12.2f} {bar:6.2f}"
              f"{'' if ratio <= bar else '  ABOVE BAR'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
