"""Optimisers and gradient clipping over ``params``/``grads`` dicts with the same keys.

    SGD       v = mu v - lr g;  p += v                      (plain SGD when mu = 0)
    Adagrad   G += g^2;  p -= lr g / (sqrt(G) + eps)
    Adam      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr m_hat / (sqrt(v_hat) + eps)
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array_dict, as_numbers, check_positive, check_real

# ---------------------------------------------------------------- optimisers


class _Optimizer:
    """Shared bookkeeping: the params dict is updated in place by ``step``.

    ``params`` must be a non-empty dict of finite, writable floating arrays (``model.params``);
    ``lr`` a finite number > 0.
    """

    def __init__(self, params: dict, lr: float):
        as_array_dict("params", params, inplace=True)
        check_positive("lr", lr)
        self.params, self.lr = params, lr

    def _state(self):
        return {k: np.zeros_like(v) for k, v in self.params.items()}

    def _check_grads(self, grads) -> dict:
        grads = as_array_dict("grads", grads, hint="lower the learning rate or clip")
        if set(grads) != set(self.params):
            raise ValueError(f"grads must have the keys {sorted(self.params)}, got {sorted(grads, key=str)}")
        for k, g in grads.items():
            if g.shape != self.params[k].shape:
                raise ValueError(f"grads[{k!r}] must have shape {self.params[k].shape}, got {g.shape}")
        return grads

    def step(self, grads: dict) -> None:
        """Update every parameter in place from ``grads`` (checked first: nothing changes on bad input)."""
        grads = self._check_grads(grads)
        for k in self.params:
            self._update(k, self.params[k], grads[k])


class SGD(_Optimizer):
    """Stochastic gradient descent, optionally with (heavy-ball) momentum."""

    def __init__(self, params: dict, lr: float = 0.1, momentum: float = 0.0):
        super().__init__(params, lr)
        check_real("momentum", momentum, 0, 1, closed="[)")
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
        betas = as_numbers("betas", betas, 2)
        for i, b in enumerate(betas):
            check_real(f"betas[{i}]", b, 0, 1, closed="[)")
        check_positive("eps", eps)
        self.betas, self.eps, self.t = betas, eps, 0
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
    """sqrt of the sum of squares of every gradient entry (a dict of finite arrays)."""
    grads = as_array_dict("grads", grads)
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_grad_norm(grads: dict, max_norm: float) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    Keeps the direction of the update (unlike element-wise clipping). Modifies
    ``grads`` (a dict of writable floating arrays) in place, like ``torch.nn.utils.clip_grad_norm_``.

    Returns
    -------
    float
        The global norm **before** clipping, useful to log exploding gradients.
    """
    check_positive("max_norm", max_norm)
    _check_clippable(grads)
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm


def clip_grad_value(grads: dict, clip_value: float) -> None:
    """Clip every gradient entry to ``[-clip_value, clip_value]`` in place (min-char-rnn style)."""
    check_positive("clip_value", clip_value)
    _check_clippable(grads)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)


def _check_clippable(grads) -> None:
    as_array_dict("grads", grads, inplace=True, hint="clipping cannot repair them")
