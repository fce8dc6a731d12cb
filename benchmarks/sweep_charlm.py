"""Notebook 5's comparison of cells, repeated over seeds: is the ordering real at that budget?

The settings of notebooks/05_text_generation_pytorch.ipynb: the offline corpus (or Tiny Shakespeare
when cached), its last 10% held out, embedding 32, hidden 128, 32 streams x 50 characters, 130 Adam
steps at learning rate 1e-2, clipping at norm 5. For each seed: nn.RNN with PyTorch's initialisation,
nn.RNN started from rnn_kit's initialisation (to_torch of a fresh RNNModel), nn.LSTM and nn.GRU.
Prints a markdown table of validation bits per character (mean, sd, every seed) and how often each
model beat nn.RNN.

    python benchmarks/sweep_charlm.py [--seeds 5] [--steps 130]
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnn_kit import RNNModel  # noqa: E402
from rnn_kit.data import Vocabulary, load_corpus, split_ids  # noqa: E402
from rnn_kit.torch.charlm import bits_per_character, fit_stream  # noqa: E402
from rnn_kit.torch.models import SequenceModel, to_torch  # noqa: E402

D, H, N, T, LR = 32, 128, 32, 50, 1e-2
MODELS = ["nn.RNN", "nn.RNN, rnn_kit init", "nn.LSTM", "nn.GRU"]


def make(name, V, seed):
    if name == "nn.RNN, rnn_kit init":
        return to_torch(RNNModel(D, H, V, vocab_size=V, rng=seed, dtype=np.float32))
    torch.manual_seed(seed)
    return SequenceModel(D, H, V, vocab_size=V, cell={"nn.RNN": "rnn", "nn.LSTM": "lstm", "nn.GRU": "gru"}[name])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=130)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    text = load_corpus()
    vocab = Vocabulary.from_text(text)
    train, val = split_ids(vocab.encode(text), val_fraction=0.1)
    bits = {name: [] for name in MODELS}
    for seed in range(args.seeds):
        for name in MODELS:
            model = make(name, len(vocab), seed)
            fit_stream(model, train, steps=args.steps, batch_size=N, seq_len=T, lr=LR)
            bits[name].append(bits_per_character(model, val, batch_size=16))
    print(f"validation bits per character after {args.steps} steps, {args.seeds} seeds "
          f"({len(text):,} characters, V={len(vocab)})\n")
    print("| model | mean ± sd | per seed | beats nn.RNN |")
    print("|---|---|---|---|")
    for name in MODELS:
        wins = sum(b < r for b, r in zip(bits[name], bits["nn.RNN"]))
        per_seed = ", ".join(f"{b:.3f}" for b in bits[name])
        beats = "—" if name == "nn.RNN" else f"{wins} of {args.seeds}"
        print(f"| {name} | {np.mean(bits[name]):.3f} ± {np.std(bits[name]):.3f} | {per_seed} | {beats} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"steps": args.steps, "seeds": args.seeds, "bits_per_character": bits}, f, indent=1)


if __name__ == "__main__":
    main()
