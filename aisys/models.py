"""Small trained models shipped with the course (no downloads, ever).

:class:`DigitsCNN` is a two-convolution network for the 8×8 digits set
(:func:`aisys.data.load_digits` with ``images=True``). Its trained weights are
``data/digits_cnn.pt``, written by ``data/train_digits_cnn.py`` (deterministic,
about ten seconds on a CPU). The compression notebook and labs quantize, prune and
distil this model::

    from aisys.models import load_digits_cnn, accuracy
    model = load_digits_cnn()                        # eval mode, CPU
    X_train, X_test, y_train, y_test = aisys.data.load_digits(images=True)
    print(accuracy(model, X_test, y_test))           # ≈ 0.98
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

#: File name of the trained weights inside ``data/``.
WEIGHTS = "digits_cnn.pt"


class DigitsCNN(nn.Module):
    """conv3×3(1→c1) → ReLU → conv3×3(c1→c2) → ReLU → maxpool 2 → flatten → linear(c2·16→hidden)
    → ReLU → linear(hidden→10).

    Input: float tensor (N, 1, 8, 8) with pixels in [0, 1]; output: (N, 10) logits.
    The attribute names (``conv1``, ``conv2``, ``fc1``, ``fc2``) are what the labs refer to.
    """

    def __init__(self, c1: int = 8, c2: int = 16, hidden: int = 32):
        super().__init__()
        for name, value in (("c1", c1), ("c2", c2), ("hidden", hidden)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.c1, self.c2, self.hidden = c1, c2, hidden
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(c2 * 16, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened (N, c2·16) activations after the convolutions and pooling."""
        _check_images(x)
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.pool(x).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(self.features(x))))


def _check_images(x) -> None:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"expected a torch.Tensor of shape (N, 1, 8, 8), got {type(x).__name__}")
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 8, 8):
        raise ValueError(f"expected images of shape (N, 1, 8, 8), got {tuple(x.shape)}; "
                         "use aisys.data.load_digits(images=True)")


def load_digits_cnn(path: str | Path | None = None) -> DigitsCNN:
    """The trained :class:`DigitsCNN` in eval mode on the CPU, from ``data/digits_cnn.pt``
    (or ``path``). Each call returns a fresh copy, so changing it (pruning, quantizing)
    never affects another caller."""
    if path is None:
        from .data import data_path
        path = data_path(WEIGHTS)
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no weights file at {path}; run data/train_digits_cnn.py to create it")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or "state_dict" not in saved or "config" not in saved:
        raise ValueError(f"{path} is not a DigitsCNN checkpoint (expected keys 'config' and 'state_dict')")
    model = DigitsCNN(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()


@torch.no_grad()
def predict(model: nn.Module, X) -> np.ndarray:
    """Predicted class (int64 array of length N) for images X of shape (N, 1, 8, 8)."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float32)) if not isinstance(X, torch.Tensor) else X
    _check_images(X)
    was_training = model.training
    model.eval()
    try:
        return model(X).argmax(1).cpu().numpy()
    finally:
        model.train(was_training)


def accuracy(model: nn.Module, X, y) -> float:
    """Fraction of images in X (N, 1, 8, 8) that ``model`` classifies as their label y (N,)."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must be a 1-D array with one label per image ({len(X)}), got shape {y.shape}")
    return float((predict(model, X) == y).mean())
