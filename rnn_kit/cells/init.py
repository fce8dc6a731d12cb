"""Initialisers shared by the cells."""

from __future__ import annotations

import numpy as np


def orthogonal(rng: np.random.Generator, n: int, dtype) -> np.ndarray:
    """A random (n, n) orthogonal matrix: QR of a Gaussian matrix, with the signs of R's diagonal fixed.

    Every singular value is 1, so multiplying by it neither shrinks nor stretches a vector.
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)
