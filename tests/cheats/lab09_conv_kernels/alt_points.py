"""A correct lab09 submission from the red team, unusual in every part (full marks expected).

- im2col by ``np.take`` on flat offsets: one index per (c, r, s) row and one per output position (i, j), added into a
  (C*R*S, Ho*Wo) table of offsets into each padded image;
- conv2d_im2col as one ``np.einsum`` over the batch of column matrices;
- Winograd F(2,3) built by Toom-Cook on the interpolation points 0, 2, -2 and infinity (not 0, 1, -1): other
  matrices, with 1/4 and 1/8 in B^T and 2, 4 in G, that satisfy the same identity; the 1-D kernel gathers all tiles
  with fancy indexing;
- F(2x2,3x3) as 16 batched matmuls (K x C) @ (C x tiles), one per position of the 4x4 tile; ragged edges by a
  zero-filled input of full tiles;
- the counts with integer ceiling division.
"""

KIND = "alternative: Toom-Cook points 0, +-2, inf; np.take im2col; einsum GEMM; 16 batched matmuls"
EXPECT = "full"
BASE = "release"

CELLS = {
    "im2col": '''
def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be 4-D")
    if stride < 1 or padding < 0:
        raise ValueError("bad stride/padding")
    N, C, H, W = x.shape
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("kernel does not fit")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Hp, Wp = xp.shape[2:]
    # flat offsets into one (Hp*Wp) image plane: rows (c, r, s) -> c*Hp*Wp + r*Wp + s, columns (i, j)
    rows = (np.arange(C)[:, None, None] * Hp * Wp + np.arange(R)[None, :, None] * Wp
            + np.arange(S)[None, None, :]).reshape(-1)
    cols = (np.arange(Ho)[:, None] * stride * Wp + np.arange(Wo)[None, :] * stride).reshape(-1)
    flat = xp.reshape(N, C * Hp * Wp)
    return np.take(flat, rows[:, None] + cols[None, :], axis=1)
''',
    "conv_gemm": '''
def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x = np.asarray(x); w = np.asarray(w)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channels differ")
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    cols = im2col(x, R, S, stride=stride, padding=padding)
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    y = np.einsum("kq,nqp->nkp", w.reshape(K, -1), cols)
    if b is not None:
        y = y + np.asarray(b)[None, :, None]
    return y.reshape(N, K, Ho, Wo)
''',
    "winograd_1d": '''
# Toom-Cook with the points 0, 2, -2 and infinity (not 0, 1, -1): another valid F(2,3)
F23_AT = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 2.0, -2.0, 1.0]])
F23_G = np.array([[1.0, 0.0, 0.0], [1.0, 2.0, 4.0], [1.0, -2.0, 4.0], [0.0, 0.0, 1.0]])
F23_BT = np.array([[1.0, 0.0, -0.25, 0.0], [0.0, 0.25, 0.125, 0.0], [0.0, -0.25, 0.125, 0.0], [0.0, -4.0, 0.0, 1.0]])

def winograd_f23_1d(d, g):
    d = np.asarray(d, dtype=np.float64); g = np.asarray(g, dtype=np.float64)
    if g.ndim != 1 or g.shape[0] != 3:
        raise ValueError("g needs 3 taps")
    if d.ndim != 1 or d.shape[0] < 3:
        raise ValueError("d too short")
    n = d.shape[0] - 2
    T = (n + 1) // 2
    if 2 * T + 2 > d.shape[0]:
        d = np.concatenate([d, np.zeros(2 * T + 2 - d.shape[0])])
    tiles = d[2 * np.arange(T)[:, None] + np.arange(4)[None, :]]
    BT, G, AT = np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT)
    y = ((tiles @ BT.T) * (G @ g)) @ AT.T
    return y.reshape(-1)[:n]
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x = np.asarray(x, dtype=np.float64); w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or w.shape[2:] != (3, 3) or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3)")
    N, C, H, W = x.shape
    K = w.shape[0]
    Ho, Wo = H + 2 * padding - 2, W + 2 * padding - 2
    if Ho < 1 or Wo < 1:
        raise ValueError("too small")
    th, tw = (Ho + 1) // 2, (Wo + 1) // 2
    xp = np.zeros((N, C, 2 * th + 2, 2 * tw + 2))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    BT, G, AT = np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT)
    ri = 2 * np.arange(th)[:, None] + np.arange(4)
    ci = 2 * np.arange(tw)[:, None] + np.arange(4)
    tiles = xp[:, :, ri[:, None, :, None], ci[None, :, None, :]]          # N, C, th, tw, 4, 4
    U = np.einsum("ai,kcij,bj->abkc", G, w, G, optimize=True).reshape(16, K, C)
    V = np.einsum("ai,nctuij,bj->abcntu", BT, tiles, BT, optimize=True).reshape(16, C, -1)
    M = np.matmul(U, V).reshape(4, 4, K, N, th, tw)                      # 16 GEMMs
    Y = np.einsum("ia,abknts,jb->nktisj", AT, M, AT, optimize=True).reshape(N, K, 2 * th, 2 * tw)
    return Y[:, :, :Ho, :Wo]
''',
    "mult_counts": '''
def _shapes(x_shape, w_shape, padding):
    N, C, H, W = map(int, x_shape)
    K, C2, r, s = map(int, w_shape)
    if r != s or C != C2:
        raise ValueError("bad kernel")
    Ho, Wo = H + 2 * padding - r + 1, W + 2 * padding - r + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("does not fit")
    return N, C, K, r, Ho, Wo


def direct_mults(x_shape, w_shape, padding=0):
    N, C, K, r, Ho, Wo = _shapes(x_shape, w_shape, padding)
    return N * K * Ho * Wo * C * r * r


def winograd_mults(x_shape, w_shape, padding=0, m=2):
    N, C, K, r, Ho, Wo = _shapes(x_shape, w_shape, padding)
    return N * K * C * ((Ho + m - 1) // m) * ((Wo + m - 1) // m) * (m + r - 1) ** 2
''',
}
