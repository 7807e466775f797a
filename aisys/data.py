"""Course data: files shipped in ``data/`` and the digits set (no downloads, ever).

``data/`` is found next to the ``aisys`` package (an editable install or a
clone on Colab); set ``AISYS_DATA`` to point somewhere else.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import ROOT


def data_dir() -> Path:
    """The folder holding the course's data files."""
    folder = Path(os.environ.get("AISYS_DATA", ROOT / "data"))
    if not folder.is_dir():
        raise FileNotFoundError(f"course data folder not found at {folder}; clone the whole course "
                                "repository or set AISYS_DATA to its data/ folder")
    return folder


def data_path(name: str) -> Path:
    """Path of ``name`` inside ``data/``; raises if it is not there."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty file name inside data/, got {name!r}")
    path = data_dir() / name
    if not path.exists():
        available = sorted(p.name for p in data_dir().iterdir() if not p.name.startswith("."))
        raise FileNotFoundError(f"{name!r} is not in {data_dir()}; available: {available}")
    return path


def load_digits(test_fraction: float = 0.25, seed: int = 0, images: bool = False):
    """sklearn's 8×8 handwritten digits (1,797 samples, shipped with scikit-learn),
    scaled to [0, 1] float32 and split once, reproducibly, stratified by class.

    Returns ``(X_train, X_test, y_train, y_test)``; X has shape (n, 64), or
    (n, 1, 8, 8) with ``images=True``; y is int64 in 0..9.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    from sklearn.datasets import load_digits as _sk_load_digits
    from sklearn.model_selection import train_test_split

    digits = _sk_load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return tuple(train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=y))
