"""charlm.py, the command line: train, sample, evaluate, resume, and one clear line for every bad input."""

import ast
import hashlib
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnn_kit import RNNModel, load_model, save_model
from rnn_kit.cells import CELLS
from rnn_kit.charlm import bits_per_character, load_charlm, main, train
from rnn_kit.data import Vocabulary, python_docs_text

ROOT = Path(__file__).resolve().parents[1]
TEXT = "the cat sat on the mat. the dog sat on the log.\n" * 40  # 1,920 characters
TINY = ["--hidden", "8", "--embed", "4", "--batch", "4", "--seq-len", "10", "--eval-every", "10"]


def run(capsys, *argv):
    """Exit status, stdout and stderr of one in-process ``python -m rnn_kit.charlm ...``."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture
def trained(tmp_path, text_file, capsys):
    """A model trained for 20 steps on TEXT."""
    model_path = tmp_path / "model.npz"
    code, out, err = run(capsys, "train", text_file, "--out", model_path, "--steps", 20, *TINY)
    assert code == 0, err
    return model_path, out


def assert_one_line_error(code, err, pattern):
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("charlm: error: "), err
    assert "Traceback" not in err
    assert re.search(pattern, err), err


# ---------------------------------------------------------------- the three commands


def test_train_saves_the_best_model_with_its_vocabulary(trained):
    model_path, out = trained
    assert re.search(r"^validation bits per character: \d+\.\d{3}$", out.splitlines()[-1])
    assert "step 10:" in out and "step 20:" in out
    model, extra = load_model(model_path, return_extra=True)
    vocab = Vocabulary.from_arrays(extra)
    assert vocab.tokens == Vocabulary.from_text(TEXT).tokens and model.hidden_size == 8
    assert int(extra["steps"]) in (10, 20)  # the better of the two validations is the one kept
    assert float(out.splitlines()[-1].split()[-1]) == pytest.approx(float(extra["val_bits_per_char"]), abs=5e-4)


def test_training_learns_and_repeats_exactly(tmp_path, text_file):
    scores = [train(TEXT, tmp_path / f"run{i}.npz", hidden=16, embed=8, seq_len=10, batch=4, steps=60,
                    eval_every=60, lr=0.02, log=lambda *_: None) for i in range(2)]
    assert scores[0] == scores[1]  # --seed fixes everything
    assert scores[0] < 0.5 * math.log2(len(set(TEXT)))  # far below the uniform guess


def test_sample_starts_with_the_prime_and_repeats_with_a_seed(trained, capsys):
    model_path, _ = trained
    code, out, _ = run(capsys, "sample", model_path, "--prime", "the ", "--length", 50, "--seed", 3)
    assert code == 0
    sample = out.removesuffix("\n")
    assert sample.startswith("the ") and len(sample) == 54 and set(sample) <= set(TEXT)
    assert run(capsys, "sample", model_path, "--prime", "the ", "--length", 50, "--seed", 3)[1] == out
    code, out, _ = run(capsys, "sample", model_path, "--length", 0)  # the default prime is a newline
    assert code == 0 and out == "\n\n"


def test_evaluate_prints_bits_per_character_last(trained, text_file, capsys):
    model_path, _ = trained
    code, out, _ = run(capsys, "evaluate", model_path, text_file)
    assert code == 0
    last = out.splitlines()[-1]
    assert re.fullmatch(r"bits per character: \d+\.\d{3}", last)
    model, extra = load_model(model_path, return_extra=True)
    ids = Vocabulary.from_arrays(extra).encode(TEXT)
    assert float(last.split()[-1]) == pytest.approx(bits_per_character(model, ids), abs=5e-4)


def test_resume_continues_from_the_saved_model(trained, text_file, capsys):
    model_path, first = trained
    before = float(load_model(model_path, return_extra=True)[1]["val_bits_per_char"])
    code, out, _ = run(capsys, "train", text_file, "--out", model_path, "--steps", 20, "--eval-every", 10,
                       "--batch", 4, "--seq-len", 10)
    assert code == 0 and "resuming" in out and "step 40:" in out  # step numbers continue
    model, extra = load_model(model_path, return_extra=True)
    assert model.hidden_size == 8 and float(extra["val_bits_per_char"]) <= before


def test_minutes_stops_by_wall_time(tmp_path, text_file, capsys):
    code, out, _ = run(capsys, "train", text_file, "--out", tmp_path / "m", "--minutes", 1e-6, *TINY)
    assert code == 0 and "step 1:" in out and (tmp_path / "m.npz").exists()  # ".npz" is added


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_other_cells_train_when_rnn_kit_has_them(cell, tmp_path, text_file, capsys):
    code, out, err = run(capsys, "train", text_file, "--out", tmp_path / "m.npz", "--steps", 10, "--cell", cell,
                         *TINY)
    if cell not in CELLS:
        assert_one_line_error(code, err, rf"cell must be one of .* got '{cell}'")
    else:
        assert code == 0 and load_model(tmp_path / "m.npz").cell.NAME == cell


def test_the_module_does_not_import_torch_at_top_level():
    tree = ast.parse((ROOT / "rnn_kit" / "charlm.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top for a in n.names] + [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
    assert not any("torch" in name for name in names), names


def test_python_dash_m_entry_point(trained, text_file):
    model_path, _ = trained
    result = subprocess.run([sys.executable, "-m", "rnn_kit.charlm", "evaluate", str(model_path), str(text_file)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"bits per character: \d+\.\d{3}", result.stdout.splitlines()[-1])


def test_the_shipped_model_fits_the_offline_corpus():
    """data/charlm_python_docs.npz (scripts/train_charlm.py): small, float64, and made for this corpus."""
    path = ROOT / "data" / "charlm_python_docs.npz"
    model, vocab, extra = load_charlm(path)
    assert path.stat().st_size <= 1_000_000 and model.dtype == np.float64 and model.hidden_size == 256
    text = python_docs_text()
    if str(extra["corpus_sha256"]) != hashlib.sha256(text.encode("utf-8")).hexdigest():
        pytest.skip("this Python's pydoc_data is not the one the model was trained on (notebook 4 skips it too)")
    assert vocab.tokens == Vocabulary.from_text(text).tokens


# ---------------------------------------------------------------- bad input: one line, exit status 1


@pytest.mark.parametrize("content, pattern", [
    (None, r"no such file"),
    (b"", r"is empty"),
    (b"text\x00with a NUL byte" * 10, r"looks like a binary file"),
    ("caf\u00e9 ".encode("latin-1") * 500, r"is not UTF-8 text \(byte 0xe9 at position 3\)"),
    (b"too short", r"the text has 9 characters, too few for one batch of 4 streams x 10 steps"),
])
def test_train_rejects_unusable_text(content, pattern, tmp_path, capsys):
    path = tmp_path / "in.txt"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "train", path, "--out", tmp_path / "m.npz", *TINY)
    assert_one_line_error(code, err, pattern)
    assert not (tmp_path / "m.npz").exists()  # never a half-written model file


def test_train_on_a_folder_is_refused(tmp_path, capsys):
    assert_one_line_error(*run(capsys, "train", tmp_path, "--out", tmp_path / "m.npz", *TINY)[::2], r"not a file")


def test_resume_needs_the_same_characters_and_shape(trained, tmp_path, capsys):
    model_path, _ = trained
    other = tmp_path / "other.txt"
    other.write_text(TEXT.upper(), encoding="utf-8")
    code, _, err = run(capsys, "train", other, "--out", model_path, *TINY)
    assert_one_line_error(code, err, r"was trained on other characters .* resuming needs the same vocabulary")
    code, _, err = run(capsys, "train", model_path.parent / "text.txt", "--out", model_path, "--hidden", 16,
                         "--batch", 4, "--seq-len", 10)
    assert_one_line_error(code, err, r"has hidden 8, but --hidden 16 was given")


def test_unseen_characters_are_named(trained, tmp_path, capsys):
    model_path, _ = trained
    code, _, err = run(capsys, "sample", model_path, "--prime", "Zebra")
    assert_one_line_error(code, err, r"--prime has 3 character\(s\) the model never saw in training: \['Z', 'b', 'r'\]")
    text = tmp_path / "new.txt"
    text.write_text("the cat sat on the mat!", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", model_path, text)
    assert_one_line_error(code, err, r"new.txt has 1 character\(s\) the model never saw in training: \['!'\]")
    text.write_text("t", encoding="utf-8")
    assert_one_line_error(*run(capsys, "evaluate", model_path, text)[::2], r"nothing to predict")


def _not_a_model(tmp_path, kind):
    path = tmp_path / f"{kind}.npz"
    if kind == "text":
        path.write_text("hello", encoding="utf-8")
    elif kind == "plain_npz":
        np.savez(path, a=np.zeros(3))
    elif kind == "no_vocabulary":
        save_model(RNNModel(4, 8, 5, vocab_size=5, rng=0), path)
    elif kind == "regression_model":
        save_model(RNNModel(1, 8, 1, loss="mse", rng=0), path, **Vocabulary.from_text("a").to_arrays())
    return path


@pytest.mark.parametrize("kind", ["missing", "text", "plain_npz", "no_vocabulary", "regression_model"])
def test_a_file_that_is_not_a_character_model_is_refused(kind, tmp_path, text_file, capsys):
    path = _not_a_model(tmp_path, kind) if kind != "missing" else tmp_path / "nothing.npz"
    pattern = r"no such file" if kind == "missing" else r"(is not a character model saved by|not a character model)"
    assert_one_line_error(*run(capsys, "sample", path)[::2], pattern)
    assert_one_line_error(*run(capsys, "evaluate", path, text_file)[::2], pattern)
    if kind != "missing":  # nor is it resumed from, or overwritten
        before = path.read_bytes()
        assert_one_line_error(*run(capsys, "train", text_file, "--out", path, *TINY)[::2], pattern)
        assert path.read_bytes() == before


@pytest.mark.parametrize("argv", [
    ["train", "x.txt"],                                              # --out is required
    ["train", "x.txt", "--out", "m.npz", "--lr", "0"],
    ["train", "x.txt", "--out", "m.npz", "--steps", "10", "--minutes", "1"],
    ["train", "x.txt", "--out", "m.npz", "--val-fraction", "1.5"],
    ["train", "x.txt", "--out", "m.npz", "--cell", "transformer"],
    ["sample", "m.npz", "--temperature", "-1"],
    ["sample", "m.npz", "--length", "many"],
    ["fly"],
])
def test_bad_arguments_give_usage_and_status_2(argv, capsys):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err and "Traceback" not in err


def test_device_needs_the_torch_backend(text_file, tmp_path, capsys):
    code, _, err = run(capsys, "train", text_file, "--out", tmp_path / "m.npz", "--device", "cuda", *TINY)
    assert_one_line_error(code, err, r"--device needs --backend torch")


# ---------------------------------------------------------------- the PyTorch backend


@pytest.mark.slow  # importing torch takes seconds
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_torch_backend_takes_the_same_steps_as_numpy(cell):
    """Same initial weights, same chunks, Adam without clipping: the same losses and weights in float64."""
    pytest.importorskip("torch")
    from rnn_kit.charlm import make_trainer

    ids = np.random.default_rng(0).integers(0, 7, 600)
    kwargs = {"batch": 4, "seq_len": 10, "optimizer": "adam", "lr": 0.01, "max_norm": None}
    ours = make_trainer("numpy", RNNModel(4, 8, 7, vocab_size=7, cell=cell, rng=0), ids, **kwargs)
    theirs = make_trainer("torch", RNNModel(4, 8, 7, vocab_size=7, cell=cell, rng=0), ids, device="cpu", **kwargs)
    np.testing.assert_allclose([ours.step() for _ in range(30)], [theirs.step() for _ in range(30)], atol=1e-12)
    back = theirs.numpy_model()
    for k, v in ours.numpy_model().params.items():
        np.testing.assert_allclose(back.params[k], v, atol=1e-12)


@pytest.mark.slow
def test_torch_backend_from_the_command_line(tmp_path, text_file, capsys):
    pytest.importorskip("torch")
    model_path = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", text_file, "--out", model_path, "--steps", 10, "--backend", "torch",
                         "--device", "cpu", *TINY)
    assert code == 0, err
    assert run(capsys, "sample", model_path, "--length", 20)[0] == 0  # the file is a NumPy model like any other
