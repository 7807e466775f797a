"""Lazy lab14_flash_attention submission, Part 1(a) (red team): logsumexp is NumPy's ufunc method
np.logaddexp.reduce -- a library log-sum-exp, stable by construction, the same shortcut as scipy's logsumexp --
and softmax is exp(x - logsumexp(x)). No maximum is subtracted anywhere by the student. The hidden test switches
off SciPy's and PyTorch's softmax/logsumexp but not this one: graded 5/5. Part 1(a) must score 0.
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
