"""Lazy lab15_llm_serving submission, Part 1 (red team): no KV cache at all. The "cache" keeps token ids and every
forward_cached call recomputes the whole prefix from the parameters, obtained through torch.func.stack_module_state
(parameter names are dict keys, so no forbidden attribute appears) and F.embedding / layer_norm / linear / gelu, so
no module is called and no hook counts it. Then, for the counters, each layer's ln1, attn.qkv, attn.proj, ln2 and
MLP are called once on the new T rows (outputs thrown away), and the real ln_f/head turn the recomputed hidden states
of those T rows into logits. It used to score 25/25 (test_kv_cache 15, test_greedy 10). Now model_shortcuts()
refuses torch.func, stateless calls, parametrizations and parameters_to_vector by identity, and the hidden tests add a
small per-position vector to what each layer's modules return (Nudges) in the model the code runs and in the
reference: logits recomputed from the parameters miss them. Part 1 scores 0.
"""

KIND = 'lazy: full recomputation from stack_module_state, decoy module calls'
BASE = "reference"
FAIL = {'test_kv_cache', 'test_greedy'}

CELLS = {
    "kv_cache": r'''
import torch.func


class KVCache:
    """Only the token ids so far: every call recomputes the whole prefix."""

    def __init__(self):
        self.tokens = []

    def __len__(self):
        return len(self.tokens)


def _hidden(model, ids):
    """Final hidden states of every position, computed straight from the parameters (no module is called)."""
    params = torch.func.stack_module_state([model])[0]
    W = lambda name: params[name][0]
    cfg = model.cfg
    T = len(ids)
    x = F.embedding(torch.tensor(ids), W("tok_emb.weight")) + F.embedding(torch.arange(T), W("pos_emb.weight"))
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    for i in range(cfg.n_layer):
        b = f"blocks.{i}."
        h = F.layer_norm(x, (cfg.d_model,), W(b + "ln1.weight"), W(b + "ln1.bias"))
        q, k, v = F.linear(h, W(b + "attn.qkv.weight"), W(b + "attn.qkv.bias")).split(cfg.d_model, -1)
        q, k, v = (t.reshape(T, cfg.n_head, -1).transpose(0, 1) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])).masked_fill(mask, float("-inf"))
        o = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(T, cfg.d_model)
        x = x + F.linear(o, W(b + "attn.proj.weight"), W(b + "attn.proj.bias"))
        h = F.layer_norm(x, (cfg.d_model,), W(b + "ln2.weight"), W(b + "ln2.bias"))
        h = F.gelu(F.linear(h, W(b + "mlp.0.weight"), W(b + "mlp.0.bias")))
        x = x + F.linear(h, W(b + "mlp.2.weight"), W(b + "mlp.2.bias"))
    return x


def forward_cached(model, tokens, cache):
    """Logits (T, vocab) of `tokens` placed after the len(cache) positions already in `cache`; appends their K, V."""
    ids = [int(t) for t in (tokens.tolist() if isinstance(tokens, torch.Tensor) else tokens)]
    if not ids or len(cache.tokens) + len(ids) > model.cfg.block_size:
        raise ValueError("too many positions for this model")
    cache.tokens.extend(ids)
    T = len(ids)
    x = _hidden(model, cache.tokens)[-T:][None]          # the whole prefix recomputed, where no hook looks
    for block in model.blocks:                            # what the counters expect: each module once, on T rows
        block.attn.merge_heads(block.attn.split_heads(block.ln1(x))[2])
        block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))[0]


def generate_greedy(model, prompt, n_new):
    """n_new greedy tokens after `prompt` with a KV cache: (list of ids, logits (n_new, vocab))."""
    cache = KVCache()
    rows = [forward_cached(model, prompt, cache)[-1]]
    out = [int(torch.argmax(rows[-1]))]
    while len(out) < n_new:
        rows.append(forward_cached(model, torch.tensor([out[-1]]), cache)[0])
        out.append(int(torch.argmax(rows[-1])))
    return out, torch.stack(rows)
''',
}
