"""The Setup step shared by every notebook: seed every generator, pick the device."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._checks import check_int


class Setup(NamedTuple):
    """What a notebook needs after setup."""

    rng: np.random.Generator
    device: str  # "cuda" or "cpu"; "cpu" for NumPy-only notebooks
    seed: int


def setup(seed: int = 0, *, use_torch: bool = False) -> Setup:
    """Seed Python's ``random`` (and PyTorch), make the notebook's NumPy generator, choose the device.

    Parameters
    ----------
    seed : int >= 0
    use_torch : bool
        Also seed torch (CPU and CUDA) and pick CUDA when available. On the CPU torch
        is limited to one thread: for models this small a second thread gains little
        and slows steps down when the other core is busy.

    Returns
    -------
    Setup
        ``rng`` is a fresh ``np.random.Generator(seed)``. Pass ``rng`` (or seeds) to every
        function that draws random numbers: rng=None is not repeatable. rnn_kit never
        uses NumPy's global generator, so ``rng=None`` means fresh entropy on every call,
        whatever seed was set up here (NumPy's convention).
    """
    check_int("seed", seed, low=0)
    random.seed(seed)
    device = "cpu"
    if use_torch:
        from .torch import seed_torch  # the one device rule; only here does the NumPy side reach torch

        device = seed_torch(seed).type
    return Setup(np.random.default_rng(seed), device, seed)


def assets_dir() -> Path | None:
    """The repository's ``assets/`` folder when running from a checkout, else None (e.g. Colab)."""
    here = Path.cwd()
    for folder in (here, *here.parents[:2]):
        if (folder / "assets").is_dir() and (folder / "rnn_kit").is_dir():
            return folder / "assets"
    return None


def save_figure(fig, filename: str) -> None:
    """Save ``fig`` as ``assets/<filename>`` (where the README shows it), only when regenerating on purpose.

    Only ``scripts/run_notebooks.py`` sets ``RNN_KIT_WRITE_ASSETS=1``: a test run, or a learner
    running a notebook, never rewrites a tracked file. Written with fixed metadata so that
    regenerating reproduces the same file. Returns nothing, so a notebook cell ending with it
    shows only the figure.
    """
    folder = assets_dir()
    if folder is not None and os.environ.get("RNN_KIT_WRITE_ASSETS") == "1":
        fig.savefig(folder / filename, dpi=100, bbox_inches="tight", metadata={"Software": None})
