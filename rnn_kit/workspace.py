"""Scratch arrays that a training loop reuses from one step to the next.

A training step of a character model fills several arrays of N·T·G floats (tens of MB for
the LSTM). Allocated afresh every step, each one is new memory that the operating system has
to map and zero page by page, and the C allocator hands it back when the step ends; on Linux
this costs as much as a tenth of the step. ``RNNModel.loss_and_grads`` therefore passes a
``workspace`` dict to the cell's recurrence, which keeps its big arrays there and reuses them
whenever the shapes and dtype match (``benchmarks/bench_charlm.py`` and ``bench_lstm.py``
measure the step with it).

The price: what lives in a workspace is overwritten by the next call that uses the same
workspace. Arrays returned to a caller who may keep them (``RNNModel.forward``) are never
taken from one.
"""

from __future__ import annotations

import numpy as np


def scratch(workspace: dict | None, name: str, shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype``: ``workspace[name]`` when it fits, else a new one.

    With ``workspace=None`` this is ``np.empty(shape, dtype)``. A new array is stored in the
    workspace under ``name``, replacing one of another shape.
    """
    if workspace is None:
        return np.empty(shape, dtype=dtype)
    array = workspace.get(name)
    if array is None or array.shape != tuple(shape) or array.dtype != dtype:
        array = workspace[name] = np.empty(shape, dtype=dtype)
    return array
