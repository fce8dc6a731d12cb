"""Recurrent cells, one module each, all with the same small interface (see ``rnn.py``).

``RNNModel(cell=...)``, ``load_model`` and the PyTorch converters look a cell up here by name.
"""

from __future__ import annotations

from . import gru, lstm, rnn

CELLS = {cell.NAME: cell for cell in (rnn, lstm, gru)}


def get_cell(name):
    """The cell module registered under ``name``, or a ValueError listing the known ones."""
    if name not in CELLS:
        raise ValueError(f"cell must be one of {tuple(CELLS)}, got {name!r}")
    return CELLS[name]
