"""Lazy lab14_flash_attention submission, Part 2: the "NumPy" attention hands the work to PyTorch's
scaled_dot_product_attention (whose memory tracemalloc cannot see) and gets the log-sum-exp from torch.logsumexp.
Part 2 is NumPy only: the source check and the switched-off operators give it 0."""

KIND = "lazy: torch SDPA behind a NumPy signature"
BASE = "reference"
FAIL = {"test_tiled_attention"}

CELLS = {
    "tiled_attention": r'''
import torch.nn.functional as TF


def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    q, k, v = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    if q.ndim != 2 or k.shape != q.shape or v.ndim != 2 or v.shape[0] != q.shape[0]:
        raise ValueError("q, k must be (N, d) and v (N, dv)")
    for b in (block_m, block_n):
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1:
            raise ValueError("block sizes must be positive integers")
    tq, tk, tv = (torch.from_numpy(t) for t in (q, k, v))
    o = TF.scaled_dot_product_attention(tq[None], tk[None], tv[None], is_causal=causal)[0]
    s = tq @ tk.T / math.sqrt(q.shape[1])
    if causal:
        s = s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), float("-inf"))
    return o.numpy(), torch.logsumexp(s, dim=-1).numpy()
''',
}
