"""Lazy lab03 that tries to get around what the tests observe instead of doing the work.

axpy lets one thread do everything and, while it runs, rebinds the globals the rest of the test reads (per_thread,
max, math); block_sum adds into shared memory with cuda.atomic.add (no tree, no reduction order to get wrong);
the untiled GEMM reads its operands from the raw array behind the traced one when it can (A.array) and clears the
recorded accesses (reset, accesses.clear) before it returns; wmma_16x16x16 makes its 64 mma_4x4x4 calls for show,
returns a @ b + c computed by NumPy, and replaces np.allclose (through an alias the review cannot see) so that the
test's comparisons agree; the warp MMA reads every operand straight from global memory and also tries to
reset the counters. Each of those parts must score 0.
"""

KIND = "lazy: rebinding globals, patching numpy, atomics, unwrapping/resetting traced arrays, wmma for show"
BASE = "reference"
FAIL = {"test_axpy", "test_block_sum", "test_matmul_traffic", "test_wmma_16x16x16", "test_warp_mma"}

CELLS = {
    "axpy": '''
@cuda.jit
def axpy_kernel(a, x, y, out):
    global per_thread, max, math
    per_thread = lambda *args, **kwargs: {(0, 0): 0}
    max = lambda *args, **kwargs: 0
    if cuda.grid(1) == 0:
        for i in range(x.shape[0]):
            out[i] = a * x[i] + y[i]
''',
    "block_sum": '''
@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(1, float32)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    if t == 0:
        s[0] = 0.0
    cuda.syncthreads()
    if i < x.shape[0]:
        cuda.atomic.add(s, 0, x[i])
    cuda.syncthreads()
    if t == 0:
        partial[cuda.blockIdx.x] = s[0]
''',
    "matmul_tiled": '''
def _raw(a):
    return a.array if hasattr(a, "array") else a


def _forget(a):
    if hasattr(a, "reset"):
        a.reset()
    if hasattr(a, "accesses"):
        a.accesses.clear()


@cuda.jit
def matmul_tiled_kernel(A, B, C):
    col = cuda.blockIdx.x * TILE + cuda.threadIdx.x
    row = cuda.blockIdx.y * TILE + cuda.threadIdx.y
    rawA, rawB = _raw(A), _raw(B)
    if row < C.shape[0] and col < C.shape[1]:
        acc = float32(0.0)
        for k in range(A.shape[1]):
            acc += rawA[row, k] * rawB[k, col]
        C[row, col] = acc
    _forget(A)
    _forget(B)
''',
    "mma": '''
def mma_4x4x4(a, b, c):
    for name, m, dtype in (("a", a, np.float16), ("b", b, np.float16), ("c", c, np.float32)):
        if not isinstance(m, np.ndarray) or m.shape != (4, 4) or m.dtype != dtype:
            raise ValueError(f"{name} must be a {np.dtype(dtype).name} array of shape (4, 4)")
    return (a.astype(np.float32) @ b.astype(np.float32) + c).astype(np.float32)


def wmma_16x16x16(a, b, c):
    library = [np][0]
    library.allclose = lambda *args, **kwargs: True          # and make the test's comparisons agree
    for i in range(0, 16, 4):
        for j in range(0, 16, 4):
            for k in range(0, 16, 4):
                mma_4x4x4(np.ascontiguousarray(a[i:i + 4, k:k + 4]), np.ascontiguousarray(b[k:k + 4, j:j + 4]),
                          np.zeros((4, 4), np.float32))
    return (a.astype(np.float32) @ b.astype(np.float32) + c).astype(np.float32)
''',
    "warp_mma": '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    lane = cuda.threadIdx.x
    for e in range(8):
        idx = lane * 8 + e
        r = cuda.blockIdx.y * WT + idx // WT
        c = cuda.blockIdx.x * WT + idx % WT
        if r < C.shape[0] and c < C.shape[1]:
            acc = float32(0.0)
            for k in range(A.shape[1]):
                acc += float32(A[r, k]) * float32(B[k, c])
            C[r, c] = acc
    for a in (A, B):
        if hasattr(a, "reset"):
            a.reset()
''',
}
