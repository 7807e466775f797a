"""Lazy lab15_llm_serving submission (found by an adversarial review): a real cache of keys and values, so each
layer's qkv projection and the head see every position once, but the rest of every layer (attn.proj, ln2, the MLP)
is recomputed over *all* positions at every step from cached attention outputs and residual inputs. Outputs are
right; the rows the hooks count through attn.proj and the MLP grow quadratically, so Part 1 must score 0."""

KIND = "lazy: caches K and V but recomputes proj and the MLP over the whole prefix"
BASE = "reference"
FAIL = {"test_kv_cache", "test_greedy"}

CELLS = {
    "kv_cache": r'''
class KVCache:
    def __init__(self):
        self.k, self.v = [], []          # per layer: (n_head, T, head_dim)
        self.x, self.o = [], []          # per layer: the layer's input rows and merged attention outputs (1, T, ...)

    def __len__(self):
        return self.k[0].shape[1] if self.k else 0


def forward_cached(model, tokens, cache):
    tokens = torch.as_tensor(tokens, dtype=torch.long).reshape(-1)
    start, T = len(cache), len(tokens)
    if T == 0 or start + T > model.cfg.block_size:
        raise ValueError("too many positions")
    pos = torch.arange(start, start + T)
    x_new = (model.tok_emb(tokens) + model.pos_emb(pos))[None]
    hidden = torch.arange(start + T)[None, :] > pos[:, None]
    first = not cache.k
    for i, block in enumerate(model.blocks):
        q, k, v = block.attn.split_heads(block.ln1(x_new))          # only the new rows through qkv
        if first:
            cache.k.append(k[0]); cache.v.append(v[0])
            cache.x.append(x_new); cache.o.append(None)
        else:
            cache.k[i] = torch.cat([cache.k[i], k[0]], dim=1)
            cache.v[i] = torch.cat([cache.v[i], v[0]], dim=1)
            cache.x[i] = torch.cat([cache.x[i], x_new], dim=1)
        K, V = cache.k[i], cache.v[i]
        s = (q[0] @ K.transpose(-1, -2)) / math.sqrt(K.shape[-1])
        o = torch.softmax(s.masked_fill(hidden, float("-inf")), dim=-1) @ V        # (H, T, d)
        cache.o[i] = o if cache.o[i] is None else torch.cat([cache.o[i], o], dim=1)
        x_all = cache.x[i] + block.attn.merge_heads(cache.o[i][None])              # proj over every position
        x_all = x_all + block.mlp(block.ln2(x_all))                                 # ln2 and MLP over every position
        x_new = x_all[:, -T:]
    return model.head(model.ln_f(x_new))[0]


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
