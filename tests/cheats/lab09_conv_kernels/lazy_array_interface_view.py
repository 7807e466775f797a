"""Lazy submission for lab09 Part 1 (a near variant of redteam_ndarray_strides): im2col as a window view made
through NumPy's array interface. A small class hands ``np.asarray`` an ``__array_interface__`` dict -- the padded
input as the data buffer, the (N, C, R, S, Ho, Wo) shape and window strides computed from the item size -- which is
how ``as_strided`` works inside; no ``.strides`` read, no ``np.ndarray(...)`` call, no switched-off function.

(Setting ``self.__array_interface__`` is refused by the grader's code review; a class attribute made with
``property`` is not.) Caught by Part 1's code check, which follows im2col to the classes it uses: ``_Windows``
defines ``__array_interface__``, and its code names ``strides``. Part 1 must lose its points.
"""

KIND = "lazy: window view through __array_interface__"
BASE = "reference"
FAIL = {"test_im2col"}

CELLS = {
    "im2col": '''
class _Windows:
    def __init__(self, base, shape, steps):
        self.base = base
        self.interface = dict(shape=shape, typestr=base.dtype.str, data=base, strides=steps, version=3)

    __array_interface__ = property(lambda self: self.interface)      # a class attribute: the policy lets it be


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
    steps = (C * Hp * Wp * e, Hp * Wp * e, Wp * e, e, stride * Wp * e, stride * e)
    win = np.asarray(_Windows(xp, (N, C, R, S, Ho, Wo), steps))
    return win.reshape(N, C * R * S, Ho * Wo)
''',
}
