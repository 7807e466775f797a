"""A submission that hard-codes the visible tests' answers of lab09_conv_kernels.

im2col ignores the stride (the visible tests use stride 1), the 1-D Winograd only handles signals whose output
length is even and the 2-D one only output sizes that are multiples of 2 (no ragged tiles), and both counting
functions are lookup tables of the visible cases. The F(2,3) matrices are right, and conv2d_im2col is honest (one
GEMM on the columns im2col returns; the hidden tests give it correct columns of their own), so the cheat keeps
Part 2's points. Each other part passes its visible test and must lose its points on the hidden tests.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "im2col": '''
def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = xp.shape[2] - R + 1, xp.shape[3] - S + 1          # stride ignored
    cols = np.empty((N, C, R, S, Ho, Wo), dtype=x.dtype)
    for r in range(R):
        for s in range(S):
            cols[:, :, r, s] = xp[:, :, r:r + Ho, s:s + Wo]
    return cols.reshape(N, C * R * S, Ho * Wo)
''',
    "conv_gemm": '''
def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    # honest: one GEMM on the columns im2col returns
    x, w = np.asarray(x), np.asarray(w)
    N, C, H, W = x.shape
    K, Cw, R, S = w.shape
    if C != Cw:
        raise ValueError("channels differ")
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    out = w.reshape(K, -1) @ im2col(x, R, S, stride=stride, padding=padding)
    if b is not None:
        out = out + np.asarray(b).reshape(1, K, 1)
    return out.reshape(N, K, Ho, Wo)
''',
    "winograd_1d": '''
F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def winograd_f23_1d(d, g):
    d, g = np.asarray(d, dtype=np.float64), np.asarray(g, dtype=np.float64)
    tiles = (len(d) - 2) // 2                                    # no ragged last tile
    idx = 2 * np.arange(tiles)[:, None] + np.arange(4)
    return (((d[idx] @ F23_BT.T) * (F23_G @ g)) @ F23_AT.T).reshape(-1)
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    w = np.asarray(w, dtype=np.float64)
    N, C, Hp, Wp = x.shape
    K = w.shape[0]
    th, tw = (Hp - 2) // 2, (Wp - 2) // 2                        # assumes even output sizes
    rows = 2 * np.arange(th)[:, None] + np.arange(4)
    cols = 2 * np.arange(tw)[:, None] + np.arange(4)
    tiles = x[:, :, rows[:, :, None, None], cols[None, None, :, :]].transpose(0, 1, 2, 4, 3, 5)
    U = np.einsum("ai,kcij,bj->kcab", F23_G, w, F23_G)
    V = np.einsum("ai,nctuij,bj->nctuab", F23_BT, tiles, F23_BT)
    M = np.einsum("kcab,nctuab->nktuab", U, V)
    Y = np.einsum("ia,nktuab,jb->nktuij", F23_AT, M, F23_AT)
    return Y.transpose(0, 1, 2, 4, 3, 5).reshape(N, K, 2 * th, 2 * tw)
''',
    "mult_counts": '''
def direct_mults(x_shape, w_shape, padding=0):
    table = {((1, 1, 4, 4), (1, 1, 3, 3), 0): 36, ((1, 64, 56, 56), (64, 64, 3, 3), 1): 115605504}
    return table[(tuple(x_shape), tuple(w_shape), padding)]


def winograd_mults(x_shape, w_shape, padding=0, m=2):
    table = {((1, 1, 4, 4), (1, 1, 3, 3), 0): 16, ((1, 64, 56, 56), (64, 64, 3, 3), 1): 51380224}
    return table[(tuple(x_shape), tuple(w_shape), padding)]
''',
}
