"""Unit tests of aisys.dist: real processes, counted messages, errors that name the rank, no orphans."""
import datetime
import math
import os
import platform
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
import torch.distributed as dist

from aisys import dist as adist

FAST = dict(timeout=30, op_timeout=8)


def children():
    """PIDs of this process's live (non-zombie) children."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z":
            found.append(int(entry))
    return found


@pytest.fixture(autouse=True)
def no_orphans():
    before = set(children())
    yield
    assert set(children()) - before == set(), "a rank outlived the call that started it"


# ------------------------------------------------------------------------------------------------ rank functions
def whoami():
    return {"rank": dist.get_rank(), "size": dist.get_world_size(), "pid": os.getpid(),
            "threads": torch.get_num_threads()}


def total(scale):
    x = torch.tensor([float(dist.get_rank() + 1)]) * scale
    dist.all_reduce(x)
    return x


def ring(n, dtype=torch.float32):
    r, p = dist.get_rank(), dist.get_world_size()
    x = torch.full((n,), r, dtype=dtype)
    y = torch.empty(n, dtype=dtype)
    reqs = [dist.irecv(y, (r - 1) % p), dist.isend(x, (r + 1) % p)]
    for q in reqs:
        q.wait()
    return y


def blocking_ring():
    r, p = dist.get_rank(), dist.get_world_size()
    dist.send(torch.ones(4), (r + 1) % p)
    dist.recv(torch.empty(4), (r - 1) % p)


def fails_on_two():
    if dist.get_rank() == 2:
        raise ValueError("rank two is unhappy")
    dist.recv(torch.empty(1), 2)      # waits for rank 2, which never sends


def spins():
    while True:
        pass


def exits_early():
    if dist.get_rank() == 1:
        os._exit(3)
    dist.recv(torch.empty(1), 1)


def uses_collective():
    dist.all_reduce(torch.ones(2))


def returns_object():
    return object()


def talks():
    print(f"hello from {dist.get_rank()}")
    return None


def mixed_results():
    r = dist.get_rank()
    return [None, True, 3, 2.5, math.inf, "s", (r, r), {"a": torch.arange(3) + r},
            np.arange(4, dtype=np.int16) * r, torch.zeros(0, 3), torch.tensor(7, dtype=torch.bfloat16)]


def sleeps_then_ring():
    time.sleep(30)


def empty_messages():
    r, p = dist.get_rank(), dist.get_world_size()
    reqs = [dist.irecv(torch.empty(0), (r - 1) % p), dist.isend(torch.empty(0), (r + 1) % p)]
    for q in reqs:
        q.wait()
    return ring(3)


def with_barrier():
    dist.barrier()
    return ring(2)


# ------------------------------------------------------------------------------------------------ tests
def test_run_returns_each_ranks_result_from_separate_processes():
    rows = adist.run(whoami, 4, **FAST)
    assert [r["rank"] for r in rows] == [0, 1, 2, 3] and {r["size"] for r in rows} == {4}
    pids = {r["pid"] for r in rows}
    assert len(pids) == 4 and os.getpid() not in pids
    assert {r["threads"] for r in rows} == {1}
    assert [float(t) for t in adist.run(total, 3, 2.0, **FAST)] == [12.0, 12.0, 12.0]


def test_one_rank_and_cases():
    assert adist.run(whoami, 1, **FAST)[0]["size"] == 1
    out = adist.run(total, 2, cases=[(1.0,), (10.0,)], **FAST)
    assert [[float(t) for t in case] for case in out] == [[3.0, 3.0], [30.0, 30.0]]


def test_results_cross_the_pipe_intact():
    res = adist.run(mixed_results, 2, **FAST)
    for r, got in enumerate(res):
        assert got[:6] == [None, True, 3, 2.5, math.inf, "s"] and got[6] == (r, r)
        assert torch.equal(got[7]["a"], torch.arange(3) + r)
        assert got[8].dtype == np.int16 and np.array_equal(got[8], np.arange(4, dtype=np.int16) * r)
        assert got[9].shape == (0, 3) and got[10].dtype == torch.bfloat16 and float(got[10]) == 7.0


def test_trace_counts_every_message():
    tr = adist.trace(ring, 4, 5, torch.float64, **FAST)
    assert [t.tolist() for t in tr.results] == [[3.0] * 5, [0.0] * 5, [1.0] * 5, [2.0] * 5]
    for r in range(4):
        assert [(m.dst, m.nbytes, m.dtype) for m in tr.sent(r)] == [((r + 1) % 4, 40, "float64")]
        assert [(m.src, m.nbytes) for m in tr.received(r)] == [((r - 1) % 4, 40)]
        assert tr.messages_sent(r) == 1 and tr.bytes_sent(r) == 40 and tr.bytes_received(r) == 40
    assert (tr.matrix() == np.roll(np.eye(4, dtype=np.int64), 1, axis=1) * 40).all()
    assert "bytes sent" in tr.summary()


def test_trace_cases_and_zero_byte_messages():
    first, second = adist.trace(empty_messages, 3, cases=[(), ()], **FAST)
    for tr in (first, second):
        assert len(tr.sent(0, nonempty=False)) == 2 and len(tr.sent(0)) == 1
        assert {m.case for m in tr.sends} == {tr.sends[0].case}
    assert first.sends[0].case == 0 and second.sends[0].case == 1


def test_trace_refuses_collectives_but_not_barrier():
    with pytest.raises(adist.RankError, match="CollectiveRefused: collectives are switched off") as err:
        adist.trace(uses_collective, 2, **FAST)
    assert err.value.rank in (0, 1)
    tr = adist.trace(with_barrier, 2, **FAST)
    assert tr.messages_sent(0) == 1


def many_collectives():
    r, p = dist.get_rank(), dist.get_world_size()
    x = torch.full((10,), float(r))
    dist.all_reduce(x)
    gathered = torch.empty(4 * p)
    dist.all_gather_into_tensor(gathered, torch.ones(4))
    part = torch.empty(3, dtype=torch.float64)
    dist.reduce_scatter_tensor(part, torch.ones(3 * p, dtype=torch.float64))
    dist.all_reduce(torch.ones(5), async_op=True).wait()
    if r == 0:
        dist.send(torch.ones(3), 1)
    elif r == 1:
        dist.recv(torch.empty(3), 0)
    return x, gathered, part


def test_trace_can_run_and_count_collectives():
    tr = adist.trace(many_collectives, 3, collectives=True, **FAST)
    x, gathered, part = tr.results[2]
    assert torch.equal(x, torch.full((10,), 3.0)) and torch.equal(gathered, torch.ones(12))
    assert torch.equal(part, torch.full((3,), 3.0, dtype=torch.float64))
    for rank in range(3):
        calls = [(c.name, c.nbytes, c.dtype) for c in tr.collective_calls(rank)]
        assert calls == [("all_reduce", 40, "float32"), ("all_gather", 16, "float32"),
                         ("reduce_scatter", 72, "float64"), ("all_reduce", 20, "float32")], calls
        assert len(tr.collective_calls(rank, "all_reduce")) == 2
    assert tr.messages_sent(0) == 1 and tr.bytes_received(1) == 12       # point-to-point still counted apart


def makes_a_group():
    group = dist.new_group(backend="gloo")
    dist.all_reduce(torch.ones(1), group=group)


def test_a_traced_rank_cannot_open_an_uncounted_channel():
    with pytest.raises(adist.RankError, match="new process groups cannot be created inside aisys.dist.trace"):
        adist.trace(makes_a_group, 2, collectives=True, **FAST)
    adist.run(makes_a_group, 2, **FAST)                      # an ordinary run may


# Taken before any rank starts (the red team kept them in a dict at the top of a cell): the class objects themselves
# must refuse, and their saved __init__ called on __new__'s object must not connect either.
MAKERS = {"group": dist.ProcessGroupGloo, "file": dist.FileStore, "prefix": dist.PrefixStore, "tcp": dist.TCPStore,
          "hash": dist.HashStore}
INITS = {"group": dist.ProcessGroupGloo.__init__, "file": dist.FileStore.__init__, "tcp": dist.TCPStore.__init__}


def builds_a_store(kind, folder):
    if kind == "file":
        store = MAKERS["file"](os.path.join(folder, f"side.{dist.get_rank()}"), 1)
    elif kind == "prefix":
        store = MAKERS["prefix"]("side", MAKERS["hash"]())
    else:
        store = MAKERS["hash"]()
    return type(store).__name__


def builds_a_group_behind_the_class(kind, folder):
    if kind == "tcp":           # a server on rank 0 (a free port), no clients
        if dist.get_rank() == 0:
            store = dist.TCPStore.__new__(dist.TCPStore)
            INITS["tcp"](store, "127.0.0.1", 0, 1, True, datetime.timedelta(seconds=3))
        return "a TCP store"
    store = dist.FileStore.__new__(dist.FileStore)
    INITS["file"](store, os.path.join(folder, "side"), dist.get_world_size())
    group = dist.ProcessGroupGloo.__new__(dist.ProcessGroupGloo)
    INITS["group"](group, store, dist.get_rank(), dist.get_world_size(), datetime.timedelta(seconds=5))
    return "a gloo group"


@pytest.mark.parametrize("kind", ["file", "prefix", "hash"])
def test_a_traced_rank_cannot_build_a_store_or_group_directly(kind, tmp_path):
    with pytest.raises(adist.RankError, match="cannot be created inside aisys.dist.trace"):
        adist.trace(builds_a_store, 2, kind, str(tmp_path), **FAST)
    with pytest.raises(adist.RankError, match="cannot be created inside aisys.dist.trace"):
        adist.trace(lambda: MAKERS["group"](dist.HashStore(), 0, 1), 1, **FAST)
    adist.run(builds_a_store, 2, kind, str(tmp_path), **FAST)        # an ordinary run may


def installs_the_socket_filter():
    return adist._deny_sockets()


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.machine() in ("x86_64", "aarch64")),
                    reason="the socket filter is installed on Linux x86-64 and arm64")
@pytest.mark.parametrize("kind", ["gloo", "tcp"])
def test_a_traced_rank_cannot_open_a_socket(kind, tmp_path):
    if not adist.run(installs_the_socket_filter, 1, **FAST)[0]:       # in a rank of its own: this process keeps sockets
        pytest.skip("this kernel or container does not let a process install a seccomp filter")
    with pytest.raises(adist.RankError, match="(?i)operation not permitted"):
        adist.trace(builds_a_group_behind_the_class, 2, kind, str(tmp_path), **FAST)
    assert adist.run(builds_a_group_behind_the_class, 2, kind, str(tmp_path), **FAST)[0]


def message_to_a_missing_rank():
    dist.send(torch.zeros(2), 1)


def test_a_message_to_a_missing_rank_fails_within_the_op_timeout():
    start = time.perf_counter()
    with pytest.raises(adist.RankError, match="rank 0 of 1 failed"):
        adist.trace(message_to_a_missing_rank, 1, timeout=30, op_timeout=3)
    assert time.perf_counter() - start < 15


def reduces_its_rank():
    dist.all_reduce(torch.arange(3.0) + dist.get_rank())


def test_collective_payloads_record_what_each_rank_contributed():
    tr = adist.trace(reduces_its_rank, 2, collectives=True, payloads=True, **FAST)
    for rank in range(2):
        (call,) = tr.collective_calls(rank)
        assert torch.equal(call.payload, torch.arange(3.0) + rank)


def marks_between_messages():
    r = dist.get_rank()
    adist.mark("start")
    if r == 0:
        dist.send(torch.ones(2), 1)
    else:
        dist.recv(torch.empty(2), 0)
    dist.all_reduce(torch.ones(1))
    adist.mark("end")


def test_marks_keep_their_place_among_a_ranks_events():
    tr = adist.trace(marks_between_messages, 2, collectives=True, **FAST)
    kinds = [(type(e).__name__, getattr(e, "label", getattr(e, "kind", getattr(e, "name", None))))
             for e in tr.events(1)]
    assert kinds == [("Mark", "start"), ("Message", "recv"), ("Collective", "all_reduce"), ("Mark", "end")], kinds
    adist.mark("outside a rank: ignored")
    with pytest.raises(ValueError, match="label must be a str"):
        adist.mark(3)


def test_payloads_record_what_each_send_carried():
    tr = adist.trace(ring, 3, 4, torch.float64, payloads=True, **FAST)
    for r in range(3):
        (sent,) = tr.sent(r)
        assert sent.payload.dtype == torch.float64 and torch.equal(sent.payload, torch.full((4,), float(r), dtype=torch.float64))
        assert tr.received(r)[0].payload is None
    tr = adist.trace(ring, 2, 3, torch.int32, **FAST)
    assert tr.sent(0)[0].payload is None


def ring_pairs_out_of_order():
    """Rank 0 sends two tagged messages; rank 1 posts their receives in the opposite order, one blocking."""
    if dist.get_rank() == 0:
        for tag, value in ((1, 1.0), (2, 2.0)):
            dist.isend(torch.full((3,), value, dtype=torch.float64), 1, tag=tag).wait()
        return None
    second, first = torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    request = dist.irecv(second, 0, tag=2)
    dist.recv(first, 0, tag=1)
    request.wait()
    return first, second


def test_perturb_adds_a_recorded_amount_to_every_receive():
    for dtype in (torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.float16):
        tr = adist.trace(ring, 3, 5, dtype, perturb=True, **FAST)
        for r in range(3):
            (got,) = tr.received(r)
            (sent,) = tr.sent((r - 1) % 3)
            assert got.perturbation.dtype == dtype and got.perturbation.shape == (5,)
            assert (got.perturbation != 0).all(), got.perturbation           # every element changes
            assert torch.equal(sent.perturbation, got.perturbation)           # the send knows what its receiver added
            assert torch.equal(got.delivered, torch.full((5,), (r - 1) % 3, dtype=dtype) + got.perturbation)
            assert torch.equal(tr.results[r], got.delivered), (dtype, tr.results[r], got.delivered)
        if dtype.is_floating_point:
            assert (tr.received(0)[0].perturbation.abs() >= 0.5).all()
    a, b = (adist.trace(ring, 2, 64, perturb=True, **FAST).received(0)[0].perturbation for _ in range(2))
    assert not torch.equal(a, b), "amounts are drawn afresh"
    tr = adist.trace(ring, 2, 3, torch.bool, perturb=True, **FAST)    # bool: left alone
    assert tr.received(0)[0].perturbation is None and torch.equal(tr.results[0], tr.received(0)[0].delivered)


def test_perturb_matches_sends_to_receives_as_gloo_does():
    tr = adist.trace(ring_pairs_out_of_order, 2, perturb=True, **FAST)
    first, second = tr.results[1]
    by_tag = {m.tag: m for m in tr.received(1)}
    assert torch.equal(first, 1.0 + by_tag[1].perturbation) and torch.equal(second, 2.0 + by_tag[2].perturbation)
    assert [torch.equal(m.delivered, r) for m, r in ((by_tag[1], first), (by_tag[2], second))] == [True, True]
    tr = adist.trace(empty_messages, 2, perturb=True, **FAST)        # zero-byte messages pair up too
    assert [m.nbytes for m in tr.received(0, nonempty=False)] == [0, 12]
    assert torch.equal(tr.results[0], tr.received(0)[0].delivered)
    with pytest.raises(ValueError, match="choose one"):
        adist.trace(ring, 2, 3, poison=True, perturb=True)
    with pytest.raises(ValueError, match="perturb"):
        adist.trace(ring, 2, 3, perturb=1)


def test_poison_overwrites_received_floats_only():
    tr = adist.trace(ring, 3, 4, poison=True, **FAST)
    assert all(torch.isnan(t).all() for t in tr.results)
    tr = adist.trace(ring, 3, 4, torch.int64, poison=True, **FAST)
    assert [t.tolist() for t in tr.results] == [[2] * 4, [0] * 4, [1] * 4]


def test_an_exception_names_the_rank_and_stops_the_others_quickly():
    start = time.perf_counter()
    with pytest.raises(adist.RankError) as err:
        adist.run(fails_on_two, 4, timeout=60, op_timeout=30)
    assert time.perf_counter() - start < 15, "the other ranks must be stopped, not waited for"
    text = str(err.value)
    assert err.value.rank == 2 and text.startswith("rank 2 of 4 failed: ValueError: rank two is unhappy")
    assert "in fails_on_two" in text and "Traceback" in text


def test_a_deadlock_fails_within_the_op_timeout():
    start = time.perf_counter()
    with pytest.raises(adist.RankError, match="Timed out") as err:
        adist.trace(blocking_ring, 3, timeout=30, op_timeout=2)
    assert time.perf_counter() - start < 20
    assert "deadlock" in str(err.value) and "in blocking_ring" in str(err.value)


def test_code_that_never_ends_is_stopped_at_the_timeout():
    with pytest.raises(adist.RunTimeout) as err:
        adist.run(spins, 2, timeout=2)
    assert set(err.value.stuck) == {0, 1}
    assert all("spins" in where for where in err.value.stuck.values()), err.value.stuck


def test_a_rank_that_exits_is_reported():
    with pytest.raises(adist.RankError, match="rank 1 of 2 failed: the process exited with code 3"):
        adist.run(exits_early, 2, **FAST)


def test_results_that_cannot_be_sent_back_are_a_clear_error():
    with pytest.raises(adist.RankError, match="returned a object, which cannot be sent back"):
        adist.run(returns_object, 2, **FAST)


def test_what_ranks_print_is_shown_with_the_rank(capsys):
    adist.run(talks, 3, **FAST)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"[rank {r}] hello from {r}" for r in range(3)]


def test_interrupting_the_caller_kills_the_ranks():
    class Interrupted(Exception):
        pass

    def handler(signum, frame):
        raise Interrupted()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(Interrupted):
            adist.run(sleeps_then_ring, 3, timeout=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # the no_orphans fixture checks that every rank is gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_ranks_die_with_their_parent(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(adist.__file__.rsplit('/aisys/', 1)[0])!r})
        from aisys import dist as adist
        def sleeper():
            with open(os.path.join({str(tmp_path)!r}, f"pid{{os.getpid()}}"), "w"):
                pass
            time.sleep(60)
        adist.run(sleeper, 3, timeout=120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(tmp_path)})
    deadline = time.time() + 60
    while len(list(tmp_path.glob("pid*"))) < 3 and time.time() < deadline:
        time.sleep(0.1)
    pids = [int(p.name[3:]) for p in tmp_path.glob("pid*")]
    assert len(pids) == 3, "the ranks did not start"
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in pids) and time.time() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "ranks outlived their parent"


@pytest.mark.parametrize("bad", [
    dict(fn=42, world_size=2), dict(fn=whoami, world_size=0), dict(fn=whoami, world_size=adist.MAX_WORLD_SIZE + 1),
    dict(fn=whoami, world_size=2.0), dict(fn=whoami, world_size=True), dict(fn=whoami, world_size=2, timeout=-1),
    dict(fn=whoami, world_size=2, op_timeout=0)])
def test_bad_arguments_raise_value_error(bad):
    with pytest.raises(ValueError):
        adist.run(**bad)


def test_cases_and_args_do_not_mix():
    with pytest.raises(ValueError, match="not both"):
        adist.run(total, 2, 1.0, cases=[(1.0,)])
    with pytest.raises(ValueError, match="poison"):
        adist.trace(ring, 2, 3, poison="yes")
    with pytest.raises(ValueError, match="payloads"):
        adist.trace(ring, 2, 3, payloads=1)


def test_trace_rejects_bad_ranks():
    tr = adist.trace(ring, 2, 1, **FAST)
    with pytest.raises(ValueError, match="rank must be"):
        tr.sent(2)


@pytest.mark.parametrize("n,p", [(0, 1), (0, 3), (2, 4), (10, 4), (12, 4), (7, 3), (1000, 7)])
def test_chunk_bounds_follow_tensor_split(n, p):
    bounds = adist.chunk_bounds(n, p)
    sizes = [t.numel() for t in torch.tensor_split(torch.arange(n), p)]
    assert [hi - lo for lo, hi in bounds] == sizes
    assert bounds[0][0] == 0 and bounds[-1][1] == n and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))


def test_chunk_bounds_rejects_bad_input():
    for args in ((-1, 2), (4, 0), (4.0, 2), (3, True)):
        with pytest.raises(ValueError):
            adist.chunk_bounds(*args)


def test_ping_pong_and_plot_traffic():
    times = adist.ping_pong([4, 4096], repeats=3, warmup=1)
    assert times.shape == (2,) and (times > 0).all()
    with pytest.raises(ValueError):
        adist.ping_pong([])
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    m = adist.plot_traffic(ax, adist.trace(ring, 3, 2, **FAST))
    assert m.sum() == 3 * 8
    plt.close(fig)
    with pytest.raises(ValueError):
        adist.plot_traffic(ax, "not a trace")


def aborts():
    if dist.get_rank() == 1:
        os.abort()
    dist.recv(torch.empty(1), 1)


def test_a_rank_that_crashes_is_reported_with_its_signal():
    with pytest.raises(adist.RankError, match="rank 1 of 2 failed: the process was killed by signal SIGABRT"):
        adist.run(aborts, 2, **FAST)


def reads_address_zero():
    if dist.get_rank() == 1:
        import faulthandler
        faulthandler._sigsegv()        # a segmentation fault, as a bug in C++ code would give
    dist.recv(torch.empty(1), 1)


def test_a_crash_says_where_it_happened():
    with pytest.raises(adist.RankError) as caught:
        adist.run(reads_address_zero, 2, **FAST)
    text = str(caught.value)
    assert "killed by signal SIGSEGV" in text, text
    assert "Segmentation fault" in text and "reads_address_zero" in text, text


def reduce_scatters_lists():
    p, r = dist.get_world_size(), dist.get_rank()
    mine = torch.empty(2, 3)
    dist.reduce_scatter(mine, [c.reshape(2, 3) for c in (torch.arange(6.0 * p) * (r + 1)).chunk(p)])
    largest = torch.empty(3)
    dist.reduce_scatter(largest, [torch.full((3,), float(r))] * p, op=dist.ReduceOp.MAX, async_op=True).wait()
    return mine, largest


def test_list_reduce_scatter_is_counted_and_correct():
    trace = adist.trace(reduce_scatters_lists, 3, collectives=True, payloads=True, **FAST)
    total = sum(torch.arange(18.0) * (r + 1) for r in range(3))
    for r in range(3):
        mine, largest = trace.results[r]
        assert torch.equal(mine.reshape(-1), total.chunk(3)[r])
        assert torch.equal(largest, torch.full((3,), 2.0))
        calls = trace.collective_calls(r)
        assert [c.name for c in calls] == ["reduce_scatter"] * 2 and [c.nbytes for c in calls] == [72, 36]
