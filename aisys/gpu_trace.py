"""Trace the global-memory accesses of a numba.cuda kernel, one simulated thread at a time.

GPU-Puzzles only prints how many times a kernel read global memory; here we *count and
record* every access so a lab can grade a memory budget and a notebook can draw which
thread touched which address::

    from aisys import gpu, gpu_trace
    gpu.select()
    from numba import cuda

    @cuda.jit
    def copy(x, y):
        i = cuda.grid(1)
        if i < x.shape[0]:
            y[i] = x[i]

    x = gpu_trace.TracedArray(np.arange(10.0), name="x")
    y = gpu_trace.TracedArray(np.zeros(10), name="y")
    gpu_trace.launch(copy, 2, 8, x, y)
    x.reads, y.writes                      # 10, 10

:func:`launch` runs the kernel's Python source on the CPU with numba's CUDA-simulator
machinery, but deterministically: blocks one after another, each with *fresh* shared memory
(filled with NaN, or a garbage integer, when ``poison=True`` -- real shared memory starts
uninitialised), and the threads of a block one at a time in a chosen ``order``, each running
until it reaches ``cuda.syncthreads()`` or returns. A kernel that forgets a barrier therefore
reads poisoned or stale values in at least one of the orders ``"forward"`` and ``"reverse"``,
every time, instead of "sometimes". It works whether numba runs the simulator or a real GPU
(it executes ``kernel.py_func``), as long as the kernel uses the module-global ``cuda`` and
calls no ``@cuda.jit(device=True)`` functions (those only run under the simulator).
"""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

ORDERS = ("forward", "reverse")


@dataclass(frozen=True)
class Access:
    """One element of global memory touched by one thread.

    ``block`` and ``thread`` are (x, y, z) indices, ``tid`` the thread's linear index in its
    block (so ``tid // 32`` is its warp), ``step`` how many accesses that thread made to any
    traced array before this one, ``op`` is ``"r"`` or ``"w"``, ``index`` the element's flat
    (C-order) index in the array called ``array``.
    """
    array: str
    op: str
    index: int
    block: tuple
    thread: tuple
    tid: int
    step: int


class TracedArray:
    """A numpy array that records every element a kernel launched with :func:`launch` reads or writes.

    Indexing (``a[i]``, ``a[i, j]``, slices) behaves like the wrapped array; each element touched
    counts once per access. ``shape``, ``size``, ``ndim``, ``dtype`` and ``len()`` are forwarded.
    The data live in :attr:`array` (changed in place by writes).
    """

    def __init__(self, array, name: str = "array"):
        if isinstance(array, TracedArray):
            array = array.array
        if not isinstance(array, np.ndarray) or array.ndim == 0:
            raise ValueError(f"TracedArray wraps a numpy array with at least one dimension, got {type(array).__name__}")
        self.array = array
        self.name = str(name)
        self._flat = np.arange(array.size).reshape(array.shape)
        self._lock = threading.Lock()
        self.accesses: list[Access] = []

    # numpy-like attributes a kernel may ask for
    shape = property(lambda self: self.array.shape)
    size = property(lambda self: self.array.size)
    ndim = property(lambda self: self.array.ndim)
    dtype = property(lambda self: self.array.dtype)

    def __len__(self) -> int:
        return len(self.array)

    def __repr__(self) -> str:
        return f"TracedArray({self.name!r}, shape={self.shape}, reads={self.reads}, writes={self.writes})"

    def _record(self, op: str, idx) -> None:
        try:
            flat = np.atleast_1d(self._flat[idx]).ravel()
        except IndexError as err:
            raise IndexError(f"out-of-bounds {'read' if op == 'r' else 'write'} of {self.name}{list(np.shape(self.array))} "
                             f"at index {idx!r}") from err
        t = threading.current_thread()
        block = tuple(getattr(t, "blockIdx", (0, 0, 0)))
        thread = tuple(getattr(t, "threadIdx", (0, 0, 0)))
        tid = getattr(t, "thread_id", 0)
        with self._lock:
            step = getattr(t, "step", 0)
            for f in flat:
                self.accesses.append(Access(self.name, op, int(f), block, thread, tid, step))
            if hasattr(t, "step"):
                t.step = step + 1

    def __getitem__(self, idx):
        if isinstance(idx, (int, np.integer)) or (isinstance(idx, tuple) and all(isinstance(i, (int, np.integer)) for i in idx)):
            self._check_negative(idx)
        self._record("r", idx)
        return self.array[idx]

    def __setitem__(self, idx, value):
        if isinstance(idx, (int, np.integer)) or (isinstance(idx, tuple) and all(isinstance(i, (int, np.integer)) for i in idx)):
            self._check_negative(idx)
        self._record("w", idx)
        self.array[idx] = value

    def _check_negative(self, idx) -> None:
        # On a GPU a[-1] is an out-of-bounds access, not "the last element": refuse it.
        for i in (idx if isinstance(idx, tuple) else (idx,)):
            if i < 0:
                raise IndexError(f"negative index {idx!r} into {self.name}: on a GPU this reads outside the array")

    @property
    def reads(self) -> int:
        """Number of element reads recorded so far."""
        return sum(1 for a in self.accesses if a.op == "r")

    @property
    def writes(self) -> int:
        """Number of element writes recorded so far."""
        return sum(1 for a in self.accesses if a.op == "w")

    def counts(self, op: str = "r") -> np.ndarray:
        """How many times each element was read (``op="r"``) or written (``"w"``), shaped like the array."""
        if op not in ("r", "w"):
            raise ValueError(f"op must be 'r' or 'w', got {op!r}")
        flat = np.zeros(self.size, dtype=np.int64)
        for a in self.accesses:
            if a.op == op:
                flat[a.index] += 1
        return flat.reshape(self.shape)

    def reset(self) -> None:
        """Forget the recorded accesses (the data stay)."""
        self.accesses = []


def warp_transactions(accesses: Iterable[Access], itemsize: int, segment_bytes: int = 128,
                      warp_size: int = 32) -> dict:
    """Group accesses by (block, warp, step, op) -- one memory instruction of one warp -- and count the
    distinct ``segment_bytes``-byte segments each touches: 1 per instruction is perfectly coalesced
    (for 4-byte elements and 128-byte segments), 32 is fully scattered. Returns {(block, warp, step, op): segments}.
    """
    if itemsize <= 0 or segment_bytes <= 0 or warp_size <= 0:
        raise ValueError(f"itemsize, segment_bytes and warp_size must be positive, got {itemsize}, {segment_bytes}, {warp_size}")
    groups: dict = {}
    for a in accesses:
        key = (a.block, a.tid // warp_size, a.step, a.op)
        groups.setdefault(key, set()).add(a.index * itemsize // segment_bytes)
    return {k: len(v) for k, v in groups.items()}


# ----------------------------------------------------------------------------- deterministic launch
class _Abort(Exception):
    """Unwinds a simulated thread when another thread of its block failed."""


class _SimThread(threading.Thread):
    """One CUDA thread: runs only while it holds the baton the block scheduler hands it."""

    def __init__(self, fn, args, block, thread, block_dim):
        super().__init__(daemon=True)
        self._fn, self._args = fn, args
        from numba.cuda.simulator.kernelapi import Dim3
        self.blockIdx = Dim3(*block)
        self.threadIdx = Dim3(*thread)
        self.thread_id = thread[0] + block_dim[0] * (thread[1] + block_dim[1] * thread[2])
        self.step = 0
        self.go = threading.Event()
        self.back = threading.Event()
        self.finished = False
        self.abort = False
        self.exception = None

    def run(self):
        self.go.wait()
        self.go.clear()
        try:
            if not self.abort:
                self._fn(*self._args)
        except _Abort:
            pass
        except BaseException as err:  # handed to the launching thread
            self.exception = err
        finally:
            self.finished = True
            self.back.set()

    def syncthreads(self):
        self.back.set()        # give the baton back to the scheduler ...
        self.go.wait()         # ... and wait until every thread of the block has arrived
        self.go.clear()
        if self.abort:
            raise _Abort()

    def _unsupported(self, *_):
        raise NotImplementedError("gpu_trace.launch supports cuda.syncthreads() but not syncthreads_count/and/or")

    syncthreads_count = syncthreads_and = syncthreads_or = _unsupported


def _poisoned_shared(dynshared_size: int, poison: bool):
    from numba.core import types
    from numba.np import numpy_support

    class Shared:
        """Per-block shared memory, keyed (like numba's simulator) by the line that allocates it."""

        def __init__(self):
            self._allocations = {}
            self._dynshared = np.zeros(dynshared_size, dtype=np.byte)

        def array(self, shape, dtype):
            if isinstance(dtype, types.Type):
                dtype = numpy_support.as_dtype(dtype)
            dtype = np.dtype(dtype)
            if shape == 0:
                return np.frombuffer(self._dynshared.data, dtype=dtype, count=dynshared_size // dtype.itemsize)
            frame = sys._getframe(1)
            key = (frame.f_code.co_filename, frame.f_lineno)
            res = self._allocations.get(key)
            if res is None:
                res = np.empty(shape, dtype)
                if poison:
                    if np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.complexfloating):
                        res.fill(np.nan)
                    elif np.issubdtype(dtype, np.integer):
                        res.fill(np.iinfo(dtype).max // 3)
                self._allocations[key] = res
            return res

    return Shared()


def _dims(value, what: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        value = (int(value),)
    value = tuple(int(v) for v in value)
    if not 1 <= len(value) <= 3 or any(v < 1 for v in value):
        raise ValueError(f"{what} must be a positive int or a tuple of 1-3 positive ints, got {value!r}")
    return value + (1,) * (3 - len(value))


def launch(kernel, griddim, blockdim, *args, order: str = "forward", poison: bool = True,
           dynshared_size: int = 0) -> None:
    """Run ``kernel[griddim, blockdim](*args)`` deterministically on the CPU (see the module docstring).

    ``order`` is ``"forward"`` (thread 0 first) or ``"reverse"`` (last thread first): the order in
    which the threads of a block take turns between barriers. Arguments are passed unchanged, so
    numpy arrays are modified in place and :class:`TracedArray` arguments record their accesses.
    Exceptions raised by a simulated thread are re-raised, naming the thread.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    grid, block = _dims(griddim, "griddim"), _dims(blockdim, "blockdim")
    if int(np.prod(block)) > 1024:
        raise ValueError(f"a block has at most 1024 threads, got {block}")
    fn = getattr(kernel, "py_func", kernel)
    if not callable(fn) or not hasattr(fn, "__globals__"):
        raise ValueError("kernel must be a @cuda.jit kernel or a Python function")
    from numba.cuda.simulator.kernel import _push_kernel_context
    from numba.cuda.simulator.kernelapi import FakeCUDAModule, swapped_cuda_module

    for block_idx in np.ndindex(*grid[::-1]):
        block_idx = block_idx[::-1]           # x fastest, like CUDA's block numbering
        module = FakeCUDAModule(grid, block, dynshared_size)
        module._shared = _poisoned_shared(dynshared_size, poison)
        threads = [_SimThread(fn, args, block_idx, t[::-1], block) for t in np.ndindex(*block[::-1])]
        turn = threads if order == "forward" else threads[::-1]
        with _push_kernel_context(module), swapped_cuda_module(fn, module):
            for t in threads:
                t.start()
            try:
                while True:
                    live = [t for t in turn if not t.finished]
                    if not live:
                        break
                    for t in live:            # one phase: every live thread runs up to its next barrier
                        t.back.clear()
                        t.go.set()
                        t.back.wait()
                        if t.exception is not None:
                            err = t.exception
                            where = f"thread {tuple(t.threadIdx)} of block {tuple(t.blockIdx)}: {err}"
                            try:
                                wrapped = type(err)(where)
                            except Exception:
                                raise err
                            raise wrapped from err
            finally:
                for t in threads:              # unwind anything still parked (after an error)
                    if not t.finished:
                        t.abort = True
                        t.go.set()
                for t in threads:
                    t.join()
