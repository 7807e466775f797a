"""Red team (lab09 Part 1): im2col as a hand-made window view -- ``np.ndarray(shape, dtype, buffer=xp, strides=...)``
builds the (N, C, R, S, Ho, Wo) view of the padded input that ``as_strided``/``sliding_window_view`` would return, and
one reshape copies it into the column matrix. Part 1 switches off sliding_window_view, as_strided, Tensor.unfold and
torch.as_strided (code swap / dispatcher), but the ndarray constructor is the same strided view under another name
(a type call: neither a swapped Python function nor a c_call the profile hook compares).

Before the fix, checked with ``course.py check`` (this im2col cell, the other cells an honest solution; /tmp/redteam run
strided_ragged): test_im2col 20/20. Should score 0 (the part forbids ready-made window views).

Now caught (Part 1's hidden tests): a code check reads im2col and everything it reaches (helpers, classes, numba
functions, values in globals, defaults, closures, partials, containers) and refuses constructing an array on a
buffer -- ``np.ndarray``/a subclass/``type(x)`` called with more than a shape and a dtype, the ``buffer``/``strides``
keyword names -- exposing ``__array_interface__``, setting ``.strides`` and naming ``stride_tricks``/``as_strided``;
``np.ndarray.__new__`` is also switched off while im2col runs. test_im2col fails ("constructs an array on a buffer").
Near variants kept as regressions: lazy_type_ctor_view, lazy_array_interface_view, lazy_strides_setter.
"""

KIND = 'lazy: window view from the np.ndarray constructor (buffer + strides)'
BASE = "reference"
FAIL = {'test_im2col'}

CELLS = {
    'im2col': '''
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
    sn, sc, sh, sw = xp.strides
    win = np.ndarray((N, C, R, S, Ho, Wo), dtype=xp.dtype, buffer=xp,
                     strides=(sn, sc, sh, sw, sh * stride, sw * stride))
    return win.reshape(N, C * R * S, Ho * Wo)
''',
}
