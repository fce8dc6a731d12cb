"""rnn-kit: recurrent neural networks from scratch in NumPy, proven against PyTorch.

``import rnn_kit`` needs only NumPy; the PyTorch models live in ``rnn_kit.torch.models``.
"""

from .cells.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .checkpoint import load_model, save_model
from .gradcheck import check_model_gradients, numerical_gradient, numerical_gradient_array, rel_error
from .layers import (
    embedding_backward,
    embedding_forward,
    embedding_projection_backward,
    embedding_projection_forward,
    last_step_backward,
    last_step_forward,
    temporal_affine_backward,
    temporal_affine_forward,
)
from .losses import mse_loss, softmax, softmax_cross_entropy
from .model import RNNModel
from .optim import SGD, Adagrad, Adam, clip_grad_norm, clip_grad_value, global_norm
from .sampling import sample
from .training import evaluate_stream, fit_batch, fit_stream

__version__ = "0.1.0"

__all__ = [
    "SGD", "Adagrad", "Adam", "RNNModel",
    "check_model_gradients", "clip_grad_norm", "clip_grad_value",
    "embedding_backward", "embedding_forward", "embedding_projection_backward", "embedding_projection_forward",
    "evaluate_stream", "fit_batch", "fit_stream", "global_norm", "last_step_backward", "last_step_forward",
    "load_model", "mse_loss",
    "numerical_gradient", "numerical_gradient_array", "rel_error",
    "rnn_backward", "rnn_forward", "rnn_step_backward", "rnn_step_forward",
    "sample", "save_model", "softmax", "softmax_cross_entropy",
    "temporal_affine_backward", "temporal_affine_forward",
]
