"""Lazy lab06, Part 3: a dual path chosen by size. Small products (the sizes a tracer can afford to record product by
product) take a tiled loop nest; anything with more than 5000 scalar products, which includes most of the hidden
correctness cases and every real use (the benchmark's 384 x 384), takes a whole-matrix `A @ B`. The hidden test traces
a compiled copy of matmul_tiled on the same inputs and sizes as its correctness runs, so the untiled branch is seen and
test_matmul_tiled must score 0.
"""

KIND = "lazy: tiled loops for small sizes only, a whole-matrix product above 5000 products"
BASE = "reference"
FAIL = {"test_matmul_tiled"}

CELLS = {
    "matmul_tiled": '''
@njit(fastmath=True)
def matmul_tiled(A, B, C, ti, tj, tk):
    n, k = A.shape
    m = B.shape[1]
    if n * k * m > 5000:
        C[:, :] = A @ B
        return
    C[:, :] = 0.0
    for i0 in range(0, n, ti):
        i1 = min(i0 + ti, n)
        for k0 in range(0, k, tk):
            k1 = min(k0 + tk, k)
            for j0 in range(0, m, tj):
                j1 = min(j0 + tj, m)
                for i in range(i0, i1):
                    c = C[i, j0:j1]
                    for kk in range(k0, k1):
                        a = A[i, kk]
                        b = B[kk, j0:j1]
                        for j in range(c.shape[0]):
                            c[j] += a * b[j]
''',
}
