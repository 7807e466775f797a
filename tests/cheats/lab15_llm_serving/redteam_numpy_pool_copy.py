"""Lazy lab15_llm_serving submission, Part 3 (red team): lazy_pool_copy done in NumPy -- the whole pool is gathered
(table blocks first, then every other block) with k_pool.numpy()[order], a copy PyTorch's dispatcher never sees,
then the first context_len slots are wrapped back with torch.from_numpy (a view) and attended. The largest tensor
the PyTorch operators create is one sequence's scores, so it used to score 10/10. The hidden test now also runs a
large pool (2 x 17 MB) through memory_watch -- the largest tensor, NumPy's and Python's allocations (tracemalloc) and
the growth of the process's memory (peak RSS) -- against a quarter of the pool: Part 3 scores 0.
"""

KIND = 'lazy: whole-pool copy through NumPy'
BASE = "reference"
FAIL = {'test_paged_attention'}

CELLS = {
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    """softmax(q K^T / sqrt(d)) V for one query per head, K and V read through block_table from the pools."""
    nb, bs, H, d = k_pool.shape
    order = list(block_table) + [b for b in range(nb) if b not in block_table]
    keys = torch.from_numpy(k_pool.numpy()[order].reshape(nb * bs, H, d)[:context_len])      # whole pool, in NumPy
    values = torch.from_numpy(v_pool.numpy()[order].reshape(nb * bs, H, d)[:context_len])
    s = torch.einsum("hd,thd->ht", q, keys) / math.sqrt(d)
    w = torch.exp(s - s.max(-1, keepdim=True).values)
    return torch.einsum("ht,thd->hd", w / w.sum(-1, keepdim=True), values)
''',
}
