"""Lazy lab15_llm_serving submission: a "KV cache" that stores only the token ids and recomputes the whole prefix
with the model every step. Its logits and tokens are right; the positions counted through the model's hooks are not,
so both Part 1 tests must score 0."""

KIND = "lazy: full recomputation behind a cache interface"
BASE = "reference"
FAIL = {"test_kv_cache", "test_greedy"}

CELLS = {
    "kv_cache": r'''
class KVCache:
    """Keeps the tokens; the model recomputes everything."""

    def __init__(self):
        self.ids = []

    def __len__(self):
        return len(self.ids)


def forward_cached(model, tokens, cache):
    new = torch.as_tensor(tokens, dtype=torch.long).reshape(-1).tolist()
    if len(cache.ids) + len(new) > model.cfg.block_size:
        raise ValueError("too long")
    cache.ids += new
    return model(torch.tensor(cache.ids))[-len(new):]


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
