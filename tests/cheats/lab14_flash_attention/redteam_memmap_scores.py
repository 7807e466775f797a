"""Lazy lab14_flash_attention submission, Part 2 (red team): the whole N x N score matrix, held in an anonymous
memory map (np.memmap of /dev/zero, mode "c") that tracemalloc does not see and that is gone when the call returns
(so large_buffers finds nothing). Each tile of scores is written into it by one q-block @ k-block product (once per
tile, none above the diagonal); then an ordinary dense softmax runs in place over the N x N matrix -- no online
softmax, no merge -- and O is summed tile by tile. It used to score 20/20 (N near 8000: 512 MB the memory watch never
saw). Now Part 2 switches np.memmap off by identity (hidden_memory()), measures the growth of the whole process's
memory with the operating system's own counters (peak RSS, process_growth) and refuses products and broadcast
operations larger than a block: Part 2 scores 0.
"""

KIND = 'lazy: N x N scores in a /dev/zero memmap, dense softmax'
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
    s = np.memmap("/dev/zero", mode="c", dtype=np.float64, shape=(n, n))   # the whole N x N matrix, unseen by tracemalloc
    for i0 in range(0, n, block_m):
        i1 = min(n, i0 + block_m)
        for j0 in range(0, i1 if causal else n, block_n):
            j1 = min(n, j0 + block_n)
            s[i0:i1, j0:j1] = q[i0:i1] @ k[j0:j1].T
    s *= 1.0 / math.sqrt(d)
    if causal:
        for i in range(n):
            s[i, i + 1:] = -np.inf
    m = s.max(axis=1)
    s -= m[:, None]
    np.exp(s, out=s)
    total = s.sum(axis=1)
    o = np.zeros((n, v.shape[1]))
    for i0 in range(0, n, block_m):
        i1 = min(n, i0 + block_m)
        for j0 in range(0, i1 if causal else n, block_n):
            j1 = min(n, j0 + block_n)
            o[i0:i1] += s[i0:i1, j0:j1] @ v[j0:j1]
    del s
    return o / total[:, None], m + np.log(total)
''',
}
