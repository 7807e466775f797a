"""Red team (lab09 Parts 3 and 4): the ragged-edge step never written. The swapped-matrix checks run on even output
sizes only, so odd sizes are graded with the student's own matrices and only by their values:

- Part 3: when n - 2 is odd, winograd_f23_1d returns a direct correlation (three shifted products), no tiles;
- Part 4: when the padded input makes Ho or Wo odd, winograd_conv2d returns ``conv2d_im2col`` (Part 2's im2col +
  GEMM); the Winograd branch only handles even sizes (no zero-padding to full tiles, no crop).

Before the fix, checked with ``course.py check`` (other cells honest): Part 3 cell 20/20 (/tmp/redteam run strided_ragged), Part 4 cell
25/25 (run ragged_only, everything else honest). Should lose points as hardcoded.py's even-only kernels do.

Now caught (Parts 3 and 4's hidden tests): the kernels are graded only with other (random) matrices swapped into
F23_BT/F23_G/F23_AT, on every length and shape -- odd output sizes and padding included, expected = the formula on
every zero-padded full tile, cropped -- so the direct correlation of Part 3's ragged branch gives the wrong values,
and the student's own im2col and conv2d_im2col are switched off while the kernels run (Part 4: ForbiddenCallError
"__main__.conv2d_im2col is switched off").
"""

KIND = 'lazy: direct correlation / im2col on ragged sizes, Winograd only on even ones'
BASE = "reference"
FAIL = {'test_winograd_1d', 'test_winograd_2d'}

CELLS = {
    'winograd_1d': '''
F23_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
F23_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
F23_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def winograd_f23_1d(d, g):
    d = np.asarray(d, dtype=np.float64); g = np.asarray(g, dtype=np.float64)
    if g.ndim != 1 or g.shape[0] != 3 or d.ndim != 1 or d.shape[0] < 3:
        raise ValueError("bad shapes")
    n = d.shape[0] - 2
    if n % 2:                                   # ragged: no tiles at all
        return d[:n] * g[0] + d[1:n + 1] * g[1] + d[2:] * g[2]
    idx = 2 * np.arange(n // 2)[:, None] + np.arange(4)
    return (((d[idx] @ np.asarray(F23_BT).T) * (np.asarray(F23_G) @ g)) @ np.asarray(F23_AT).T).reshape(-1)
''',
    'winograd_2d': '''
def winograd_conv2d(x, w, padding=0):
    x = np.asarray(x, dtype=np.float64); w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or w.shape[2:] != (3, 3) or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3)")
    if (x.shape[2] + 2 * padding) % 2 or (x.shape[3] + 2 * padding) % 2:     # ragged: not Winograd
        return conv2d_im2col(x, w, padding=padding)
    BT, G, AT = np.asarray(F23_BT), np.asarray(F23_G), np.asarray(F23_AT)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, Hp, Wp = xp.shape
    th, tw = (Hp - 2) // 2, (Wp - 2) // 2
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
