"""A lab12_collectives submission that types in the visible answers: an honest sendrecv and ring_pass, but every
collective regenerates the visible tests' inputs from their seed (rank_input is in the set-up cell), sums them
locally, and sends dummy messages of the sizes the visible asserts count; the alpha-beta functions return the
visible numbers. Hidden tests use other inputs (and alter received payloads), so only Part A keeps its points."""

KIND = "hard-coded visible answers"
BASE = "release"
EXPECT = "partial"

CELLS = {
    "p2p": r'''def sendrecv(send_tensor, dst, recv_tensor, src):
    requests = [dist.irecv(recv_tensor, src), dist.isend(send_tensor, dst)]
    for request in requests:
        request.wait()
    return recv_tensor


def ring_pass(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    if p == 1:
        return tensor.clone()
    return sendrecv(tensor, (rank + 1) % p, torch.empty_like(tensor), (rank - 1) % p)
''',
    "ring_reduce_scatter": r'''def ring_reduce_scatter(tensor):
    """The visible test's inputs (seed 2), summed here; dummy ring messages of the right sizes."""
    rank, p = dist.get_rank(), dist.get_world_size()
    n = tensor.numel()
    total = sum(rank_input(n, tensor.dtype, seed=2, rank=q) for q in range(p))
    bounds = chunk_bounds(n, p)
    for step in range(p - 1):
        lo, hi = bounds[(rank - step - 1) % p]
        rlo, rhi = bounds[(rank - step - 2) % p]
        sendrecv(torch.zeros(hi - lo, dtype=tensor.dtype), (rank + 1) % p,
                 torch.empty(rhi - rlo, dtype=tensor.dtype), (rank - 1) % p)
    lo, hi = bounds[rank]
    return total[lo:hi].clone()
''',
    "ring_all_gather": r'''def ring_all_gather(chunk, n):
    """The visible answer 0, 2, 4, ...; p - 1 dummy messages."""
    rank, p = dist.get_rank(), dist.get_world_size()
    for step in range(p - 1):
        sendrecv(torch.zeros(1), (rank + 1) % p, torch.zeros(1), (rank - 1) % p)
    return torch.arange(n, dtype=chunk.dtype) * 2
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    """The visible test's inputs (seed 4), summed here; 2(p-1) one-element messages."""
    rank, p = dist.get_rank(), dist.get_world_size()
    n = tensor.numel()
    for step in range(2 * (p - 1)):
        sendrecv(torch.zeros(1, dtype=tensor.dtype), (rank + 1) % p, torch.zeros(1, dtype=tensor.dtype), (rank - 1) % p)
    tensor.copy_(sum(rank_input(n, tensor.dtype, seed=4, rank=q) for q in range(p)))
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    """The visible test's inputs (seed 6), summed here; the two visible messages."""
    rank, p = dist.get_rank(), dist.get_world_size()
    n = tensor.numel()
    for distance in (1, 2):
        sendrecv(torch.zeros_like(tensor), rank ^ distance, torch.zeros_like(tensor), rank ^ distance)
    tensor.copy_(sum(rank_input(n, tensor.dtype, seed=6, rank=q) for q in range(p)))
    return tensor
''',
    "alpha_beta": r'''def alpha_beta_time(collective, nbytes, p, alpha, beta):
    if collective == "ring_all_reduce":
        return 6e-5 + 6 * 2e6 * 1e-9
    return 2 * (1e-5 + 8e-3)


def crossover_nbytes(p, alpha, beta):
    return math.inf if p == 2 else 80_000.0
''',
}
