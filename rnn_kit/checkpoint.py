"""Save and load an ``RNNModel`` as a plain ``.npz`` file (no pickle)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .model import RNNModel

_CONFIG_KEY = "__config__"
_EXTRA_PREFIX = "extra__"


def save_model(model: RNNModel, path, **extra) -> Path:
    """Write parameters, configuration and optional extra arrays to ``path``.

    Parameters
    ----------
    model : RNNModel
    path : str or Path
        Destination; ``.npz`` is appended if missing. Written atomically: a
        temporary file is renamed into place, so a crash leaves no half file.
    **extra : array-like
        Anything else to keep with the model, e.g. ``vocab=vocab.to_array()``.
        Must not need pickle (numbers or strings).

    Returns
    -------
    Path
        Where the file was written.
    """
    if not isinstance(model, RNNModel):
        raise TypeError(f"model must be an RNNModel, got {type(model).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {_CONFIG_KEY: np.array(json.dumps(model.config))}
    arrays.update(model.params)
    for key, value in extra.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"extra {key!r} must be numbers or strings, got dtype object")
        arrays[_EXTRA_PREFIX + key] = arr
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_model(path, *, return_extra: bool = False):
    """Read a model written by ``save_model``, checking every key, shape and dtype.

    Parameters
    ----------
    path : str or Path
    return_extra : bool
        Also return the dict of extra arrays saved with the model.

    Returns
    -------
    RNNModel, or (RNNModel, dict) with ``return_extra=True``.

    Raises
    ------
    ValueError
        If a parameter is missing, unexpected, or has the wrong shape or dtype.
    """
    path = Path(path)
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable rnn_kit .npz file: {exc}") from exc
    with data:
        if _CONFIG_KEY not in data.files:
            raise ValueError(f"{path} has no {_CONFIG_KEY!r} entry; it was not written by save_model")
        config = json.loads(str(data[_CONFIG_KEY]))
        model = RNNModel(**config, rng=0)
        stored = {k: data[k] for k in data.files if k != _CONFIG_KEY and not k.startswith(_EXTRA_PREFIX)}
        extra = {k[len(_EXTRA_PREFIX):]: data[k] for k in data.files if k.startswith(_EXTRA_PREFIX)}
    missing = sorted(set(model.params) - set(stored))
    unexpected = sorted(set(stored) - set(model.params))
    if missing or unexpected:
        raise ValueError(f"{path}: parameters do not match {model!r}: missing {missing}, unexpected {unexpected}")
    for key, want in model.params.items():
        got = stored[key]
        if got.shape != want.shape or got.dtype != want.dtype:
            raise ValueError(f"{path}: {key} must have shape {want.shape} and dtype {want.dtype}, "
                             f"got shape {got.shape} and dtype {got.dtype}")
        if not np.all(np.isfinite(got)):
            raise ValueError(f"{path}: {key} holds NaN or inf")
    model.params = {k: stored[k] for k in model.params}
    return (model, extra) if return_extra else model
