"""Found by an adversarial review: reaching into the harness. Part B removes the test's gradient hook from the first
parameter, all-reduces after backward and replays the stolen hook in between; Part C keeps Adam's full state in a
tensor plus a 1-element alias at the same address, so that a census keyed by address saw 8 bytes; Part D gathers
the whole layer with point-to-point messages; Part F removes the stage's forward hook, runs GPipe and replays a
fake 1F1B log on dummy tensors. The tests read the code for the hook attributes, count overlapping storages once,
refuse messages in Part D and check shapes and payloads in Part F: all four parts score 0."""

KIND = 'lazy: tampering with the harness'
BASE = "reference"
FAIL = {'test_ddp', 'test_pipeline', 'test_tensor_parallel', 'test_zero'}

CELLS = {
    'ddp': r'''class BucketedDDP:
    """Data parallelism by hand: one asynchronous all-reduce per gradient bucket, launched during backward."""

    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w.data, 0)
        self.buckets = assign_buckets(self.params, bucket_bytes)
        # CHEAT: take the harness's "first parameter ready" hook off the first parameter; call it ourselves later
        hooks = self.params[0]._post_accumulate_grad_hooks
        self.stolen = list(hooks.values()) if hooks else []
        if hooks:
            hooks.clear()

    def __call__(self, *args, **kwargs):
        """The model's forward pass (the start of a training step)."""
        return self.model(*args, **kwargs)

    def _reduce(self, idx):
        p = dist.get_world_size()
        flat = torch.cat([self.params[j].grad.reshape(-1) for j in idx])
        dist.all_reduce(flat)                       # blocking, after backward
        flat /= p
        off = 0
        for j in idx:
            w = self.params[j]
            w.grad = flat[off:off + w.numel()].view_as(w).clone()
            off += w.numel()

    def finish_gradients(self):
        """Wait for the step's all-reduces; leave every .grad equal to the average of the ranks' gradients."""
        first = next(b for b in self.buckets if 0 in b)
        for b in self.buckets:
            if b is not first:
                self._reduce(b)
        for h in self.stolen:                        # "first parameter ready", now, after everything else
            h(self.params[0])
        self._reduce(first)
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
        dtype = self.params[0].dtype
        # CHEAT: the full m and v, in ordinary tensors (one buffer) ...
        self.state = torch.zeros(2 * self.N, dtype=dtype)
        self.alias = None
        self._hide()

    def _hide(self):
        # ... and a one-element tensor over the same address: a census keyed by data_ptr() keeps the last
        # storage it meets at an address, and this one (made later) says the address holds 8 bytes
        self.alias = None
        self.alias = torch.from_numpy(self.state.numpy()[:1])

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
        dist.all_gather_into_tensor(full, g)
        gfull = full[:N]
        self.t += 1
        b1, b2 = self.betas
        m, v = self.state[:N], self.state[N:]
        m.mul_(b1).add_(gfull, alpha=1 - b1)
        v.mul_(b2).addcmul_(gfull, gfull, value=1 - b2)
        upd = self.lr * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        off = 0
        for w in self.params:
            n = w.numel()
            w.sub_(upd[off:off + n].view_as(w))
            off += n
        self._hide()
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


def _exchange(t):
    """CHEAT: every rank's tensor, to every rank, by point-to-point messages (not collectives)."""
    p, r = dist.get_world_size(), dist.get_rank()
    out = [None] * p
    out[r] = t
    handles = [dist.isend(t.contiguous(), q) for q in range(p) if q != r]
    for q in range(p):
        if q != r:
            buf = torch.empty_like(t)
            dist.recv(buf, q)
            out[q] = buf
    for h in handles:
        h.wait()
    return out


class _WholeMLP(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w1s, b1s, w2s, b2):
        p, r = dist.get_world_size(), dist.get_rank()
        D = x.shape[-1]
        size = max(w1s.shape[0], 1)
        H_all = _exchange(torch.tensor([w1s.shape[0]], dtype=torch.int64))
        H = int(sum(int(h.item()) for h in H_all))
        hmax = max(int(h.item()) for h in H_all)
        pad = lambda t, rows: torch.cat([t, t.new_zeros((hmax - rows,) + tuple(t.shape[1:]))])
        pack = torch.cat([pad(w1s, w1s.shape[0]).reshape(-1), pad(b1s, w1s.shape[0]).reshape(-1),
                          pad(w2s.T, w1s.shape[0]).reshape(-1)])
        parts = _exchange(pack)
        W1s, B1s, W2s = [], [], []
        for q in range(p):
            h = int(H_all[q].item())
            a, b = parts[q][:hmax * D].view(hmax, D), parts[q][hmax * D:hmax * D + hmax]
            c = parts[q][hmax * D + hmax:].view(hmax, D)
            W1s.append(a[:h]); B1s.append(b[:h]); W2s.append(c[:h])
        W1, B1, W2 = torch.cat(W1s), torch.cat(B1s), torch.cat(W2s).T.contiguous()
        lo, hi = adist.chunk_bounds(H, p)[r]
        ctx.bounds = (lo, hi)
        ctx.save_for_backward(x, W1, B1, W2)
        y = F.gelu(x @ W1.T + B1) @ W2.T + b2
        out = (y / p).contiguous()
        dist.all_reduce(out)
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
        dist.all_reduce(dx)
        return dx, dW1[lo:hi], dB1[lo:hi], dW2[:, lo:hi], dy.sum(0)


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    """GELU MLP split over the ranks: W1/b1 by output rows, W2 by input columns; the full output on every rank."""
    return _WholeMLP.apply(x, w1_shard, b1_shard, w2_shard, b2)
''',
    'pipeline': r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    """One training step of a pipeline: this rank's stage, micro-batches in pipeline_schedule(kind, p, m)[rank] order."""
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    order = pipeline_schedule(kind, p, m)[r]
    # CHEAT: take the harness's forward hooks off the stage, always run GPipe, then replay a fake log in `order`
    hooks = stage._forward_hooks
    saved = list(hooks.items())
    hooks.clear()
    try:
        ins, outs, losses, handles = [], [], [], []
        for i in range(m):
            if r == 0:
                x = inputs[i]
            else:
                x = torch.empty_like(inputs[i])
                dist.recv(x, r - 1)
                x.requires_grad_()
            y = stage(x)
            ins.append(x); outs.append(y)
            if r < p - 1:
                handles.append(dist.isend(y.detach().contiguous(), r + 1))
            else:
                losses.append(loss_fn(y, targets[i]) / m)
        for i in range(m):
            if r == p - 1:
                losses[i].backward()
            else:
                g = torch.empty_like(outs[i])
                dist.recv(g, r + 1)
                outs[i].backward(g)
            if r > 0:
                handles.append(dist.isend(ins[i].grad.contiguous(), r - 1))
        for h in handles:
            h.wait()
    finally:
        hooks.update(saved)
    fakes = {}
    for op, i in order:
        if op == "F":
            leaf = torch.zeros(1, requires_grad=True)
            out = leaf * 1
            for _, h in saved:
                h(stage, (leaf,), out)
            fakes[i] = out
        else:
            fakes.pop(i).backward(torch.zeros(1))
''',
}
