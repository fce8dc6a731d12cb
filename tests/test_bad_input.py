"""Generated bad input: every public function of losses, optim, gradcheck, checkpoint and data answers a
learner's mistake with a clear error.

A clear error is a ``ValueError`` or ``TypeError`` raised by rnn_kit code (the innermost traceback frame
is inside the ``rnn_kit`` package, not NumPy, json or zipfile) whose message names the argument.
The last test prints "N bad inputs tried, M raise clear errors" (shown even without ``-s``).
"""

from __future__ import annotations

import io
import json
import traceback
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn_kit
from rnn_kit import (
    SGD,
    Adagrad,
    Adam,
    RNNModel,
    check_model_gradients,
    clip_grad_norm,
    clip_grad_value,
    global_norm,
    load_model,
    mse_loss,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
    save_model,
    softmax,
    softmax_cross_entropy,
)
from rnn_kit import data as D
from rnn_kit._checks import as_rng
from rnn_kit.notebook import setup

PACKAGE = Path(rnn_kit.__file__).resolve().parent
TALLY = {"tried": 0, "clear": 0, "identical": 0}
RAN = set()  # names of this module's tests that ran in this process (for test_zz_report)
FEW = settings(max_examples=15, deadline=None, database=None)


def expect_clear(call: Callable, name: str, types=(ValueError, TypeError)) -> None:
    """Run ``call``; record and assert that it raised a clear error naming ``name``."""
    TALLY["tried"] += 1
    try:
        call()
    except Exception as exc:  # any other type is the failure looked for
        where = traceback.extract_tb(exc.__traceback__)[-1].filename
        ours = Path(where).resolve().is_relative_to(PACKAGE)
        problem = [] if isinstance(exc, types) else [f"type {type(exc).__name__}"]
        problem += [] if ours else [f"raised in {where}"]
        problem += [] if name in str(exc) else [f"message does not name {name!r}"]
        if not problem:
            TALLY["clear"] += 1
        assert not problem, f"{problem}: {type(exc).__name__}: {exc}"
    else:
        raise AssertionError(f"no error: bad {name} was accepted")


# ---------------------------------------------------------------- strategies of bad values

NAN, INF = float("nan"), float("inf")


def _shape(ndim, low=1):
    return st.lists(st.integers(low, 3), min_size=ndim, max_size=ndim).map(tuple)


def _ragged():
    lengths = st.lists(st.integers(0, 3), min_size=2, max_size=4).filter(lambda n: len(set(n)) > 1)
    return lengths.map(lambda n: [[1.0] * k for k in n])


def _non_numeric(ndim):
    """Arrays of a valid shape but a dtype that is not real numbers, and things that are not arrays."""
    shape = _shape(ndim)
    return st.one_of(
        shape.map(lambda s: np.full(s, "a")),
        shape.map(lambda s: np.full(s, None, dtype=object)),
        shape.map(lambda s: np.ones(s) * (1 + 1j)),
        st.sampled_from(["abc", None, {}, {"a": 1}, object()]),
        _ragged(),
    )


def _non_finite(ndim):
    def poison(args):
        s, i, v = args
        x = np.ones(s)
        x.flat[i % x.size] = v
        return x

    return st.tuples(_shape(ndim), st.integers(0, 100), st.sampled_from([NAN, INF, -INF])).map(poison)


def bad_floats(ndims=(1,), empty=True):
    """Bad real arrays for an argument that must be ``ndims``-d (and non-empty when ``empty``)."""
    wrong = [d for d in range(5) if d not in ndims]
    options = [_non_numeric(ndims[0]), _non_finite(ndims[0])]
    options += [st.sampled_from(wrong).flatmap(_shape).map(np.ones)] if wrong else []
    options += [_shape(ndims[0], low=0).filter(lambda s: 0 in s).map(np.zeros)] if empty else []
    return st.one_of(options)


def bad_ids(ndim=1, high=None):
    shape = _shape(ndim)
    options = [
        _non_numeric(ndim),
        _non_finite(ndim),
        shape.map(lambda s: np.full(s, 0.5)),
        shape.map(lambda s: np.ones(s, dtype=bool)),
        shape.map(lambda s: -np.ones(s, dtype=int)),
        st.sampled_from([d for d in range(4) if d != ndim]).flatmap(_shape).map(lambda s: np.zeros(s, int)),
        st.just(np.array([1e30, 0.0])),
    ]
    if high is not None:
        options.append(shape.map(lambda s: np.full(s, high)))
    return st.one_of(options)


_junk = st.one_of(st.text(max_size=3), st.none(), st.just([3]), st.complex_numbers(min_magnitude=1))
BAD_SIZE = st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), _junk)
BAD_POSITIVE = st.one_of(st.floats(max_value=0), st.sampled_from([NAN, INF]), st.booleans(), _junk)
BAD_NONNEGATIVE = st.one_of(st.floats(max_value=-1e-9), st.sampled_from([NAN, INF]), st.booleans(), _junk)
BAD_REAL = st.one_of(st.sampled_from([NAN, INF, -INF]), st.booleans(), _junk)
BAD_UNIT = st.one_of(st.floats().filter(lambda f: not 0 < f < 1), st.booleans(), _junk)
BAD_SEED = st.one_of(st.integers(max_value=-1), st.floats(), st.booleans(), st.text(max_size=2), st.just([1]))
BAD_AXIS = st.one_of(st.integers(2, 50), st.integers(-50, -3), st.floats(), st.booleans(), st.text(max_size=1))


def bad_numbers(n):
    """Anything but a sequence of ``n`` finite real numbers."""
    return st.one_of(
        st.floats(0, 1), st.text(max_size=3), st.none(), st.just({"a": 1}),
        st.lists(st.floats(0, 1), max_size=5).filter(lambda f: len(f) != n),
        st.just(("a",) + (0.5,) * (n - 1)), st.just((NAN,) * n), st.just((True,) + (0.0,) * (n - 1)),
    )


def bad_fractions(strict=True):
    wrong_sum = st.lists(st.floats(0.001, 1), min_size=3, max_size=3).filter(lambda f: abs(sum(f) - 1) > 1e-6)
    extra = [st.just((0.0, 0.5, 0.5))] if strict else []
    return st.one_of(bad_numbers(3), wrong_sum, st.just((-0.5, 1.0, 0.5)), *extra)


BAD_LABELS = st.one_of(
    st.just([]), st.text(min_size=1, max_size=4), st.just(["a", NAN]), st.just([1.0, NAN]),
    st.just(np.zeros((2, 2))), st.just([["a"], ["b", "c"]]), st.just([None, "a"]), st.just(5), st.just({}),
)
BAD_TEXTS = st.one_of(
    st.text(max_size=4), st.just([]), st.just([1, 2]), st.just(5), st.none(), st.just([["a"]]), st.just(["a", None]),
)
BAD_STRINGS = st.one_of(st.text(min_size=1, max_size=4), st.just([1]), st.just([""]), st.just(5), st.just(["a", None]))
BAD_RNG = st.one_of(st.text(max_size=2), st.floats(), st.booleans(), st.integers(max_value=-1), st.just([1]))
BAD_CALLABLE = st.sampled_from([5, "f", None, [1]])


def bad_params(inplace=True):
    """Bad ``params`` / ``grads`` dicts."""
    return st.one_of(
        st.just([np.zeros(2)]), st.just({}), st.just(5), st.none(), st.just("W"),
        st.just({"W": np.array(["a", "b"])}),
        st.just({"W": np.array([None, 1], dtype=object)}), st.just({"W": np.array([0.0, NAN])}),
        st.just({"W": np.array([[0.0], [1.0, 2.0]], dtype=object)}),
        *([st.just({"W": np.zeros(2, dtype=int)}), st.just({"W": [0.0, 1.0]})] if inplace else []),
    )


def _read_only():
    x = np.zeros(2)
    x.flags.writeable = False
    return {"W": x}


# ---------------------------------------------------------------- the walk over the public API


class Case(NamedTuple):
    label: str
    call: Callable  # called with keyword arguments
    valid: Callable  # () -> dict of valid keyword arguments
    arg: str  # the argument replaced by a bad value
    bad: st.SearchStrategy
    name: str = ""  # what the message must name (default: arg)


def _ar():
    X, y = D.make_windows(np.sin(np.arange(30.0)), 4)
    return D.LinearAR().fit(X, y)


def _scaler():
    return D.StandardScaler().fit(np.ones((5, 2)) * np.arange(5.0)[:, None])


VOCAB = D.Vocabulary.from_text("abc")
TEXTS = ["ab", "ba", "c"]
SVOCAB = D.text_vocabulary(TEXTS)
IDS = np.arange(40) % 3
X3 = np.ones((4, 3, 1))
P = {"W": np.zeros(2)}


def _p():
    return {"W": np.zeros(2)}


def _step(opt):
    return lambda grads: opt(_p()).step(grads)


CASES = [
    # losses
    Case("softmax", softmax, lambda: {"z": np.zeros((2, 3))}, "z", bad_floats((1, 2, 3, 4))),
    Case("softmax", softmax, lambda: {"z": np.zeros((2, 3))}, "axis", BAD_AXIS),
    Case("softmax", softmax, lambda: {"z": np.zeros(3)}, "temperature", BAD_POSITIVE),
    Case("cross_entropy", softmax_cross_entropy, lambda: {"logits": np.zeros((2, 3)), "targets": [0, 1]},
         "logits", bad_floats((2,))),
    Case("cross_entropy", softmax_cross_entropy, lambda: {"logits": np.zeros((2, 3)), "targets": [0, 1]},
         "targets", bad_ids(1, high=3)),
    Case("cross_entropy", softmax_cross_entropy, lambda: {"logits": np.zeros((2, 3)), "targets": [0, 1]},
         "mask", st.one_of(bad_floats((1,), empty=False).filter(lambda m: m is not None),  # None: no mask
                           st.just(np.array([-1.0, 2.0])))),
    Case("mse_loss", mse_loss, lambda: {"pred": np.zeros(3), "target": np.zeros(3)}, "pred", bad_floats((1,))),
    Case("mse_loss", mse_loss, lambda: {"pred": np.zeros(3), "target": np.zeros(3)}, "target", bad_floats((1,))),
    # optimisers and clipping
    *[Case(o.__name__, o, lambda: {"params": _p()}, "params", st.one_of(bad_params(), st.builds(_read_only)))
      for o in (SGD, Adagrad, Adam)],
    *[Case(o.__name__, o, lambda: {"params": _p()}, "lr", BAD_POSITIVE) for o in (SGD, Adagrad, Adam)],
    *[Case(o.__name__ + ".step", _step(o), dict, "grads", st.one_of(
        bad_params(inplace=False), st.just({"V": np.zeros(2)}), st.just({"W": np.zeros(3)}))) for o in (SGD, Adam)],
    Case("SGD", SGD, lambda: {"params": _p()}, "momentum", st.one_of(BAD_UNIT.filter(lambda m: m != 0), st.just(1))),
    Case("Adagrad", Adagrad, lambda: {"params": _p()}, "eps", BAD_POSITIVE),
    Case("Adam", Adam, lambda: {"params": _p()}, "betas",
         st.one_of(bad_numbers(2), st.just((0.9, 1.0)), st.just((-0.1, 0.9)))),
    Case("Adam", Adam, lambda: {"params": _p()}, "eps", BAD_POSITIVE),
    Case("global_norm", global_norm, dict, "grads", bad_params(inplace=False)),
    Case("clip_grad_norm", clip_grad_norm, lambda: {"max_norm": 1.0}, "grads", bad_params()),
    Case("clip_grad_norm", clip_grad_norm, lambda: {"grads": _p()}, "max_norm", BAD_POSITIVE),
    Case("clip_grad_value", clip_grad_value, lambda: {"clip_value": 1.0}, "grads",
         st.one_of(bad_params(), st.builds(_read_only))),
    Case("clip_grad_value", clip_grad_value, lambda: {"grads": _p()}, "clip_value", BAD_POSITIVE),
    # gradient checks
    Case("numerical_gradient", numerical_gradient, lambda: {"f": lambda: 0.0, "x": np.zeros(2)}, "f", BAD_CALLABLE),
    Case("numerical_gradient", numerical_gradient, lambda: {"f": lambda: 0.0},
         "x", st.one_of(_non_numeric(1), _non_finite(1), st.just([1.0, 2.0]), st.builds(lambda: _read_only()["W"]))),
    Case("numerical_gradient", numerical_gradient, lambda: {"f": lambda: 0.0, "x": np.zeros(2)}, "h", BAD_POSITIVE),
    Case("numerical_gradient", numerical_gradient, lambda: {"x": np.zeros(2)}, "f",
         st.sampled_from([lambda: "a", lambda: np.zeros(3), lambda: None, lambda: NAN]), name="f()"),
    Case("numerical_gradient_array", numerical_gradient_array,
         lambda: {"f": lambda: np.zeros(3), "x": np.zeros(2)}, "df", bad_floats((1,), empty=False)),
    Case("rel_error", rel_error, lambda: {"b": np.zeros(2)}, "a", st.one_of(_non_numeric(1), _non_finite(1))),
    Case("check_model_gradients", check_model_gradients, lambda: {"inputs": X3, "targets": [[0]]}, "model",
         st.sampled_from([None, "model", {"W": np.zeros(2)}])),
    # checkpoint arguments (the file tampering is generated further down)
    Case("save_model", save_model, lambda: {"path": "never-written.npz"}, "model", st.sampled_from([None, {}, "m"])),
    Case("save_model", lambda **kw: save_model(RNNModel(3, 4, 3, rng=0), **kw), dict, "path",
         st.sampled_from([None, 5, ["a"], b"m.npz", ""])),
    Case("save_model", lambda **kw: save_model(RNNModel(3, 4, 3, rng=0), "never-written", **kw), dict, "bad",
         st.sampled_from([np.array([{}], dtype=object), [[1.0], [1.0, 2.0]], {"a": 1}, None])),
    Case("load_model", load_model, dict, "path", st.sampled_from([None, 5, ["a"]])),
    # series
    *[Case(f.__name__, f, dict, "n_steps", BAD_SIZE) for f in (D.sine_wave, D.trend_seasonal, D.multivariate_series)],
    *[Case(f.__name__, f, dict, "noise_std", BAD_NONNEGATIVE)
      for f in (D.sine_wave, D.trend_seasonal, D.multivariate_series)],
    *[Case(f.__name__, f, lambda: {"noise_std": 0.1}, "rng", BAD_RNG)
      for f in (D.sine_wave, D.trend_seasonal, D.multivariate_series)],
    *[Case(f.__name__, f, dict, a, BAD_POSITIVE)
      for f in (D.sine_wave, D.multivariate_series) for a in ("dt", "period")],
    Case("trend_seasonal", D.trend_seasonal, dict, "period", BAD_POSITIVE),
    Case("multivariate_series", D.multivariate_series, dict, "n_channels", BAD_SIZE),
    *[Case("sine_wave", D.sine_wave, dict, a, BAD_REAL) for a in ("amplitude", "phase")],
    *[Case("trend_seasonal", D.trend_seasonal, dict, a, BAD_REAL) for a in ("amplitude", "slope")],
    # windows, splits, scalers, baselines
    Case("make_windows", D.make_windows, lambda: {"window": 2}, "series", bad_floats((1, 2))),
    *[Case("make_windows", D.make_windows, lambda: {"series": np.arange(9.0), "window": 2}, a, BAD_SIZE)
      for a in ("horizon", "stride")],
    Case("make_windows", D.make_windows, lambda: {"series": np.arange(9.0)}, "window", BAD_SIZE),
    *[Case("window_indices", D.window_indices, lambda: {"n_steps": 9, "window": 2}, a, BAD_SIZE)
      for a in ("n_steps", "window", "horizon", "stride")],
    Case("chronological_split", D.chronological_split, dict, "series", bad_floats((1, 2))),
    Case("chronological_split", D.chronological_split, lambda: {"series": np.arange(50.0)}, "fractions",
         bad_fractions()),
    Case("StandardScaler.fit", lambda data: D.StandardScaler().fit(data), dict, "data", bad_floats((1, 2))),
    Case("MinMaxScaler.fit", lambda data: D.MinMaxScaler().fit(data), dict, "data", bad_floats((1, 2))),
    Case("MinMaxScaler", D.MinMaxScaler, dict, "feature_range",
         st.one_of(bad_numbers(2), st.just((1.0, 0.0)), st.just((0.0, 0.0)), st.just((0.0, INF)))),
    Case("StandardScaler.transform", lambda data: _scaler().transform(data), dict, "data",
         st.one_of(_non_numeric(2), _non_finite(2), st.just(np.zeros((2, 3))), st.just(np.float64(1.0)))),
    Case("StandardScaler.inverse_transform", lambda data: _scaler().inverse_transform(data), dict, "data",
         st.one_of(_non_numeric(2), _non_finite(2))),
    *[Case(f.__name__, f, dict, "X", bad_floats((3,))) for f in (D.persistence, D.window_mean)],
    *[Case(f.__name__, f, lambda: {"X": X3}, "horizon", BAD_SIZE) for f in (D.persistence, D.window_mean)],
    Case("training_mean", D.training_mean, lambda: {"n": 3}, "train", bad_floats((1, 2))),
    Case("training_mean", D.training_mean, lambda: {"train": np.ones(4)}, "n", BAD_SIZE),
    Case("LinearAR.fit", lambda X, y: D.LinearAR().fit(X, y), lambda: {"y": np.ones((4, 1))}, "X", bad_floats((3,))),
    Case("LinearAR.fit", lambda X, y: D.LinearAR().fit(X, y), lambda: {"X": X3}, "y",
         st.one_of(bad_floats((1, 2, 3)), st.just(np.float64(1.0)), st.just(np.ones(3)))),
    Case("LinearAR.predict", lambda X: _ar().predict(X), dict, "X",
         st.one_of(bad_floats((3,)), st.just(np.ones((2, 5, 1))))),
    *[Case(f.__name__, f, lambda: {"y_pred": np.ones(3)}, "y_true", bad_floats((1,))) for f in (D.mse, D.mae)],
    # text
    Case("Vocabulary", D.Vocabulary, dict, "tokens", st.one_of(BAD_STRINGS, st.just([]), st.just(["a", "a"]))),
    Case("Vocabulary", D.Vocabulary, lambda: {"tokens": ["a", "b"]}, "unknown",
         st.sampled_from(["c", 5, ["a"], b"a"])),
    Case("Vocabulary.from_text", D.Vocabulary.from_text, dict, "text", st.one_of(st.just(""), _junk.filter(
        lambda t: not isinstance(t, str)), st.just(["a"]))),
    Case("Vocabulary.from_text", D.Vocabulary.from_text, lambda: {"text": "abc"}, "specials", BAD_STRINGS),
    Case("Vocabulary.encode", lambda text: VOCAB.encode(text), dict, "text",
         st.one_of(st.sampled_from([5, None, ["a"], b"ab"]), st.text(alphabet="xyz", min_size=1, max_size=3))),
    Case("Vocabulary.decode", lambda ids: VOCAB.decode(ids), dict, "ids", bad_ids(1, high=3)),
    Case("Vocabulary.from_arrays", D.Vocabulary.from_arrays, dict, "arrays", st.one_of(
        st.sampled_from([None, 5, [], {}, {"vocab_json": np.array("not json")}, {"vocab_json": np.array("[1]")},
                         {"vocab_json": np.array('{"tokens": "ab", "unknown": null}')},
                         {"vocab_json": np.array('{"tokens": ["a", 1], "unknown": null}')},
                         {"vocab_tokens": np.array([1, 2]), "vocab_unknown": np.array("")},
                         {"vocab_tokens": np.array(["a", "b"]), "vocab_unknown": np.array(5)}]))),
    Case("bigram_successors", D.bigram_successors, lambda: {"vocab_size": 3}, "ids", bad_ids(1, high=3)),
    Case("bigram_successors", D.bigram_successors, lambda: {"ids": IDS}, "vocab_size", BAD_SIZE),
    *[Case(f.__name__, f, kw, "ids", bad_ids(1)) for f, kw in [
        (D.split_ids, dict), (D.stream_batches, lambda: {"batch_size": 2, "seq_len": 3}),
        (D.random_windows, lambda: {"batch_size": 2, "seq_len": 3})]],
    Case("split_ids", D.split_ids, lambda: {"ids": IDS}, "val_fraction", BAD_UNIT),
    *[Case(f.__name__, f, lambda: {"ids": IDS, "batch_size": 2, "seq_len": 3}, a, BAD_SIZE)
      for f in (D.stream_batches, D.random_windows) for a in ("batch_size", "seq_len")],
    Case("random_windows", D.random_windows, lambda: {"ids": IDS, "batch_size": 2, "seq_len": 3}, "rng", BAD_RNG),
    # labelled text
    Case("text_vocabulary", D.text_vocabulary, dict, "texts", BAD_TEXTS),
    Case("encode_padded", D.encode_padded, lambda: {"vocab": SVOCAB, "max_len": 3}, "texts", BAD_TEXTS),
    Case("encode_padded", D.encode_padded, lambda: {"texts": TEXTS, "vocab": SVOCAB}, "max_len", BAD_SIZE),
    Case("encode_padded", D.encode_padded, lambda: {"texts": TEXTS, "max_len": 3}, "vocab",
         st.sampled_from([None, "abc", ["a"], VOCAB])),
    Case("encode_labels", D.encode_labels, dict, "labels", BAD_LABELS),
    Case("encode_labels", D.encode_labels, lambda: {"labels": ["a", "b"]}, "classes",
         st.sampled_from(["ab", 5, ["a", "a", "b"], ["a"], [None, "a"]])),
    Case("encode_dataset", D.encode_dataset, lambda: {"texts": TEXTS, "vocab": SVOCAB, "max_len": 3},
         "labels", st.one_of(BAD_LABELS, st.just(["x", "y"]))),
    Case("stratified_split", D.stratified_split, dict, "labels", BAD_LABELS),
    Case("stratified_split", D.stratified_split, lambda: {"labels": ["a", "b"] * 5}, "fractions",
         bad_fractions(strict=False)),
    Case("stratified_split", D.stratified_split, lambda: {"labels": ["a", "b"] * 5}, "rng", BAD_RNG),
    Case("majority_accuracy", D.majority_accuracy, lambda: {"test_labels": ["a"]}, "train_labels", BAD_LABELS),
    Case("majority_accuracy", D.majority_accuracy, lambda: {"train_labels": ["a"]}, "test_labels", BAD_LABELS),
    # real data, rng, notebook setup
    *[Case(f.__name__, f, dict, "missing", st.sampled_from(["zero", None, 5, ["drop"]]))
      for f in (D.load_co2, D.load_weather)],
    Case("load_co2", D.load_co2, dict, "monthly", st.sampled_from(["yes", None, 2])),
    Case("as_rng", as_rng, dict, "rng", BAD_RNG),
    Case("setup", setup, dict, "seed", BAD_SEED),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.label}-{c.arg}" for c in CASES])
@FEW
@given(data=st.data())
def test_bad_argument_raises_a_clear_error(case, data):
    bad = data.draw(case.bad, label=case.arg)
    kwargs = {**case.valid(), case.arg: bad}
    expect_clear(lambda: _consume(case.call(**kwargs)), case.name or case.arg)


def _consume(result):
    """Run a generator far enough to reach its first check."""
    return next(result) if hasattr(result, "__next__") else result


def test_linear_ar_predict_before_fit():
    expect_clear(lambda: D.LinearAR().predict(X3), "fit")


def test_scaler_before_fit():
    expect_clear(lambda: D.MinMaxScaler().transform(np.ones(3)), "fit")


def test_empty_training_series_and_empty_windows():
    expect_clear(lambda: D.training_mean(np.zeros(0), 3), "train")
    expect_clear(lambda: D.training_mean(np.zeros((4, 0)), 3), "train")
    expect_clear(lambda: D.persistence(np.zeros((0, 3, 1))), "X")
    expect_clear(lambda: D.LinearAR().fit(np.zeros((0, 3, 1)), np.zeros((0, 1))), "X")


# ---------------------------------------------------------------- checkpoint files, tampered


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    model = RNNModel(3, 4, 3, rng=0)
    path = save_model(model, folder / "good")
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return model, path.read_bytes(), arrays, folder


_counter = iter(range(10**9))


def _write(folder, content) -> Path:
    path = folder / f"bad{next(_counter)}.npz"
    if isinstance(content, dict):
        np.savez(path, **content)
    else:
        path.write_bytes(bytes(content))
    return path


def _expect_rejected_or_identical(model, path):
    """ValueError naming the file, or (counted) the identical model."""
    try:
        loaded = load_model(path)
    except Exception:  # judged by expect_clear below
        expect_clear(lambda: load_model(path), str(path), types=(ValueError,))  # counts the case
        return
    TALLY["tried"] += 1
    TALLY["identical"] += 1
    assert loaded.config == model.config
    for k, v in model.params.items():
        np.testing.assert_array_equal(loaded.params[k], v)


@FEW
@given(data=st.data())
def test_truncated_checkpoint(saved, data):
    model, raw, _, folder = saved
    cut = data.draw(st.integers(0, len(raw) - 1), label="offset")
    _expect_rejected_or_identical(model, _write(folder, raw[:cut]))


@settings(max_examples=100, deadline=None, database=None)
@given(data=st.data())
def test_flipped_bytes_in_checkpoint(saved, data):
    model, raw, _, folder = saved
    where = st.integers(0, len(raw) - 1)
    flips = data.draw(st.lists(st.tuples(where, st.integers(1, 255)), min_size=1, max_size=3,
                               unique_by=lambda flip: flip[0]), label="flips")  # distinct offsets: never undone
    changed = bytearray(raw)
    for offset, mask in flips:
        changed[offset] ^= mask
    _expect_rejected_or_identical(model, _write(folder, changed))
    assert TALLY["identical"] == 0, "a flipped byte went unnoticed"


_PARAMS = ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]
_names = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
_not_json = st.text(max_size=8).filter(lambda s: not _is_json(s))


def _is_json(text):
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _config_change(key, value):
    def change(arrays):
        config = json.loads(str(arrays["__config__"]))
        if value is _DROP:
            config.pop(key)
        else:
            config[key] = value
        arrays["__config__"] = np.array(json.dumps(config))
    return change


_DROP = object()
_SIZES = ["input_size", "hidden_size", "output_size", "vocab_size"]
_HUGE = st.integers(10**7, 10**30)
_WRONG_TYPED = st.sampled_from([True, 1.5, [4], {"a": 4}, "4"])


def _set(key, value):
    return lambda arrays: arrays.__setitem__(key, value)


def _reshaped(key, shape):
    return lambda arrays: arrays.__setitem__(key, np.zeros(shape))


def _retyped(key, dtype):
    def change(arrays):
        arrays[key] = np.full(arrays[key].shape, None, dtype=object) if dtype == "O" else \
            arrays[key].astype(dtype)
    return change


TAMPERING = st.one_of(
    st.sampled_from(["__config__", *_PARAMS]).map(lambda k: lambda a: a.pop(k)),
    st.tuples(st.sampled_from(_PARAMS), _names).filter(lambda kn: kn[0] != kn[1]).map(lambda kn: lambda a: a.__setitem__(kn[1], a.pop(kn[0]))),
    st.tuples(st.sampled_from(_PARAMS), _shape(2).filter(lambda s: s != (4, 4))).map(lambda ks: _reshaped(*ks)),
    st.tuples(st.sampled_from(_PARAMS), st.sampled_from(["float32", "int64", "complex128", "bool", "<U3", "O"]))
    .map(lambda kd: _retyped(*kd)),
    st.tuples(st.sampled_from(_PARAMS), st.sampled_from([NAN, INF])).map(
        lambda kv: lambda a: a[kv[0]].__setitem__((0,) * a[kv[0]].ndim, kv[1])),
    _not_json.map(lambda s: _set("__config__", np.array(s))),
    st.sampled_from(["[1, 2]", "4", '"config"', "null"]).map(lambda s: _set("__config__", np.array(s))),
    st.sampled_from([np.zeros(3), np.array(["{}", "{}"]), np.array(b"{}"), np.array([{}], dtype=object)])
    .map(lambda v: _set("__config__", v)),
    _names.map(lambda k: _config_change("zz_" + k, 1)),
    st.tuples(st.sampled_from(["input_size", "hidden_size", "output_size", "nonlinearity", "loss", "dtype"]),
              _WRONG_TYPED).filter(lambda kv: not (kv[0] in ("nonlinearity", "loss", "dtype") and kv[1] == "4"))
    .map(lambda kv: _config_change(*kv)),
    st.tuples(st.sampled_from(_SIZES), st.one_of(_HUGE, st.integers(-10**6, 0))).map(lambda kv: _config_change(*kv)),
    st.sampled_from(["input_size", "hidden_size", "output_size"]).map(lambda k: _config_change(k, _DROP)),
    st.sampled_from(["extra__x", "W_xh"]).map(lambda k: _set(k, np.array([{"a": 1}], dtype=object))),
)


@settings(max_examples=100, deadline=None, database=None)
@given(change=TAMPERING)
def test_tampered_checkpoint(saved, change):
    model, _, arrays, folder = saved
    arrays = {k: v.copy() for k, v in arrays.items()}
    change(arrays)
    path = _write(folder, arrays)
    expect_clear(lambda: load_model(path), str(path), types=(ValueError,))


def test_not_an_archive(saved, tmp_path):
    model, raw, arrays, _ = saved
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    with zipfile.ZipFile(tmp_path / "dup.npz", "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        for key in [*arrays, "W_hh"]:
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[key] if key != "W_hh" else arrays[key] + 1)
            zf.writestr(key + ".npy", member.getvalue())
    for name, content in [("empty.npz", b""), ("array.npz", buffer.getvalue()), ("text.npz", b"hello"),
                          ("tail.npz", raw + b"junk")]:
        (tmp_path / name).write_bytes(content)
    (tmp_path / "folder.npz").mkdir()
    for name in ("empty.npz", "array.npz", "text.npz", "tail.npz", "folder.npz", "dup.npz", "missing.npz"):
        path = tmp_path / name
        expect_clear(lambda path=path: load_model(path), str(path), types=(ValueError,))


def test_huge_sizes_allocate_nothing(saved):
    import tracemalloc

    model, _, arrays, folder = saved
    for key in ("hidden_size", "input_size", "vocab_size"):
        changed = dict(arrays)
        _config_change(key, 10**7)(changed)
        path = _write(folder, changed)
        tracemalloc.start()
        try:
            expect_clear(lambda path=path: load_model(path), str(path), types=(ValueError,))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 20 * 2**20, f"loading a config with {key}=10**7 allocated {peak / 2**20:.0f} MiB"


# ---------------------------------------------------------------- randomness contract


def test_rng_none_is_fresh_entropy_and_seeds_repeat():
    setup(0)
    first = D.sine_wave(50, noise_std=1.0)[1]
    setup(0)
    again = D.sine_wave(50, noise_std=1.0)[1]
    assert not np.array_equal(first, again), "rng=None must not be repeatable, even after setup(seed)"
    rng = setup(0).rng
    a = D.sine_wave(50, noise_std=1.0, rng=rng)[1]
    b = D.sine_wave(50, noise_std=1.0, rng=setup(0).rng)[1]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(D.sine_wave(5, noise_std=1.0, rng=7)[1], D.sine_wave(5, noise_std=1.0, rng=7)[1])
    assert "fresh" in as_rng.__doc__ and "rng=None is not repeatable" in setup.__doc__


@pytest.fixture(autouse=True)
def _record_run(request):
    yield
    RAN.add(request.node.name)


def test_zz_report(capsys, request):
    """Last test of the module: how many bad inputs were tried and how many raised clear errors.

    The tally is per process, so it is only complete when every other test of this module ran
    before this one in the same process: a whole-module run, or pytest-xdist with
    ``--dist loadfile`` (what ``python3 tasks.py test`` uses). Otherwise (a selection with ``-k``,
    ``-m`` or a test id, or ``-n 2`` spreading the tests over workers) it is skipped, saying why.
    """
    config = request.config
    if config.getoption("keyword") or config.getoption("markexpr") or any("::" in a for a in config.args):
        pytest.skip("a selection of tests ran: the tally needs the whole module")
    others = {item.name for item in request.session.items
              if getattr(item, "module", None) is request.module and item.name != request.node.name}  # nbval cells have none
    if not others <= RAN:
        pytest.skip(f"{len(others - RAN)} of this module's {len(others)} other tests did not run before this one "
                    "in this process; the tally needs them all (run the whole file, or xdist with --dist loadfile)")
    with capsys.disabled():
        print(f"\n{TALLY['tried']} bad inputs tried, {TALLY['clear']} raise clear errors "
              f"({TALLY['identical']} tampered files loaded as the identical model)")
    assert TALLY["tried"] > 500 and TALLY["clear"] == TALLY["tried"]
