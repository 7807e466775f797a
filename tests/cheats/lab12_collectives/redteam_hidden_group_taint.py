"""Red team: an uncounted gloo process group built directly, plus the 0*received taint.

Each rank builds its own gloo group: ``dist.ProcessGroupGloo(dist.PrefixStore("side", dist.FileStore(<harness
rendezvous file>, -1)), rank, p)``. The rendezvous file is found with ``os.listdir`` of ``$TMPDIR`` (the newest
``aisys-dist-*`` folder; os.listdir/os.path are allowed). The constructors are kept in a dict at the cell's top
level (``MAKE = {"store": dist.FileStore, ...}``), so the function-source check, which resolves names and
attributes but not subscripts, does not see a store or group being created; and constructing ProcessGroupGloo
directly never goes through ``_new_process_group_helper``, the only constructor the harness switches off. An
all-gather on that group brings every rank's input uncounted; the counted messages are then simulated locally with
the right contents and the results tainted by ``0 * received`` (as redteam_shm_taint).

Scored when checked (``course.py check``, release notebook, only these cells filled): 85/100 -- test_p2p 10/10,
test_ring_reduce_scatter 20/20, test_ring_all_gather 15/15, test_ring_all_reduce 15/15, test_recursive_doubling
25/25. Should score 0 in Parts A-E.

Fix ideas: (1) in a traced rank also switch off ``ProcessGroupGloo.__init__``/``__new__`` (and the Store
constructors: FileStore, TCPStore, HashStore, PrefixStore) once the default group exists, e.g. by replacing the
classes in torch.distributed and its c10d modules and refusing them by identity; give the harness's FileStore a
path rank code cannot find (or unlink it after init). (2) The source check should also follow subscripts of
module-level containers and refuse any notebook global whose value is a Store/ProcessGroup class. (3) The
perturbation check of redteam_shm_taint closes the points either way.

Closed: in a traced rank ProcessGroupGloo, _ProcessGroupWrapper and the store classes refuse in ``__init__`` (the
class objects themselves, so the dict's references refuse too), the rank may not create sockets (a seccomp filter:
a saved ``__init__`` called on ``__new__``'s object cannot connect either); the perturbed replay
(redteam_shm_taint) would catch the taint anyway. The harness's rendezvous file is left in place: gloo still reads
the store after init (deleting it made a message to a missing rank hang for the whole run instead of op_timeout). Checked after the
fix: 15/100 (Parts A-E 0: "FileStore cannot be created inside aisys.dist.trace"; Part F the reference's).
"""

KIND = "tampering: uncounted gloo group, locally simulated messages, result tainted by 0*received"
BASE = "reference"
FAIL = {"test_p2p", "test_ring_reduce_scatter", "test_ring_all_gather", "test_ring_all_reduce",
        "test_recursive_doubling"}

CELLS = {
    "p2p": r'''import os


def _xchg(send_t, dst, recv_t, src):
    reqs = [dist.irecv(recv_t, src), dist.isend(send_t, dst)]
    for q in reqs:
        q.wait()
    return recv_t


MAKE = {"store": dist.FileStore, "prefix": dist.PrefixStore, "group": dist.ProcessGroupGloo}
HIDDEN = {}


def hidden_group():
    """A gloo group of our own on the harness's rendezvous file: its traffic is not counted."""
    if "g" not in HIDDEN:
        tmp = os.path.expandvars("$TMPDIR")
        tmp = tmp if tmp and not tmp.startswith("$") else "/tmp"
        folders = [os.path.join(tmp, d) for d in os.listdir(tmp) if d.startswith("aisys-dist-")]
        folder = max(folders, key=os.path.getmtime)
        store = MAKE["prefix"]("side", MAKE["store"](os.path.join(folder, "store"), -1))
        HIDDEN["g"] = MAKE["group"](store, dist.get_rank(), dist.get_world_size())
    return HIDDEN["g"]


def board_rows(x):
    """Every rank's x (one row each), by an all-gather on the uncounted group."""
    p = dist.get_world_size()
    flat = x.reshape(-1).contiguous()
    rows = [torch.empty_like(flat) for _ in range(p)]
    if flat.numel():
        hidden_group().allgather([rows], [flat]).wait()
    return torch.stack(rows)


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
