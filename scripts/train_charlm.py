"""Train the character model shipped as data/charlm_python_docs.npz, which notebook 4 compares with its own.

    python scripts/train_charlm.py        # a few minutes on one CPU core

It runs ``rnn_kit.charlm.train`` (the code behind ``python -m rnn_kit.charlm train``) on the
offline "python-docs" corpus, the help pages in this Python's ``pydoc_data``, split exactly as the
notebook splits it: the first 90% trains, the last 10% validates and is never trained on. The
version with the best validation score is kept, converted to float64 (so the notebook's samples
come out the same on every CPU) and saved with the SHA-256 of the corpus: the notebook uses the
file only when its own text has that digest.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rnn_kit import RNNModel, load_model, save_model  # noqa: E402
from rnn_kit.charlm import train  # noqa: E402
from rnn_kit.data import python_docs_text  # noqa: E402

OUT = ROOT / "data" / "charlm_python_docs.npz"
SETTINGS = {"hidden": 256, "embed": 64, "cell": "rnn", "dtype": "float32", "seq_len": 100, "batch": 32,
            "steps": 3000, "lr": 1e-3, "optimizer": "adam", "max_norm": 5.0, "val_fraction": 0.1,
            "eval_every": 250, "seed": 0}


def as_float64(model: RNNModel) -> RNNModel:
    """The same network with float64 parameters (float32 values are exact in float64)."""
    wide = RNNModel(**{**model.config, "dtype": "float64"}, rng=0)
    wide.params = {k: v.astype(np.float64) for k, v in model.params.items()}
    return wide


def main() -> int:
    text = python_docs_text()
    print(f"python-docs corpus: {len(text)} characters; settings {SETTINGS}")
    with tempfile.TemporaryDirectory() as tmp:
        best = train(text, Path(tmp) / "model.npz", **SETTINGS)
        model, extra = load_model(Path(tmp) / "model.npz", return_extra=True)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    save_model(as_float64(model), OUT, **extra, corpus_sha256=np.array(digest))
    print(f"best validation {best:.3f} bits per character after {int(extra['steps'])} steps; "
          f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
