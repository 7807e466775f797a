"""A submission that hard-codes the visible tests' answers of lab04_systolic_array.

Part 1 (skew) is written honestly; the arrays return the visible examples' answers, the matrix products use the
square-array rule "3N - 2" and compute C with numpy instead of simulating, and the tiling/utilisation parts look up
the visible shapes.
It passes the visible tests and must lose the points of Parts 2-5 on the hidden shapes.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "skew": '''
def skew(X, fill=0.0):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("2-D please")
    R, K = X.shape
    S = np.full((R, R + K - 1), fill)
    for r in range(R):
        S[r, r:r + K] = X[r]
    return S
''',
    "systolic_os": '''
def os_array(left, top):
    # the visible example only
    nan = np.nan
    frames = [(np.array([[2.0, nan]]), np.array([[1.0, nan]])), (np.array([[3.0, 2.0]]), np.array([[nan, 10.0]]))]
    return np.array([[2.0, 20.0]]), 2, frames


def systolic_os(A, B):
    A = np.asarray(A, dtype=float); B = np.asarray(B, dtype=float)
    n = max(A.shape[0], A.shape[1], B.shape[1])
    cycles = 3 * n - 2                      # the square-array rule, applied to every shape
    frames = []
    for t in range(1, cycles + 1):
        fa = np.full((3, 3), np.nan); fb = np.full((3, 3), np.nan)
        for i in range(3):
            for j in range(3):
                k = t - 1 - i - j
                if 0 <= k < 3:
                    fa[i, j] = A[i, k]; fb[i, j] = B[k, j]
        frames.append((fa, fb))
    return A @ B, cycles, frames
''',
    "systolic_ws": '''
def ws_array(left, W):
    # the visible example only
    return np.array([[np.nan, 14.0]]), 2, [np.full((2, 1), np.nan), np.full((2, 1), np.nan)]


def systolic_ws(A, B):
    A = np.asarray(A, dtype=float); B = np.asarray(B, dtype=float)
    n = max(A.shape[0], A.shape[1], B.shape[1])
    cycles = 3 * n - 2
    frames = []
    for t in range(1, cycles + 1):
        f = np.full((3, 3), np.nan)
        for k in range(3):
            for j in range(3):
                m = t - 1 - k - j
                if 0 <= m < 3:
                    f[k, j] = A[m, k]
        frames.append(f)
    return A @ B, cycles, frames
''',
    "tiled_matmul": '''
def tiled_matmul(A, B, P):
    A = np.asarray(A, dtype=float); B = np.asarray(B, dtype=float)
    return A @ B, {(5, 4, 6, 3): 30}.get((A.shape[0], A.shape[1], B.shape[1], P), 0)
''',
    "utilization": '''
def tiled_cycles(M, K, N, P):
    return {(5, 4, 6, 3): 30, (3, 3, 3, 3): 7}.get((M, K, N, P), 0)


def utilization(M, K, N, P):
    return {(3, 3, 3, 3): 27 / 63}.get((M, K, N, P), 0.5)
''',
}
