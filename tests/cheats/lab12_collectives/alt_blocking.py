"""A correct lab12_collectives submission that differs from the reference everywhere it can: only blocking
dist.send/dist.recv, made deadlock-free by ordering (the lower rank of each pair sends first); rings that run to the
LEFT (send to rank r - 1); a ring all-reduce written in one piece in which rank r finishes chunk r + 1 (not chunk
r); recursive doubling planned with a dataclass (whose generated methods have no source for the code check to read); the crossover found by bisection on its own
time model. Must get full marks."""

KIND = "correct alternative: blocking calls, leftward rings, bisection"
BASE = "release"
EXPECT = "full"

CELLS = {
    "p2p": r'''def sendrecv(send_tensor, dst, recv_tensor, src):
    """Blocking calls only. A rank sends first exactly when its destination has a higher rank: a cycle of ranks
    all blocked in send would need ranks that increase all the way round, so none can form."""
    if dist.get_rank() < dst:
        dist.send(send_tensor, dst)
        dist.recv(recv_tensor, src)
    else:
        dist.recv(recv_tensor, src)
        dist.send(send_tensor, dst)
    return recv_tensor


def ring_pass(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    out = tensor.clone()
    if p > 1:
        sendrecv(tensor.clone(), (rank + 1) % p, out, (rank - 1) % p)
    return out
''',
    "ring_reduce_scatter": r'''def left_ring_reduce_scatter(work, finish_offset):
    """Reduce-scatter in place on `work`, data flowing to rank r - 1; rank r finishes chunk r + finish_offset."""
    rank, p = dist.get_rank(), dist.get_world_size()
    bounds = chunk_bounds(work.numel(), p)
    for s in range(p - 1):
        sent = bounds[(rank + finish_offset + 1 + s) % p]
        got = bounds[(rank + finish_offset + 2 + s) % p]
        buffer = torch.zeros(got[1] - got[0], dtype=work.dtype)
        sendrecv(work[sent[0]:sent[1]].clone(), (rank - 1) % p, buffer, (rank + 1) % p)
        work[got[0]:got[1]] += buffer
    return work


def ring_reduce_scatter(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    work = left_ring_reduce_scatter(tensor.clone(), 0)
    lo, hi = chunk_bounds(tensor.numel(), p)[rank]
    return work[lo:hi].clone()
''',
    "ring_all_gather": r'''def left_ring_all_gather(out, owned_offset):
    """All-gather in place on `out` (rank r already holds chunk r + owned_offset), data flowing to rank r - 1."""
    rank, p = dist.get_rank(), dist.get_world_size()
    bounds = chunk_bounds(out.numel(), p)
    for s in range(p - 1):
        lo, hi = bounds[(rank + owned_offset + s) % p]
        rlo, rhi = bounds[(rank + owned_offset + 1 + s) % p]
        incoming = torch.zeros(rhi - rlo, dtype=out.dtype)
        sendrecv(out[lo:hi].clone(), (rank - 1) % p, incoming, (rank + 1) % p)
        out[rlo:rhi] = incoming
    return out


def ring_all_gather(chunk, n):
    rank, p = dist.get_rank(), dist.get_world_size()
    lo, hi = chunk_bounds(n, p)[rank]
    if not (chunk.dim() == 1 and len(chunk) == hi - lo):
        raise ValueError(f"expected a 1-D chunk of {hi - lo} elements, got {tuple(chunk.shape)}")
    out = torch.zeros(n, dtype=chunk.dtype)
    out[lo:hi] = chunk
    return left_ring_all_gather(out, 0)
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    """One piece: reduce-scatter in which rank r finishes chunk r + 1, then the all-gather from there."""
    left_ring_reduce_scatter(tensor, 1)
    left_ring_all_gather(tensor, 1)
    return tensor
''',
    "recursive_doubling": r'''from dataclasses import dataclass


@dataclass
class Plan:
    """Where this rank stands in recursive doubling (a dataclass: its generated __init__ has no source to read)."""
    power: int
    partner_outside: object


def plan_for(rank, p):
    power = 1
    while power * 2 <= p:
        power *= 2
    return Plan(power, rank + power if rank + power < p else None)


def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    plan = plan_for(rank, p)
    power, partner_outside = plan.power, plan.partner_outside
    if rank >= power:
        dist.send(tensor, rank - power)
        dist.recv(tensor, rank - power)
        return tensor
    if partner_outside is not None:
        extra = torch.zeros_like(tensor)
        dist.recv(extra, partner_outside)
        tensor.add_(extra)
    bit = 1
    while bit < power:
        other = torch.zeros_like(tensor)
        sendrecv(tensor.clone(), rank ^ bit, other, rank ^ bit)
        tensor.add_(other)
        bit <<= 1
    if partner_outside is not None:
        dist.send(tensor, partner_outside)
    return tensor
''',
    "alpha_beta": r'''STEPS = {
    "ring_reduce_scatter": lambda p: (p - 1, 1 / p),
    "ring_all_gather": lambda p: (p - 1, 1 / p),
    "ring_all_reduce": lambda p: (2 * (p - 1), 1 / p),
}


def doubling_steps(p):
    levels = p.bit_length() - 1
    return levels if p == 1 << levels else levels + 2


def alpha_beta_time(collective, nbytes, p, alpha, beta):
    if collective != "doubling_all_reduce" and collective not in STEPS:
        raise ValueError(f"no model for {collective!r}")
    if type(p) is not int or p < 1:
        raise ValueError(f"p must be an int >= 1, got {p!r}")
    if min(nbytes, alpha, beta) < 0:
        raise ValueError("nbytes, alpha and beta cannot be negative")
    if p == 1:
        return 0.0
    if collective == "doubling_all_reduce":
        return doubling_steps(p) * alpha + doubling_steps(p) * beta * nbytes
    steps, fraction = STEPS[collective](p)
    return steps * alpha + steps * fraction * nbytes * beta


def crossover_nbytes(p, alpha, beta):
    """Bisection on the model itself: where ring minus doubling changes sign."""
    gap = lambda n: alpha_beta_time("ring_all_reduce", n, p, alpha, beta) - alpha_beta_time("doubling_all_reduce", n, p, alpha, beta)
    if p <= 2:
        return math.inf
    if gap(0.0) <= 0:
        return 0.0
    hi = 1.0
    while gap(hi) > 0:
        hi *= 2
        if hi > 1e300:
            return math.inf
    lo = 0.0
    for _ in range(2000):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if gap(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
''',
}
