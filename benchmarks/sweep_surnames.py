"""Notebook 7's verdict, repeated over seeds: is the RNN really only tied with n-gram naive Bayes?

The settings of notebooks/07_classification.ipynb: the bundled surnames, the same stratified
80/10/10 split (seed 0), the vocabulary of the training names, and naive Bayes on character
n-grams with its order (1-4) and smoothing (0.3 or 1.0) chosen on validation. Against it, over
seeds (initial weights, batch order and the letters character dropout hides):

- **biLSTM 128 (notebook 7's chosen model)**: embedding 64, one bidirectional LSTM layer of 128
  units, character dropout 0.3, label smoothing 0.1, 15 epochs at Adam 5e-3, best epoch restored.
- **biLSTM 64 + n-grams**: the same kind of network, 64 units, whose input at each character is
  the sum of four embeddings: the character, and the 2-, 3- and 4-gram that end there (``^``
  marks the start, as in naive Bayes); one more step, an end-of-name token, lets the forward
  direction read the n-grams that end the name (``en$``, ``nen$``). n-grams that occur fewer than
  twice in the training names share one "unknown" row. Character dropout 0.5 (a dropped position
  loses its n-grams too), weight decay 0.1, label smoothing 0.1. It gives the network the
  clues naive Bayes counts, and lets it weigh them in order.

For each model: validation accuracy at the restored epoch and test accuracy, per seed; then the
**ensemble** of all seeds (their probabilities averaged), and the paired bootstrap interval of
its accuracy minus naive Bayes's on each part. Prints a markdown table.

    python benchmarks/sweep_surnames.py [--seeds 5] [--json results.json]

About 25 s a seed on one core.
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from rnn_kit.classify import accuracy, paired_bootstrap  # noqa: E402
from rnn_kit.data import encode_labels, load_surnames, stratified_split, text_vocabulary  # noqa: E402
from rnn_kit.data.ngram_classifier import NgramNaiveBayes  # noqa: E402
from rnn_kit.torch.classify import fit_classifier, make_sequence_loader, predict_proba  # noqa: E402
from rnn_kit.torch.models import SequenceModel  # noqa: E402

SPLIT_SEED, EPOCHS, BATCH, UNK = 0, 15, 128, 1  # UNK: the id of <unk> in text_vocabulary
ORDERS, MIN_COUNT = (2, 3, 4), 2  # the n-grams the second model reads; how often one must occur in training


def load():
    """Texts, labels and character ids of each part, exactly as notebook 7 builds them."""
    names, languages = load_surnames()
    y_all, classes = encode_labels(languages)
    parts = dict(zip(["train", "validation", "test"], stratified_split(y_all, (0.8, 0.1, 0.1), rng=SPLIT_SEED)))
    texts = {p: [names[i] for i in idx] for p, idx in parts.items()}
    y = {p: y_all[idx] for p, idx in parts.items()}
    vocab = text_vocabulary(texts["train"])
    return texts, y, vocab, len(classes)


def naive_bayes(texts, y):
    """Naive Bayes with the order and smoothing of best validation accuracy (notebook 7's choice)."""
    fitted = {(n, a): NgramNaiveBayes(1, n, a).fit(texts["train"], y["train"])
              for n in (1, 2, 3, 4) for a in (0.3, 1.0)}
    key = max(fitted, key=lambda k: accuracy(y["validation"], fitted[k].predict(texts["validation"])))
    return key, {p: fitted[key].predict(texts[p]) for p in ("validation", "test")}


# ---------------------------------------------------------------- the network that also reads n-grams


def grams(text, n):
    """The n-gram ending at each character of ``text``; ``^`` fills the n - 1 places before the start."""
    padded = "^" * (n - 1) + text
    return [padded[i : i + n] for i in range(len(text))]


class NgramInputs:
    """Each step's ids (character, then one per n-gram order) packed into one integer.

    Packing (a mixed-radix number) lets ``make_sequence_loader`` pad the steps like plain character
    ids and ``fit_classifier``'s character dropout hide a whole step: a dropped step becomes id 1,
    which unpacks to ``<unk>`` with n-gram id 0, a zero embedding. Ids of each n-gram table: 0 for
    none, 1 for an n-gram that occurs fewer than ``MIN_COUNT`` times in the training names, then the rest.
    """

    def __init__(self, train_texts, vocab):
        self.vocab, self.end = vocab, len(vocab)  # one more character id: the end of the name
        self.tables = {}
        for n in ORDERS:
            counts = Counter(g for t in train_texts for g in grams(t + "$", n))
            self.tables[n] = {g: i + 2 for i, g in enumerate(sorted(g for g, c in counts.items() if c >= MIN_COUNT))}
        self.sizes = [len(self.vocab) + 1] + [len(self.tables[n]) + 2 for n in ORDERS]

    def encode(self, text):
        chars = [*self.vocab.encode(text).tolist(), self.end]
        ids = [chars] + [[self.tables[n].get(g, 1) for g in grams(text + "$", n)] for n in ORDERS]
        packed = np.zeros(len(chars), dtype=np.int64)
        for column, size in zip(reversed(ids), reversed(self.sizes)):
            packed = packed * size + np.asarray(column)
        return packed


class NgramBiLSTM(SequenceModel):
    """``SequenceModel`` whose input at a step is the sum of the embeddings of its packed ids."""

    def __init__(self, sizes, embed, hidden, n_classes):
        super().__init__(embed, hidden, n_classes, cell="lstm", vocab_size=sizes[0], head="last", bidirectional=True)
        self.sizes = sizes
        self.ngram_embeddings = nn.ModuleList(nn.Embedding(s, embed, padding_idx=0) for s in sizes[1:])

    def forward(self, x, h0=None, lengths=None):
        e, rest = self.embedding(x % self.sizes[0]), x // self.sizes[0]  # unpack: character first
        for table, size in zip(self.ngram_embeddings, self.sizes[1:]):
            e, rest = e + table(rest % size), rest // size
        packed = nn.utils.rnn.pack_padded_sequence(e, torch.as_tensor(lengths).cpu(), batch_first=True,
                                                   enforce_sorted=False)
        _, h_n = self.rnn(packed)
        return self.head(self._top_state(h_n)), h_n


# ---------------------------------------------------------------- the sweep


def train(model, sequences, y, seed, **options):
    """Train on the training part, restore the best validation epoch; class probabilities of both other parts."""
    loaders = {p: make_sequence_loader(sequences[p], y[p], batch_size=1024) for p in ("validation", "test")}
    train_loader = make_sequence_loader(sequences["train"], y["train"], batch_size=BATCH, shuffle=True, bucket=True,
                                        seed=seed)
    fit_classifier(model, train_loader, loaders["validation"], epochs=EPOCHS, unk_id=UNK, **options)  # best epoch kept
    return {p: predict_proba(model, loaders[p]) for p in ("validation", "test")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts, y, vocab, C = load()
    (n, alpha), nb = naive_bayes(texts, y)
    ngram_inputs = NgramInputs(texts["train"], vocab)
    models = {
        "biLSTM 128 (notebook 7's chosen model)": (
            {p: [vocab.encode(t) for t in texts[p]] for p in texts},
            lambda: SequenceModel(64, 128, C, cell="lstm", vocab_size=len(vocab), head="last", bidirectional=True),
            {"lr": 5e-3, "char_dropout": 0.3, "label_smoothing": 0.1}),
        "biLSTM 64 + 2- to 4-grams": (
            {p: [ngram_inputs.encode(t) for t in texts[p]] for p in texts},
            lambda: NgramBiLSTM(ngram_inputs.sizes, 64, 64, C),
            {"lr": 5e-3, "char_dropout": 0.5, "weight_decay": 0.1, "label_smoothing": 0.1}),
    }
    nb_acc = {p: accuracy(y[p], nb[p]) for p in nb}
    print(f"naive Bayes (n-grams up to {n}, alpha {alpha}, chosen on validation): "
          f"validation {nb_acc['validation']:.3f}, test {nb_acc['test']:.3f}\n")
    print(f"| model | validation, per seed (0-{args.seeds - 1}) | mean ± sd | ahead of naive Bayes | test, mean ± sd | "
          f"ensemble of the {args.seeds} seeds: validation, test | ensemble minus naive Bayes (95% paired bootstrap) |")
    print("|---|---|---|---|---|---|---|")
    results = {"seeds": args.seeds, "naive_bayes": nb_acc, "models": {}}
    for name, (sequences, make, options) in models.items():
        proba = []
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            proba.append(train(make(), sequences, y, seed, **options))
        acc = {p: np.array([accuracy(y[p], pr[p].argmax(1)) for pr in proba]) for p in ("validation", "test")}
        votes = {p: np.mean([pr[p] for pr in proba], axis=0).argmax(1) for p in acc}  # the ensemble's answers
        ensemble = {p: accuracy(y[p], votes[p]) for p in acc}
        gaps = {p: paired_bootstrap(y[p], votes[p], nb[p], rng=0) for p in acc}
        val, test = acc["validation"], acc["test"]
        cells = [name, ", ".join(f"{a:.3f}" for a in val), f"{val.mean():.3f} ± {val.std():.3f}",
                 f"{int((val > nb_acc['validation']).sum())} of {args.seeds}", f"{test.mean():.3f} ± {test.std():.3f}",
                 f"{ensemble['validation']:.3f}, {ensemble['test']:.3f}",
                 ", ".join(f"{p} {d:+.3f} ({lo:+.3f} to {hi:+.3f})" for p, (d, lo, hi) in gaps.items())]
        print("| " + " | ".join(cells) + " |", flush=True)
        results["models"][name] = {"accuracy": {p: a.tolist() for p, a in acc.items()}, "ensemble": ensemble,
                                   "ensemble_minus_nb": gaps}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
