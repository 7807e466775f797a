"""Lazy lab12_collectives submission: the collectives are torch.distributed's own. Reduce-scatter, all-gather and
recursive doubling call them directly (the code check names them); ring_pass and the ring all-reduce reach
dist.all_gather / dist.all_reduce through a dict built at the cell's top level, which the code check cannot resolve --
but the collectives are switched off in the process group and in torch.distributed itself, so the calls fail at run
time. Parts A-E must score 0; Part F is the reference's."""

KIND = "lazy: library collectives instead of point-to-point messages"
BASE = "reference"
FAIL = {"test_p2p", "test_ring_reduce_scatter", "test_ring_all_gather", "test_ring_all_reduce",
        "test_recursive_doubling"}

CELLS = {
    "p2p": r'''def sendrecv(send_tensor, dst, recv_tensor, src):
    requests = [dist.irecv(recv_tensor, src), dist.isend(send_tensor, dst)]
    for request in requests:
        request.wait()
    return recv_tensor


GATHER = {"everyone's tensor": dist.all_gather}


def ring_pass(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    everyone = [torch.empty_like(tensor) for _ in range(p)]
    GATHER["everyone's tensor"](everyone, tensor)
    return everyone[(rank - 1) % p]
''',
    "ring_reduce_scatter": r'''def ring_reduce_scatter(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    pieces = [c.clone() for c in torch.tensor_split(tensor.detach().clone(), p)]
    out = torch.empty_like(pieces[rank])
    dist.reduce_scatter(out, pieces)
    return out
''',
    "ring_all_gather": r'''def ring_all_gather(chunk, n):
    rank, p = dist.get_rank(), dist.get_world_size()
    lo, hi = chunk_bounds(n, p)[rank]
    if chunk.dim() != 1 or chunk.numel() != hi - lo:
        raise ValueError("wrong chunk length")
    parts = [torch.empty(h - l, dtype=chunk.dtype) for l, h in chunk_bounds(n, p)]
    dist.all_gather(parts, chunk)
    return torch.cat(parts)
''',
    "ring_all_reduce": r'''LIBRARY = {"sum everything": dist.all_reduce}


def ring_all_reduce(tensor):
    LIBRARY["sum everything"](tensor)
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    dist.all_reduce(tensor)
    return tensor
''',
}
