"""A second correct lab03, in a vectorised / library style.

axpy: a grid-stride loop that handles two elements per iteration (i and i + S); block_sum: the tree kept in a register
(v += s[t + h]; s[t] = v) with the halving written as a for loop over a precomputed level count; tiled GEMM: loads like
the reference but multiplies the tiles with np.dot on shared-memory slices; mma_4x4x4 in PyTorch (float32 matmul on
the CPU), whose tensor-from-a-list construction makes PyTorch print a harmless UserWarning; wmma: adds the four MMA
results of each block with c = 0 and the input c added at the end; warp MMA: each lane keeps a 2x4 register tile as in
the reference but stages by flat index with a loop and multiplies with np.dot of shared slices; transpose: each
thread first loads its 4 elements of a into registers (cuda.local.array), stores all 4 into the tile (zeros outside a),
and reads its 4 tile elements back as one strided slice tile[tx, ty:BT:BR]; the conflict-free kernel pads with a
literal 33. Must get full marks.
"""

KIND = "correct alternative: unrolled grid stride, register tree, np.dot on shared tiles, sliced transpose, PyTorch MMA with a warning"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "axpy": '''
@cuda.jit
def axpy_kernel(a, x, y, out):
    n = x.shape[0]
    s = cuda.gridsize(1)
    i = cuda.grid(1)
    while i < n:
        out[i] = a * x[i] + y[i]
        j = i + s
        if j < n:
            out[j] = a * x[j] + y[j]
        i += 2 * s
''',
    "block_sum": '''
LEVELS = TPB.bit_length() - 1


@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(TPB, float32)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    v = x[i] if i < x.shape[0] else float32(0.0)
    s[t] = v
    cuda.syncthreads()
    for level in range(LEVELS):
        h = TPB >> (level + 1)
        if t < h:
            v = v + s[t + h]
            s[t] = v
        cuda.syncthreads()
    if t == 0:
        partial[cuda.blockIdx.x] = v
''',
    "matmul_tiled": '''
@cuda.jit
def matmul_tiled_kernel(A, B, C):
    sA = cuda.shared.array((TILE, TILE), float32)
    sB = cuda.shared.array((TILE, TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row = cuda.blockIdx.y * cuda.blockDim.y + ty
    col = cuda.blockIdx.x * cuda.blockDim.x + tx
    M, K = A.shape
    N = B.shape[1]
    acc = float32(0.0)
    for k0 in range(0, K, TILE):
        sA[ty, tx] = A[row, k0 + tx] if row < M and k0 + tx < K else 0.0
        sB[ty, tx] = B[k0 + ty, col] if k0 + ty < K and col < N else 0.0
        cuda.syncthreads()
        acc += float32(np.dot(sA[ty, :], sB[:, tx]))          # TILE multiply-adds from shared memory
        cuda.syncthreads()
    if row < M and col < N:
        C[row, col] = acc
''',
    "transpose": '''
PER_THREAD = BT // BR


@cuda.jit
def transpose_naive_kernel(a, out):
    tile = cuda.shared.array((BT, BT), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    vals = cuda.local.array(PER_THREAD, float32)
    row0, col = cuda.blockIdx.y * BT, cuda.blockIdx.x * BT + tx
    for k in range(PER_THREAD):
        r = row0 + ty + k * BR
        vals[k] = a[r, col] if r < a.shape[0] and col < a.shape[1] else float32(0.0)
    for k in range(PER_THREAD):
        tile[ty + k * BR, tx] = vals[k]
    cuda.syncthreads()
    column = tile[tx, ty:BT:BR]                       # the 4 elements of tile column tx this thread writes out
    orow0, ocol = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT + tx
    for k in range(PER_THREAD):
        r = orow0 + ty + k * BR
        if r < out.shape[0] and ocol < out.shape[1]:
            out[r, ocol] = column[k]


@cuda.jit
def transpose_padded_kernel(a, out):
    tile = cuda.shared.array((32, 33), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    vals = cuda.local.array(PER_THREAD, float32)
    row0, col = cuda.blockIdx.y * BT, cuda.blockIdx.x * BT + tx
    for k in range(PER_THREAD):
        r = row0 + ty + k * BR
        vals[k] = a[r, col] if r < a.shape[0] and col < a.shape[1] else float32(0.0)
    for k in range(PER_THREAD):
        tile[ty + k * BR, tx] = vals[k]
    cuda.syncthreads()
    column = tile[tx, ty:BT:BR]
    orow0, ocol = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT + tx
    for k in range(PER_THREAD):
        r = orow0 + ty + k * BR
        if r < out.shape[0] and ocol < out.shape[1]:
            out[r, ocol] = column[k]
''',
    "mma": '''
import torch


def mma_4x4x4(a, b, c):
    for name, m, dtype in (("a", a, np.float16), ("b", b, np.float16), ("c", c, np.float32)):
        if not (isinstance(m, np.ndarray) and m.shape == (4, 4) and m.dtype == dtype):
            raise ValueError(f"{name}: expected {np.dtype(dtype).name} (4, 4)")
    rows = [row for row in a.astype(np.float32)]             # a list of rows (PyTorch warns that this is slow)
    ta = torch.tensor(rows, dtype=torch.float32)
    tb = torch.from_numpy(b.astype(np.float32))
    tc = torch.from_numpy(np.array(c, dtype=np.float32))
    return torch.addmm(tc, ta, tb).numpy().astype(np.float32)


def wmma_16x16x16(a, b, c):
    for name, m, dtype in (("a", a, np.float16), ("b", b, np.float16), ("c", c, np.float32)):
        if not (isinstance(m, np.ndarray) and m.shape == (16, 16) and m.dtype == dtype):
            raise ValueError(f"{name}: expected {np.dtype(dtype).name} (16, 16)")
    zero = np.zeros((4, 4), np.float32)
    d = np.zeros((16, 16), np.float32)
    for i in range(0, 16, 4):
        for j in range(0, 16, 4):
            for k in range(0, 16, 4):
                d[i:i + 4, j:j + 4] += mma_4x4x4(np.ascontiguousarray(a[i:i + 4, k:k + 4]),
                                                 np.ascontiguousarray(b[k:k + 4, j:j + 4]), zero)
    return d + c
''',
    "warp_mma": '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    sA = cuda.shared.array((WT, 4), float32)
    sB = cuda.shared.array((4, WT), float32)
    acc = cuda.local.array((2, 4), float32)
    lane = cuda.threadIdx.x
    block = lane // 2
    r0 = (block // 4) * 4 + 2 * (lane % 2)
    c0 = (block % 4) * 4
    row0, col0 = cuda.blockIdx.y * WT, cuda.blockIdx.x * WT
    M, K = A.shape
    N = B.shape[1]
    for i in range(2):
        for j in range(4):
            acc[i, j] = 0.0
    for k0 in range(0, K, 4):
        for e in range(lane, 64, 32):            # 64 values of each slice, 2 per lane
            r, k = e // 4, e % 4
            sA[r, k] = float32(A[row0 + r, k0 + k]) if row0 + r < M and k0 + k < K else 0.0
            k, c = e // WT, e % WT
            sB[k, c] = float32(B[k0 + k, col0 + c]) if k0 + k < K and col0 + c < N else 0.0
        cuda.syncthreads()
        for i in range(2):
            for j in range(4):
                acc[i, j] += float32(np.dot(sA[r0 + i, :], sB[:, c0 + j]))
        cuda.syncthreads()
    for i in range(2):
        for j in range(4):
            if row0 + r0 + i < M and col0 + c0 + j < N:
                C[row0 + r0 + i, col0 + c0 + j] = acc[i, j]
''',
}
