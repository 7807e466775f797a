"""aisys.triton_check: a checked launch catches out-of-bounds accesses before they reach memory, with a clear
message, and counts the bytes a kernel moves; it runs compiled (JITFunction) and interpreted kernels alike."""
import numpy as np
import pytest
import torch
import triton
import triton.language as tl
from triton.runtime.interpreter import InterpretedFunction
from triton.runtime.jit import JITFunction

from aisys import triton_check
from aisys.triton_check import OutOfBoundsError


def copy(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(Y + offs, tl.load(X + offs, mask=offs < n), mask=offs < n)


def copy_unmasked_load(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(Y + offs, tl.load(X + offs), mask=offs < n)


def copy_unmasked_store(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(Y + offs, tl.load(X + offs, mask=offs < n, other=0.0))


def shift_left(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    tl.store(Y + offs, tl.load(X + offs - 1, mask=offs < n), mask=offs < n)


def wild_but_masked(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    far = offs * 1000000 + 12345678           # nonsense addresses, all masked off
    tl.store(Y + offs, tl.load(X + far, mask=offs < 0, other=7.0), mask=offs < n)


def strided_read(X, Y, n, stride, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    tl.store(Y + offs, tl.load(X + offs * stride, mask=offs < n), mask=offs < n)


def matmul_one_block(A, B, C, M: tl.constexpr, K: tl.constexpr, N: tl.constexpr):
    rm, rk, rn = tl.arange(0, M), tl.arange(0, K), tl.arange(0, N)
    a = tl.load(A + rm[:, None] * K + rk[None, :])
    b = tl.load(B + rk[:, None] * N + rn[None, :])
    tl.store(C + rm[:, None] * N + rn[None, :], tl.dot(a, b))


def row_sum(X, Y, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(X + tl.program_id(0) * n + offs, mask=offs < n, other=0.0)
    tl.store(Y + tl.program_id(0), tl.sum(x, 0) + tl.max(x, 0) - tl.max(x, 0))


def histogram(X, H, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(X + offs, mask=offs < n, other=0)
    tl.atomic_add(H + x, 1, mask=offs < n)


KINDS = {"compiled": JITFunction, "interpreted": InterpretedFunction}


@pytest.fixture(params=sorted(KINDS))
def jit(request):
    """Make kernels both ways: as a compiled JITFunction (what @triton.jit gives on a GPU machine) and as an
    InterpretedFunction (what it gives with TRITON_INTERPRET=1); launch() must handle both."""
    return KINDS[request.param]


def test_in_bounds_copy_counts_bytes_and_elements(jit):
    x, y = torch.arange(10.0), torch.zeros(10)
    trace = triton_check.launch(jit(copy), (2,), x, y, 10, BLOCK=8)
    assert torch.equal(y, x)
    assert trace.bytes_read == {"X": 40, "Y": 0} and trace.bytes_written == {"X": 0, "Y": 40}
    assert trace.reads("X").shape == (10,) and (trace.reads("X") == 1).all() and (trace.writes("Y") == 1).all()
    assert trace.programs == 2 and trace.grid == (2, 1, 1)
    assert trace.program_bytes("X") == {(0, 0, 0): 32, (1, 0, 0): 8}
    assert trace.total_bytes == 80 and "X" in trace.summary()


def test_unmasked_load_past_the_end_is_reported_and_nothing_is_written(jit):
    x, y = torch.arange(10.0), torch.zeros(10)
    with pytest.raises(OutOfBoundsError, match=r"program \(1, 0, 0\).*tl.load reads 6 element\(s\).*"
                                               r"1 element\(s\) past the end of X \[10\]"):
        triton_check.launch(jit(copy_unmasked_load), (2,), x, y, 10, BLOCK=8)
    assert torch.equal(y, torch.zeros(10)), "a failed launch must not write its outputs"


def test_out_of_bounds_store_is_stopped_before_memory_changes(jit):
    buffer = torch.zeros(20)
    x, y = torch.arange(10.0), buffer[:10]
    with pytest.raises(OutOfBoundsError, match=r"tl.store writes 6 element\(s\).*past the end of Y"):
        triton_check.launch(jit(copy_unmasked_store), (2,), x, y, 10, BLOCK=8)
    assert torch.equal(buffer, torch.zeros(20)), "the elements after y must be untouched"


def test_negative_offset_is_before_the_start(jit):
    x, y = torch.arange(8.0), torch.zeros(8)
    with pytest.raises(OutOfBoundsError, match=r"position \(0,\).*1 element\(s\) before the start of X"):
        triton_check.launch(jit(shift_left), (1,), x, y, 8, BLOCK=8)


def test_masked_off_lanes_may_hold_any_address(jit):
    x, y = torch.arange(8.0), torch.zeros(8)
    trace = triton_check.launch(jit(wild_but_masked), 1, x, y, 8, BLOCK=8)
    assert torch.equal(y, torch.full((8,), 7.0)) and trace.bytes_read["X"] == 0


def test_running_from_one_view_into_the_next_is_caught(jit):
    qkv = torch.arange(30.0).reshape(3, 10)
    out = torch.zeros(10)
    # X is row 0 of qkv: its unmasked tail would read row 1, which is another argument (Y) -- not a valid read.
    with pytest.raises(OutOfBoundsError, match=r"touches elements of 2 tensor arguments \(in lane order: X, then Y\).*starts in X and runs off its end into Y"):
        triton_check.launch(jit(copy_unmasked_load), (2,), qkv[0], qkv[1], 10, BLOCK=8)
    triton_check.launch(jit(copy), (2,), qkv[0], out, 10, BLOCK=8)
    assert torch.equal(out, torch.arange(10.0))


def test_strided_views(jit):
    base = torch.arange(24.0).reshape(4, 6)
    column = base[:, 2]                                    # stride 6
    y = torch.zeros(4)
    trace = triton_check.launch(jit(strided_read), 1, column, y, 4, 6, BLOCK=4)
    assert torch.equal(y, column) and (trace.reads("X") == 1).all() and trace.bytes_read["X"] == 16
    with pytest.raises(OutOfBoundsError, match="between the elements of this strided view"):
        triton_check.launch(jit(strided_read), 1, column, y, 4, 5, BLOCK=4)


def test_dot_calls_and_flops_are_counted(jit):
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(16, 32, generator=g), torch.randn(32, 16, generator=g)
    c = torch.zeros(16, 16)
    trace = triton_check.launch(jit(matmul_one_block), 1, a, b, c, M=16, K=32, N=16)
    assert torch.allclose(c, a @ b, atol=1e-4)
    assert trace.dots == 1 and trace.dot_flops == 2 * 16 * 32 * 16
    assert trace.bytes_read == {"A": 16 * 32 * 4, "B": 32 * 16 * 4, "C": 0}


def test_triton_standard_library_works_whatever_the_import_order(jit):
    # tl.sum and tl.max are @triton.jit functions of Triton's own; they were jit'ed when triton was imported.
    x = torch.arange(12.0).reshape(3, 4)
    y = torch.zeros(3)
    triton_check.launch(jit(row_sum), (3,), x, y, 4, BLOCK=4)
    assert torch.equal(y, x.sum(1))


def test_atomics_are_checked_and_counted(jit):
    x = torch.tensor([0, 1, 1, 3, 1], dtype=torch.int32)
    h = torch.zeros(4, dtype=torch.int32)
    trace = triton_check.launch(jit(histogram), 1, x, h, 5, BLOCK=8)
    assert h.tolist() == [1, 3, 0, 1] and trace.bytes_written["H"] == 5 * 4 and trace.bytes_read["H"] == 5 * 4
    with pytest.raises(OutOfBoundsError, match="an atomic touches 1 element"):
        triton_check.launch(jit(histogram), 1, torch.tensor([0, 4], dtype=torch.int32), h, 2, BLOCK=8)


def test_record_keeps_the_elements_each_program_touched(jit):
    x, y = torch.arange(10.0), torch.zeros(10)
    trace = triton_check.launch(jit(copy), (2,), x, y, 10, BLOCK=8, record=True)
    loads = [a for a in trace.accesses if a.op == "load"]
    assert [a.program for a in loads] == [(0, 0, 0), (1, 0, 0)]
    assert loads[1].indices.tolist() == [8, 9] and loads[1].bytes == 8
    assert triton_check.launch(jit(copy), (2,), x, y, 10, BLOCK=8).accesses[0].indices is None


def test_bad_launches_raise_value_errors(jit):
    x, y = torch.arange(10.0), torch.zeros(10)
    kernel = jit(copy)
    with pytest.raises(ValueError, match="expects a @triton.jit kernel"):
        triton_check.launch(copy, (1,), x, y, 10, BLOCK=8)
    with pytest.raises(ValueError, match="grid for copy must be"):
        triton_check.launch(kernel, (1, 2, 3, 4), x, y, 10, BLOCK=8)
    with pytest.raises(ValueError, match="non-negative ints"):
        triton_check.launch(kernel, (1.5,), x, y, 10, BLOCK=8)
    with pytest.raises(ValueError, match="NumPy array"):
        triton_check.launch(kernel, (1,), np.zeros(10, np.float32), y, 10, BLOCK=8)
    with pytest.raises(ValueError, match="cannot call copy"):
        triton_check.launch(kernel, (1,), x, y, BLOCK=8)
    with pytest.raises(ValueError, match="not a tensor argument"):
        triton_check.launch(kernel, (2,), x, y, 10, BLOCK=8).reads("n")
    assert triton_check.is_kernel(kernel) and not triton_check.is_kernel(copy)


def test_grid_may_be_a_function_of_the_meta_parameters(jit):
    x, y = torch.arange(20.0), torch.zeros(20)
    trace = triton_check.launch(jit(copy), lambda meta: (triton.cdiv(20, meta["BLOCK"]),), x, y, 20, BLOCK=8)
    assert trace.grid == (3, 1, 1) and torch.equal(y, x)
