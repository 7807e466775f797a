"""A correct lab15_llm_serving submission written differently from the reference: a KV cache preallocated for the
model's whole context on first use and a decode loop over heads; a block manager with a set of free blocks and a
dict of reference counts; paged attention that walks the block table block by block with an online softmax; a
scheduler written as explicit phases over index lists; speculative acceptance that draws all uniforms up front."""

KIND = "alternative: preallocated cache, per-block online softmax, set-based allocator"
BASE = "release"
EXPECT = "full"

CELLS = {
    "kv_cache": r'''
class KVCache:
    """Keys and values of every position a model has processed, for each of its layers."""

    def __init__(self):
        self.keys = None        # per layer: (n_head, block_size, head_dim), allocated on first use
        self.values = None
        self.n = 0

    def __len__(self):
        return self.n


def forward_cached(model, tokens, cache):
    """Logits (T, vocab) of `tokens` placed after the len(cache) positions already in `cache`; appends their K, V."""
    ids = [int(t) for t in (tokens.tolist() if isinstance(tokens, torch.Tensor) else tokens)]
    cfg = model.cfg
    if not ids or cache.n + len(ids) > cfg.block_size:
        raise ValueError("too many positions for this model")
    if cache.keys is None:
        shape = (cfg.n_head, cfg.block_size, cfg.head_dim)
        cache.keys = [torch.zeros(shape) for _ in range(cfg.n_layer)]
        cache.values = [torch.zeros(shape) for _ in range(cfg.n_layer)]
    start, T = cache.n, len(ids)
    x = model.tok_emb(torch.tensor([ids])) + model.pos_emb(torch.arange(start, start + T))
    for layer, block in enumerate(model.blocks):
        q, k, v = block.attn.split_heads(block.ln1(x))
        cache.keys[layer][:, start:start + T] = k[0]
        cache.values[layer][:, start:start + T] = v[0]
        outs = []
        for h in range(cfg.n_head):
            K = cache.keys[layer][h, :start + T]
            V = cache.values[layer][h, :start + T]
            rows = []
            for t in range(T):
                s = K[:start + t + 1] @ q[0, h, t] / cfg.head_dim ** 0.5
                w = torch.exp(s - s.max())
                rows.append((w / w.sum()) @ V[:start + t + 1])
            outs.append(torch.stack(rows))
        x = x + block.attn.merge_heads(torch.stack(outs)[None])
        x = x + block.mlp(block.ln2(x))
    cache.n += T
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
    "block_manager": r'''
class BlockManager:
    """Fixed-size KV blocks with per-sequence block tables, reference counts and copy-on-write."""

    def __init__(self, num_blocks, block_size):
        self.block_size = block_size
        self.free_set = set(range(num_blocks))
        self.rc = {}
        self.seqs = {}            # seq -> [table, length]

    def num_free(self):
        return len(self.free_set)

    def ref_count(self, block):
        return self.rc.get(block, 0)

    def block_table(self, seq_id):
        return list(self.seqs[seq_id][0])

    def length(self, seq_id):
        return self.seqs[seq_id][1]

    def _grab(self):
        b = min(self.free_set)
        self.free_set.remove(b)
        self.rc[b] = 1
        return b

    def _drop(self, b):
        self.rc[b] -= 1
        if self.rc[b] == 0:
            del self.rc[b]
            self.free_set.add(b)

    def allocate(self, seq_id, n_tokens):
        if seq_id in self.seqs:
            raise ValueError("exists")
        need = (n_tokens + self.block_size - 1) // self.block_size
        if need > len(self.free_set):
            raise MemoryError("out of blocks")
        self.seqs[seq_id] = [[self._grab() for _ in range(need)], n_tokens]
        return list(self.seqs[seq_id][0])

    def append_slot(self, seq_id):
        table, n = self.seqs[seq_id]
        offset = n % self.block_size
        shared = offset != 0 and self.rc[table[-1]] > 1
        if (offset == 0 or shared) and not self.free_set:
            raise MemoryError("out of blocks")
        copied = None
        if offset == 0:
            table.append(self._grab())
        elif shared:
            copied = table[-1]
            new = self._grab()
            self._drop(copied)
            table[-1] = new
        self.seqs[seq_id][1] = n + 1
        return table[-1], offset, copied

    def fork(self, parent_id, child_id):
        if child_id in self.seqs:
            raise ValueError("exists")
        table, n = self.seqs[parent_id]
        for b in table:
            self.rc[b] += 1
        self.seqs[child_id] = [list(table), n]

    def free(self, seq_id):
        table, _ = self.seqs.pop(seq_id)
        for b in table:
            self._drop(b)
''',
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    """softmax(q K^T / sqrt(d)) V for one query per head, K and V read through block_table from the pools."""
    bs, d = k_pool.shape[1], k_pool.shape[3]
    m = torch.full((q.shape[0],), float("-inf"))
    l = torch.zeros(q.shape[0])
    acc = torch.zeros(q.shape[0], v_pool.shape[3])
    for i, b in enumerate(block_table):
        n = min(bs, context_len - i * bs)
        if n <= 0:
            break
        k, v = k_pool[b, :n], v_pool[b, :n]                 # (n, H, d)
        s = (k * q[None]).sum(-1).T / math.sqrt(d)           # (H, n)
        m_new = torch.maximum(m, s.max(-1).values)
        scale = torch.exp(m - m_new)
        p = torch.exp(s - m_new[:, None])
        l = l * scale + p.sum(-1)
        acc = acc * scale[:, None] + torch.einsum("hn,nhd->hd", p, v)
        m = m_new
    return acc / l[:, None]
''',
    "serve": r'''
def serve(engine, requests):
    """Run every request to completion on `engine` with FCFS continuous batching and preemption of the newest."""
    arrivals = sorted(requests, key=lambda r: (r.arrival, r.rid))
    nxt, queue, running, finished = 0, [], [], 0
    while finished < len(requests):
        while nxt < len(arrivals) and arrivals[nxt].arrival <= engine.now:
            queue.append(arrivals[nxt])
            nxt += 1
        if not queue and not running:
            engine.idle_until(arrivals[nxt].arrival)
            continue
        # admission phase
        while queue and len(running) < engine.max_batch:
            head = queue[0]
            if engine.blocks_needed(head) > engine.free_blocks():
                break
            queue.pop(0)
            engine.prefill(head)
            if engine.is_finished(head):
                engine.release(head)
                finished += 1
            else:
                running.append(head)
        # preemption phase
        while len(running) > 0 and engine.step_blocks(running) > engine.free_blocks():
            victim = running[-1]
            running = running[:-1]
            engine.release(victim)
            queue.insert(0, victim)
        # decode phase
        if len(running) > 0:
            engine.decode(running)
            keep = []
            for r in running:
                if engine.is_finished(r):
                    engine.release(r)
                    finished += 1
                else:
                    keep.append(r)
            running = keep
''',
    "speculative": r'''
def speculative_accept(p, q, draft_tokens, generator):
    """Tokens emitted by one round of speculative sampling (1 to k+1 ints), drawing randomness from `generator`."""
    k = len(draft_tokens)
    idx = torch.as_tensor([int(t) for t in draft_tokens], dtype=torch.long)
    u = torch.rand(k, generator=generator)
    ratio = p[torch.arange(k), idx] / q[torch.arange(k), idx]
    rejected = (u >= ratio).nonzero()
    if len(rejected) == 0:
        return idx.tolist() + [int(torch.multinomial(p[k], 1, generator=generator))]
    j = int(rejected[0])
    r = (p[j] - q[j]).clamp(min=0)
    return idx[:j].tolist() + [int(torch.multinomial(r, 1, generator=generator))]


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    """n_new tokens after prompt by speculative decoding (greedy if generator is None)."""
    seq = list(prompt)
    goal = len(prompt) + n_new
    with torch.no_grad():
        while len(seq) < goal:
            proposal, qs = [], []
            for _ in range(k):
                probs = torch.softmax(draft(torch.tensor(seq + proposal))[-1], -1)
                if generator is None:
                    proposal.append(int(probs.argmax()))
                else:
                    qs.append(probs)
                    proposal.append(int(torch.multinomial(probs, 1, generator=generator)))
            ps = torch.softmax(target(torch.tensor(seq + proposal))[-(k + 1):], -1)
            if generator is None:
                emitted = []
                for i in range(k + 1):
                    best = int(ps[i].argmax())
                    emitted.append(best)
                    if i == k or proposal[i] != best:
                        break
            else:
                emitted = speculative_accept(ps, torch.stack(qs), proposal, generator)
            seq.extend(emitted)
    return seq[len(prompt):goal]
''',
}
