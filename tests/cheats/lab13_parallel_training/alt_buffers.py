"""A second correct lab13_parallel_training submission: buckets by recursion; DDP with persistent flat bucket
buffers whose views become the gradients (PyTorch's gradient_as_bucket_view idea); ZeRO with the list form of
reduce-scatter and all-gather; Megatron's f and g with asynchronous all-reduces waited on at once; a 1F1B order
produced by a rule simulated step by step (run a backward when one is possible, else a forward while fewer than
p - r micro-batches are in flight); a pipeline that sends with batch_isend_irecv. Must get full marks."""

KIND = "correct alternative: bucket views, list collectives, rule-based 1F1B"
BASE = "release"
EXPECT = "full"

CELLS = {
    "buckets": r'''def assign_buckets(params, bucket_bytes):
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, (int, np.integer)) or bucket_bytes < 1:
        raise ValueError(f"bucket_bytes must be an int >= 1, got {bucket_bytes!r}")
    sizes = [q.numel() * q.element_size() for q in params]

    def fill(last):
        if last < 0:
            return []
        bucket, used, i = [last], sizes[last], last - 1
        while i >= 0 and used + sizes[i] <= bucket_bytes:
            bucket.append(i)
            used += sizes[i]
            i -= 1
        return [bucket] + fill(i)

    return fill(len(params) - 1)
''',
    "ddp": r'''class BucketedDDP:
    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.buffers = [torch.zeros(sum(self.params[j].numel() for j in b), dtype=self.params[b[0]].dtype)
                        for b in self.buckets]
        self.where = {}
        for b, bucket in enumerate(self.buckets):
            offset = 0
            for j in bucket:
                self.where[j] = (b, offset)
                offset += self.params[j].numel()
        for w in self.params:
            dist.broadcast(w.data, 0)
        for j, w in enumerate(self.params):
            w.register_post_accumulate_grad_hook(lambda w, j=j: self._ready(j))
        self.count, self.handles = {}, []

    def _ready(self, j):
        b, offset = self.where[j]
        w = self.params[j]
        self.buffers[b][offset:offset + w.numel()].copy_(w.grad.reshape(-1))
        self.count[b] = self.count.get(b, 0) + 1
        if self.count[b] == len(self.buckets[b]):
            self.handles.append(dist.all_reduce(self.buffers[b], async_op=True))

    def __call__(self, *args, **kwargs):
        self.count, self.handles = {}, []
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        for h in self.handles:
            h.wait()
        for j, w in enumerate(self.params):
            b, offset = self.where[j]
            w.grad = (self.buffers[b][offset:offset + w.numel()] / dist.get_world_size()).view_as(w)
''',
    "zero": r'''class ShardedAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.hp = (lr, betas[0], betas[1], eps)
        self.p, self.r = dist.get_world_size(), dist.get_rank()
        self.n = sum(w.numel() for w in self.params)
        self.size = (self.n + self.p - 1) // self.p
        self.exp_avg = torch.zeros(self.size, dtype=self.params[0].dtype)
        self.exp_avg_sq = torch.zeros_like(self.exp_avg)
        self.steps = 0

    @torch.no_grad()
    def step(self):
        lr, b1, b2, eps = self.hp
        grads = torch.zeros(self.size * self.p, dtype=self.exp_avg.dtype)
        grads[:self.n] = torch.cat([w.grad.flatten() for w in self.params])
        mine = torch.empty(self.size, dtype=grads.dtype)
        dist.reduce_scatter(mine, list(grads.chunk(self.p)))
        g = mine / self.p
        self.steps += 1
        self.exp_avg = b1 * self.exp_avg + (1 - b1) * g
        self.exp_avg_sq = b2 * self.exp_avg_sq + (1 - b2) * g * g
        weights = torch.zeros(self.size * self.p, dtype=grads.dtype)
        weights[:self.n] = torch.cat([w.flatten() for w in self.params])
        shard = weights.chunk(self.p)[self.r].clone()
        m_hat = self.exp_avg / (1 - b1 ** self.steps)
        v_hat = self.exp_avg_sq / (1 - b2 ** self.steps)
        shard -= lr * m_hat / (v_hat.sqrt() + eps)
        parts = [torch.empty_like(shard) for _ in range(self.p)]
        dist.all_gather(parts, shard)
        new = torch.cat(parts)[:self.n]
        k = 0
        for w in self.params:
            w.copy_(new[k:k + w.numel()].reshape(w.shape))
            k += w.numel()
''',
    "tensor_parallel": r'''class CopyToTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        total = grad.contiguous().clone()
        dist.all_reduce(total, op=dist.ReduceOp.SUM, async_op=True).wait()
        return total


class SumFromTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, partial):
        total = partial.contiguous().clone()
        dist.all_reduce(total, op=dist.ReduceOp.SUM, async_op=True).wait()
        return total

    @staticmethod
    def backward(ctx, grad):
        return grad


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    h = F.gelu(F.linear(CopyToTensorParallel.apply(x), w1_shard, b1_shard))
    return SumFromTensorParallel.apply(F.linear(h, w2_shard)) + b2
''',
    "schedule": r'''def pipeline_schedule(kind, p, m):
    good = lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
    if kind not in ("gpipe", "1f1b") or not (good(p) and good(m)):
        raise ValueError("kind must be 'gpipe' or '1f1b' and p, m positive ints")
    if kind == "gpipe":
        return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]
    # simulate unit-time steps; a stage runs a backward whenever its input gradient exists, else a forward while
    # fewer than p - r micro-batches are in flight
    orders = [[] for _ in range(p)]
    fdone = [[None] * m for _ in range(p)]
    bdone = [[None] * m for _ in range(p)]
    nf, nb, t = [0] * p, [0] * p, 0
    while any(nb[r] < m for r in range(p)):
        for r in range(p):
            i = nb[r]
            if i < m and fdone[r][i] is not None and fdone[r][i] < t and (r == p - 1 or (bdone[r + 1][i] is not None and bdone[r + 1][i] < t)):
                orders[r].append(("B", i))
                bdone[r][i] = t
                nb[r] += 1
                continue
            j = nf[r]
            if j < m and nf[r] - nb[r] < p - r and (r == 0 or (fdone[r - 1][j] is not None and fdone[r - 1][j] < t)):
                orders[r].append(("F", j))
                fdone[r][j] = t
                nf[r] += 1
        t += 1
    return orders
''',
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    acts, outs, pending = {}, {}, []

    def post(tensor, peer):
        pending.extend(dist.batch_isend_irecv([dist.P2POp(dist.isend, tensor, peer)]))

    for op, i in pipeline_schedule(kind, p, m)[r]:
        if op == "F":
            if r > 0:
                x = torch.zeros_like(inputs[i])
                dist.recv(x, r - 1)
                x.requires_grad_()
            else:
                x = inputs[i]
            out = stage(x)
            acts[i] = x
            if r + 1 < p:
                post(out.detach().clone(), r + 1)
                outs[i] = out
            else:
                outs[i] = loss_fn(out, targets[i]) * (1.0 / m)
        else:
            out, x = outs.pop(i), acts.pop(i)
            if r + 1 < p:
                g = torch.zeros_like(out)
                dist.recv(g, r + 1)
                torch.autograd.backward(out, g)
            else:
                out.backward()
            if r > 0:
                post(x.grad.clone(), r - 1)
    for h in pending:
        h.wait()
''',
}
