"""A correct lab09 submission written differently from the reference (every part rewritten).

- im2col as one fancy-indexing gather with index grids for (c, r, s) and (i, j);
- conv2d_im2col with a loop over the batch and np.tensordot;
- Winograd F(2,3) with the interpolation-point matrices (points 0, 1, -1, infinity: the 1/2 sits in B^T, not in G,
  and the last product has the other sign), one tile at a time in a Python loop;
- Winograd F(2x2,3x3) tile by tile with explicit matrix products B^T d B, G g G^T, A^T M A; ragged edges by
  zero-padding the input;
- the counts with integer ceiling division.
"""

KIND = "alternative: index-grid im2col, per-tile loops, interpolation-point Winograd matrices"
EXPECT = "full"
BASE = "release"

CELLS = {
    "im2col": '''
def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be (N, C, H, W)")
    if stride < 1:
        raise ValueError("stride must be >= 1")
    if padding < 0:
        raise ValueError("padding must be >= 0")
    N, C, H, W = x.shape
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    if min(Ho, Wo) < 1:
        raise ValueError("kernel larger than the padded input")
    xp = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    xp[:, :, padding:padding + H, padding:padding + W] = x
    c = np.repeat(np.arange(C), R * S)                         # row index (c, r, s) -> c, r, s
    r = np.tile(np.repeat(np.arange(R), S), C)
    s = np.tile(np.arange(S), C * R)
    i = np.repeat(np.arange(Ho), Wo) * stride                  # column index i * Wo + j -> i, j
    j = np.tile(np.arange(Wo), Ho) * stride
    return xp[:, c[:, None], r[:, None] + i[None, :], s[:, None] + j[None, :]]
''',
    "conv_gemm": '''
def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x = np.asarray(x)
    w = np.asarray(w)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"channel mismatch: {x.shape[1]} vs {w.shape[1]}")
    K, C, R, S = w.shape
    cols = im2col(x, R, S, stride=stride, padding=padding)
    Ho = (x.shape[2] + 2 * padding - R) // stride + 1
    Wo = (x.shape[3] + 2 * padding - S) // stride + 1
    flat = w.reshape(K, C * R * S)
    out = np.stack([np.tensordot(flat, cols[n], axes=(1, 0)) for n in range(x.shape[0])])
    if b is not None:
        out += np.asarray(b)[None, :, None]
    return out.reshape(x.shape[0], K, Ho, Wo)
''',
    "winograd_1d": '''
F23_AT = np.array([[1.0, 1.0, 1.0, 0.0],
                   [0.0, 1.0, -1.0, 1.0]])
F23_G = np.array([[1.0, 0.0, 0.0],
                  [1.0, 1.0, 1.0],
                  [1.0, -1.0, 1.0],
                  [0.0, 0.0, 1.0]])
F23_BT = np.array([[1.0, 0.0, -1.0, 0.0],
                   [0.0, 0.5, 0.5, 0.0],
                   [0.0, -0.5, 0.5, 0.0],
                   [0.0, -1.0, 0.0, 1.0]])


def winograd_f23_1d(d, g):
    d = np.asarray(d, dtype=float)
    g = np.asarray(g, dtype=float)
    if g.ndim != 1 or g.size != 3:
        raise ValueError("g needs exactly 3 taps")
    if d.ndim != 1 or d.size < 3:
        raise ValueError("d needs at least 3 values")
    n_out = d.size - 2
    u = F23_G @ g
    if n_out % 2:
        d = np.append(d, 0.0)
    out = []
    for t in range(0, n_out, 2):
        out.extend(F23_AT @ (u * (F23_BT @ d[t:t + 4])))
    return np.array(out[:n_out])
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 4 or w.ndim != 4 or w.shape[2] != 3 or w.shape[3] != 3 or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3) with the channels of x")
    N, C, H, W = x.shape
    K = w.shape[0]
    Ho, Wo = H + 2 * padding - 2, W + 2 * padding - 2
    if Ho < 1 or Wo < 1:
        raise ValueError("input too small for a 3x3 kernel")
    th, tw = -(-Ho // 2), -(-Wo // 2)
    xp = np.zeros((N, C, 2 * th + 2, 2 * tw + 2))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    U = np.array([[F23_G @ w[k, c] @ F23_G.T for c in range(C)] for k in range(K)])      # (K, C, 4, 4)
    y = np.zeros((N, K, 2 * th, 2 * tw))
    for a in range(th):
        for bb in range(tw):
            d = xp[:, :, 2 * a:2 * a + 4, 2 * bb:2 * bb + 4]                                 # (N, C, 4, 4)
            V = F23_BT @ d @ F23_BT.T                                                        # (N, C, 4, 4)
            M = np.einsum("kcuv,ncuv->nkuv", U, V)
            y[:, :, 2 * a:2 * a + 2, 2 * bb:2 * bb + 2] = F23_AT @ M @ F23_AT.T
    return y[:, :, :Ho, :Wo]
''',
    "mult_counts": '''
def _conv_shapes(x_shape, w_shape, padding):
    N, C, H, W = (int(v) for v in x_shape)
    K, Cw, r, s = (int(v) for v in w_shape)
    if r != s:
        raise ValueError("the kernel must be square")
    if C != Cw:
        raise ValueError("channel counts differ")
    Ho, Wo = H + 2 * padding - r + 1, W + 2 * padding - r + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("the kernel does not fit")
    return N, C, K, r, Ho, Wo


def direct_mults(x_shape, w_shape, padding=0):
    N, C, K, r, Ho, Wo = _conv_shapes(x_shape, w_shape, padding)
    return N * K * C * Ho * Wo * r * r


def winograd_mults(x_shape, w_shape, padding=0, m=2):
    N, C, K, r, Ho, Wo = _conv_shapes(x_shape, w_shape, padding)
    return N * K * C * (-(-Ho // m)) * (-(-Wo // m)) * (m + r - 1) ** 2
''',
}
