"""torch/classify.py and the many-to-one path: loaders of names of different lengths, evaluation by hand
count, the best checkpoint restored, safe checkpoints; the NumPy model equal to PyTorch's packed sequences."""

import pickle

import numpy as np
import pytest

from rnn_kit import RNNModel, rel_error
from rnn_kit.cells import CELLS

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from rnn_kit.torch.classify import (  # noqa: E402
    drop_characters,
    evaluate_classifier,
    fit_classifier,
    load_checkpoint,
    make_sequence_loader,
    predict_proba,
    save_checkpoint,
)
from rnn_kit.torch.models import SequenceModel, to_torch, torch_grads  # noqa: E402

TOL = 1e-10
CELL_NAMES = [pytest.param(c, marks=pytest.mark.skipif(c not in CELLS, reason=f"cell {c!r} not registered yet"))
              for c in ("rnn", "lstm", "gru")]


# ---------------------------------------------------------------- NumPy many-to-one == PyTorch packed


def _padded_batch(rng, V, T, lengths):
    ids = rng.integers(2, V, (len(lengths), T))
    for n, length in enumerate(lengths):
        ids[n, length:] = 0  # <pad>
    return ids


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("lengths", [[6, 1, 3, 6, 2], [1], [6]])
def test_numpy_many_to_one_equals_pytorch_with_pack_padded_sequence(rng, cell, lengths):
    V, D, H, C, T = 9, 4, 5, 3, 6
    model = RNNModel(D, H, C, vocab_size=V, cell=cell, head="last", rng=0)
    for p in model.params.values():
        p += 0.3 * rng.standard_normal(p.shape)
    lengths = np.array(lengths)
    ids, y = _padded_batch(rng, V, T, lengths), rng.integers(0, C, len(lengths))
    logits, _ = model.forward(ids, lengths=lengths)
    loss, grads, _ = model.loss_and_grads(ids, y, lengths=lengths)

    tm = to_torch(model)  # float64 SequenceModel(head="last")
    t_logits, _ = tm(torch.as_tensor(ids), lengths=torch.as_tensor(lengths))
    t_loss = nn.functional.cross_entropy(t_logits, torch.as_tensor(y))
    t_loss.backward()
    assert rel_error(logits, t_logits.detach().numpy()) <= TOL
    assert abs(loss - t_loss.item()) <= TOL * abs(loss)
    t_grads = torch_grads(tm)
    assert set(t_grads) == set(grads)
    for k in grads:
        assert rel_error(grads[k], t_grads[k]) <= TOL, k


# ---------------------------------------------------------------- bidirectional SequenceModel


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bidirectional_last_state_reads_the_whole_sequence_both_ways(cell):
    torch.manual_seed(0)
    tm = SequenceModel(3, 4, 2, cell=cell, vocab_size=7, head="last", bidirectional=True, num_layers=2).double()
    assert tm.head.in_features == 8
    ids = torch.tensor([[1, 2, 3, 4], [5, 6, 0, 0], [3, 0, 0, 0]])
    lengths = torch.tensor([4, 2, 1])
    y, _ = tm(ids, lengths=lengths)
    for n in range(3):  # each row alone, without padding, gives the same logits
        alone, _ = tm(ids[n : n + 1, : lengths[n]])
        torch.testing.assert_close(alone[0], y[n], rtol=0, atol=1e-12)
        forward_out, _ = tm.rnn(tm.embedding(ids[n : n + 1, : lengths[n]]))  # (1, T, 2H)
        features = torch.cat([forward_out[0, -1, :4], forward_out[0, 0, 4:]])  # forward at the end, backward at 0
        torch.testing.assert_close(tm.head(features), y[n], rtol=0, atol=1e-12)


def test_bidirectional_option_keeps_the_old_behaviour_and_checks_its_type():
    torch.manual_seed(0)
    plain = SequenceModel(3, 4, 2, vocab_size=7, head="last")
    torch.manual_seed(0)
    explicit = SequenceModel(3, 4, 2, vocab_size=7, head="last", bidirectional=False)
    assert plain.state_dict().keys() == explicit.state_dict().keys() and plain.head.in_features == 4
    ids = torch.tensor([[1, 2, 3]])
    torch.testing.assert_close(plain(ids)[0], explicit(ids)[0])
    every = SequenceModel(3, 4, 2, vocab_size=7, bidirectional=True)
    assert tuple(every(ids)[0].shape) == (1, 3, 2)
    with pytest.raises(TypeError, match="bidirectional must be True or False, got int"):
        SequenceModel(3, 4, 2, bidirectional=1)


# ---------------------------------------------------------------- loaders


def test_loader_pads_each_batch_to_its_longest_and_keeps_lengths():
    sequences = [np.array([3, 4, 5]), np.array([6]), np.array([7, 8]), np.array([9, 9, 9, 9])]
    loader = make_sequence_loader(sequences, [0, 1, 2, 1], batch_size=2, pad_id=0)
    batches = list(loader)
    ids, lengths, labels = batches[0]
    assert ids.tolist() == [[3, 4, 5], [6, 0, 0]] and lengths.tolist() == [3, 1] and labels.tolist() == [0, 1]
    ids, lengths, labels = batches[1]
    assert ids.tolist() == [[7, 8, 0, 0], [9, 9, 9, 9]] and lengths.tolist() == [2, 4] and labels.tolist() == [2, 1]
    assert ids.dtype == lengths.dtype == labels.dtype == torch.int64


def test_shuffled_loader_is_repeatable_and_covers_every_example():
    sequences = [np.arange(1, 2 + i % 5) for i in range(30)]
    order = [lab.tolist() for _, _, lab in make_sequence_loader(sequences, np.arange(30), batch_size=8,
                                                                shuffle=True, seed=3)]
    again = [lab.tolist() for _, _, lab in make_sequence_loader(sequences, np.arange(30), batch_size=8,
                                                                shuffle=True, seed=3)]
    seen = [label for batch in order for label in batch]
    assert order == again and sorted(seen) == list(range(30)) and seen != list(range(30))


# ---------------------------------------------------------------- evaluation by hand count


class _FixedLogits(nn.Module):
    """Logits that depend only on the first id: a model whose every answer we know."""

    def __init__(self, table):
        super().__init__()
        self.table = nn.Parameter(torch.as_tensor(table, dtype=torch.float64))

    def forward(self, ids, lengths=None):
        return self.table[ids[:, 0]]


def test_evaluation_is_a_hand_count_over_the_whole_split():
    # id 1 -> class 0 with p = e^2/(e^2+1); id 2 -> class 1 with the same confidence
    table = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]]
    model = _FixedLogits(table)
    sequences = [[1], [1, 5], [2], [2, 2, 2], [1], [2]]
    labels = [0, 0, 1, 0, 1, 1]  # wrong on examples 3 and 4: 4 of 6 correct
    p_right = np.exp(2) / (np.exp(2) + 1)
    for batch_size in [1, 4, 6]:  # the short last batch must not weigh more than its examples
        result = evaluate_classifier(model, make_sequence_loader(sequences, labels, batch_size=batch_size))
        assert result["correct"] == 4 and result["n"] == 6 and result["accuracy"] == 4 / 6
        assert result["loss"] == pytest.approx((4 * -np.log(p_right) + 2 * -np.log(1 - p_right)) / 6, rel=1e-12)
        assert result["wrong_confidence"] == pytest.approx(p_right, rel=1e-12)
    proba = predict_proba(model, make_sequence_loader(sequences, labels, batch_size=4, shuffle=True))
    np.testing.assert_allclose(proba[:, 0], [p_right, p_right, 1 - p_right, 1 - p_right, p_right, 1 - p_right])
    perfect = evaluate_classifier(_FixedLogits(table), make_sequence_loader([[1], [2]], [0, 1]))
    assert perfect["accuracy"] == 1.0 and np.isnan(perfect["wrong_confidence"])


# ---------------------------------------------------------------- training and the best checkpoint


def _toy_task(rng, n, noise=0.0):
    """Class 1 when the sequence contains id 3, else class 0 (a ``noise`` fraction flipped); lengths 1..8."""
    sequences = [rng.integers(1, 6, rng.integers(1, 9)) for _ in range(n)]
    labels = np.array([int(3 in s) for s in sequences])
    flip = rng.random(n) < noise
    labels[flip] = 1 - labels[flip]
    return sequences, labels


def test_fit_restores_the_best_epoch_and_its_validation_loss_is_recomputed(rng):
    train_seq, train_y = _toy_task(rng, 120, noise=0.3)  # noisy labels: memorising them overfits
    val_seq, val_y = _toy_task(rng, 40, noise=0.3)
    train = make_sequence_loader(train_seq, train_y, batch_size=16, shuffle=True)
    val = make_sequence_loader(val_seq, val_y, batch_size=16)
    torch.manual_seed(0)
    model = SequenceModel(4, 32, 2, cell="gru", vocab_size=6, head="last")
    history = fit_classifier(model, train, val, epochs=12, lr=0.02)
    best = int(np.argmin(history["val_loss"])) + 1
    assert history["best_epoch"] == best and history["best_val_loss"] == min(history["val_loss"])
    assert history["best_epoch"] < len(history["val_loss"])  # the last epoch was not the best one
    restored = evaluate_classifier(model, val)
    assert restored["loss"] == pytest.approx(history["best_val_loss"], rel=1e-12)
    assert restored["accuracy"] == history["val_accuracy"][best - 1]
    for key in ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_wrong_confidence"]:
        assert len(history[key]) == 12
    assert all(0 <= a <= 1 for a in history["train_accuracy"] + history["val_accuracy"])


def test_fit_learns(rng):
    train_seq, train_y = _toy_task(rng, 200)
    val_seq, val_y = _toy_task(rng, 60)
    torch.manual_seed(0)
    model = SequenceModel(4, 16, 2, cell="gru", vocab_size=6, head="last")
    history = fit_classifier(model, make_sequence_loader(train_seq, train_y, batch_size=16, shuffle=True),
                             make_sequence_loader(val_seq, val_y), epochs=6, lr=0.01)
    assert history["val_accuracy"][-1] > 0.95 and history["val_loss"][-1] < history["val_loss"][0]


def test_fit_stops_early_when_validation_stops_improving(rng):
    train_seq, train_y = _toy_task(rng, 100, noise=0.5)  # nothing to learn: the validation loss soon rises
    val_seq, val_y = _toy_task(rng, 40, noise=0.5)
    torch.manual_seed(0)
    model = SequenceModel(4, 32, 2, cell="gru", vocab_size=6, head="last")
    history = fit_classifier(model, make_sequence_loader(train_seq, train_y, batch_size=16, shuffle=True),
                             make_sequence_loader(val_seq, val_y), epochs=40, lr=0.02, patience=3)
    assert len(history["val_loss"]) == history["best_epoch"] + 3 < 40


def test_train_metrics_are_measured_on_the_whole_split_in_eval_mode(rng):
    seq, y = _toy_task(rng, 50)
    torch.manual_seed(0)
    model = SequenceModel(4, 8, 2, vocab_size=6, head="last", num_layers=2, dropout=0.5)
    train = make_sequence_loader(seq, y, batch_size=7, shuffle=True)
    history = fit_classifier(model, train, make_sequence_loader(seq, y), epochs=1)
    again = evaluate_classifier(model, make_sequence_loader(seq, y, batch_size=50))
    # dropout off and every example once: the same number, up to float32 rounding of other batch sizes
    assert history["train_loss"][0] == pytest.approx(again["loss"], rel=1e-6)
    assert history["train_loss"][0] == pytest.approx(history["val_loss"][0], rel=1e-6)


# ---------------------------------------------------------------- character dropout and label smoothing


class _Spy(nn.Module):
    """Wraps a model and records the ids of every call, with the mode (training or evaluation) it ran in."""

    def __init__(self, model):
        super().__init__()
        self.model, self.calls = model, []

    def forward(self, ids, lengths):
        self.calls.append((self.training, ids.clone(), lengths.clone()))
        return self.model(ids, lengths=lengths)


def _one_epoch_by_hand(model, loader, lr, label_smoothing=0.0):
    """The training loop fit_classifier ran before char_dropout and label_smoothing existed (one epoch)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    for ids, lengths, labels in loader:
        optimizer.zero_grad()
        logits, _ = model(ids, lengths=lengths)
        nn.functional.cross_entropy(logits, labels, label_smoothing=label_smoothing).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()


def _dropout_model(seed=0):
    torch.manual_seed(seed)  # two layers with dropout between them: training draws from the global generator
    return SequenceModel(4, 8, 2, vocab_size=6, head="last", num_layers=2, dropout=0.5)


def _same_weights(a, b):
    return all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())


def test_char_dropout_replaces_only_real_characters_at_the_asked_rate_and_only_in_training(rng):
    sequences = [np.full(rng.integers(1, 13), 3) for _ in range(400)]  # every real id is 3; <pad> 0; <unk> 1
    labels = rng.integers(0, 2, 400)
    torch.manual_seed(0)
    spy = _Spy(SequenceModel(4, 8, 2, vocab_size=6, head="last"))
    fit_classifier(spy, make_sequence_loader(sequences, labels, batch_size=32, shuffle=True),
                   make_sequence_loader(sequences, labels, batch_size=50), epochs=2, char_dropout=0.3, unk_id=1)
    dropped = real = 0
    for training, ids, lengths in spy.calls:
        is_real = torch.arange(ids.shape[1]) < lengths[:, None]
        assert torch.all(ids[~is_real] == 0)  # padding is never replaced
        assert set(ids[is_real].tolist()) <= ({1, 3} if training else {3})  # evaluation sees the names as they are
        if training:
            dropped += int((ids[is_real] == 1).sum())
            real += int(is_real.sum())
    assert sum(training for training, _, _ in spy.calls) == 2 * 13  # 13 batches an epoch, all seen in training
    assert real == 2 * sum(len(s) for s in sequences)
    assert abs(dropped / real - 0.3) < 0.03  # about 5,000 characters: the rate within a few standard deviations


def test_char_dropout_draws_a_new_mask_every_epoch_and_repeats_with_the_seed(rng):
    sequences, labels = [np.full(8, 3) for _ in range(16)], rng.integers(0, 2, 16)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        spy = _Spy(SequenceModel(4, 8, 2, vocab_size=6, head="last"))
        fit_classifier(spy, make_sequence_loader(sequences, labels, batch_size=16), make_sequence_loader(sequences, labels),
                       epochs=2, char_dropout=0.5, unk_id=1)
        runs.append([ids for training, ids, _ in spy.calls if training])
    assert not torch.equal(runs[0][0], runs[0][1])  # epoch 2 drops other characters than epoch 1
    assert all(torch.equal(a, b) for a, b in zip(*runs))  # the same seed, the same masks


def test_without_the_new_options_training_is_bit_identical_to_the_plain_loop(rng):
    seq, y = _toy_task(rng, 60)
    by_hand, fitted = _dropout_model(), _dropout_model()
    torch.manual_seed(1)
    _one_epoch_by_hand(by_hand, make_sequence_loader(seq, y, batch_size=8, shuffle=True), lr=0.01)
    torch.manual_seed(1)
    fit_classifier(fitted, make_sequence_loader(seq, y, batch_size=8, shuffle=True), make_sequence_loader(seq, y),
                   epochs=1, lr=0.01, char_dropout=0.0, unk_id=1, label_smoothing=0.0)
    assert _same_weights(fitted, by_hand)  # p=0 draws nothing extra: the model's dropout masks are unchanged


def test_label_smoothing_changes_the_training_loss_but_not_the_reported_losses(rng):
    seq, y = _toy_task(rng, 60)
    val = make_sequence_loader(seq[:30], y[:30])
    smoothed, by_hand, plain = _dropout_model(), _dropout_model(), _dropout_model()
    for model, smoothing in [(by_hand, 0.2), (plain, 0.0)]:
        torch.manual_seed(1)
        _one_epoch_by_hand(model, make_sequence_loader(seq, y, batch_size=8, shuffle=True), lr=0.01,
                           label_smoothing=smoothing)
    torch.manual_seed(1)
    history = fit_classifier(smoothed, make_sequence_loader(seq, y, batch_size=8, shuffle=True), val, epochs=1,
                             lr=0.01, label_smoothing=0.2)
    assert _same_weights(smoothed, by_hand) and not _same_weights(smoothed, plain)  # trained on the smoothed loss
    smoothed.eval()
    with torch.no_grad():
        logits = torch.cat([smoothed(ids, lengths=lengths)[0] for ids, lengths, _ in val]).double()
    labels = torch.as_tensor(y[:30])
    plain_ce = nn.functional.cross_entropy(logits, labels).item()
    assert history["val_loss"][0] == pytest.approx(plain_ce, rel=1e-12)  # reported: plain cross-entropy
    assert abs(nn.functional.cross_entropy(logits, labels, label_smoothing=0.2).item() - plain_ce) > 1e-3


# ---------------------------------------------------------------- checkpoints


def test_checkpoint_round_trip_with_metadata(tmp_path):
    torch.manual_seed(0)
    model = SequenceModel(3, 5, 4, cell="lstm", vocab_size=8, head="last", bidirectional=True)
    path = tmp_path / "best.pt"
    save_checkpoint(model, path, classes=["a", "b"], best_epoch=3, val_loss=0.5)
    torch.manual_seed(1)
    fresh = SequenceModel(3, 5, 4, cell="lstm", vocab_size=8, head="last", bidirectional=True)
    meta = load_checkpoint(fresh, path)
    assert meta == {"classes": ["a", "b"], "best_epoch": 3, "val_loss": 0.5}
    for k, v in model.state_dict().items():
        assert torch.equal(v, fresh.state_dict()[k])


class _Payload:
    """Not a tensor: a pickle of it may run code when loaded."""


def test_load_refuses_pickled_objects_and_foreign_files(tmp_path):
    model = SequenceModel(3, 5, 4, vocab_size=8, head="last")
    unsafe = tmp_path / "unsafe.pt"
    torch.save({"format": "rnn_kit.checkpoint", "state_dict": model.state_dict(), "metadata": {"x": _Payload()}},
               unsafe)
    with pytest.raises(ValueError, match="refusing to unpickle"):
        load_checkpoint(model, unsafe)
    foreign = tmp_path / "foreign.pt"
    torch.save(model.state_dict(), foreign)
    with pytest.raises(ValueError, match="is not a checkpoint written by save_checkpoint"):
        load_checkpoint(model, foreign)
    path = tmp_path / "ok.pt"
    save_checkpoint(model, path)
    with pytest.raises(ValueError, match="the checkpoint's weights do not fit model"):
        load_checkpoint(SequenceModel(3, 6, 4, vocab_size=8, head="last"), path)
    assert pickle  # the refusal is pickle's UnpicklingError, turned into a ValueError


# ---------------------------------------------------------------- bad input


def _model():
    return SequenceModel(3, 4, 2, vocab_size=6, head="last")


def _loader():
    return make_sequence_loader([[1, 2], [3]], [0, 1])


def test_drop_characters_keeps_padding_and_repeats_with_a_generator():
    ids = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]])
    lengths = torch.tensor([3, 5])
    first = drop_characters(ids, lengths, 0.5, 1, generator=torch.Generator().manual_seed(3))
    again = drop_characters(ids, lengths, 0.5, 1, generator=torch.Generator().manual_seed(3))
    assert torch.equal(first, again)
    assert torch.equal(first[0, 3:], ids[0, 3:])  # padding untouched
    assert torch.all((first == ids) | (first == 1))
    assert torch.equal(drop_characters(ids, lengths, 0.0, 1), ids)


@pytest.mark.parametrize("call, error, message", [
    (lambda: drop_characters(torch.zeros(2, 3, dtype=torch.long), torch.tensor([3, 3]), 1.0, 1), ValueError, "p must"),
    (lambda: drop_characters(torch.zeros(2, 3, dtype=torch.long), torch.tensor([3, 3]), 0.3, -1), ValueError,
     "unk_id must be >= 0"),
    (lambda: drop_characters(torch.zeros(3, dtype=torch.long), torch.tensor([3]), 0.3, 1), ValueError,
     r"ids must be a 2-d tensor \(B, T\)"),
    (lambda: drop_characters(torch.zeros(2, 3, dtype=torch.long), torch.tensor([3]), 0.3, 1), ValueError,
     r"lengths must be a tensor of shape \(2,\)"),
    (lambda: make_sequence_loader([], []), ValueError, "sequences must hold at least one sequence"),
    (lambda: make_sequence_loader([[1, 2], []], [0, 1]), ValueError, r"sequences\[1\] is empty"),
    (lambda: make_sequence_loader([[1, -2]], [0]), ValueError, r"sequences\[0\] must lie in \[0, "),
    (lambda: make_sequence_loader([[1.5]], [0]), TypeError, r"sequences\[0\] must hold integer ids"),
    (lambda: make_sequence_loader([[[1, 2]]], [0]), ValueError, r"sequences\[0\] must be 1-d"),
    (lambda: make_sequence_loader("abc", [0]), TypeError, "sequences must be a list of 1-d integer id arrays"),
    (lambda: make_sequence_loader([[1], [2]], [0]), ValueError, r"labels must hold one class id per sequence \(2\)"),
    (lambda: make_sequence_loader([[1]], [-1]), ValueError, r"labels must lie in \[0, "),
    (lambda: make_sequence_loader([[1]], [np.nan]), TypeError, "labels must hold integer ids"),
    (lambda: make_sequence_loader([[1]], [0], batch_size=0), ValueError, "batch_size must be > 0"),
    (lambda: make_sequence_loader([[1]], [0], pad_id=-1), ValueError, "pad_id must be an integer id >= 0"),
    (lambda: evaluate_classifier(_model(), [1, 2]), TypeError, "loader must be a DataLoader"),
    (lambda: predict_proba(_model(), None), TypeError, "loader must be a DataLoader"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=0), ValueError, "epochs must be > 0"),
    (lambda: fit_classifier(_model(), _loader(), "val", epochs=1), TypeError, "val_loader must be a DataLoader"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, lr=-1.0), ValueError, "lr must be > 0"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, weight_decay=-0.1), ValueError,
     "weight_decay must be a number >= 0"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, patience=0), ValueError,
     "patience must be > 0"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=1.0, unk_id=1), ValueError,
     r"char_dropout must be in \[0.0, 1.0\), got 1.0"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=-0.1, unk_id=1), ValueError,
     r"char_dropout must be in \[0.0, 1.0\), got -0.1"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout="0.3", unk_id=1), TypeError,
     "char_dropout must be a real number, got str"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=0.3), ValueError,
     r"char_dropout > 0 needs unk_id, the id of the unknown token"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=0.3, unk_id=-1), ValueError,
     "unk_id must be >= 0, got -1"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=0.3, unk_id=1.0), TypeError,
     "unk_id must be an integer, got float"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, char_dropout=0.3, unk_id=10**6), ValueError,
     r"unk_id must be an id of the model's vocabulary, in \[0, \d+\), got 1000000"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, label_smoothing=1.0), ValueError,
     r"label_smoothing must be in \[0.0, 1.0\), got 1.0"),
    (lambda: fit_classifier(_model(), _loader(), _loader(), epochs=1, label_smoothing=True), TypeError,
     "label_smoothing must be a real number, got bool"),
    (lambda: save_checkpoint(_model(), 3), TypeError, "path must be a str or os.PathLike"),
    (lambda: save_checkpoint("model", "x.pt"), TypeError, "model must be a torch.nn.Module"),
    (lambda: save_checkpoint(_model(), "x.pt", vocab=np.zeros(3)), TypeError, "metadata 'vocab' must hold only"),
    (lambda: load_checkpoint(_model(), None), TypeError, "path must be a str or os.PathLike"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bucketed_batches_hold_similar_lengths_and_every_example_once():
    sequences = [np.ones(1 + i % 10, dtype=np.int64) for i in range(200)]
    loader = make_sequence_loader(sequences, np.arange(200), batch_size=20, shuffle=True, bucket=True, seed=1)
    batches = list(loader)
    seen = sorted(label for _, _, labels in batches for label in labels.tolist())
    assert seen == list(range(200)) and len(batches) == len(loader) == 10
    assert all(int(lengths.max() - lengths.min()) <= 1 for _, lengths, _ in batches)  # 20 of each length
    again = [labels.tolist() for _, _, labels in make_sequence_loader(sequences, np.arange(200), batch_size=20,
                                                                       shuffle=True, bucket=True, seed=1)]
    assert again == [labels.tolist() for _, _, labels in batches]
    second_epoch = [labels.tolist() for _, _, labels in loader]
    assert second_epoch != again  # a new draw every epoch
    with pytest.raises(ValueError, match="bucket=True needs shuffle=True"):
        make_sequence_loader(sequences, np.arange(200), bucket=True)
