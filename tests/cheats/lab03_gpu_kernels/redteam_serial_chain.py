"""Red team, lab03 Part 2: a "reduction" that is a serial chain, not a tree. Each thread stores its element in shared
memory; then for step = 1 .. TPB-1, thread `step` adds its left neighbour's running sum into its own slot, with a
cuda.syncthreads() after every step (31 barriers and 31 dependent adds instead of log2(TPB) = 5 levels). Every thread
reads at most 1 shared element (well under the 12 allowed), x is read once per element, no atomics, correct in both
thread orders with NaN-filled shared memory -- so it scored 15/15 (checked on `course.py check`). It skips the technique
the part teaches (halving the active threads each level) and must score 0 on test_block_sum. Fixed: the test follows
chains of dependent shared-memory reads (gpu_trace.dependent_reads) and allows 2·log2(TPB) + 2 = 12; this chain is 32.
"""

KIND = 'lazy: serial chain of barriers instead of a reduction tree'
BASE = "reference"
FAIL = {'test_block_sum'}

CELLS = {
    'block_sum': '''
@cuda.jit
def block_sum_kernel(x, partial):
    s = cuda.shared.array(TPB, float32)
    t = cuda.threadIdx.x
    i = cuda.blockIdx.x * TPB + t
    v = float32(0.0)
    if i < x.shape[0]:
        v = x[i]
    s[t] = v
    cuda.syncthreads()
    for step in range(1, TPB):          # a serial chain: thread `step` adds its left neighbour's running sum
        if t == step:
            s[t] = s[t - 1] + v
        cuda.syncthreads()
    if t == 0:
        partial[cuda.blockIdx.x] = s[TPB - 1]
''',
}
