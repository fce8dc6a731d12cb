"""Recurrent cells. Each module offers the same small interface (see ``rnn.py``)."""
