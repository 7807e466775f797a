"""A correct lab09 submission written in another library style: PyTorch tensors and NumPy window views.

- im2col with torch: F.pad, one strided slice per kernel offset, torch.stack (no unfold);
- conv2d_im2col with torch.matmul on the columns im2col returns;
- Winograd F(2,3) with Lavin's sign convention (the last product negated in both B^T and A^T), tiles gathered with
  sliding_window_view (allowed in parts 3 and 4: the tiles are not the point there);
- Winograd F(2x2,3x3) on torch tensors made from a read-only window view: torch.from_numpy warns on stderr that
  the array is not writable (a harmless library warning that must not cost points), then torch.einsum;
- the counts with math.ceil.
"""

KIND = "alternative: torch tensors, sliding_window_view tiles, Lavin's signs, a harmless UserWarning"
EXPECT = "full"
BASE = "release"

CELLS = {
    "im2col": '''
def im2col(x, R, S, stride=1, padding=0):
    xt = torch.as_tensor(np.asarray(x))
    if xt.dim() != 4:
        raise ValueError("expected a 4-D input")
    if stride < 1 or padding < 0:
        raise ValueError("stride must be >= 1 and padding >= 0")
    N, C, H, W = xt.shape
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("the kernel does not fit the input")
    xp = F.pad(xt, (padding, padding, padding, padding))
    pieces = [xp[:, :, r:r + stride * (Ho - 1) + 1:stride, s:s + stride * (Wo - 1) + 1:stride]
              for r in range(R) for s in range(S)]                       # R*S tensors (N, C, Ho, Wo)
    cols = torch.stack(pieces, dim=2)                                    # (N, C, R*S, Ho, Wo)
    return cols.reshape(N, C * R * S, Ho * Wo).numpy()
''',
    "conv_gemm": '''
def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    wt = torch.as_tensor(np.asarray(w))
    K, C, R, S = wt.shape
    if np.shape(x)[1] != C:
        raise ValueError("x and w have different channel counts")
    N, _, H, W = np.shape(x)
    cols = torch.as_tensor(im2col(x, R, S, stride=stride, padding=padding))
    out = torch.matmul(wt.reshape(K, -1), cols)
    if b is not None:
        out = out + torch.as_tensor(np.asarray(b)).reshape(K, 1)
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    return out.reshape(N, K, Ho, Wo).numpy()
''',
    "winograd_1d": '''
from numpy.lib.stride_tricks import sliding_window_view

F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, -1, 0, 1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, 1]], dtype=np.float64)


def winograd_f23_1d(d, g):
    d, g = np.asarray(d, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if g.shape != (3,):
        raise ValueError("g must have three taps")
    if d.ndim != 1 or d.shape[0] < 3:
        raise ValueError("d must be 1-D with >= 3 values")
    n_out = d.shape[0] - 2
    d = np.concatenate([d, np.zeros(n_out % 2)])
    tiles = sliding_window_view(d, 4)[::2]                   # (tiles, 4)
    return np.einsum("oi,ti->to", F23_AT, (tiles @ F23_BT.T) * (F23_G @ g)).ravel()[:n_out]
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or tuple(w.shape[2:]) != (3, 3) or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3) matching the channels of x")
    N, C, H, W = x.shape
    Ho, Wo = H + 2 * padding - 2, W + 2 * padding - 2
    if Ho < 1 or Wo < 1:
        raise ValueError("the 3x3 kernel does not fit")
    extra_h, extra_w = Ho % 2, Wo % 2
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding + extra_h), (padding, padding + extra_w)))
    tiles = sliding_window_view(xp, (4, 4), axis=(2, 3))[:, :, ::2, ::2]     # (N, C, th, tw, 4, 4), read-only
    T = torch.from_numpy(tiles)                                               # warns: not writable (harmless)
    BT, G, AT = (torch.from_numpy(np.asarray(M, dtype=np.float64)) for M in (F23_BT, F23_G, F23_AT))
    U = torch.einsum("ai,kcij,bj->kcab", G, torch.from_numpy(w), G)
    V = torch.einsum("ai,nctuij,bj->nctuab", BT, T, BT)
    M = torch.einsum("kcab,nctuab->nktuab", U, V)
    Y = torch.einsum("ia,nktuab,jb->nktiuj", AT, M, AT)
    n, k, th, _, tw, _ = Y.shape
    return Y.reshape(n, k, 2 * th, 2 * tw)[:, :, :Ho, :Wo].numpy()
''',
    "mult_counts": '''
def direct_mults(x_shape, w_shape, padding=0):
    N, C, H, W = x_shape
    K, C2, kh, kw = w_shape
    if kh != kw or C != C2 or H + 2 * padding < kh or W + 2 * padding < kw:
        raise ValueError(f"bad shapes {x_shape}, {w_shape} with padding {padding}")
    return int(N * K * (H + 2 * padding - kh + 1) * (W + 2 * padding - kw + 1) * C * kh * kw)


def winograd_mults(x_shape, w_shape, padding=0, m=2):
    N, C, H, W = x_shape
    K, C2, kh, kw = w_shape
    if kh != kw or C != C2 or H + 2 * padding < kh or W + 2 * padding < kw:
        raise ValueError(f"bad shapes {x_shape}, {w_shape} with padding {padding}")
    tiles = math.ceil((H + 2 * padding - kh + 1) / m) * math.ceil((W + 2 * padding - kw + 1) / m)
    return int(N * K * C * tiles * (m + kh - 1) ** 2)
''',
}
