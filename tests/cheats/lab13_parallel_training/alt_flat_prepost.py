"""A correct lab13_parallel_training submission built differently: buckets from itertools.accumulate-free greedy
walk; DDP with post-accumulate hooks; ZeRO whose parameters become views of ONE flat padded buffer (FSDP's flat
parameter): the reduce-scatter reads a flat gradient and the all-gather writes straight into the parameters, no
copy back; Megatron's f and g with GELU written out with erf; 1F1B from the closed form; a pipeline that posts
ALL its receives up front with irecv (m activations from the left, m gradients from the right) and waits on each
when the schedule needs it. Must get full marks."""

KIND = "correct alternative: flat parameter ZeRO, pre-posted receives"
BASE = "release"
EXPECT = "full"

CELLS = {
    "buckets": r'''def assign_buckets(params, bucket_bytes):
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, (int, np.integer)) or bucket_bytes < 1:
        raise ValueError("bucket_bytes must be an int >= 1")
    buckets, used = [], None
    for i in range(len(params) - 1, -1, -1):
        size = params[i].numel() * params[i].element_size()
        if used is None or used + size > bucket_bytes:
            buckets.append([i])
            used = size
        else:
            buckets[-1].append(i)
            used += size
    return buckets
''',
    "ddp": r'''class BucketedDDP:
    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w, 0)
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.home = {j: b for b, bucket in enumerate(self.buckets) for j in bucket}
        for j, w in enumerate(self.params):
            w.register_post_accumulate_grad_hook(lambda w, j=j: self._arrived(j))
        self._reset()

    def _reset(self):
        self.left = [len(b) for b in self.buckets]
        self.work = []

    def _arrived(self, j):
        b = self.home[j]
        self.left[b] -= 1
        if self.left[b] == 0:
            flat = torch.cat([self.params[k].grad.reshape(-1) for k in self.buckets[b]])
            self.work.append((b, flat, dist.all_reduce(flat, async_op=True)))

    def __call__(self, *args, **kwargs):
        self._reset()
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        p = dist.get_world_size()
        for b, flat, handle in self.work:
            handle.wait()
            flat.div_(p)
            pieces = flat.split([self.params[k].numel() for k in self.buckets[b]])
            for k, piece in zip(self.buckets[b], pieces):
                self.params[k].grad.copy_(piece.view_as(self.params[k].grad))
        self.work = []
''',
    "zero": r'''class ShardedAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        p, r = dist.get_world_size(), dist.get_rank()
        self.n = sum(w.numel() for w in self.params)
        self.chunk = -(-self.n // p)
        self.lo = r * self.chunk
        dtype = self.params[0].dtype
        self.flat = torch.zeros(self.chunk * p, dtype=dtype)        # the flat parameter
        offset = 0
        with torch.no_grad():
            for w in self.params:
                k = w.numel()
                self.flat[offset:offset + k].copy_(w.reshape(-1))
                w.data = self.flat[offset:offset + k].view_as(w)      # the parameter now lives in the flat buffer
                offset += k
        self.m = torch.zeros(self.chunk, dtype=dtype)
        self.v = torch.zeros(self.chunk, dtype=dtype)
        self.t = 0

    @torch.no_grad()
    def step(self):
        p = dist.get_world_size()
        grads = torch.zeros_like(self.flat)
        offset = 0
        for w in self.params:
            k = w.numel()
            if w.grad is not None:
                grads[offset:offset + k].copy_(w.grad.reshape(-1))
            offset += k
        g = torch.empty(self.chunk, dtype=self.flat.dtype)
        dist.reduce_scatter_tensor(g, grads)
        del grads
        g.div_(p)
        self.t += 1
        self.m.lerp_(g, 1 - self.b1)
        self.v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
        denom = (self.v / (1 - self.b2 ** self.t)).sqrt_().add_(self.eps)
        shard = self.flat[self.lo:self.lo + self.chunk].clone()
        shard.addcdiv_(self.m, denom, value=-self.lr / (1 - self.b1 ** self.t))
        dist.all_gather_into_tensor(self.flat, shard)               # straight into every parameter
''',
    "tensor_parallel": r'''class CopyToTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        total = grad.contiguous().clone()
        dist.all_reduce(total)
        return total


class SumFromTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, partial):
        total = partial.contiguous().clone()
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad):
        return grad


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    x = CopyToTensorParallel.apply(x)
    a = torch.addmm(b1_shard, x, w1_shard.t())
    h = 0.5 * a * (1.0 + torch.erf(a / math.sqrt(2.0)))
    return SumFromTensorParallel.apply(h.mm(w2_shard.t())) + b2
''',
    "schedule": r'''def pipeline_schedule(kind, p, m):
    if kind not in ("gpipe", "1f1b"):
        raise ValueError(f"unknown schedule {kind!r}")
    for v in (p, m):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError("p and m must be ints >= 1")
    p, m = int(p), int(m)
    if kind == "gpipe":
        return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]
    orders = []
    for r in range(p):
        warm = min(p - r - 1, m)
        steady = [op for i in range(warm, m) for op in (("F", i), ("B", i - warm))]
        orders.append([("F", i) for i in range(warm)] + steady + [("B", i) for i in range(m - warm, m)])
    return orders
''',
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    # every receive posted at once, waited on when the schedule needs it
    acts = [torch.empty_like(inputs[i]) for i in range(m)] if r > 0 else None
    grads = [torch.empty_like(inputs[i]) for i in range(m)] if r < p - 1 else None
    act_work = [dist.irecv(acts[i], r - 1) for i in range(m)] if r > 0 else None
    grad_work = [dist.irecv(grads[i], r + 1) for i in range(m)] if r < p - 1 else None
    xs, outs, sends = {}, {}, []
    for op, i in pipeline_schedule(kind, p, m)[r]:
        if op == "F":
            if r == 0:
                x = inputs[i].detach().clone().requires_grad_()
            else:
                act_work[i].wait()
                x = acts[i].requires_grad_()
            out = stage(x)
            xs[i] = x
            if r < p - 1:
                sends.append(dist.isend(out.detach().contiguous(), r + 1))
                outs[i] = out
            else:
                outs[i] = loss_fn(out, targets[i]) / m
        else:
            out = outs.pop(i)
            if r == p - 1:
                out.backward()
            else:
                grad_work[i].wait()
                out.backward(grads[i])
            x = xs.pop(i)
            if r > 0:
                sends.append(dist.isend(x.grad.contiguous(), r - 1))
    for s in sends:
        s.wait()
''',
}
