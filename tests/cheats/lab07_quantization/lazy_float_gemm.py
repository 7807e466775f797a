"""Lazy submission: the integer GEMM done in float64, and the quantizer done by PyTorch.

``int_matmul`` converts the int8 operands to float64, multiplies them with a float GEMM and rounds back to int32.
With int8 inputs every partial sum is an integer below 2**53, so the result is exact and no input can tell it
from an int32 accumulator: only watching the arithmetic can (the part asks for int32 accumulation, and the
tests see the float64 tensors at PyTorch's dispatcher). Part 1's ``quantize`` hands the rounding to
``torch.quantize_per_tensor`` (qint32) and clamps; the tests switch PyTorch's quantization ops off. The other
parts are the reference's, so only Parts 1 and 5 must score 0.
"""

KIND = "lazy: float64 'integer' GEMM, torch.quantize_per_tensor as the quantizer"
BASE = "reference"
FAIL = {"test_quantization_basics", "test_integer_gemm"}

CELLS = {
    "quantization_basics": '''
def affine_qparams(xmin, xmax, qmin=-128, qmax=127):
    xmin, xmax = float(xmin), float(xmax)
    if qmin >= qmax or xmin > xmax:
        raise ValueError("bad range")
    xmin, xmax = min(xmin, 0.0), max(xmax, 0.0)
    if xmax == xmin:
        return 1.0, int(min(max(0, qmin), qmax))
    scale = (xmax - xmin) / (qmax - qmin)
    return scale, int(min(max(qmin - round(xmin / scale), qmin), qmax))


def symmetric_qparams(absmax, qmax=127):
    absmax = float(absmax)
    if absmax < 0 or qmax < 1:
        raise ValueError("bad absmax")
    return absmax / qmax if absmax > 0 else 1.0


def quantize(x, scale, zero_point, qmin=-128, qmax=127):
    # PyTorch's quantizer does round(x / scale) + zero_point; qint32 holds any range, the clamp does the rest
    q = torch.quantize_per_tensor(x.float(), float(scale), int(zero_point), torch.qint32).int_repr()
    return torch.clamp(q, qmin, qmax).to(torch.int32)


def dequantize(q, scale, zero_point):
    return ((q.to(torch.float64) - zero_point) * scale).to(torch.float32)
''',
    "integer_gemm": '''
def int_matmul(qa, qb):
    if qa.dtype != torch.int8 or qb.dtype != torch.int8:
        raise ValueError("expected int8")
    if qa.dim() != 2 or qb.dim() != 2 or qa.shape[1] != qb.shape[0]:
        raise ValueError("bad shapes")
    return torch.round(qa.double() @ qb.double()).to(torch.int32)     # exact, but a float GEMM


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    m = torch.as_tensor(multiplier, dtype=torch.float64)
    return torch.clamp(torch.round(acc.to(torch.float64) * m) + zero_point, qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    w_scales = torch.as_tensor(w_scales, dtype=torch.float64)
    acc = int_matmul(qx, qw.t().contiguous()) - x_zp * qw.to(torch.int32).sum(1)
    if bias is not None:
        acc = acc + torch.round(torch.as_tensor(bias, dtype=torch.float64) / (x_scale * w_scales)).to(torch.int32)
    return requantize(acc, x_scale * w_scales / y_scale, y_zp)
''',
}
