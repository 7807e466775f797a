"""Red team: FLOP counts read off PyTorch's *profiler* (torch.autograd.profiler, with_flops=True), which is not
on the counting_shortcuts() list, on meta tensors.

The hidden tests switch aten::mm / aten::bmm off with a dispatch mode, which raises -- but the profiler's
RecordFunction has already recorded the operator with its input shapes before the Python dispatch key refuses it,
and its C++ FLOP formula (computeFlops) counts it. The error is caught. gemm_flops = profiler's flops of one aten::mm
on meta tensors; attention_flops = profiler's flops of two aten::bmm. conv2d_output_size from aten::unfold (a view
op, not on the list) on a padded meta tensor; conv2d_flops = profiler's flops of the im2col GEMM per group.
Bytes formulas honest.

Checked with ``course.py check`` (only these three answer cells filled in): 50/100 -- test_gemm 15/15,
test_conv2d 20/20, test_attention 15/15 (the profiler's USDT start/stop lines on the C-level stderr did not zero the
test cells). Should score 0 in all three: no FLOP formula is written for GEMM or attention, and the convolution's
output size comes from a library op. Fix idea: Parts 1-3 need no tensor operation at all, so their hidden tests can
refuse *every* aten operator (a dispatch mode that raises on anything, meta tensors included) and switch off
torch.autograd.profiler.profile / torch.profiler.profile (their __init__ or __enter__, as FlopCounterMode.__init__
is); refusing at the dispatch mode is not enough on its own, because RecordFunction has already recorded the call.

Now caught: Parts 1-3's hidden tests first run check_counting() (set-up cell) on the counting functions: their code and
every value they reach may use only built-ins and math/itertools/functools/operator, so the torch import, _meta and
_profiled_flops fail all three parts; while the functions run, the profilers (torch.autograd.profiler.profile,
record_function, the legacy profile, torch.profiler.profile and its _KinetoProfile base) and aten::unfold are also
switched off (counting_shortcuts()). Graded with ``course.py check`` (Parts 4-6 the reference's): 50/100 --
test_gemm, test_conv2d, test_attention 0.
"""

KIND = "lazy: FLOPs from torch.autograd.profiler(with_flops=True), output size from Tensor.unfold on meta tensors"
BASE = "reference"
FAIL = {"test_gemm", "test_conv2d", "test_attention"}

CELLS = {
    "gemm": '''
import torch


def _profiled_flops(run):
    with torch.autograd.profiler.profile(with_flops=True, record_shapes=True, use_kineto=False) as prof:
        try:
            run()
        except Exception:      # the test may switch the operator off: it is recorded (and counted) before that
            pass
    return int(sum(event.flops for event in prof.key_averages()))


def _meta(*shape):
    return torch.empty(*shape, device="meta")


def gemm_flops(M, K, N):
    return _profiled_flops(lambda: torch.mm(_meta(M, K), _meta(K, N)))


def gemm_bytes(M, K, N, bytes_per_element=2):
    return bytes_per_element * (M * K + K * N + M * N)
''',
    "conv2d": '''
def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    try:
        windows = _meta(H + 2 * padding, W + 2 * padding).unfold(0, kh, stride).unfold(1, kw, stride)
    except RuntimeError as err:
        raise ValueError(str(err)) from None
    return int(windows.shape[0]), int(windows.shape[1])


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    if C_in % groups or C_out % groups:
        raise ValueError("groups must divide the channels")
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    return groups * _profiled_flops(lambda: torch.mm(_meta(N * Ho * Wo, C_in // groups * kh * kw),
                                                      _meta(C_in // groups * kh * kw, C_out // groups)))


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    if C_in % groups or C_out % groups:
        raise ValueError("groups must divide the channels")
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    return bytes_per_element * (N * C_in * H * W + C_out * (C_in // groups) * kh * kw + N * C_out * Ho * Wo)
''',
    "attention": '''
def attention_flops(batch, heads, S, d):
    def run():
        try:
            torch.bmm(_meta(batch * heads, S, d), _meta(batch * heads, d, S))
        finally:
            torch.bmm(_meta(batch * heads, S, S), _meta(batch * heads, S, d))
    return _profiled_flops(run)


def attention_bytes(batch, heads, S, d, bytes_per_element=2, fused=True):
    elements = 4 * batch * heads * S * d + (0 if fused else 4 * batch * heads * S * S)
    return bytes_per_element * elements
''',
}
