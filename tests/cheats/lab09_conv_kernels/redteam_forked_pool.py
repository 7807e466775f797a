"""Red team (lab09 Parts 1, 3, 4; the hole is in the grading watch, so every lab has it): the library routines run in a
worker process forked before the tests. ``torch.multiprocessing`` is allowed by the policy, and
``torch.multiprocessing.get_context("fork").Pool(1)`` in the first answer cell forks a worker before any test
switches anything off. Every switch-off is per process (swapped code objects) or per thread (dispatch/function modes,
profile hook), and the guard's process events are only checked when a student's cell is the direct caller
(multiprocessing is), so the worker runs ``F.unfold``, ``np.correlate`` and ``F.conv2d`` freely; Pool.apply pickles
the arrays there and back.

- Part 1: im2col = F.unfold (aten::im2col) in the worker;
- Part 3: with the student's own matrices, np.correlate in the worker (formula only for swapped matrices);
- Part 4: with the student's own matrices, F.conv2d in the worker (formula only for swapped matrices).

Before the fix, checked with ``course.py check`` (conv_gemm and mult_counts honest; /tmp/redteam run forked_pool):
100/100, Parts 1, 3, 4 at 20 + 20 + 25 = 65 points they must not earn.

Now refused by the grading watch (aisys/grading/guard.py): a process started while a student's cell is on the stack
(os.fork here, through multiprocessing's fork context) is refused with "tampering: starts a process (os.fork): a
test's watch does not reach other processes". The answer cell stops at ``_POOL = ...``, so ``im2col`` and ``_POOL``
are never defined and every part that uses them fails: test_im2col and test_conv_gemm (NameError: im2col),
test_winograd_1d and test_winograd_2d (NameError: _POOL); only Part 5 keeps its points (20/100 with ``course.py
check``). Without the watch the lab's own tests still catch Parts 1, 3 and 4: Part 1's code check follows im2col to
``_unfold_there`` and finds ``F.unfold``, and Parts 3 and 4 are graded only with swapped-in matrices on ragged sizes,
where this file's even-only formula fails.
"""

KIND = 'tampering: library convolutions in a process forked before the tests (torch.multiprocessing fork Pool)'
BASE = "reference"
FAIL = {'test_im2col', 'test_conv_gemm', 'test_winograd_1d', 'test_winograd_2d'}

CELLS = {
    'im2col': '''
import torch.multiprocessing as tmp


def _unfold_there(x, R, S, stride, padding):
    return F.unfold(torch.from_numpy(x), (R, S), padding=padding, stride=stride).numpy()


def _corr_there(d, g):
    return np.correlate(d, g, "valid")


def _conv_there(x, w, padding):
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=padding).numpy()


_POOL = tmp.get_context("fork").Pool(1)      # forked now, before any test switches anything off


def im2col(x, R, S, stride=1, padding=0):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be 4-D")
    if stride < 1 or padding < 0:
        raise ValueError("bad stride/padding")
    N, C, H, W = x.shape
    if (H + 2 * padding - R) // stride + 1 < 1 or (W + 2 * padding - S) // stride + 1 < 1:
        raise ValueError("kernel does not fit")
    return _POOL.apply(_unfold_there, (np.ascontiguousarray(x), R, S, stride, padding))
''',
    'winograd_1d': '''
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
    if _genuine():
        return _POOL.apply(_corr_there, (d, g))
    n = d.shape[0] - 2
    idx = 2 * np.arange(n // 2)[:, None] + np.arange(4)
    return (((d[idx] @ np.asarray(F23_BT).T) * (np.asarray(F23_G) @ g)) @ np.asarray(F23_AT).T).reshape(-1)
''',
    'winograd_2d': '''
def winograd_conv2d(x, w, padding=0):
    x = np.asarray(x, dtype=np.float64); w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or w.shape[2:] != (3, 3) or w.shape[1] != x.shape[1]:
        raise ValueError("w must be (K, C, 3, 3)")
    if _genuine():
        return _POOL.apply(_conv_there, (x, w, padding))
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
