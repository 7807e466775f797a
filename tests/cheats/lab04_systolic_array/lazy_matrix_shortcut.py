"""Lazy submission for lab04_systolic_array: the arrays are written, but the matrix products skip them.

``os_array`` and ``ws_array`` are the reference's. ``systolic_os`` and ``systolic_ws`` never run them: they compute
``C = A @ B``, take the cycle count from the formula ``M + K + N - 2`` and fabricate every frame from the index rule
(PE (i, j) holds A[i, t-1-i-j] ...). On skewed matrices that is indistinguishable from a simulation by its return
value alone; the hidden tests run the products on an array of their own (one that doubles its input) and must see it
followed. Parts 2 and 3 must score 0.
"""

KIND = "lazy: C = A @ B, cycles and frames from the formula, the array never run"
BASE = "reference"
FAIL = {"test_systolic_os", "test_systolic_ws"}

_ARRAYS_OS = '''
def os_array(left, top):
    left = np.asarray(left, dtype=float)
    top = np.asarray(top, dtype=float)
    if left.ndim != 2 or top.ndim != 2:
        raise ValueError("2-D please")
    M, N = left.shape[0], top.shape[0]
    T = max(left.shape[1], top.shape[1])
    a, b, acc = np.full((M, N), np.nan), np.full((M, N), np.nan), np.zeros((M, N))
    frames, cycles, t = [], 0, 0
    while t < T or not (np.isnan(a).all() and np.isnan(b).all()):
        t += 1
        a[:, 1:] = a[:, :-1].copy()
        b[1:, :] = b[:-1, :].copy()
        a[:, 0] = left[:, t - 1] if t <= left.shape[1] else np.nan
        b[0, :] = top[:, t - 1] if t <= top.shape[1] else np.nan
        busy = ~np.isnan(a) & ~np.isnan(b)
        acc[busy] += a[busy] * b[busy]
        frames.append((a.copy(), b.copy()))
        if busy.any():
            cycles = t
    return acc, cycles, frames[:cycles]
'''

_ARRAYS_WS = '''
def ws_array(left, W):
    left = np.asarray(left, dtype=float)
    W = np.asarray(W, dtype=float)
    if left.ndim != 2 or W.ndim != 2 or left.shape[0] != W.shape[0]:
        raise ValueError("shapes")
    K, N = W.shape
    T = left.shape[1]
    act, psum = np.full((K, N), np.nan), np.zeros((K, N))
    out, frames, cycles, t = [], [], 0, 0
    while t < T or not np.isnan(act).all():
        t += 1
        act[:, 1:] = act[:, :-1].copy()
        act[:, 0] = left[:, t - 1] if t <= T else np.nan
        busy = ~np.isnan(act)
        above = np.vstack([np.zeros((1, N)), psum[:-1]])
        psum = np.where(busy, above + np.where(busy, act, 0.0) * W, 0.0)
        out.append(np.where(busy[K - 1], psum[K - 1], np.nan))
        frames.append(act.copy())
        if busy.any():
            cycles = t
    return np.array(out).reshape(-1, N).T[:, :cycles], cycles, frames[:cycles]
'''

CELLS = {
    "systolic_os": _ARRAYS_OS + '''

def systolic_os(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    (M, K), N = A.shape, B.shape[1]
    cycles = M + K + N - 2
    frames = []
    for t in range(1, cycles + 1):
        fa, fb = np.full((M, N), np.nan), np.full((M, N), np.nan)
        for i in range(M):
            for j in range(N):
                if 0 <= t - 1 - i - j < K:
                    fa[i, j], fb[i, j] = A[i, t - 1 - i - j], B[t - 1 - i - j, j]
        frames.append((fa, fb))
    return A @ B, cycles, frames
''',
    "systolic_ws": _ARRAYS_WS + '''

def systolic_ws(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    (M, K), N = A.shape, B.shape[1]
    cycles = M + K + N - 2
    frames = []
    for t in range(1, cycles + 1):
        f = np.full((K, N), np.nan)
        for k in range(K):
            for j in range(N):
                if 0 <= t - 1 - k - j < M:
                    f[k, j] = A[t - 1 - k - j, k]
        frames.append(f)
    return A @ B, cycles, frames
''',
}
