"""Red team (regression of redteam_hidden_logaddexp): np.logaddexp.reduce kept in a functools.partial in a dict.

_OPS = {"lse": functools.partial(np.logaddexp.reduce, axis=1)} at the top of the cell: the loss's code names
neither np.logaddexp nor a subscript of a known module, and a partial calls the bound method from C, where
Python's profile hook does not report it (so forbidden(np.logaddexp) cannot see the call at run time).
What catches it: refers_to(softmax_cross_entropy, (np.logaddexp, ...)) in test_softmax_cross_entropy follows the
global _OPS to the dict, the partial, the bound method and the ufunc it belongs to.
"""
KIND = 'lazy: np.logaddexp.reduce in a partial kept in a dict'
BASE = "reference"
FAIL = {'test_softmax_cross_entropy'}

CELLS = {
    'softmax_ce': r'''import functools

_OPS = {"lse": functools.partial(np.logaddexp.reduce, axis=1)}


def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy; the stable log-sum-exp is a library reduction kept in a table."""
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError("logits must be 2-D")
    n, c = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be N integers")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError("labels out of range")
    z = logits.data
    lse = _OPS["lse"](z)
    rows = np.arange(n)
    p = np.exp(z - lse[:, None])
    out = Tensor(np.mean(lse - z[rows, labels]), (logits,), "softmax_cross_entropy")

    def backward_fn(g):
        d = p.copy()
        d[rows, labels] -= 1.0
        logits._accumulate(d * (g / n))
    out.backward_fn = backward_fn
    return out
''',
}
