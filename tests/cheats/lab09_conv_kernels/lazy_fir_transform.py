"""Lazy submission for lab09 Parts 3 and 4: the Winograd formula with the global matrices, ragged edges and all, but
the tiles are never gathered -- a library filter does the input transform. Row i of B^T d for every tile t is
sum_j BT[i, j] d[2t + j], a stride-2 correlation of d with the row, so:

- Part 3: ``scipy.signal.upfirdn(BT[i][::-1], d, down=2)`` gives row i of the input transform of every tile at once;
- Part 4: B^T d B of every 4x4 tile is a stride-2 convolution of each channel with the 16 kernels outer(BT[a], BT[b]):
  the student's own ``conv2d_im2col`` (Part 2) computes it.

The element-wise products and the output transform follow. Both compute the formula for any matrices, so the
swapped-matrix tests alone would pass them; Parts 3 and 4 switch off scipy.signal's FIR/IIR filters (upfirdn,
lfilter, sosfilt, filtfilt, sosfiltfilt) and the notebook's own im2col and conv2d_im2col while the kernels run.
Parts 3 and 4 must lose their points.
"""

KIND = "lazy: Winograd input transform by scipy.signal.upfirdn (1-D) and by the student's own conv2d_im2col (2-D)"
BASE = "reference"
FAIL = {"test_winograd_1d", "test_winograd_2d"}

CELLS = {
    "winograd_1d": '''
import scipy.signal

F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def winograd_f23_1d(d, g):
    d, g = np.asarray(d, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if g.shape != (3,) or d.ndim != 1 or len(d) < 3:
        raise ValueError("need 3 taps and at least 3 values")
    n_out = len(d) - 2
    tiles = -(-n_out // 2)
    padded = np.concatenate([d, np.zeros(2 * tiles + 2 - len(d))])
    BT = np.asarray(F23_BT)
    # row i of B^T d for every tile: a stride-2 FIR of the padded signal with BT[i]
    shifted = np.concatenate([[0.0], padded])
    V = np.stack([scipy.signal.upfirdn(BT[i][::-1], shifted, down=2)[2:2 + tiles] for i in range(4)], axis=1)
    return ((V * (np.asarray(F23_G) @ g)) @ np.asarray(F23_AT).T).reshape(-1)[:n_out]
''',
    "winograd_2d": '''
def winograd_conv2d(x, w, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or w.shape[2:] != (3, 3) or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError("need w (K, C, 3, 3) with the channels of x")
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, Hp, Wp = x.shape
    K = w.shape[0]
    Ho, Wo = Hp - 2, Wp - 2
    th, tw = -(-Ho // 2), -(-Wo // 2)
    full = np.zeros((N * C, 1, 2 * th + 2, 2 * tw + 2))
    full[:, 0, :Hp, :Wp] = x.reshape(N * C, Hp, Wp)
    BT, G, AT = np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT)
    kernels = np.einsum("ai,bj->abij", BT, BT).reshape(16, 1, 4, 4)           # outer(BT[a], BT[b])
    V = conv2d_im2col(full, kernels, stride=2)                                 # (N*C, 16, th, tw): B^T d B per tile
    V = V.reshape(N, C, 4, 4, th, tw)
    U = np.einsum("ai,kcij,bj->kcab", G, w, G)
    M = np.einsum("kcab,ncabtu->nktuab", U, V)
    Y = np.einsum("ia,nktuab,jb->nktiuj", AT, M, AT).reshape(N, K, 2 * th, 2 * tw)
    return Y[:, :, :Ho, :Wo]
''',
}
