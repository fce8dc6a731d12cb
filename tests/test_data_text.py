"""Character vocabularies, batches for truncated BPTT, corpora (download tests on 127.0.0.1 only)."""

import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from rnn_kit import RNNModel, load_model, save_model
from rnn_kit.data import (
    DownloadError,
    RemoteFile,
    Vocabulary,
    bigram_successors,
    load_corpus,
    python_docs_text,
    random_windows,
    split_ids,
    stream_batches,
)
from rnn_kit.data.corpus import download

# ---------------------------------------------------------------- vocabulary


def test_vocabulary_is_sorted_and_round_trips():
    text = "the quick brown fox, THE LAZY DOG!"
    vocab = Vocabulary.from_text(text)
    assert vocab.tokens == sorted(set(text))
    assert Vocabulary.from_text(text[::-1]).tokens == vocab.tokens  # order of appearance does not matter
    assert vocab.decode(vocab.encode(text)) == text


def test_unknown_characters_raise_by_default_and_map_with_a_token():
    strict = Vocabulary.from_text("abc")
    with pytest.raises(ValueError, match=r"text has 2 character\(s\) not in the vocabulary: \['x', 'y'\]"):
        strict.encode("axyb")
    lenient = Vocabulary.from_text("abc", specials=["?"], unknown="?")
    assert lenient.tokens == ["?", "a", "b", "c"]
    assert lenient.decode(lenient.encode("axb")) == "a?b"


def test_vocabulary_saved_with_the_model(tmp_path):
    vocab = Vocabulary.from_text("hello world", specials=["<unk>"], unknown="<unk>")
    model = RNNModel(4, 8, len(vocab), vocab_size=len(vocab), rng=0)
    save_model(model, tmp_path / "m.npz", **vocab.to_arrays())
    _, extra = load_model(tmp_path / "m.npz", return_extra=True)
    again = Vocabulary.from_arrays(extra)
    assert again.tokens == vocab.tokens and again.unknown == "<unk>"
    with pytest.raises(ValueError, match=r"arrays hold no vocabulary: missing 'vocab_tokens'"):
        Vocabulary.from_arrays({})


def test_vocabulary_rejects_bad_input():
    with pytest.raises(ValueError, match="text must not be empty"):
        Vocabulary.from_text("")
    with pytest.raises(TypeError, match="text must be a str, got list"):
        Vocabulary.from_text(["a"])
    with pytest.raises(ValueError, match="tokens must be distinct"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match=r"unknown token '\?' must be one of the tokens"):
        Vocabulary(["a"], unknown="?")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 3\), got values from 0 to 5"):
        Vocabulary.from_text("abc").decode([0, 5])


# ---------------------------------------------------------------- bigram baseline


def test_bigram_successors_counts_ties_and_unseen_ids():
    ids = np.array([0, 1, 0, 2, 0, 1, 3, 3])
    succ = bigram_successors(ids, 5)
    assert succ.tolist() == [1, 0, 0, 3, 0]  # 0->1 twice; 1->0 and 1->3 tie: smallest; 4 unseen: most common (0)
    with pytest.raises(ValueError, match=r"ids must hold at least two ids to count successors, got 1"):
        bigram_successors(np.array([0]), 3)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 2\), got values from 0 to 3"):
        bigram_successors(np.array([0, 3]), 2)


# ---------------------------------------------------------------- batches


def test_stream_batches_continue_row_by_row():
    ids = np.arange(101)
    chunks = list(stream_batches(ids, batch_size=4, seq_len=10))
    L = 100 // 4
    assert len(chunks) == 3 and chunks[0][0].shape == (4, 10) and chunks[-1][0].shape == (4, 5)
    rows = np.concatenate([x for x, _ in chunks], axis=1)  # chunks glued in time
    np.testing.assert_array_equal(rows, np.arange(100).reshape(4, L))
    for x, y in chunks:
        np.testing.assert_array_equal(y, x + 1)  # targets are the next ids


def test_random_windows_are_seeded_and_shifted():
    ids = np.arange(50)
    x, y = random_windows(ids, 8, 5, rng=3)
    x2, _ = random_windows(ids, 8, 5, rng=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, x + 1)
    assert x.shape == (8, 5) and y.max() < 50


def test_split_ids_by_position():
    train, val = split_ids(np.arange(100), val_fraction=0.2)
    np.testing.assert_array_equal(train, np.arange(80))
    np.testing.assert_array_equal(val, np.arange(80, 100))


def test_batches_reject_bad_input():
    with pytest.raises(ValueError, match=r"3 ids are too few for 4 parallel streams"):
        next(stream_batches(np.arange(3), 4, 2))
    with pytest.raises(ValueError, match=r"seq_len \(10\) \+ 1 must be at most the number of ids \(10\)"):
        random_windows(np.arange(10), 2, 10)
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\), got 1.5"):
        split_ids(np.arange(10), 1.5)
    with pytest.raises(TypeError, match=r"ids must hold integer ids, got dtype <U1"):
        split_ids(np.array(list("abc")))


# ---------------------------------------------------------------- corpora


def test_offline_corpus_is_large_and_stable():
    text = python_docs_text()
    assert len(text) > 400_000 and text == python_docs_text()
    assert load_corpus("python-docs") == text
    assert len(Vocabulary.from_text(text)) > 80


class _Server:
    """A tiny HTTP server on 127.0.0.1 that serves fixed bytes or an error, for one test."""

    def __init__(self, body: bytes, status: int = 200, declared_length: int | None = None):
        outer = self
        self.hits = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                self.send_response(status)
                self.send_header("Content-Length", str(declared_length or len(body)))
                self.end_headers()
                if status == 200:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/input.txt"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


BODY = ("First Citizen:\nBefore we proceed any further, hear me speak.\n" * 50).encode()


def _remote(url, body=BODY):
    return RemoteFile(url=url, sha256=hashlib.sha256(body).hexdigest(), size=len(body), filename="tiny.txt")


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("RNN_KIT_OFFLINE", raising=False)


@pytest.mark.network
def test_download_good_file_is_cached_and_reverified(tmp_path, online):
    server = _Server(BODY)
    try:
        remote = _remote(server.url)
        assert load_corpus("tinyshakespeare", remote=remote, cache=tmp_path, fallback=False) == BODY.decode()
        assert load_corpus("tinyshakespeare", remote=remote, cache=tmp_path, fallback=False) == BODY.decode()
        assert server.hits == 1  # the second load used the verified cache
        (tmp_path / "tiny.txt").write_bytes(BODY[:-1] + b"X")  # corrupt the cache
        assert load_corpus("tinyshakespeare", remote=remote, cache=tmp_path, fallback=False) == BODY.decode()
        assert server.hits == 2  # corruption detected, fetched again
    finally:
        server.close()


@pytest.mark.network
@pytest.mark.parametrize(
    "make_server, message",
    [
        (lambda: _Server(BODY.replace(b"speak", b"SPEAK")), "expected"),  # same size, wrong checksum
        (lambda: _Server(BODY[:100]), "has 100 bytes, expected"),  # truncated
        (lambda: _Server(b"", status=500), "HTTP Error 500"),  # server error
    ],
)
def test_download_failures_leave_no_file(tmp_path, online, make_server, message):
    server = make_server()
    try:
        remote = _remote(server.url)
        with pytest.raises(DownloadError, match=message):
            download(remote, tmp_path / "tiny.txt")
        assert list(tmp_path.iterdir()) == []
        with pytest.raises(DownloadError):
            load_corpus("tinyshakespeare", remote=remote, cache=tmp_path, fallback=False)
        assert list(tmp_path.iterdir()) == []
    finally:
        server.close()


@pytest.mark.network
def test_failed_download_falls_back_with_one_line(tmp_path, online, capsys):
    server = _Server(b"", status=404)
    try:
        text = load_corpus("tinyshakespeare", remote=_remote(server.url), cache=tmp_path)
    finally:
        server.close()
    assert text == python_docs_text()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "using the offline 'python-docs' corpus" in err


def test_offline_mode_never_connects(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RNN_KIT_OFFLINE", "1")
    remote = _remote("http://127.0.0.1:9/never")  # nothing listens there; it must not be tried
    assert load_corpus("tinyshakespeare", remote=remote, cache=tmp_path) == python_docs_text()
    assert "RNN_KIT_OFFLINE is set" in capsys.readouterr().err
    with pytest.raises(DownloadError, match="RNN_KIT_OFFLINE is set"):
        load_corpus("tinyshakespeare", remote=remote, cache=tmp_path, fallback=False)
    with pytest.raises(ValueError, match=r"name must be one of \('tinyshakespeare', 'python-docs'\), got 'war-and-peace'"):
        load_corpus("war-and-peace")


def test_tiny_shakespeare_facts_match_the_issue():
    from rnn_kit.data import TINY_SHAKESPEARE

    assert TINY_SHAKESPEARE.size == 1_115_394
    assert TINY_SHAKESPEARE.sha256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
    assert TINY_SHAKESPEARE.url.endswith("char-rnn/master/data/tinyshakespeare/input.txt")
    assert Path(TINY_SHAKESPEARE.filename).suffix == ".txt"


# ---------------------------------------------------------------- bad input found by tests/test_bad_input.py


def test_any_token_survives_saving_with_the_model(tmp_path):
    vocab = Vocabulary(["\x00", "a\x00", "b", "<pad>"], unknown="\x00")  # NumPy string arrays drop trailing NULs
    model = RNNModel(3, 4, 4, vocab_size=4, rng=0)
    save_model(model, tmp_path / "m", **vocab.to_arrays())
    again = Vocabulary.from_arrays(load_model(tmp_path / "m", return_extra=True)[1])
    assert again.tokens == vocab.tokens and again.unknown == "\x00"


def test_older_vocabulary_arrays_still_read():
    old = {"vocab_tokens": np.array(["<unk>", "a", "b"]), "vocab_unknown": np.array("<unk>")}
    vocab = Vocabulary.from_arrays(old)
    assert vocab.tokens == ["<unk>", "a", "b"] and vocab.unknown == "<unk>"
    with pytest.raises(ValueError, match=r"arrays\['vocab_json'\] must be the JSON string written by"):
        Vocabulary.from_arrays({"vocab_json": np.array("[1, 2]")})


def test_a_str_is_not_a_list_of_tokens():
    # Decision: reject a lone str rather than read it as one special (explicit beats a guess).
    with pytest.raises(TypeError, match=r"specials must be a sequence of non-empty str \(a list, not one str\)"):
        Vocabulary.from_text("hello", specials="<pad>")
    with pytest.raises(TypeError, match=r"tokens must be a sequence of non-empty str"):
        Vocabulary("abc")
    assert Vocabulary.from_text("ab", specials=["<pad>"]).tokens == ["<pad>", "a", "b"]


def test_id_streams_are_checked_once_and_copied():
    with pytest.raises(TypeError, match=r"ids must be array-like of numbers, got list that NumPy cannot read"):
        split_ids([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"batch_size must be > 0, got 0"):
        stream_batches(np.arange(10), 0, 2)  # checked at the call, not at the first next()
    ids = np.arange(20)
    train, val = split_ids(ids, 0.25)
    train[:] = -1
    x, _ = next(stream_batches(ids, 2, 3))
    x[:] = -1
    np.testing.assert_array_equal(ids, np.arange(20))  # copies, never views of the caller's ids
