"""Lazy submission for lab09 with no library call at all: every kernel is a direct convolution written by hand,
dressed up as the part's technique.

- Part 1: the patches from `np.lib.stride_tricks.sliding_window_view` (a ready-made window view gathers them);
- Part 2: a direct convolution (one einsum per kernel offset); it calls `im2col` only to look as if it did, and
  ignores its result;
- Part 3: a direct correlation written with slices, multiplied by F23_G[0, 0] so that scaling the matrix scales
  the result;
- Part 4: a direct convolution scaled by F23_G[0, 0]**2 (passes a test that only scales F23_G by 2).

Part 5 is the reference's. Parts 1-4 must lose their points.
"""

KIND = "lazy: direct convolutions disguised as im2col+GEMM and Winograd; a window view as im2col"
BASE = "reference"
FAIL = {"test_im2col", "test_conv_gemm", "test_winograd_1d", "test_winograd_2d"}

CELLS = {
    "im2col": '''
from numpy.lib.stride_tricks import sliding_window_view


def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4 or stride < 1 or padding < 0:
        raise ValueError("bad arguments")
    N, C, H, W = x.shape
    Ho, Wo = (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("the kernel does not fit")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, (R, S), axis=(2, 3))[:, :, ::stride, ::stride]     # (N, C, Ho, Wo, R, S)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * R * S, Ho * Wo)
''',
    "conv_gemm": '''
def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x, w = np.asarray(x), np.asarray(w)
    N, C, H, W = x.shape
    K, Cw, R, S = w.shape
    if C != Cw:
        raise ValueError("channels differ")
    im2col(x, R, S, stride=stride, padding=padding)          # for show
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    out = np.zeros((N, K, Ho, Wo))
    for r in range(R):
        for s in range(S):
            patch = xp[:, :, r:r + stride * (Ho - 1) + 1:stride, s:s + stride * (Wo - 1) + 1:stride]
            out += np.einsum("kc,nchw->nkhw", w[:, :, r, s], patch)
    if b is not None:
        out = out + np.asarray(b).reshape(1, K, 1, 1)
    return out
''',
    "winograd_1d": '''
F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def winograd_f23_1d(d, g):
    d, g = np.asarray(d, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if g.shape != (3,) or d.ndim != 1 or len(d) < 3:
        raise ValueError("need 3 taps and at least 3 values")
    n = len(d) - 2
    return (d[:n] * g[0] + d[1:n + 1] * g[1] + d[2:n + 2] * g[2]) * F23_G[0, 0]
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or w.shape[2:] != (3, 3) or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError("need w (K, C, 3, 3) with the channels of x")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = xp.shape[2] - 2, xp.shape[3] - 2
    out = sum(np.einsum("kc,nchw->nkhw", w[:, :, r, s], xp[:, :, r:r + Ho, s:s + Wo]) for r in range(3) for s in range(3))
    return out * float(F23_G[0, 0]) ** 2
''',
}
