"""Speed of rnn_kit's character model at the size `python -m rnn_kit.charlm` trains, on one core.

Four measurements, float32 and one thread throughout, in one process:

1. One training step of the NumPy ``RNNModel`` (V=100, D=64, H=256, N=64, T=100: loss and
   gradients, clipping, Adam) against the same network in PyTorch (``nn.Embedding`` +
   ``nn.RNN`` + ``nn.Linear``, autograd, ``clip_grad_norm_``, ``torch.optim.Adam``) on the same
   batch, run interleaved (NumPy, torch, NumPy, ...) so machine noise hits both; medians compared.
   Goal: NumPy at least 1.3 times faster.
2. The NumPy step's matrix-product rate as a share of this core's float32 matmul rate, measured in
   the same run on a 1024 x 1024 product. The step's FLOPs are counted from its products (below).
   Goal: at least 60%.
3. Characters per second of a min-char-rnn-style loop (one sequence, one-hot column vectors, one
   matrix-vector product at a time, Adagrad; written here for comparison, float64 as the original)
   against the package's training step. Goal: the package at least 30 times faster.
4. Seconds to sample 1,000 characters with ``RNNModel.sample``. Goal: under 0.1 s.

Every time is the process's CPU time (``time.process_time``), not wall time: with one thread per
library the two agree on an idle machine, and on a shared one CPU time leaves out the time slices
other programs took (wall-clock medians of the step are printed too, for comparison).

    python benchmarks/bench_charlm.py [--repeats 20] [--json results.json]

Exit status 0 when every goal is met, 1 otherwise.
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
from torch import nn  # noqa: E402

from rnn_kit import Adam, RNNModel, clip_grad_norm  # noqa: E402
from rnn_kit.torch.models import to_torch  # noqa: E402

V, D, H, N, T = 100, 64, 256, 64, 100  # the CLI's defaults (embed 64, hidden 256, batch 64, seq-len 100)
GOALS = {"speedup_vs_torch": 1.3, "matmul_share": 0.60, "speedup_vs_minchar": 30.0, "sample_1000_s": 0.1}


# ---------------------------------------------------------------- the FLOPs of one NumPy step


def step_flops(V, D, H, N, T):
    """Multiply-add FLOPs (2 per multiply-add) of the matrix products in ``RNNModel.loss_and_grads``.

    ``model`` counts what the network needs: the input table W_embed W_xh (V x D x H), the
    recurrence (N T H^2 forward, twice that backward: dh_{t-1} and dW_hh), and the output layer
    (N T H V forward, twice backward: dh and dW_hy), plus dW_xh and dW_embed from the table's
    gradient. ``one_hot`` is the extra product ``embedding_backward`` uses to add up the table's
    gradient rows per id (a scatter-add done as one BLAS call); it is counted separately.
    """
    NT = N * T
    model = 2 * (3 * NT * H * H + 3 * NT * H * V + 3 * V * D * H)
    return {"model": model, "one_hot": 2 * V * NT * H}


def matmul_rate(n=1024, repeats=7):
    """This core's float32 matrix-product rate in FLOP/s (median over ``repeats`` products of n x n by n x n)."""
    a, b = np.ones((n, n), np.float32), np.ones((n, n), np.float32)
    out = np.empty((n, n), np.float32)
    times = []
    for _ in range(repeats + 1):
        start = time.process_time()
        np.matmul(a, b, out=out)
        times.append(time.process_time() - start)
    return 2 * n**3 / float(np.median(times[1:]))


# ---------------------------------------------------------------- NumPy and torch training steps


def make_steps(rng):
    """One training step of the NumPy model and one of its torch twin, on the same batch."""
    model = RNNModel(D, H, V, vocab_size=V, dtype=np.float32, rng=0)
    tm = to_torch(model)
    x, y = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    opt = Adam(model.params, lr=1e-3)
    tx, ty = torch.as_tensor(x), torch.as_tensor(y).reshape(-1)
    topt = torch.optim.Adam(tm.parameters(), lr=1e-3)

    def numpy_grads():
        return model.loss_and_grads(x, y)

    def numpy_step():
        _, grads, _ = model.loss_and_grads(x, y)
        clip_grad_norm(grads, 5.0)
        opt.step(grads)

    def torch_grads():
        tm.zero_grad(set_to_none=True)
        out, _ = tm(tx)
        nn.functional.cross_entropy(out.reshape(-1, V), ty).backward()

    def torch_step():
        torch_grads()
        nn.utils.clip_grad_norm_(tm.parameters(), 5.0)
        topt.step()

    return {"loss and gradients": (numpy_grads, torch_grads), "training step": (numpy_step, torch_step)}, model


def interleaved_medians(numpy_step, torch_step, repeats):
    """Median CPU seconds of each step, and median wall seconds (keys ``*_wall``)."""
    for _ in range(3):  # warm up both
        numpy_step()
        torch_step()
    times = {"numpy": [], "torch": [], "numpy_wall": [], "torch_wall": []}
    for _ in range(repeats):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            cpu, wall = time.process_time(), time.perf_counter()
            step()
            times[name].append(time.process_time() - cpu)
            times[name + "_wall"].append(time.perf_counter() - wall)
    return {k: float(np.median(v)) for k, v in times.items()}


# ---------------------------------------------------------------- a min-char-rnn-style loop


def minchar_params(rng, H, V):
    """Column-vector weights, as min-char-rnn stores them: Wxh (H, V), Whh (H, H), Why (V, H), biases columns."""
    return {"Wxh": 0.01 * rng.standard_normal((H, V)), "Whh": 0.01 * rng.standard_normal((H, H)),
            "Why": 0.01 * rng.standard_normal((V, H)), "bh": np.zeros((H, 1)), "by": np.zeros((V, 1))}


def minchar_loss_and_grads(inputs, targets, h_prev, p):
    """One sequence, one character at a time: one-hot x_t, matrix-vector products, BPTT, clipping."""
    xs, hs, ps, loss = {}, {-1: h_prev}, {}, 0.0
    for t, (i, j) in enumerate(zip(inputs, targets)):
        xs[t] = np.zeros((p["Wxh"].shape[1], 1))
        xs[t][i] = 1  # one-hot column
        hs[t] = np.tanh(p["Wxh"] @ xs[t] + p["Whh"] @ hs[t - 1] + p["bh"])  # (H, 1)
        y = p["Why"] @ hs[t] + p["by"]  # (V, 1)
        ps[t] = np.exp(y - y.max())
        ps[t] /= ps[t].sum()
        loss -= np.log(ps[t][j, 0])
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros_like(h_prev)
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1  # softmax + cross-entropy
        grads["Why"] += dy @ hs[t].T
        grads["by"] += dy
        da = (1 - hs[t] ** 2) * (p["Why"].T @ dy + dh_next)  # backprop through tanh
        grads["bh"] += da
        grads["Wxh"] += da @ xs[t].T
        grads["Whh"] += da @ hs[t - 1].T
        dh_next = p["Whh"].T @ da
    for g in grads.values():
        np.clip(g, -5, 5, out=g)
    return loss, grads, hs[len(inputs) - 1]


def minchar_chars_per_second(H, seq_len, steps, rng):
    """Characters per second of the min-char-rnn-style loop with Adagrad, over ``steps`` sequences."""
    p = minchar_params(rng, H, V)
    memory = {k: np.zeros_like(v) for k, v in p.items()}
    text = rng.integers(0, V, steps * seq_len + 1)
    h = np.zeros((H, 1))
    start = time.process_time()
    for s in range(steps):
        chunk = text[s * seq_len : (s + 1) * seq_len + 1]
        _, grads, h = minchar_loss_and_grads(chunk[:-1], chunk[1:], h, p)
        for k in p:  # Adagrad
            memory[k] += grads[k] ** 2
            p[k] -= 0.1 * grads[k] / np.sqrt(memory[k] + 1e-8)
    return steps * seq_len / (time.process_time() - start)


# ---------------------------------------------------------------- sampling


def sample_seconds(model, repeats=5):
    model.sample([1, 2, 3], 50, rng=0)  # warm up
    times = []
    for r in range(repeats):
        start = time.process_time()
        model.sample([1, 2, 3], 1000, temperature=1.0, rng=r)
        times.append(time.process_time() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}, python {platform.python_version()}, "
          f"float32, 1 thread, {args.repeats} interleaved repeats, medians; V={V}, D={D}, H={H}, N={N}, T={T}")

    steps, model = make_steps(rng)
    res = {"size": {"V": V, "D": D, "H": H, "N": N, "T": T}}
    peak_before = matmul_rate()
    for name, pair in steps.items():
        med = interleaved_medians(*pair, args.repeats)
        res[name] = {"numpy_ms": 1e3 * med["numpy"], "torch_ms": 1e3 * med["torch"],
                     "speedup": med["torch"] / med["numpy"], "numpy_wall_ms": 1e3 * med["numpy_wall"],
                     "torch_wall_ms": 1e3 * med["torch_wall"], "speedup_wall": med["torch_wall"] / med["numpy_wall"]}
    peak = max(peak_before, matmul_rate())  # before and after: the better of two, in case of a busy moment
    flops = step_flops(V, D, H, N, T)
    seconds = res["loss and gradients"]["numpy_ms"] / 1e3
    res["matmul"] = {"peak_gflops": peak / 1e9, "step_model_gflop": flops["model"] / 1e9,
                     "step_one_hot_gflop": flops["one_hot"] / 1e9,
                     "share_model": flops["model"] / seconds / peak,
                     "share_with_one_hot": (flops["model"] + flops["one_hot"]) / seconds / peak}

    package_cps = N * T / (res["training step"]["numpy_ms"] / 1e3)
    minchar = {f"H={h}, seq {s}": minchar_chars_per_second(h, s, steps=max(4, 2000 // s), rng=rng)
               for h, s in [(H, T), (100, 25)]}
    res["minchar"] = {"package_chars_per_s": package_cps, "minchar_chars_per_s": minchar,
                      "speedup": package_cps / minchar[f"H={H}, seq {T}"]}
    res["sample_1000_s"] = sample_seconds(model)

    checks = {"speedup_vs_torch": res["training step"]["speedup"] >= GOALS["speedup_vs_torch"],
              "matmul_share": res["matmul"]["share_model"] >= GOALS["matmul_share"],
              "speedup_vs_minchar": res["minchar"]["speedup"] >= GOALS["speedup_vs_minchar"],
              "sample_1000_s": res["sample_1000_s"] < GOALS["sample_1000_s"]}
    res["goals_met"] = checks
    report(res, checks)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
    return 0 if all(checks.values()) else 1


def report(res, checks):
    def mark(ok):
        return "met" if ok else "MISSED"

    print("\n| measurement (CPU time) | NumPy | torch | torch / NumPy (goal) | wall-clock torch / NumPy |")
    print("|---|---|---|---|---|")
    for name in ("loss and gradients", "training step"):
        r = res[name]
        goal = (f" (≥ {GOALS['speedup_vs_torch']}: {mark(checks['speedup_vs_torch'])})"
                if name == "training step" else "")
        print(f"| {name} | {r['numpy_ms']:.1f} ms | {r['torch_ms']:.1f} ms | {r['speedup']:.2f}{goal} | "
              f"{r['speedup_wall']:.2f} |")
    m = res["matmul"]
    print(f"\nfloat32 matmul rate of this core (1024^3): {m['peak_gflops']:.1f} GFLOP/s")
    print(f"NumPy loss and gradients: {m['step_model_gflop']:.2f} GFLOP of model products "
          f"-> {100 * m['share_model']:.0f}% of that rate (goal ≥ {100 * GOALS['matmul_share']:.0f}%: "
          f"{mark(checks['matmul_share'])}); with the one-hot scatter product "
          f"(+{m['step_one_hot_gflop']:.2f} GFLOP) {100 * m['share_with_one_hot']:.0f}%")
    mc = res["minchar"]
    loops = ", ".join(f"{k}: {v:,.0f}" for k, v in mc["minchar_chars_per_s"].items())
    print(f"\ncharacters per second: package training step {mc['package_chars_per_s']:,.0f}; "
          f"min-char-rnn-style loop {loops}")
    print(f"package / min-char-rnn at the same size (H={H}, T={T}): {mc['speedup']:.0f}x "
          f"(goal ≥ {GOALS['speedup_vs_minchar']:.0f}x: {mark(checks['speedup_vs_minchar'])})")
    print(f"sampling 1,000 characters: {res['sample_1000_s']:.3f} s "
          f"(goal < {GOALS['sample_1000_s']} s: {mark(checks['sample_1000_s'])})")


if __name__ == "__main__":
    raise SystemExit(main())
