"""Unit tests of aisys.models: the shipped digits CNN loads, classifies well, rejects bad input."""
import numpy as np
import pytest
import torch

from aisys.data import load_digits
from aisys.models import DigitsCNN, accuracy, load_digits_cnn, predict


@pytest.fixture(scope="module")
def digits():
    return load_digits(images=True)


def test_loads_in_eval_mode_on_cpu():
    model = load_digits_cnn()
    assert isinstance(model, DigitsCNN)
    assert not model.training
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) < 50_000


def test_each_load_is_an_independent_copy():
    a, b = load_digits_cnn(), load_digits_cnn()
    with torch.no_grad():
        a.conv1.weight.zero_()
    assert b.conv1.weight.abs().sum() > 0


def test_test_accuracy_above_threshold(digits):
    X_train, X_test, y_train, y_test = digits
    model = load_digits_cnn()
    assert accuracy(model, X_test, y_test) >= 0.96
    assert accuracy(model, X_train, y_train) >= 0.98


def test_output_shape_and_predict(digits):
    X_test = digits[1]
    model = load_digits_cnn()
    with torch.no_grad():
        logits = model(torch.from_numpy(X_test[:5]))
    assert logits.shape == (5, 10)
    pred = predict(model, X_test[:5])
    assert pred.dtype == np.int64 and pred.shape == (5,)
    assert np.array_equal(pred, logits.argmax(1).numpy())


@pytest.mark.parametrize("shape", [(5, 64), (5, 8, 8), (5, 3, 8, 8), (5, 1, 28, 28)])
def test_wrong_shape_raises(shape):
    model = load_digits_cnn()
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        model(torch.zeros(shape))


def test_bad_arguments_raise(digits, tmp_path):
    X_test, y_test = digits[1], digits[3]
    model = load_digits_cnn()
    with pytest.raises(ValueError):
        accuracy(model, X_test, y_test[:-1])
    with pytest.raises(ValueError):
        DigitsCNN(c1=0)
    with pytest.raises(ValueError):
        load_digits_cnn(tmp_path / "missing.pt")
    with pytest.raises(ValueError):
        model(np.zeros((1, 1, 8, 8), dtype=np.float32))
