"""Lazy lab03 that passes values between threads through Python objects instead of GPU memory (possible only because
the simulator runs kernels as Python; no GPU kernel can, and no trace sees it).

block_sum adds every thread's element into a Python list shared by the threads and lets thread 0 write the total
(no tree, no shared memory to count); the GEMM keeps a Python dict of the A and B elements already loaded, so each is
read from global memory once (no tiling; the dict outlives the launch, so the next product reads stale values and
test_matmul_correct fails too); the transposes store and load
the shared tile in a conflict-free *row* pattern for show and take the transposed values from a Python dict. Each
graded part that traces them must score 0 (the kernels are refused by gpu_trace.check_kernel).
"""

KIND = "lazy: Python lists and dicts as a channel between simulated threads"
BASE = "reference"
FAIL = {"test_block_sum", "test_matmul_correct", "test_matmul_traffic", "test_transpose", "test_transpose_banks"}

CELLS = {
    "block_sum": '''
_sums = {}


@cuda.jit
def block_sum_kernel(x, partial):
    b = cuda.blockIdx.x
    i = b * TPB + cuda.threadIdx.x
    if cuda.threadIdx.x == 0:
        _sums[b] = [float32(0.0)]
    cuda.syncthreads()
    if i < x.shape[0]:
        _sums[b][0] = _sums[b][0] + x[i]
    cuda.syncthreads()
    if cuda.threadIdx.x == 0:
        partial[b] = _sums[b][0]
''',
    "matmul_tiled": '''
_seen = {}


@cuda.jit
def matmul_tiled_kernel(A, B, C):
    col = cuda.blockIdx.x * TILE + cuda.threadIdx.x
    row = cuda.blockIdx.y * TILE + cuda.threadIdx.y
    if row < C.shape[0] and col < C.shape[1]:
        acc = float32(0.0)
        for k in range(A.shape[1]):
            if ("A", row, k) not in _seen:
                _seen[("A", row, k)] = A[row, k]
            if ("B", k, col) not in _seen:
                _seen[("B", k, col)] = B[k, col]
            acc += _seen[("A", row, k)] * _seen[("B", k, col)]
        C[row, col] = acc
''',
    "transpose": '''
_tiles = {}


@cuda.jit
def transpose_naive_kernel(a, out):
    tile = cuda.shared.array((BT, BT), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    x0, y0 = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT
    for r in range(ty, BT, BR):
        v = a[y0 + r, x0 + tx] if y0 + r < a.shape[0] and x0 + tx < a.shape[1] else float32(0.0)
        tile[r, tx] = v
        _tiles[(y0 + r, x0 + tx)] = v
    cuda.syncthreads()
    for r in range(ty, BT, BR):
        _ = tile[r, tx]                               # a conflict-free row load, for show
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            out[x0 + r, y0 + tx] = _tiles[(y0 + tx, x0 + r)]


transpose_padded_kernel = transpose_naive_kernel
''',
}
