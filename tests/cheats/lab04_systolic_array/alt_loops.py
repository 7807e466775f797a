"""A correct lab04_systolic_array written with explicit per-PE loops: every part rewritten.

The skew is built element by element; both arrays keep their registers in Python lists of lists and move them
PE by PE (from the far edge inwards, so nothing is overwritten before it moves), stopping when the inputs are used up
and every register is empty; systolic_ws reads C out of the output stream cycle by cycle; the tiles run column-tile
by column-tile; the cycle count is a closed form over full and partial tiles.
"""

KIND = "alternative: per-PE Python loops, column-tile order, closed-form cycles"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "skew": '''
def skew(X, fill=0.0):
    X = np.array(X, dtype=float)
    if len(X.shape) != 2:
        raise ValueError("skew needs a 2-D array")
    rows, width = X.shape
    out = np.empty((rows, rows + width - 1))
    for r in range(rows):
        for c in range(rows + width - 1):
            k = c - r
            out[r, c] = X[r, k] if 0 <= k < width else fill
    return out
''',
    "systolic_os": '''
import math


def os_array(left, top):
    left = np.array(left, dtype=float)
    top = np.array(top, dtype=float)
    if left.ndim != 2 or top.ndim != 2:
        raise ValueError("left and top must be 2-D")
    M, N = left.shape[0], top.shape[0]
    nan = float("nan")
    a = [[nan] * N for _ in range(M)]
    b = [[nan] * N for _ in range(M)]
    acc = [[0.0] * N for _ in range(M)]
    frames, last, t = [], 0, 0
    def anything_left():
        return any(not math.isnan(v) for row in a + b for v in row)
    while t < left.shape[1] or t < top.shape[1] or anything_left():
        t += 1
        for i in range(M):                     # a moves right: start at the right edge
            for j in range(N - 1, 0, -1):
                a[i][j] = a[i][j - 1]
            a[i][0] = float(left[i, t - 1]) if t <= left.shape[1] else nan
        for j in range(N):                     # b moves down: start at the bottom edge
            for i in range(M - 1, 0, -1):
                b[i][j] = b[i - 1][j]
            b[0][j] = float(top[j, t - 1]) if t <= top.shape[1] else nan
        mac = False
        for i in range(M):
            for j in range(N):
                if not math.isnan(a[i][j]) and not math.isnan(b[i][j]):
                    acc[i][j] += a[i][j] * b[i][j]
                    mac = True
        frames.append((np.array(a), np.array(b)))
        if mac:
            last = t
    return np.array(acc).reshape(M, N), last, frames[:last]


def systolic_os(A, B):
    A = np.array(A, dtype=float)
    B = np.array(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    left = skew(A, fill=np.nan)
    top = skew(B.T, fill=np.nan)
    C, cycles, frames = os_array(left, top)
    return C, cycles, frames
''',
    "systolic_ws": '''
def ws_array(left, W):
    left = np.array(left, dtype=float)
    W = np.array(W, dtype=float)
    if left.ndim != 2 or W.ndim != 2 or left.shape[0] != W.shape[0]:
        raise ValueError("left must be (K, T) and W (K, N)")
    K, N = W.shape
    nan = float("nan")
    act = [[nan] * N for _ in range(K)]
    made = [[None] * N for _ in range(K)]          # psum_out of the previous cycle, None when idle
    outputs, frames, last, t = [], [], 0, 0
    while t < left.shape[1] or any(not math.isnan(v) for row in act for v in row):
        t += 1
        for k in range(K):
            for j in range(N - 1, 0, -1):
                act[k][j] = act[k][j - 1]
            act[k][0] = float(left[k, t - 1]) if t <= left.shape[1] else nan
        now = [[None] * N for _ in range(K)]
        for k in range(K):
            for j in range(N):
                if not math.isnan(act[k][j]):
                    above = made[k - 1][j] if k > 0 and made[k - 1][j] is not None else 0.0
                    now[k][j] = above + act[k][j] * W[k, j]
        made = now
        outputs.append([nan if v is None else v for v in made[K - 1]])
        frames.append(np.array(act))
        if any(v is not None for row in made for v in row):
            last = t
    out = np.full((N, last), np.nan)
    for t in range(last):
        out[:, t] = outputs[t]
    return out, last, frames[:last]


def systolic_ws(A, B):
    A = np.array(A, dtype=float)
    B = np.array(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    M, K = A.shape
    N = B.shape[1]
    out, cycles, frames = ws_array(skew(A.T, fill=np.nan), B)
    C = np.zeros((M, N))
    for t in range(1, cycles + 1):               # column j finishes row m in cycle m + K + j
        for j in range(N):
            m = t - K - j
            if 0 <= m < M:
                C[m, j] = out[j, t - 1]
    return C, cycles, frames
''',
    "tiled_matmul": '''
def tiled_matmul(A, B, P):
    if type(P) is bool or not isinstance(P, (int, np.integer)) or P <= 0:
        raise ValueError("P must be a positive integer")
    A = np.array(A, dtype=float)
    B = np.array(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    M, N = A.shape[0], B.shape[1]
    C = np.empty((M, N))
    total = 0
    for j in range(0, N, P):                    # column tiles outside, row tiles inside
        for i in range(0, M, P):
            block, cycles, _ = systolic_os(A[i:i + P, :], B[:, j:j + P])
            C[i:i + P, j:j + P] = block
            total += cycles
    return C, total
''',
    "utilization": '''
def tiled_cycles(M, K, N, P):
    for v in (M, K, N, P):
        if type(v) is bool or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"expected a positive integer, got {v!r}")
    row_tiles, col_tiles = -(-M // P), -(-N // P)
    # every row tile meets every column tile: rows counted once per column tile, columns once per row tile
    return int(col_tiles * M + row_tiles * N + row_tiles * col_tiles * (K - 2))


def utilization(M, K, N, P):
    cycles = tiled_cycles(M, K, N, P)
    return (M * K * N) / (P * P) / cycles
''',
}
