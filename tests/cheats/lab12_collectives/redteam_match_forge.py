"""Red team: the harness's private rank state reached through a ``match`` class pattern; message records forged.

``match adist: case object(_rank_state=state)`` reads a private module attribute in C. The policy's syntax-tree
review only looks at Attribute nodes and getattr-family calls, not at the keyword names of a class pattern
(``policy.review_source`` returns no violation), and the guard's checked getattr is never called, and no audit
event fires for a module attribute. (The same pattern reads ``fn.__globals__`` and ``torch._C`` with no violation;
``__code__`` does raise an audit event.) The state holds the harness's authenticated pipe *and its HMAC key*
(``state.post`` signs anything), the real gloo group behind the counting one (``state.inner``, collectives
uncounted) and the poison flag (``state.poison``).

recursive_doubling_all_reduce below sends no message at all: it all-gathers the inputs on ``state.inner``, computes
recursive doubling's partial sums locally, and posts forged send/recv records (JSON written by hand, signed by
``state.post``) with exactly those payloads; when ``state.poison`` is set it returns NaN (and forges NaN payloads
after the first receive) as an honest rank would.

Scored when checked (``course.py check``, release notebook, only this cell filled): test_recursive_doubling
25/25. Should score 0.

Fix ideas: (1) policy: review ``ast.MatchClass`` keyword attribute names (``kwd_attrs``) like attribute accesses
(private names, reflective dunders, denied attributes), or refuse class patterns on modules/library objects
outright. (2) aisys.dist: keep the signing key and the inner group out of any Python-reachable object in the rank
(e.g. close over them in C / a closure cell that the rank's code cannot reach, or count in a process the rank
cannot write as -- record messages from the inner gloo group's side, e.g. a proxy process), and do not expose the
poison flag. (3) Check the recv/send records against each other across ranks and against what arrived.

Closed: the policy reviews a class pattern's keywords as attribute reads and refuses private ones (commit 22df2cc),
so this cell is refused and recursive_doubling_all_reduce is never defined. Behind the policy, aisys.dist's
``_rank_state`` no longer holds the signing key, the real gloo group or the poison flag (they live in closures:
``state.inner`` and ``state.poison`` are gone), and the perturbed replay needs the amounts the harness adds to real
receives. Checked after the fix: 75/100 (test_recursive_doubling 0/25, NameError; the other parts the reference's).
"""

KIND = "tampering: private rank state via match class pattern; forged message records"
BASE = "reference"
FAIL = {"test_recursive_doubling"}

CELLS = {
    "recursive_doubling": r'''def grab_state():
    match adist:
        case object(_rank_state=state):
            return state


def forge(state, kind, peer, t, tainted):
    rank = dist.get_rank()
    src, dst = (rank, peer) if kind == "send" else (peer, rank)
    t = t.reshape(-1).contiguous()
    if tainted and t.is_floating_point():
        t = torch.full_like(t, float("nan"))
    dtype = str(t.dtype).replace("torch.", "")
    header = (f'{{"kind": "{kind}", "src": {src}, "dst": {dst}, "nbytes": {t.numel() * t.element_size()}, '
              f'"numel": {t.numel()}, "dtype": "{dtype}", "tag": 0, "case": {state.case}}}').encode()
    data = t.view(torch.uint8).numpy().tobytes() if kind == "send" and state.payloads and t.numel() else b""
    state.post(b"M", len(header).to_bytes(8, "little") + header + data)


def recursive_doubling_all_reduce(tensor):
    rank, p = dist.get_rank(), dist.get_world_size()
    if p == 1:
        return tensor
    state = grab_state()
    rows = [torch.empty_like(tensor) for _ in range(p)]
    if tensor.numel():
        state.inner.allgather([rows], [tensor.contiguous()]).wait()      # uncounted
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
    final = held[rank % q]
    poison = state.poison and tensor.is_floating_point()
    if rank >= q:
        forge(state, "send", rank - q, tensor, False)
        forge(state, "recv", rank - q, tensor, False)
    else:
        tainted = False
        if rank < p - q:
            forge(state, "recv", rank + q, tensor, False)
            tainted = poison
        d, k = 1, 0
        while d < q:
            forge(state, "recv", rank ^ d, tensor, False)
            forge(state, "send", rank ^ d, stages[k][rank], tainted)
            tainted = poison
            d *= 2
            k += 1
        if rank < p - q:
            forge(state, "send", rank + q, final, tainted)
    tensor.copy_(torch.full_like(final, float("nan")) if poison else final)
    return tensor
''',
}
