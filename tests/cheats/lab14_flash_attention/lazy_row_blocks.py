"""Lazy lab14_flash_attention submission, Part 2: tiles the queries but not the keys -- each block of query rows
meets all N keys at once, with an ordinary softmax (no online merge). Correct, and it never holds N x N, but a row
of blocks (64 x 8192 float64 = 4 MB, twice) exceeds the memory budget of a tiled attention: Part 2 scores 0."""

KIND = "lazy: query blocks against all keys, no online softmax"
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
    n, d = q.shape
    o, lse = np.empty((n, v.shape[1])), np.empty(n)
    for i0 in range(0, n, block_m):
        i1 = min(i0 + block_m, n)
        s = q[i0:i1] @ k.T / math.sqrt(d)
        if causal:
            s[np.arange(n)[None, :] > np.arange(i0, i1)[:, None]] = -np.inf
        o[i0:i1] = softmax(s) @ v
        lse[i0:i1] = logsumexp(s)
    return o, lse
''',
}
