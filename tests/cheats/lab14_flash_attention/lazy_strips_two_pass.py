"""Lazy lab14_flash_attention submission, Part 2: strips of 4 query rows (whatever block_m says) against key blocks,
with a two-pass softmax -- a first pass over every key block for the row maxima, a second that recomputes each
tile of scores for the sums and the output -- and no causal block skipping (the blocks above the diagonal are
computed and masked). Correct, and each strip is small enough for the memory budget (found by an adversarial
review). The test counts the tiles of scores the matrix products of q and k form, and their shapes: Part 2
scores 0."""

KIND = "lazy: 4-row strips, two-pass softmax, no causal skipping"
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
    for i0 in range(0, n, 4):
        i1 = min(i0 + 4, n)
        qi = q[i0:i1] / math.sqrt(d)
        rows = np.arange(i0, i1)[:, None]

        def scores(j0):
            s = qi @ k[j0:j0 + block_n].T
            if causal:
                s[np.arange(j0, min(j0 + block_n, n))[None, :] > rows] = -np.inf
            return s

        m = np.full(i1 - i0, -np.inf)
        for j0 in range(0, n, block_n):                     # pass 1: the row maxima
            m = np.maximum(m, scores(j0).max(axis=1))
        l, acc = np.zeros(i1 - i0), np.zeros((i1 - i0, v.shape[1]))
        for j0 in range(0, n, block_n):                     # pass 2: sums and output
            p = np.exp(scores(j0) - m[:, None])
            l += p.sum(axis=1)
            acc += p @ v[j0:j0 + block_n]
        o[i0:i1], lse[i0:i1] = acc / l[:, None], m + np.log(l)
    return o, lse
''',
}
