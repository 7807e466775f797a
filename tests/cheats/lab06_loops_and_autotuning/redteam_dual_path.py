"""Red team, lab06 Part 3: two code paths. The tiling trace runs `matmul_tiled.py_func` on matrices of recording
entries (not 4-byte floats); the compiled function is only checked for its result. So `if A.itemsize == 4:
C[:, :] = A @ B; return` runs a whole-matrix product in every compiled call (what the benchmark and any user get),
while the traced py_func takes the tiled branch. Scored 25/25; the function numba compiles and runs is untiled, so
test_matmul_tiled must score 0 (e.g. trace the compiled path too, or refuse a branch on dtype/itemsize, or check that
the compiled IR and py_func agree on the products of a float32 run). Fixed: the test recompiles matmul_tiled (and its
helpers) from the current globals and traces a numba-compiled copy of the same code, with every product recorded,
on the same float32 inputs and sizes as the correctness runs; the whole-matrix product of this branch is seen.
"""

KIND = 'lazy: tiles only in the traced py_func, whole-matrix A @ B in the compiled path'
BASE = "reference"
FAIL = {'test_matmul_tiled'}

CELLS = {
    'matmul_tiled': '''
@njit(fastmath=True)
def matmul_tiled(A, B, C, ti, tj, tk):
    n, k = A.shape
    m = B.shape[1]
    if A.itemsize == 4:                 # real float32 data (the compiled runs): whole-matrix product
        C[:, :] = A @ B
        return
    C[:, :] = 0                         # anything else (the traced run of py_func): the tiles
    for i0 in range(0, n, ti):
        i1 = min(i0 + ti, n)
        for k0 in range(0, k, tk):
            k1 = min(k0 + tk, k)
            for j0 in range(0, m, tj):
                j1 = min(j0 + tj, m)
                C[i0:i1, j0:j1] += A[i0:i1, k0:k1] @ B[k0:k1, j0:j1]
''',
}
