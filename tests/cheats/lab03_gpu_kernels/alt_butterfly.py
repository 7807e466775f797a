"""A correct lab03 whose Part 2 reduction is a different tree from the reference's: a butterfly (the communication
pattern of a recursive-doubling all-reduce). Every thread stays active at every level: at distance h = 1, 2, 4, ...
thread t adds its own partial sum and thread (t XOR h)'s, so after log2(TPB) = 5 levels every thread holds the block's
sum. Levels read one row of a two-row shared buffer and write the other (ping-pong), so no thread overwrites a value
another thread still has to read; a barrier closes each level. Each thread reads 2 shared elements per level (10 in
all) and the longest chain of dependent reads is 10, the same depth as the halving tree. The other answers are the
reference's. Must get full marks.
"""

KIND = "correct alternative: butterfly (XOR) all-reduce tree with a ping-pong shared buffer"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "block_sum": '''
@cuda.jit
def block_sum_kernel(x, partial):
    buf = cuda.shared.array((2, TPB), float32)   # level l reads row l % 2 and writes the other row
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    v = float32(0.0)
    if i < x.shape[0]:
        v = x[i]
    buf[0, t] = v
    cuda.syncthreads()
    src = 0
    h = 1
    while h < TPB:          # after distance h, thread t holds the sum of its aligned group of 2h elements
        v = buf[src, t] + buf[src, t ^ h]
        buf[1 - src, t] = v
        cuda.syncthreads()
        src = 1 - src
        h *= 2
    if t == 0:
        partial[cuda.blockIdx.x] = v
''',
}
