"""Lazy lab14_flash_attention submission, Part 2 (red team): a two-pass softmax instead of the online one. For each
block of query rows, a first pass over the key blocks finds the exact row maxima from scores formed by broadcasting
and summing (qi[:, None, :] * k[None, j0:j1, :]).sum(-1) -- not a matrix product, so work_watch used not to count it
-- then a second pass computes each tile once with @ and accumulates exp(s - m) with the final maximum: no state, no
merge, no rescaling. It used to score 20/20. work_watch now counts elementwise operations whose operands broadcast
against each other as pairings ((d,), rows, cols), so the first pass shows as a second set of tiles (and as twice
the multiplications along d that one pass needs): Part 2 scores 0, as lazy_strips_two_pass does.
"""

KIND = 'lazy: two-pass softmax, first pass by broadcasting'
BASE = "reference"
FAIL = {'test_tiled_attention'}

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
    scale = 1.0 / math.sqrt(d)
    o, lse = np.empty((n, v.shape[1])), np.empty(n)
    for i0 in range(0, n, block_m):
        i1 = min(n, i0 + block_m)
        qi = q[i0:i1]
        stop = i1 if causal else n
        m = np.full(i1 - i0, -np.inf)
        for j0 in range(0, stop, block_n):              # pass 1: the exact row maxima, by broadcasting
            j1 = min(n, j0 + block_n)
            s = (qi[:, None, :] * k[None, j0:j1, :]).sum(-1) * scale
            if causal:
                s[np.arange(j0, j1)[None, :] > np.arange(i0, i1)[:, None]] = -np.inf
            m = np.maximum(m, s.max(axis=1))
        l = np.zeros(i1 - i0)
        acc = np.zeros((i1 - i0, v.shape[1]))
        for j0 in range(0, stop, block_n):              # pass 2: plain softmax with the final maximum, no rescaling
            j1 = min(n, j0 + block_n)
            s = qi @ k[j0:j1].T * scale
            if causal:
                s[np.arange(j0, j1)[None, :] > np.arange(i0, i1)[:, None]] = -np.inf
            p = np.exp(s - m[:, None])
            l += p.sum(axis=1)
            acc += p @ v[j0:j1]
        o[i0:i1] = acc / l[:, None]
        lse[i0:i1] = m + np.log(l)
    return o, lse
''',
}
