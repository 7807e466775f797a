"""Red team: Part C's stable log-sum-exp from np.logaddexp.reduce, reached through a dict.

The part refuses a loss whose code uses np.logaddexp (check_source reads the syntax tree and resolves names and
attributes against the function's globals). Here the ufunc is stored in a module-level dict,
_STABLE = {"lse": np.logaddexp}, and the loss calls _STABLE["lse"].reduce(z, axis=1): a Subscript, which
check_source does not resolve, so the stabilisation the part asks the student to write (subtract the row
maximum) is done by NumPy. np.logaddexp is a ufunc, so forbidden() cannot switch it off at run time either.
Checked before the fix (course.py check, other parts from alt_recursive_rules, combo build):
test_softmax_cross_entropy 15/15.
What catches it now (test_softmax_cross_entropy, 0/15): refers_to(softmax_cross_entropy, (np.logaddexp,
np.logaddexp2, ...)) follows the global _STABLE the loss names into the dict and finds np.logaddexp; our_loss also
runs under forbidden(np.logaddexp, np.logaddexp2), which refuses their reduce/accumulate/outer/at/reduceat calls
(the profile hook sees the bound method and the ufunc it belongs to). Regressions: a functools.partial (called
from C, so the run-time hook cannot see it; refers_to does), redteam_logaddexp_partial; the ufunc fetched by a
computed name inside the loss and called directly (forbidden's stub does), redteam_logaddexp_attrgetter.
"""

KIND = 'lazy: np.logaddexp hidden in a dict'
BASE = "reference"
FAIL = {'test_softmax_cross_entropy'}

CELLS = {
    'softmax_ce': r'''_STABLE = {"lse": np.logaddexp}   # reached through a dict: the source check resolves only names and attributes


def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy; the stable log-sum-exp is NumPy's logaddexp.reduce (no max subtracted)."""
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
    lse = _STABLE["lse"].reduce(z, axis=1)
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
