"""Sequence classification in PyTorch: variable-length batches, honest curves, the best checkpoint.

    make_sequence_loader   batches of sequences of different lengths: padded ids, lengths, labels
    evaluate_classifier    loss, accuracy and confidence over a whole split, computed once
    fit_classifier         epochs of AdamW; train and validation curves; early stopping that
                           restores the best epoch's weights; optional character dropout and
                           label smoothing
    drop_characters        character dropout: real ids replaced by <unk> at random (what
                           fit_classifier's char_dropout does to each training batch)
    predict_proba          class probabilities, in the order of the examples
    save_checkpoint / load_checkpoint   weights and plain metadata, read back with weights_only=True

The model is called as ``model(ids, lengths=lengths)`` and returns logits (N, C), or a tuple whose
first entry they are: a ``SequenceModel(vocab_size=V, head="last")`` does.
"""

from __future__ import annotations

import math
import os
import pickle

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from .._checks import as_int_array, check_int, check_positive, check_real

# ---------------------------------------------------------------- batches of different lengths


class _Sequences(Dataset):
    """Variable-length id sequences and one label each."""

    def __init__(self, sequences, labels):
        self.sequences = [torch.as_tensor(s, dtype=torch.int64) for s in sequences]
        self.labels = torch.as_tensor(labels, dtype=torch.int64)

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, i):
        return self.sequences[i], self.labels[i]


class _PadBatch:
    """Collate: right-pad a batch to its longest sequence; keep the true lengths."""

    def __init__(self, pad_id):
        self.pad_id = pad_id

    def __call__(self, batch):
        sequences, labels = zip(*batch)
        lengths = torch.tensor([len(s) for s in sequences], dtype=torch.int64)  # (B,)
        ids = nn.utils.rnn.pad_sequence(sequences, batch_first=True, padding_value=self.pad_id)  # (B, T_max)
        return ids, lengths, torch.stack(labels)


class _BucketBatches(Sampler):
    """Batches of similar length: shuffle, sort by length (stable), cut into batches, shuffle the batches."""

    def __init__(self, lengths, batch_size, generator):
        self.lengths, self.batch_size, self.generator = torch.as_tensor(lengths), batch_size, generator

    def __len__(self):
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.lengths), generator=self.generator)  # ties in length: a random order
        order = order[torch.argsort(self.lengths[order], stable=True)]  # short names first
        batches = list(torch.split(order, self.batch_size))
        for b in torch.randperm(len(batches), generator=self.generator).tolist():  # batches in random order
            yield batches[b].tolist()


def _check_sequences(sequences):
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"sequences must be a list of 1-d integer id arrays, got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError("sequences must hold at least one sequence, got none")
    checked = []
    for i, s in enumerate(sequences):
        s = as_int_array(f"sequences[{i}]", s, 0, np.iinfo(np.int64).max, ndim=1)
        if len(s) == 0:
            raise ValueError(f"sequences[{i}] is empty: every sequence needs at least one id (length >= 1)")
        checked.append(s)
    return checked


def make_sequence_loader(sequences, labels, *, batch_size: int = 64, shuffle: bool = False, seed: int = 0,
                         pad_id: int = 0, bucket: bool = False) -> DataLoader:
    """A ``DataLoader`` of ``(ids, lengths, labels)`` batches for sequences of different lengths.

    Parameters
    ----------
    sequences : list of ndarray of int, each of shape (T_i,), T_i >= 1
        E.g. ``[vocab.encode(name) for name in names]``.
    labels : ndarray of int, shape (N,)
        Class ids >= 0.
    batch_size : int
    shuffle : bool
        A new order every epoch, drawn from its own ``torch.Generator(seed)``: the same on every run.
    seed : int
    pad_id : int
        The id that fills the end of shorter sequences (``<pad>`` is 0 in ``text_vocabulary``).
    bucket : bool
        With ``shuffle``: put sequences of similar length in the same batch (batches in random
        order, a new draw every epoch). Far fewer padded steps, so an epoch runs faster.

    Returns
    -------
    DataLoader
        Each batch: ``ids`` (B, T) int64 right-padded to the longest sequence of the batch,
        ``lengths`` (B,) int64 and ``labels`` (B,) int64.

    Notes
    -----
    Padding each batch only to its own longest sequence wastes less work than padding every
    sequence to the longest of the data set. Taught in ``notebooks/07_classification.ipynb``.

    Examples
    --------
    >>> loader = make_sequence_loader([[3, 4, 5], [6]], [1, 0], batch_size=2)
    >>> ids, lengths, labels = next(iter(loader))
    >>> ids.tolist(), lengths.tolist(), labels.tolist()
    ([[3, 4, 5], [6, 0, 0]], [3, 1], [1, 0])
    """
    sequences = _check_sequences(sequences)
    labels = as_int_array("labels", labels, 0, np.iinfo(np.int64).max, ndim=1)
    if len(labels) != len(sequences):
        raise ValueError(f"labels must hold one class id per sequence ({len(sequences)}), got {len(labels)}")
    check_positive("batch_size", batch_size, integer=True)
    if isinstance(pad_id, bool) or not isinstance(pad_id, (int, np.integer)) or pad_id < 0:
        raise ValueError(f"pad_id must be an integer id >= 0, got {pad_id!r}")
    if bucket and not shuffle:
        raise ValueError("bucket=True needs shuffle=True (it draws batches of similar length in random order)")
    generator = torch.Generator().manual_seed(int(seed))
    dataset, collate = _Sequences(sequences, labels), _PadBatch(int(pad_id))
    if bucket:
        sampler = _BucketBatches([len(s) for s in sequences], int(batch_size), generator)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate)
    return DataLoader(dataset, batch_size=int(batch_size), shuffle=shuffle, generator=generator, collate_fn=collate)


_EVAL_BATCH = 1024  # evaluation needs no gradients: large batches are faster and change nothing but rounding


def _in_order(loader: DataLoader) -> DataLoader:
    """The same examples, unshuffled, in large batches."""
    return DataLoader(loader.dataset, batch_size=max(_EVAL_BATCH, loader.batch_size or 1), shuffle=False,
                      collate_fn=loader.collate_fn)


def _check_loader(name, loader):
    if not isinstance(loader, DataLoader):
        raise TypeError(f"{name} must be a DataLoader (see make_sequence_loader), got {type(loader).__name__}")


# ---------------------------------------------------------------- evaluation, once per split


def _logits(model, ids, lengths):
    out = model(ids, lengths=lengths)
    return out[0] if isinstance(out, tuple) else out  # (N, C)


def evaluate_classifier(model: nn.Module, loader: DataLoader, device="cpu") -> dict:
    """Loss, accuracy and confidence of ``model`` over every example of ``loader``.

    Returns
    -------
    dict
        ``loss``: mean cross-entropy per example (nats); ``accuracy``: correct / n;
        ``correct`` and ``n``: the hand counts behind it; ``wrong_confidence``: the mean
        probability the model gave its answer when that answer was wrong (NaN if none was).

    Notes
    -----
    Sums over batches and divides once by the number of examples, so the last, shorter batch
    weighs what its examples weigh. Runs in ``eval`` mode (dropout off) without gradients.
    """
    _check_loader("loader", loader)
    model.eval()
    loss_sum, correct, n, wrong, wrong_conf = 0.0, 0, 0, 0, 0.0
    with torch.no_grad():
        for ids, lengths, labels in loader:
            ids, labels = ids.to(device), labels.to(device)
            logits = _logits(model, ids, lengths)  # (B, C); lengths stay on the CPU for packing
            loss_sum += nn.functional.cross_entropy(logits.double(), labels, reduction="sum").item()
            confidence, predicted = torch.softmax(logits.double(), dim=1).max(dim=1)  # (B,), (B,)
            is_wrong = predicted != labels
            correct += int((~is_wrong).sum())
            wrong += int(is_wrong.sum())
            wrong_conf += confidence[is_wrong].sum().item()
            n += len(labels)
    return {"loss": loss_sum / n, "accuracy": correct / n, "correct": correct, "n": n,
            "wrong_confidence": wrong_conf / wrong if wrong else math.nan}


def predict_proba(model: nn.Module, loader: DataLoader, device="cpu") -> np.ndarray:
    """Class probabilities, shape (N, C), in the order of the loader's examples (never shuffled)."""
    _check_loader("loader", loader)
    model.eval()
    out = []
    with torch.no_grad():
        for ids, lengths, _ in _in_order(loader):
            out.append(torch.softmax(_logits(model, ids.to(device), lengths).double(), dim=1).cpu().numpy())
    return np.concatenate(out)


# ---------------------------------------------------------------- training with early stopping


def drop_characters(ids, lengths, p: float, unk_id: int, generator=None):
    """Replace each real (not padding) id by ``unk_id`` with probability ``p``.

    ``ids`` (B, T) are right-padded ids and ``lengths`` (B,) their real lengths; positions past a
    row's length are never touched. Draws from ``generator`` (a ``torch.Generator``), or from
    torch's global generator when it is None. Returns a new tensor.
    """
    p = check_real("p", p, 0.0, 1.0, closed="[)")
    unk_id = check_int("unk_id", unk_id)
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2:
        raise ValueError(f"ids must be a 2-d tensor (B, T) of padded ids, got {type(ids).__name__} "
                         f"of shape {tuple(getattr(ids, 'shape', ()))}")
    if not isinstance(lengths, torch.Tensor) or tuple(lengths.shape) != (ids.shape[0],):
        raise ValueError(f"lengths must be a tensor of shape ({ids.shape[0]},), one per row of ids, got "
                         f"{type(lengths).__name__} of shape {tuple(getattr(lengths, 'shape', ()))}")
    real = torch.arange(ids.shape[1]) < lengths[:, None]  # (B, T): True up to each row's length
    drop = (torch.rand(ids.shape, generator=generator) < p) & real  # (B, T)
    return ids.masked_fill(drop, unk_id)


def fit_classifier(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader, *, epochs: int,
                   lr: float = 3e-3, weight_decay: float = 0.0, patience: int | None = None,
                   max_norm: float | None = 5.0, char_dropout: float = 0.0, unk_id: int | None = None,
                   label_smoothing: float = 0.0, device="cpu") -> dict:
    """Train with AdamW and cross-entropy; measure both splits once per epoch; keep the best epoch.

    Parameters
    ----------
    model : nn.Module
        Called as ``model(ids, lengths=lengths)``, e.g. ``SequenceModel(..., vocab_size=V, head="last")``.
    train_loader, val_loader : DataLoader
        From ``make_sequence_loader`` (shuffle the training one).
    epochs : int
        The most passes over the training data (budget in epochs, so runs repeat).
    lr : float
    weight_decay : float
        AdamW's decoupled weight decay (0: plain Adam).
    patience : int, optional
        Stop after this many epochs without a lower validation loss.
    max_norm : float or None
        Clip the global gradient norm (None: no clipping).
    char_dropout : float in [0, 1)
        During training only, replace each real character id (never padding: positions past a
        row's length) by ``unk_id`` with this probability, a new draw for every batch. The
        network learns to classify names with letters missing. Evaluation sees the names as
        they are.
    unk_id : int, optional
        The id of the unknown token (``vocab.index["<unk>"]``, 1 in ``text_vocabulary``);
        needed when ``char_dropout > 0``.
    label_smoothing : float in [0, 1)
        Train on cross-entropy against targets that give this much probability mass spread
        evenly over all classes (``nn.functional.cross_entropy(..., label_smoothing=...)``).
        Training loss only: the losses in the returned history are plain cross-entropy, so
        curves with and without smoothing stay comparable.
    device : str or torch.device

    Returns
    -------
    dict
        Per epoch, measured after it on the **whole** split in eval mode: ``train_loss``,
        ``train_accuracy``, ``val_loss``, ``val_accuracy``, ``val_wrong_confidence``; and
        ``best_epoch`` (1-based) and ``best_val_loss``. The model is left holding the weights
        of ``best_epoch``, the epoch of lowest validation loss — not those of the last epoch.

    Notes
    -----
    The best weights are **copied** (``clone``): a state_dict alone holds references to the
    live tensors, which the next optimiser step overwrites, so "restoring" it would restore
    the last epoch. Dropout inside the model and ``char_dropout`` draw from torch's global
    generator: seed it (``torch.manual_seed``) and a run repeats; with ``char_dropout=0`` nothing
    extra is drawn. Taught in ``notebooks/07_classification.ipynb``.
    """
    _check_loader("train_loader", train_loader)
    _check_loader("val_loader", val_loader)
    check_positive("epochs", epochs, integer=True)
    check_positive("lr", lr)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)) or not weight_decay >= 0:
        raise ValueError(f"weight_decay must be a number >= 0, got {weight_decay!r}")
    if patience is not None:
        check_positive("patience", patience, integer=True)
    if max_norm is not None:
        check_positive("max_norm", max_norm)
    char_dropout = check_real("char_dropout", char_dropout, 0.0, 1.0, closed="[)")
    label_smoothing = check_real("label_smoothing", label_smoothing, 0.0, 1.0, closed="[)")
    if char_dropout > 0:
        if unk_id is None:
            raise ValueError("char_dropout > 0 needs unk_id, the id of the unknown token "
                             "(vocab.index['<unk>'], 1 in text_vocabulary)")
        unk_id = check_int("unk_id", unk_id)
        V = getattr(getattr(model, "embedding", None), "num_embeddings", None)  # SequenceModel's vocabulary
        if V is not None and unk_id >= V:
            raise ValueError(f"unk_id must be an id of the model's vocabulary, in [0, {V}), got {unk_id}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=float(weight_decay))
    train_in_order = _in_order(train_loader)  # the whole training split, measured like the validation split
    keys = ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_wrong_confidence"]
    history = {k: [] for k in keys} | {"best_epoch": 0, "best_val_loss": math.inf}
    best_state = None
    for epoch in range(1, epochs + 1):
        model.train()
        for ids, lengths, labels in train_loader:
            if char_dropout > 0:
                ids = drop_characters(ids, lengths, char_dropout, unk_id)
            optimizer.zero_grad()
            logits = _logits(model, ids.to(device), lengths)
            loss = nn.functional.cross_entropy(logits, labels.to(device), label_smoothing=label_smoothing)
            loss.backward()
            if max_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
        train, val = evaluate_classifier(model, train_in_order, device), evaluate_classifier(model, val_loader, device)
        for k, v in [("train_loss", train["loss"]), ("train_accuracy", train["accuracy"]), ("val_loss", val["loss"]),
                     ("val_accuracy", val["accuracy"]), ("val_wrong_confidence", val["wrong_confidence"])]:
            history[k].append(v)
        if val["loss"] < history["best_val_loss"]:
            history["best_epoch"], history["best_val_loss"] = epoch, val["loss"]
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}  # a copy, not a reference
        elif patience is not None and epoch - history["best_epoch"] >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


# ---------------------------------------------------------------- checkpoints without pickle's risks

_PLAIN = (str, int, float, bool, type(None))


def _check_plain(name, value):
    """Metadata must survive ``torch.load(weights_only=True)``: plain values, lists, tuples and dicts."""
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _check_plain(name, v)
        return
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        for v in value.values():
            _check_plain(name, v)
        return
    raise TypeError(f"metadata {name!r} must hold only str, int, float, bool, None, lists and dicts "
                    f"(what weights_only=True can read back), got {type(value).__name__}")


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")


def save_checkpoint(model: nn.Module, path, **metadata) -> None:
    """Save ``model``'s weights and plain ``metadata`` (e.g. ``classes=[...]``, ``best_epoch=7``) to ``path``.

    Notes
    -----
    Only tensors and plain Python values are written, so ``load_checkpoint`` can read the file
    with ``torch.load(..., weights_only=True)``, which refuses to run code hidden in a pickle.
    """
    _check_path(path)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for name, value in metadata.items():
        _check_plain(name, value)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save({"format": "rnn_kit.checkpoint", "state_dict": state, "metadata": metadata}, path)


def load_checkpoint(model: nn.Module, path, device="cpu") -> dict:
    """Load weights saved by ``save_checkpoint`` into ``model`` (same architecture); return the metadata.

    Raises
    ------
    ValueError
        If the file holds anything but tensors and plain values (``weights_only=True`` refuses to
        unpickle it), is not an rnn_kit checkpoint, or its weights do not fit ``model``.
    """
    _check_path(path)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(f"{os.fspath(path)!r} holds objects other than tensors and plain values; "
                         f"refusing to unpickle them (weights_only=True)") from exc
    if not isinstance(saved, dict) or saved.get("format") != "rnn_kit.checkpoint":
        raise ValueError(f"{os.fspath(path)!r} is not a checkpoint written by save_checkpoint")
    try:
        model.load_state_dict(saved["state_dict"])
    except RuntimeError as exc:
        raise ValueError(f"the checkpoint's weights do not fit model: {exc}") from exc
    return saved["metadata"]
