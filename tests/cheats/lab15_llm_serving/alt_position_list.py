"""A second correct lab15_llm_serving submission: the cache keeps a Python list of per-position key/value tensors and
forward_cached runs a chunk through each layer's modules in one pass but attends query by query over the stacked
entries; a heap of free blocks; paged attention that concatenates the table's blocks and slices; the scheduler split
into helper functions; speculative acceptance with the ratio test written as q*u < p and the residual sampled by
inverse CDF. (Renamed from alt_token_by_token.py: its forward_cached used to run a chunk one token at a time, which
Part 1 now refuses as a prefill that is not one pass; that version is lazy_prefill_by_token.py.)"""

KIND = "alternative: per-position list cache, heap allocator, concatenated blocks"
BASE = "release"
EXPECT = "full"

CELLS = {
    "kv_cache": r'''
class KVCache:
    """Keys and values of every position a model has processed, for each of its layers."""

    def __init__(self):
        self.per_layer = {}       # layer -> list of (k, v), each (n_head, head_dim)

    def __len__(self):
        return len(self.per_layer.get(0, []))


def forward_cached(model, tokens, cache):
    """Logits (T, vocab) of `tokens` placed after the len(cache) positions already in `cache`; appends their K, V."""
    ids = torch.as_tensor(tokens).reshape(-1).tolist()
    if len(ids) == 0 or len(cache) + len(ids) > model.cfg.block_size:
        raise ValueError(f"the model holds at most {model.cfg.block_size} positions")
    start = len(cache)
    x = model.tok_emb(torch.tensor([ids])) + model.pos_emb(torch.arange(start, start + len(ids)))
    for i, block in enumerate(model.blocks):
        q, k, v = block.attn.split_heads(block.ln1(x))           # each (1, H, T, d): the chunk in one pass
        entries = cache.per_layer.setdefault(i, [])
        outs = []
        for t in range(len(ids)):                                 # query t sees the cache and the chunk up to t
            entries.append((k[0, :, t], v[0, :, t]))
            K = torch.stack([e[0] for e in entries], dim=1)      # (H, start+t+1, d)
            V = torch.stack([e[1] for e in entries], dim=1)
            att = torch.softmax((K @ q[0, :, t, :, None])[..., 0] / math.sqrt(K.shape[-1]), dim=-1)
            outs.append((att[:, :, None] * V).sum(1))             # (H, d)
        x = x + block.attn.merge_heads(torch.stack(outs, dim=1)[None])
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))[0]


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
    "block_manager": r'''
import heapq


class BlockManager:
    """Fixed-size KV blocks with per-sequence block tables, reference counts and copy-on-write."""

    def __init__(self, num_blocks, block_size):
        self.bs = block_size
        self.heap = list(range(num_blocks))
        heapq.heapify(self.heap)
        self.count = [0] * num_blocks
        self.table = {}
        self.size = {}

    def num_free(self):
        return len(self.heap)

    def ref_count(self, block):
        return self.count[block]

    def block_table(self, seq_id):
        return self.table[seq_id][:]

    def length(self, seq_id):
        return self.size[seq_id]

    def _new(self):
        b = heapq.heappop(self.heap)
        self.count[b] += 1
        return b

    def allocate(self, seq_id, n_tokens):
        if seq_id in self.table:
            raise ValueError(f"{seq_id} exists")
        blocks_needed = math.ceil(n_tokens / self.bs)
        if blocks_needed > len(self.heap):
            raise MemoryError("not enough free blocks")
        self.table[seq_id] = [self._new() for _ in range(blocks_needed)]
        self.size[seq_id] = n_tokens
        return self.table[seq_id][:]

    def append_slot(self, seq_id):
        t, n = self.table[seq_id], self.size[seq_id]
        off = n % self.bs
        if off == 0:
            if not self.heap:
                raise MemoryError("full")
            t.append(self._new())
            src = None
        elif self.count[t[-1]] == 1:
            src = None
        else:
            if not self.heap:
                raise MemoryError("full")
            src = t[-1]
            self.count[src] -= 1
            t[-1] = self._new()
        self.size[seq_id] = n + 1
        return t[-1], off, src

    def fork(self, parent_id, child_id):
        if child_id in self.table:
            raise ValueError(f"{child_id} exists")
        self.table[child_id] = self.table[parent_id][:]
        self.size[child_id] = self.size[parent_id]
        for b in self.table[child_id]:
            self.count[b] += 1

    def free(self, seq_id):
        blocks = self.table.pop(seq_id)
        self.size.pop(seq_id)
        for b in blocks:
            self.count[b] -= 1
            if self.count[b] == 0:
                heapq.heappush(self.heap, b)
''',
    "paged_attention": r'''
def paged_attention(q, k_pool, v_pool, block_table, context_len):
    """softmax(q K^T / sqrt(d)) V for one query per head, K and V read through block_table from the pools."""
    K = torch.cat([k_pool[b] for b in block_table])[:context_len]      # (context_len, H, d)
    V = torch.cat([v_pool[b] for b in block_table])[:context_len]
    scores = (K.permute(1, 0, 2) @ q[:, :, None])[..., 0] / math.sqrt(q.shape[-1])     # (H, context_len)
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, None, :] @ V.permute(1, 0, 2))[:, 0, :]
''',
    "serve": r'''
def _admit(engine, waiting, running):
    done = 0
    while waiting and len(running) < engine.max_batch and engine.blocks_needed(waiting[0]) <= engine.free_blocks():
        r = waiting.popleft()
        engine.prefill(r)
        if engine.is_finished(r):
            engine.release(r)
            done += 1
        else:
            running.append(r)
    return done


def _preempt(engine, waiting, running):
    while running and engine.step_blocks(running) > engine.free_blocks():
        r = running.pop()
        engine.release(r)
        waiting.appendleft(r)


def _decode(engine, running):
    engine.decode(running)
    finished = [r for r in running if engine.is_finished(r)]
    for r in finished:
        engine.release(r)
        running.remove(r)
    return len(finished)


def serve(engine, requests):
    """Run every request to completion on `engine` with FCFS continuous batching and preemption of the newest."""
    future = deque(sorted(requests, key=lambda r: (r.arrival, r.rid)))
    waiting, running, done = deque(), [], 0
    while done < len(requests):
        while future and future[0].arrival <= engine.now:
            waiting.append(future.popleft())
        if not (waiting or running):
            engine.idle_until(future[0].arrival)
            continue
        done += _admit(engine, waiting, running)
        _preempt(engine, waiting, running)
        if running:
            done += _decode(engine, running)
''',
    "speculative": r'''
def _draw(probs, generator):
    """Inverse-CDF sampling from a (possibly unnormalised) probability vector."""
    c = torch.cumsum(probs, 0)
    u = torch.rand((), generator=generator) * c[-1]
    return int(min(int(torch.searchsorted(c, u, right=True)), len(probs) - 1))


def speculative_accept(p, q, draft_tokens, generator):
    """Tokens emitted by one round of speculative sampling (1 to k+1 ints), drawing randomness from `generator`."""
    emitted = []
    for i, x in enumerate(draft_tokens):
        x = int(x)
        if q[i, x] * torch.rand((), generator=generator) < p[i, x]:
            emitted.append(x)
        else:
            emitted.append(_draw(torch.relu(p[i] - q[i]), generator))
            return emitted
    emitted.append(_draw(p[len(draft_tokens)], generator))
    return emitted


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    """n_new tokens after prompt by speculative decoding (greedy if generator is None)."""
    out = []
    with torch.no_grad():
        while len(out) < n_new:
            ctx = list(prompt) + out
            guesses, q_rows = [], []
            for _ in range(k):
                logits = draft(torch.tensor(ctx + guesses))[-1]
                if generator is None:
                    guesses.append(int(logits.argmax()))
                else:
                    q_rows.append(torch.softmax(logits, -1))
                    guesses.append(_draw(q_rows[-1], generator))
            t_logits = target(torch.tensor(ctx + guesses))[len(ctx) - 1:]
            if generator is None:
                for i in range(k + 1):
                    choice = int(t_logits[i].argmax())
                    out.append(choice)
                    if i == k or guesses[i] != choice:
                        break
            else:
                out += speculative_accept(torch.softmax(t_logits, -1), torch.stack(q_rows), guesses, generator)
    return out[:n_new]
''',
}
