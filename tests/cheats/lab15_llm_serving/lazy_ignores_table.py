"""Lazy lab15_llm_serving submission: "paged" attention that ignores the block table and reads the first context_len
slots of the pool as if the sequence were contiguous. The visible test happens to lay the sequence out in other
blocks, so even it fails; hidden random tables must fail too."""

KIND = "lazy: paged attention that ignores the block table"
BASE = "reference"
FAIL = {"test_paged_attention"}

CELLS = {
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    H, d = q.shape
    k = k_pool.reshape(-1, H, d)[:context_len]
    v = v_pool.reshape(-1, H, d)[:context_len]
    s = torch.einsum("hd,thd->ht", q, k) / math.sqrt(d)
    return torch.einsum("ht,thd->hd", torch.softmax(s, -1), v)
''',
}
