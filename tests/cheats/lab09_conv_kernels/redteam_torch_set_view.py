"""Red team (lab09 Part 1): im2col as a strided view made with ``torch.empty(0).set_(storage, 0, size, stride)``
(aten::set_), the same view ``torch.as_strided``/``Tensor.unfold`` give, which Part 1 switches off at the dispatcher;
aten::set_ is not on the list.

Before the fix, checked with ``course.py check`` (this im2col cell; conv_gemm was a detection cheat, the other cells honest;
/tmp/redteam run probe_set_ragged): test_im2col 20/20. Should score 0.

Now caught (Part 1's hidden tests): every PyTorch operator that makes a view with strides of the caller's choosing,
in every namespace, is switched off at the dispatcher while im2col runs (aten::set_ and all its overloads, aten::set,
set_data, as_strided, as_strided_, as_strided_copy, as_strided_scatter, _reshape_alias(_copy), unfold(_copy),
_nested_view_from_buffer(_copy), prims::as_strided...): ForbiddenCallError "aten::set_ is switched off". The code
check also refuses the names ``set_`` and ``untyped_storage``. Near variant kept as a regression:
lazy_as_strided_copy_view (torch.as_strided_copy, a public operator of its own at the dispatcher).
"""

KIND = "lazy: strided view through Tensor.set_ on the input's storage"
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
    xp = torch.from_numpy(np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))))
    sn, sc, sh, sw = xp.stride()
    win = torch.empty(0, dtype=xp.dtype).set_(xp.untyped_storage(), 0, (N, C, R, S, Ho, Wo),
                                               (sn, sc, sh, sw, sh * stride, sw * stride))
    return win.reshape(N, C * R * S, Ho * Wo).numpy()
''',
}
