"""Red team (lab09 Part 2): conv2d_im2col checks whether the global ``im2col`` is still the student's own function
(``im2col is _MY_IM2COL``). If it is, the convolution is ``F.conv2d`` -- no im2col, no GEMM; only when the hidden test
has swapped its own im2col in does it do the GEMM on the matrix it gets. The hidden tests never call conv2d_im2col with
the student's own im2col under the switch-off (F.conv2d itself passed), so only the honest branch is graded.

Before the fix, checked with ``course.py check`` (this cell, Part 1 a strided-view cheat, the other cells honest; /tmp/redteam run
probe_set_ragged): test_conv_gemm 15/15. Should score 0 (same as lazy_library's torch.convolution).

Now caught (Part 2's hidden tests): every graded call of conv2d_im2col runs with the convolutions switched off,
and half of them go through the student's own im2col function object (its code replaced by the grader's im2col for
the call, so ``im2col is _MY_IM2COL`` holds), the other half through a new stand-in function; either returns the
columns of x or of x**3. The F.conv2d branch runs under the switch-off: ForbiddenCallError "aten::conv2d is switched
off". Near variant kept as a regression: lazy_columns_value_switch (compares the columns with its own im2col's).
"""

KIND = 'lazy: F.conv2d unless the test swapped im2col (identity check)'
BASE = "reference"
FAIL = {'test_conv_gemm'}

CELLS = {
    'conv_gemm': '''
_MY_IM2COL = im2col


def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    x = np.asarray(x); w = np.asarray(w)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channels differ")
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    if im2col is _MY_IM2COL:
        bt = None if b is None else torch.from_numpy(np.asarray(b, dtype=np.float64))
        return F.conv2d(torch.from_numpy(np.asarray(x, dtype=np.float64)), torch.from_numpy(np.asarray(w, dtype=np.float64)),
                        bt, stride=stride, padding=padding).numpy()
    cols = im2col(x, R, S, stride=stride, padding=padding)
    Ho = (H + 2 * padding - R) // stride + 1
    Wo = (W + 2 * padding - S) // stride + 1
    y = w.reshape(K, -1) @ cols
    if b is not None:
        y = y + np.asarray(b)[None, :, None]
    return y.reshape(N, K, Ho, Wo)
''',
}
