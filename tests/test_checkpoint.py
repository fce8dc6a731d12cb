"""checkpoint.py: save -> load round-trips, and clear errors for files that do not match."""

import numpy as np
import pytest

from rnn_kit import RNNModel, load_model, save_model


@pytest.mark.parametrize("kwargs", [{}, {"vocab_size": 5}, {"loss": "mse", "dtype": np.float32}])
def test_round_trip_gives_identical_predictions(tmp_path, rng, kwargs):
    model = RNNModel(5, 6, 5, nonlinearity="relu", rng=3, **kwargs)
    path = save_model(model, tmp_path / "m")
    assert path.name == "m.npz"
    loaded = load_model(path)
    assert loaded.config == model.config
    x = rng.integers(0, 5, (2, 4)) if "vocab_size" in kwargs else rng.standard_normal((2, 4, 5))
    np.testing.assert_array_equal(loaded.forward(x)[0], model.forward(x)[0])


def test_extra_arrays_round_trip(tmp_path):
    model = RNNModel(3, 4, 3, vocab_size=3, rng=0)
    save_model(model, tmp_path / "m.npz", vocab=np.array(list("abc")))
    _, extra = load_model(tmp_path / "m.npz", return_extra=True)
    assert extra["vocab"].tolist() == ["a", "b", "c"]


def _tamper(tmp_path, change):
    model = RNNModel(3, 4, 3, rng=0)
    path = save_model(model, tmp_path / "m.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    np.savez(path, **arrays)
    return path


def test_wrong_shape_is_rejected(tmp_path):
    path = _tamper(tmp_path, lambda a: a.update(W_hh=np.zeros((3, 3))))
    with pytest.raises(ValueError, match=r"W_hh must have shape \(4, 4\) and dtype float64, got shape \(3, 3\)"):
        load_model(path)


def test_missing_key_is_rejected(tmp_path):
    path = _tamper(tmp_path, lambda a: a.pop("b_y"))
    with pytest.raises(ValueError, match=r"missing \['b_y'\], unexpected \[\]"):
        load_model(path)


def test_wrong_dtype_and_non_finite_are_rejected(tmp_path):
    path = _tamper(tmp_path, lambda a: a.update(b_h=a["b_h"].astype(np.float32)))
    with pytest.raises(ValueError, match=r"b_h must have shape \(4,\) and dtype float64, got shape \(4,\) and dtype float32"):
        load_model(path)
    path = _tamper(tmp_path, lambda a: a["b_h"].__setitem__(0, np.nan))
    with pytest.raises(ValueError, match=r"b_h holds NaN or inf"):
        load_model(path)


def test_not_a_model_file(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"is not a readable rnn_kit \.npz file"):
        load_model(tmp_path / "junk.npz")
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="was not written by save_model"):
        load_model(tmp_path / "plain.npz")
    with pytest.raises(TypeError, match="model must be an RNNModel, got dict"):
        save_model({}, tmp_path / "x.npz")


def test_failed_save_leaves_no_file(tmp_path):
    model = RNNModel(3, 4, 3, rng=0)
    with pytest.raises(TypeError, match=r"extra .bad. must be numbers or strings"):
        save_model(model, tmp_path / "m.npz", bad=np.array([{}], dtype=object))
    assert list(tmp_path.iterdir()) == []
