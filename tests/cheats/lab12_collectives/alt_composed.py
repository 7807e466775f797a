"""A correct lab12_collectives submission with a different structure: sendrecv posts the send first and then a
blocking recv; reduce-scatter and all-gather index chunks by walking the ring with a generator; ring_all_reduce is
literally ring_all_gather(ring_reduce_scatter(tensor), n) copied back into the tensor; recursive doubling is a
recursive function over the distance 1, 2, 4, ...; the alpha-beta model is computed in exact fractions.
Must get full marks."""

KIND = "correct alternative: composed all-reduce, recursive doubling by recursion, exact fractions"
BASE = "release"
EXPECT = "full"

CELLS = {
    "p2p": r'''def sendrecv(send_tensor, dst, recv_tensor, src):
    outgoing = dist.isend(send_tensor, dst)
    dist.recv(recv_tensor, src)
    outgoing.wait()
    return recv_tensor


def ring_pass(tensor):
    p = dist.get_world_size()
    if p == 1:
        return torch.clone(tensor)
    r = dist.get_rank()
    return sendrecv(tensor.contiguous(), (r + 1) % p, torch.empty_like(tensor), (r - 1) % p)
''',
    "ring_reduce_scatter": r'''def ring_walk(first, p):
    """(chunk sent, chunk received) for each of the p - 1 steps, starting by sending chunk `first`."""
    c = first
    for _ in range(p - 1):
        yield c % p, (c - 1) % p
        c -= 1


def ring_reduce_scatter(tensor):
    r, p = dist.get_rank(), dist.get_world_size()
    b = chunk_bounds(tensor.numel(), p)
    acc = tensor.clone()
    for out_c, in_c in ring_walk(r - 1, p):
        incoming = torch.empty(b[in_c][1] - b[in_c][0], dtype=acc.dtype)
        sendrecv(acc[b[out_c][0]:b[out_c][1]].clone(), (r + 1) % p, incoming, (r - 1) % p)
        acc[b[in_c][0]:b[in_c][1]] += incoming
    return acc[b[r][0]:b[r][1]].clone()
''',
    "ring_all_gather": r'''def ring_all_gather(chunk, n):
    r, p = dist.get_rank(), dist.get_world_size()
    b = chunk_bounds(n, p)
    if chunk.ndim != 1:
        raise ValueError("chunk must be 1-D")
    if chunk.shape[0] != b[r][1] - b[r][0]:
        raise ValueError(f"chunk {r} of {n} elements has {b[r][1] - b[r][0]} elements, got {chunk.shape[0]}")
    out = torch.empty(n, dtype=chunk.dtype)
    out[b[r][0]:b[r][1]] = chunk
    for out_c, in_c in ring_walk(r, p):
        incoming = torch.empty(b[in_c][1] - b[in_c][0], dtype=out.dtype)
        sendrecv(out[b[out_c][0]:b[out_c][1]].clone(), (r + 1) % p, incoming, (r - 1) % p)
        out[b[in_c][0]:b[in_c][1]] = incoming
    return out
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    tensor.copy_(ring_all_gather(ring_reduce_scatter(tensor), tensor.numel()))
    return tensor
''',
    "recursive_doubling": r'''def _double(tensor, rank, distance, limit):
    if distance >= limit:
        return tensor
    other = torch.empty_like(tensor)
    sendrecv(tensor.clone(), rank ^ distance, other, rank ^ distance)
    tensor += other
    return _double(tensor, rank, 2 * distance, limit)


def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    q = 1 << (p.bit_length() - 1)
    if rank >= q:
        dist.send(tensor, rank - q)
        dist.recv(tensor, rank - q)
        return tensor
    if rank + q < p:
        extra = torch.empty_like(tensor)
        dist.recv(extra, rank + q)
        tensor += extra
    _double(tensor, rank, 1, q)
    if rank + q < p:
        dist.send(tensor, rank + q)
    return tensor
''',
    "alpha_beta": r'''from fractions import Fraction

RING = {"ring_reduce_scatter": 1, "ring_all_gather": 1, "ring_all_reduce": 2}


def _levels(p):
    q = 1 << (p.bit_length() - 1)
    return q.bit_length() - 1 + (2 if q != p else 0)


def _check(p, *values):
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise ValueError("p must be an integer >= 1")
    for v in values:
        if v < 0:
            raise ValueError("nbytes, alpha and beta must be >= 0")


def alpha_beta_time(collective, nbytes, p, alpha, beta):
    if collective not in RING and collective != "doubling_all_reduce":
        raise ValueError(f"unknown collective {collective!r}")
    _check(p, nbytes, alpha, beta)
    a, b, n = Fraction(alpha), Fraction(beta), Fraction(nbytes)
    if p == 1:
        return 0.0
    if collective == "doubling_all_reduce":
        return float(_levels(p) * (a + b * n))
    return float(RING[collective] * (p - 1) * (a + b * n / p))


def crossover_nbytes(p, alpha, beta):
    _check(p, alpha, beta)
    if p == 1:
        return math.inf
    L = _levels(p)
    a, b = Fraction(alpha), Fraction(beta)
    slope = b * (L - Fraction(2 * (p - 1), p))
    gap = a * (2 * (p - 1) - L)
    if slope <= 0:
        return math.inf
    return float(gap / slope)
''',
}
