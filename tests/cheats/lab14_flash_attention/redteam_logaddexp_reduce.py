"""Lazy lab14_flash_attention submission, Part 1(a) (red team): logsumexp is NumPy's ufunc method
np.logaddexp.reduce -- a library log-sum-exp, stable by construction, the same shortcut as scipy's logsumexp --
and softmax is exp(x - logsumexp(x)). No maximum is subtracted anywhere by the student. It used to score 5/5: the
hidden test switched off SciPy's and PyTorch's softmax/logsumexp but not this one. Now NumPy's and SciPy's two-number
log-sum-exps (np.logaddexp, np.logaddexp2, scipy.special.log_expit and softplus) are refused by identity -- in the
code (check_source), among the values the code reaches (refers_to: an alias, a list, a partial) and at run time
(any method of those ufuncs, seen by a profile hook): Part 1(a) scores 0.
"""

KIND = 'lazy: np.logaddexp.reduce as logsumexp'
BASE = "reference"
FAIL = {'test_softmax'}

CELLS = {
    "softmax": r'''
def logsumexp(x, axis=-1):
    return np.logaddexp.reduce(np.asarray(x, dtype=np.float64), axis=axis)


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x - np.expand_dims(logsumexp(x, axis), axis))
''',
}
