"""Time one LSTM training step of rnn_kit's NumPy cell against torch.nn.LSTM with autograd.

NumPy: input projection + ``recurrence_forward`` (with a workspace, as in ``RNNModel``), a given
loss gradient ``dh``, then ``recurrence_backward`` + projection backward. torch: ``nn.LSTM`` forward, then
autograd's backward from the same ``dh`` (``out.backward(dh)``). Two comparisons:

- **training step** (the bar): the inputs are data, so only the weight gradients are wanted, as in
  ``RNNModel.loss_and_grads`` (its projection backward skips dx) and in any torch training loop (the input
  tensor does not require a gradient);
- **with dx**: both also return the gradient of the input, as a layer inside a deeper network must.

Same time-major (T, N, .) arrays, float32, one thread each, one process; the steps are run interleaved
(NumPy, torch, NumPy, torch, ...) so machine noise hits both alike, and the medians are compared, as in
``bench_step.py``. Wall-clock decides the bar; the CPU time of the one thread is printed too,
being the steadier of the two on a machine shared with other jobs.
Run:  python benchmarks/bench_lstm.py [--repeats 30]
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # before NumPy is imported

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnn_kit.cells import lstm  # noqa: E402
from rnn_kit.gradcheck import rel_error  # noqa: E402
from rnn_kit.layers import temporal_affine_backward, temporal_affine_forward  # noqa: E402

D, H, N, T = 64, 256, 64, 100
BAR = 1.0  # NumPy no slower than torch


def make_steps(rng):
    """``{"training step": (numpy, torch), "with dx": (numpy, torch)}``: steps on the same weights, inputs and
    gradient, and the torch module (its gradients are compared with NumPy's)."""
    params = lstm.init_params(D, H, rng, np.float32)
    params["b_h"] += 0.1 * rng.standard_normal(4 * H).astype(np.float32)
    # time-major (T, N, .) for both: the layout rnn_kit's recurrence works in, and nn.LSTM's default
    x = rng.standard_normal((T, N, D)).astype(np.float32)
    state0 = lstm.zero_state(N, H, np.float32)
    dh = rng.standard_normal((T, N, H)).astype(np.float32)  # the loss gradient reaching every h_t

    workspace = {}  # the recurrence's big arrays, reused from step to step as RNNModel.loss_and_grads does

    def numpy_step(input_grad):
        xw, projection_cache = temporal_affine_forward(x, params["W_xh"], params["b_h"])  # (T, N, 4H)
        h, _, cache = lstm.recurrence_forward(xw, state0, params, workspace=workspace)
        dxw, _, grads = lstm.recurrence_backward(dh, cache)
        dx, grads["W_xh"], grads["b_h"] = temporal_affine_backward(dxw, projection_cache, input_grad=input_grad)
        return grads

    tm = torch.nn.LSTM(D, H)  # batch_first=False: (T, N, D) like x
    with torch.no_grad():
        tm.weight_ih_l0.copy_(torch.as_tensor(params["W_xh"].T))
        tm.weight_hh_l0.copy_(torch.as_tensor(params["W_hh"].T))
        tm.bias_ih_l0.copy_(torch.as_tensor(params["b_h"]))
        tm.bias_hh_l0.zero_()
    tdh = torch.as_tensor(dh)
    tx_data, tx_layer = torch.as_tensor(x), torch.as_tensor(x).requires_grad_()  # the second also gets dx

    def torch_step(tx):
        tm.zero_grad(set_to_none=True)
        tx.grad = None
        out, _ = tm(tx)
        out.backward(tdh)

    return {"training step": (lambda: numpy_step(False), lambda: torch_step(tx_data)),
            "with dx": (lambda: numpy_step(True), lambda: torch_step(tx_layer))}, tm


def interleaved_medians(numpy_step, torch_step, repeats):
    """Median wall-clock and CPU seconds of each step (CPU time, one thread each, is steadier on a busy machine)."""
    for _ in range(3):  # warm up both
        numpy_step()
        torch_step()
    times = {(name, clock): [] for name in ("numpy", "torch") for clock in ("wall", "cpu")}
    for _ in range(repeats):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            wall, cpu = time.perf_counter(), time.thread_time()
            step()
            times[name, "cpu"].append(time.thread_time() - cpu)
            times[name, "wall"].append(time.perf_counter() - wall)
    return {k: float(np.median(v)) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    steps, tm = make_steps(np.random.default_rng(0))
    numpy_step, torch_step = steps["training step"]
    grads = numpy_step()
    torch_step()
    same = rel_error(grads["W_hh"], tm.weight_hh_l0.grad.numpy().T)  # float32: about 1e-7
    print(f"numpy {np.__version__}, torch {torch.__version__}, python {platform.python_version()}, "
          f"float32, 1 thread, {args.repeats} interleaved repeats, medians")
    print(f"LSTM D={D}, H={H}, N={N}, T={T}; dW_hh of numpy and torch agree to {same:.0e} (relative)")
    ok = True
    for label, (numpy_step, torch_step) in steps.items():
        med = interleaved_medians(numpy_step, torch_step, args.repeats)
        print(f"\n{label}" + (" (the bar: weight gradients only, inputs are data)" if label == "training step"
                              else " (also the input's gradient; for information)"))
        print(f"{'clock':6s} {'numpy ms':>9s} {'torch ms':>9s} {'numpy/torch':>12s} {'bar':>6s}")
        for clock in ("wall", "cpu"):
            ratio = med["numpy", clock] / med["torch", clock]
            bar = f"{BAR:6.2f}" if label == "training step" else f"{'-':>6s}"
            print(f"{clock:6s} {1e3 * med['numpy', clock]:9.2f} {1e3 * med['torch', clock]:9.2f} {ratio:12.2f} {bar}"
                  f"{'  ABOVE BAR' if label == 'training step' and ratio > BAR else ''}")
        if label == "training step":
            ok = med["numpy", "wall"] <= BAR * med["torch", "wall"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
