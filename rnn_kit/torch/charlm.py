"""Character language models in PyTorch: the stream as a DataLoader, truncated BPTT, bits per character.

    StreamChunks, stream_loader   the chunks of ``rnn_kit.data.stream_batches`` as a Dataset / DataLoader
    RNNCellLM                     embedding -> an ``nn.RNNCell`` looped over time by hand -> linear
    detach_state                  keep a state's values, cut its graph (the truncation of truncated BPTT)
    progress_bar                  a tqdm progress bar for fit_stream, when tqdm is installed
    fit_stream                    Adam + clipping over the stream, the state carried from chunk to chunk
    bits_per_character            the validation figure, every character predicted once with all its context
    sample                        generate after reading the whole prime

The models are ``rnn_kit.torch.models.SequenceModel(..., vocab_size=V, head="every")`` (``nn.RNN``,
``nn.LSTM`` or ``nn.GRU``) or ``RNNCellLM``: each maps ids (N, T) and a state to logits (N, T, V)
and the next state. Part of ``rnn_kit.torch``, the one folder that imports torch. Taught in
``notebooks/05_text_generation_pytorch.ipynb``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from .._checks import as_int_array, as_rng, check_positive
from ..data.text import stream_batches
from ..sampling import check_sample_args, next_id
from .models import SequenceModel

# ---------------------------------------------------------------- the stream as a DataLoader


class StreamChunks(Dataset):
    """Chunk ``k`` of a token stream cut into ``batch_size`` parallel streams: ``(inputs, targets)``, (N, T) each.

    Each item is already a whole batch: row n of chunk k continues row n of chunk k - 1, so a
    model can carry its state from one item to the next. The chunks are exactly those of
    ``rnn_kit.data.stream_batches`` (the last one may be shorter in T). Read them in order:
    shuffling would hand each row a state that belongs to another part of the text.

    Examples
    --------
    >>> chunks = StreamChunks(np.arange(21), batch_size=2, seq_len=4)
    >>> len(chunks), [tuple(t.shape) for t in chunks[2]]
    (3, [(2, 2), (2, 2)])
    >>> chunks[0][0].tolist(), chunks[0][1].tolist()
    ([[0, 1, 2, 3], [10, 11, 12, 13]], [[1, 2, 3, 4], [11, 12, 13, 14]])
    """

    def __init__(self, ids, batch_size: int, seq_len: int):
        self.chunks = [(torch.as_tensor(x), torch.as_tensor(y)) for x, y in stream_batches(ids, batch_size, seq_len)]

    def __len__(self) -> int:
        return len(self.chunks)

    def __getitem__(self, k):
        return self.chunks[k]


def stream_loader(ids, batch_size: int, seq_len: int) -> DataLoader:
    """A ``DataLoader`` over ``StreamChunks``: ``batch_size=None`` (each item is a batch), never shuffled."""
    return DataLoader(StreamChunks(ids, batch_size, seq_len), batch_size=None, shuffle=False)


# ---------------------------------------------------------------- the manual loop over time


class RNNCellLM(nn.Module):
    """Embedding -> ``nn.RNNCell`` stepped through time in a Python loop -> linear: ``nn.RNN`` written out.

    Same arguments, outputs and state layout as ``SequenceModel(input_size, hidden_size, vocab_size,
    vocab_size=vocab_size)``: ``forward(ids, h0)`` returns logits (N, T, V) and ``h_n`` (1, N, H).
    """

    def __init__(self, vocab_size: int, input_size: int, hidden_size: int):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("input_size", input_size), ("hidden_size", hidden_size)]:
            check_positive(name, value, integer=True)
        self.embedding = nn.Embedding(vocab_size, input_size)
        self.cell = nn.RNNCell(input_size, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)

    @classmethod
    def from_sequence_model(cls, tm: SequenceModel) -> RNNCellLM:
        """A copy of a one-layer ``SequenceModel(cell="rnn", vocab_size=V)``: same weights, same outputs."""
        if not isinstance(tm, SequenceModel) or tm.embedding is None or tm.cell != "rnn" or tm.rnn.num_layers != 1:
            raise ValueError("from_sequence_model needs a one-layer SequenceModel(cell='rnn', vocab_size=...)")
        if tm.rnn.nonlinearity != "tanh":
            raise ValueError(f"RNNCellLM uses tanh, got a model with nonlinearity={tm.rnn.nonlinearity!r}")
        model = cls(tm.embedding.num_embeddings, tm.rnn.input_size, tm.rnn.hidden_size)
        model = model.to(device=tm.head.weight.device, dtype=tm.head.weight.dtype)
        with torch.no_grad():
            model.embedding.weight.copy_(tm.embedding.weight)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(model.cell, name).copy_(getattr(tm.rnn, name + "_l0"))
            model.head.load_state_dict(tm.head.state_dict())
        return model

    def forward(self, ids: torch.Tensor, h0=None):
        """``ids`` (N, T) -> logits (N, T, V) and the last state (1, N, H)."""
        x = self.embedding(ids)  # (N, T) -> (N, T, D)
        h_t = None if h0 is None else h0[0]  # (N, H); None starts from zeros
        states = []
        for t in range(x.shape[1]):  # the loop nn.RNN runs inside one call
            h_t = self.cell(x[:, t], h_t)  # h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
            states.append(h_t)
        h = torch.stack(states, dim=1)  # (N, T, H)
        return self.head(h), h_t[None]  # (N, T, V), (1, N, H)


# ---------------------------------------------------------------- training


def detach_state(state):
    """The same values without their history: gradients stop here. Handles ``None``, tensors and LSTM pairs."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _vocab_size(model) -> int:
    """V of a character model (its embedding's rows), after checking it is one."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    embedding = getattr(model, "embedding", None)
    if not isinstance(embedding, nn.Embedding) or getattr(model, "head_mode", "every") != "every":
        raise ValueError("a character model needs SequenceModel(..., vocab_size=V, head='every') or RNNCellLM")
    if getattr(model, "bidirectional", False):
        raise ValueError("a bidirectional model reads the characters it should predict: use bidirectional=False")
    return embedding.num_embeddings


def progress_bar(steps: int, desc: str = ""):
    """A ``fit_stream`` callback that draws a progress bar with the running loss, or None without tqdm.

    Uses ``tqdm.auto`` when it is installed (as on Colab and Kaggle) and otherwise returns ``None``:
    training then runs silently, and rnn_kit needs no extra dependency.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(total=steps, desc=desc)

    def callback(step, loss):
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        if step >= steps:
            bar.close()

    return callback


def fit_stream(model: nn.Module, ids, *, steps: int, batch_size: int, seq_len: int, lr: float = 3e-3,
               max_norm: float | None = 5.0, carry_state: bool = True, device="cpu", callback=None) -> list[float]:
    """Truncated BPTT with Adam over a long id stream for ``steps`` updates; the training loss of each chunk.

    Parameters
    ----------
    model : nn.Module
        ``SequenceModel(..., vocab_size=V, head="every")`` or ``RNNCellLM``, already on ``device``.
    ids : ndarray of int, shape (L,)
        The training stream, read through ``stream_loader(ids, batch_size, seq_len)``; after the last
        chunk the streams start again from the beginning with a fresh (zero) state.
    steps : int
        Updates, one chunk each (budget in steps, not seconds, so runs repeat).
    batch_size, seq_len : int
        N parallel streams, T steps per chunk: gradients reach back at most ``seq_len`` steps.
    lr : float
        Adam's learning rate.
    max_norm : float or None
        Clip the global gradient norm (``None``: no clipping).
    carry_state : bool
        Start each chunk from the previous chunk's final state, detached (True), or from zeros.
    device : str or torch.device
        Where the chunks are sent; the model must already be there.
    callback : callable, optional
        ``callback(step, loss)`` after every update (1-based step, loss a float), e.g. for progress.

    Returns
    -------
    list of float
        Mean cross-entropy (nats per character) of every chunk, before its update.

    Notes
    -----
    The PyTorch twin of ``rnn_kit.training.fit_stream``. The state is detached after every chunk:
    its values go on, the graph behind it is dropped, so backward never runs into an earlier chunk
    (and memory stays constant). Taught in ``notebooks/05_text_generation_pytorch.ipynb``.
    """
    check_positive("steps", steps, integer=True)
    ids = as_int_array("ids", ids, 0, _vocab_size(model), ndim=1)
    loader = stream_loader(ids, batch_size, seq_len)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses, state, chunks = [], None, iter(())
    while len(losses) < steps:
        chunk = next(chunks, None)
        if chunk is None:  # a new pass over the text: the streams restart, and so does the state
            chunks, state = iter(loader), None
            continue
        x, y = (t.to(device, non_blocking=True) for t in chunk)
        logits, new_state = model(x, state if carry_state else None)  # (N, T, V)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # BPTT through this chunk only
        if max_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        state = detach_state(new_state)  # the values go on; the graph is cut here
        losses.append(loss.detach())
        if callback is not None:
            callback(len(losses), losses[-1].item())
    return torch.stack(losses).cpu().tolist()  # one transfer at the end: no per-step GPU sync


# ---------------------------------------------------------------- evaluation and sampling


def bits_per_character(model: nn.Module, ids, *, batch_size: int = 1, seq_len: int = 100, device="cpu") -> float:
    """Mean cross-entropy of ``model`` over a whole stream, in bits per character, state carried.

    Every id after the first of each of the ``batch_size`` parallel streams is predicted once,
    with all of its stream's earlier ids as context: the same positions as
    ``rnn_kit.training.evaluate_stream``, which returns nats (divide by ln 2 to compare).
    The sum is taken in float64.
    """
    ids = as_int_array("ids", ids, 0, _vocab_size(model), ndim=1)
    was_training, total, count, state = model.training, 0.0, 0, None
    model.eval()
    with torch.no_grad():
        for x, y in stream_loader(ids, batch_size, seq_len):
            logits, state = model(x.to(device), state)  # (N, T, V)
            log_p = torch.log_softmax(logits.double(), dim=-1)
            total -= log_p.gather(-1, y.to(device)[..., None]).sum().item()
            count += y.numel()
    model.train(was_training)
    return total / count / math.log(2)


def sample(model: nn.Module, prime, n: int, *, temperature: float = 1.0, rng=None, device="cpu") -> np.ndarray:
    """Generate ``n`` ids after reading the **whole** ``prime``, as ``rnn_kit.sampling.sample`` does.

    The probabilities ``softmax(logits / temperature)`` are computed in float64 and drawn from with a
    NumPy generator (``rng``: a Generator, a seed, or None), so a seed gives the same text on any device
    up to rounding. A temperature below 1e-6 takes the argmax.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    V = _vocab_size(model)
    prime = check_sample_args(prime, n, temperature, V)
    rng, was_training = as_rng(rng), model.training
    model.eval()
    out = np.empty(n, dtype=np.int64)
    with torch.no_grad():
        logits, state = model(torch.as_tensor(prime, device=device)[None])  # read the whole prime
        for i in range(n):
            out[i] = next_id(logits[0, -1].double().cpu().numpy(), temperature, rng)  # the NumPy sampler's draw
            logits, state = model(torch.as_tensor(out[i : i + 1], device=device)[None], state)
    model.train(was_training)
    return out
