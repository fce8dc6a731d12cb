"""checkpoint.py: save -> load round-trips, and clear errors for files that do not match."""

import json
import re

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


# ---------------------------------------------------------------- finding, sealing, failing cleanly


def test_load_finds_the_npz_that_save_wrote(tmp_path):
    model = RNNModel(3, 4, 3, rng=0)
    written = save_model(model, tmp_path / "ckpt")
    assert written == tmp_path / "ckpt.npz"
    for path in (tmp_path / "ckpt", str(tmp_path / "ckpt"), written):
        assert load_model(path).config == model.config
    with pytest.raises(ValueError, match=r"nope does not exist \(nor does .*nope\.npz\)"):
        load_model(tmp_path / "nope")


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_while_writing_leaves_no_file_and_no_temp_file(tmp_path, monkeypatch, failing):
    import rnn_kit.checkpoint as checkpoint

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(RNNModel(3, 4, 3, rng=0), tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    import rnn_kit.checkpoint as checkpoint

    old = save_model(RNNModel(3, 4, 3, rng=0), tmp_path / "m")
    before = old.read_bytes()
    monkeypatch.setattr(checkpoint.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("no")))
    with pytest.raises(OSError):
        save_model(RNNModel(3, 4, 3, rng=1), tmp_path / "m")
    assert old.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_a_diverged_model_is_not_saved(tmp_path):
    model = RNNModel(3, 4, 3, rng=0)
    model.params["W_hh"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"model parameter W_hh holds NaN or inf; nothing was written"):
        save_model(model, tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_every_byte_is_sealed(tmp_path):
    path = save_model(RNNModel(3, 4, 3, rng=0), tmp_path / "m")
    raw = bytearray(path.read_bytes())
    raw[10] ^= 1  # the first member's modification time: no zip CRC covers it, the seal does
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=r"m\.npz is corrupt: its bytes do not match the SHA-256"):
        load_model(path)


def test_older_checkpoints_without_newer_config_keys_still_load(tmp_path):
    from rnn_kit.checkpoint import _config_schema

    optional = [k for k, (required, _) in _config_schema().items() if not required]
    path = _tamper(tmp_path, lambda a: a.update(__config__=np.array(json.dumps(
        {k: v for k, v in json.loads(str(a["__config__"])).items() if k not in optional}))))
    assert load_model(path).config == RNNModel(3, 4, 3).config


def test_big_endian_arrays_load_as_native(tmp_path):
    path = _tamper(tmp_path, lambda a: a.update(W_hh=a["W_hh"].astype(">f8")))
    loaded = load_model(path)
    assert loaded.params["W_hh"].dtype == np.float64 and loaded.params["W_hh"].dtype.isnative


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.update(__config__=np.array("{oops")), r"__config__ is not valid JSON"),
        (lambda a: a.update(__config__=np.array("[3, 4, 3]")), r"__config__ must be a JSON object .*got list"),
        (lambda a: a.update(__config__=np.array(json.dumps({**json.loads(str(a["__config__"])), "layers": 2}))),
         r"__config__ has unknown keys \['layers'\]"),
        (lambda a: a.update(__config__=np.array(json.dumps({**json.loads(str(a["__config__"])), "hidden_size": 4.0}))),
         r"__config__\['hidden_size'\] must be int, got float 4.0"),
        (lambda a: a.update(__config__=np.array(json.dumps({**json.loads(str(a["__config__"])), "hidden_size": True}))),
         r"__config__\['hidden_size'\] must be int, got bool True"),
        (lambda a: a.update(__config__=np.array(json.dumps({**json.loads(str(a["__config__"])),
                                                            "hidden_size": 10**9}))),
         r"__config__\['hidden_size'\] = 1000000000 is not a dimension of any stored parameter"),
        (lambda a: a.update(W_xh=np.array([None], dtype=object)), r"W_xh holds dtype object; .*no Python objects"),
        (lambda a: a.update(__config__=np.zeros(2)), r"__config__ must be one JSON string, got dtype float64"),
    ],
)
def test_bad_archives_name_the_file_and_the_problem(tmp_path, change, message):
    path = _tamper(tmp_path, change)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + message):
        load_model(path)


def test_truncated_empty_and_npy_files(tmp_path):
    good = save_model(RNNModel(3, 4, 3, rng=0), tmp_path / "good").read_bytes()
    np.save(tmp_path / "array.npy", np.zeros(3))
    cases = {"half.npz": good[: len(good) // 2], "empty.npz": b"",
             "array.npz": (tmp_path / "array.npy").read_bytes()}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=re.escape(str(tmp_path / name)) + " is not a readable rnn_kit .npz"):
            load_model(tmp_path / name)
