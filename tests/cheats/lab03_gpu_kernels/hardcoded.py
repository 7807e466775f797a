"""A submission that passes the visible tests of lab03 without doing the work the hidden tests check:
one thread does all of axpy, the reduction has no barriers, the GEMMs read operands straight from global
memory (correct but untiled), the transposes skip shared memory, the MMA accumulates in FP16 and wmma skips the 4x4x4
building block."""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "axpy": '''
@cuda.jit
def axpy_kernel(a, x, y, out):
    if cuda.grid(1) == 0:                      # thread 0 does everything: right answer, no parallelism
        for i in range(x.shape[0]):
            out[i] = a * x[i] + y[i]
''',
    "block_sum": '''
@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(TPB, float32)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    s[t] = x[i] if i < x.shape[0] else 0.0
    if t == 0:                                 # no barrier: thread 0 may run before the others have loaded
        total = 0.0
        for j in range(TPB):
            total += s[j]
        partial[cuda.blockIdx.x] = total
''',
    "matmul_tiled": '''
@cuda.jit
def matmul_tiled_kernel(A, B, C):
    col = cuda.blockIdx.x * TILE + cuda.threadIdx.x
    row = cuda.blockIdx.y * TILE + cuda.threadIdx.y
    if row < C.shape[0] and col < C.shape[1]:
        acc = float32(0.0)
        for k in range(A.shape[1]):            # untiled: every operand from global memory
            acc += A[row, k] * B[k, col]
        C[row, col] = acc
''',
    "transpose": '''
@cuda.jit
def transpose_naive_kernel(a, out):
    i = cuda.blockIdx.x * BT + cuda.threadIdx.x
    for j in range(a.shape[0]):                  # right answer, no shared memory, one thread per column of a
        if i < a.shape[1] and cuda.threadIdx.y == 0 and cuda.blockIdx.y == 0:
            out[i, j] = a[j, i]


transpose_padded_kernel = transpose_naive_kernel
''',
    "mma": '''
def mma_4x4x4(a, b, c):
    if a.shape != (4, 4) or b.shape != (4, 4) or c.shape != (4, 4) or a.dtype != np.float16 \\
            or b.dtype != np.float16 or c.dtype != np.float32:
        raise ValueError("bad input")
    return (a @ b + c.astype(np.float16)).astype(np.float32)    # FP16 products and FP16 accumulation


def wmma_16x16x16(a, b, c):
    return (a.astype(np.float32) @ b.astype(np.float32) + c).astype(np.float32)   # not built from mma_4x4x4
''',
    "warp_mma": '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    lane = cuda.threadIdx.x
    for e in range(8):                         # right answer, but every operand from global memory
        idx = lane * 8 + e
        r = cuda.blockIdx.y * WT + idx // WT
        c = cuda.blockIdx.x * WT + idx % WT
        if r < C.shape[0] and c < C.shape[1]:
            acc = float32(0.0)
            for k in range(A.shape[1]):
                acc += float32(A[r, k]) * float32(B[k, c])
            C[r, c] = acc
''',
}
