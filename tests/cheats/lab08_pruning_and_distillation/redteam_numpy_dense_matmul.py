"""Red team: nm_matmul rebuilds the dense W in NumPy and multiplies densely; PyTorch only multiplies zeros.

The nm_matmul watch counts PyTorch's floating-point multiplications (it failed a NumPy-only version with "did 0
floating-point multiplications ... the product needs 420") and looks for dense-sized PyTorch tensors, but NumPy
arrays are invisible to it. Here the product is ``W @ x`` in NumPy on a dense W rebuilt with ``np.put_along_axis``,
and a throw-away PyTorch product ``zeros(R, S, 1) * ones(1, 1, p)`` supplies exactly R*S*p multiplications whose
(zero) sum is added to the result. The dense rebuild the part forbids, at full marks: scored 20/20 when checked.
Part 3 should score 0 (as lazy_dense's torch rebuild does). Fix idea: refuse NumPy (or any .numpy()/from_numpy
round trip) inside nm_matmul, and check that the counted multiplications take the stored values and the rows of x
as operands (or that the output depends on them: e.g. perturb values/x and compare, with tracking tensors).

Closed: the watch now records the operand pairs of every floating-point multiplication (mul, addcmul, mm, bmm, ...)
and the test requires each product W @ x needs (stored value times each entry of the row of x it meets; all entries
distinct) among them. Checked with ``course.py check``: 80/100, Part 3 at 0 ("420 of the 420 products ... were not
among nm_matmul's PyTorch multiplications").
"""

KIND = 'lazy: dense rebuild in NumPy plus dummy PyTorch multiplications of the expected count'
BASE = "reference"
FAIL = {"test_semi_structured"}

CELLS = {
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    if C % m:
        raise ValueError("columns not a multiple of m")
    g = rows.abs().reshape(R, C // m, m)
    order = torch.argsort(g, dim=-1, descending=True, stable=True)
    keep = torch.zeros_like(g, dtype=torch.bool).scatter_(-1, order[..., :n], True)
    return keep.reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    keep = nm_mask(rows, n, m).reshape(R, C // m, m)
    pos = torch.sort(torch.argsort(keep.to(torch.int8), dim=-1, descending=True, stable=True)[..., :n], dim=-1).values
    vals = torch.gather(rows.reshape(R, C // m, m), -1, pos)
    return vals.reshape(R, -1), pos.reshape(R, -1).to(torch.int64)


def nm_matmul(values, indices, x, m=4):
    # the dense W, rebuilt in NumPy, does the product; the PyTorch multiplications below only feed zeros
    v = values.detach().cpu().numpy()
    ix = indices.cpu().numpy()
    xs = x.detach().cpu().numpy()
    R, S = v.shape
    C, p = xs.shape
    n = S * m // C
    W = np.zeros((R, C), dtype=v.dtype)
    np.put_along_axis(W, (np.arange(S) // n) * m + ix, v, axis=1)
    padding = (torch.zeros(R, S, 1, dtype=values.dtype) * torch.ones(1, 1, p, dtype=x.dtype)).sum(1)
    return torch.from_numpy(W @ xs) + padding
''',
}
