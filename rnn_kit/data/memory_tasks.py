"""Seeded tasks that need a memory of known length: delayed recall and delayed XOR.

Each sequence is answerable only by a network that carries one piece of information
across exactly ``delay`` steps; what comes between is noise.

    delayed recall   ids  [key, noise_1, ..., noise_{delay-1}, query]  ->  key
    delayed XOR      bits [b_0, b_1, ..., b_delay]                     ->  b_0 XOR b_delay

In both, the target of the last step is decided by the input ``delay`` steps back, and the
last input alone says nothing about it (the recall query is always the same id; the last
bit of the XOR is independent of the answer), so a model without memory scores chance.
``delayed_recall_stream`` lays recall sequences end to end, each followed by its answer, as
one stream of ids for next-id training with truncated BPTT (``rnn_kit.training.fit_stream``).
``load_memory_capacity`` reads the grid of results that ``benchmarks/memory_capacity.py`` wrote.

Used in ``notebooks/06_memory_and_gates.ipynb`` and ``benchmarks/memory_capacity.py``.
"""

from __future__ import annotations

import csv
from typing import NamedTuple

import numpy as np

from .._checks import as_int_array, as_rng, check_positive
from .real import data_path


class MemoryTask(NamedTuple):
    """A batch of a memory task (many-to-one: one answer per sequence)."""

    inputs: np.ndarray  # (N, delay + 1) int ids
    targets: np.ndarray  # (N,) int class ids
    vocab_size: int  # input ids lie in [0, vocab_size)
    n_classes: int  # targets lie in [0, n_classes); chance accuracy is 1 / n_classes


def _check_sizes(n_sequences, delay, **minimums):
    check_positive("n_sequences", n_sequences, integer=True)
    check_positive("delay", delay, integer=True)
    for name, (value, low) in minimums.items():
        check_positive(name, value, integer=True)
        if value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")


def recall_vocab_size(n_keys: int = 8, n_noise: int = 8) -> int:
    """Input ids of the recall task: keys ``[0, n_keys)``, noise ``[n_keys, n_keys + n_noise)``, then the query."""
    return n_keys + n_noise + 1


def delayed_recall(n_sequences: int, delay: int, *, n_keys: int = 8, n_noise: int = 8, rng=None) -> MemoryTask:
    """Sequences ``[key, noise × (delay - 1), query]`` whose target is the key.

    Parameters
    ----------
    n_sequences : int
        N.
    delay : int
        Steps from the key to the query (``delay >= 1``); every sequence has ``delay + 1`` steps.
    n_keys : int
        Keys to tell apart (``>= 2``); chance accuracy is ``1 / n_keys``.
    n_noise : int
        Distinct noise ids between key and query (``>= 1``), drawn uniformly; 1 means a blank.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    MemoryTask
        ``inputs`` (N, delay + 1) with ``inputs[:, 0] == targets`` and the query id
        ``n_keys + n_noise`` at the last step; ``targets`` (N,) uniform in ``[0, n_keys)``.

    Examples
    --------
    >>> task = delayed_recall(2, 3, n_keys=2, n_noise=2, rng=2)  # keys 0-1, noise 2-3, query 4
    >>> task.inputs
    array([[1, 2, 2, 4],
           [0, 2, 3, 4]])
    >>> task.targets
    array([1, 0])
    """
    _check_sizes(n_sequences, delay, n_keys=(n_keys, 2), n_noise=(n_noise, 1))
    rng = as_rng(rng)
    keys = rng.integers(0, n_keys, size=n_sequences)  # (N,)
    noise = rng.integers(n_keys, n_keys + n_noise, size=(n_sequences, delay - 1))  # (N, delay - 1)
    query = np.full((n_sequences, 1), n_keys + n_noise)  # (N, 1)
    inputs = np.concatenate([keys[:, None], noise, query], axis=1)  # (N, delay + 1)
    return MemoryTask(inputs, keys, recall_vocab_size(n_keys, n_noise), n_keys)


def delayed_xor(n_sequences: int, delay: int, *, rng=None) -> MemoryTask:
    """Random bit sequences of ``delay + 1`` steps; the target is the first bit XOR the last.

    Parameters
    ----------
    n_sequences : int
    delay : int
        Steps between the two bits that decide the answer (``>= 1``).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    MemoryTask
        ``inputs`` (N, delay + 1) in {0, 1}, ``targets = inputs[:, 0] ^ inputs[:, delay]``;
        two classes, chance 0.5. The bits in between are distractors.
    """
    _check_sizes(n_sequences, delay)
    bits = as_rng(rng).integers(0, 2, size=(n_sequences, delay + 1))  # (N, delay + 1)
    return MemoryTask(bits, bits[:, 0] ^ bits[:, -1], 2, 2)


def delayed_recall_stream(n_blocks: int, delay: int, *, n_keys: int = 8, n_noise: int = 8, rng=None):
    """Recall sequences laid end to end, each followed by its answer: one stream for next-id training.

    Block b is ``[key, noise × (delay - 1), query, key]`` (``delay + 2`` ids). Predicting the id after
    a query needs the key read ``delay`` steps earlier; every other next id is a fresh random draw.

    Returns
    -------
    ids : ndarray of int, shape (n_blocks * (delay + 2),)
    query_positions : ndarray of int, shape (n_blocks,)
        Where each query sits: ``ids[p + 1] == ids[p - delay]`` is the answer to predict after reading ``ids[p]``.
    """
    check_positive("n_blocks", n_blocks, integer=True)
    task = delayed_recall(n_blocks, delay, n_keys=n_keys, n_noise=n_noise, rng=rng)
    blocks = np.concatenate([task.inputs, task.targets[:, None]], axis=1)  # (B, delay + 2)
    query_positions = np.arange(n_blocks) * (delay + 2) + delay
    return blocks.ravel(), query_positions


def current_input_baseline(train_inputs, train_targets, test_inputs, test_targets) -> float:
    """Accuracy of the best memoryless rule: predict the most common training target of each last input.

    A network that sees only the current input can do no better than this; on a delayed
    task it is chance. Last inputs never seen in training get the overall majority class.
    """
    train_last, test_last = _last_column("train_inputs", train_inputs), _last_column("test_inputs", test_inputs)
    train_targets = as_int_array("train_targets", train_targets, 0, np.iinfo(np.int64).max, ndim=1)
    test_targets = as_int_array("test_targets", test_targets, 0, np.iinfo(np.int64).max, ndim=1)
    for name, last, targets in [("train", train_last, train_targets), ("test", test_last, test_targets)]:
        if len(targets) != len(last) or len(last) == 0:
            raise ValueError(f"{name}_targets must have one entry per {name} sequence "
                             f"({len(last)}), and there must be at least one; got {len(targets)}")
    overall = np.bincount(train_targets).argmax()
    rule = {v: np.bincount(train_targets[train_last == v]).argmax() for v in np.unique(train_last)}
    predicted = np.array([rule.get(v, overall) for v in test_last])
    return float(np.mean(predicted == test_targets))


def _last_column(name, inputs):
    inputs = as_int_array(name, inputs, 0, np.iinfo(np.int64).max, ndim=2)
    if inputs.shape[1] == 0:
        raise ValueError(f"{name} must have at least one step, got shape {inputs.shape}")
    return inputs[:, -1]


MEMORY_CAPACITY_FILE = "memory_capacity.csv"
MEMORY_CAPACITY_COLUMNS = ("cell", "init", "nonlinearity", "hidden_size", "delay", "seed", "accuracy", "steps",
                           "batch_size", "lr", "max_norm", "n_test")
_TEXT_COLUMNS, _FLOAT_COLUMNS = {"cell", "init", "nonlinearity"}, {"accuracy", "lr", "max_norm"}


def load_memory_capacity() -> dict:
    """The committed grid of ``benchmarks/memory_capacity.py``: held-out recall accuracy per run.

    Returns
    -------
    dict of str -> ndarray
        One array per column of ``data/memory_capacity.csv`` (``MEMORY_CAPACITY_COLUMNS``), one entry per
        run: ``cell``, ``init`` ("default" or a remedy), ``nonlinearity`` (str); ``hidden_size``, ``delay``,
        ``seed``, ``steps``, ``batch_size``, ``n_test`` (int); ``accuracy``, ``lr``, ``max_norm`` (float).
    """
    with open(data_path(MEMORY_CAPACITY_FILE), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or tuple(rows[0]) != MEMORY_CAPACITY_COLUMNS:
        raise ValueError(f"{MEMORY_CAPACITY_FILE} must have the columns {MEMORY_CAPACITY_COLUMNS} and at least one "
                         f"row; rerun benchmarks/memory_capacity.py")
    return {name: np.array([r[name] for r in rows],
                           dtype=str if name in _TEXT_COLUMNS else float if name in _FLOAT_COLUMNS else int)
            for name in MEMORY_CAPACITY_COLUMNS}
