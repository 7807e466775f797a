"""Lazy submission for lab04_systolic_array: arrays that assume their input is a skewed matrix.

``os_array`` and ``ws_array`` never step a register: they undo the skew to get A (and B) back, compute the product
with ``@``, take the cycle count from ``M + K + N - 2`` and fabricate the frames from the index rule.
``systolic_os``/``systolic_ws`` call them properly, so on skewed matrices everything looks right; the hidden tests
feed the arrays streams with gaps and of unequal lengths, where only a simulation gets the answer. Parts 2 and 3
must score 0.
"""

KIND = "lazy: arrays that unskew their input, multiply with @ and fabricate cycles and frames"
BASE = "reference"
FAIL = {"test_systolic_os", "test_systolic_ws"}

CELLS = {
    "systolic_os": '''
def os_array(left, top):
    left = np.asarray(left, dtype=float)
    top = np.asarray(top, dtype=float)
    if left.ndim != 2 or top.ndim != 2:
        raise ValueError("2-D please")
    M, N = left.shape[0], top.shape[0]
    K = max(left.shape[1] - M + 1, 0)
    A = np.array([[left[i, i + k] if i + k < left.shape[1] else 0.0 for k in range(K)] for i in range(M)]).reshape(M, K)
    B = np.array([[top[j, j + k] if j + k < top.shape[1] else 0.0 for j in range(N)] for k in range(K)]).reshape(K, N)
    A, B = np.nan_to_num(A), np.nan_to_num(B)
    cycles = M + K + N - 2 if K else 0
    frames = []
    for t in range(1, cycles + 1):              # PE (i, j) holds A[i, k] and B[k, j] with k = t - 1 - i - j
        fa, fb = np.full((M, N), np.nan), np.full((M, N), np.nan)
        for i in range(M):
            for j in range(N):
                k = t - 1 - i - j
                if 0 <= k < K:
                    fa[i, j], fb[i, j] = A[i, k], B[k, j]
        frames.append((fa, fb))
    return A @ B, cycles, frames


def systolic_os(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    return os_array(skew(A, fill=np.nan), skew(B.T, fill=np.nan))
''',
    "systolic_ws": '''
def ws_array(left, W):
    left = np.asarray(left, dtype=float)
    W = np.asarray(W, dtype=float)
    if left.ndim != 2 or W.ndim != 2 or left.shape[0] != W.shape[0]:
        raise ValueError("shapes")
    K, N = W.shape
    M = max(left.shape[1] - K + 1, 0)
    A = np.nan_to_num(np.array([[left[k, m + k] for k in range(K)] for m in range(M)]).reshape(M, K))
    C = A @ W
    cycles = M + K + N - 2 if M else 0
    out = np.full((N, cycles), np.nan)
    for m in range(M):
        for j in range(N):
            out[j, m + K - 1 + j] = C[m, j]
    frames = []
    for t in range(1, cycles + 1):
        f = np.full((K, N), np.nan)
        for k in range(K):
            for j in range(N):
                if 0 <= t - 1 - k - j < M:
                    f[k, j] = A[t - 1 - k - j, k]
        frames.append(f)
    return out, cycles, frames


def systolic_ws(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    M, K = A.shape
    out, cycles, frames = ws_array(skew(A.T, fill=np.nan), B)
    return np.array([[out[j, m + K - 1 + j] for j in range(B.shape[1])] for m in range(M)]), cycles, frames
''',
}
