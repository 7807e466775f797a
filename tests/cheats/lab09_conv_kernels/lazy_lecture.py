"""Lazy submission for lab09: the lecture notebook 04_inference/05_kernel_optimization pasted into the answer cells.

- Part 1: the lecture's `im2row` (NHWC input, rows ordered (r, s, c), built from `sliding_window_view`) with a
  wrapper that converts the layout to the lab's columns: a library window view does the gathering, and Part 1's
  hidden tests switch window views off;
- Part 2: the lecture's `conv_im2col` (its own im2row GEMM) wrapped to add the bias: it never calls the lab's
  `im2col`, so it does not compute the GEMM on the columns the tests hand it;
- Part 4: the lecture's `conv_winograd` with its interpolation-built matrices: full tiles only (no ragged edges) and
  not the student's F23 matrices.

Parts 3 and 5 are the reference's. Parts 1, 2 and 4 must lose their points.
"""

KIND = "lazy: the lecture notebook's im2row, conv_im2col and conv_winograd pasted"
BASE = "reference"
FAIL = {"test_im2col", "test_conv_gemm", "test_winograd_2d"}

CELLS = {
    "im2col": '''
from numpy.lib.stride_tricks import sliding_window_view


def im2row(x_nhwc, R, S, stride=1, padding=0):
    # NHWC input (N, H, W, C) -> (N, Ho*Wo, R*S*C): one row per output pixel, entries ordered (r, s, c),
    # like a weight stored (K, R, S, C) and flattened.
    N, H, W, C = x_nhwc.shape
    xp = np.pad(x_nhwc, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    windows = sliding_window_view(xp, (R, S), axis=(1, 2))[:, ::stride, ::stride]   # (N, Ho, Wo, C, R, S): a view
    Ho, Wo = windows.shape[1:3]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(N, Ho * Wo, R * S * C)        # the reshape copies


def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be 4-D")
    if stride < 1 or padding < 0:
        raise ValueError("bad stride or padding")
    N, C, H, W = x.shape
    Ho, Wo = (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("the kernel does not fit")
    rows = im2row(x.transpose(0, 2, 3, 1), R, S, stride, padding)          # (N, Ho*Wo, R*S*C)
    rows = rows.reshape(N, Ho * Wo, R, S, C).transpose(0, 1, 4, 2, 3)       # entries ordered (c, r, s)
    return rows.reshape(N, Ho * Wo, C * R * S).transpose(0, 2, 1)
''',
    "conv_gemm": '''
def conv_im2col(x, w, padding=0, stride=1):
    # NCHW in and out like every kernel in this notebook; inside, an NHWC engine's GEMM (Ho*Wo x RSC) @ (RSC x K).
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    rows = im2row(x.transpose(0, 2, 3, 1), R, S, stride, padding)     # activations seen as NHWC
    w_ohwi = w.transpose(0, 2, 3, 1).reshape(K, R * S * C)             # weights stored (K, R, S, C)
    y = np.matmul(rows, w_ohwi.T)                                       # (N, Ho*Wo, K): the output in NHWC
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    return y.reshape(N, Ho, Wo, K).transpose(0, 3, 1, 2)


def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x, w = np.asarray(x), np.asarray(w)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channels differ")
    y = conv_im2col(x, w, padding, stride)
    return y if b is None else y + np.asarray(b).reshape(1, -1, 1, 1)
''',
    "winograd_2d": '''
from fractions import Fraction


def vandermonde(points, cols):
    # Rows [1, p, p^2, ...] for finite points; [0, ..., 0, 1] for the point at infinity (None).
    return [[Fraction(0)] * (cols - 1) + [Fraction(1)] if p is None else [Fraction(p) ** j for j in range(cols)]
            for p in points]


def inverse(M):
    # Exact Gauss-Jordan inverse of a square matrix of Fractions.
    n = len(M)
    A = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(M)]
    for col in range(n):
        piv = next(r for r in range(col, n) if A[r][col] != 0)
        A[col], A[piv] = A[piv], A[col]
        A[col] = [v / A[col][col] for v in A[col]]
        for r in range(n):
            if r != col and A[r][col] != 0:
                A[r] = [a - A[r][col] * b for a, b in zip(A[r], A[col])]
    return [row[n:] for row in A]


def winograd_matrices(m, r, points):
    # A^T (m x n), G (n x r), B^T (n x n) of F(m, r) from n - 1 finite points plus infinity.
    n = m + r - 1
    pts = list(points) + [None]
    if len(pts) != n:
        raise ValueError(f"F({m},{r}) needs {n - 1} finite points, got {len(points)}")
    Vm, Vr, Vn = vandermonde(pts, m), vandermonde(pts, r), vandermonde(pts, n)
    AT = [list(col) for col in zip(*Vm)]
    BT = [list(col) for col in zip(*inverse(Vn))]
    as_float = lambda M: np.array([[float(v) for v in row] for row in M])
    return as_float(AT), as_float(Vr), as_float(BT)


def conv_winograd(x, w, padding=0, m=2, mats=None):
    # Stride-1 convolution by Winograd F(m x m, r x r), written as 16 (n*n in general) batched GEMMs.
    N, C, H, W = x.shape
    K, _, r, _ = w.shape
    AT, G, BT = mats if mats is not None else winograd_matrices(2, 3, [0, 1, -1])
    n = m + r - 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = xp.shape[2] - r + 1, xp.shape[3] - r + 1
    if Ho % m or Wo % m:
        raise ValueError(f"this version needs output sizes divisible by {m}, got {Ho}x{Wo} (Lab 09 handles the rest)")
    th, tw = Ho // m, Wo // m
    full = xp
    ri = m * np.arange(th)[:, None] + np.arange(n)
    ci = m * np.arange(tw)[:, None] + np.arange(n)
    tiles = full[:, :, ri[:, :, None, None], ci[None, None, :, :]].transpose(0, 1, 2, 4, 3, 5)   # N,C,th,tw,n,n
    AT, G, BT = (M.astype(x.dtype) for M in (AT, G, BT))
    U = np.einsum("ai,kcij,bj->abkc", G, w, G, optimize=True)                                 # (n, n, K, C), once per layer
    V = np.einsum("ai,nctuij,bj->abcntu", BT, tiles, BT, optimize=True).reshape(n, n, C, -1) # (n, n, C, N*th*tw)
    M_ = np.matmul(U, V)                                                        # n*n GEMMs (K x C) @ (C x tiles)
    M_ = M_.reshape(n, n, K, N, th, tw)
    Y = np.einsum("ia,abkntu,jb->nktiuj", AT, M_, AT, optimize=True).reshape(N, K, th * m, tw * m)
    return Y


def winograd_conv2d(x, w, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or w.shape[2:] != (3, 3) or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError("need w (K, C, 3, 3) with the channels of x")
    return conv_winograd(x, w, padding)
''',
}
