"""aisys.gpu_trace: traced arrays count every global access; launch() is deterministic, exposes a
missing cuda.syncthreads() in one of its two thread orders, gives kernels index-only views, records
shared-memory accesses (SharedTrace) and their bank-conflict degrees, and refuses Python state in strict mode."""
import math
import re

import numpy as np
import pytest

from aisys import gpu, gpu_trace

try:
    gpu.select()
except RuntimeError:  # numba.cuda imported earlier in this process: launch() still works on py_func
    pass
from numba import cuda  # noqa: E402

TPB = 8


@cuda.jit
def copy(x, y):
    i = cuda.grid(1)
    if i < x.shape[0]:
        y[i] = x[i]


@cuda.jit
def block_sum(x, out):
    s = cuda.shared.array(TPB, np.float64)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * cuda.blockDim.x + t
    s[t] = x[i] if i < x.shape[0] else 0.0
    cuda.syncthreads()
    h = TPB // 2
    while h > 0:
        if t < h:
            s[t] += s[t + h]
        cuda.syncthreads()
        h //= 2
    if t == 0:
        out[cuda.blockIdx.x] = s[0]


@cuda.jit
def block_sum_no_barrier(x, out):
    s = cuda.shared.array(TPB, np.float64)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * cuda.blockDim.x + t
    s[t] = x[i] if i < x.shape[0] else 0.0
    h = TPB // 2
    while h > 0:
        if t < h:
            s[t] += s[t + h]
        h //= 2
    if t == 0:
        out[cuda.blockIdx.x] = s[0]


@cuda.jit
def transpose_read(a, out):
    i, j = cuda.grid(2)
    if i < out.shape[0] and j < out.shape[1]:
        out[i, j] = a[j, i]


def test_counts_reads_and_writes():
    x = gpu_trace.TracedArray(np.arange(13.0), name="x")
    y = gpu_trace.TracedArray(np.zeros(13), name="y")
    gpu_trace.launch(copy, 2, 8, x, y)
    assert (x.reads, x.writes, y.reads, y.writes) == (13, 0, 0, 13)
    np.testing.assert_array_equal(y.array, np.arange(13.0))
    np.testing.assert_array_equal(x.counts("r"), np.ones(13))
    assert {a.block for a in y.accesses} == {(0, 0, 0), (1, 0, 0)}
    x.reset()
    assert x.reads == 0


def test_slices_count_every_element_and_2d_indices():
    a = gpu_trace.TracedArray(np.arange(12.0).reshape(3, 4), name="a")
    _ = a[1, :]
    _ = a[2, 3]
    assert a.reads == 5 and a.counts()[1].tolist() == [1, 1, 1, 1] and a.counts()[2, 3] == 1


def test_shared_memory_reduction_is_right_in_both_orders():
    x = np.random.default_rng(0).random(21)
    for order in gpu_trace.ORDERS:
        out = np.zeros(3)
        xt = gpu_trace.TracedArray(x, "x")
        gpu_trace.launch(block_sum, 3, TPB, xt, out, order=order)
        assert out.sum() == pytest.approx(x.sum())
        assert xt.reads == 21


def test_missing_barrier_is_caught_by_some_order():
    x = np.random.default_rng(1).random(16)
    wrong = []
    for order in gpu_trace.ORDERS:
        out = np.zeros(2)
        gpu_trace.launch(block_sum_no_barrier, 2, TPB, x, out, order=order)
        wrong.append(not np.isclose(out.sum(), x.sum()))
    assert any(wrong)


def test_out_of_bounds_and_negative_indices_raise_naming_the_thread():
    with pytest.raises(IndexError, match="thread"):
        gpu_trace.launch(copy, 2, 8, gpu_trace.TracedArray(np.arange(16.0)), gpu_trace.TracedArray(np.zeros(5)))
    a = gpu_trace.TracedArray(np.zeros(4))
    with pytest.raises(IndexError, match="negative"):
        a[-1]


def test_warp_transactions_separate_coalesced_from_strided():
    n = 32
    a = gpu_trace.TracedArray(np.arange(n * n, dtype=np.float32).reshape(n, n), "a")
    out = gpu_trace.TracedArray(np.zeros((n, n), np.float32), "out")
    gpu_trace.launch(transpose_read, (1, 32), (32, 1), a, out)   # a warp = 32 consecutive i, fixed j
    np.testing.assert_array_equal(out.array, a.array.T)
    assert set(gpu_trace.warp_transactions(a.accesses, itemsize=4).values()) == {1}     # a[j, i]: a row
    assert set(gpu_trace.warp_transactions(out.accesses, itemsize=4).values()) == {32}  # out[i, j]: a column
    b = gpu_trace.TracedArray(np.arange(n, dtype=np.float32), "b")
    gpu_trace.launch(copy, 1, 32, b, np.zeros(n, np.float32))
    assert set(gpu_trace.warp_transactions(b.accesses, itemsize=4).values()) == {1}


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError):
        gpu_trace.TracedArray(3.0)
    with pytest.raises(ValueError):
        gpu_trace.launch(copy, 1, 8, np.zeros(8), np.zeros(8), order="random")
    with pytest.raises(ValueError):
        gpu_trace.launch(copy, 0, 8, np.zeros(8), np.zeros(8))
    with pytest.raises(ValueError):
        gpu_trace.launch(copy, 1, (64, 32), np.zeros(8), np.zeros(8))
    with pytest.raises(ValueError):
        gpu_trace.warp_transactions([], itemsize=0)


# ----------------------------------------------------------------------------- index-only views of traced arrays
@cuda.jit
def peek(x, found):
    """Reports what the kernel can reach through the object it was given for a TracedArray."""
    if cuda.threadIdx.x == 0:
        found.append(type(x).__name__)
        for name in ("array", "accesses", "reset", "_flat", "name", "counts"):
            found.append((name, hasattr(x, name)))
        found.append(("shape", x.shape, x.size, x.ndim, x.dtype, len(x)))
        part = x[0:2]                          # a sub-array is a copy: no way back to the raw data
        found.append(("copy", type(part).__name__, part.base is None))
        part[0] = 99.0
    found.append(x[cuda.threadIdx.x])


def test_kernels_get_index_only_views_and_the_caller_keeps_the_counts():
    x = gpu_trace.TracedArray(np.arange(4.0), "x")
    found = []
    gpu_trace.launch(peek, 1, 4, x, found)
    assert found[0] != "TracedArray"
    assert all(not present for _, present in found[1:7]), found[1:7]
    assert found[7] == ("shape", (4,), 4, 1, np.dtype(np.float64), 4)
    assert found[8] == ("copy", "ndarray", True)
    assert found[9:] == [0.0, 1.0, 2.0, 3.0]
    np.testing.assert_array_equal(x.array, np.arange(4.0))     # writing into the copy changed nothing
    assert x.reads == 2 + 4 and x.counts().tolist() == [2, 2, 1, 1]


@cuda.jit
def try_reset(x, out):
    out[0] = x[0]
    x.reset()


def test_a_kernel_cannot_reset_the_count():
    x = gpu_trace.TracedArray(np.arange(3.0), "x")
    with pytest.raises(AttributeError, match="thread"):
        gpu_trace.launch(try_reset, 1, 1, x, np.zeros(1))
    assert x.reads == 1


# ----------------------------------------------------------------------------- shared-memory traces
def test_shared_trace_counts_each_threads_shared_reads_and_writes():
    x = np.arange(16.0)
    shared = gpu_trace.SharedTrace()
    out = np.zeros(2)
    gpu_trace.launch(block_sum, 2, TPB, x, out, shared=shared)
    assert out.tolist() == [x[:8].sum(), x[8:].sum()]
    reads, writes = shared.per_thread("r"), shared.per_thread("w")
    # thread 0: s[t] += s[t + h] at h = 4, 2, 1 reads 2 each, then out = s[0]; thread 1: levels 4 and 2
    for b in ((0, 0, 0), (1, 0, 0)):
        assert [reads[(b, t)] for t in range(TPB)] == [7, 4, 2, 2, 0, 0, 0, 0]
        assert [writes[(b, t)] for t in range(TPB)] == [4, 3, 2, 2, 1, 1, 1, 1]
    assert shared.reads == 2 * 15 and shared.writes == 2 * 15
    assert [(a.block, a.shape, a.dtype) for a in shared.allocations] == [((0, 0, 0), (TPB,), np.float64),
                                                                        ((1, 0, 0), (TPB,), np.float64)]
    first = shared.accesses[0]
    assert isinstance(first, gpu_trace.SharedAccess) and first.op == "w" and first.address == first.index * 8
    assert first.site.startswith("block_sum:") and first.phase == 0
    assert {a.phase for a in shared.accesses if a.tid == 0} == {0, 1, 2, 3, 4}    # one more per barrier passed


@cuda.jit
def shared_escape(found):
    s = cuda.shared.array(4, np.float32)
    s[cuda.threadIdx.x] = 1.0
    found.append(type(s).__name__)
    found.append(hasattr(s, "base") or hasattr(s, "fill"))
    found.append(s[0:2].base is None)


def test_kernels_get_index_only_views_of_traced_shared_memory():
    found = []
    gpu_trace.launch(shared_escape, 1, 1, found, shared=gpu_trace.SharedTrace())
    assert found[0] != "ndarray" and found[1:] == [False, True]


@cuda.jit
def shared_out_of_bounds(n):
    s = cuda.shared.array(4, np.float32)
    s[cuda.threadIdx.x + n] = 0.0


def test_shared_out_of_bounds_and_negative_indices_raise_naming_the_thread():
    with pytest.raises(IndexError, match="thread .* shared"):
        gpu_trace.launch(shared_out_of_bounds, 1, 8, 0, shared=gpu_trace.SharedTrace())
    with pytest.raises(IndexError, match="negative"):
        gpu_trace.launch(shared_out_of_bounds, 1, 2, -1, shared=gpu_trace.SharedTrace())


@cuda.jit
def dynamic_copy(x, out):
    s = cuda.shared.array(0, np.float32)
    t = cuda.threadIdx.x
    s[t] = x[t]
    cuda.syncthreads()
    out[t] = s[x.shape[0] - 1 - t]


def test_dynamic_shared_memory_is_traced_at_address_zero():
    shared = gpu_trace.SharedTrace()
    out = np.zeros(8, np.float32)
    gpu_trace.launch(dynamic_copy, 1, 8, np.arange(8, dtype=np.float32), out, dynshared_size=32, shared=shared)
    assert out.tolist() == list(range(7, -1, -1))
    assert shared.allocations[0].name == "dynamic" and shared.allocations[0].offset == 0
    assert sorted(a.address for a in shared.accesses if a.op == "w") == list(range(0, 32, 4))


# ----------------------------------------------------------------------------- bank conflicts
@cuda.jit
def tile_transpose(a, out):
    tile = cuda.shared.array((32, 32), np.float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    for r in range(ty, 32, 8):
        tile[r, tx] = a[r, tx]
    cuda.syncthreads()
    for r in range(ty, 32, 8):
        out[r, tx] = tile[tx, r]                # a column of the tile: 32 words 32 apart


@cuda.jit
def tile_transpose_padded(a, out):
    tile = cuda.shared.array((32, 33), np.float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    for r in range(ty, 32, 8):
        tile[r, tx] = a[r, tx]
    cuda.syncthreads()
    for r in range(ty, 32, 8):
        out[r, tx] = tile[tx, r]


def _degrees(kernel, *args, block=(32, 8)):
    shared = gpu_trace.SharedTrace()
    gpu_trace.launch(kernel, 1, block, *args, shared=shared)
    found = {"r": [], "w": []}
    for key, degree in gpu_trace.bank_conflicts(shared.accesses).items():
        found[key[-1]].append(degree)
    return found, shared


def test_transposed_reads_of_a_32x32_tile_are_32_way_conflicts_and_padding_removes_them():
    a = np.arange(1024, dtype=np.float32).reshape(32, 32)
    for kernel, load_degree in ((tile_transpose, 32), (tile_transpose_padded, 1)):
        out = np.zeros_like(a)
        found, shared = _degrees(kernel, a, out)
        np.testing.assert_array_equal(out, a.T)
        assert found["w"] == [1] * 32 and found["r"] == [load_degree] * 32   # 8 warps x 4 rows each
    detail = gpu_trace.bank_conflicts(shared.accesses, detail=True)
    assert set(detail.values()) == {gpu_trace.BankAccess(lanes=32, words=32, banks=32, degree=1)}


@cuda.jit
def strided_read(s_stride, out):
    s = cuda.shared.array(1024, np.float32)
    t = cuda.threadIdx.x
    for i in range(t, 1024, 32):
        s[i] = 1.0
    cuda.syncthreads()
    out[t] = s[(t * s_stride) % 1024]


@cuda.jit
def broadcast_and_bytes(out):
    s = cuda.shared.array(64, np.float32)
    b = cuda.shared.array(128, np.int8)
    d = cuda.shared.array(64, np.float64)
    t = cuda.threadIdx.x
    s[t] = 1.0
    s[t + 32] = 1.0
    b[t] = 1
    d[t] = 1.0
    cuda.syncthreads()
    out[t] = s[0] + s[t // 4] + b[t] + d[t]    # broadcast, 8 lanes per word, 1-byte words, 8-byte words


def test_conflict_degree_counts_distinct_words_per_bank_not_lanes():
    for stride, degree in ((1, 1), (2, 2), (3, 1), (4, 4), (16, 16), (32, 32), (33, 1)):
        found, _ = _degrees(strided_read, stride, np.zeros(32, np.float32), block=32)
        assert found["r"] == [degree], (stride, found["r"])
    found, shared = _degrees(broadcast_and_bytes, np.zeros(32, np.float32), block=32)
    loads = {key[2]: d for key, d in gpu_trace.bank_conflicts(shared.accesses, detail=True).items() if key[-1] == "r"}
    assert sorted(d.degree for d in loads.values()) == [1, 1, 1, 2]     # only the 64-bit loads need 2 passes
    assert sorted(d.words for d in loads.values()) == [1, 8, 8, 64]


@cuda.jit
def serialised_by_barriers(a, out):
    """Each lane reads its column element in a phase of its own: the same instruction, so still 32-way."""
    tile = cuda.shared.array((32, 32), np.float32)
    t = cuda.threadIdx.x
    for r in range(32):
        tile[r, t] = a[r, t]
    cuda.syncthreads()
    v = 0.0
    for p in range(32):
        if t == p:
            v = tile[t, 0]
        cuda.syncthreads()
    out[t] = v


def test_lanes_at_the_same_site_and_instance_are_one_warp_access():
    a = np.arange(1024, dtype=np.float32).reshape(32, 32)
    out = np.zeros(32, np.float32)
    found, shared = _degrees(serialised_by_barriers, a, out, block=32)
    assert out.tolist() == a[:, 0].tolist()
    assert found["r"] == [32]
    assert len({a.phase for a in shared.accesses if a.op == "r"}) == 32


def test_notebooks_can_still_swap_the_shared_memory_factory():
    # notebooks may still swap gpu_trace._poisoned_shared (launch looks it up at call time when shared=None)
    seen = []
    original = gpu_trace._poisoned_shared

    def spy(size, poison):
        seen.append((size, poison))
        return original(size, poison)

    gpu_trace._poisoned_shared = spy
    try:
        out = np.zeros(1)
        gpu_trace.launch(block_sum, 1, TPB, np.ones(8), out)
    finally:
        gpu_trace._poisoned_shared = original
    assert seen == [(0, True)] and out[0] == 8


def test_shared_trace_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="SharedTrace"):
        gpu_trace.launch(copy, 1, 8, np.zeros(8), np.zeros(8), shared=[])
    with pytest.raises(ValueError, match="SharedAccess"):
        gpu_trace.bank_conflicts([gpu_trace.Access("x", "r", 0, (0, 0, 0), (0, 0, 0), 0, 0)])
    with pytest.raises(ValueError):
        gpu_trace.bank_conflicts([], banks=0)
    with pytest.raises(ValueError):
        gpu_trace.SharedTrace().per_thread("x")


# ----------------------------------------------------------------------------- what a kernel may use
_box = []
SCALE = 2.0


@cuda.jit
def via_python_list(x, out):
    _box.append(x[cuda.threadIdx.x])          # threads "share" a Python list: no GPU kernel can
    cuda.syncthreads()
    out[cuda.threadIdx.x] = sum(_box)


@cuda.jit
def via_global(x, out):
    global SCALE
    SCALE = x[0]


def _helper(v):
    return v + 1.0


@cuda.jit
def via_helper(x, out):
    out[0] = _helper(x[0])


@cuda.jit(device=True)
def twice(v):
    return 2.0 * v


@cuda.jit
def with_device_function(x, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = twice(x[i]) * SCALE + np.float32(math.sqrt(4.0))


def test_check_kernel_refuses_python_state_and_accepts_constants_modules_and_device_functions():
    assert gpu_trace.kernel_problems(block_sum) == [] and gpu_trace.kernel_problems(with_device_function) == []
    for kernel, words in ((via_python_list, "_box (a list)"), (via_global, "assigns the global SCALE"),
                          (via_helper, "_helper (a Python function)")):
        with pytest.raises(ValueError, match=re.escape(words)):
            gpu_trace.check_kernel(kernel)
        with pytest.raises(ValueError, match=re.escape(words)):
            gpu_trace.launch(kernel, 1, 2, np.ones(2), np.zeros(2), strict=True)
    out = np.zeros(2)
    gpu_trace.launch(via_python_list, 1, 2, np.ones(2), out)     # not strict: runs as before
    assert out.tolist() == [2.0, 2.0]
    out = np.zeros(3)
    gpu_trace.launch(with_device_function, 1, 4, np.arange(3.0), out, strict=True)
    assert out.tolist() == [2.0, 6.0, 10.0]


@cuda.jit
def via_module_dict(x, out):
    box = np.typecodes                        # a dict reached through a module: every thread sees the same one
    box.setdefault("channel", []).append(x[cuda.threadIdx.x])


@cuda.jit
def via_module_alias(x, out):
    m = np                                    # the path to the dict goes through a local name
    m.sctypeDict["channel"] = x[0]


@cuda.jit
def via_getattr(x, out):
    out[0] = len(getattr(np, "typecodes"))


@cuda.jit
def via_module_state(x, out):
    np.random.seed(int(x[0]))                 # numpy's global generator: state every thread can set and read


@cuda.jit
def via_attribute_store(x, out):
    np.channel = x[0]


@cuda.jit
def via_reflection(x, out):
    out[0] = len(np.sum.__globals__)


@cuda.jit
def with_library_constants(x, out):
    i = cuda.grid(1)
    if i < x.shape[0] and x.dtype == np.float64:
        out[i] = math.pi * x[i] + np.float32(np.e) + np.add(1.0, 2.0) + abs(min(i, 2)) + x.size


def test_check_kernel_follows_attributes_from_modules_to_mutable_objects():
    assert gpu_trace.kernel_problems(with_library_constants) == []
    for kernel, words in ((via_module_dict, "reads np.typecodes (a dict)"),
                          (via_module_alias, "reads np.sctypeDict (a dict)"),
                          (via_getattr, "builtins.getattr"),
                          (via_module_state, "the module numpy.random"),
                          (via_attribute_store, "assigns the attribute .channel"),
                          (via_reflection, "reads the attribute .__globals__")):
        with pytest.raises(ValueError, match=re.escape(words)):
            gpu_trace.check_kernel(kernel)
        with pytest.raises(ValueError, match=re.escape(words)):
            gpu_trace.launch(kernel, 1, 2, np.ones(2), np.zeros(2), strict=True)
    out = np.zeros(3)
    gpu_trace.launch(with_library_constants, 1, 4, np.arange(3.0), out, strict=True)
    assert np.allclose(out, math.pi * np.arange(3.0) + np.float32(np.e) + 3.0 + [0, 1, 2] + 3)


@cuda.jit
def block_sum_chain(x, out):
    s = cuda.shared.array(TPB, np.float64)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * cuda.blockDim.x + t
    v = x[i] if i < x.shape[0] else 0.0
    s[t] = v
    cuda.syncthreads()
    for step in range(1, TPB):                # thread `step` adds its left neighbour's running sum
        if t == step:
            s[t] = s[t - 1] + v
        cuda.syncthreads()
    if t == 0:
        out[cuda.blockIdx.x] = s[TPB - 1]


def test_dependent_reads_tell_a_tree_from_a_serial_chain():
    x = np.arange(2 * TPB, dtype=np.float64)
    for kernel, chain in ((block_sum, 2 * int(math.log2(TPB)) + 1), (block_sum_chain, TPB)):
        for order in gpu_trace.ORDERS:
            out = np.zeros(2)
            shared = gpu_trace.SharedTrace()
            gpu_trace.launch(kernel, 2, TPB, x, out, order=order, shared=shared)
            assert out.tolist() == [x[:TPB].sum(), x[TPB:].sum()]
            # the tree: thread 0 reads s[0] and s[h] at each of log2(TPB) levels, then s[0]; the chain: one read per
            # thread, each of the value the previous thread wrote, then thread 0 reads the last
            assert shared.dependent_reads() == {(0, 0, 0): chain, (1, 0, 0): chain}, (kernel, order)
    # a thread that writes a value carries its chain to whoever reads it; a read of a fresh value starts at 1
    a = gpu_trace.SharedAccess("s", "w", 0, (0, 0, 0), (0, 0, 0), 0, 0, address=0)
    b = gpu_trace.SharedAccess("s", "r", 0, (0, 0, 0), (1, 0, 0), 1, 0, address=0)
    c = gpu_trace.SharedAccess("s", "r", 1, (0, 0, 0), (1, 0, 0), 1, 1, address=4)
    assert gpu_trace.dependent_reads([b, a]) == {(0, 0, 0): 1}
    assert gpu_trace.dependent_reads([c, a, b]) == {(0, 0, 0): 2}
    with pytest.raises(ValueError, match="SharedAccess"):
        gpu_trace.dependent_reads([gpu_trace.Access("x", "r", 0, (0, 0, 0), (0, 0, 0), 0, 0)])
