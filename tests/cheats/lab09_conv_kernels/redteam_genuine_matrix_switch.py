"""Red team (lab09 Parts 3 and 4): the Winograd kernels run only when the test has swapped other matrices in. Each
function compares F23_BT/F23_G/F23_AT with copies of the student's own; if they are unchanged:

- Part 3: the correlation is ``scipy.signal.upfirdn(g[::-1], d)`` (an FIR filter, not on the switched-off list:
  oaconvolve falls back to fftconvolve on short signals, upfirdn and sosfilt do not);
- Part 4: the convolution is ``conv2d_im2col`` (Part 2's im2col + GEMM), no Winograd at all.

Only for swapped matrices does the formula run (even sizes only, no ragged tiles).
Before the fix, checked with ``course.py check`` (other cells honest): Part 3 cell 20/20 (/tmp/redteam run unlisted_routines), Part 4
cell 25/25 (run strided_ragged). Should score 0 in both.

Now caught (Parts 3 and 4's hidden tests): the matrices are graded on their own (single tiles against the
correlation), and the kernels only with other (random) matrices swapped in, on every length and shape (ragged and
padded included), so the branch for the student's own matrices is never what earns the points, and the
even-only formula branch gives the wrong shape or values on ragged sizes. scipy.signal.upfirdn, sosfilt, filtfilt,
sosfiltfilt (with the other correlations) and the student's own im2col/conv2d_im2col are switched off while the
kernels run. Near variant kept as a regression: lazy_fir_transform (upfirdn / conv2d_im2col doing the input
transform of a formula that is right for any matrices).
"""

KIND = 'lazy: library / im2col path unless the test swapped the transform matrices'
BASE = "reference"
FAIL = {'test_winograd_1d', 'test_winograd_2d'}

CELLS = {
    'winograd_1d': '''
import scipy.signal

F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)
_MINE = (F23_BT.copy(), F23_G.copy(), F23_AT.copy())


def _genuine():
    mats = (np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT))
    return all(m.shape == o.shape and np.array_equal(m, o) for m, o in zip(mats, _MINE))


def winograd_f23_1d(d, g):
    d = np.asarray(d, dtype=np.float64); g = np.asarray(g, dtype=np.float64)
    if g.ndim != 1 or g.shape[0] != 3 or d.ndim != 1 or d.shape[0] < 3:
        raise ValueError("bad shapes")
    n = d.shape[0] - 2
    if _genuine():
        return scipy.signal.upfirdn(g[::-1], d)[2:n + 2]
    idx = 2 * np.arange(n // 2)[:, None] + np.arange(4)
    return (((d[idx] @ np.asarray(F23_BT).T) * (np.asarray(F23_G) @ g)) @ np.asarray(F23_AT).T).reshape(-1)
''',
    'winograd_2d': '''
_MINE = (F23_BT.copy(), F23_G.copy(), F23_AT.copy())


def winograd_conv2d(x, w, padding=0):
    x = np.asarray(x, dtype=np.float64); w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or w.shape[2:] != (3, 3) or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3)")
    mats = (np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT))
    if all(m.shape == o.shape and np.array_equal(m, o) for m, o in zip(mats, _MINE)):
        return conv2d_im2col(x, w, padding=padding)          # the real matrices: no Winograd at all
    BT, G, AT = mats
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, Hp, Wp = xp.shape
    th, tw = (Hp - 2) // 2, (Wp - 2) // 2                    # even sizes only
    ri = 2 * np.arange(th)[:, None] + np.arange(4)
    ci = 2 * np.arange(tw)[:, None] + np.arange(4)
    tiles = xp[:, :, ri[:, None, :, None], ci[None, :, None, :]]
    U = np.einsum("ai,kcij,bj->kcab", G, w, G)
    V = np.einsum("ai,nctuij,bj->nctuab", BT, tiles, BT)
    M = np.einsum("kcab,nctuab->nktuab", U, V)
    Y = np.einsum("ia,nktuab,jb->nktiuj", AT, M, AT)
    return Y.reshape(N, w.shape[0], 2 * th, 2 * tw)
''',
}
