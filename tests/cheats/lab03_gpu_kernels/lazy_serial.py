"""Lazy lab03: every kernel is correct, but the work is not divided the way the part teaches.

axpy gives each thread a contiguous chunk (each thread does its share, but a warp's accesses are scattered: not
coalesced); block_sum loads into shared memory, synchronises, and lets thread 0 add the 32 values up (no tree);
the tiled GEMM lets thread (0, 0) load both tiles of every step (tiled, but one thread does the loading); mma_4x4x4
accumulates in FP16 (so wmma, built on it, loses too); the warp MMA lets lane 0 compute the whole 16x16 tile into
shared memory, and the other lanes only copy out their 8 results; the transposes let thread (0, 0) of each block move
the whole tile through shared memory (padded, so conflict-free, but one lane does the work of 256).
"""

KIND = "lazy: uncoalesced chunks, serial sum, one-thread tile loads, FP16 accumulation, one lane computing the tile"
BASE = "reference"
EXPECT = "partial"
FAIL = {"test_axpy", "test_block_sum", "test_matmul_traffic", "test_transpose", "test_transpose_banks", "test_mma_4x4x4",
        "test_wmma_16x16x16", "test_warp_mma"}

CELLS = {
    "axpy": '''
@cuda.jit
def axpy_kernel(a, x, y, out):
    n = x.shape[0]
    threads = cuda.gridsize(1)
    chunk = (n + threads - 1) // threads
    start = cuda.grid(1) * chunk
    for i in range(start, min(start + chunk, n)):
        out[i] = a * x[i] + y[i]
''',
    "block_sum": '''
@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(TPB, float32)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    s[t] = x[i] if i < x.shape[0] else 0.0
    cuda.syncthreads()
    if t == 0:
        total = float32(0.0)
        for j in range(TPB):
            total += s[j]
        partial[cuda.blockIdx.x] = total
''',
    "matmul_tiled": '''
@cuda.jit
def matmul_tiled_kernel(A, B, C):
    sA = cuda.shared.array((TILE, TILE), float32)
    sB = cuda.shared.array((TILE, TILE), float32)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row0 = cuda.blockIdx.y * TILE
    col0 = cuda.blockIdx.x * TILE
    M, K = A.shape
    N = B.shape[1]
    acc = float32(0.0)
    for k0 in range(0, K, TILE):
        if tx == 0 and ty == 0:                     # one thread stages both tiles for the whole block
            for r in range(TILE):
                for c in range(TILE):
                    sA[r, c] = A[row0 + r, k0 + c] if row0 + r < M and k0 + c < K else 0.0
                    sB[r, c] = B[k0 + r, col0 + c] if k0 + r < K and col0 + c < N else 0.0
        cuda.syncthreads()
        for k in range(TILE):
            acc += sA[ty, k] * sB[k, tx]
        cuda.syncthreads()
    if row0 + ty < M and col0 + tx < N:
        C[row0 + ty, col0 + tx] = acc
''',
    "transpose": '''
PAD = BT + 1


@cuda.jit
def transpose_naive_kernel(a, out):
    tile = cuda.shared.array((BT, PAD), float32)
    x0, y0 = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT
    if cuda.threadIdx.x == 0 and cuda.threadIdx.y == 0:      # one thread moves the tile in and out
        for r in range(BT):
            for c in range(BT):
                if y0 + r < a.shape[0] and x0 + c < a.shape[1]:
                    tile[r, c] = a[y0 + r, x0 + c]
        for r in range(BT):
            for c in range(BT):
                if x0 + r < out.shape[0] and y0 + c < out.shape[1]:
                    out[x0 + r, y0 + c] = tile[c, r]


transpose_padded_kernel = transpose_naive_kernel
''',
    "mma": '''
def mma_4x4x4(a, b, c):
    for name, m, dtype in (("a", a, np.float16), ("b", b, np.float16), ("c", c, np.float32)):
        if not isinstance(m, np.ndarray) or m.shape != (4, 4) or m.dtype != dtype:
            raise ValueError(f"{name} must be a {np.dtype(dtype).name} array of shape (4, 4)")
    return (a @ b + c.astype(np.float16)).astype(np.float32)        # FP16 products and FP16 sums


def wmma_16x16x16(a, b, c):
    for name, m, dtype in (("a", a, np.float16), ("b", b, np.float16), ("c", c, np.float32)):
        if not isinstance(m, np.ndarray) or m.shape != (16, 16) or m.dtype != dtype:
            raise ValueError(f"{name} must be a {np.dtype(dtype).name} array of shape (16, 16)")
    d = c.copy()
    for i in range(0, 16, 4):
        for j in range(0, 16, 4):
            for k in range(0, 16, 4):
                d[i:i + 4, j:j + 4] = mma_4x4x4(np.ascontiguousarray(a[i:i + 4, k:k + 4]),
                                                np.ascontiguousarray(b[k:k + 4, j:j + 4]), d[i:i + 4, j:j + 4].copy())
    return d
''',
    "warp_mma": '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    sA = cuda.shared.array((WT, 4), float32)
    sB = cuda.shared.array((4, WT), float32)
    sC = cuda.shared.array((WT, WT), float32)
    lane = cuda.threadIdx.x
    row0 = cuda.blockIdx.y * WT
    col0 = cuda.blockIdx.x * WT
    M, K = A.shape
    N = B.shape[1]
    if lane == 0:
        for r in range(WT):
            for c in range(WT):
                sC[r, c] = 0.0
    for k0 in range(0, K, 4):
        for e in range(2):                          # the staging is shared fairly ...
            idx = lane * 2 + e
            r, k = idx // 4, idx % 4
            sA[r, k] = float32(A[row0 + r, k0 + k]) if row0 + r < M and k0 + k < K else 0.0
            k, c = idx // WT, idx % WT
            sB[k, c] = float32(B[k0 + k, col0 + c]) if k0 + k < K and col0 + c < N else 0.0
        cuda.syncthreads()
        if lane == 0:                               # ... but lane 0 does all 16 x 16 x 4 multiply-adds
            for r in range(WT):
                for c in range(WT):
                    s = sC[r, c]
                    for k in range(4):
                        s += sA[r, k] * sB[k, c]
                    sC[r, c] = s
        cuda.syncthreads()
    for e in range(8):
        idx = lane * 8 + e
        r, c = idx // WT, idx % WT
        if row0 + r < M and col0 + c < N:
            C[row0 + r, col0 + c] = sC[r, c]
''',
}
