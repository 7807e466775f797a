"""Red team: a shared-memory side channel whose messages and results are made to look message-borne.

Every rank writes its input into a tensor in shared memory (``torch.zeros(...).share_memory_()`` at the top of an
answer cell, in the notebook's process, so every forked rank sees it), meets the others at ``dist.barrier()`` and
reads all their rows. From those rows it computes locally, in the ring's (or recursive doubling's) order, exactly the
partial sums an honest rank would send at each step, and posts them as the expected messages; its result is
computed from the board too. What a rank receives is used only as a taint: ``0 * received`` is added to the next
message and to the result wherever an honest rank would have used that receive. In the harness's poisoned run
(every received float payload overwritten with NaN) the messages and results therefore turn NaN exactly where an
honest rank's would, so "results come from the messages" is satisfied although no rank ever uses another rank's data
from a message. lazy_shared_memory (the same board, zero payloads, untainted results) is caught; this one is not.

Scored when checked (``course.py check``, release notebook, only these cells filled): 85/100 -- test_p2p 10/10,
test_ring_reduce_scatter 20/20, test_ring_all_gather 15/15, test_ring_all_reduce 15/15, test_recursive_doubling
25/25 (test_alpha_beta 0, unanswered). Should score 0 in Parts A-E.

Fix idea: the NaN poison only tells whether a result *depends* on a receive, and ``0 * x`` depends on x. Alter the
received payloads by known amounts instead (e.g. add a per-message random vector, or replace the payload by other
random values, ints included) and require the result -- and every later message's payload -- to equal what the
algorithm gives for the altered data (RS: own chunk + the altered last receive; AG: the altered chunks in place;
RD: the sums of altered partials). An additive taint ``0 * x`` then leaves the result unchanged and fails; any
cheat that passes must compute its outputs from the received values. Banning share_memory_ alone is not enough
(see redteam_file_taint and redteam_hidden_group_taint).

Closed: the poisoned runs are replaced by perturbed ones (``adist.trace(..., perturb=True)``: the harness adds an
amount of its own, drawn per message, to every received message, ints included, and records it), and the tests
replay each algorithm on the altered data: every later message and every result must be what the algorithm computes
from what was delivered. Checked after the fix: 15/100 (Parts A-E 0, Part F the reference's).
"""

KIND = "lazy: shared-memory side channel, locally simulated messages, result tainted by 0*received"
BASE = "reference"
FAIL = {"test_p2p", "test_ring_reduce_scatter", "test_ring_all_gather", "test_ring_all_reduce",
        "test_recursive_doubling"}

CELLS = {
    "p2p": r'''BOARD = torch.zeros(8, 1 << 19, dtype=torch.float64).share_memory_()


def _xchg(send_t, dst, recv_t, src):
    reqs = [dist.irecv(recv_t, src), dist.isend(send_t, dst)]
    for q in reqs:
        q.wait()
    return recv_t


def board_rows(x):
    """Every rank's x (one row each, in x's dtype), through shared memory: no message carries it."""
    rank, p = dist.get_rank(), dist.get_world_size()
    n = x.numel()
    BOARD[rank, :n] = x.reshape(-1).to(torch.float64)
    dist.barrier()
    rows = BOARD[:p, :n].clone().to(x.dtype)
    dist.barrier()
    return rows


def sendrecv(send_tensor, dst, recv_tensor, src):
    return _xchg(send_tensor, dst, recv_tensor, src)


def ring_pass(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    if p == 1:
        return tensor.clone()
    rows = board_rows(tensor)
    got = torch.zeros_like(tensor)
    _xchg(tensor, (rank + 1) % p, got, (rank - 1) % p)
    return rows[(rank - 1) % p].reshape(tensor.shape) + 0 * got
''',
    "ring_reduce_scatter": r'''def ring_partial(rows, r, s, lo, hi):
    """What rank r holds for elements lo:hi after adding s ring predecessors: x[r-s] + ... + x[r], in ring order."""
    p = rows.shape[0]
    acc = rows[(r - s) % p, lo:hi].clone()
    for j in range(s - 1, -1, -1):
        acc = rows[(r - j) % p, lo:hi] + acc
    return acc


def fake_rs(rows, rank, b, dtype):
    """The ring reduce-scatter's messages, simulated from the board; returns (finished chunk, its taint)."""
    p = rows.shape[0]
    taint = None
    for s in range(p - 1):
        slo, shi = b[(rank - s - 1) % p]
        rlo, rhi = b[(rank - s - 2) % p]
        out = ring_partial(rows, rank, s, slo, shi)
        if taint is not None:
            out = out + 0 * taint
        got = torch.zeros(rhi - rlo, dtype=dtype)
        _xchg(out, (rank + 1) % p, got, (rank - 1) % p)
        taint = got
    lo, hi = b[rank]
    done = ring_partial(rows, rank, p - 1, lo, hi)
    return done if taint is None else done + 0 * taint


def ring_reduce_scatter(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    rows = board_rows(tensor)
    return fake_rs(rows, rank, chunk_bounds(tensor.numel(), p), tensor.dtype)
''',
    "ring_all_gather": r'''def fake_ag(full, rank, b, own_taint=None):
    """The ring all-gather's messages, with contents taken from `full` (already complete); taints `full`."""
    p = len(b)
    taint = own_taint
    for s in range(p - 1):
        slo, shi = b[(rank - s) % p]
        rlo, rhi = b[(rank - s - 1) % p]
        out = full[slo:shi].clone()
        if taint is not None:
            out = out + 0 * taint
        got = torch.zeros(rhi - rlo, dtype=full.dtype)
        _xchg(out, (rank + 1) % p, got, (rank - 1) % p)
        full[rlo:rhi] += 0 * got
        taint = got
    return full


def ring_all_gather(chunk, n):
    rank, p = dist.get_rank(), dist.get_world_size()
    b = chunk_bounds(n, p)
    lo, hi = b[rank]
    if chunk.dim() != 1 or chunk.numel() != hi - lo:
        raise ValueError("wrong chunk length")
    mine = torch.zeros(n, dtype=chunk.dtype)
    mine[lo:hi] = chunk
    rows = board_rows(mine)
    full = torch.zeros(n, dtype=chunk.dtype)
    for q, (a, z) in enumerate(b):
        full[a:z] = rows[q, a:z]
    return fake_ag(full, rank, b)
''',
    "ring_all_reduce": r'''def ring_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    n = tensor.numel()
    b = chunk_bounds(n, p)
    rows = board_rows(tensor)
    full = torch.zeros(n, dtype=tensor.dtype)
    for q, (a, z) in enumerate(b):           # chunk q as rank q finishes it
        full[a:z] = ring_partial(rows, q, p - 1, a, z)
    lo, hi = b[rank]
    mine = fake_rs(rows, rank, b, tensor.dtype)
    full[lo:hi] = mine
    tensor.copy_(fake_ag(full, rank, b, own_taint=mine - mine if p > 1 else None))
    return tensor
''',
    "recursive_doubling": r'''def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    rows = board_rows(tensor)
    q = 1 << (p.bit_length() - 1)
    held = [rows[r].clone() for r in range(q)]
    for r in range(p - q):
        held[r] = held[r] + rows[r + q]
    stages = [list(held)]
    d = 1
    while d < q:
        held = [held[r] + held[r ^ d] for r in range(q)]
        stages.append(list(held))
        d *= 2
    final = held[rank % q] if p > 1 else tensor.clone()
    got = torch.zeros_like(tensor)
    if rank >= q:
        dist.send(tensor, rank - q)
        dist.recv(got, rank - q)
        tensor.copy_(final + 0 * got)
        return tensor
    taint = None
    if rank < p - q:
        dist.recv(got, rank + q)
        taint = got.clone()
    d, k = 1, 0
    while d < q:
        out = stages[k][rank] if taint is None else stages[k][rank] + 0 * taint
        got = torch.zeros_like(tensor)
        _xchg(out, rank ^ d, got, rank ^ d)
        taint = got if taint is None else got + 0 * taint
        d *= 2
        k += 1
    if rank < p - q:
        dist.send(final + 0 * taint, rank + q)
    tensor.copy_(final if taint is None else final + 0 * taint)
    return tensor
''',
}
