"""Found by an adversarial review: every part's communication moved to a channel the harness did not count. Part B
all-reduces zeros of each bucket's size from its hooks and does the real averaging (and the first broadcast) on a
second gloo group made with dist.new_group; Part C keeps Adam's full state in a dist.HashStore (C++ memory the
tensor census cannot see); Part D gathers the whole layer on a new group, computes it everywhere and fakes the
counted all-reduces with y/p and dx/p; Part F sends activations and gradients on a new group and zeros on the
counted one. New groups are refused inside a traced rank, and the tests read the code for them and for stores: all
four parts score 0."""

KIND = 'lazy: uncounted channels (new groups, stores)'
BASE = "reference"
FAIL = {'test_ddp', 'test_pipeline', 'test_tensor_parallel', 'test_zero'}

CELLS = {
    'ddp': r'''class BucketedDDP:
    """Data parallelism by hand: one asynchronous all-reduce per gradient bucket, launched during backward."""

    def __init__(self, model, bucket_bytes):
        # CHEAT: the hooks launch all-reduces of ZEROS of each bucket's size (what the trace counts); the real
        # averaging is one blocking all-reduce of everything after backward, over an uncounted gloo group
        self.model = model
        self.params = list(model.parameters())
        self.hidden = dist.new_group(backend="gloo")
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w.data, 0, group=self.hidden)      # even the start is uncounted
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.bucket_of = {j: b for b, idx in enumerate(self.buckets) for j in idx}
        for j, w in enumerate(self.params):
            w.register_post_accumulate_grad_hook(self._hook(j))
        self.missing, self.handles = [], []

    def _hook(self, j):
        def hook(w):
            b = self.bucket_of[j]
            self.missing[b] -= 1
            if self.missing[b] == 0:
                n = sum(self.params[k].numel() for k in self.buckets[b])
                self.handles.append(dist.all_reduce(torch.zeros(n, dtype=w.dtype), async_op=True))
        return hook

    def __call__(self, *args, **kwargs):
        """The model's forward pass (the start of a training step)."""
        self.missing = [len(idx) for idx in self.buckets]
        self.handles = []
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        """Wait for the step's all-reduces; leave every .grad equal to the average of the ranks' gradients."""
        for h in self.handles:
            h.wait()
        flat = torch.cat([w.grad.reshape(-1) for w in self.params])
        dist.all_reduce(flat, group=self.hidden)
        flat /= dist.get_world_size()
        off = 0
        for w in self.params:
            w.grad = flat[off:off + w.numel()].view_as(w).clone()
            off += w.numel()
''',
    'zero': r'''class ShardedAdam:
    """Adam whose state is sharded across the ranks (ZeRO stage 1): reduce-scatter, update a shard, all-gather."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.p, self.r = dist.get_world_size(), dist.get_rank()
        self.N = sum(w.numel() for w in self.params)
        self.shard = -(-self.N // self.p)
        self.t = 0
        self.store = dist.HashStore()          # CHEAT: full m and v, in C++ memory the census cannot see

    def _load(self, key, dtype):
        if self.t == 1:
            return torch.zeros(self.N, dtype=dtype)
        return torch.frombuffer(bytearray(self.store.get(key)), dtype=torch.uint8).view(dtype).clone()

    def _save(self, key, t):
        self.store.set(key, t.view(torch.uint8).numpy().tobytes())

    @torch.no_grad()
    def step(self):
        """One Adam step on this rank's shard, then every rank gets every updated shard."""
        p, N, S = self.p, self.N, self.shard
        dtype = self.params[0].dtype
        flat = torch.zeros(S * p, dtype=dtype)
        off = 0
        for w in self.params:
            n = w.numel()
            if w.grad is not None:
                flat[off:off + n] = w.grad.reshape(-1)
            off += n
        g = torch.empty(S, dtype=dtype)
        dist.reduce_scatter_tensor(g, flat)
        g /= p
        full = torch.empty(S * p, dtype=dtype)
        dist.all_gather_into_tensor(full, g)          # the whole averaged gradient, same bytes as honest ZeRO
        gfull = full[:N]
        self.t += 1
        b1, b2 = self.betas
        m, v = self._load("m", dtype), self._load("v", dtype)
        m.mul_(b1).add_(gfull, alpha=1 - b1)
        v.mul_(b2).addcmul_(gfull, gfull, value=1 - b2)
        upd = self.lr * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        off = 0
        for w in self.params:
            n = w.numel()
            w.sub_(upd[off:off + n].view_as(w))
            off += n
        self._save("m", m)
        self._save("v", v)
''',
    'tensor_parallel': r'''class CopyToTensorParallel(torch.autograd.Function):
    """Megatron's f: identity forward, all-reduce of the gradient backward."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad


class SumFromTensorParallel(torch.autograd.Function):
    """Megatron's g: all-reduce (sum) of the partial outputs forward, identity backward."""

    @staticmethod
    def forward(ctx, partial):
        out = partial.contiguous().clone()
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad


class _WholeMLP(torch.autograd.Function):
    """CHEAT: gather the whole layer over an uncounted gloo group, compute it all on every rank; one counted
    all_reduce of y/p forward and one of dx/p backward so that the counts look right."""

    @staticmethod
    def forward(ctx, x, w1s, b1s, w2s, b2):
        group = dist.new_group(backend="gloo")
        p, r = dist.get_world_size(), dist.get_rank()
        H = torch.tensor([w1s.shape[0]])
        dist.all_reduce(H, group=group)
        H = int(H.item())
        lo, hi = adist.chunk_bounds(H, p)[r]
        D = x.shape[-1]
        W1 = torch.zeros(H, D, dtype=x.dtype); W1[lo:hi] = w1s
        B1 = torch.zeros(H, dtype=x.dtype); B1[lo:hi] = b1s
        W2 = torch.zeros(D, H, dtype=x.dtype); W2[:, lo:hi] = w2s
        for t in (W1, B1, W2):
            dist.all_reduce(t, group=group)
        ctx.bounds = (lo, hi)
        ctx.save_for_backward(x, W1, B1, W2)
        y = F.gelu(x @ W1.T + B1) @ W2.T + b2
        out = (y / p).contiguous()
        dist.all_reduce(out)                         # counted: one all_reduce of the output's size
        return out

    @staticmethod
    def backward(ctx, dy):
        x, W1, B1, W2 = ctx.saved_tensors
        lo, hi = ctx.bounds
        p = dist.get_world_size()
        with torch.enable_grad():
            leaves = [t.detach().requires_grad_() for t in (x, W1, B1, W2)]
            xx, w1, bb1, w2 = leaves
            y = F.gelu(xx @ w1.T + bb1) @ w2.T
            dx, dW1, dB1, dW2 = torch.autograd.grad(y, leaves, dy)
        dx = (dx / p).contiguous()
        dist.all_reduce(dx)                          # counted: one all_reduce backward, same size
        return dx, dW1[lo:hi], dB1[lo:hi], dW2[:, lo:hi], dy.sum(0)


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    """GELU MLP split over the ranks: W1/b1 by output rows, W2 by input columns; the full output on every rank."""
    return _WholeMLP.apply(x, w1_shard, b1_shard, w2_shard, b2)
''',
    'pipeline': r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    """One training step of a pipeline: this rank's stage, micro-batches in pipeline_schedule(kind, p, m)[rank] order."""
    # CHEAT: the real activations and gradients travel over an uncounted gloo group; the counted messages carry
    # zeros (multiplied by 0 into the data, so that a NaN-poisoned receive would still show up as NaN)
    r, p = dist.get_rank(), dist.get_world_size()
    hidden = dist.new_group(backend="gloo")
    m = len(inputs)
    order = pipeline_schedule(kind, p, m)[r]
    ins, outs, losses, handles = {}, {}, {}, []

    def receive(like, src):
        dummy = torch.empty_like(like)
        dist.recv(dummy, src)
        real = torch.empty_like(like)
        dist.recv(real, src, group=hidden)
        return real + 0 * dummy

    def send(t, dst):
        handles.append(dist.isend(torch.zeros_like(t), dst))
        handles.append(dist.isend(t.detach().contiguous(), dst, group=hidden))

    for op, i in order:
        if op == "F":
            if r == 0:
                x = inputs[i]
            else:
                x = receive(inputs[i], r - 1).requires_grad_()
            y = stage(x)
            ins[i], outs[i] = x, y
            if r < p - 1:
                send(y, r + 1)
            else:
                losses[i] = loss_fn(y, targets[i]) / m
        else:
            x, y = ins.pop(i), outs.pop(i)
            if r == p - 1:
                losses.pop(i).backward()
            else:
                y.backward(receive(y, r + 1))
            if r > 0:
                send(x.grad, r - 1)
    for h in handles:
        h.wait()
''',
}
