"""Lazy lab14_flash_attention submission, Part 1(a): softmax and logsumexp are SciPy's. They are correct and stable,
so the visible test passes; the hidden test switches them off (by identity, under any name) and Part 1(a) scores 0."""

KIND = "lazy: scipy.special.softmax / logsumexp"
BASE = "reference"
FAIL = {"test_softmax"}

CELLS = {
    "softmax": r'''
from scipy.special import logsumexp as _lse, softmax as _softmax


def softmax(x, axis=-1):
    return _softmax(np.asarray(x, dtype=np.float64), axis=axis)


def logsumexp(x, axis=-1):
    return _lse(np.asarray(x, dtype=np.float64), axis=axis)
''',
}
