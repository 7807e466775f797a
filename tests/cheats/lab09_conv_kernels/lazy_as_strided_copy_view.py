"""Lazy submission for lab09 Part 1 (a near variant of redteam_torch_set_view): im2col as ``torch.as_strided_copy`` --
the copying twin of ``torch.as_strided``, a public function that is another operator at PyTorch's dispatcher
(aten::as_strided_copy), so switching off aten::as_strided alone does not reach it -- with the window strides computed
from the shape (no ``.stride()`` read). (``torch.ops.aten._reshape_alias``, another view with chosen strides, is
already refused by the grader's code review as a private name.)

Caught twice: Part 1 switches off every PyTorch operator that makes or copies a view with strides of the caller's
choosing (aten::as_strided_copy among them, at the dispatcher), and its code check refuses the name. Part 1 must
lose its points.
"""

KIND = "lazy: window copy from torch.as_strided_copy (aten::as_strided_copy)"
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
    xp = torch.from_numpy(np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))))
    Hp, Wp = xp.shape[2:]
    steps = (C * Hp * Wp, Hp * Wp, Wp, 1, stride * Wp, stride)
    win = torch.as_strided_copy(xp, (N, C, R, S, Ho, Wo), steps)
    return win.reshape(N, C * R * S, Ho * Wo).numpy()
''',
}
