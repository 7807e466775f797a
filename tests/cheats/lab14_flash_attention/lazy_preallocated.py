"""Lazy lab14_flash_attention submission, Part 2: the N x N score matrix lives in a buffer allocated when the answer
cell runs, so the call itself allocates almost nothing (np.matmul(..., out=...) and in-place exp): tracemalloc's
peak during the call stays small. The test also looks for large arrays kept alive between calls, and finds it:
Part 2 scores 0."""

KIND = "lazy: N x N matrix in a buffer allocated before the measured call"
BASE = "reference"
FAIL = {"test_tiled_attention"}

CELLS = {
    "tiled_attention": r'''
_SCRATCH = np.empty((1100, 1100))


def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    q, k, v = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    if q.ndim != 2 or k.shape != q.shape or v.ndim != 2 or v.shape[0] != q.shape[0]:
        raise ValueError("q, k must be (N, d) and v (N, dv)")
    for b in (block_m, block_n):
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1:
            raise ValueError("block sizes must be positive integers")
    n = q.shape[0]
    s = _SCRATCH[:n, :n] if n <= len(_SCRATCH) else np.empty((n, n))
    np.matmul(q, k.T, out=s)
    s *= 1.0 / math.sqrt(q.shape[1])
    if causal:
        for i in range(n):
            s[i, i + 1:] = -np.inf
    m = s.max(axis=1)
    s -= m[:, None]
    np.exp(s, out=s)
    total = s.sum(axis=1)
    return (s @ v) / total[:, None], m + np.log(total)
''',
}
