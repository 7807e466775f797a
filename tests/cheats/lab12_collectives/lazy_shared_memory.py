"""Lazy lab12_collectives submission: the data travels through a shared-memory board, not through the messages.
The board is a tensor moved to shared memory at the top of an answer cell, in the notebook's process, so every
forked rank sees the same memory; ranks write their tensors there, meet at dist.barrier(), and sum what they read.
To fool the message counts, each collective also sends exactly the ring's (or recursive doubling's) messages -- of
zeros. Results and counts are right and the code check sees no forbidden name inside the functions; only the run
in which the harness alters every received payload shows that the results do not depend on the messages.
Parts B-E must score 0; A and F are the reference's."""

KIND = "lazy: a shared-memory side channel with dummy messages"
BASE = "reference"
FAIL = {"test_ring_reduce_scatter", "test_ring_all_gather", "test_ring_all_reduce", "test_recursive_doubling"}

CELLS = {
    "ring_reduce_scatter": r'''BOARD = torch.zeros(8, 1 << 16, dtype=torch.float64).share_memory_()


def board_sum(x):
    """Every rank's x summed, through shared memory."""
    rank, p = dist.get_rank(), dist.get_world_size()
    n = x.numel()
    BOARD[rank, :n] = x.to(torch.float64)
    dist.barrier()
    total = BOARD[:p, :n].sum(0).to(x.dtype)
    dist.barrier()
    return total


def dummy_ring(n, dtype, first):
    """The ring's messages, of zeros: in step s send chunk (rank - s - first), receive chunk (rank - s - first - 1)
    (first = 1: reduce-scatter's pattern, first = 0: all-gather's)."""
    rank, p = dist.get_rank(), dist.get_world_size()
    bounds = chunk_bounds(n, p)
    for step in range(p - 1):
        slo, shi = bounds[(rank - step - first) % p]
        rlo, rhi = bounds[(rank - step - first - 1) % p]
        sendrecv(torch.zeros(shi - slo, dtype=dtype), (rank + 1) % p, torch.zeros(rhi - rlo, dtype=dtype), (rank - 1) % p)


def ring_reduce_scatter(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    total = board_sum(tensor)
    dummy_ring(tensor.numel(), tensor.dtype, 1)
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
    total = board_sum(full)
    dummy_ring(n, chunk.dtype, 0)
    return total
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    total = board_sum(tensor)
    dummy_ring(tensor.numel(), tensor.dtype, 1)
    dummy_ring(tensor.numel(), tensor.dtype, 0)
    tensor.copy_(total)
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    total = board_sum(tensor)
    q = 1 << (p.bit_length() - 1)
    zeros = torch.zeros_like(tensor)
    if rank >= q:
        dist.send(zeros, rank - q)
        dist.recv(torch.zeros_like(tensor), rank - q)
    else:
        if rank < p - q:
            dist.recv(torch.zeros_like(tensor), rank + q)
        distance = 1
        while distance < q:
            sendrecv(zeros, rank ^ distance, torch.zeros_like(tensor), rank ^ distance)
            distance *= 2
        if rank < p - q:
            dist.send(zeros, rank + q)
    tensor.copy_(total)
    return tensor
''',
}
