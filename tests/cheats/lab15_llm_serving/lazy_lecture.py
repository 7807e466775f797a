"""Lazy lab15_llm_serving submission: the lecture notebook's code pasted in. Part 1 wraps the notebook's NumPy KV-cache
decoder (np_decode, built from the model's state_dict) in the lab's interface: right logits, but it reads the
parameters instead of running the model's modules, which Part 1's rules forbid. Part 5 pastes the notebook's greedy
speculate_greedy and samples straight from the target when a generator is given (no draft, no acceptance rule).
Both Part 1 tests and the speculative-generation test must score 0."""

KIND = "lazy: the lecture's code pasted in"
BASE = "reference"
FAIL = {"test_kv_cache", "test_greedy", "test_speculative_generate"}

CELLS = {
    "kv_cache": r'''
from scipy.special import erf


class KVCache:
    def __init__(self):
        self.K = self.V = None
        self.n = 0

    def __len__(self):
        return self.n


def _weights(model):
    return {name: p.detach().numpy() for name, p in model.state_dict().items()}


def forward_cached(model, tokens, cache):
    cfg = model.cfg
    W = _weights(model)
    ids = torch.as_tensor(tokens).reshape(-1).tolist()
    if not ids or cache.n + len(ids) > cfg.block_size:
        raise ValueError("too long")
    if cache.K is None:
        shape = (cfg.n_layer, cfg.n_head, cfg.block_size, cfg.head_dim)
        cache.K, cache.V = np.zeros(shape, np.float32), np.zeros(shape, np.float32)

    def layer_norm(x, name):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-5) * W[f"{name}.weight"] + W[f"{name}.bias"]

    def linear(x, name):
        y = x @ W[f"{name}.weight"].T
        return y + W[f"{name}.bias"] if f"{name}.bias" in W else y

    def heads(t):
        return t.reshape(len(t), cfg.n_head, cfg.head_dim).transpose(1, 0, 2)

    def softmax(s):
        e = np.exp(s - s.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    rows = []
    for token in ids:
        pos = cache.n
        x = W["tok_emb.weight"][[token]] + W["pos_emb.weight"][[pos]]
        for i in range(cfg.n_layer):
            q, k, v = (heads(t) for t in np.split(linear(layer_norm(x, f"blocks.{i}.ln1"), f"blocks.{i}.attn.qkv"), 3, -1))
            cache.K[i, :, pos], cache.V[i, :, pos] = k[:, 0], v[:, 0]
            att = softmax(q @ cache.K[i, :, :pos + 1].transpose(0, 2, 1) / np.sqrt(cfg.head_dim))
            o = att @ cache.V[i, :, :pos + 1]
            x = x + linear(o.transpose(1, 0, 2).reshape(1, -1), f"blocks.{i}.attn.proj")
            h = linear(layer_norm(x, f"blocks.{i}.ln2"), f"blocks.{i}.mlp.0")
            x = x + linear(0.5 * h * (1 + erf(h / np.sqrt(2))), f"blocks.{i}.mlp.2")
        rows.append(linear(layer_norm(x, "ln_f"), "head")[0])
        cache.n += 1
    return torch.tensor(np.stack(rows))


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
    "speculative": r'''
def speculative_accept(p, q, draft_tokens, generator):
    out = []
    for i, x in enumerate(int(t) for t in draft_tokens):
        u = torch.rand((), generator=generator).item()
        if u * q[i, x].item() < p[i, x].item():
            out.append(x)
            continue
        residual = torch.clamp(p[i] - q[i], min=0)
        out.append(int(torch.multinomial(residual / residual.sum(), 1, generator=generator)))
        return out
    out.append(int(torch.multinomial(p[len(out)], 1, generator=generator)))
    return out


@torch.no_grad()
def speculate_greedy(target_model, draft_model, prompt_ids, n_new, k):
    ids, rounds, accepted = list(prompt_ids), 0, 0
    while len(ids) - len(prompt_ids) < n_new:
        guess = []
        for _ in range(k):
            guess.append(int(draft_model(torch.tensor(ids + guess))[-1].argmax()))
        best = target_model(torch.tensor(ids + guess))[len(ids) - 1:].argmax(-1).tolist()
        n_ok = next((i for i in range(k) if guess[i] != best[i]), k)
        ids += guess[:n_ok] + [best[n_ok]]
        rounds, accepted = rounds + 1, accepted + n_ok
    return ids[len(prompt_ids):len(prompt_ids) + n_new], rounds, accepted


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    if generator is None:
        return speculate_greedy(target, draft, prompt, n_new, k)[0]
    tokens = list(prompt)
    with torch.no_grad():
        for _ in range(n_new):
            p = torch.softmax(target(torch.tensor(tokens))[-1], -1)
            tokens.append(int(torch.multinomial(p, 1, generator=generator)))
    return tokens[len(prompt):]
''',
}
