"""Save and load an ``RNNModel`` as a plain ``.npz`` file (no pickle), checked before anything is built.

A checkpoint is a zip archive of ``.npy`` members: ``__config__`` (the constructor's keyword
arguments as a JSON object), one member per parameter, and ``extra__<name>`` for anything
saved with the model. ``save_model`` seals the file: the archive comment holds the SHA-256 of
every byte before the digest, so any change (not only to the array data, which the zip CRCs
cover) is detected. Files without the seal (``np.savez`` output, older checkpoints) still load,
checked by the zip CRCs and everything below.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

from .model import RNNModel

_CONFIG_KEY = "__config__"
_EXTRA_PREFIX = "extra__"
_SEAL = b"rnn_kit checkpoint sha256:"  # then 64 hex digits: the archive comment
_MAX_FILE_BYTES = 2**30  # far above any model of this kit; a bigger file is not read
_KINDS = "biufcSU"  # dtype kinds a checkpoint may hold: numbers and strings, nothing that needs pickle
_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}

# ---------------------------------------------------------------- saving


def save_model(model: RNNModel, path, **extra) -> Path:
    """Write parameters, configuration and optional extra arrays to ``path``.

    Parameters
    ----------
    model : RNNModel
        Its parameters must be finite (a diverged model is refused, nothing is written).
    path : str or Path
        Destination; ``.npz`` is appended if missing (``load_model`` finds it either way).
        Written atomically: a temporary file is renamed into place, so a failure leaves
        neither a half-written checkpoint nor a temporary file.
    **extra : array-like
        Anything else to keep with the model, e.g. ``**vocab.to_arrays()``.
        Numbers or strings only (nothing that needs pickle).

    Returns
    -------
    Path
        Where the file was written.
    """
    if not isinstance(model, RNNModel):
        raise TypeError(f"model must be an RNNModel, got {type(model).__name__}")
    path = _as_path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {_CONFIG_KEY: np.array(json.dumps(model.config))}
    for key, value in model.params.items():
        if not np.all(np.isfinite(value)):
            raise ValueError(f"model parameter {key} holds NaN or inf; nothing was written to {path}")
        arrays[key] = value
    arrays.update({_EXTRA_PREFIX + key: _extra_array(key, value) for key, value in extra.items()})
    data = _sealed_archive(arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _as_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise ValueError(f"path must name a file, got {str(path)!r}")
    return path


def _extra_array(key, value) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"extra {key!r} must be an array of numbers or strings, got {type(value).__name__} "
                        f"that NumPy cannot read as one array ({exc})") from exc
    if arr.dtype.kind not in _KINDS:
        raise TypeError(f"extra {key!r} must be numbers or strings, got dtype {arr.dtype}")
    return arr


def _sealed_archive(arrays: dict) -> bytes:
    """The ``.npz`` bytes, whose comment is the SHA-256 of everything before the digest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:  # what np.savez writes, without pickle
        for key, arr in arrays.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, arr, allow_pickle=False)
        zf.comment = _SEAL + b"0" * 64  # a placeholder of the final length
    data = bytearray(buffer.getvalue())
    data[-64:] = hashlib.sha256(data[:-64]).hexdigest().encode()
    return bytes(data)


# ---------------------------------------------------------------- loading


def load_model(path, *, return_extra: bool = False):
    """Read a model written by ``save_model``, checking the whole file before building the model.

    Checked in order: the seal (or the zip directory of an unsealed file), the zip CRCs, that
    every member is a plain numeric (or string) ``.npy`` array whose header agrees with its size,
    the JSON config against ``RNNModel``'s keyword arguments, that every size in the config is a
    dimension of the stored parameters (so a tampered ``hidden_size`` allocates nothing), then
    every parameter's name, shape, dtype and finiteness.

    Parameters
    ----------
    path : str or Path
        ``"ckpt"`` finds ``ckpt.npz`` written by ``save_model(model, "ckpt")``.
    return_extra : bool
        Also return the dict of extra arrays saved with the model.

    Returns
    -------
    RNNModel, or (RNNModel, dict) with ``return_extra=True``.

    Raises
    ------
    ValueError
        Naming the file and the problem, whatever is wrong with it (missing, truncated,
        corrupted, not written by ``save_model``, or not matching the model it describes).
    """
    path = _find(path)
    arrays = _read_archive(path)
    if _CONFIG_KEY not in arrays:
        raise ValueError(f"{path} has no {_CONFIG_KEY!r} entry; it was not written by save_model")
    config = _read_config(path, arrays.pop(_CONFIG_KEY))
    extra = {k[len(_EXTRA_PREFIX):]: arrays.pop(k) for k in list(arrays) if k.startswith(_EXTRA_PREFIX)}
    _check_sizes(path, config, arrays)
    try:
        model = RNNModel(**config, rng=0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: its {_CONFIG_KEY} cannot build a model: {exc}") from exc
    missing = sorted(set(model.params) - set(arrays))
    unexpected = sorted(set(arrays) - set(model.params))
    if missing or unexpected:
        raise ValueError(f"{path}: parameters do not match {model!r}: missing {missing}, unexpected {unexpected}")
    for key, want in model.params.items():
        got = arrays[key]
        if got.shape != want.shape or got.dtype != want.dtype:
            raise ValueError(f"{path}: {key} must have shape {want.shape} and dtype {want.dtype}, "
                             f"got shape {got.shape} and dtype {got.dtype}")
        if not np.all(np.isfinite(got)):
            raise ValueError(f"{path}: {key} holds NaN or inf")
    model.params = {k: arrays[k] for k in model.params}
    return (model, extra) if return_extra else model


def _find(path) -> Path:
    """``path``, or ``path + ".npz"`` when only that exists (as ``save_model`` names files)."""
    path = _as_path(path)
    with_npz = path.with_name(path.name + ".npz")
    if not path.exists() and path.suffix != ".npz" and with_npz.exists():
        path = with_npz
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        also = f" (nor does {with_npz})" if not path.exists() and path.suffix != ".npz" else ""
        raise ValueError(f"{path} {what}{also}: expected a checkpoint written by save_model")
    return path


def _unreadable(path, problem) -> ValueError:
    if isinstance(problem, BaseException):
        problem = f"{type(problem).__name__}: {problem}"
    return ValueError(f"{path} is not a readable rnn_kit .npz file: {problem}")


def _read_archive(path: Path) -> dict:
    """Every member as a native-endian array, after checking the seal, the CRCs and each header."""
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise _unreadable(path, f"{path.stat().st_size} bytes is more than a checkpoint may have")
        raw = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if raw.startswith(b"\x93NUMPY"):
        raise _unreadable(path, "it is a single .npy array (np.save), not an .npz archive from save_model")
    if raw[-len(_SEAL) - 64:-64] == _SEAL:
        if hashlib.sha256(raw[:-64]).hexdigest().encode() != raw[-64:]:
            raise ValueError(f"{path} is corrupt: its bytes do not match the SHA-256 it was saved with")
    elif not (raw[-22:-18] == b"PK\x05\x06" and raw[-2:] == b"\0\0"):
        raise _unreadable(path, "it does not end with a zip directory (truncated, extended or not a zip)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # BadZipFile, EOFError, struct errors...: all mean a damaged file
        raise _unreadable(path, exc) from exc
    with zf:
        infos = zf.infolist()
        _check_members(path, infos, len(raw))
        try:
            bad = zf.testzip()
            blobs = {info.filename[:-4]: zf.read(info) for info in infos} if bad is None else {}
        except Exception as exc:
            raise _unreadable(path, exc) from exc
    if bad is not None:
        raise ValueError(f"{path} is corrupt: member {bad!r} fails its CRC check")
    return {key: _npy(path, key, blob) for key, blob in blobs.items()}


def _check_members(path, infos, size) -> None:
    """Only ``.npy`` members, each name once, unpacking to a sane size (no zip bomb)."""
    names = [info.filename for info in infos]
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    odd = [name for name in names if not name.endswith(".npy")]
    unpacked = sum(info.file_size for info in infos)
    for bad, problem in [(twice, f"members {twice} appear twice"), (odd, f"members {odd[:5]} are not .npy arrays"),
                         (unpacked > 64 * size + 2**20, f"its members claim {unpacked} bytes unpacked from {size}")]:
        if bad:
            raise _unreadable(path, problem)


def _npy(path, key, blob: bytes) -> np.ndarray:
    """One ``.npy`` member, its header checked against its size before any array is made."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        shape, fortran, dtype = _READERS[version](stream) if version in _READERS else (None, None, None)
    except Exception as exc:  # a damaged header
        raise ValueError(f"{path}: member {key!r} is not a readable .npy array: {exc}") from exc
    if dtype is None:
        raise ValueError(f"{path}: member {key!r} has .npy format version {version}; expected 1.0 or 2.0")
    if dtype.hasobject or dtype.kind not in _KINDS or dtype.itemsize == 0:
        raise ValueError(f"{path}: {key} holds dtype {dtype}; a checkpoint holds plain numbers or strings "
                         f"only (no Python objects or records, which need pickle)")
    count = math.prod(shape)
    if min(shape, default=0) < 0 or stream.tell() + count * dtype.itemsize != len(blob):
        raise ValueError(f"{path}: {key} declares shape {shape} of {dtype}, which does not match its "
                         f"{len(blob) - stream.tell()} bytes of data")
    arr = np.frombuffer(blob, dtype=dtype, count=count, offset=stream.tell())
    return np.array(arr.reshape(shape, order="F" if fortran else "C"), dtype=dtype.newbyteorder("="), order="C")


# ---------------------------------------------------------------- the config


def _read_config(path, arr: np.ndarray) -> dict:
    """The JSON object of constructor arguments, checked against ``RNNModel``'s signature."""
    where = f"{path}: {_CONFIG_KEY}"
    if arr.dtype.kind != "U" or arr.ndim != 0:
        raise ValueError(f"{where} must be one JSON string, got dtype {arr.dtype} and shape {arr.shape}")
    try:
        config = json.loads(str(arr), object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{where} is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise ValueError(f"{where} must be a JSON object of RNNModel arguments, got {type(config).__name__}")
    schema = _config_schema()
    unknown = sorted(set(config) - set(schema))
    missing = sorted(k for k, (required, _) in schema.items() if required and k not in config)
    if unknown or missing:
        raise ValueError(f"{where} has unknown keys {unknown} and lacks {missing}; RNNModel takes {sorted(schema)}")
    for key, value in config.items():
        allowed = schema[key][1]
        kind = "None" if value is None else type(value).__name__
        ok = kind in allowed or (kind == "int" and "float" in allowed)
        if not ok or (kind == "float" and not math.isfinite(value)):
            raise ValueError(f"{where}[{key!r}] must be {' or '.join(sorted(allowed))}, got {kind} {value!r}"[:300])
    return config


def _unique_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate keys {sorted(k for k, n in Counter(keys).items() if n > 1)}")
    return dict(pairs)


def _config_schema() -> dict:
    """``RNNModel``'s keyword arguments but ``rng``: name -> (required, names of the JSON types allowed).

    Types come from the annotation (``int | None``) or else the default: ints for sizes,
    strings for names (a class default such as ``dtype=np.float64`` is saved by name).
    """
    schema = {}
    for name, p in inspect.signature(RNNModel.__init__).parameters.items():
        if name in ("self", "rng") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        ann = p.annotation
        text = "" if ann is p.empty else ann if isinstance(ann, str) else getattr(ann, "__name__", str(ann))
        types = set(re.findall(r"\b(int|float|str|bool|None)\b", text))
        if not types:
            default = p.default
            types = ({"int"} if default is p.empty else {"int", "str"} if default is None
                     else {type(default).__name__} if isinstance(default, (bool, int, float, str)) else {"str"})
        schema[name] = (p.default is p.empty, types | ({"None"} if p.default is None else set()))
    return schema


def _check_sizes(path, config: dict, params: dict) -> None:
    """Every size in the config must be a dimension of a stored parameter, so nothing huge is built."""
    if not params:
        raise ValueError(f"{path} holds no parameter arrays")
    dims = sorted({d for arr in params.values() for d in arr.shape})
    stored = sum(arr.size for arr in params.values())
    for key, value in config.items():
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if key.endswith("_size") and value not in dims:
            raise ValueError(f"{path}: {_CONFIG_KEY}[{key!r}] = {value} is not a dimension of any stored "
                             f"parameter (those are {dims}); the config and the arrays disagree")
        if value > stored:
            raise ValueError(f"{path}: {_CONFIG_KEY}[{key!r}] = {value} exceeds the {stored} numbers stored")
