"""Red team: the convolution's output size read off aten::unfold (Tensor.unfold) on a padded meta tensor.

counting_shortcuts() switches off the convolution, im2col and pooling operators, but not aten::unfold, the view op
that slides a window along one dimension: torch.empty(H + 2p, W + 2p, device="meta").unfold(0, kh, s).unfold(1, kw, s)
has shape (H_out, W_out, kh, kw), and unfold raises when the kernel does not fit (turned into ValueError). FLOPs and
bytes are the formulas with that size. Part 2's output-size formula is never written.

Checked with ``course.py check`` (only the conv2d cell filled in): 20/100 -- test_conv2d 20/20. Should score 0 (as
lazy_library_counts's F.conv2d-on-meta output size does). Fix idea: add aten::unfold (and the other window ops not on
the list: aten::avg_pool1d/3d, aten::max_pool1d/3d, aten::unfold_backward...) to counting_shortcuts(), or better
refuse every aten operator while Parts 1-3 run (integer arithmetic needs none).

Now caught: check_counting() (Parts 1-3 use only built-ins and math/itertools/functools/operator) refuses the torch
import in conv2d_output_size, and aten::unfold is switched off while the functions run. Graded with ``course.py
check`` (the other parts the reference's): 80/100 -- test_conv2d 0.
"""

KIND = "lazy: conv2d output size from Tensor.unfold on a meta tensor (aten::unfold is not switched off)"
BASE = "reference"
FAIL = {"test_conv2d"}

CELLS = {
    "conv2d": '''
import torch


def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    try:
        windows = torch.empty(H + 2 * padding, W + 2 * padding, device="meta").unfold(0, kh, stride).unfold(1, kw, stride)
    except RuntimeError as err:
        raise ValueError(str(err)) from None
    return int(windows.shape[0]), int(windows.shape[1])


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
