"""A correct lab12_collectives submission built on dist.batch_isend_irecv (P2POp lists) instead of isend/irecv
pairs, with chunk views from torch.tensor_split, receives straight into the output tensor, a ring all-reduce that
runs reduce-scatter and all-gather on views of the caller's tensor (no copies), and the alpha-beta model written
from bit lengths. Must get full marks."""

KIND = "correct alternative: batch_isend_irecv and in-place views"
BASE = "release"
EXPECT = "full"

CELLS = {
    "p2p": r'''def sendrecv(send_tensor, dst, recv_tensor, src):
    ops = [dist.P2POp(dist.isend, send_tensor, dst), dist.P2POp(dist.irecv, recv_tensor, src)]
    for request in dist.batch_isend_irecv(ops):
        request.wait()
    return recv_tensor


def ring_pass(tensor):
    p = dist.get_world_size()
    if p < 2:
        return tensor.detach().clone()
    rank = dist.get_rank()
    return sendrecv(tensor, (rank + 1) % p, torch.zeros_like(tensor), (rank + p - 1) % p)
''',
    "ring_reduce_scatter": r'''def rs_in_place(buffer):
    """Ring reduce-scatter on the views of `buffer`: afterwards chunk r of buffer holds the sum."""
    rank, p = dist.get_rank(), dist.get_world_size()
    views = torch.tensor_split(buffer, p)
    for step in range(p - 1):
        out_view = views[(rank - step - 1) % p]
        in_view = views[(rank - step - 2) % p]
        incoming = torch.empty_like(in_view)
        sendrecv(out_view, (rank + 1) % p, incoming, (rank - 1) % p)
        in_view.add_(incoming)
    return views[rank]


def ring_reduce_scatter(tensor):
    return rs_in_place(tensor.clone()).clone()
''',
    "ring_all_gather": r'''def ag_in_place(buffer):
    """Ring all-gather on the views of `buffer` (chunk r already in place); receives go straight into it."""
    rank, p = dist.get_rank(), dist.get_world_size()
    views = torch.tensor_split(buffer, p)
    for step in range(p - 1):
        sendrecv(views[(rank - step) % p], (rank + 1) % p, views[(rank - step - 1) % p], (rank - 1) % p)
    return buffer


def ring_all_gather(chunk, n):
    rank, p = dist.get_rank(), dist.get_world_size()
    expected = chunk_bounds(n, p)[rank][1] - chunk_bounds(n, p)[rank][0]
    if chunk.ndim != 1 or chunk.shape[0] != expected:
        raise ValueError(f"rank {rank} needs a 1-D chunk of length {expected}")
    buffer = torch.empty(n, dtype=chunk.dtype)
    torch.tensor_split(buffer, p)[rank].copy_(chunk)
    return ag_in_place(buffer)
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    rs_in_place(tensor)
    ag_in_place(tensor)
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    q = 2 ** int(math.log2(p)) if p & (p - 1) else p
    while q > p:
        q //= 2
    scratch = torch.empty_like(tensor)
    if rank >= q:
        dist.isend(tensor, rank - q).wait()
        dist.irecv(tensor, rank - q).wait()
        return tensor
    if rank + q < p:
        dist.irecv(scratch, rank + q).wait()
        tensor.add_(scratch)
    for k in range(q.bit_length() - 1):
        partner = rank ^ (1 << k)
        sendrecv(tensor, partner, scratch, partner)
        tensor.add_(scratch)
    if rank + q < p:
        dist.isend(tensor, rank + q).wait()
    return tensor
''',
    "alpha_beta": r'''def _validate(p, values):
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise ValueError("p must be a positive integer")
    if any(v < 0 for v in values):
        raise ValueError("sizes and model constants must be non-negative")


def _doubling_rounds(p):
    return (p.bit_length() - 1) + (0 if p & (p - 1) == 0 else 2)


def alpha_beta_time(collective, nbytes, p, alpha, beta):
    _validate(p, (nbytes, alpha, beta))
    per_chunk = alpha + beta * nbytes / p
    table = {"ring_reduce_scatter": (p - 1) * per_chunk, "ring_all_gather": (p - 1) * per_chunk,
             "ring_all_reduce": 2 * (p - 1) * per_chunk,
             "doubling_all_reduce": _doubling_rounds(p) * (alpha + beta * nbytes)}
    if collective not in table:
        raise ValueError(f"unknown collective {collective}")
    return 0.0 if p == 1 else table[collective]


def crossover_nbytes(p, alpha, beta):
    _validate(p, (alpha, beta))
    L = _doubling_rounds(p)
    slope = L * beta - 2 * (p - 1) * beta / p          # d(doubling - ring)/dn
    if p == 1 or slope <= 0:
        return math.inf
    return (2 * (p - 1) - L) * alpha / slope
''',
}
