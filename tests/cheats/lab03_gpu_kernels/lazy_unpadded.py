"""Lazy lab03, Part 4: the "conflict-free" kernel is the naive one (an unpadded 32 x 32 tile, so its column loads are
32-way conflicts). It is correct, coalesced and shares the work, so test_transpose passes; test_transpose_banks must
score 0.
"""

KIND = "lazy: unpadded tile in the kernel that should be conflict-free"
BASE = "reference"
FAIL = {"test_transpose_banks"}

CELLS = {
    "transpose": '''
@cuda.jit
def transpose_naive_kernel(a, out):
    tile = cuda.shared.array((BT, BT), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    x0, y0 = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT
    for r in range(ty, BT, BR):
        if y0 + r < a.shape[0] and x0 + tx < a.shape[1]:
            tile[r, tx] = a[y0 + r, x0 + tx]
    cuda.syncthreads()
    for r in range(ty, BT, BR):
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            out[x0 + r, y0 + tx] = tile[tx, r]


transpose_padded_kernel = transpose_naive_kernel
''',
}
