"""Lazy lab15_llm_serving submission: paged attention that first copies the whole pool into a contiguous buffer
(gathering every block, in table order first), then attends. Right answers, but the largest tensor it creates is the
whole pool, which the hidden test measures: Part 3 must score 0."""

KIND = "lazy: paged attention through a copy of the whole pool"
BASE = "reference"
FAIL = {"test_paged_attention"}

CELLS = {
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    H, d = q.shape
    order = list(block_table) + [b for b in range(k_pool.shape[0]) if b not in set(block_table)]
    k = k_pool[torch.tensor(order)].reshape(-1, H, d)[:context_len]
    v = v_pool[torch.tensor(order)].reshape(-1, H, d)[:context_len]
    s = torch.einsum("hd,thd->ht", q, k) / math.sqrt(d)
    return torch.einsum("ht,thd->hd", torch.softmax(s, -1), v)
''',
}
