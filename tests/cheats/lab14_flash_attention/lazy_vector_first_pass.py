"""Lazy lab14_flash_attention submission, Part 2: redteam_broadcast_first_pass with its first pass done one query row
at a time -- k_block @ q_row, a matrix-vector product, gives one row of a tile's scores; those are not q k^T tiles
(one of their sides is 1), so the tile count does not see them. work_watch also adds up the multiplications along d
of every product and broadcast, whatever its shape: twice what one pass over the tiles needs, so Part 2 scores 0."""

KIND = "lazy: two-pass softmax, first pass by matrix-vector products"
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
    scale = 1.0 / math.sqrt(d)
    o, lse = np.empty((n, v.shape[1])), np.empty(n)
    for i0 in range(0, n, block_m):
        i1 = min(n, i0 + block_m)
        qi = q[i0:i1] * scale
        stop = i1 if causal else n
        m = np.full(i1 - i0, -np.inf)
        for j0 in range(0, stop, block_n):              # pass 1: the exact row maxima, one query row at a time
            j1 = min(n, j0 + block_n)
            for r in range(i1 - i0):
                s = k[j0:j1] @ qi[r]
                if causal:
                    s[np.arange(j0, j1) > i0 + r] = -np.inf
                m[r] = max(m[r], s.max())
        l = np.zeros(i1 - i0)
        acc = np.zeros((i1 - i0, v.shape[1]))
        for j0 in range(0, stop, block_n):              # pass 2: plain softmax with the final maximum
            j1 = min(n, j0 + block_n)
            s = qi @ k[j0:j1].T
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
