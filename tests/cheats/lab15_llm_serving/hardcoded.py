"""A lab15_llm_serving submission that fits the visible tests: the KV cache hard-codes the target's 4 heads of 16, paged
attention hard-codes blocks of 4, the block manager's allocate hands out blocks one by one and fails half-way, and
the scheduler lets small requests overtake one that does not fit. Hidden tests (other models, block sizes, random
operations, the exact policy) must catch each; speculative decoding is correct."""

KIND = "hard-coded visible answers"
BASE = "release"
EXPECT = "partial"

CELLS = {
    "kv_cache": r'''
class KVCache:
    """Keys and values of every position a model has processed, for each of its layers."""

    def __init__(self):
        self.k, self.v = [], []          # per layer: (n_head, T, head_dim)

    def __len__(self):
        return self.k[0].shape[1] if self.k else 0


def forward_cached(model, tokens, cache):
    """Logits (T, vocab) of `tokens` placed after the len(cache) positions already in `cache`; appends their K, V."""
    tokens = torch.as_tensor(tokens, dtype=torch.long).reshape(-1)
    start, T = len(cache), len(tokens)
    if T == 0 or start + T > model.cfg.block_size:
        raise ValueError(f"need 1 <= T and len(cache) + T <= {model.cfg.block_size}, got T={T}, cached {start}")
    pos = torch.arange(start, start + T)
    x = (model.tok_emb(tokens) + model.pos_emb(pos))[None]
    hidden = torch.arange(start + T)[None, :] > pos[:, None]          # key j is hidden from the query at p if j > p
    first = not cache.k
    for i, block in enumerate(model.blocks):
        q, k, v = (t.reshape(1, T, 4, 16).transpose(1, 2) for t in block.attn.qkv(block.ln1(x)).split(64, dim=-1))
        if first:
            cache.k.append(k[0])
            cache.v.append(v[0])
        else:
            cache.k[i] = torch.cat([cache.k[i], k[0]], dim=1)
            cache.v[i] = torch.cat([cache.v[i], v[0]], dim=1)
        K, V = cache.k[i], cache.v[i]
        s = (q[0] @ K.transpose(-1, -2)) / math.sqrt(K.shape[-1])
        o = torch.softmax(s.masked_fill(hidden, float("-inf")), dim=-1) @ V
        x = x + block.attn.merge_heads(o[None])
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))[0]


def generate_greedy(model, prompt, n_new):
    """n_new greedy tokens after `prompt` with a KV cache: (list of ids, logits (n_new, vocab))."""
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
    "block_manager": r'''
class BlockManager:
    """Fixed-size KV blocks with per-sequence block tables, reference counts and copy-on-write."""

    def __init__(self, num_blocks, block_size):
        if num_blocks < 1 or block_size < 1:
            raise ValueError("num_blocks and block_size must be positive")
        self.block_size = block_size
        self.free_blocks = list(range(num_blocks - 1, -1, -1))     # a stack: pop() hands out block 0 first
        self.refs = [0] * num_blocks
        self.tables, self.lengths = {}, {}

    def num_free(self):
        return len(self.free_blocks)

    def ref_count(self, block):
        return self.refs[block]

    def block_table(self, seq_id):
        return list(self.tables[seq_id])

    def length(self, seq_id):
        return self.lengths[seq_id]

    def allocate(self, seq_id, n_tokens):
        if seq_id in self.tables:
            raise ValueError(f"sequence {seq_id!r} already exists")
        if n_tokens < 1:
            raise ValueError("n_tokens must be at least 1")
        need = -(-n_tokens // self.block_size)
        table = []
        for _ in range(need):
            if not self.free_blocks:
                raise MemoryError("out of blocks")
            table.append(self._take())
        self.tables[seq_id], self.lengths[seq_id] = table, n_tokens
        return list(table)

    def append_slot(self, seq_id):
        table, n = self.tables[seq_id], self.lengths[seq_id]
        offset = n % self.block_size
        copied_from = None
        if offset == 0:
            if not self.free_blocks:
                raise MemoryError("no free block")
            table.append(self._take())
        elif self.refs[table[-1]] > 1:
            if not self.free_blocks:
                raise MemoryError("no free block for copy-on-write")
            copied_from = table[-1]
            self.refs[copied_from] -= 1
            table[-1] = self._take()
        self.lengths[seq_id] = n + 1
        return table[-1], offset, copied_from

    def fork(self, parent_id, child_id):
        if child_id in self.tables:
            raise ValueError(f"sequence {child_id!r} already exists")
        table = self.tables[parent_id]
        for block in table:
            self.refs[block] += 1
        self.tables[child_id], self.lengths[child_id] = list(table), self.lengths[parent_id]

    def free(self, seq_id):
        for block in self.tables.pop(seq_id):
            self.refs[block] -= 1
            if self.refs[block] == 0:
                self.free_blocks.append(block)
        del self.lengths[seq_id]

    def _take(self):
        block = self.free_blocks.pop()
        self.refs[block] = 1
        return block
''',
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    """softmax(q K^T / sqrt(d)) V for one query per head, K and V read through block_table from the pools."""
    n_blocks, block_size, n_head, d = k_pool.shape
    blocks = torch.as_tensor(list(block_table), dtype=torch.long)
    pos = torch.arange(context_len)
    k = k_pool[blocks[pos // 4], pos % 4]          # (context_len, n_head, d)
    v = v_pool[blocks[pos // 4], pos % 4]
    s = torch.einsum("hd,thd->ht", q, k) / math.sqrt(d)
    return torch.einsum("ht,thd->hd", torch.softmax(s, dim=-1), v)
''',
    "serve": r'''
def serve(engine, requests):
    """Run every request to completion on `engine` with FCFS continuous batching and preemption of the newest."""
    pending = deque(sorted(requests, key=lambda r: (r.arrival, r.rid)))
    waiting, running = deque(), []
    remaining = len(requests)
    while remaining:
        while pending and pending[0].arrival <= engine.now:
            waiting.append(pending.popleft())
        if not running and not waiting:
            engine.idle_until(pending[0].arrival)
            continue
        for r in [r for r in waiting if engine.blocks_needed(r) <= engine.free_blocks()]:
            if len(running) >= engine.max_batch or engine.blocks_needed(r) > engine.free_blocks():
                continue
            waiting.remove(r)
            engine.prefill(r)
            if engine.is_finished(r):
                engine.release(r)
                remaining -= 1
            else:
                running.append(r)
        while running and engine.step_blocks(running) > engine.free_blocks():
            r = running.pop()
            engine.release(r)
            waiting.appendleft(r)
        if running:
            engine.decode(running)
            for r in [r for r in running if engine.is_finished(r)]:
                engine.release(r)
                running.remove(r)
                remaining -= 1
''',
    "speculative": r'''
def speculative_accept(p, q, draft_tokens, generator):
    """Tokens emitted by one round of speculative sampling (1 to k+1 ints), drawing randomness from `generator`."""
    out = []
    for i, x in enumerate(int(t) for t in draft_tokens):
        u = torch.rand((), generator=generator).item()
        if u * q[i, x].item() < p[i, x].item():            # u < p/q, without dividing by a small q
            out.append(x)
            continue
        residual = torch.clamp(p[i] - q[i], min=0)
        out.append(int(torch.multinomial(residual / residual.sum(), 1, generator=generator)))
        return out
    out.append(int(torch.multinomial(p[len(out)], 1, generator=generator)))
    return out


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    """n_new tokens after prompt by speculative decoding (greedy if generator is None)."""
    tokens = list(prompt)
    with torch.no_grad():
        while len(tokens) - len(prompt) < n_new:
            guesses, q_rows = [], []
            for _ in range(k):
                logits = draft(torch.tensor(tokens + guesses))[-1]
                if generator is None:
                    guesses.append(int(logits.argmax()))
                else:
                    q_row = torch.softmax(logits, -1)
                    q_rows.append(q_row)
                    guesses.append(int(torch.multinomial(q_row, 1, generator=generator)))
            logits = target(torch.tensor(tokens + guesses))[len(tokens) - 1:]
            if generator is None:
                best = logits.argmax(-1).tolist()
                n = 0
                while n < k and guesses[n] == best[n]:
                    n += 1
                emitted = guesses[:n] + [best[n]]
            else:
                emitted = speculative_accept(torch.softmax(logits, -1), torch.stack(q_rows), guesses, generator)
            tokens += emitted
    return tokens[len(prompt):len(prompt) + n_new]
''',
}
