"""Lazy lab12_collectives submission: every collective gathers the whole tensors at rank 0 with point-to-point
messages, sums there and sends the answer back. The results are right and only send/recv is used, but the traffic
is not the ring's (rank 0 receives (p - 1) n and sends (p - 1) n) nor recursive doubling's: the message counts of
Parts B-E must fail. Part A and Part F are the reference's."""

KIND = "lazy: gather everything at rank 0"
BASE = "reference"
FAIL = {"test_ring_reduce_scatter", "test_ring_all_gather", "test_ring_all_reduce", "test_recursive_doubling"}

CELLS = {
    "ring_reduce_scatter": r'''def total_at_root_then_everywhere(x):
    rank, p = dist.get_rank(), dist.get_world_size()
    x = x.detach().clone()
    if rank == 0:
        buf = torch.empty_like(x)
        for q in range(1, p):
            dist.recv(buf, q)
            x += buf
        for q in range(1, p):
            dist.send(x, q)
    else:
        dist.send(x, 0)
        dist.recv(x, 0)
    return x


def ring_reduce_scatter(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    total = total_at_root_then_everywhere(tensor)
    lo, hi = chunk_bounds(tensor.numel(), p)[rank]
    return total[lo:hi].clone()
''',
    "ring_all_gather": r'''def ring_all_gather(chunk, n):
    rank, p = dist.get_rank(), dist.get_world_size()
    lo, hi = chunk_bounds(n, p)[rank]
    if chunk.dim() != 1 or chunk.numel() != hi - lo:
        raise ValueError("wrong chunk length")
    full = torch.zeros(n, dtype=chunk.dtype)
    full[lo:hi] = chunk
    return total_at_root_then_everywhere(full)
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    tensor.copy_(total_at_root_then_everywhere(tensor))
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    tensor.copy_(total_at_root_then_everywhere(tensor))
    return tensor
''',
}
