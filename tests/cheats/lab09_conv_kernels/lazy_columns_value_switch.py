"""Lazy submission for lab09 Part 2 (a near variant of redteam_im2col_identity_switch): conv2d_im2col calls im2col
(by that name, whatever object it is) and compares the matrix it gets with the columns of its own saved copy of the
student's im2col; when they agree -- a normal call -- the convolution is ``torch.ops.aten.convolution``; only when
someone handed in other columns does it do the GEMM on them.

Caught: every graded call runs with the convolutions switched off, and in half of them im2col (the student's own
function object or a fresh stand-in) returns the true columns, so the library branch is taken under the switch-off.
Part 2 must lose its points.
"""

KIND = "lazy: torch convolution unless im2col's columns differ from the student's own (value switch)"
BASE = "reference"
FAIL = {"test_conv_gemm"}

CELLS = {
    "conv_gemm": '''
_MINE = im2col


def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x, w = np.asarray(x), np.asarray(w)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channels differ")
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    cols = im2col(x, R, S, stride=stride, padding=padding)
    if np.array_equal(cols, _MINE(x, R, S, stride=stride, padding=padding)):
        bt = None if b is None else torch.from_numpy(np.asarray(b, dtype=np.float64))
        return torch.ops.aten.convolution(torch.from_numpy(np.asarray(x, dtype=np.float64)),
                                          torch.from_numpy(np.asarray(w, dtype=np.float64)), bt, [stride, stride],
                                          [padding, padding], [1, 1], False, [0, 0], 1).numpy()
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    y = w.reshape(K, -1) @ cols
    if b is not None:
        y = y + np.asarray(b)[None, :, None]
    return y.reshape(N, K, Ho, Wo)
''',
}
