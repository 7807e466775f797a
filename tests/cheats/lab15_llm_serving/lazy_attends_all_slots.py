"""Lazy lab15_llm_serving submission (found by an adversarial review): paged attention that never reads the block
table. Attention does not depend on the order of the keys, so attending over every slot of the pool that holds a
number (not NaN) gives the right answer when everything but the sequence is NaN; the pool is walked slot by slot, so
no large tensor is created. The hidden tests fill the other slots with other sequences' keys and values: Part 3 must
score 0."""

KIND = "lazy: paged attention over every non-NaN slot, ignoring the block table"
BASE = "reference"
FAIL = {"test_paged_attention"}

CELLS = {
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    n_blocks, block_size, H, d = k_pool.shape
    keys, values = [], []
    for b in range(n_blocks):
        for s in range(block_size):
            if not torch.isnan(k_pool[b, s, 0, 0]):
                keys.append(k_pool[b, s])
                values.append(v_pool[b, s])
    k, v = torch.stack(keys), torch.stack(values)
    scores = torch.einsum("hd,thd->ht", q, k) / math.sqrt(d)
    return torch.einsum("ht,thd->hd", torch.softmax(scores, -1), v)
''',
}
