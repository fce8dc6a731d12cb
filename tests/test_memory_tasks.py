"""data/memory_tasks.py: shapes, the answer really lies `delay` steps back, seeding, chance level, bad input."""

import numpy as np
import pytest

from rnn_kit.data import memory_tasks
from rnn_kit.data.memory_tasks import (
    MEMORY_CAPACITY_COLUMNS,
    MemoryTask,
    current_input_baseline,
    delayed_recall,
    delayed_recall_stream,
    delayed_xor,
    load_memory_capacity,
    recall_vocab_size,
)

# ---------------------------------------------------------------- delayed recall


@pytest.mark.parametrize("delay", [1, 2, 7, 50])
@pytest.mark.parametrize("n_keys,n_noise", [(2, 1), (8, 8), (5, 3)])
def test_recall_shapes_and_id_ranges(delay, n_keys, n_noise):
    task = delayed_recall(40, delay, n_keys=n_keys, n_noise=n_noise, rng=0)
    assert isinstance(task, MemoryTask)
    assert task.inputs.shape == (40, delay + 1) and task.targets.shape == (40,)
    assert task.vocab_size == recall_vocab_size(n_keys, n_noise) == n_keys + n_noise + 1
    assert task.n_classes == n_keys
    assert np.all((task.targets >= 0) & (task.targets < n_keys))
    middle = task.inputs[:, 1:-1]
    assert np.all((middle >= n_keys) & (middle < n_keys + n_noise))  # only noise between key and query
    assert np.all(task.inputs[:, -1] == n_keys + n_noise)  # the query, the same in every sequence


@pytest.mark.parametrize("delay", [1, 3, 20])
def test_recall_target_is_the_input_delay_steps_before_the_query(delay):
    task = delayed_recall(100, delay, rng=1)
    last = task.inputs.shape[1] - 1
    assert np.array_equal(task.inputs[:, last - delay], task.targets)


def test_recall_noise_uses_every_noise_id():
    task = delayed_recall(200, 10, n_keys=4, n_noise=6, rng=2)
    assert set(np.unique(task.inputs[:, 1:-1])) == set(range(4, 10))


# ---------------------------------------------------------------- delayed XOR


@pytest.mark.parametrize("delay", [1, 4, 30])
def test_xor_target_is_first_bit_xor_the_bit_delay_steps_later(delay):
    task = delayed_xor(200, delay, rng=3)
    assert task.inputs.shape == (200, delay + 1) and set(np.unique(task.inputs)) <= {0, 1}
    assert np.array_equal(task.targets, task.inputs[:, 0] ^ task.inputs[:, delay])
    assert task.vocab_size == 2 and task.n_classes == 2


def test_xor_by_hand():
    task = delayed_xor(4, 1, rng=0)
    for (a, b), y in zip(task.inputs, task.targets):
        assert y == (1 if a != b else 0)


# ---------------------------------------------------------------- seeding and chance


@pytest.mark.parametrize("make", [delayed_recall, delayed_xor])
def test_same_seed_same_task_other_seed_other_task(make):
    a, b, c = make(50, 5, rng=7), make(50, 5, rng=7), make(50, 5, rng=8)
    assert np.array_equal(a.inputs, b.inputs) and np.array_equal(a.targets, b.targets)
    assert not np.array_equal(a.inputs, c.inputs)
    gen = np.random.default_rng(7)
    assert np.array_equal(make(50, 5, rng=gen).inputs, a.inputs)  # a Generator works like its seed


def test_keys_are_uniform_so_chance_is_one_over_n_keys():
    task = delayed_recall(40_000, 2, n_keys=8, rng=4)
    freq = np.bincount(task.targets, minlength=8) / 40_000
    assert np.all(np.abs(freq - 1 / 8) < 0.01)  # sd of each frequency is about 0.0017


@pytest.mark.parametrize("make,chance", [(delayed_recall, 1 / 8), (delayed_xor, 1 / 2)])
def test_a_memoryless_rule_scores_chance(make, chance):
    train, test = make(20_000, 3, rng=5), make(20_000, 3, rng=6)
    score = current_input_baseline(train.inputs, train.targets, test.inputs, test.targets)
    assert abs(score - chance) < 0.015


def test_current_input_baseline_by_hand():
    train_inputs = np.array([[5, 0], [6, 0], [8, 0], [7, 1], [5, 1], [6, 1]])
    train_targets = np.array([2, 2, 2, 1, 0, 0])  # last input 0 -> always 2; 1 -> mostly 0; overall: 2
    test_inputs = np.array([[0, 0], [0, 1], [0, 9]])  # 9 never seen: the overall majority (2)
    assert current_input_baseline(train_inputs, train_targets, test_inputs, np.array([2, 0, 2])) == 1.0
    assert current_input_baseline(train_inputs, train_targets, test_inputs, np.array([1, 1, 1])) == 0.0


def test_a_task_answered_by_the_last_input_is_solved_by_the_baseline():
    inputs = np.array([[0, 1], [1, 0], [0, 0], [1, 1]])
    assert current_input_baseline(inputs, inputs[:, -1], inputs, inputs[:, -1]) == 1.0


# ---------------------------------------------------------------- the stream version


@pytest.mark.parametrize("delay", [1, 5, 12])
def test_stream_answers_follow_each_query(delay):
    ids, queries = delayed_recall_stream(30, delay, n_keys=4, n_noise=3, rng=9)
    assert ids.shape == (30 * (delay + 2),) and queries.shape == (30,)
    assert np.all(ids[queries] == 4 + 3)  # the query id
    assert np.array_equal(ids[queries + 1], ids[queries - delay])  # the answer is the key read `delay` steps back
    assert np.all(ids[queries + 1] < 4)
    assert np.array_equal(np.flatnonzero(ids == 7), queries)  # the query id appears nowhere else


def test_stream_is_recall_sequences_with_their_answers():
    ids, _ = delayed_recall_stream(6, 4, rng=10)
    task = delayed_recall(6, 4, rng=10)
    assert np.array_equal(ids.reshape(6, 6), np.column_stack([task.inputs, task.targets]))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs,error,match", [
    ({"n_sequences": 0}, ValueError, "n_sequences must be > 0"),
    ({"n_sequences": 2.0}, TypeError, "n_sequences must be an integer"),
    ({"delay": 0}, ValueError, "delay must be > 0"),
    ({"delay": -3}, ValueError, "delay must be > 0"),
    ({"delay": 1.5}, TypeError, "delay must be an integer"),
    ({"delay": True}, TypeError, "delay must be an integer"),
    ({"n_keys": 1}, ValueError, "n_keys must be at least 2, got 1"),
    ({"n_noise": 0}, ValueError, "n_noise must be > 0"),
    ({"rng": "seed"}, TypeError, "rng must be a numpy Generator"),
])
def test_recall_bad_arguments(kwargs, error, match):
    args = {"n_sequences": 4, "delay": 3, **kwargs}
    with pytest.raises(error, match=match):
        delayed_recall(args.pop("n_sequences"), args.pop("delay"), **args)


@pytest.mark.parametrize("n,delay,error", [(0, 2, ValueError), (3, 0, ValueError), (3, "2", TypeError)])
def test_xor_bad_arguments(n, delay, error):
    with pytest.raises(error, match=r"n_sequences|delay"):
        delayed_xor(n, delay)


def test_stream_bad_arguments():
    with pytest.raises(ValueError, match="n_blocks must be > 0"):
        delayed_recall_stream(0, 3)
    with pytest.raises(ValueError, match="delay must be > 0"):
        delayed_recall_stream(3, 0)


def test_current_input_baseline_bad_arguments():
    good = np.array([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="train_targets must have one entry per train sequence"):
        current_input_baseline(good, np.array([0, 1, 1]), good, np.array([0, 1]))
    with pytest.raises(ValueError, match="test_targets must have one entry per test sequence"):
        current_input_baseline(good, np.array([0, 1]), good, np.array([0]))
    with pytest.raises(ValueError, match="train_inputs must be 2-d"):
        current_input_baseline(np.array([0, 1]), np.array([0, 1]), good, np.array([0, 1]))
    with pytest.raises(TypeError, match="test_inputs must hold integer ids"):
        current_input_baseline(good, np.array([0, 1]), good + 0.5, np.array([0, 1]))
    with pytest.raises(ValueError, match="at least one step"):
        current_input_baseline(np.zeros((2, 0), dtype=int), np.array([0, 1]), good, np.array([0, 1]))


# ---------------------------------------------------------------- the committed grid (benchmarks/memory_capacity.py)


def test_committed_grid_is_complete():
    grid = load_memory_capacity()
    assert set(grid) == set(MEMORY_CAPACITY_COLUMNS)
    keys = list(zip(grid["cell"], grid["init"], grid["hidden_size"].tolist(), grid["delay"].tolist(),
                    grid["seed"].tolist()))
    assert len(set(keys)) == len(keys)  # every run exactly once
    default = grid["init"] == "default"
    assert default.sum() == 3 * 3 * 8 * 5 and len(keys) == 360 + 3 * 8 * 5  # the grid, then 3 remedies at H=16
    assert set(grid["cell"]) == {"rnn", "lstm", "gru"} and set(grid["delay"]) == {1, 3, 5, 7, 10, 20, 50, 100}
    assert set(grid["init"]) == {"default", "identity", "x0.01", "forget-bias-3"}
    assert set(grid["nonlinearity"][grid["init"] == "identity"]) == {"relu"}
    assert np.all((grid["accuracy"] >= 0) & (grid["accuracy"] <= 1))
    assert np.all(grid["n_test"] * grid["accuracy"] == np.round(grid["n_test"] * grid["accuracy"]))  # k / n_test


def test_a_committed_run_replays():
    """The same function with the same seed gives the committed number (the notebook recomputes more)."""
    from rnn_kit.diagnostics import train_on_memory_task

    grid = load_memory_capacity()
    row = np.flatnonzero((grid["cell"] == "gru") & (grid["init"] == "default") & (grid["hidden_size"] == 4)
                         & (grid["delay"] == 7) & (grid["seed"] == 0))[0]
    run = train_on_memory_task("gru", 4, 7, seed=0, steps=int(grid["steps"][row]),
                               batch_size=int(grid["batch_size"][row]), lr=float(grid["lr"][row]),
                               max_norm=float(grid["max_norm"][row]), n_test=int(grid["n_test"][row]))
    assert run.accuracy == grid["accuracy"][row] == 1.0  # a run that succeeds replays exactly


def test_a_grid_file_with_other_columns_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "memory_capacity.csv"
    bad.write_text("cell,accuracy\nrnn,0.5\n", encoding="utf-8")
    monkeypatch.setattr(memory_tasks, "data_path", lambda name: bad)
    with pytest.raises(ValueError, match="must have the columns"):
        load_memory_capacity()
