"""Shared fixtures: seeded generators and small random-parameter models."""

import os

import numpy as np
import pytest

os.environ.setdefault("RNN_KIT_OFFLINE", "1")  # tests never touch the network


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_params(rng, D, H, O=None, V=None, scale=0.5):
    """Random non-zero float64 parameters (biases included) for gradient checks."""
    p = {}
    if V is not None:
        p["W_embed"] = rng.standard_normal((V, D))
    p["W_xh"] = scale * rng.standard_normal((D, H))
    p["W_hh"] = scale * rng.standard_normal((H, H))
    p["b_h"] = scale * rng.standard_normal(H)
    if O is not None:
        p["W_hy"] = scale * rng.standard_normal((H, O))
        p["b_y"] = scale * rng.standard_normal(O)
    return p
