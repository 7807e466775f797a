"""Real processes exchanging real tensors with ``torch.distributed``, started from a notebook cell.

``run(fn, world_size, *args)`` forks ``world_size`` processes (ranks) from the running Python -- a Jupyter kernel, a
test, or the grading kernel -- joins them into one ``torch.distributed`` process group (the **gloo** backend, over
TCP on the loopback interface; the rendezvous is a ``FileStore`` in a temporary folder, so no port is needed) and
calls ``fn(*args)`` in every rank. Inside ``fn`` the usual API works: ``dist.get_rank()``, ``dist.send``,
``dist.irecv``, ``dist.all_reduce``... ``run`` returns what each rank returned, as a list indexed by rank::

    import torch, torch.distributed as dist
    from aisys import dist as adist

    def total():
        x = torch.tensor([float(dist.get_rank())])
        dist.all_reduce(x)
        return x

    adist.run(total, 4)          # [tensor([6.]), tensor([6.]), tensor([6.]), tensor([6.])]

``trace(fn, world_size, *args)`` does the same in a process group that **counts** every point-to-point message
(sender, receiver, bytes, dtype; with ``payloads=True`` also what it carried) and **refuses every collective**
(``all_reduce``, ``all_gather``, ``broadcast``...): the group for writing collectives yourself out of
``send``/``recv``/``isend``/``irecv``/``batch_isend_irecv``. With ``collectives=True`` the collectives run (on gloo)
and are counted too (which one, which rank, how many bytes it contributed). No other channel can be opened inside a
traced rank (its traffic would escape the count): new process groups and stores are refused, however they are
reached (``dist.new_group``, ``dist.ProcessGroupGloo(...)``, ``dist.FileStore(...)``, ``dist.TCPStore(...)``), and
the rank may not create sockets at all (a seccomp filter, on Linux). It returns a :class:`Trace` with each rank's
result, the messages and the collectives. With
``perturb=True`` the harness adds an amount of its own to every message a rank receives, so that a test can replay
the algorithm on the altered data and check that results were computed from what arrived.

What the harness guarantees (it is used by lecture notebooks and by graded labs):

- **every process ends with the call.** Ranks that are still running when the call returns or raises -- a
  deadlock, an error in another rank, the caller interrupted -- are killed and reaped; a rank also dies if its
  parent process dies (``PR_SET_PDEATHSIG`` on Linux). Nothing outlives the cell that started it.
- **a timeout on everything.** Each send, receive and collective gives up after ``op_timeout`` seconds (gloo's
  own timeout, so a rank waiting for a message nobody sends raises in *its* code), and the whole call after
  ``timeout`` seconds (the harness then dumps where every rank was, with ``faulthandler``, and kills them).
- **errors name the rank.** An exception in any rank becomes :class:`RankError` in the caller, with the rank, the
  exception and its traceback; other ranks are stopped at once instead of hanging on the failed one.
- **what a rank prints is shown**, after the run, prefixed with ``[rank r]``; what C++ code writes to the
  processes' standard error (gloo's connection messages) is kept out of the notebook unless a rank fails.
- **counts that rank code cannot forge.** The counting group sends each message's record to the parent the
  moment the message is posted, over a pipe whose frames are authenticated with a key held only in a closure (as
  are the real gloo group behind the counting one and the alteration of receives); the counters live in the
  parent. Results come back as raw tensor bytes plus JSON (never ``pickle``), so a rank
  cannot make the parent run code.
- ``torch.set_num_threads(1)`` in every rank (many ranks share few cores).

The same rank function runs unchanged on a cluster: save it in a script that calls ``dist.init_process_group("nccl")``
(GPUs) or ``"gloo"`` (CPUs) and start it with ``torchrun --nnodes N --nproc-per-node G script.py``; torchrun sets
``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT`` for the default ``env://`` rendezvous.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import math
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["run", "trace", "mark", "Trace", "Message", "Collective", "Mark", "RankError", "RunTimeout", "CollectiveRefused", "chunk_bounds",
           "ping_pong", "plot_traffic", "MAX_WORLD_SIZE"]

#: The most ranks one call may start (they all share this machine's cores).
MAX_WORLD_SIZE = 16
_COUNTED_BACKEND = "aisys_counted"
_GRACE = 0.3          # seconds to collect the other ranks' reports after the first error


# ---------------------------------------------------------------------------------------------------- errors
class RankError(RuntimeError):
    """An exception raised in one (or more) of the ranks. ``rank`` is the first rank that failed, ``errors`` maps
    every failed rank to its report (exception, message and traceback)."""

    def __init__(self, message: str, rank: int, errors: dict):
        super().__init__(message)
        self.rank = rank
        self.errors = errors


class RunTimeout(TimeoutError):
    """The ranks did not all finish within ``timeout`` seconds (a deadlock, or code that never ends). ``stuck`` maps
    each rank still running to where it was (innermost frames first)."""

    def __init__(self, message: str, stuck: dict):
        super().__init__(message)
        self.stuck = stuck


class CollectiveRefused(RuntimeError):
    """A collective was called in the counting process group of :func:`trace`."""


# ---------------------------------------------------------------------------------------------------- traffic
@dataclass(frozen=True)
class Message:
    """One point-to-point message as posted: ``kind`` is "send" or "recv", seen by rank ``rank``; ``src``/``dst`` are
    the ranks at either end; ``nbytes`` the tensor's size in bytes; ``case`` the index of the case it belongs to;
    ``payload`` (sends only, with ``trace(..., payloads=True)``) a 1-D copy of the data as it was when posted.

    With ``trace(..., perturb=True)``: ``perturbation`` (on a send and on the receive that got it) is what the harness
    added to the message when it arrived, a 1-D tensor in the receive's dtype (None for an empty or bool message);
    ``delivered`` (receives only, when the sends' payloads were recorded) is what the receiving rank's buffer held
    afterwards: the send's payload, its bytes read in the receive's dtype, plus the perturbation. Sends and receives
    are matched as gloo matches them: between two ranks, with one tag, in the order each side posted them."""
    kind: str
    src: int
    dst: int
    nbytes: int
    numel: int
    dtype: str
    tag: int
    case: int = 0
    payload: Any = field(default=None, compare=False, repr=False)
    perturbation: Any = field(default=None, compare=False, repr=False)
    delivered: Any = field(default=None, compare=False, repr=False)

    @property
    def rank(self) -> int:
        return self.src if self.kind == "send" else self.dst


@dataclass(frozen=True)
class Collective:
    """One collective call as rank ``rank`` made it (``trace(..., collectives=True)``): ``name`` is its family
    ("all_reduce", "all_gather", "reduce_scatter", "broadcast", "reduce", "gather", "scatter", "all_to_all"),
    ``method`` the process-group method behind it (``dist.all_gather_into_tensor`` is "all_gather_single"),
    ``nbytes`` the bytes of the input tensors this rank contributed, ``case`` the index of the case it belongs to;
    ``payload`` (with ``trace(..., payloads=True)``) a 1-D copy of those inputs as they were when the call was made."""
    rank: int
    name: str
    method: str
    nbytes: int
    dtype: str
    case: int = 0
    payload: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Mark:
    """A point in a rank's sequence of messages and collectives, posted by :func:`mark` (a test's hook, say)."""
    rank: int
    label: str
    case: int = 0


def mark(label: str) -> None:
    """Inside a rank of :func:`trace`: record ``label`` at this point of the rank's stream of messages and collectives
    (``Trace.events(rank)`` shows it in order). Does nothing outside a traced rank."""
    if not isinstance(label, str):
        raise ValueError(f"label must be a str, got {type(label).__name__}")
    state = _rank_state
    if state is None:
        return
    header = json.dumps({"kind": "mark", "rank": state.rank, "label": label, "case": state.case}).encode()
    state.post(b"M", len(header).to_bytes(8, "little") + header)


class Trace:
    """What one call of :func:`trace` observed: ``results[r]`` is what rank ``r`` returned; ``sends`` and ``recvs``
    list every message each rank posted, in the order it posted them (zero-byte messages included);
    ``collectives`` every collective call (with ``collectives=True``), in the order each rank made them."""

    def __init__(self, world_size: int, results: list, sends: list, recvs: list, seconds: float,
                 collectives: list | None = None, events: list | None = None):
        self.world_size = world_size
        self.results = results
        self.sends = sends
        self.recvs = recvs
        self.seconds = seconds
        self.collectives = list(collectives or [])
        self._events = list(events or [])

    def events(self, rank: int) -> list:
        """Everything ``rank`` posted, in order: :class:`Message` (sends and receives, zero-byte ones included),
        :class:`Collective` and :class:`Mark` records."""
        self._check_rank(rank)
        return [e for e in self._events if e.rank == rank]

    def _check_rank(self, rank):
        if not isinstance(rank, (int, np.integer)) or not 0 <= rank < self.world_size:
            raise ValueError(f"rank must be an int in 0..{self.world_size - 1}, got {rank!r}")

    def sent(self, rank: int, nonempty: bool = True) -> list:
        """The messages ``rank`` sent, in order (by default without zero-byte ones)."""
        self._check_rank(rank)
        return [m for m in self.sends if m.src == rank and (m.nbytes > 0 or not nonempty)]

    def received(self, rank: int, nonempty: bool = True) -> list:
        """The receives ``rank`` posted, in order (by default without zero-byte ones)."""
        self._check_rank(rank)
        return [m for m in self.recvs if m.dst == rank and (m.nbytes > 0 or not nonempty)]

    def messages_sent(self, rank: int) -> int:
        """How many non-empty messages ``rank`` sent."""
        return len(self.sent(rank))

    def bytes_sent(self, rank: int) -> int:
        return sum(m.nbytes for m in self.sent(rank))

    def bytes_received(self, rank: int) -> int:
        return sum(m.nbytes for m in self.received(rank))

    def collective_calls(self, rank: int, name: str | None = None) -> list:
        """The collectives ``rank`` called, in order (only those of family ``name`` if given)."""
        self._check_rank(rank)
        return [c for c in self.collectives if c.rank == rank and (name is None or c.name == name)]

    def matrix(self) -> np.ndarray:
        """``M[src, dst]``: bytes sent from rank ``src`` to rank ``dst``."""
        m = np.zeros((self.world_size, self.world_size), dtype=np.int64)
        for msg in self.sends:
            m[msg.src, msg.dst] += msg.nbytes
        return m

    def summary(self) -> str:
        """One line per rank: messages and bytes sent and received."""
        lines = [f"{'rank':>4} {'msgs sent':>10} {'bytes sent':>11} {'msgs recv':>10} {'bytes recv':>11}"]
        for r in range(self.world_size):
            lines.append(f"{r:>4} {self.messages_sent(r):>10} {self.bytes_sent(r):>11} "
                         f"{len(self.received(r)):>10} {self.bytes_received(r):>11}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Trace(world_size={self.world_size}, {len(self.sends)} sends, {len(self.recvs)} receives, "
                f"{self.seconds:.3f} s)")


def chunk_bounds(n: int, parts: int) -> list:
    """``[(start, stop), ...]``: ``n`` elements split into ``parts`` contiguous chunks whose sizes differ by at most
    one, the first ``n % parts`` chunks one element longer (the convention of ``torch.tensor_split`` and
    ``numpy.array_split``; chunks may be empty when ``n < parts``)."""
    for name, value, low in (("n", n, 0), ("parts", parts, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    base, extra = divmod(int(n), int(parts))
    bounds, start = [], 0
    for i in range(int(parts)):
        stop = start + base + (1 if i < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


# ---------------------------------------------------------------------------------------------------- wire format
def _tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def _encode(obj) -> bytes:
    """A rank's result as JSON plus raw tensor bytes (tensors, arrays, numbers, strings, None, lists, tuples and
    dicts with string keys)."""
    import torch
    blobs: list = []

    def enc(x):
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, np.integer)):
            return int(x)
        if isinstance(x, (float, np.floating)):
            v = float(x)
            return v if math.isfinite(v) else {"float": repr(v)}
        if isinstance(x, torch.Tensor):
            t = x.detach().to("cpu").contiguous()
            raw = t.reshape(-1).view(torch.uint8) if t.numel() else torch.empty(0, dtype=torch.uint8)
            blobs.append(raw.numpy().tobytes())
            return {"tensor": len(blobs) - 1, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
        if isinstance(x, np.ndarray):
            a = np.ascontiguousarray(x)
            if a.dtype == object:
                raise TypeError("a numpy array of Python objects")
            blobs.append(a.tobytes())
            return {"array": len(blobs) - 1, "dtype": a.dtype.str, "shape": list(a.shape)}
        if isinstance(x, (list, tuple)):
            return {"list" if isinstance(x, list) else "tuple": [enc(v) for v in x]}
        if isinstance(x, dict):
            if not all(isinstance(k, str) for k in x):
                raise TypeError("a dict with keys that are not strings")
            return {"dict": {k: enc(v) for k, v in x.items()}}
        raise TypeError(f"a {type(x).__name__}")

    try:
        header = json.dumps(enc(obj)).encode()
    except TypeError as err:
        raise TypeError(f"the rank function returned {err}, which cannot be sent back to the notebook: return "
                        f"tensors, numpy arrays, numbers, strings, None, or lists/tuples/dicts of them") from None
    sizes = json.dumps([len(b) for b in blobs]).encode()
    return len(header).to_bytes(8, "little") + header + len(sizes).to_bytes(8, "little") + sizes + b"".join(blobs)


def _decode(data: bytes):
    import torch
    pos = 0

    def take(count):
        nonlocal pos
        if pos + count > len(data):
            raise ValueError("truncated result")
        chunk = data[pos:pos + count]
        pos += count
        return chunk

    header = json.loads(take(int.from_bytes(take(8), "little")))
    sizes = json.loads(take(int.from_bytes(take(8), "little")))
    blobs = [take(s) for s in sizes]

    def dec(x):
        if not isinstance(x, dict):
            return x
        if "float" in x:
            return float(x["float"])
        if "tensor" in x:
            dtype = getattr(torch, x["dtype"])
            raw = bytearray(blobs[x["tensor"]])
            if not raw:
                return torch.empty(x["shape"], dtype=dtype)
            return torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(x["shape"]).clone()
        if "array" in x:
            return np.frombuffer(blobs[x["array"]], dtype=np.dtype(x["dtype"])).reshape(x["shape"]).copy()
        if "list" in x:
            return [dec(v) for v in x["list"]]
        if "tuple" in x:
            return tuple(dec(v) for v in x["tuple"])
        if "dict" in x:
            return {k: dec(v) for k, v in x["dict"].items()}
        raise ValueError(f"unknown item {x!r}")

    return dec(header)


# ---------------------------------------------------------------------------------------------------- in a rank
class _RankState:
    """Private state of one rank (module-level, set after the fork): its rank, the case being run, what to record,
    and ``post``, which sends a signed frame to the parent. The pipe and its signing key live only in ``post``'s
    closure, and the real gloo group behind the counting one and the way receives are altered (poison, perturb) only
    in the counting group's closures: none of them is an attribute a rank's code could look up."""

    def __init__(self, rank, world_size, post, payloads, collectives=False):
        self.rank, self.world_size, self.post = rank, world_size, post
        self.payloads, self.case, self.collectives = payloads, 0, collectives


def _poster(writer, key):
    def post(kind: bytes, body: bytes) -> None:
        writer.send_bytes(_tag(key, kind + body) + kind + body)
    return post


_rank_state: _RankState | None = None
_pending: list = []      # the counting group's settings, from _rank_main to _make_counted_group (emptied at once)


def _perturbation(t):
    """A harness-drawn amount to add to a received tensor (``trace(..., perturb=True)``), 1-D in its dtype, or None
    (empty or bool tensors). Every element is nonzero: 0.5..4 in size for floating-point and complex tensors, 1..9
    for integers, with a random sign (integers of unsigned types: positive). Drawn from os.urandom, message by
    message: no generator state a rank could copy to predict the next one."""
    import torch
    n = t.numel()
    if not n or t.dtype == torch.bool:
        return None
    bits = np.frombuffer(os.urandom(8 * n), dtype=np.uint64)
    sign = np.where(bits & np.uint64(1), -1, 1)
    try:
        if t.is_floating_point() or t.is_complex():
            size = 0.5 + 3.5 * ((bits >> np.uint64(11)).astype(np.float64) / float(1 << 53))
            return torch.from_numpy(sign * size).to(t.dtype)
        size = 1 + (bits >> np.uint64(1)) % np.uint64(9)
        size = size.astype(np.int64)
        return torch.from_numpy(sign * size if t.dtype.is_signed else size).to(t.dtype)
    except (RuntimeError, TypeError):         # a dtype torch cannot convert to (quantized...): left alone
        return None


def _record(kind: str, tensors, peer: int, tag: int, perturbation=None) -> None:
    state = _rank_state
    if len(tensors) != 1:
        raise ValueError(f"point-to-point messages carry one tensor, got {len(tensors)}")
    t = tensors[0]
    src, dst = (state.rank, peer) if kind == "send" else (peer, state.rank)
    record = {"kind": kind, "src": src, "dst": dst, "nbytes": t.numel() * t.element_size(), "numel": t.numel(),
              "dtype": str(t.dtype).replace("torch.", ""), "tag": int(tag), "case": state.case}
    data = b""
    if kind == "send" and state.payloads and t.numel():
        import torch
        data = t.detach().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
    if perturbation is not None:
        import torch
        record["perturbed"] = True
        data = perturbation.view(torch.uint8).numpy().tobytes()
    header = json.dumps(record).encode()
    state.post(b"M", len(header).to_bytes(8, "little") + header + data)


_FAMILY = {"allreduce": "all_reduce", "allreduce_coalesced": "all_reduce", "allgather": "all_gather",
           "_allgather_base": "all_gather", "allgather_coalesced": "all_gather",
           "allgather_into_tensor_coalesced": "all_gather", "all_gather_single": "all_gather",
           "all_gather_single_coalesced": "all_gather", "broadcast": "broadcast", "reduce": "reduce",
           "reduce_scatter": "reduce_scatter", "_reduce_scatter_base": "reduce_scatter",
           "reduce_scatter_single": "reduce_scatter", "reduce_scatter_single_coalesced": "reduce_scatter",
           "reduce_scatter_tensor_coalesced": "reduce_scatter", "gather": "gather", "scatter": "scatter",
           "alltoall": "all_to_all", "alltoall_base": "all_to_all", "all_to_all_single": "all_to_all"}
# methods the ProcessGroup front end calls that gloo's backend names differently (same arguments)
_GLOO_METHOD = {"all_gather_single": "_allgather_base", "reduce_scatter_single": "_reduce_scatter_base",
                "all_to_all_single": "alltoall_base"}
_INPUTS_FIRST = ("allreduce", "allreduce_coalesced", "broadcast", "reduce")   # (tensors, opts); the others (out, in, ...)


def _tensors_in(obj) -> list:
    import torch
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _tensors_in(item)]
    return []


def _reduce_scatter_as_one_tensor(gloo, outputs, inputs, opts=None):
    """``dist.reduce_scatter(out, [chunk, ...])`` run as gloo's one-tensor reduce-scatter, or None if it cannot be.
    Gloo's list form issues one all-reduce per rank at once, and under load a rank sometimes died of a segmentation
    fault inside gloo's threads (seen about once in 75 traced runs); the one-tensor form has not. Same result, same
    bytes contributed (the call was recorded before)."""
    import torch
    if opts is None or len(outputs) != 1 or len(inputs) != 1:
        return None
    out, chunks = outputs[0], inputs[0]
    if not (out.is_contiguous() and chunks and all(c.shape == out.shape and c.dtype == out.dtype for c in chunks)):
        return None
    flat = torch.cat([c.reshape(-1) for c in chunks])
    return gloo._reduce_scatter_base(out.view(-1), flat, opts)


def _collective(name, inner):
    """A process-group method that refuses the collective, or (``trace(..., collectives=True)``) counts it and runs
    it on the real gloo group ``inner``."""
    def collective(self, *args, **kwargs):
        state = _rank_state
        forward = getattr(inner, _GLOO_METHOD.get(name, name), None) if state.collectives else None
        if forward is None:
            raise CollectiveRefused(
                f"collectives are switched off in this process group (aisys.dist.trace counts point-to-point "
                f"messages): {name} was called; build the collective from send/recv/isend/irecv")
        inputs = _tensors_in(args[0 if name in _INPUTS_FIRST else 1] if len(args) > 1 else args)
        record = {"kind": "collective", "rank": state.rank, "name": _FAMILY.get(name, name), "method": name,
                  "nbytes": sum(t.numel() * t.element_size() for t in inputs),
                  "dtype": str(inputs[0].dtype).replace("torch.", "") if inputs else "", "case": state.case}
        data = b""
        if state.payloads and inputs and len({t.dtype for t in inputs}) == 1:
            import torch
            data = b"".join(t.detach().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
                            for t in inputs if t.numel())
        header = json.dumps(record).encode()
        state.post(b"M", len(header).to_bytes(8, "little") + header + data)
        if name == "reduce_scatter":
            work = _reduce_scatter_as_one_tensor(inner, *args, **kwargs)
            if work is not None:
                return work
        return forward(*args, **kwargs)
    collective.__name__ = name
    return collective


_COLLECTIVES = ("allreduce", "allreduce_coalesced", "allgather", "_allgather_base", "allgather_coalesced",
                "allgather_into_tensor_coalesced", "all_gather_single", "all_gather_single_coalesced", "broadcast",
                "reduce", "reduce_scatter", "_reduce_scatter_base", "reduce_scatter_single",
                "reduce_scatter_single_coalesced", "reduce_scatter_tensor_coalesced", "gather", "scatter",
                "alltoall", "alltoall_base", "all_to_all_single", "monitored_barrier", "recv_anysource",
                "split_group", "merge_remote_group")


def _counted_group_class(inner, poison: bool, perturb: bool):
    """The counting process group's class, its methods closed over the real gloo group ``inner`` and over how
    receives are altered."""
    import threading

    import torch
    import torch.distributed as dist

    inside: dict = {}      # id(receive) -> [gloo's request, alteration or None once done, lock]: closure only

    def finish(entry):
        """Alter the received buffer, once (wait, is_completed and a future's callback may all get here)."""
        with entry[2]:
            alter, entry[1] = entry[1], None
            if alter is not None:
                alter()

    class _AlteredReceive(dist.Work):
        """A receive whose buffer the harness alters once the data has arrived (``trace(..., poison=True)``: NaN;
        ``perturb=True``: plus a drawn amount). The real request is not an attribute, so rank code cannot wait on
        it directly and skip the alteration; every way of waiting (wait, synchronize, polling is_completed, a
        future) sees the altered data."""

        def __init__(self, work, alter):
            super().__init__()
            inside[id(self)] = [work, alter, threading.Lock()]

        def __del__(self):
            inside.pop(id(self), None)

        def wait(self, timeout=datetime.timedelta(0)):
            entry = inside[id(self)]
            done = entry[0].wait() if not timeout else entry[0].wait(timeout)
            finish(entry)
            return done

        def synchronize(self):
            self.wait()

        def is_completed(self):
            entry = inside[id(self)]
            if entry[0].is_completed():
                finish(entry)
                return True
            return False

        def is_success(self):
            return inside[id(self)][0].is_success()

        def source_rank(self):
            return inside[id(self)][0].source_rank()

        def get_future(self):
            entry = inside[id(self)]

            def altered(fut):
                value = fut.value()     # re-raises the receive's error, if any
                finish(entry)
                return value
            return entry[0].get_future().then(altered)

    class CountedGroup(dist.ProcessGroup):
        """Point-to-point messages are counted and forwarded to a real gloo group; collectives are refused."""

        def __init__(self, rank, size):
            super().__init__(rank, size)

        def send(self, tensors, dst, tag):
            _record("send", tensors, dst, tag)
            return inner.send(tensors, dst, tag)

        def recv(self, tensors, src, tag):
            t = tensors[0] if len(tensors) == 1 else None
            delta = _perturbation(t) if perturb and t is not None else None
            _record("recv", tensors, src, tag, delta)
            work = inner.recv(tensors, src, tag)
            if poison:
                alter = (lambda: t.fill_(float("nan"))) if t.is_floating_point() or t.is_complex() else (lambda: None)
            elif delta is not None:
                alter = lambda: t.view(-1).add_(delta)          # noqa: E731
            else:
                return work
            return _AlteredReceive(work, alter)

        def barrier(self, *args, **kwargs):
            return inner.barrier(*args, **kwargs)

        def getBackendName(self):
            return _COUNTED_BACKEND

    for name in _COLLECTIVES:
        setattr(CountedGroup, name, _collective(name, inner))
    return CountedGroup


def _make_counted_group(store, rank, world_size, timeout):
    """The backend creator torch.distributed calls in init_process_group: takes its settings from ``_pending``
    (leaving it empty) and hands the real gloo group back through them, to _rank_main's barrier only."""
    import torch.distributed as dist
    settings = _pending.pop()
    inner = dist.ProcessGroupGloo(store, rank, world_size, timeout)
    settings["inner"] = inner
    return _counted_group_class(inner, settings["poison"], settings["perturb"])(rank, world_size)


def _no_new_groups(*args, **kwargs):
    """Swapped in for torch.distributed's group constructor inside a traced rank (only builtins: it runs with the
    globals of torch's module)."""
    raise RuntimeError("new process groups cannot be created inside aisys.dist.trace: their traffic would not be "
                       "counted; use the default group")


def _refused_init(self, *args, **kwargs):
    raise RuntimeError(f"{type(self).__name__} cannot be created inside aisys.dist.trace: a new process group or "
                       f"store would be a channel the harness does not count; use the default group")


#: Classes of torch.distributed that make a process group or a rendezvous store (a channel of their own).
_CHANNEL_CLASSES = ("ProcessGroupGloo", "_ProcessGroupWrapper", "FileStore", "TCPStore", "HashStore", "PrefixStore",
                    "_StoreCollectives")


def _close_new_channels() -> None:
    """In a traced rank, once its group is up: no new process group, store or socket, however it is reached.

    - torch.distributed's group constructor (new_group, new_subgroups, device meshes all go through it) refuses,
      under every alias (its code object is swapped);
    - the classes that build a group or a store directly (``dist.ProcessGroupGloo(store, rank, size)``,
      ``dist.FileStore(path, n)``...) refuse in ``__init__``: the class objects themselves are changed, so a
      reference taken before the fork (``MAKE = {"group": dist.ProcessGroupGloo}``) refuses as well;
    - and, underneath every Python path (a saved ``__init__`` called on ``__new__``'s object, say), the process may
      no longer create a socket (a seccomp filter on socket(2), Linux x86-64 and arm64): a new gloo group, TCP
      store or RPC agent cannot connect. The group's own connections were made at init."""
    import torch
    from torch.distributed import distributed_c10d
    distributed_c10d._new_process_group_helper.__code__ = _no_new_groups.__code__
    for name in _CHANNEL_CLASSES:
        cls = getattr(torch._C._distributed_c10d, name, None)
        if isinstance(cls, type):
            setattr(cls, "__init__", _refused_init)
    _deny_sockets()


def _deny_sockets() -> bool:
    """Install a seccomp filter that makes socket(2) fail with EPERM in this process (all its threads) from now on;
    False where that is not available (not Linux, another architecture, a kernel without seccomp)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import platform
    # (audit architecture, socket's number, seccomp's number, mask for x32's syscall-number bit)
    arch = {"x86_64": (0xC000003E, 41, 317, 0xBFFFFFFF), "aarch64": (0xC00000B7, 198, 277, 0xFFFFFFFF)}.get(
        platform.machine())
    if arch is None:
        return False
    audit_arch, nr_socket, nr_seccomp, mask = arch

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    ld_abs, jeq, alu_and, ret = 0x20, 0x15, 0x54, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1          # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    program = (SockFilter * 7)(
        SockFilter(ld_abs, 0, 0, 4),                 # 0: the architecture
        SockFilter(jeq, 0, 4, audit_arch),           # 1: another one: allow (6)
        SockFilter(ld_abs, 0, 0, 0),                 # 2: the system call's number
        SockFilter(alu_and, 0, 0, mask),             # 3: (x32 calls have bit 30 set)
        SockFilter(jeq, 0, 1, nr_socket),            # 4: socket: refuse (5), else allow (6)
        SockFilter(ret, 0, 0, deny),                 # 5
        SockFilter(ret, 0, 0, allow))                # 6
    prog = SockFprog(len(program), program)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
            return False                                             # PR_SET_NO_NEW_PRIVS
        # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog): every thread (gloo's included)
        if libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_ulong(1), ctypes.c_ulong(1), ctypes.byref(prog)) == 0:
            return True
        return libc.prctl(22, ctypes.c_ulong(2), ctypes.byref(prog), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0
    except (OSError, AttributeError):
        return False


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
        except Exception:
            pass
    if os.getppid() != parent_pid:                 # the parent died before prctl took effect
        os._exit(1)


def _user_frames(tb_exc, hide_file: str | None) -> str:
    """A rank's traceback without the harness's frames; frames from ``hide_file`` (the file of the function the
    caller handed to run/trace) are shown without their source line."""
    lines = []
    for frame in tb_exc.stack:
        if os.path.abspath(frame.filename) == os.path.abspath(__file__):
            continue
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n')
        if frame.line and frame.filename != hide_file:
            lines.append(f"    {frame.line.strip()}\n")
    text = "".join(lines)
    return ("Traceback (most recent call last):\n" + text if text else "") + \
        "".join(tb_exc.format_exception_only()).rstrip()


def _rank_main(rank, world_size, fn, calls, mode, alter, payloads, folder, writer, key, op_timeout, parent_pid):
    """Body of one forked rank; never returns. ``alter``: "" (receives as they arrive), "poison" or "perturb"."""
    global _rank_state
    code = 1
    _rank_state = _RankState(rank, world_size, _poster(writer, key), payloads, collectives=mode == "counted+collectives")
    del writer, key
    try:
        _die_with_parent(parent_pid)
        # C++ and Python output of this rank go to files the parent reads after the run.
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(os.path.join(folder, f"{name}.{rank}"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdout = open(1, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
        sys.stderr = open(2, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
        import faulthandler
        dump = open(os.path.join(folder, f"stack.{rank}"), "w")
        faulthandler.register(signal.SIGUSR1, file=dump, all_threads=False)
        faulthandler.enable(file=sys.stderr, all_threads=True)   # a crash (SIGSEGV...) says where, in the report
        if sys.platform.startswith("linux") and "GLOO_SOCKET_IFNAME" not in os.environ:
            os.environ["GLOO_SOCKET_IFNAME"] = "lo"
        import torch
        import torch.distributed as dist
        torch.set_num_threads(1)
        store = dist.FileStore(os.path.join(folder, "store"), world_size)
        timeout = datetime.timedelta(seconds=op_timeout)
        if mode.startswith("counted"):
            if _COUNTED_BACKEND not in dist.Backend.backend_list:
                dist.Backend.register_backend(_COUNTED_BACKEND, _make_counted_group, devices=["cpu"])
            settings = {"poison": alter == "poison", "perturb": alter == "perturb"}
            _pending[:] = [settings]
            dist.init_process_group(_COUNTED_BACKEND, store=store, rank=rank, world_size=world_size, timeout=timeout)
            inner = settings.pop("inner")
            barrier = lambda: inner.barrier().wait()            # noqa: E731 - uncounted
            # Every group, store or socket made from now on would be a channel the harness does not see.
            # The rendezvous file stays: gloo still reads the store after init (a message to a rank that does not
            # exist waits there for op_timeout; with the file deleted it waited for the whole run), and no new group
            # can be built on it.
            _close_new_channels()
        else:
            dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size, timeout=timeout)
            barrier = dist.barrier
        results = []
        for index, (args, kwargs) in enumerate(calls):
            _rank_state.case = index
            results.append(fn(*args, **kwargs))
            barrier()       # everyone finished this case (and its messages) before the next one starts
        sys.stdout.flush()
        _rank_state.post(b"R", _encode(results))
        dist.destroy_process_group()
        code = 0
    except BaseException as err:   # report everything, KeyboardInterrupt and SystemExit included
        try:
            sys.stdout.flush()
            report = {"rank": rank, "case": _rank_state.case, "type": type(err).__name__, "message": str(err),
                      "traceback": _user_frames(traceback.TracebackException.from_exception(err),
                                                getattr(getattr(fn, "__code__", None), "co_filename", None))}
            _rank_state.post(b"E", json.dumps(report).encode())
        except BaseException:
            pass
    finally:
        os._exit(code)


# ---------------------------------------------------------------------------------------------------- in the caller
def _check_call(fn, world_size, timeout, op_timeout):
    if not callable(fn):
        raise ValueError(f"fn must be a function to run in every rank, got {type(fn).__name__}")
    if not isinstance(world_size, (int, np.integer)) or isinstance(world_size, bool) or \
            not 1 <= world_size <= MAX_WORLD_SIZE:
        raise ValueError(f"world_size must be an int in 1..{MAX_WORLD_SIZE}, got {world_size!r}")
    for name, value in (("timeout", timeout), ("op_timeout", op_timeout)):
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or
                                  not 0 < value < 24 * 3600):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")


def _calls(args, kwargs, cases):
    if cases is None:
        return [(tuple(args), dict(kwargs))]
    if args or kwargs:
        raise ValueError("pass either *args/**kwargs (one call) or cases=[...] (one call per case), not both")
    if not isinstance(cases, Sequence) or isinstance(cases, (str, bytes)):
        raise ValueError(f"cases must be a list of argument tuples, got {type(cases).__name__}")
    return [(tuple(c) if isinstance(c, (tuple, list)) else (c,), {}) for c in cases]


def _where(stack_text: str) -> str:
    """The frames of a faulthandler dump, innermost first, without the harness's own."""
    frames = [line.strip() for line in stack_text.splitlines() if line.strip().startswith("File ")]
    frames = [f for f in frames if f'"{os.path.abspath(__file__)}"' not in f]
    return "; ".join(frames[:6]) if frames else "(no Python frame: inside C++)"


def _launch(fn, world_size, calls, mode, alter, timeout, op_timeout, payloads=False):
    """Fork the ranks, collect their records and results, and make sure every one of them is gone on return."""
    _check_call(fn, world_size, timeout, op_timeout)
    import torch.distributed as dist   # imported once here rather than in every rank
    if not hasattr(os, "fork"):
        raise RuntimeError("aisys.dist starts ranks with os.fork, which this system lacks (Windows): use Linux, "
                           "macOS, WSL or Colab")
    if not (dist.is_available() and dist.is_gloo_available()):
        raise RuntimeError("this PyTorch build has no torch.distributed gloo backend")
    timeout = float(timeout)
    op_timeout = float(op_timeout) if op_timeout is not None else max(1.0, 0.5 * timeout)
    key = os.urandom(32)
    folder = tempfile.mkdtemp(prefix="aisys-dist-")
    pids: dict = {}
    readers: dict = {}
    records, results, errors, order = [], {}, {}, []
    start = time.perf_counter()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pipes = [os.pipe() for _ in range(world_size)]
        parent_pid = os.getpid()
        for rank in range(world_size):
            with warnings.catch_warnings():   # Python >= 3.12 warns that forking a multi-threaded process may deadlock
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                for other, (r_fd, w_fd) in enumerate(pipes):
                    os.close(r_fd)
                    if other != rank:
                        os.close(w_fd)
                _rank_main(rank, world_size, fn, calls, mode, alter, payloads, folder,
                           Connection(pipes[rank][1], readable=False), key, op_timeout, parent_pid)
            pids[rank] = pid
        for rank, (r_fd, w_fd) in enumerate(pipes):
            os.close(w_fd)
            readers[rank] = Connection(r_fd, writable=False)
        deadline = start + timeout
        give_up = None            # after the first failure: collect the others' reports for a moment, then stop
        open_ranks = set(range(world_size))
        while open_ranks:
            now = time.perf_counter()
            limit = min(deadline, give_up) if give_up else deadline
            if now >= limit:
                break
            for conn in wait([readers[r] for r in open_ranks], timeout=limit - now):
                rank = next(r for r, c in readers.items() if c is conn)
                try:
                    frame = conn.recv_bytes()
                except (EOFError, OSError):
                    open_ranks.discard(rank)
                    if rank not in results and rank not in errors:    # ended without a word: crashed or exited
                        errors[rank] = {"rank": rank, "type": "exit", "case": None,
                                        "message": f"the process {_exit_status(pids, rank)} without returning a result"}
                        order.append(rank)
                        give_up = give_up or time.perf_counter() + _GRACE
                    continue
                mac, kind, body = frame[:32], frame[32:33], frame[33:]
                if not hmac.compare_digest(mac, _tag(key, kind + body)):
                    errors[rank] = {"rank": rank, "type": "HarnessError", "case": None,
                                    "message": "the rank wrote data the harness did not send"}
                    order.append(rank)
                    open_ranks.discard(rank)
                    give_up = give_up or time.perf_counter() + _GRACE
                elif kind == b"M":
                    size = int.from_bytes(body[:8], "little")
                    record = json.loads(body[8:8 + size])
                    record["payload"] = body[8 + size:]
                    records.append(record)
                elif kind == b"R":
                    results[rank] = body
                elif kind == b"E":
                    errors[rank] = json.loads(body)
                    order.append(rank)
                    give_up = give_up or time.perf_counter() + _GRACE
        elapsed = time.perf_counter() - start
        timed_out = not errors and len(results) < world_size
        statuses = _stop(pids, folder, dump=timed_out)
        _replay(folder, world_size)
        if errors:
            raise _rank_error(errors, order, world_size, calls, folder)
        if timed_out:
            stuck = {r: statuses.get(r, ("", "was still running"))[1] for r in range(world_size) if r not in results}
            where = "\n".join(f"  rank {r}: {w}" for r, w in stuck.items())
            raise RunTimeout(f"{len(stuck)} of {world_size} ranks did not finish within {timeout:g} s and were "
                             f"stopped (a deadlock -- every rank waiting for a message no rank sends -- or a loop "
                             f"that never ends). Where they were, innermost frame first:\n{where}", stuck)
        return [_decode(results[r]) for r in range(world_size)], records, elapsed
    finally:
        _stop(pids, folder, dump=False)
        for conn in readers.values():
            conn.close()
        _rmtree(folder)


def _exit_status(pids: dict, rank: int, wait_seconds: float = 2.0) -> str:
    """How rank's process ended (it has closed its pipe, so it is exiting): reaped here, and removed from pids."""
    pid = pids.get(rank)
    deadline = time.perf_counter() + wait_seconds
    while pid is not None:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            del pids[rank]
            return _describe_status(status)
        if time.perf_counter() > deadline:
            return "stopped answering"
        time.sleep(0.01)
    return "ended"


def _stop(pids: dict, folder: str, dump: bool) -> dict:
    """Reap every rank; kill the ones still running (first asking them for a stack dump when ``dump``). Returns
    {rank: ("exited"|"stuck", description)}; empties ``pids``."""
    statuses = {}
    alive = {}
    for rank, pid in pids.items():
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            statuses[rank] = ("exited", "ended")
            continue
        if done:
            statuses[rank] = ("exited", _describe_status(status))
        else:
            alive[rank] = pid
    if alive and dump:
        for pid in alive.values():
            _signal(pid, signal.SIGUSR1)
        time.sleep(0.2)
    for rank, pid in alive.items():
        _signal(pid, signal.SIGKILL)
    for rank, pid in alive.items():
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        where = _read(os.path.join(folder, f"stack.{rank}")) if dump else ""
        statuses[rank] = ("stuck", _where(where) if where else "was still running")
    pids.clear()
    return statuses


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"was killed by signal {name}"
    code = os.WEXITSTATUS(status)
    return "ended" if code == 0 else f"exited with code {code}"


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _replay(folder: str, world_size: int) -> None:
    """Print what each rank printed, line by line, prefixed with its rank."""
    for rank in range(world_size):
        text = _read(os.path.join(folder, f"stdout.{rank}"))
        for line in text.splitlines():
            print(f"[rank {rank}] {line}")


def _stderr_tail(folder: str, ranks, lines: int = 6) -> str:
    parts = []
    for rank in ranks:
        text = [l for l in _read(os.path.join(folder, f"stderr.{rank}")).splitlines() if l.strip()]
        if text:
            parts.append(f"\n[rank {rank} stderr] " + f"\n[rank {rank} stderr] ".join(text[-lines:]))
    return "".join(parts)


def _crash_site(folder: str, rank: int) -> str:
    """Where a rank's Python was when the process crashed (faulthandler's dump of the crashing thread), or ""."""
    text = _read(os.path.join(folder, f"stderr.{rank}"))
    start = text.find("Fatal Python error")
    if start < 0:
        return ""
    dump = text[start:]
    blocks = [b for b in dump.split("\n\n") if "thread 0x" in b.lower()]
    current = next((b for b in blocks if b.lstrip().startswith("Current thread")), "")
    where = dump.splitlines()[0].strip() + "; " + _where(current or dump.split("\n\n")[0])
    if current and "File " not in current:        # a thread of C++ (gloo's, say): what was Python doing meanwhile?
        others = [_where(b) for b in blocks if b is not current and "File " in b]
        if others:
            where += "; meanwhile the rank's Python thread was at: " + " | ".join(others)
    return where


def _rank_error(errors: dict, order: list, world_size: int, calls, folder) -> RankError:
    """One error for the caller: the first rank that failed, in full; the ranks that failed after it, one line each
    (usually a consequence: their peer went away)."""
    order = list(dict.fromkeys(order))
    # A rank whose peer went away fails too ("Connection closed by peer"): blame the rank that went first.
    consequence = ("connection closed by peer", "connection reset by peer", "remote worker")
    order.sort(key=lambda r: any(c in errors[r]["message"].lower() for c in consequence))
    first = order[0]
    report = errors[first]
    case = report.get("case")
    where = f" (case {case})" if len(calls) > 1 and case is not None else ""
    message = report["message"]
    hint = ""
    if "timed out" in message.lower():
        hint = ("\n  A send or receive waited longer than op_timeout: is every send matched by a receive on the "
                "other rank, posted in an order that cannot deadlock (a blocking send waits until its receiver has "
                "posted the matching receive)?")
    kind = "" if report["type"] == "exit" else f"{report['type']}: "
    text = f"rank {first} of {world_size} failed{where}: {kind}{message}{hint}"
    if report.get("traceback"):
        text += "\n" + report["traceback"]
    if report["type"] in ("exit", "HarnessError"):
        crash = _crash_site(folder, first)
        text += f"\n  where it crashed, innermost frame first: {crash}" if crash else _stderr_tail(folder, [first])
    for r in order[1:]:
        line = (errors[r]["message"].splitlines() or [""])[0][:160]
        text += f"\n  then rank {r}: {errors[r]['type']}: {line}"
    return RankError(text, first, errors)


def _rmtree(folder: str) -> None:
    import shutil
    shutil.rmtree(folder, ignore_errors=True)


def _payload(record):
    import torch
    raw = record.get("payload") or b""
    if not raw or len(raw) != record["nbytes"]:
        return None
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(getattr(torch, record["dtype"])).clone()


def _events(records: list) -> list:
    """The records of one case as Message, Collective and Mark objects, in the order they arrived (each rank's in
    the order it posted them)."""
    events = []
    for r in records:
        if r["kind"] == "collective":
            events.append(Collective(r["rank"], r["name"], r["method"], r["nbytes"], r["dtype"], r["case"],
                                     _payload(r) if r["dtype"] else None))
        elif r["kind"] == "mark":
            events.append(Mark(r["rank"], r["label"], r["case"]))
        elif r.get("perturbed"):
            events.append(Message(r["kind"], r["src"], r["dst"], r["nbytes"], r["numel"], r["dtype"], r["tag"],
                                  r["case"], None, _payload(r)))
        else:
            events.append(Message(r["kind"], r["src"], r["dst"], r["nbytes"], r["numel"], r["dtype"], r["tag"],
                                  r["case"], _payload(r)))
    return events


def _matched(events: list, poisoned: bool) -> list:
    """``events`` with each send and the receive that got it matched as gloo matches them -- between two ranks, with
    one tag, in the order each side posted them: the send takes the receive's perturbation, the receive gets
    ``delivered`` (unless receives were poisoned, or the send's payload was not recorded)."""
    import dataclasses

    import torch
    queues: dict = {}
    for e in events:
        if isinstance(e, Message):
            queues.setdefault((e.src, e.dst, e.tag), ([], []))[e.kind == "recv"].append(e)
    new: dict = {}
    for sends, recvs in queues.values():
        for send, recv in zip(sends, recvs):
            delivered = None
            if not poisoned and send.nbytes == recv.nbytes and (send.payload is not None or not send.nbytes):
                dtype = getattr(torch, recv.dtype)
                delivered = (send.payload.view(torch.uint8).view(dtype) if send.nbytes
                             else torch.empty(0, dtype=dtype))
                if recv.perturbation is not None:
                    delivered = delivered + recv.perturbation
            new[id(send)] = dataclasses.replace(send, perturbation=recv.perturbation)
            new[id(recv)] = dataclasses.replace(recv, delivered=delivered)
    return [new.get(id(e), e) for e in events]


def run(fn: Callable, world_size: int, *args, timeout: float = 60.0, op_timeout: float | None = None,
        cases: Sequence | None = None, **kwargs) -> list:
    """Run ``fn(*args, **kwargs)`` in ``world_size`` forked processes joined by a gloo process group; return the list
    of their results, indexed by rank. With ``cases=[args0, args1, ...]`` call ``fn(*args_i)`` once per case in
    the same processes (a barrier between cases) and return ``[[rank results of case 0], [case 1], ...]``.

    Raises :class:`RankError` if a rank raises (naming the rank, with its traceback) and :class:`RunTimeout` if the
    ranks are not all done after ``timeout`` seconds; every send, receive and collective gives up after
    ``op_timeout`` seconds (default: half of ``timeout``). No process outlives the call."""
    calls = _calls(args, kwargs, cases)
    results, _, _ = _launch(fn, world_size, calls, "gloo", "", timeout, op_timeout)
    if cases is None:
        return [r[0] for r in results]
    return [[results[rank][i] for rank in range(world_size)] for i in range(len(calls))]


def trace(fn: Callable, world_size: int, *args, timeout: float = 60.0, op_timeout: float | None = None,
          cases: Sequence | None = None, poison: bool = False, payloads: bool = False, collectives: bool = False,
          perturb: bool = False, **kwargs):
    """Like :func:`run`, in a process group that counts every point-to-point message and refuses collectives;
    returns a :class:`Trace` (or one per case with ``cases=``).

    ``collectives=True`` lets the collectives run (on gloo) and counts them as well: ``Trace.collectives`` lists each
    call with its rank, family ("all_reduce", "all_gather", "reduce_scatter"...) and the bytes the rank contributed.

    ``payloads=True`` also records what every send carried (``Message.payload``: a copy of the tensor's data as it
    was when the send was posted) and what every counted collective was given (``Collective.payload``), so that a
    test can check contents, not just sizes.
    ``poison=True`` overwrites the payload of every receive with NaN once it has arrived (floating-point tensors):
    then every result that really depends on another rank's data comes out NaN.

    ``perturb=True`` adds to every received message, once it has arrived, an amount the harness draws for that
    message (floating-point, complex and integer tensors; every element changes; see ``Message.perturbation``) and
    records the sends' payloads: ``Message.delivered`` is what each receive handed the rank. An algorithm run on the
    altered data can then be replayed by the test -- every later message and result must be what the algorithm
    computes from what was *delivered*. That is the check that data travelled through the counted messages: a rank
    that gets the other ranks' data some other way (shared memory, files) and only makes its results *depend* on
    what it receives (``+ 0 * received`` passes the NaN poison) cannot know the amounts, and its results show it."""
    for name, value in (("poison", poison), ("payloads", payloads), ("collectives", collectives),
                        ("perturb", perturb)):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    if poison and perturb:
        raise ValueError("poison and perturb alter the same receives: choose one")
    calls = _calls(args, kwargs, cases)
    mode = "counted+collectives" if collectives else "counted"
    alter = "poison" if poison else "perturb" if perturb else ""
    results, records, seconds = _launch(fn, world_size, calls, mode, alter, timeout, op_timeout, payloads or perturb)
    traces = []
    for i in range(len(calls)):
        events = _matched(_events([r for r in records if r["case"] == i]), poison)
        sends = [e for e in events if isinstance(e, Message) and e.kind == "send"]
        recvs = [e for e in events if isinstance(e, Message) and e.kind == "recv"]
        called = [e for e in events if isinstance(e, Collective)]
        traces.append(Trace(world_size, [results[rank][i] for rank in range(world_size)], sends, recvs, seconds,
                            called, events))
    return traces[0] if cases is None else traces


# ---------------------------------------------------------------------------------------------------- measurements
def _ping_pong_rank(sizes, repeats, warmup):
    import torch
    import torch.distributed as dist
    rank = dist.get_rank()
    buffers = [torch.zeros(max(1, nbytes // 4), dtype=torch.float32) for nbytes in sizes]
    best = [math.inf] * len(sizes)
    for round_ in range(warmup + repeats):     # rounds over all sizes: a busy spell slows every size a little
        for i, buf in enumerate(buffers):
            t0 = time.perf_counter()
            if rank == 0:
                dist.send(buf, 1)
                dist.recv(buf, 1)
            elif rank == 1:
                dist.recv(buf, 0)
                dist.send(buf, 0)
            if round_ >= warmup:
                best[i] = min(best[i], (time.perf_counter() - t0) / 2)
    return best


def ping_pong(sizes: Sequence[int], repeats: int = 10, warmup: int = 2, timeout: float = 120.0) -> np.ndarray:
    """One-way time (seconds) of a message of each size in ``sizes`` (bytes, rounded down to whole float32 values)
    between two ranks on this machine: half the round-trip time measured by rank 0, the best of ``repeats`` rounds
    (rounds go over all sizes, so that a busy spell of the machine does not land on one size). The data the
    alpha-beta model is fitted to."""
    sizes = [int(s) for s in sizes]
    if not sizes or any(s < 0 for s in sizes):
        raise ValueError(f"sizes must be a non-empty list of byte counts >= 0, got {sizes!r}")
    if not isinstance(repeats, int) or repeats < 1 or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"repeats must be an int >= 1 and warmup an int >= 0, got {repeats!r}, {warmup!r}")
    return np.array(run(_ping_pong_rank, 2, sizes, repeats, warmup, timeout=timeout)[0])


# ---------------------------------------------------------------------------------------------------- pictures
def plot_traffic(ax, trace_: Trace, title: str | None = None, unit: str = "bytes"):
    """Draw ``trace_.matrix()`` (bytes from each sender row to each receiver column) as an annotated grid."""
    if not isinstance(trace_, Trace):
        raise ValueError(f"expected a Trace from aisys.dist.trace, got {type(trace_).__name__}")
    m = trace_.matrix()
    p = trace_.world_size
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(1, m.max()))
    for s in range(p):
        for d in range(p):
            if m[s, d]:
                ax.text(d, s, f"{m[s, d]:,}", ha="center", va="center", fontsize=8,
                        color="white" if m[s, d] > 0.6 * m.max() else "black")
    ax.set_xticks(range(p))
    ax.set_yticks(range(p))
    ax.set_xlabel("receiver rank")
    ax.set_ylabel("sender rank")
    ax.grid(False)
    ax.set_title(title or f"{unit} sent, sender → receiver")
    return m
