"""Lazy submission for lab04_systolic_array, Parts 4 and 5: the tiling never tiles, the formula simulates.

- ``tiled_matmul`` computes ``A @ B`` and adds up ``m + n + K - 2`` over the tiles without ever running the array.
  The hidden tests swap ``systolic_os`` for an array of their own and see the result ignore it.
- ``tiled_cycles`` asks the simulator (``tiled_matmul`` on a matrix of ones) instead of deriving the formula; the
  hidden tests switch the simulators off while they call it.

Parts 1-3 are the reference's; Parts 4 and 5 must score 0.
"""

KIND = "lazy: a tiling that never runs the array; a cycle count that simulates instead of deriving the formula"
BASE = "reference"
FAIL = {"test_tiled_matmul", "test_utilization"}

CELLS = {
    "tiled_matmul": '''
def tiled_matmul(A, B, P):
    if not isinstance(P, (int, np.integer)) or isinstance(P, bool) or P < 1:
        raise ValueError("P must be a positive integer")
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    (M, K), N = A.shape, B.shape[1]
    cycles = sum(min(P, M - i) + min(P, N - j) + K - 2 for i in range(0, M, P) for j in range(0, N, P))
    return A @ B, cycles
''',
    "utilization": '''
def tiled_cycles(M, K, N, P):
    for v in (M, K, N, P):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError("positive integers please")
    return tiled_matmul(np.ones((M, K)), np.ones((K, N)), P)[1]


def utilization(M, K, N, P):
    return M * K * N / (P * P * tiled_cycles(M, K, N, P))
''',
}
