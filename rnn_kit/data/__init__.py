"""Data helpers: time series and windows, scalers and baselines, characters, labelled text, n-grams.

NumPy only; ``rnn_kit.torch.data`` turns these arrays into PyTorch loaders.
"""

from .baselines import LinearAR, mae, mse, persistence, training_mean, window_mean
from .corpus import TINY_SHAKESPEARE, DownloadError, RemoteFile, load_corpus, python_docs_text
from .labelled import (
    encode_dataset,
    encode_labels,
    encode_padded,
    load_surnames,
    majority_accuracy,
    stratified_split,
    text_vocabulary,
)
from .leakage import assert_held_out, shared_windows
from .ngram import NGramModel
from .ngram_classifier import NgramNaiveBayes, char_ngrams
from .real import load_co2, load_weather
from .scaling import MinMaxScaler, StandardScaler
from .series import multivariate_series, sine_wave, trend_seasonal
from .text import Vocabulary, bigram_successors, random_windows, split_ids, stream_batches
from .windows import SeriesSplit, chronological_split, make_windows, window_indices

__all__ = [
    "TINY_SHAKESPEARE",
    "DownloadError",
    "LinearAR",
    "MinMaxScaler",
    "NGramModel",
    "NgramNaiveBayes",
    "RemoteFile",
    "SeriesSplit",
    "StandardScaler",
    "Vocabulary",
    "assert_held_out",
    "bigram_successors",
    "char_ngrams",
    "chronological_split",
    "encode_dataset",
    "encode_labels",
    "encode_padded",
    "load_co2",
    "load_corpus",
    "load_surnames",
    "load_weather",
    "mae",
    "majority_accuracy",
    "make_windows",
    "mse",
    "multivariate_series",
    "persistence",
    "python_docs_text",
    "random_windows",
    "shared_windows",
    "sine_wave",
    "split_ids",
    "stratified_split",
    "stream_batches",
    "text_vocabulary",
    "training_mean",
    "trend_seasonal",
    "window_indices",
    "window_mean",
]
