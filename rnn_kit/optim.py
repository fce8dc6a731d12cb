"""Optimisers and gradient clipping over ``params``/``grads`` dicts with the same keys.

    SGD       v = mu v - lr g;  p += v                      (plain SGD when mu = 0)
    Adagrad   G += g^2;  p -= lr g / (sqrt(G) + eps)
    Adam      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr m_hat / (sqrt(v_hat) + eps)
"""

from __future__ import annotations

import numpy as np

from ._checks import check_positive

# ---------------------------------------------------------------- optimisers


class _Optimizer:
    """Shared bookkeeping: the params dict is updated in place by ``step``."""

    def __init__(self, params: dict, lr: float):
        if not isinstance(params, dict) or not params:
            raise TypeError("params must be a non-empty dict of arrays, e.g. model.params")
        check_positive("lr", lr)
        self.params, self.lr = params, lr

    def _state(self):
        return {k: np.zeros_like(v) for k, v in self.params.items()}

    def _check_grads(self, grads):
        if not isinstance(grads, dict) or set(grads) != set(self.params):
            got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
            raise ValueError(f"grads must have the keys {sorted(self.params)}, got {got}")
        for k, g in grads.items():
            if np.shape(g) != self.params[k].shape:
                raise ValueError(f"grads[{k!r}] must have shape {self.params[k].shape}, got {np.shape(g)}")
            if not np.all(np.isfinite(g)):
                raise ValueError(f"grads[{k!r}] holds NaN or inf; lower the learning rate or clip")

    def step(self, grads: dict) -> None:
        """Update every parameter in place from ``grads``."""
        self._check_grads(grads)
        for k in self.params:
            self._update(k, self.params[k], grads[k])


class SGD(_Optimizer):
    """Stochastic gradient descent, optionally with (heavy-ball) momentum."""

    def __init__(self, params: dict, lr: float = 0.1, momentum: float = 0.0):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum, self.velocity = momentum, self._state()

    def _update(self, k, p, g):
        v = self.velocity[k]
        v *= self.momentum
        v -= self.lr * g
        p += v


class Adagrad(_Optimizer):
    """Adagrad: per-parameter step sizes shrink with the sum of squared gradients."""

    def __init__(self, params: dict, lr: float = 0.1, eps: float = 1e-8):
        super().__init__(params, lr)
        check_positive("eps", eps)
        self.eps, self.sum_sq = eps, self._state()

    def _update(self, k, p, g):
        G = self.sum_sq[k]
        G += g * g
        p -= self.lr * g / (np.sqrt(G) + self.eps)


class Adam(_Optimizer):
    """Adam with bias correction (Kingma & Ba, 2015)."""

    def __init__(self, params: dict, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        check_positive("eps", eps)
        self.betas, self.eps, self.t = tuple(betas), eps, 0
        self.m, self.v = self._state(), self._state()

    def step(self, grads: dict) -> None:
        """Update every parameter in place from ``grads``."""
        self.t += 1
        super().step(grads)

    def _update(self, k, p, g):
        b1, b2 = self.betas
        m, v = self.m[k], self.v[k]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = m / (1 - b1**self.t)
        v_hat = v / (1 - b2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# ---------------------------------------------------------------- clipping


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_grad_norm(grads: dict, max_norm: float) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    Keeps the direction of the update (unlike element-wise clipping). Modifies
    ``grads`` in place, like ``torch.nn.utils.clip_grad_norm_``.

    Returns
    -------
    float
        The global norm **before** clipping, useful to log exploding gradients.
    """
    check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError("gradients hold NaN or inf; clipping cannot repair them")
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm


def clip_grad_value(grads: dict, clip_value: float) -> None:
    """Clip every gradient entry to ``[-clip_value, clip_value]`` in place (min-char-rnn style)."""
    check_positive("clip_value", clip_value)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)
