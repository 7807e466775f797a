"""Lazy submission for lab09: library routines bound early under other names, so that switching off the public
names (`F.conv2d = blocked`) would not reach them.

- Part 1: `_unfold = F.unfold` bound at definition time (aten::im2col);
- Part 2: `torch.convolution` (aten::convolution), not a GEMM on im2col's columns;
- Part 3: the F(2,3) matrices are right, but the 1-D function calls `np.correlate` (bound early as `_corr`);
- Part 4: `scipy.signal.correlate` per (n, k) pair, scaled by F23_G[0, 0]**2 so that the old "scale F23_G by 2,
  the output scales by 4" check would pass.

Part 5 is the reference's. Parts 1-4 must lose their points.
"""

KIND = "lazy: early-bound library convolutions (F.unfold, torch.convolution, np.correlate, scipy.signal)"
BASE = "reference"
FAIL = {"test_im2col", "test_conv_gemm", "test_winograd_1d", "test_winograd_2d"}

CELLS = {
    "im2col": '''
_unfold = F.unfold


def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4 or stride < 1 or padding < 0:
        raise ValueError("bad arguments")
    H, W = x.shape[2:]
    if (H + 2 * padding - R) // stride + 1 < 1 or (W + 2 * padding - S) // stride + 1 < 1:
        raise ValueError("the kernel does not fit")
    return _unfold(torch.from_numpy(x), (R, S), padding=padding, stride=stride).numpy()
''',
    "conv_gemm": '''
_conv = torch.convolution


def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channels differ")
    bt = None if b is None else torch.from_numpy(np.asarray(b, dtype=np.float64))
    return _conv(torch.from_numpy(x), torch.from_numpy(w), bt, [stride, stride], [padding, padding], [1, 1],
                 False, [0, 0], 1).numpy()
''',
    "winograd_1d": '''
F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)
_corr = np.correlate


def winograd_f23_1d(d, g):
    d, g = np.asarray(d, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if g.shape != (3,) or d.ndim != 1 or len(d) < 3:
        raise ValueError("need 3 taps and at least 3 values")
    return _corr(d, g, "valid") * F23_G[0, 0]
''',
    "winograd_2d": '''
import scipy.signal

_correlate = scipy.signal.correlate


def winograd_conv2d(x, w, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or w.shape[2:] != (3, 3) or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError("need w (K, C, 3, 3) with the channels of x")
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, Hp, Wp = x.shape
    K = w.shape[0]
    out = np.zeros((N, K, Hp - 2, Wp - 2))
    for n in range(N):
        for k in range(K):
            out[n, k] = _correlate(x[n], w[k], mode="valid")[0]      # (C, Hp, Wp) with (C, 3, 3)
    return out * float(np.asarray(F23_G)[0, 0]) ** 2
''',
}
