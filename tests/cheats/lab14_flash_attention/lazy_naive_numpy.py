"""Lazy lab14_flash_attention submission, Part 2: "tiled" attention that builds the whole N x N score matrix in NumPy
(correct, stable, validates its inputs). The memory watch sees the N x N array (537 MB at N = 8192), so Part 2 scores 0."""

KIND = "lazy: the N x N matrix in NumPy"
BASE = "reference"
FAIL = {"test_tiled_attention"}

CELLS = {
    "tiled_attention": r'''
def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    q, k, v = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    if q.ndim != 2 or k.shape != q.shape or v.ndim != 2 or v.shape[0] != q.shape[0]:
        raise ValueError("q, k must be (N, d) and v (N, dv)")
    for b in (block_m, block_n):
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1:
            raise ValueError("block sizes must be positive integers")
    s = q @ k.T / math.sqrt(q.shape[1])
    if causal:
        s[np.triu(np.ones(s.shape, dtype=bool), 1)] = -np.inf
    return softmax(s) @ v, logsumexp(s)
''',
}
