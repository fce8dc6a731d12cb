"""Everything of rnn_kit that needs PyTorch, in one folder: nothing outside it imports torch.

    rnn_kit.torch.models   SequenceModel / Forecaster and exact copies to and from RNNModel
    rnn_kit.torch.data     seeded DataLoaders over rnn_kit.data arrays
    rnn_kit.torch.train    fit (early stopping, best-epoch restore), predict, rollout
    rnn_kit.torch.charlm   stream loaders, carried-state training and sampling (notebook 5)
    rnn_kit.torch.classify padded name batches, epoch loop with best-epoch restore (notebook 7)
    rnn_kit.torch.stream   truncated BPTT matching rnn_kit.training.StreamTrainer (charlm --backend torch)

``import rnn_kit`` never imports this subpackage; import it where PyTorch is installed.
"""

from __future__ import annotations

import torch


def pick_device(prefer: str | None = None) -> torch.device:
    """The one device rule of the course: ``prefer`` when given, else CUDA when available, else CPU.

    Notes
    -----
    ``rnn_kit.notebook.setup(use_torch=True)`` calls it in every PyTorch notebook's Setup cell.
    """
    if prefer is not None:
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_torch(seed: int) -> torch.device:
    """Seed torch (CPU and every CUDA device), use one CPU thread, and return ``pick_device()``.

    One thread: for models this small a second thread gains little and slows every step when
    the other core is busy.
    """
    torch.manual_seed(seed)
    device = pick_device()
    if device.type == "cpu":
        torch.set_num_threads(1)
    return device
