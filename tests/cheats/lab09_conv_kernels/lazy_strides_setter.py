"""Lazy submission for lab09 Part 1 (a near variant of redteam_ndarray_strides): the window view made by setting
``.strides`` on an array that already shares the padded input's memory. ``np.broadcast_to`` of the first element to
the (N, C, R, S, Ho, Wo) shape is a view of the whole buffer (all strides 0); assigning the window strides to it --
deprecated in NumPy 2.4, the warning silenced -- turns it into the patch view, and one reshape copies it. No
switched-off function, no ``np.ndarray(...)`` call.

Caught by Part 1's code check (im2col sets ``.strides``). Part 1 must lose its points.
"""

KIND = "lazy: window view by assigning .strides to a broadcast view of the padded input"
BASE = "reference"
FAIL = {"test_im2col"}

CELLS = {
    "im2col": '''
import warnings


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
    Hp, Wp = xp.shape[2:]
    e = xp.itemsize
    win = np.broadcast_to(xp.reshape(-1), (N, C, R, S, Ho, Wo, xp.size))[..., 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        win.strides = (C * Hp * Wp * e, Hp * Wp * e, Wp * e, e, stride * Wp * e, stride * e)
    return win.reshape(N, C * R * S, Ho * Wo)
''',
}
