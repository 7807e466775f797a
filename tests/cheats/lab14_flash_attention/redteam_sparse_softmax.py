"""Lazy lab14_flash_attention submission, Part 1(a) (red team): softmax and logsumexp handed to PyTorch's *sparse*
softmax and log-softmax (every entry stored explicitly in a COO tensor; logsumexp read off as x - log_softmax(x) at
the row maximum). They dispatch to aten::_sparse_softmax / aten::_sparse_log_softmax, which used to be missing from
attention_shortcuts() (graded 5/5). The shortcuts now switch off every softmax-like operator the dispatcher has
(sparse, nested, special_*, masked backward, logaddexp, softplus, log-sigmoid...): Part 1(a) scores 0.
"""

KIND = 'lazy: torch.sparse.softmax / log_softmax'
BASE = "reference"
FAIL = {'test_softmax'}

CELLS = {
    "softmax": r'''
def _sparse_rows(x, axis, log):
    """Rows of x along axis through PyTorch's sparse (log-)softmax, every entry stored explicitly."""
    moved = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    flat = torch.from_numpy(np.ascontiguousarray(moved.reshape(-1, moved.shape[-1])))
    idx = torch.ones_like(flat).to_sparse().indices()
    sparse = torch.sparse_coo_tensor(idx, flat[idx[0], idx[1]], flat.shape, check_invariants=True)
    fn = torch.sparse.log_softmax if log else torch.sparse.softmax
    return fn(sparse, 1).to_dense().numpy().reshape(moved.shape), moved


def softmax(x, axis=-1):
    rows, _ = _sparse_rows(x, axis, False)
    return np.moveaxis(rows, -1, axis)


def logsumexp(x, axis=-1):
    rows, moved = _sparse_rows(x, axis, True)
    j = np.argmax(moved, axis=-1)[..., None]
    top = np.take_along_axis(moved, j, -1)[..., 0]
    with np.errstate(invalid="ignore"):
        out = top - np.take_along_axis(rows, j, -1)[..., 0]
    return np.where(np.isneginf(top), -np.inf, out)
''',
}
