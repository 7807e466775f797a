"""Lazy lab15_llm_serving submission: keeps a real cache of keys and values, but recomputes the keys and values of
every earlier position each step (calling each layer's qkv on the whole prefix) and overwrites the cache with them.
Outputs are right; the qkv positions the hooks count grow quadratically, so Part 1 must score 0."""

KIND = "lazy: recomputes K and V of the prefix every step"
BASE = "reference"
FAIL = {"test_kv_cache", "test_greedy"}

CELLS = {
    "kv_cache": r'''
class KVCache:
    def __init__(self):
        self.ids = []
        self.k, self.v = [], []

    def __len__(self):
        return len(self.ids)


def forward_cached(model, tokens, cache):
    new = torch.as_tensor(tokens, dtype=torch.long).reshape(-1).tolist()
    if not new or len(cache.ids) + len(new) > model.cfg.block_size:
        raise ValueError("too long")
    cache.ids += new
    ids = torch.tensor(cache.ids)
    T = len(ids)
    x = (model.tok_emb(ids) + model.pos_emb(torch.arange(T)))[None]
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    cache.k, cache.v = [], []
    for block in model.blocks:
        q, k, v = block.attn.split_heads(block.ln1(x))
        cache.k.append(k)
        cache.v.append(v)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(k.shape[-1])
        o = torch.softmax(s.masked_fill(mask, float("-inf")), -1) @ v
        x = x + block.attn.merge_heads(o)
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))[0, -len(new):]


def generate_greedy(model, prompt, n_new):
    cache = KVCache()
    logits = forward_cached(model, prompt, cache)[-1]
    tokens, rows = [], []
    for i in range(n_new):
        rows.append(logits)
        tokens.append(int(logits.argmax()))
        if i + 1 < n_new:
            logits = forward_cached(model, [tokens[-1]], cache)[-1]
    return tokens, torch.stack(rows)
''',
}
