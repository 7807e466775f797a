"""Lazy lab14_flash_attention submission, Part 1(a): redteam_logaddexp_reduce hidden one step further -- NumPy's
np.logaddexp.reduce is bound once at the top of the cell, inside a functools.partial kept in a list, so logsumexp's
own code names neither np.logaddexp nor anything a source check resolves to it, and the call goes through the partial
(no profile event names the ufunc). refers_to follows the values logsumexp reaches (the list, the partial, the bound
method's owner) and finds np.logaddexp: Part 1(a) scores 0."""

KIND = "lazy: np.logaddexp.reduce behind a partial in a list"
BASE = "reference"
FAIL = {"test_softmax"}

CELLS = {
    "softmax": r'''
import functools

_REDUCERS = [functools.partial(np.logaddexp.reduce)]


def logsumexp(x, axis=-1):
    return _REDUCERS[0](np.asarray(x, dtype=np.float64), axis=axis)


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x - np.expand_dims(logsumexp(x, axis), axis))
''',
}
