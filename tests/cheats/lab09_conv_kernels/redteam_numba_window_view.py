"""Red team (lab09 Part 1): ``np.lib.stride_tricks.sliding_window_view`` called inside a ``numba.njit`` function. Part 1
switches the function off by swapping its code object, but numba looks the global up by object identity and compiles
its own implementation (numba/np/arrayobj.py), so the swapped code never runs and the window view is the whole
im2col (the cell compiles it for float64/float32/int64 before the tests).

Before the fix, checked with ``course.py check`` (this im2col cell; conv_gemm a detection cheat, the other cells honest;
/tmp/redteam run unlisted_routines): test_im2col 20/20. Should score 0.

Now caught (Part 1's hidden tests): the code check follows numba dispatchers to their Python code (``py_func``)
and refuses ``stride_tricks``/``sliding_window_view``/``as_strided`` there like anywhere else, and it reads what numba
compiled (the typed IR of every dispatcher reached, as lab06 does): stride_tricks functions by identity, numba
extensions written in the notebook and objmode are refused. test_im2col fails ("_windows, as numba compiled it,
calls sliding_window_view").
"""

KIND = 'lazy: sliding_window_view compiled by numba (the swapped Python code never runs)'
BASE = "reference"
FAIL = {'test_im2col'}

CELLS = {
    'im2col': '''
import numba


@numba.njit
def _windows(xp, R, S):
    return np.lib.stride_tricks.sliding_window_view(xp, (R, S), axis=(2, 3))


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
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))))
    win = _windows(xp, R, S)[:, :, ::stride, ::stride]               # (N, C, Ho, Wo, R, S)
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(N, C * R * S, Ho * Wo)


for _dt in (np.float64, np.float32, np.int64):                      # compile now
    im2col(np.zeros((1, 1, 3, 3), dtype=_dt), 2, 2)
''',
}
