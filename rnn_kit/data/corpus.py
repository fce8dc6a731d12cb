"""Text corpora: Tiny Shakespeare by verified download, and an offline corpus from CPython's docs.

``load_corpus("tinyshakespeare")`` downloads once into a cache folder, checks the size
and SHA-256, and checks them again on every load. When the network cannot be used (or
``RNN_KIT_OFFLINE=1``) it falls back to ``load_corpus("python-docs")`` with a one-line
message, unless ``fallback=False``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .real import data_path


@dataclass(frozen=True)
class RemoteFile:
    """A file on the web and the facts that identify it."""

    url: str
    sha256: str
    size: int
    filename: str


TINY_SHAKESPEARE = RemoteFile(
    url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    size=1_115_394,
    filename="tinyshakespeare.txt",
)
CORPORA = ("tinyshakespeare", "python-docs")


class DownloadError(OSError):
    """The file could not be fetched, or what arrived was not the expected file."""


def cache_dir() -> Path:
    """``$RNN_KIT_CACHE``, else ``$XDG_CACHE_HOME/rnn_kit``, else ``~/.cache/rnn_kit``."""
    if os.environ.get("RNN_KIT_CACHE"):
        return Path(os.environ["RNN_KIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnn_kit"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, remote: RemoteFile) -> None:
    """Raise ``ValueError`` unless ``path`` has the expected size and SHA-256."""
    size = path.stat().st_size
    if size != remote.size:
        raise ValueError(f"{path} has {size} bytes, expected {remote.size}: truncated or not the right file")
    digest = _sha256(path)
    if digest != remote.sha256:
        raise ValueError(f"{path} has SHA-256 {digest}, expected {remote.sha256}: corrupted or not the right file")


def download(remote: RemoteFile, dest: Path, timeout: float = 20.0) -> Path:
    """Fetch ``remote`` to ``dest`` atomically: verified in a temporary file, then renamed.

    Whatever goes wrong (network, server error, short or wrong content), no file is left
    at ``dest`` and ``DownloadError`` says why.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f, urllib.request.urlopen(remote.url, timeout=timeout) as response:
            while block := response.read(1 << 16):
                f.write(block)
        verify(Path(tmp), remote)
        os.replace(tmp, dest)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        raise DownloadError(f"could not download {remote.url}: {exc}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


PYTHON_DOCS_SHA256 = "2a95af4ac93f5b719944030ce3769070ddf827d847cba42192afa8da989e5dc4"


def python_docs_text() -> str:
    """The offline corpus: CPython 3.11.7's help topics (``pydoc_data``), sorted by topic, bundled with rnn_kit.

    465,048 characters of English prose about Python (PSF licence; ``data/README.md``). It is
    bundled (``data/python_docs.txt.gz``, 134 kB) rather than read from the running Python, whose
    help pages change from release to release: so the text, and every number a notebook computes
    on it, is the same on every machine, on Colab and in the browser. Checked against its SHA-256.
    """
    raw = gzip.decompress(data_path("python_docs.txt.gz").read_bytes())
    if hashlib.sha256(raw).hexdigest() != PYTHON_DOCS_SHA256:
        raise ValueError("the bundled python_docs.txt.gz is not the expected file (SHA-256 differs): "
                         "reinstall rnn-kit or restore data/python_docs.txt.gz")
    return raw.decode("utf-8")


def _offline() -> bool:
    return os.environ.get("RNN_KIT_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def load_corpus(name: str = "tinyshakespeare", *, fallback: bool = True, remote: RemoteFile = TINY_SHAKESPEARE,
                cache: Path | None = None) -> str:
    """The text of a corpus.

    Parameters
    ----------
    name : {"tinyshakespeare", "python-docs"}
    fallback : bool
        If Tiny Shakespeare cannot be had (offline, ``RNN_KIT_OFFLINE=1``, download or
        checksum failure), return the "python-docs" corpus and print one line saying so.
        With ``fallback=False`` raise ``DownloadError`` instead.
    remote : RemoteFile
        Where and what to download (tests point this at a local server).
    cache : Path, optional
        Folder for the download; default ``cache_dir()``.

    Returns
    -------
    str
    """
    if name not in CORPORA:
        raise ValueError(f"name must be one of {CORPORA}, got {name!r}")
    if name == "python-docs":
        return python_docs_text()
    path = Path(cache or cache_dir()) / remote.filename
    try:
        if path.exists():
            try:
                verify(path, remote)
            except ValueError:
                path.unlink()  # a corrupted cache is removed, then fetched again
        if not path.exists():
            if _offline():
                raise DownloadError("RNN_KIT_OFFLINE is set, so nothing is downloaded")
            download(remote, path)
        return path.read_text(encoding="utf-8")
    except DownloadError as exc:
        if not fallback:
            raise
        print(f"[rnn_kit] {name} unavailable ({exc}); using the offline 'python-docs' corpus instead",
              file=sys.stderr)
        return python_docs_text()
