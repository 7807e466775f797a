"""A correct lab03 written differently from the reference, mostly with explicit loops.

axpy: a while loop with the stride computed from blockDim and gridDim; block_sum: interleaved addressing (stride
doubling, s[2*h*t] += s[2*h*t + h]); tiled GEMM: cuda.grid(2) indices, the B tile stored transposed; mma_4x4x4:
scalar FP32 loops; wmma: accumulates the 4 products of each block with c passed along; warp MMA: another split of the
outputs (lane l owns row l // 2, columns 8*(l % 2) .. +8) and of the staging (lanes 0-15 load the A slice, lanes 16-31
the B slice, 4 values each); transpose: while loops, the naive tile as a flat 1-D shared array (word 32r + c), and the
conflict-free kernel with an XOR-swizzled 32 x 32 tile (element (r, c) stored in column c ^ r) instead of padding.
Must get full marks.
"""

KIND = "correct alternative: while loops, interleaved tree, transposed tile, swizzled transpose, scalar FP32 MMA, row-per-lane warp split"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "axpy": '''
@cuda.jit
def axpy_kernel(a, x, y, out):
    i = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    step = cuda.blockDim.x * cuda.gridDim.x
    n = len(x)
    while i < n:
        out[i] = a * x[i] + y[i]
        i += step
''',
    "block_sum": '''
@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(TPB, float32)
    t = cuda.threadIdx.x
    g = cuda.blockIdx.x * cuda.blockDim.x + t
    s[t] = x[g] if g < x.shape[0] else float32(0.0)
    cuda.syncthreads()
    h = 1
    while h < TPB:                 # interleaved addressing: pairs (0,1), (2,3), ... then (0,2), (4,6), ...
        if t % (2 * h) == 0:
            s[t] = s[t] + s[t + h]
        cuda.syncthreads()
        h *= 2
    if t == 0:
        partial[cuda.blockIdx.x] = s[0]
''',
    "matmul_tiled": '''
@cuda.jit
def matmul_tiled_kernel(A, B, C):
    tileA = cuda.shared.array((TILE, TILE), float32)
    tileBt = cuda.shared.array((TILE, TILE), float32)    # B tile, transposed: tileBt[col, k]
    col, row = cuda.grid(2)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    steps = (A.shape[1] + TILE - 1) // TILE
    total = float32(0.0)
    for s in range(steps):
        ka = s * TILE + tx
        kb = s * TILE + ty
        tileA[ty, tx] = A[row, ka] if row < A.shape[0] and ka < A.shape[1] else float32(0.0)
        tileBt[tx, ty] = B[kb, col] if kb < B.shape[0] and col < B.shape[1] else float32(0.0)
        cuda.syncthreads()
        for k in range(TILE):
            total += tileA[ty, k] * tileBt[tx, k]
        cuda.syncthreads()
    if row < C.shape[0] and col < C.shape[1]:
        C[row, col] = total
''',
    "transpose": '''
TILE_WORDS = BT * BT


@cuda.jit
def transpose_naive_kernel(a, out):
    flat = cuda.shared.array(TILE_WORDS, float32)        # element (r, c) of the tile is word r * BT + c
    tx = cuda.threadIdx.x
    r = cuda.threadIdx.y
    while r < BT:
        i = cuda.blockIdx.y * BT + r
        j = cuda.blockIdx.x * BT + tx
        if i < a.shape[0] and j < a.shape[1]:
            flat[r * BT + tx] = a[i, j]
        r += BR
    cuda.syncthreads()
    r = cuda.threadIdx.y
    while r < BT:
        i = cuda.blockIdx.x * BT + r
        j = cuda.blockIdx.y * BT + tx
        if i < out.shape[0] and j < out.shape[1]:
            out[i, j] = flat[tx * BT + r]
        r += BR


@cuda.jit
def transpose_padded_kernel(a, out):
    tile = cuda.shared.array((BT, BT), float32)          # swizzled: element (r, c) lives in column c ^ r
    tx = cuda.threadIdx.x
    r = cuda.threadIdx.y
    while r < BT:
        i = cuda.blockIdx.y * BT + r
        j = cuda.blockIdx.x * BT + tx
        if i < a.shape[0] and j < a.shape[1]:
            tile[r, tx ^ r] = a[i, j]
        r += BR
    cuda.syncthreads()
    r = cuda.threadIdx.y
    while r < BT:
        i = cuda.blockIdx.x * BT + r
        j = cuda.blockIdx.y * BT + tx
        if i < out.shape[0] and j < out.shape[1]:
            out[i, j] = tile[tx, r ^ tx]                 # element (tx, r)
        r += BR
''',
    "mma": '''
def _check(m, shape, dtype, name):
    if not isinstance(m, np.ndarray):
        raise ValueError(f"{name} must be a numpy array, got {type(m).__name__}")
    if m.shape != shape or m.dtype != dtype:
        raise ValueError(f"{name} must be {np.dtype(dtype).name} of shape {shape}, got {m.dtype} {m.shape}")


def mma_4x4x4(a, b, c):
    _check(a, (4, 4), np.float16, "a")
    _check(b, (4, 4), np.float16, "b")
    _check(c, (4, 4), np.float32, "c")
    d = np.empty((4, 4), np.float32)
    for i in range(4):
        for j in range(4):
            acc = np.float32(c[i, j])
            for k in range(4):
                acc = np.float32(acc + np.float32(a[i, k]) * np.float32(b[k, j]))   # exact product, FP32 sum
            d[i, j] = acc
    return d


def wmma_16x16x16(a, b, c):
    _check(a, (16, 16), np.float16, "a")
    _check(b, (16, 16), np.float16, "b")
    _check(c, (16, 16), np.float32, "c")
    d = np.empty((16, 16), np.float32)
    for i in range(0, 16, 4):
        for j in range(0, 16, 4):
            block = np.array(c[i:i + 4, j:j + 4])
            for k in range(0, 16, 4):
                block = mma_4x4x4(a[i:i + 4, k:k + 4].copy(), b[k:k + 4, j:j + 4].copy(), block)
            d[i:i + 4, j:j + 4] = block
    return d
''',
    "warp_mma": '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    sA = cuda.shared.array((WT, 4), float32)
    sB = cuda.shared.array((4, WT), float32)
    acc = cuda.local.array(8, float32)
    lane = cuda.threadIdx.x
    r = lane // 2                   # this lane's output row of the tile ...
    c0 = 8 * (lane % 2)             # ... and its 8 columns
    row0 = cuda.blockIdx.y * WT
    col0 = cuda.blockIdx.x * WT
    M = A.shape[0]
    K = A.shape[1]
    N = B.shape[1]
    for e in range(8):
        acc[e] = float32(0.0)
    k0 = 0
    while k0 < K:
        for e in range(4):
            if lane < 16:           # lanes 0-15 stage A[row0 + lane, k0:k0+4]
                ok = row0 + lane < M and k0 + e < K
                sA[lane, e] = float32(A[row0 + lane, k0 + e]) if ok else float32(0.0)
            else:                   # lanes 16-31 stage 4 of the 64 values of B[k0:k0+4, col0:col0+16]
                idx = (lane - 16) * 4 + e
                kk, cc = idx // WT, idx % WT
                ok = k0 + kk < K and col0 + cc < N
                sB[kk, cc] = float32(B[k0 + kk, col0 + cc]) if ok else float32(0.0)
        cuda.syncthreads()
        for j in range(8):
            s = acc[j]
            for k in range(4):
                s += sA[r, k] * sB[k, c0 + j]
            acc[j] = s
        cuda.syncthreads()
        k0 += 4
    for j in range(8):
        if row0 + r < M and col0 + c0 + j < N:
            C[row0 + r, col0 + c0 + j] = acc[j]
''',
}
