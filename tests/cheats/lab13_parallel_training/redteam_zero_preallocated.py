"""Near variant of redteam_zero_memmap (found while closing it), Part C: an UNSHARDED Adam whose 2N elements of state
live in one module-level tensor allocated when the answer cell runs -- in the notebook's process, before the test
forks its ranks, so that in a rank the tensor is already there when the test takes its "before" measurements: no
allocation, no new tensor, no growth for malloc's count, the census or tracemalloc. Communication as the red team's
original: a reduce-scatter of the local gradients, an extra all-gather of the averaged gradient shards (every rank
gets the whole averaged gradient), a full Adam step over all N parameters, then an all-gather of this rank's shard of
the updated weights.

The previous test_zero (its cell run on this submission) passed it: it asked for at least one reduce-scatter and
one all-gather per step and checked only the last all-gather's payload.
What catches it now: each step() must call exactly one reduce-scatter (carrying that step's local gradients) and
then exactly one all-gather (carrying this rank's shard of that step's updated weights) and nothing else, and no
communication happens outside step(). With only its own averaged shard, a rank cannot update (or need state for) any
other parameters.
"""

KIND = "lazy: unsharded Adam state allocated before the ranks start, a second all-gather for the whole gradient"
BASE = "reference"
FAIL = {'test_zero'}

CELLS = {
    "zero": r'''_MOMENTS = torch.zeros(2, 1 << 17, dtype=torch.float64)    # made in the notebook, before any rank exists


class ShardedAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.n = sum(w.numel() for w in self.params)
        self.chunk = -(-self.n // dist.get_world_size())
        _MOMENTS.zero_()
        self.t = 0

    @torch.no_grad()
    def step(self):
        p, r = dist.get_world_size(), dist.get_rank()
        dtype = self.params[0].dtype
        flat = F.pad(torch.cat([w.grad.reshape(-1) for w in self.params]), (0, self.chunk * p - self.n))
        mine = torch.empty(self.chunk, dtype=dtype)
        dist.reduce_scatter_tensor(mine, flat)
        mine /= p
        full = torch.empty(self.chunk * p, dtype=dtype)
        dist.all_gather_into_tensor(full, mine)          # the whole averaged gradient on every rank
        g = full[:self.n].double()
        self.t += 1
        b1, b2 = self.betas
        m, v = _MOMENTS[0, :self.n], _MOMENTS[1, :self.n]
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        update = self.lr * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        offset = 0
        for w in self.params:
            k = w.numel()
            w.sub_(update[offset:offset + k].view_as(w).to(dtype))
            offset += k
        weights = F.pad(torch.cat([w.reshape(-1) for w in self.params]), (0, self.chunk * p - self.n))
        out = torch.empty_like(weights)
        dist.all_gather_into_tensor(out, weights[r * self.chunk:(r + 1) * self.chunk].contiguous())
''',
}
