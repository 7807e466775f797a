"""Tampering: the "integer" GEMM computed in float64 on a thread the watch does not see, plus a decoy for its counter.

lazy_float_gemm's float64 GEMM (exact for int8 operands) must lose Part 5, and the tests catch it by watching the
PyTorch operations ``int_matmul`` and ``quantized_linear`` run and counting their integer multiply-adds. This one runs
the float64 product on a numba CUDA-simulator thread (``aisys.gpu.select("simulator")``; every simulated GPU thread is a
``threading.Thread``, and dispatch modes are per thread), so the watch sees no floating-point tensor; and it feeds the
counter M*K*N integer multiply-adds of ``ones * ones`` (one elementwise int32 multiply and a sum, not a matrix
product). ``quantized_linear`` does the same for ``(qx - x_zp) @ qw.T``. Checked with ``course.py check`` (other cells a
correct solution): Part 5 scored 20/20 (without the decoy the counter stops it: "int_matmul did 0 integer multiply-adds
in PyTorch tensor operations, fewer than the 10500 of the product"). The counter should count only work that produces
the result, and work on another thread must not escape the watch.
"""

KIND = "tampering: float64 GEMM on a numba CUDA-simulator thread, integer multiply-add counter fed by a decoy"
BASE = "reference"
FAIL = {"test_integer_gemm"}

CELLS = {
    "integer_gemm": '''
import warnings
from aisys import gpu

gpu.select("simulator")          # numba's CUDA simulator runs every simulated GPU thread as a Python thread
from numba import cuda

_box = {}


@cuda.jit
def _runner(dummy):
    _box["out"] = _box["fn"](*_box["args"])


def _elsewhere(fn, *args):
    """Run fn(*args) on a simulator thread: PyTorch's dispatch modes and sys.setprofile are per thread."""
    _box["fn"], _box["args"] = fn, args
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _runner[1, 1](np.zeros(1))
    return _box.pop("out")


def _lib(name, where=None):
    return getattr([torch if where is None else where][0], name)


def _decoy(n):
    # n integer multiply-adds on ones, for the watch to count (the product itself is computed elsewhere)
    one = torch.ones(n, dtype=torch.int32)
    return (one * one).sum()


def int_matmul(qa, qb):
    if not (isinstance(qa, torch.Tensor) and isinstance(qb, torch.Tensor)):
        raise ValueError("tensors expected")
    if qa.dtype != torch.int8 or qb.dtype != torch.int8 or qa.dim() != 2 or qb.dim() != 2 or qa.shape[1] != qb.shape[0]:
        raise ValueError("need int8 (M, K) and (K, N)")
    _decoy(qa.shape[0] * qa.shape[1] * qb.shape[1])
    return _elsewhere(lambda: torch.round(qa.double() @ qb.double()).to(torch.int32))


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    m = torch.as_tensor(multiplier, dtype=torch.float64)
    return torch.clamp(torch.round(acc.to(torch.float64) * m) + zero_point, qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    _decoy(qx.shape[0] * qx.shape[1] * qw.shape[0])
    acc = _elsewhere(lambda: torch.round((qx.double() - x_zp) @ qw.double().t()).to(torch.int32))
    s = float(x_scale) * torch.as_tensor(w_scales, dtype=torch.float64)
    if bias is not None:
        acc = acc + torch.round(torch.as_tensor(bias, dtype=torch.float64) / s).to(torch.int32)
    return requantize(acc, s / float(y_scale), y_zp)
''',
}
