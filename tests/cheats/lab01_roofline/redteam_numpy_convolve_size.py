"""Red team: the convolution's output size read off np.convolve (mode "valid") and a strided slice.

counting_shortcuts() switches off NumPy's sliding_window_view, but not np.convolve / np.correlate, which slide a
window too: len(np.convolve(np.zeros(H + 2p), np.ones(kh), "valid")[::s]) is floor((H + 2p - kh) / s) + 1.
No torch at all, so refusing every aten operator would not catch it. FLOPs and bytes are the formulas with that size.

Checked with ``course.py check`` (only the conv2d cell filled in): 20/100 -- test_conv2d 20/20. Should score 0 by the
lab's own rule (sliding_window_view is switched off for exactly this); the weakest of these holes, since the formula it
replaces is one line. Fix idea: instead of listing window routines one by one (np.convolve, np.correlate,
scipy.signal.*, aten::unfold...), have Parts 1-3's hidden tests require that the six functions (and the notebook
functions they call) refer to no numpy/scipy/torch object at all (forbid.check_source / refers_to with those modules):
the task says "counted from the shapes, with integer arithmetic".

Now caught: check_counting() (Parts 1-3 use only built-ins and math/itertools/functools/operator) refuses np in
_positions, and np.convolve / np.correlate are switched off while the functions run. Graded with ``course.py check``
(the other parts the reference's): 80/100 -- test_conv2d 0.
"""

KIND = "lazy: conv2d output size from np.convolve(..., 'valid')[::stride] (not switched off)"
BASE = "reference"
FAIL = {"test_conv2d"}

CELLS = {
    "conv2d": '''
def _positions(extent, k, stride):
    if k > extent:
        raise ValueError("the kernel does not fit in the padded input")
    return len(np.convolve(np.zeros(extent), np.ones(k), "valid")[::stride])


def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    return _positions(H + 2 * padding, kh, stride), _positions(W + 2 * padding, kw, stride)


def _per_group(C_in, C_out, groups):
    if C_in % groups or C_out % groups:
        raise ValueError("groups must divide the channels")
    return C_in // groups


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    c = _per_group(C_in, C_out, groups)
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    return 2 * N * C_out * Ho * Wo * c * kh * kw


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    c = _per_group(C_in, C_out, groups)
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    return bytes_per_element * (N * C_in * H * W + C_out * c * kh * kw + N * C_out * Ho * Wo)
''',
}
