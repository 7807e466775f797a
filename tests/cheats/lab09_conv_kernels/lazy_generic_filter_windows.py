"""Lazy submission for lab09 Part 1: SciPy hands out the windows. ``scipy.ndimage.generic_filter`` calls a Python
function once per pixel with the values under an R x S footprint; the function appends each window to a list, and
im2col keeps the windows at the output positions (origin shifted so the footprint starts at the pixel, stride by
slicing). The gathering is SciPy's C loop, not the student's.

Caught: Part 1 switches off scipy.ndimage.generic_filter and generic_filter1d (the Python functions and the C
routines behind them) and its code check refuses their names. Part 1 must lose its points.
"""

KIND = "lazy: windows collected by scipy.ndimage.generic_filter"
BASE = "reference"
FAIL = {"test_im2col"}

CELLS = {
    "im2col": '''
import scipy.ndimage


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
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Hp, Wp = xp.shape[2:]
    cols = np.empty((N, C, R * S, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            seen = []
            scipy.ndimage.generic_filter(xp[n, c], lambda v: seen.append(v.copy()) or 0.0, size=(R, S),
                                         mode="constant", origin=(-(R // 2), -(S // 2)))
            windows = np.array(seen).reshape(Hp, Wp, R * S)
            cols[n, c] = windows[:stride * (Ho - 1) + 1:stride, :stride * (Wo - 1) + 1:stride].transpose(2, 0, 1)
    return cols.reshape(N, C * R * S, Ho * Wo)
''',
}
