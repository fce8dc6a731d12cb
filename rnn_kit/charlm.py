"""A character language model from the command line: train on any UTF-8 text, sample, evaluate.

    python -m rnn_kit.charlm train TEXT_FILE --out MODEL.npz [--hidden 256] [--seq-len 100] [--batch 64]
                             [--steps N | --minutes M] [--lr 2e-3] [--val-fraction 0.1] [--seed 0]
                             [--cell rnn|lstm|gru] [--backend numpy|torch] [--device cuda]
    python -m rnn_kit.charlm sample MODEL.npz [--prime "ROMEO:"] [--length 500] [--temperature 0.7] [--seed 0]
    python -m rnn_kit.charlm evaluate MODEL.npz TEXT_FILE

``train`` holds out the last ``--val-fraction`` of the text, trains on the rest with truncated
BPTT (the state carried from chunk to chunk, as ``training.fit_stream``), validates at intervals,
and keeps only the best model in ``--out`` (with its vocabulary). If ``--out`` exists, training
continues from the weights saved there (same characters required; the optimiser starts afresh).
NumPy only by default; ``--backend torch`` trains with PyTorch and saves the same kind of file.
A mistake in the input ends the program with one line on stderr and exit status 1, never a
traceback or a half-written file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from .checkpoint import load_model, save_model
from .data.text import Vocabulary, split_ids
from .model import RNNModel
from .training import OPTIMIZERS, StreamTrainer, evaluate_stream

CELL_NAMES = ("rnn", "lstm", "gru")
BACKENDS = ("numpy", "torch")
DEFAULTS = {"hidden": 256, "embed": 64, "cell": "rnn", "dtype": "float32"}  # a resumed model keeps its own
EVAL_SEQ_LEN = 100


class UsageError(Exception):
    """A problem with what the user gave us: reported as one line, exit status 1."""


# ---------------------------------------------------------------- reading inputs


def read_text(path) -> str:
    """The text of a UTF-8 file, or a ``UsageError`` saying why it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    data = path.read_bytes()
    if not data:
        raise UsageError(f"{path} is empty")
    if b"\x00" in data:
        raise UsageError(f"{path} looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, if any, is not part of the text
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})") from None


def encode(vocab: Vocabulary, text: str, what: str) -> np.ndarray:
    """Ids of ``text``, or a ``UsageError`` listing the characters the model never saw."""
    unseen = sorted(set(text) - set(vocab.tokens))
    if unseen:
        raise UsageError(f"{what} has {len(unseen)} character(s) the model never saw in training: {unseen[:10]!r}")
    return vocab.encode(text)


def load_charlm(path):
    """A character model saved by ``train``: ``(model, vocab, extra)``, or a ``UsageError``."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        model, extra = load_model(path, return_extra=True)
        vocab = Vocabulary.from_arrays(extra)
    except Exception as exc:  # whatever a damaged or foreign file raises, the user gets one line
        raise UsageError(f"{path} is not a character model saved by `charlm train` ({exc})") from None
    ok = (model.vocab_size == model.output_size == len(vocab) and model.head == "every"
          and model.loss == "cross_entropy")
    if not ok:
        raise UsageError(f"{path} holds an rnn_kit model, but not a character model with its vocabulary")
    return model, vocab, extra


def bits_per_character(model, ids) -> float:
    """Validation score: every id after the first predicted with all of the text before it (one stream)."""
    return evaluate_stream(model, ids, batch_size=1, seq_len=EVAL_SEQ_LEN) / math.log(2)


# ---------------------------------------------------------------- training backends


def make_trainer(backend: str, model, ids, *, batch, seq_len, optimizer, lr, max_norm, device=None):
    """``training.StreamTrainer`` (NumPy), or the same loop in PyTorch, imported only when asked for."""
    options = {"batch_size": batch, "seq_len": seq_len, "optimizer": optimizer, "lr": lr, "max_norm": max_norm}
    if backend == "numpy":
        return StreamTrainer(model, ids, **options)
    try:
        from .torch.stream import TorchStreamTrainer
    except ImportError:
        raise UsageError("--backend torch needs PyTorch: pip install 'rnn-kit[torch]'") from None
    try:
        return TorchStreamTrainer(model, ids, device=device, **options)
    except ValueError as exc:  # e.g. --device cuda on a machine without CUDA
        raise UsageError(str(exc)) from None


# ---------------------------------------------------------------- the commands


def _build_or_resume(out: Path, vocab: Vocabulary, options: dict, seed: int, log):
    """A fresh model, or the one saved at ``out`` (then it must have been trained on the same characters)."""
    if not out.exists():
        settings = {k: options[k] if options[k] is not None else DEFAULTS[k] for k in DEFAULTS}
        try:
            model = RNNModel(settings["embed"], settings["hidden"], len(vocab), vocab_size=len(vocab),
                             cell=settings["cell"], dtype=np.dtype(settings["dtype"]), rng=seed)
        except ValueError as exc:  # e.g. a cell this version of rnn_kit does not have yet
            raise UsageError(str(exc)) from None
        return model, 0
    model, saved_vocab, extra = load_charlm(out)
    if saved_vocab.tokens != vocab.tokens:
        raise UsageError(f"{out} was trained on other characters ({len(saved_vocab)}, this text has {len(vocab)}): "
                         f"resuming needs the same vocabulary; choose a new --out to start afresh")
    have = {"hidden": model.hidden_size, "embed": model.input_size, "cell": model.cell.NAME,
            "dtype": model.dtype.name}
    for key, value in options.items():
        if value is not None and value != have[key]:
            raise UsageError(f"{out} has {key} {have[key]}, but --{key} {value} was given; resuming keeps the "
                             f"saved model's shape (leave --{key} out, or choose a new --out)")
    steps_done = int(extra.get("steps", 0))
    log(f"resuming {out}: {steps_done} steps done before")
    return model, steps_done


def _split(text: str, vocab: Vocabulary, val_fraction: float, batch: int, seq_len: int):
    """Training and validation ids, or a ``UsageError`` when the text cannot fill one batch."""
    try:
        train_ids, val_ids = split_ids(vocab.encode(text), val_fraction)
    except ValueError:  # too few characters to split at all
        train_ids = val_ids = np.zeros(0, dtype=np.int64)
    if (len(train_ids) - 1) // batch < seq_len:
        need = math.ceil((batch * seq_len + 2) / (1 - val_fraction))
        raise UsageError(f"the text has {len(text)} characters, too few for one batch of {batch} streams x "
                         f"{seq_len} steps plus the validation part (about {need} needed): "
                         f"use a longer text, or a smaller --batch or --seq-len")
    return train_ids, val_ids


def train(text: str, out, *, hidden=None, embed=None, cell=None, dtype=None, seq_len: int = 100,
          batch: int = 64, steps: int | None = 2000, minutes: float | None = None, lr: float = 2e-3,
          optimizer: str = "adam", max_norm: float | None = 5.0, val_fraction: float = 0.1, seed: int = 0,
          eval_every: int = 200, backend: str = "numpy", device: str | None = None, log=print) -> float:
    """Train a character model on ``text``, keep the best one (by validation) in ``out``; return its bits/char.

    ``hidden``, ``embed``, ``cell``, ``dtype``: None means the saved model's when resuming, else
    ``DEFAULTS``. Stops after ``steps`` updates, or after ``minutes`` of wall time if given.
    """
    if steps is None and minutes is None:
        raise ValueError("give steps or minutes: when to stop training")
    out = Path(out)
    if out.suffix != ".npz":
        out = out.with_name(out.name + ".npz")
    vocab = Vocabulary.from_text(text)
    train_ids, val_ids = _split(text, vocab, val_fraction, batch, seq_len)
    options = {"hidden": hidden, "embed": embed, "cell": cell, "dtype": dtype}
    model, steps_done = _build_or_resume(out, vocab, options, seed, log)
    log(f"{len(text)} characters, {len(vocab)} distinct; training on {len(train_ids)}, validating on "
        f"{len(val_ids)}; {model!r}")
    trainer = make_trainer(backend, model, train_ids, batch=batch, seq_len=seq_len, optimizer=optimizer, lr=lr,
                           max_norm=max_norm, device=device)
    config = {"seq_len": seq_len, "batch": batch, "lr": lr, "optimizer": optimizer, "max_norm": max_norm,
              "val_fraction": val_fraction, "seed": seed, "backend": backend}
    best = bits_per_character(model, val_ids) if steps_done else math.inf
    return _train_loop(trainer, val_ids, out, vocab, best=best, steps_done=steps_done, steps=steps, minutes=minutes,
                       eval_every=eval_every, extra={"train_config": np.array(json.dumps(config))}, log=log)


def _train_loop(trainer, val_ids, out, vocab, *, best, steps_done, steps, minutes, eval_every, extra, log):
    """Step, show progress, validate every ``eval_every`` steps and at the end, save each new best model."""
    progress = sys.stderr.isatty()  # a carriage-return line only where someone is watching
    start, step, running = time.monotonic(), 0, None
    while True:
        loss = trainer.step()
        step += 1
        running = loss if running is None else 0.98 * running + 0.02 * loss  # nats per character
        elapsed = time.monotonic() - start
        if progress:
            print(f"\rstep {steps_done + step}  loss {running / math.log(2):.3f} bits/char  {elapsed:.0f} s",
                  end="", file=sys.stderr, flush=True)
        done = step >= steps if minutes is None else elapsed >= 60 * minutes
        if step % eval_every == 0 or done:
            current = trainer.numpy_model()
            val, note = bits_per_character(current, val_ids), ""
            if val < best:
                best, note = val, f"  (best: saved to {out})"
                save_model(current, out, steps=np.array(steps_done + step), val_bits_per_char=np.array(val),
                           **extra, **vocab.to_arrays())
            log(("\n" if progress else "") + f"step {steps_done + step}: train {running / math.log(2):.3f} "
                f"(running mean), validation {val:.3f} bits/char{note}")
        if done:
            return best


def cmd_train(args) -> int:
    text = read_text(args.text_file)
    best = train(text, args.out, hidden=args.hidden, embed=args.embed, cell=args.cell, dtype=args.dtype,
                 seq_len=args.seq_len, batch=args.batch, steps=args.steps, minutes=args.minutes, lr=args.lr,
                 optimizer=args.optimizer, max_norm=args.max_norm, val_fraction=args.val_fraction,
                 seed=args.seed, eval_every=args.eval_every, backend=args.backend, device=args.device)
    print(f"validation bits per character: {best:.3f}")
    return 0


def cmd_sample(args) -> int:
    model, vocab, _ = load_charlm(args.model)
    prime = args.prime if args.prime is not None else ("\n" if "\n" in vocab.tokens else vocab.tokens[0])
    if not prime:
        raise UsageError("--prime must hold at least one character")
    ids = model.sample(encode(vocab, prime, "--prime"), args.length, temperature=args.temperature, rng=args.seed)
    print(prime + vocab.decode(ids))
    return 0


def cmd_evaluate(args) -> int:
    model, vocab, _ = load_charlm(args.model)
    text = read_text(args.text_file)
    ids = encode(vocab, text, str(args.text_file))
    if len(ids) < 2:
        raise UsageError(f"{args.text_file} holds one character: nothing to predict")
    print(f"{args.text_file}: {len(ids)} characters")
    print(f"bits per character: {bits_per_character(model, ids):.3f}")
    return 0


# ---------------------------------------------------------------- command line


def _number(kind, low, strict=True):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, "
                                             f"got {text!r}") from None
        if not math.isfinite(value) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"must be {'>' if strict else '>='} {low}, got {text}")
        return value
    return parse


def _fraction(text):
    value = _number(float, 0)(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rnn_kit.charlm", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    t = commands.add_parser("train", help="train on a UTF-8 text file, keeping the best model")
    t.add_argument("text_file", type=Path)
    t.add_argument("--out", type=Path, required=True, help="model file (.npz); resumed from if it exists")
    t.add_argument("--hidden", type=_number(int, 0), help=f"hidden units (default {DEFAULTS['hidden']})")
    t.add_argument("--embed", type=_number(int, 0), help=f"embedding width (default {DEFAULTS['embed']})")
    t.add_argument("--cell", choices=CELL_NAMES, help="recurrent cell (default rnn)")
    t.add_argument("--dtype", choices=("float32", "float64"), help="(default float32)")
    t.add_argument("--seq-len", type=_number(int, 0), default=100, help="BPTT steps per chunk (default 100)")
    t.add_argument("--batch", type=_number(int, 0), default=64, help="parallel streams (default 64)")
    stop = t.add_mutually_exclusive_group()
    stop.add_argument("--steps", type=_number(int, 0), default=2000, help="updates (default 2000)")
    stop.add_argument("--minutes", type=_number(float, 0), help="train for this wall time instead")
    t.add_argument("--lr", type=_number(float, 0), default=2e-3, help="learning rate (default 2e-3)")
    t.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam")
    t.add_argument("--max-norm", type=_number(float, 0), default=5.0, help="gradient clipping (default 5)")
    t.add_argument("--val-fraction", type=_fraction, default=0.1, help="held-out end of the text (default 0.1)")
    t.add_argument("--eval-every", type=_number(int, 0), default=200, help="validate every N steps (default 200)")
    t.add_argument("--seed", type=_number(int, 0, strict=False), default=0)
    t.add_argument("--backend", choices=BACKENDS, default="numpy")
    t.add_argument("--device", help="with --backend torch: cpu, cuda, ... (default: cuda when available)")
    t.set_defaults(run=cmd_train)

    s = commands.add_parser("sample", help="generate text from a trained model")
    s.add_argument("model", type=Path)
    s.add_argument("--prime", help="text fed through the model first (default: a newline)")
    s.add_argument("--length", type=_number(int, 0, strict=False), default=500)
    s.add_argument("--temperature", type=_number(float, 0), default=0.7)
    s.add_argument("--seed", type=_number(int, 0, strict=False), default=0)
    s.set_defaults(run=cmd_sample)

    e = commands.add_parser("evaluate", help="bits per character of a model on a text file")
    e.add_argument("model", type=Path)
    e.add_argument("text_file", type=Path)
    e.set_defaults(run=cmd_evaluate)
    return parser


def main(argv=None) -> int:
    """Run one command; return the exit status (0 ok, 1 bad input, 2 bad arguments, 130 interrupted)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train" and args.minutes is not None:
            args.steps = None
        if getattr(args, "device", None) and args.backend != "torch":
            raise UsageError("--device needs --backend torch (NumPy computes on the CPU)")
        return args.run(args)
    except SystemExit as exc:  # argparse has printed its usage message already
        return exc.code
    except UsageError as exc:
        print(f"charlm: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncharlm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
