"""Lazy lab15_llm_serving submission: a correct KV cache whose forward_cached runs a chunk one token at a time, so
the prompt is prefilled token by token (each position still once, as a chain of matrix-vector steps) instead of in
one pass through the model as Part 1 asks. Until the per-call counts were checked this was graded as a correct
alternative; the hooks now see P calls of one row where the part asks for one call of P rows: Part 1 must score 0."""

KIND = "lazy: prefill token by token"
BASE = "reference"
FAIL = {"test_kv_cache", "test_greedy"}

CELLS = {
    "kv_cache": r'''
class KVCache:
    """Keys and values of every position a model has processed, for each of its layers."""

    def __init__(self):
        self.per_layer = {}       # layer -> list of (k, v), each (n_head, head_dim)

    def __len__(self):
        return len(self.per_layer.get(0, []))


def _one_token(model, token, pos, cache):
    x = model.tok_emb(torch.tensor([[token]])) + model.pos_emb(torch.tensor([pos]))
    for i, block in enumerate(model.blocks):
        q, k, v = block.attn.split_heads(block.ln1(x))
        entries = cache.per_layer.setdefault(i, [])
        entries.append((k[0, :, 0], v[0, :, 0]))
        K = torch.stack([e[0] for e in entries], dim=1)          # (H, pos+1, d)
        V = torch.stack([e[1] for e in entries], dim=1)
        att = torch.softmax((K @ q[0, :, 0, :, None])[..., 0] / math.sqrt(K.shape[-1]), dim=-1)   # (H, pos+1)
        o = (att[:, :, None] * V).sum(1)                          # (H, d)
        x = x + block.attn.merge_heads(o[None, :, None, :])
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))[0, 0]


def forward_cached(model, tokens, cache):
    """Logits (T, vocab) of `tokens` placed after the len(cache) positions already in `cache`; appends their K, V."""
    ids = torch.as_tensor(tokens).reshape(-1).tolist()
    if len(ids) == 0 or len(cache) + len(ids) > model.cfg.block_size:
        raise ValueError(f"the model holds at most {model.cfg.block_size} positions")
    return torch.stack([_one_token(model, t, len(cache), cache) for t in ids])


def generate_greedy(model, prompt, n_new):
    """n_new greedy tokens after `prompt` with a KV cache: (list of ids, logits (n_new, vocab))."""
    cache = KVCache()
    last = forward_cached(model, torch.tensor(prompt), cache)[-1]
    ids, rows = [], []
    for step in range(n_new):
        rows.append(last)
        ids.append(int(last.argmax()))
        if step < n_new - 1:
            last = forward_cached(model, ids[-1:], cache)[-1]
    return ids, torch.stack(rows)
''',
}
