"""Lazy submission for lab09 Part 1 (a near variant of redteam_ndarray_strides): the window view from the ndarray
constructor reached as ``type(xp)`` with positional arguments only -- ``type(xp)(shape, dtype, xp, 0, steps)`` -- and
the strides computed from the item size, so im2col names neither ``np.ndarray``, ``.strides`` nor a ``buffer=`` or
``strides=`` keyword.

Caught by Part 1's code check (calling an object's type with more than a shape and a dtype constructs an array on a
buffer). Part 1 must lose its points.
"""

KIND = "lazy: window view from type(xp)(shape, dtype, buffer, offset, strides) without naming them"
BASE = "reference"
FAIL = {"test_im2col"}

CELLS = {
    "im2col": '''
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
    win = type(xp)((N, C, R, S, Ho, Wo), xp.dtype, xp, 0, steps)
    return win.reshape(N, C * R * S, Ho * Wo)
''',
}
