"""Red team (regression of redteam_hidden_logaddexp): np.logaddexp looked up by a computed name and called directly.

Inside the loss, operator.attrgetter("logadd" + "exp")(np) fetches the ufunc at run time (no name in the code,
nothing kept in a global, a default or a closure; a plain getattr with a computed name on a module is refused by
the grading policy, and so is operator.attrgetter at the top of a cell -- but not after an import inside the
function) and functools.reduce folds it over the columns: lse = logaddexp(logaddexp(z0, z1), z2)... -- a direct
call of the ufunc object, which Python's profile hook does not report, so neither check_source, refers_to nor the
hook on ufunc methods sees it.
What catches it: forbidden(np.logaddexp, np.logaddexp2) in our_loss binds a refusing stub in place of the ufunc in
every module that binds it by name (numpy and its submodules) while the loss runs, so the name looked up at run
time is the stub (test_softmax_cross_entropy, 0/15).
"""
KIND = 'lazy: np.logaddexp fetched by a computed name and folded pairwise'
BASE = "reference"
FAIL = {'test_softmax_cross_entropy'}

CELLS = {
    'softmax_ce': r'''import functools


def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy; the stable log-sum-exp folds a library two-number log-sum-exp over the columns."""
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
    import operator
    pair = operator.attrgetter("logadd" + "exp")(np)
    lse = functools.reduce(pair, z.T)
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
