"""Red team (lab09 Part 1): im2col as a hand-made window view -- ``np.ndarray(shape, dtype, buffer=xp, strides=...)``
builds the (N, C, R, S, Ho, Wo) view of the padded input that ``as_strided``/``sliding_window_view`` would return, and
one reshape copies it into the column matrix. Part 1 switches off sliding_window_view, as_strided, Tensor.unfold and
torch.as_strided (code swap / dispatcher), but the ndarray constructor is the same strided view under another name
(a type call: neither a swapped Python function nor a c_call the profile hook compares).

Checked with ``course.py check`` (this im2col cell, the other cells an honest solution; /tmp/redteam run
strided_ragged): test_im2col 20/20. Should score 0 (the part forbids ready-made window views).
Fix idea: refuse overlapping/aliasing views in the result's construction -- e.g. in the source check refuse
``np.ndarray(...)`` with ``buffer=``/``strides=`` and ``np.lib.stride_tricks`` by identity, or check at run time that no
array built during the call shares memory with the input with strides other than the input's own (np.shares_memory on
intermediates is hard); simplest: a source/AST check that forbids the ndarray constructor with strides, and
``.strides``/``.stride()`` reads, in im2col and what it calls.
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
