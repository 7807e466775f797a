"""Lazy lab12_collectives submission: the lecture notebook's code pasted in. Notebook 05/04 runs all-reduce
schedules (ring, recursive doubling) through one small executor, written for n divisible by p and a power-of-two
number of ranks; this submission uses them unchanged for Parts D and E. The lab asks for any length and any number
of ranks (the fold of Part E), so both parts must score 0. Parts A-C and F are the reference's."""

KIND = "lazy: the lecture's schedules and executor pasted in"
BASE = "reference"
FAIL = {"test_ring_all_reduce", "test_recursive_doubling"}

LECTURE = r'''from dataclasses import dataclass


@dataclass(frozen=True)
class Transfer:
    src: int
    dst: int
    lo: int          # elements [lo, hi) of the buffer
    hi: int
    reduce: bool     # True: dst adds them into its copy; False: dst overwrites its copy


def equal_chunks(n, p):
    if n % p:
        raise ValueError(f"these teaching schedules need n divisible by p, got n={n}, p={p}")
    return [(i * n // p, (i + 1) * n // p) for i in range(p)]


def log2_exact(p):
    if p < 1 or p & (p - 1):
        raise ValueError(f"this schedule is written for a power-of-two number of ranks, got {p}")
    return p.bit_length() - 1


def ring(p, n):
    ch = equal_chunks(n, p)
    reduce_scatter = [[Transfer(r, (r + 1) % p, *ch[(r - s) % p], True) for r in range(p)] for s in range(p - 1)]
    all_gather = [[Transfer(r, (r + 1) % p, *ch[(r + 1 - s) % p], False) for r in range(p)] for s in range(p - 1)]
    return reduce_scatter + all_gather


def recursive_doubling(p, n):
    return [[Transfer(r, r ^ (1 << k), 0, n, True) for r in range(p)] for k in range(log2_exact(p))]


def execute(steps, x):
    r = dist.get_rank()
    for step in steps:
        incoming = [(t, torch.empty(t.hi - t.lo, dtype=x.dtype)) for t in step if t.dst == r]
        requests = [dist.irecv(buf, t.src) for t, buf in incoming]
        requests += [dist.isend(x[t.lo:t.hi], t.dst) for t in step if t.src == r]
        for request in requests:
            request.wait()
        for t, buf in incoming:
            if t.reduce:
                x[t.lo:t.hi] += buf
            else:
                x[t.lo:t.hi] = buf
    return x
'''

CELLS = {
    "ring_all_reduce": LECTURE + r'''

def ring_all_reduce(tensor):
    return execute(ring(dist.get_world_size(), tensor.numel()), tensor)
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    return execute(recursive_doubling(dist.get_world_size(), tensor.numel()), tensor)
''',
}
