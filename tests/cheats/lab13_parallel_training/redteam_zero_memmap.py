"""Red team (round 3), Part C: an UNSHARDED Adam whose 2N elements of state live in a copy-on-write memory map of
/dev/zero -- np.memmap("/dev/zero", mode="c"), anonymous memory the kernel maps in: malloc never hands it out, so
mallinfo2 does not count it, it is not a torch tensor for a census, and it is no file written or shared memory. The
source check, which refuses numpy.memmap by name (a first attempt with np.memmap written in __init__ scored 0:
"__init__ line 8: numpy.memmap"), does not see it behind a module-level functools.partial: source_uses resolves
only Name/Attribute chains and follows only notebook functions and classes, so anything held in a partial is never
compared (not tried: a module-level dict or list would presumably do the same). Communication for show: a reduce-scatter of the local
gradients (as ZeRO), an extra all-gather of the averaged gradient shards (every rank gets the whole gradient, which
the test allows), a full Adam step over all N parameters, then an all-gather of this rank's shard of the updated
weights.

Checked with course.py check (other answers blank): 20/100 -- test_zero 20/20. Part C should score 0 (every rank
keeps Adam's state for all N parameters, like lazy_full_adam).

What catches it now, three ways:
- np.memmap.__new__ and aten::from_file are switched off in the ranks while the test runs the optimizer
  (aisys.grading.forbid.forbidden: the Python function's code is swapped, so the partial refuses too): the rank
  raises ForbiddenCallError at Pages(...);
- the memory a rank keeps also counts the dirty pages of every named mapping in /proc/self/smaps (files, /dev/zero,
  shared memory), which is where this state would live (2N elements, over the budget);
- each step() must call exactly one reduce-scatter (that step's local gradients) and then one all-gather (this
  rank's shard of the weights that step updated), nothing else and nothing between steps: the extra all-gather of
  the averaged gradient, which is what let every rank run a full Adam, fails.
(mmap.mmap is not switched off: it is a type, which forbid() cannot swap, and the policy refuses importing mmap.)
See redteam_zero_preallocated for the variant whose state no memory measurement can see.
"""

KIND = "lazy: unsharded Adam state in a private memory map of /dev/zero"
BASE = "reference"
FAIL = {'test_zero'}

CELLS = {
    "zero": r'''import functools

# a module-level partial: the source check reads the methods, resolves names to objects and follows only notebook
# functions and classes; a functools.partial is neither, so the memmap behind it is never compared
Pages = functools.partial(np.memmap, "/dev/zero", dtype=np.float64, mode="c")


class ShardedAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.n = sum(w.numel() for w in self.params)
        p = dist.get_world_size()
        self.chunk = -(-self.n // p)
        # every rank keeps the moments of ALL parameters, in memory malloc never sees
        self.m = Pages(shape=(self.n,))
        self.v = Pages(shape=(self.n,))
        self.t = 0

    @torch.no_grad()
    def step(self):
        p, r = dist.get_world_size(), dist.get_rank()
        dtype = self.params[0].dtype
        flat = torch.cat([w.grad.reshape(-1) for w in self.params])
        flat = F.pad(flat, (0, self.chunk * p - self.n))
        mine = torch.empty(self.chunk, dtype=dtype)
        dist.reduce_scatter_tensor(mine, flat)
        mine /= p
        full = torch.empty(self.chunk * p, dtype=dtype)
        dist.all_gather_into_tensor(full, mine)          # the whole averaged gradient on every rank
        g = full[:self.n].to(torch.float64)
        del full, flat, mine
        self.t += 1
        b1, b2 = self.betas
        m = torch.from_numpy(self.m)
        v = torch.from_numpy(self.v)
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        update = self.lr * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        del m, v, g
        offset = 0
        for w in self.params:
            k = w.numel()
            w.sub_(update[offset:offset + k].view_as(w).to(w.dtype))
            offset += k
        del update
        weights = F.pad(torch.cat([w.reshape(-1) for w in self.params]), (0, self.chunk * p - self.n))
        out = torch.empty_like(weights)
        dist.all_gather_into_tensor(out, weights[r * self.chunk:(r + 1) * self.chunk].contiguous())
''',
}
