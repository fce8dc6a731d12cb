"""rnn_kit.torch.charlm: the stream DataLoader, the hand-written loop, truncated BPTT, bits per character, sampling."""

import itertools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rnn_kit import RNNModel  # noqa: E402
from rnn_kit.cells import CELLS  # noqa: E402
from rnn_kit.data import stream_batches  # noqa: E402
from rnn_kit.sampling import sample as numpy_sample  # noqa: E402
from rnn_kit.torch.charlm import (  # noqa: E402
    RNNCellLM,
    StreamChunks,
    bits_per_character,
    detach_state,
    fit_stream,
    progress_bar,
    sample,
    stream_loader,
)
from rnn_kit.torch.models import Forecaster, SequenceModel, to_torch  # noqa: E402
from rnn_kit.training import evaluate_stream  # noqa: E402

V = 7
TORCH_CELLS = [c for c in ("rnn", "lstm", "gru") if c in CELLS]


def stream(n=301, seed=0):
    return np.random.default_rng(seed).integers(0, V, n)


def float64_lm(cell="rnn", seed=0, D=4, H=6):
    """A float64 SequenceModel with RNNModel's initialisation, and that RNNModel."""
    model = RNNModel(D, H, V, vocab_size=V, cell=cell, rng=seed)
    return to_torch(model), model


# ---------------------------------------------------------------- the stream as a DataLoader


@pytest.mark.parametrize("n, N, T", [(301, 4, 10), (301, 3, 7), (21, 2, 4), (12, 11, 5)])
def test_loader_yields_exactly_the_chunks_of_stream_batches(n, N, T):
    ids = stream(n)
    expected = list(stream_batches(ids, N, T))
    got = list(stream_loader(ids, N, T))
    assert len(got) == len(expected) == len(StreamChunks(ids, N, T))
    for (x, y), (ex, ey) in zip(got, expected):
        assert x.dtype == y.dtype == torch.int64
        np.testing.assert_array_equal(x.numpy(), ex)
        np.testing.assert_array_equal(y.numpy(), ey)


def test_rows_continue_from_chunk_to_chunk():
    ids = np.arange(101)
    chunks = list(stream_loader(ids, 4, 5))
    for (x0, y0), (x1, _) in itertools.pairwise(chunks):
        np.testing.assert_array_equal(x1[:, 0].numpy(), y0[:, -1].numpy())  # row n resumes where it stopped
        np.testing.assert_array_equal(y0[:, :-1].numpy(), x0[:, 1:].numpy())  # targets: inputs shifted by one


def test_loader_rejects_a_stream_too_short_for_its_rows():
    with pytest.raises(ValueError, match="too few"):
        stream_loader(np.arange(5), 8, 3)


# ---------------------------------------------------------------- the hand-written loop


@pytest.mark.parametrize("with_state", [False, True])
def test_cell_loop_equals_nn_rnn(with_state):
    torch.manual_seed(0)
    tm = SequenceModel(4, 6, V, vocab_size=V).double()
    loop = RNNCellLM.from_sequence_model(tm)
    x = torch.as_tensor(stream(3 * 9).reshape(3, 9))
    h0 = torch.randn(1, 3, 6, dtype=torch.float64) if with_state else None
    y_ref, h_ref = tm(x, h0)
    y, h = loop(x, h0)
    assert y.shape == (3, 9, V) and h.shape == (1, 3, 6)
    torch.testing.assert_close(y, y_ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(h, h_ref, rtol=0, atol=1e-12)


def test_cell_loop_gradients_equal_nn_rnn():
    torch.manual_seed(1)
    tm = SequenceModel(4, 6, V, vocab_size=V).double()
    loop = RNNCellLM.from_sequence_model(tm)
    x = torch.as_tensor(stream(2 * 8).reshape(2, 8))
    for model in (tm, loop):
        model(x)[0].square().sum().backward()
    torch.testing.assert_close(loop.cell.weight_hh.grad, tm.rnn.weight_hh_l0.grad, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(loop.embedding.weight.grad, tm.embedding.weight.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("tm, match", [
    (SequenceModel(4, 6, V, vocab_size=V, cell="lstm"), "cell='rnn'"),
    (SequenceModel(4, 6, V), "vocab_size"),
    (SequenceModel(4, 6, V, vocab_size=V, num_layers=2), "one-layer"),
    (SequenceModel(4, 6, V, vocab_size=V, nonlinearity="relu"), "tanh"),
])
def test_cell_loop_copies_only_what_it_can_compute(tm, match):
    with pytest.raises(ValueError, match=match):
        RNNCellLM.from_sequence_model(tm)


def test_cell_loop_checks_its_sizes():
    with pytest.raises(ValueError, match="hidden_size"):
        RNNCellLM(V, 4, 0)


# ---------------------------------------------------------------- detaching the state


def test_detach_state_keeps_values_and_drops_history():
    h = torch.ones(1, 2, 3, requires_grad=True) * 2
    c = torch.zeros(1, 2, 3, requires_grad=True) + 1
    assert detach_state(None) is None
    assert not detach_state(h).requires_grad and torch.equal(detach_state(h), h)
    pair = detach_state((h, c))
    assert isinstance(pair, tuple) and not any(t.requires_grad for t in pair)
    assert torch.equal(pair[1], c)


def test_without_detaching_the_second_chunk_cannot_backpropagate():
    """What detach_state is for: the second backward would run into the first chunk's freed graph."""
    torch.manual_seed(0)
    tm = SequenceModel(4, 6, V, vocab_size=V)
    (x0, _), (x1, _) = list(stream_loader(stream(), 2, 5))[:2]
    out, state = tm(x0)
    out.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        tm(x1, state)[0].sum().backward()
    tm(x1, detach_state(state))[0].sum().backward()  # fine once cut


# ---------------------------------------------------------------- training


@pytest.mark.parametrize("carry_state", [True, False])
def test_fit_stream_losses_are_those_of_the_numpy_model_with_carried_state(carry_state):
    """With lr=0 nothing changes, so every chunk's loss can be recomputed in NumPy: the state goes on as told."""
    tm, model = float64_lm()
    ids = stream(200)
    losses = fit_stream(tm, ids, steps=13, batch_size=3, seq_len=8, lr=0.0, max_norm=None, carry_state=carry_state)
    expected, state = [], None
    chunks = list(stream_batches(ids, 3, 8))
    for x, y in (chunks + chunks)[:13]:
        if len(expected) == len(chunks):
            state = None  # a new pass starts from zeros
        loss, _, new_state = model.loss_and_grads(x, y, state0=state if carry_state else None)
        state = new_state
        expected.append(loss)
    assert len(chunks) < 13  # the run wrapped around the text once
    np.testing.assert_allclose(losses, expected, rtol=1e-12)


@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_fit_stream_learns_a_repeating_text(cell):
    ids = np.tile(np.arange(V), 60)  # 0 1 2 ... 6 0 1 2 ...: each id fixes the next
    torch.manual_seed(0)
    tm = SequenceModel(4, 16, V, vocab_size=V, cell=cell)
    calls = []
    losses = fit_stream(tm, ids, steps=60, batch_size=4, seq_len=10, lr=0.05,
                        callback=lambda step, loss: calls.append((step, loss)))
    assert len(losses) == 60 and all(isinstance(v, float) for v in losses)
    assert [s for s, _ in calls] == list(range(1, 61)) and calls[-1][1] == pytest.approx(losses[-1])
    assert losses[-1] < 0.1 * losses[0]
    assert bits_per_character(tm, ids[:200]) < 0.2


def test_fit_stream_trains_the_cell_loop_like_nn_rnn():
    torch.manual_seed(0)
    tm = SequenceModel(4, 8, V, vocab_size=V).double()
    loop = RNNCellLM.from_sequence_model(tm)
    ids = stream(400)
    kwargs = {"steps": 12, "batch_size": 4, "seq_len": 9, "lr": 0.01}
    np.testing.assert_allclose(fit_stream(loop, ids, **kwargs), fit_stream(tm, ids, **kwargs), rtol=1e-9)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"steps": 0}, ValueError, "steps"),
    ({"steps": 1.5}, TypeError, "steps"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"ids": np.array([0, 1, V])}, ValueError, "ids"),
    ({"ids": np.zeros((4, 4), dtype=int)}, ValueError, "1-d"),
])
def test_fit_stream_bad_input(kwargs, error, match):
    tm = SequenceModel(4, 6, V, vocab_size=V)
    args = {"ids": stream(), "steps": 2, "batch_size": 2, "seq_len": 5, **kwargs}
    with pytest.raises(error, match=match):
        fit_stream(tm, args.pop("ids"), **args)


@pytest.mark.parametrize("model, error", [
    (Forecaster(1, 4, 1), ValueError),
    (SequenceModel(4, 6, V, vocab_size=V, head="last"), ValueError),
    (SequenceModel(4, 6, V, vocab_size=V, bidirectional=True), ValueError),
    (RNNModel(4, 6, V, vocab_size=V), TypeError),
])
def test_only_character_models_are_trained(model, error):
    with pytest.raises(error):
        fit_stream(model, stream(), steps=1, batch_size=2, seq_len=5)
    with pytest.raises(error):
        bits_per_character(model, stream())


def test_progress_bar_is_none_without_tqdm(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    assert progress_bar(10, "x") is None


# ---------------------------------------------------------------- evaluation


@pytest.mark.parametrize("cell", TORCH_CELLS)
@pytest.mark.parametrize("batch_size, seq_len", [(1, 100), (3, 7)])
def test_bits_per_character_equals_numpy_evaluate_stream(cell, batch_size, seq_len):
    tm, model = float64_lm(cell, seed=3)
    ids = stream(250, seed=1)
    numpy_bits = evaluate_stream(model, ids, batch_size=batch_size, seq_len=seq_len) / math.log(2)
    assert bits_per_character(tm, ids, batch_size=batch_size, seq_len=seq_len) == pytest.approx(numpy_bits, rel=1e-12)


def test_bits_per_character_of_a_uniform_model_is_log2_v():
    tm = SequenceModel(4, 6, V, vocab_size=V)
    with torch.no_grad():
        tm.head.weight.zero_()
        tm.head.bias.zero_()
    assert bits_per_character(tm, stream()) == pytest.approx(math.log2(V), rel=1e-6)


def test_evaluation_leaves_the_training_mode_as_it_was():
    tm = SequenceModel(4, 6, V, vocab_size=V)
    tm.eval()
    bits_per_character(tm, stream())
    sample(tm, [1], 3, rng=0)
    assert not tm.training
    tm.train()
    bits_per_character(tm, stream())
    assert tm.training


# ---------------------------------------------------------------- sampling


@pytest.mark.parametrize("temperature", [1.0, 0.5, 1e-9])
def test_sample_draws_what_the_numpy_sampler_draws(temperature):
    tm, model = float64_lm(seed=2)
    prime = [1, 2, 3, 1]
    got = sample(tm, prime, 40, temperature=temperature, rng=7)
    np.testing.assert_array_equal(got, numpy_sample(model, prime, 40, temperature=temperature, rng=7))


def test_sample_repeats_with_a_seed():
    tm, _ = float64_lm(seed=4)
    a = sample(tm, [0, 1, 2, 3], 30, rng=5)
    assert a.shape == (30,) and a.dtype == np.int64 and a.min() >= 0 and a.max() < V
    np.testing.assert_array_equal(a, sample(tm, [0, 1, 2, 3], 30, rng=5))
    assert len(sample(tm, [1], 0)) == 0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"prime": []}, ValueError, "prime"),
    ({"prime": [V]}, ValueError, "prime"),
    ({"n": -1}, ValueError, "n must"),
    ({"n": 2.0}, ValueError, "n must"),
    ({"temperature": 0}, ValueError, "temperature"),
])
def test_sample_bad_input(kwargs, error, match):
    tm, _ = float64_lm()
    args = {"prime": [1, 2], "n": 3, **kwargs}
    with pytest.raises(error, match=match):
        sample(tm, args.pop("prime"), args.pop("n"), **args)


# ---------------------------------------------------------------- the grid picture (rnn_kit.plotting)


def test_plot_heatmap_writes_each_value_and_clips_above_vmax():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_kit.plotting import plot_heatmap

    values = np.array([[2.5, 3.0, 40.0], [2.4, 2.9, 3.3]])
    ax = plot_heatmap(values, ["32", "64"], ["1e-3", "1e-2", "1e-1"], xlabel="learning rate",
                      ylabel="hidden units", colorbar_label="bits per character", vmax=6.0)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["2.50", "3.00", "> 6.00", "2.40", "2.90", "3.30"]
    assert ax.get_xlabel() == "learning rate" and ax.get_ylabel() == "hidden units"
    with pytest.raises(ValueError, match="shape"):
        plot_heatmap(values, ["32"], ["a", "b", "c"], xlabel="x", ylabel="y", colorbar_label="z")
    plt.close("all")
