"""Lazy lab14_flash_attention submission, Part 2: the N x N attention computed with PyTorch functions imported by name
(from torch import ...), so the function never mentions the torch module and PyTorch's memory is invisible to
tracemalloc. The test counts the PyTorch operators that run during the call (Part 2 is NumPy only): Part 2 scores 0."""

KIND = "lazy: N x N attention through torch functions imported by name"
BASE = "reference"
FAIL = {"test_tiled_attention"}

CELLS = {
    "tiled_attention": r'''
from torch import exp as _exp, from_numpy as _tensor, matmul as _mm


def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    q, k, v = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    if q.ndim != 2 or k.shape != q.shape or v.ndim != 2 or v.shape[0] != q.shape[0]:
        raise ValueError("q, k must be (N, d) and v (N, dv)")
    for b in (block_m, block_n):
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1:
            raise ValueError("block sizes must be positive integers")
    s = _mm(_tensor(q), _tensor(k).T) / math.sqrt(q.shape[1])
    if causal:
        n = q.shape[0]
        s = s.masked_fill(_tensor(np.triu(np.ones((n, n), dtype=bool), 1)), float("-inf"))
    m = s.max(dim=1, keepdim=True).values
    e = _exp(s - m)
    total = e.sum(dim=1, keepdim=True)
    return (_mm(e / total, _tensor(v))).numpy(), (m + total.log()).squeeze(1).numpy()
''',
}
