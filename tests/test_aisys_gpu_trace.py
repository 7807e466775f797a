"""aisys.gpu_trace: traced arrays count every global access; launch() is deterministic and
exposes a missing cuda.syncthreads() in one of its two thread orders."""
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
