"""Lazy lab03, Part 4: transposes that get rid of bank conflicts without a conflict-free shared tile.

Both kernels skip shared memory: thread (tx, ty) reads a[x0 + r... ] directly in the transposed order, so the writes of
out are coalesced but the reads of a are strided (one 128-byte segment per lane), and there is no shared access to
conflict. Correct everywhere; both transpose tests must score 0.
"""

KIND = "lazy: transpose straight from global memory (no shared tile, uncoalesced reads)"
BASE = "reference"
FAIL = {"test_transpose", "test_transpose_banks"}

CELLS = {
    "transpose": '''
@cuda.jit
def transpose_naive_kernel(a, out):
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    x0, y0 = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT
    for r in range(ty, BT, BR):
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            out[x0 + r, y0 + tx] = a[y0 + tx, x0 + r]     # a column of a: strided reads, nothing to conflict


@cuda.jit
def transpose_padded_kernel(a, out):
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    x0, y0 = cuda.blockIdx.x * BT, cuda.blockIdx.y * BT
    for r in range(ty, BT, BR):
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            out[x0 + r, y0 + tx] = a[y0 + tx, x0 + r]
''',
}
