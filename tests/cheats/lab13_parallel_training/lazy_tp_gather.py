"""Lazy Part D: gather every rank's shards (all-gather), rebuild the whole layer with this rank's own shard in its
place (so that autograd still reaches it) and run the MLP locally. y, dL/dx and every shard's gradient are right --
but the passes call all-gathers, not exactly one all-reduce each way: Part D scores 0."""

KIND = "lazy: gather the whole layer"
BASE = "reference"
FAIL = {"test_tensor_parallel"}

CELLS = {
    "tensor_parallel": r'''class CopyToTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class SumFromTensorParallel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, partial):
        return partial.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad


def gather_shards(shard, dim):
    """Every rank's shard of a tensor split along dim, this rank's own (with its autograd history) in its place."""
    r, p = dist.get_rank(), dist.get_world_size()
    sizes = [torch.zeros(1, dtype=torch.int64) for _ in range(p)]
    dist.all_gather(sizes, torch.tensor([shard.shape[dim]]))
    widest = max(int(s) for s in sizes)
    pad = [0, 0] * (shard.dim() - 1 - dim) + [0, widest - shard.shape[dim]]
    padded = [torch.zeros_like(F.pad(shard.detach(), pad)) for _ in range(p)]
    dist.all_gather(padded, F.pad(shard.detach(), pad).contiguous())
    parts = [t.narrow(dim, 0, int(s)) for t, s in zip(padded, sizes)]
    parts[r] = shard
    return torch.cat(parts, dim)


def tp_mlp(x, w1_shard, b1_shard, w2_shard, b2):
    w1, b1, w2 = gather_shards(w1_shard, 0), gather_shards(b1_shard, 0), gather_shards(w2_shard, 1)
    return F.gelu(x @ w1.T + b1) @ w2.T + b2
''',
}
