"""Thin adapters from ``rnn_kit.data`` arrays to PyTorch ``TensorDataset``/``DataLoader``.

Part of ``rnn_kit.torch``, the one folder that imports torch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from .._checks import check_positive


def as_numeric_array(name: str, array) -> np.ndarray:
    """``array`` as a NumPy array of finite real numbers (ints or floats) with at least one axis."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    try:
        array = np.asarray(array)
    except ValueError as exc:  # ragged lists
        raise TypeError(f"{name} must be array-like of numbers, got a ragged {type(array).__name__}") from exc
    if array.dtype.kind not in "iuf" or array.ndim == 0:
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype} and shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or inf at {int(np.sum(~np.isfinite(array)))} position(s)")
    return array


def to_tensor(array, dtype=None) -> torch.Tensor:
    """float arrays -> float32 tensors, integer arrays -> int64 tensors (unless ``dtype``)."""
    array = as_numeric_array("array", array)
    if dtype is None:
        dtype = torch.int64 if array.dtype.kind in "iu" else torch.float32
    return torch.as_tensor(array, dtype=dtype)


def make_loader(*arrays, batch_size: int = 32, shuffle: bool = False, seed: int = 0,
                dtype=None) -> DataLoader:
    """A ``DataLoader`` over a ``TensorDataset`` of equally long arrays.

    Shuffling uses its own ``torch.Generator`` seeded with ``seed``, so the batch
    order is the same on every run, whatever else used torch's global generator.

    Examples
    --------
    >>> X, y = np.zeros((10, 5, 1)), np.zeros((10, 1))
    >>> [tuple(b[0].shape) for b in make_loader(X, y, batch_size=4)]
    [(4, 5, 1), (4, 5, 1), (2, 5, 1)]
    """
    if not arrays:
        raise ValueError("make_loader needs at least one array")
    check_positive("batch_size", batch_size, integer=True)
    arrays = [as_numeric_array(f"arrays[{i}]", a) for i, a in enumerate(arrays)]
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"arrays must have the same first dimension, got {sorted(len(a) for a in arrays)}")
    dataset = TensorDataset(*(to_tensor(a, dtype) for a in arrays))
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
