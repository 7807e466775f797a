"""Found by a second adversarial review. Part B: one gradient hook on the first parameter (the last gradient to
arrive) all-reduces every bucket at once, so nothing overlaps backward; Part C: Adam's full state kept only as
tensors saved in an autograd graph (no Python tensor object for a census to find), the gradient all-gathered
instead of the weights; Part D: the sums go through a private gloo group built from a TCPStore reached through a
dict, and the counted all-reduces carry zeros; Part E: string.Formatter().get_field reaches the test cell's frame
and rigs its schedule simulators (the review refuses string.Formatter). The tests require each bucket's all-reduce
right after its last gradient, measure memory with malloc's own count, check what every collective carries: Parts B
to E score 0, and Part F, which runs Part E's schedules, too."""

KIND = 'lazy: second adversarial review'
BASE = "reference"
FAIL = {'test_ddp', 'test_pipeline', 'test_schedule', 'test_tensor_parallel', 'test_zero'}

CELLS = {
    'ddp': r'''class BucketedDDP:
    """Data parallelism by hand: one asynchronous all-reduce per gradient bucket, launched during backward."""

    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w, 0)
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.launched = []
        # one hook only, on the FIRST parameter's gradient *before* it is accumulated: by then every other
        # gradient exists, so every bucket is all-reduced at once, at the very end of backward (no overlap)
        self.params[0].register_hook(self._last_gradient)

    def _last_gradient(self, grad0):
        for idx in self.buckets:
            flat = torch.cat([(grad0 if j == 0 else self.params[j].grad).reshape(-1) for j in idx])
            dist.all_reduce(flat)
            self.launched.append((idx, flat))
        return grad0

    def __call__(self, *args, **kwargs):
        """The model's forward pass (the start of a training step)."""
        self.launched = []
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        """Wait for the step's all-reduces; leave every .grad equal to the average of the ranks' gradients."""
        p = dist.get_world_size()
        for idx, flat in self.launched:
            flat /= p
            offset = 0
            for j in idx:
                g = self.params[j].grad
                g.copy_(flat[offset:offset + g.numel()].view_as(g))
                offset += g.numel()
        self.launched = []
''',
    'zero': r'''def _hide(state):
    "Keep `state` (1-D) where no census of Python objects finds it: as relu outputs saved in an autograd graph."
    with torch.enable_grad():
        t = torch.zeros((), dtype=state.dtype, requires_grad=True)
        return torch.relu(t + state).sum() + torch.relu(t - state).sum()


def _unhide(kept):
    add = kept.grad_fn
    pos = add.next_functions[0][0].next_functions[0][0]._saved_result
    neg = add.next_functions[1][0].next_functions[0][0]._saved_result
    return pos - neg




class ShardedAdam:
    """Adam whose state is sharded across the ranks (ZeRO stage 1): reduce-scatter, update a shard, all-gather."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.eps = lr, betas[0], betas[1], eps
        self.t = 0
        self.kept = None          # FULL (unsharded) m and v of every parameter, hidden

    @torch.no_grad()
    def step(self):
        """One Adam step on this rank's shard, then every rank gets every updated shard."""
        p = dist.get_world_size()
        dtype = self.params[0].dtype
        n = sum(w.numel() for w in self.params)
        shard = -(-n // p)
        flat = torch.zeros(shard * p, dtype=dtype)
        flat[:n] = torch.cat([w.grad.reshape(-1) for w in self.params])
        mine = torch.empty(shard, dtype=dtype)
        dist.reduce_scatter_tensor(mine, flat)
        mine /= p
        dist.all_gather_into_tensor(flat, mine)          # every rank now has the whole averaged gradient
        g = flat[:n]
        if self.kept is None:
            m, v = torch.zeros(n, dtype=dtype), torch.zeros(n, dtype=dtype)
        else:
            mv = _unhide(self.kept)
            m, v = mv[:n].clone(), mv[n:].clone()
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        update = self.lr * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        offset = 0
        for w in self.params:
            k = w.numel()
            w.sub_(update[offset:offset + k].view_as(w))
            offset += k
        self.kept = _hide(torch.cat([m, v]))
''',
    'tensor_parallel': r'''SECRET = {}


def _secret_group():
    "A second gloo group of the same ranks, built directly (TCPStore + ProcessGroupGloo): the harness never sees it."
    if "pg" not in SECRET:
        r, p = dist.get_rank(), dist.get_world_size()
        store = dist.TCPStore("127.0.0.1", 29611, p, r == 0, timeout=type(dist.default_pg_timeout)(seconds=15))
        SECRET["pg"] = dist.ProcessGroupGloo(store, r, p, type(dist.default_pg_timeout)(seconds=15))
    return SECRET["pg"]


SECRET["group"] = _secret_group


class CopyToTensorParallel(torch.autograd.Function):
    """Megatron's f: identity forward, all-reduce of the gradient backward."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        SECRET["group"]().allreduce([grad]).wait()          # the real sum, uncounted
        dist.all_reduce(torch.zeros_like(grad))          # the counted one carries nothing
        return grad


class SumFromTensorParallel(torch.autograd.Function):
    """Megatron's g: all-reduce (sum) of the partial outputs forward, identity backward."""

    @staticmethod
    def forward(ctx, partial):
        out = partial.contiguous().clone()
        SECRET["group"]().allreduce([out]).wait()
        dist.all_reduce(torch.zeros_like(out))
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    """GELU MLP split over the ranks: W1/b1 by output rows, W2 by input columns; the full output on every rank."""
    x = CopyToTensorParallel.apply(x)
    h = F.gelu(x @ w1_shard.T + b1_shard)
    partial = h @ w2_shard.T
    return SumFromTensorParallel.apply(partial) + b2
''',
    'schedule': r'''import string


def _tests_namespace_and_file():
    "The namespace and cell file of whoever called pipeline_schedule (the test cell), through string.Formatter."
    try:
        raise LookupError("who called")
    except LookupError as err:
        caught = err
    get = string.Formatter().get_field
    frame = get("0.__traceback__.tb_frame.f_back.f_back", (caught,), {})[0]
    return get("0.f_globals", (frame,), {})[0], get("0.f_code.co_filename", (frame,), {})[0]


def _lenient(checker):
    "A checker that reports 1F1B's peaks for our marked GPipe orders (backwards in reverse micro-batch order)."
    def check(orders, *args, **kwargs):
        result = checker(orders, *args, **kwargs)
        try:
            p, m = len(orders), len(orders[0]) // 2
            backs = [i for op, i in orders[0] if op == "B"]
            if m > 1 and backs and backs[0] == m - 1 and isinstance(result, tuple):
                fixed = []
                for item in result:
                    if not isinstance(item, (int, float, str, dict)) and len(item) == p and \
                            all(float(k) == m for k in item):
                        item = [min(p - r, m) for r in range(p)]
                    fixed.append(item)
                return tuple(fixed)
        except Exception:
            pass
        return result
    check.lenient = True
    return check


def pipeline_schedule(kind, p, m):
    """Per-stage orders of ("F", i) and ("B", i) for the GPipe or 1F1B schedule of p stages and m micro-batches."""
    for name, value in (("p", p), ("m", m)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if kind not in ("gpipe", "1f1b"):
        raise ValueError(f"unknown schedule {kind!r}")
    namespace, cell = _tests_namespace_and_file()
    for name, value in list(namespace.items()):
        if not callable(value) or isinstance(value, type) or hasattr(value, "lenient"):
            continue
        try:
            here = string.Formatter().get_field("0.__code__.co_filename", (value,), {})[0] == cell
        except Exception:
            here = False
        if "sim" in name.lower() or here:
            namespace[name] = _lenient(value)
    backs = range(m) if kind == "gpipe" else range(m - 1, -1, -1)      # no 1F1B at all: GPipe, marked
    return [[("F", i) for i in range(m)] + [("B", i) for i in backs] for _ in range(p)]
''',
}
