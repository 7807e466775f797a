"""Lazy Part C: every rank all-reduces the gradients and runs a full torch.optim.Adam over all the parameters --
right weights, the same on every rank, but every rank keeps Adam's state for all N parameters (and then all-gathers
its shard, so that the trace shows an all-gather). Part C scores 0: its steps
all-reduce instead of one reduce-scatter, and it keeps 2N elements of Adam state (kept memory, as malloc counts it)."""

KIND = "lazy: unsharded optimizer state"
BASE = "reference"
FAIL = {"test_zero"}

CELLS = {
    "zero": r'''class ShardedAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.inner = torch.optim.Adam(self.params, lr=lr, betas=betas, eps=eps)

    @torch.no_grad()
    def step(self):
        p = dist.get_world_size()
        for w in self.params:
            dist.all_reduce(w.grad)
            w.grad /= p
        self.inner.step()
        flat = torch.cat([w.reshape(-1) for w in self.params])
        n = -(-flat.numel() // p)
        flat = F.pad(flat, (0, n * p - flat.numel()))
        out = torch.empty_like(flat)
        dist.all_gather_into_tensor(out, flat[dist.get_rank() * n:(dist.get_rank() + 1) * n].contiguous())
''',
}
