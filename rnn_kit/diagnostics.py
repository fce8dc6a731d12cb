"""Measuring memory: how far a gradient travels back in time, and how far a trained network remembers.

Gradient flow. For a loss ``L = <dh_T, h_T> (+ <dc_T, c_T>)`` on the last state, BPTT sends
``∂L/∂h_{T-k}`` back one step at a time. For the vanilla RNN each step multiplies it by a
Jacobian (row vectors, labels of ``cells/rnn.py``):

    (J1)  ∂L/∂h_{s-1} = ∂L/∂h_s · J_s,      J_s = diag(f'(a_s)) W_hh^T,   f' = 1 - h_s² (tanh) or [a_s > 0] (relu)
    (J2)  ∂L/∂h_{T-k} = ∂L/∂h_T · J_T J_{T-1} ··· J_{T-k+1}
    (J3)  ‖∂L/∂h_{T-k}‖ <= ‖∂L/∂h_T‖ · Π_s max_i |f'(a_s)_i| · ‖W_hh‖_2          (the norm bound)

so the norm changes geometrically: it vanishes when every factor is below 1 and can explode
when ``‖W_hh‖_2 > 1``. The LSTM's cell state has a second, additive path (L8 of ``cells/lstm.py``):
``∂L/∂c_{s-1} = ∂L/∂c_s ⊙ f_s`` plus what comes through h, which survives while f_s stays near 1.

    gradient_norms_through_time   ‖∂L/∂h_{T-k}‖ (and ‖∂L/∂c_{T-k}‖), looping the cells' public step pairs
    rnn_jacobians                 J_s of (J1) for one sequence
    jacobian_product_norms        (J2) as explicit matrix products, its worst case and the bound (J3)
    mean_field_rate               the decay per step that (J1) predicts for W_hh = ρ · orthogonal
    log_slope                     the measured decay per step: slope of log ‖·‖ against k

Memory capacity: ``train_on_memory_task`` trains an ``RNNModel`` on fresh batches of a task from
``rnn_kit.data.memory_tasks`` and scores it on held-out sequences; ``identity_recurrence``,
``scale_weights`` and ``forget_gate_bias`` change its initial parameters (its ``init=``).

Taught in ``notebooks/06_memory_and_gates.ipynb``; ``benchmarks/memory_capacity.py`` runs the grid.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, as_shaped_float_array, check_nonlinearity, check_positive
from .cells.gru import gru_step_backward, gru_step_forward
from .cells.lstm import lstm_step_backward, lstm_step_forward
from .cells.rnn import rnn_step_backward, rnn_step_forward
from .data.memory_tasks import delayed_recall, delayed_xor
from .layers import embedding_forward
from .model import RNNModel
from .optim import clip_grad_norm
from .training import make_optimizer

# ---------------------------------------------------------------- gradient flow, measured


class GradientFlow(NamedTuple):
    """What ``gradient_norms_through_time`` measured; entry k is about the state k steps before the last."""

    dh_norms: np.ndarray  # (T + 1,): ‖∂L/∂h_{T-k}‖ for k = 0..T (k = T is the initial state h_0)
    dc_norms: np.ndarray | None  # (T + 1,): ‖∂L/∂c_{T-k}‖ for the LSTM, else None
    h: np.ndarray  # (N, T, H): the hidden states h_1..h_T of the forward pass


def _step_inputs(model, inputs):
    """The input vectors x_t (N, T, D) a model's cell reads: embedded ids, or the floats themselves."""
    if model.vocab_size is not None:
        return embedding_forward(inputs, model.params["W_embed"])[0]  # (N, T) -> (N, T, D), ids checked
    D = model.input_size
    return as_shaped_float_array("inputs", inputs, (None, None, D), f"(N, T, D) with D={D}")


def gradient_norms_through_time(model, inputs, *, state0=None, dh_T=None, dc_T=None) -> GradientFlow:
    """‖∂L/∂h_{T-k}‖ for k = 0..T, by running the cell's public step functions forward and back.

    The loss is ``L = sum(dh_T * h_T)`` (plus ``sum(dc_T * c_T)`` for the LSTM): a gradient put
    into the last state only, so that what reaches each earlier state has travelled exactly k steps.

    Parameters
    ----------
    model : RNNModel
        Any cell; only its input weights and cell are used (not the output layer).
    inputs : ndarray of shape (N, T, D), or int ids (N, T) when the model has a ``vocab_size``
    state0 : initial state, optional (zeros); ``(h0, c0)`` for the LSTM
    dh_T : ndarray of shape (N, H), optional
        Gradient sent into h_T; default: all entries equal, total norm 1.
    dc_T : ndarray of shape (N, H), optional
        LSTM only: gradient sent into the cell state c_T; default zeros.

    Returns
    -------
    GradientFlow
        ``dh_norms[k]`` is the Frobenius norm over the batch of ∂L/∂h_{T-k}; for the LSTM
        ``dc_norms[k]`` that of ∂L/∂c_{T-k}. For the LSTM both are partial derivatives with
        respect to the state pair (h, c), exactly what ``lstm_step_backward`` returns.

    Notes
    -----
    Loops ``rnn_step_backward`` / ``lstm_step_backward`` / ``gru_step_backward``, whose ``dh_prev``
    is the gradient one step further back. Taught in ``notebooks/06_memory_and_gates.ipynb``.
    """
    if not isinstance(model, RNNModel):
        raise TypeError(f"model must be an RNNModel, got {type(model).__name__}")
    x = _step_inputs(model, inputs)
    N, T, _ = x.shape
    H, name = model.hidden_size, model.cell.NAME
    if dc_T is not None and name != "lstm":
        raise ValueError(f"dc_T is only for cell='lstm', the model's cell is {name!r}")
    dh = _seed_gradient("dh_T", dh_T, N, H, default=np.full((N, H), 1 / np.sqrt(N * H)))
    dc = _seed_gradient("dc_T", dc_T, N, H, default=np.zeros((N, H)))
    cell = model.cell
    state = cell.zero_state(N, H, model.dtype) if state0 is None else cell.check_state("state0", state0, N, H,
                                                                                       model.dtype)
    p = model.params
    caches, hs = [], np.empty((N, T, H))
    for t in range(T):  # forward, one public step at a time
        if name == "rnn":
            state, cache = rnn_step_forward(x[:, t], state, p["W_xh"], p["W_hh"], p["b_h"],
                                            nonlinearity=model.nonlinearity)
        elif name == "lstm":
            *state, cache = lstm_step_forward(x[:, t], *state, p["W_xh"], p["W_hh"], p["b_h"])
        else:
            state, cache = gru_step_forward(x[:, t], state, p["W_xh"], p["W_hh"], p["b_h"], p["b_hn"])
        caches.append(cache)
        hs[:, t] = state[0] if name == "lstm" else state
    dh_norms, dc_norms = [np.linalg.norm(dh)], [np.linalg.norm(dc)]
    for t in reversed(range(T)):  # backward: each step's dh_prev is the gradient one step further back
        if name == "rnn":
            dh = rnn_step_backward(dh, caches[t])[1]
        elif name == "lstm":
            _, dh, dc, *_ = lstm_step_backward(dh, dc, caches[t])
            dc_norms.append(np.linalg.norm(dc))
        else:
            dh = gru_step_backward(dh, caches[t])[1]
        dh_norms.append(np.linalg.norm(dh))
    return GradientFlow(np.array(dh_norms), np.array(dc_norms) if name == "lstm" else None, hs)


def _seed_gradient(name, value, N, H, default):
    if value is None:
        return default
    value = as_float_array(name, value, ndim=2)
    if value.shape != (N, H):
        raise ValueError(f"{name} must have shape (N, H) = ({N}, {H}), got {value.shape}")
    return value.astype(np.float64)


# ---------------------------------------------------------------- gradient flow, in theory (vanilla RNN)


class JacobianTheory(NamedTuple):
    """(J2) and (J3) for one sequence; entry k is about ∂L/∂h_{T-k}, k = 0..T."""

    exact: np.ndarray  # (T + 1,): ‖dh_T · J_T ··· J_{T-k+1}‖, equal to the measured norm
    worst_case: np.ndarray  # (T + 1,): ‖dh_T‖ · ‖J_T ··· J_{T-k+1}‖_2, the largest over directions of dh_T
    bound: np.ndarray  # (T + 1,): ‖dh_T‖ · Π_s max_i |f'(a_s)_i| · ‖W_hh‖_2, the bound (J3)


def _check_sequence(h, W_hh, nonlinearity):
    check_nonlinearity(nonlinearity)
    h = as_float_array("h", h, ndim=2)
    W_hh = as_float_array("W_hh", W_hh, ndim=2)
    T, H = h.shape
    if W_hh.shape != (H, H) or T == 0:
        raise ValueError(f"h must have shape (T, H) with T >= 1 and W_hh shape (H, H) = ({H}, {H}); "
                         f"got h {h.shape} and W_hh {W_hh.shape}")
    return h, W_hh


def _activation_slopes(h, nonlinearity):
    """f'(a_s) from the states: 1 - h² for tanh, [h > 0] for relu (relu(a) > 0 exactly when a > 0)."""
    return 1 - h * h if nonlinearity == "tanh" else (h > 0).astype(h.dtype)


def rnn_jacobians(h, W_hh, nonlinearity: str = "tanh") -> np.ndarray:
    """The step Jacobians J_s = diag(f'(a_s)) W_hh^T of (J1), for s = 1..T of one sequence.

    Parameters
    ----------
    h : ndarray of shape (T, H)
        The states h_1..h_T of one sequence (e.g. ``GradientFlow.h[0]``).
    W_hh : ndarray of shape (H, H)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    J : ndarray of shape (T, H, H)
        ``dh_{s-1} = dh_s @ J[s - 1]`` (row vectors).
    """
    h, W_hh = _check_sequence(h, W_hh, nonlinearity)
    return _activation_slopes(h, nonlinearity)[:, :, None] * W_hh.T  # (T, H, 1) * (H, H) -> (T, H, H)


def jacobian_product_norms(h, W_hh, dh_T, nonlinearity: str = "tanh") -> JacobianTheory:
    """(J2) with explicit matrix products P_k = J_T ··· J_{T-k+1}, their worst case, and the bound (J3).

    Parameters
    ----------
    h : ndarray of shape (T, H)
        States h_1..h_T of one sequence.
    W_hh : ndarray of shape (H, H)
    dh_T : ndarray of shape (H,) or (1, H)
        The gradient put into h_T.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    JacobianTheory
        ``exact <= worst_case <= bound`` entry by entry (up to rounding).
    """
    J = rnn_jacobians(h, W_hh, nonlinearity)
    T, H, _ = J.shape
    dh_T = as_float_array("dh_T", dh_T, ndim=(1, 2)).reshape(-1)
    if dh_T.shape != (H,):
        raise ValueError(f"dh_T must have H = {H} entries (one sequence), got {dh_T.size}")
    size = np.linalg.norm(dh_T)
    P = np.eye(H)
    exact, worst = [size], [size]
    for s in reversed(range(T)):
        P = P @ J[s]  # (H, H) @ (H, H): one more step back
        exact.append(np.linalg.norm(dh_T @ P))
        worst.append(size * np.linalg.norm(P, 2))
    step_bounds = np.abs(_activation_slopes(h, nonlinearity)).max(axis=1) * np.linalg.norm(W_hh, 2)  # (T,)
    bound = size * np.concatenate([[1.0], np.cumprod(step_bounds[::-1])])
    return JacobianTheory(np.array(exact), np.array(worst), bound)


def mean_field_rate(h, W_hh, nonlinearity: str = "tanh") -> float:
    """The decay of log ‖∂L/∂h_{T-k}‖ per step that (J1) predicts when W_hh = ρ · (an orthogonal matrix).

    Then ``‖v J_s‖ = ρ ‖v ⊙ f'(a_s)‖``; if the gradient v is spread evenly over the units,
    ``‖v ⊙ f'‖² ≈ ‖v‖² · mean_i f'_i²``, so each step adds ``log ρ + ½ log mean_i f'(a_s)_i²``.
    Returned: that, averaged over the steps of the sequence. With f' = 1 (a linear network) it
    is exactly ``log ρ``. It assumes the gradient does not line up with the units that pass it,
    which holds for tanh; for relu the two are correlated and the measured decay is slower.

    Parameters
    ----------
    h : ndarray of shape (T, H)
        States of one sequence.
    W_hh : ndarray of shape (H, H)
        ρ is taken as its largest singular value.
    """
    h, W_hh = _check_sequence(h, W_hh, nonlinearity)
    slopes = _activation_slopes(h, nonlinearity)
    mean_sq = np.mean(slopes * slopes, axis=1)  # (T,)
    if np.any(mean_sq == 0):
        return -np.inf  # a step where no unit passes the gradient: it is cut
    return float(np.log(np.linalg.norm(W_hh, 2)) + 0.5 * np.mean(np.log(mean_sq)))


def log_slope(norms, start: int = 0, stop: int | None = None) -> float:
    """Least-squares slope of ``log(norms[k])`` against k over ``k in [start, stop)``: the change per step.

    Negative: the gradient shrinks by a factor ``exp(slope)`` per step back in time; positive: it grows.
    """
    norms = as_float_array("norms", norms, ndim=1)
    k = np.arange(len(norms))[start:stop]
    values = norms[start:stop]
    if len(values) < 2:
        raise ValueError(f"need at least 2 norms in [start, stop) to fit a slope, got {len(values)}")
    if np.any(values <= 0):
        raise ValueError("norms must be > 0 to take their log; a gradient that reached exactly 0 has no rate")
    return float(np.polyfit(k, np.log(values), 1)[0])


# ---------------------------------------------------------------- memory capacity: train, then score


TASKS = {"recall": delayed_recall, "xor": delayed_xor}


def identity_recurrence(params: dict) -> None:
    """Set a vanilla RNN's W_hh to the identity, in place: with relu this is the IRNN of Le et al. (2015).

    An active relu unit then passes its value, and its gradient, from one step to the next unchanged.
    """
    W_hh = params["W_hh"]
    if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"identity_recurrence needs a vanilla RNN's square W_hh (H, H), got shape {W_hh.shape}")
    W_hh[:] = np.eye(len(W_hh))


def scale_weights(factor: float):
    """An ``init`` that multiplies every parameter by ``factor`` in place (0.01: the tutorials' tiny weights)."""
    check_positive("factor", factor)

    def scale(params: dict) -> None:
        for w in params.values():
            w *= factor

    return scale


def forget_gate_bias(value: float):
    """An ``init`` that sets the LSTM's forget-gate bias (the f columns of b_h, (L1)) to ``value`` in place.

    ``rnn_kit`` starts it at 1 (f_t ≈ σ(1) ≈ 0.73); a larger value keeps the cell state, and the gradient
    flowing back along it (L8), for longer at the start of training.
    """
    def set_bias(params: dict) -> None:
        H = params["W_hh"].shape[0]
        if params["W_hh"].shape[1] != 4 * H or "b_hn" in params:
            raise ValueError(f"forget_gate_bias needs an LSTM's parameters (W_hh of shape (H, 4H)), "
                             f"got W_hh of shape {params['W_hh'].shape}")
        params["b_h"][H:2 * H] = value

    return set_bias


class MemoryRun(NamedTuple):
    """A model trained on a memory task and its score on held-out sequences."""

    accuracy: float  # on n_test held-out sequences
    losses: list  # training loss (nats) of every step
    model: RNNModel


def train_on_memory_task(cell: str, hidden_size: int, delay: int, *, task: str = "recall", steps: int = 1000,
                         batch_size: int = 32, lr: float = 0.03, max_norm: float = 1.0, embed_dim: int = 8,
                         nonlinearity: str = "tanh", init=None, n_test: int = 1000, seed: int = 0) -> MemoryRun:
    """Train ``RNNModel(cell=..., head="last")`` on fresh batches of a memory task; score it on held-out ones.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    hidden_size : int
    delay : int
        Steps the answer must be carried (``rnn_kit.data.memory_tasks``).
    task : {"recall", "xor"}
        ``delayed_recall`` (8 keys, chance 1/8) or ``delayed_xor`` (chance 1/2).
    steps, batch_size, lr, max_norm
        Adam for ``steps`` updates, each on a new batch, gradients clipped to global norm ``max_norm``.
    embed_dim : int
        D of the learned embedding of the input ids.
    nonlinearity : {"tanh", "relu"}
        For ``cell="rnn"``.
    init : callable, optional
        ``init(params)`` changes the initial parameters in place (e.g. an identity W_hh).
    n_test : int
        Held-out sequences.
    seed : int
        Seeds the initialisation, the training batches and the test set (three independent streams);
        the test set depends only on ``seed`` and ``delay``, so every cell is scored on the same one.

    Returns
    -------
    MemoryRun
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {tuple(TASKS)}, got {task!r}")
    for name, value in [("hidden_size", hidden_size), ("delay", delay), ("steps", steps),
                        ("batch_size", batch_size), ("embed_dim", embed_dim), ("n_test", n_test)]:
        check_positive(name, value, integer=True)
    init_rng, train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    make = TASKS[task]
    test = make(n_test, delay, rng=test_rng)
    model = RNNModel(embed_dim, hidden_size, test.n_classes, vocab_size=test.vocab_size, cell=cell,
                     head="last", nonlinearity=nonlinearity, rng=init_rng)
    if init is not None:
        init(model.params)
    optimizer = make_optimizer("adam", model.params, lr)
    losses = []
    for _ in range(steps):
        batch = make(batch_size, delay, rng=train_rng)
        loss, grads, _ = model.loss_and_grads(batch.inputs, batch.targets)
        clip_grad_norm(grads, max_norm)
        optimizer.step(grads)
        losses.append(loss)
    accuracy = float(np.mean(model.predict(test.inputs) == test.targets))
    return MemoryRun(accuracy, losses, model)
