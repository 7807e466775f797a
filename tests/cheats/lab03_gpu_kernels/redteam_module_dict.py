"""Red team, lab03: threads pass data through a Python dict reached through a module (`np.typecodes`), a channel no
GPU has and neither gpu_trace.check_kernel (it only inspects the *values of global names*: `np` is a module, so it
passes; attribute chains off a module are not followed) nor the policy review (`box = np.typecodes` is a plain
attribute read; `box[...] = ...`/`box.setdefault` on a local is not a change to a module attribute) nor the
isolation repair (it restores callables/modules, not the contents of a module's dict) refuses. Scored 100/100 with:

- Part 2: no shared memory and no tree: every thread appends its x[i] to a list in the dict, one barrier, thread 0
  adds them all up (0 shared reads, so the 12-per-thread limit never binds);
- Part 3: the TILE x TILE tiles are staged in Python lists in the dict instead of cuda.shared arrays (global traffic
  within budget, 0 shared accesses);
- Part 4: the "conflict-free" kernel keeps an *unpadded* 32 x 32 tile, makes only row accesses to it (value unused),
  and takes the transposed values from a copy of the tile in the dict -- all its shared accesses are conflict-free;
- Part 6: no shared memory; lanes stage their 4 values per step in the dict and lane 0 alone does all 256 x 4
  multiply-adds of each step, the other lanes only write results.

Each of these parts must score 0. Fixed: check_kernel follows every attribute name a kernel uses from every global
it reads and refuses a mutable object reached that way ("reads np.typecodes (a dict)"). test_transpose traces both
transpose kernels with check_kernel too, so it scores 0 as well; test_matmul_correct checks only the result
(strict=False) and keeps its points.
"""

KIND = 'lazy: a Python dict reached through a module (np.typecodes) as a channel between threads'
BASE = "reference"
FAIL = {'test_matmul_traffic', 'test_transpose', 'test_transpose_banks', 'test_block_sum', 'test_warp_mma'}

CELLS = {
    'block_sum': '''
@cuda.jit
def block_sum_kernel(x, partial):
    box = np.typecodes                       # a dict every thread can reach through a module
    key = ("sum", cuda.blockIdx.x)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    vals = box.setdefault(key, [])
    if i < x.shape[0]:
        vals.append(x[i])
    cuda.syncthreads()
    if t == 0:
        total = float32(0.0)
        for v in box.pop(key):
            total += v
        partial[cuda.blockIdx.x] = total
''',
    'matmul_tiled': '''
@cuda.jit
def matmul_tiled_kernel(A, B, C):
    box = np.typecodes
    key = ("mm", cuda.blockIdx.x, cuda.blockIdx.y)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    M = A.shape[0]
    K = A.shape[1]
    N = B.shape[1]
    acc = float32(0.0)
    for k0 in range(0, K, TILE):
        tiles = box.setdefault(key, [[0.0] * (TILE * TILE), [0.0] * (TILE * TILE)])
        a = float32(0.0)
        if row < M and k0 + tx < K:
            a = A[row, k0 + tx]
        tiles[0][ty * TILE + tx] = a
        b = float32(0.0)
        if k0 + ty < K and col < N:
            b = B[k0 + ty, col]
        tiles[1][ty * TILE + tx] = b
        cuda.syncthreads()
        for kk in range(TILE):
            acc += tiles[0][ty * TILE + kk] * tiles[1][kk * TILE + tx]
        cuda.syncthreads()
    if row < M and col < N:
        C[row, col] = acc
    cuda.syncthreads()
    if tx == 0 and ty == 0:
        box.pop(key, None)
''',
    'transpose': '''
BT_PAD = BT + 1


@cuda.jit
def transpose_naive_kernel(a, out):
    tile = cuda.shared.array((BT, BT), float32)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    x0 = cuda.blockIdx.x * BT
    y0 = cuda.blockIdx.y * BT
    for r in range(ty, BT, BR):
        if y0 + r < a.shape[0] and x0 + tx < a.shape[1]:
            tile[r, tx] = a[y0 + r, x0 + tx]
    cuda.syncthreads()
    for r in range(ty, BT, BR):
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            out[x0 + r, y0 + tx] = tile[tx, r]


@cuda.jit
def transpose_padded_kernel(a, out):
    box = np.typecodes
    key = ("tr", cuda.blockIdx.x, cuda.blockIdx.y)
    tile = cuda.shared.array((BT, BT), float32)        # unpadded: only row accesses are made to it
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    x0 = cuda.blockIdx.x * BT
    y0 = cuda.blockIdx.y * BT
    side = box.setdefault(key, [0.0] * (BT * BT))
    for r in range(ty, BT, BR):
        if y0 + r < a.shape[0] and x0 + tx < a.shape[1]:
            v = a[y0 + r, x0 + tx]
            tile[r, tx] = v
            side[r * BT + tx] = v
    cuda.syncthreads()
    for r in range(ty, BT, BR):
        if x0 + r < out.shape[0] and y0 + tx < out.shape[1]:
            dummy = tile[r, tx]                         # a row load of the tile: conflict-free, value unused
            out[x0 + r, y0 + tx] = side[tx * BT + r]
    cuda.syncthreads()
    if tx == 0 and ty == 0:
        box.pop(key, None)
''',
    'warp_mma': '''
@cuda.jit
def warp_mma_kernel(A, B, C):
    box = np.typecodes
    lane = cuda.threadIdx.x
    key = ("warp", cuda.blockIdx.x, cuda.blockIdx.y)
    M = A.shape[0]
    K = A.shape[1]
    N = B.shape[1]
    row0 = cuda.blockIdx.y * WT
    col0 = cuda.blockIdx.x * WT
    blk = lane // 2
    r0 = (blk // 4) * 4 + 2 * (lane % 2)
    c0 = (blk % 4) * 4
    for k0 in range(0, K, 4):
        stage = box.setdefault(key, [0.0] * 128 + [0.0] * 256)
        for e in range(2):
            idx = lane * 2 + e
            r = idx // 4
            c = idx % 4
            va = float32(0.0)
            if row0 + r < M and k0 + c < K:
                va = float32(A[row0 + r, k0 + c])
            stage[idx] = va
            r = idx // 16
            c = idx % 16
            vb = float32(0.0)
            if k0 + r < K and col0 + c < N:
                vb = float32(B[k0 + r, col0 + c])
            stage[64 + idx] = vb
        cuda.syncthreads()
        if lane == 0:                                   # lane 0 does all 256 x 4 multiply-adds of the step
            for i in range(16):
                for j in range(16):
                    s = float32(stage[128 + i * 16 + j])
                    for kk in range(4):
                        s += stage[i * 4 + kk] * stage[64 + kk * 16 + j]
                    stage[128 + i * 16 + j] = s
        cuda.syncthreads()
    stage = box.setdefault(key, [0.0] * 128 + [0.0] * 256)
    for rr in range(2):
        for cc in range(4):
            if row0 + r0 + rr < M and col0 + c0 + cc < N:
                C[row0 + r0 + rr, col0 + c0 + cc] = stage[128 + (r0 + rr) * 16 + c0 + cc]
    cuda.syncthreads()
    if lane == 0:
        box.pop(key, None)
''',
}
