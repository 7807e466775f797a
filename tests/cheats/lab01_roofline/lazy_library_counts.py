"""Lazy submission for lab01_roofline: let libraries do the counting and the timing.

- Parts 1-3 never count anything: the FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` running the layer on
  meta tensors, and the convolution's output size from ``F.conv2d`` on meta tensors (the bytes formulas are honest).
  The visible tests pass; the hidden tests switch those routines off.
- Part 6: ``best_time`` is honest, but ``measure_peak`` times a 64 x 64 corner of the product and
  ``measure_bandwidth`` a plain copy, while reporting the work of the requested size (plausible numbers, so the
  visible sanity check passes; the hidden stand-in for ``best_time`` runs the kernels and sees they are not the ones
  asked for).

Parts 4-5 are the reference's.
"""

KIND = "lazy: FLOP counts from torch's FLOP counter on meta tensors; timing a kernel that is not the one asked for"
BASE = "reference"
FAIL = {"test_gemm", "test_conv2d", "test_attention", "test_measure"}

CELLS = {
    "gemm": '''
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode


def _count(run):
    with FlopCounterMode(display=False) as counter:
        run()
    return int(counter.get_total_flops())


def gemm_flops(M, K, N):
    return _count(lambda: torch.empty(M, K, device="meta") @ torch.empty(K, N, device="meta"))


def gemm_bytes(M, K, N, bytes_per_element=2):
    return bytes_per_element * (M * K + K * N + M * N)
''',
    "conv2d": '''
def _meta_conv(N, C_in, H, W, C_out, kh, kw, stride, padding, groups):
    if C_in % groups or C_out % groups:
        raise ValueError("channels must be divisible by groups")
    x = torch.empty(N, C_in, H, W, device="meta")
    w = torch.empty(C_out, C_in // groups, kh, kw, device="meta")
    try:
        return F.conv2d(x, w, stride=stride, padding=padding, groups=groups)
    except RuntimeError as err:
        raise ValueError(str(err)) from None


def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    return tuple(_meta_conv(1, 1, H, W, 1, kh, kw, stride, padding, 1).shape[-2:])


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    return _count(lambda: _meta_conv(N, C_in, H, W, C_out, kh, kw, stride, padding, groups))


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    if C_in % groups or C_out % groups:
        raise ValueError("channels must be divisible by groups")
    H_out, W_out = conv2d_output_size(H, W, kh, kw, stride, padding)
    return bytes_per_element * (N * C_in * H * W + C_out * (C_in // groups) * kh * kw + N * C_out * H_out * W_out)
''',
    "attention": '''
def attention_flops(batch, heads, S, d):
    q = torch.empty(batch, heads, S, d, device="meta")
    return _count(lambda: F.scaled_dot_product_attention(q, q, q))


def attention_bytes(batch, heads, S, d, bytes_per_element=2, fused=True):
    elements = 4 * batch * heads * S * d + (0 if fused else 4 * batch * heads * S * S)
    return bytes_per_element * elements
''',
    "measure": '''
def best_time(kernel, *args, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        kernel(*args)
        best = min(best, time.perf_counter() - start)
    return best


def triad(a, b, c, s):
    np.multiply(c, s, out=a)
    np.add(a, b, out=a)
    return a


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b = np.zeros(n), np.ones(n)
    return 3 * n * 8 / best_time(np.copyto, a, b, repeat=repeat) / 1e9        # a copy: 2 arrays of traffic, not 3


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32)
    B = np.ones((n, n), dtype=np.float32)
    corner = lambda X, Y: X[:64, :64] @ Y[:64, :64]                          # a 64 x 64 product, reported as n x n
    return 2 * n**3 / best_time(corner, A, B, repeat=repeat) / 1e9
''',
}
