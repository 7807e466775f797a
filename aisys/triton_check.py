"""Run a Triton kernel on Triton's interpreter with every memory access checked and counted.

Triton's interpreter (``TRITON_INTERPRET=1``) runs a kernel's Python body on the CPU with NumPy, one program
after another. It does **not** bounds-check: an unmasked ``tl.load`` past the end of a tensor silently reads
whatever lies in memory there, and a ``tl.store`` corrupts it (or crashes the process). :func:`launch` runs a
kernel on the interpreter and looks at every ``tl.load``, ``tl.store`` and atomic *before* it reaches memory:
each active lane (mask on) must address an element of one of the kernel's tensor arguments, or the launch
stops with an :class:`OutOfBoundsError` that says which program, which access, which tensor and how far out.
The same hook counts what the kernel moves, so a lab can grade a kernel's memory traffic::

    from aisys import gpu
    gpu.select()                      # before importing triton (its standard library is jit'ed at import)
    import torch, triton, triton.language as tl
    from aisys import triton_check

    @triton.jit
    def copy(X, Y, n, BLOCK: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        tl.store(Y + offs, tl.load(X + offs, mask=offs < n), mask=offs < n)

    x, y = torch.arange(10.0), torch.zeros(10)
    trace = triton_check.launch(copy, (2,), x, y, 10, BLOCK=8)
    trace.bytes_read["X"], trace.bytes_written["Y"]          # 40, 40 (masked-off lanes move nothing)

Tensors are named by the kernel's parameter names. An access counts ``element size`` bytes per active lane, the
traffic a GPU would move from its global memory (HBM) if nothing were cached. :class:`Trace` also keeps the
number of ``tl.dot`` calls and their FLOPs, and (with ``record=True``) which elements each program touched, for
pictures.

``launch`` works whatever the kernel was defined as: an interpreted function (``TRITON_INTERPRET=1`` set before
``@triton.jit`` ran) or a compiled ``JITFunction`` (on a machine with a GPU), which it runs on the interpreter
instead, on CPU copies of the tensors, so the same check and the same counts are available everywhere.
"""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field

import numpy as np

__all__ = ["OutOfBoundsError", "Access", "Trace", "launch", "is_kernel"]


class OutOfBoundsError(IndexError):
    """A kernel addressed memory outside every tensor argument (an unmasked or wrongly masked access)."""


@dataclass(frozen=True)
class Access:
    """One ``tl.load``/``tl.store``/atomic of one program on one tensor: how many elements (active lanes) it
    touched and how many bytes that moves; ``indices`` are the flat (C-order) indices of the elements touched,
    kept only when :func:`launch` ran with ``record=True``."""
    program: tuple
    op: str
    tensor: str
    elements: int
    bytes: int
    indices: np.ndarray | None = None


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple
    dtype: str
    itemsize: int
    numel: int


@dataclass
class Trace:
    """What a checked launch did. ``bytes_read``/``bytes_written`` map each tensor argument to the bytes its
    active lanes moved; :meth:`reads`/:meth:`writes` give per-element counts shaped like the tensor."""
    kernel: str
    grid: tuple
    tensors: dict
    bytes_read: dict
    bytes_written: dict
    accesses: list = field(default_factory=list)
    dots: int = 0
    dot_flops: int = 0
    _reads: dict = field(default_factory=dict, repr=False)
    _writes: dict = field(default_factory=dict, repr=False)

    @property
    def programs(self) -> int:
        """Number of programs the grid launched."""
        return int(np.prod(self.grid))

    def _counts(self, table: dict, name: str) -> np.ndarray:
        if name not in self.tensors:
            raise ValueError(f"{name!r} is not a tensor argument of {self.kernel}; tensors: {sorted(self.tensors)}")
        info = self.tensors[name]
        counts = table.get(name)
        if counts is None:
            counts = np.zeros(info.numel, dtype=np.int64)
        return counts.reshape(info.shape)

    def reads(self, name: str) -> np.ndarray:
        """How many times each element of tensor ``name`` was loaded, shaped like the tensor."""
        return self._counts(self._reads, name)

    def writes(self, name: str) -> np.ndarray:
        """How many times each element of tensor ``name`` was stored, shaped like the tensor."""
        return self._counts(self._writes, name)

    @property
    def total_bytes(self) -> int:
        """Bytes read plus bytes written, over all tensors."""
        return sum(self.bytes_read.values()) + sum(self.bytes_written.values())

    def program_bytes(self, name: str, op: str = "load") -> dict:
        """{program: bytes} that each program moved to or from tensor ``name`` (``op`` "load" or "store")."""
        if op not in ("load", "store"):
            raise ValueError(f"op must be 'load' or 'store', got {op!r}")
        if name not in self.tensors:
            raise ValueError(f"{name!r} is not a tensor argument of {self.kernel}; tensors: {sorted(self.tensors)}")
        out: dict = {}
        for a in self.accesses:
            if a.tensor == name and (a.op == op or a.op == "atomic"):
                out[a.program] = out.get(a.program, 0) + a.bytes
        return out

    def summary(self) -> str:
        """A few lines for a notebook to print."""
        lines = [f"{self.kernel}: grid {self.grid} ({self.programs} programs), {self.dots} tl.dot call(s), "
                 f"{self.dot_flops:,} dot FLOPs"]
        for name, info in self.tensors.items():
            lines.append(f"  {name:>8} {str(info.shape):>16} {info.dtype:>8}: read {self.bytes_read[name]:>12,} B, "
                         f"written {self.bytes_written[name]:>12,} B")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------- the memory map
class _Region:
    """One tensor argument as the interpreter sees it: a base address and the element offsets of the view."""

    def __init__(self, name: str, tensor):
        self.name = name
        self.base = int(tensor.data_ptr())
        self.itemsize = int(tensor.element_size())
        self.shape = tuple(tensor.shape)
        self.numel = int(tensor.numel())
        self.dtype = str(tensor.dtype).replace("torch.", "")
        strides = tuple(int(s) for s in tensor.stride())
        if any(s < 0 for s in strides):
            raise ValueError(f"tensor {name} has a negative stride; pass a contiguous tensor")
        # Element offsets (from base) of the view's elements, in flat C order.
        if tensor.is_contiguous() or self.numel == 0:
            self.sorted_offsets = None      # offsets are 0..numel-1, flat index == offset
            self.span = self.numel
        else:
            offsets = np.zeros(self.shape, dtype=np.int64)
            for dim, (size, stride) in enumerate(zip(self.shape, strides)):
                view = [1] * len(self.shape)
                view[dim] = size
                offsets = offsets + (np.arange(size, dtype=np.int64) * stride).reshape(view)
            flat = offsets.reshape(-1)
            order = np.argsort(flat, kind="stable")
            self.sorted_offsets = flat[order]
            self.flat_of_sorted = order
            self.span = int(flat.max()) + 1 if flat.size else 0

    def info(self) -> TensorInfo:
        return TensorInfo(self.name, self.shape, self.dtype, self.itemsize, self.numel)

    def locate(self, addresses: np.ndarray, nbytes: int):
        """(inside mask, flat element index of each inside address) for int64 byte addresses."""
        rel = addresses - self.base
        elem = np.floor_divide(rel, self.itemsize)
        inside = (rel >= 0) & (rel + nbytes <= self.span * self.itemsize)
        if self.sorted_offsets is None:
            return inside, elem
        pos = np.searchsorted(self.sorted_offsets, elem)
        pos_c = np.minimum(pos, len(self.sorted_offsets) - 1)
        member = inside & (self.sorted_offsets[pos_c] == elem)
        return member, np.where(member, self.flat_of_sorted[pos_c], -1)

    def describe(self, address: int) -> str:
        rel = address - self.base
        elem = rel // self.itemsize
        where = f"{self.name} {list(self.shape)} ({self.dtype}, {self.numel} elements)"
        if rel < 0:
            return f"{-elem} element(s) before the start of {where}"
        if elem >= self.span:
            return f"{elem - self.span + 1} element(s) past the end of {where}"
        if rel % self.itemsize:
            return f"byte {rel} of {where}, not at the start of an element (misaligned pointer arithmetic?)"
        return f"element offset {elem} of {where}, which lies between the elements of this strided view"


class _Checker:
    """The state of one checked launch; its methods replace the interpreter builder's memory operations."""

    def __init__(self, kernel_name: str, record: bool):
        self.kernel_name = kernel_name
        self.record = record
        self.regions: list[_Region] = []
        self.reads: dict = {}
        self.writes: dict = {}
        self.bytes_read: dict = {}
        self.bytes_written: dict = {}
        self.accesses: list[Access] = []
        self.dots = 0
        self.dot_flops = 0
        self.builder = None

    def add(self, name: str, tensor) -> None:
        self.regions.append(_Region(name, tensor))
        self.bytes_read[name] = 0
        self.bytes_written[name] = 0

    def program(self) -> tuple:
        idx = getattr(self.builder, "grid_idx", None)
        return tuple(int(i) for i in idx) if idx is not None else (0, 0, 0)

    def check(self, op: str, ptrs, mask) -> None:
        addresses = np.asarray(ptrs.data)
        shape = addresses.shape
        flat = addresses.reshape(-1).astype(np.int64)
        if mask is None:
            active = np.ones(flat.shape, dtype=bool)
        else:
            active = np.broadcast_to(np.asarray(mask.data).astype(bool), shape).reshape(-1)
        element_ty = ptrs.get_element_ty()
        nbytes = max(1, int(getattr(element_ty, "primitive_bitwidth", 8)) // 8)
        lanes = np.flatnonzero(active)
        if lanes.size == 0:
            return
        addr = flat[lanes]
        unclaimed = np.ones(addr.shape, dtype=bool)
        hits = []
        for region in self.regions:
            inside, elem = region.locate(addr, nbytes)
            inside &= unclaimed
            if inside.any():
                unclaimed &= ~inside
                hits.append((region, elem[inside], int(np.argmax(inside))))
        if unclaimed.any():
            self.fail(op, shape, lanes[unclaimed], addr[unclaimed], nbytes)
        if len(hits) > 1:
            hits.sort(key=lambda hit: hit[2])
            names = ", then ".join(region.name for region, _, _ in hits)
            raise OutOfBoundsError(
                f"{self.kernel_name}, program {self.program()}: one tl.{'load' if op == 'load' else 'store'} touches "
                f"elements of {len(hits)} tensor arguments (in lane order: {names}): its block of pointers starts in "
                f"{hits[0][0].name} and runs off its end into {hits[1][0].name}. Mask the lanes that fall outside "
                f"{hits[0][0].name}.")
        program = self.program()
        for region, elems, _ in hits:
            counts = np.bincount(elems, minlength=region.numel)
            moved = int(elems.size) * nbytes
            if op in ("load", "atomic"):
                self.reads[region.name] = self.reads.get(region.name, 0) + counts
                self.bytes_read[region.name] += moved
            if op in ("store", "atomic"):
                self.writes[region.name] = self.writes.get(region.name, 0) + counts
                self.bytes_written[region.name] += moved
            self.accesses.append(Access(program, op, region.name, int(elems.size), moved,
                                        np.array(elems) if self.record else None))

    def fail(self, op: str, shape: tuple, lanes: np.ndarray, addr: np.ndarray, nbytes: int) -> None:
        what = {"load": "tl.load reads", "store": "tl.store writes", "atomic": "an atomic touches"}[op]
        first = int(addr[0])
        if self.regions:
            nearest = min(self.regions, key=lambda r: min(abs(first - r.base), abs(first - (r.base + r.span * r.itemsize))))
            where = nearest.describe(first)
        else:
            where = "the kernel has no tensor arguments"
        position = tuple(int(i) for i in np.unravel_index(int(lanes[0]), shape)) if shape else ()
        raise OutOfBoundsError(
            f"{self.kernel_name}, program {self.program()}: {what} {lanes.size} element(s) outside every tensor "
            f"argument; the first, at position {position} of the {list(shape)} block of pointers, is "
            f"{where}. Mask the lanes that fall outside the tensor (mask=... in tl.{'load' if op == 'load' else 'store'}); "
            f"on a GPU this access would read garbage or crash, and Triton's interpreter would not notice.")

    def dot(self, a, b) -> None:
        self.dots += 1
        sa, sb = np.shape(a.data), np.shape(b.data)
        if len(sa) >= 2 and len(sb) >= 2:
            batch = int(np.prod(sa[:-2])) if len(sa) > 2 else 1
            self.dot_flops += 2 * batch * sa[-2] * sa[-1] * sb[-1]

    def trace(self, grid: tuple) -> Trace:
        return Trace(kernel=self.kernel_name, grid=grid, tensors={r.name: r.info() for r in self.regions},
                     bytes_read=dict(self.bytes_read), bytes_written=dict(self.bytes_written),
                     accesses=list(self.accesses), dots=self.dots, dot_flops=self.dot_flops,
                     _reads=dict(self.reads), _writes=dict(self.writes))


_active: list = []
_interpreted_cache: dict = {}


def _interpreted(jit_function):
    from triton.runtime.interpreter import InterpretedFunction
    fn = jit_function.fn
    if fn not in _interpreted_cache:
        _interpreted_cache[fn] = InterpretedFunction(fn)
    return _interpreted_cache[fn]


@contextlib.contextmanager
def _patched(checker: _Checker):
    """Route the interpreter's memory operations (and tl.dot) through ``checker`` for the duration."""
    from triton.runtime import interpreter as ti
    from triton.runtime.jit import JITFunction

    builder_cls = ti.InterpreterBuilder
    checker.builder = ti.interpreter_builder
    originals = {name: builder_cls.__dict__[name] for name in
                 ("create_masked_load", "create_masked_store", "create_atomic_rmw", "create_atomic_cas", "create_dot")}
    jit_call = JITFunction.__dict__["__call__"]

    def create_masked_load(self, ptrs, mask, other, cache_policy, is_volatile):
        checker.check("load", ptrs, mask)
        return originals["create_masked_load"](self, ptrs, mask, other, cache_policy, is_volatile)

    def create_masked_store(self, ptrs, value, mask, cache_policy):
        checker.check("store", ptrs, mask)
        return originals["create_masked_store"](self, ptrs, value, mask, cache_policy)

    def create_atomic_rmw(self, rmwOp, ptr, val, mask, sem, scope):
        checker.check("atomic", ptr, mask)
        return originals["create_atomic_rmw"](self, rmwOp, ptr, val, mask, sem, scope)

    def create_atomic_cas(self, ptr, cmp, val, sem, scope):
        checker.check("atomic", ptr, None)
        return originals["create_atomic_cas"](self, ptr, cmp, val, sem, scope)

    def create_dot(self, a, b, d, input_precision, max_num_imprecise_acc):
        checker.dot(a, b)
        return originals["create_dot"](self, a, b, d, input_precision, max_num_imprecise_acc)

    def device_call(self, *args, **kwargs):
        # A @triton.jit helper (Triton's own tl.max, tl.sum, ... included) defined while the interpreter was off
        # is a compiled JITFunction; inside an interpreted kernel it must be interpreted too.
        return _interpreted(self)(*args, **kwargs)

    replacements = {"create_masked_load": create_masked_load, "create_masked_store": create_masked_store,
                    "create_atomic_rmw": create_atomic_rmw, "create_atomic_cas": create_atomic_cas,
                    "create_dot": create_dot}
    try:
        for name, value in replacements.items():
            setattr(builder_cls, name, value)
        JITFunction.__call__ = device_call
        yield
    finally:
        for name, value in originals.items():
            setattr(builder_cls, name, value)
        JITFunction.__call__ = jit_call


def is_kernel(obj) -> bool:
    """True for a ``@triton.jit`` kernel, compiled (``JITFunction``) or interpreted (``InterpretedFunction``)."""
    try:
        from triton.runtime.interpreter import InterpretedFunction
        from triton.runtime.jit import JITFunction
    except ImportError:  # pragma: no cover - triton is in requirements.txt
        return False
    return isinstance(obj, (JITFunction, InterpretedFunction))


def _grid(grid, kernel_name: str):
    if isinstance(grid, (int, np.integer)):
        grid = (int(grid),)
    if not isinstance(grid, (tuple, list)) or not 1 <= len(grid) <= 3:
        raise ValueError(f"grid for {kernel_name} must be an int or a tuple of 1-3 ints (programs along each axis), "
                         f"got {grid!r}")
    out = []
    for g in grid:
        if isinstance(g, bool) or not isinstance(g, (int, np.integer)) or g < 0:
            raise ValueError(f"grid for {kernel_name} must hold non-negative ints, got {grid!r}")
        out.append(int(g))
    return tuple(out) + (1,) * (3 - len(out))


def _replicas(bound: dict, kernel_name: str):
    """CPU copies of the tensor arguments, each storage placed between two red zones (filled with NaN or all-ones
    bits) so that an access that runs off a tensor lands in no tensor instead of in the next one. Views of one
    storage stay views of one copy. Returns ({name: replica}, [(original span, copy span)] to copy back)."""
    import torch

    groups: dict = {}
    for name, value in bound.items():
        if isinstance(value, torch.Tensor):
            key = (value.device, value.untyped_storage().data_ptr())
            groups.setdefault(key, []).append((name, value))
    replicas, copy_back = {}, []
    for members in groups.values():
        dtypes = {t.dtype for _, t in members}
        if len(dtypes) > 1:
            raise ValueError(f"{kernel_name}: arguments {[n for n, _ in members]} share memory but have different "
                             f"dtypes {sorted(map(str, dtypes))}; pass separate tensors")
        lo = min(t.storage_offset() for _, t in members)
        hi = max(t.storage_offset() + sum((s - 1) * st for s, st in zip(t.shape, t.stride())) + 1
                 if t.numel() else t.storage_offset() for _, t in members)
        span = max(hi - lo, 0)
        ref = members[0][1]
        pad = max(16384 // ref.element_size(), span)
        buffer = torch.empty(pad + span + pad, dtype=ref.dtype, device="cpu")
        if ref.dtype.is_floating_point or ref.dtype.is_complex:
            buffer.fill_(float("nan"))
        elif ref.dtype == torch.bool:
            buffer.fill_(True)
        else:
            buffer.fill_(torch.iinfo(ref.dtype).max)
        original = ref.as_strided((span,), (1,), lo)
        buffer[pad:pad + span] = original.detach().cpu()
        for name, t in members:
            replicas[name] = buffer.as_strided(t.shape, t.stride(), pad + t.storage_offset() - lo)
        copy_back.append((original, buffer[pad:pad + span]))
    return replicas, copy_back


def launch(kernel, grid, *args, record: bool = False, **kwargs) -> Trace:
    """Run ``kernel[grid](*args, **kwargs)`` on Triton's interpreter, checking and counting every memory access.

    ``kernel`` is a ``@triton.jit`` function; ``grid`` an int or a tuple of 1-3 ints (a callable of the
    meta-parameters, as Triton allows, is evaluated with the keyword arguments). Tensor arguments must be torch
    tensors (on any device: the kernel runs on CPU copies, each between two red zones, and what it stores is
    copied back). Returns a :class:`Trace`. Raises :class:`OutOfBoundsError` (an ``IndexError``) before an access
    outside every tensor argument happens (or one that runs from one tensor into another), ``ValueError`` for a
    kernel, grid or argument list that cannot be launched. With ``record=True`` the trace keeps the element
    indices of every access (for pictures).
    """
    if not is_kernel(kernel):
        raise ValueError(f"launch expects a @triton.jit kernel, got {type(kernel).__name__}")
    fn = kernel.fn
    name = getattr(fn, "__name__", "kernel")
    if callable(grid) and not isinstance(grid, (tuple, list)):
        grid = grid(dict(kwargs))
    grid3 = _grid(grid, name)
    signature = inspect.signature(fn)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as err:
        raise ValueError(f"cannot call {name}{signature}: {err}") from None
    for arg_name, value in bound.arguments.items():
        if isinstance(value, np.ndarray):
            raise ValueError(f"argument {arg_name} of {name} is a NumPy array: Triton kernels take torch tensors "
                             f"(torch.from_numpy(...))")
    if _active:
        raise RuntimeError("launch() is already running a kernel; checked launches cannot be nested")

    from triton.runtime.errors import InterpreterError
    replicas, copy_back = _replicas(bound.arguments, name)
    arguments = dict(bound.arguments, **replicas)
    checker = _Checker(name, record)
    for arg_name, replica in replicas.items():
        checker.add(arg_name, replica)
    from triton.runtime.interpreter import InterpretedFunction
    interpreted = kernel if isinstance(kernel, InterpretedFunction) else _interpreted(kernel)
    _active.append(checker)
    try:
        with _patched(checker):
            interpreted.run(grid=grid3, warmup=False, **arguments)
    except InterpreterError as err:
        cause = err
        while cause is not None and not isinstance(cause, OutOfBoundsError):
            cause = cause.__cause__
        if cause is not None:
            raise OutOfBoundsError(str(cause)) from None
        raise
    finally:
        _active.pop()
    for original, copy in copy_back:
        original.copy_(copy.to(original.device))
    return checker.trace(grid3)
