"""A correct lab02 (alt_search) plus a scratch cell that imports torch (to compare with torch.bfloat16), built on search and exact comparison instead of field arithmetic.

fp32_decode and decode_ieee scale the integer significand by a power of two taken from a
list of exact powers built by repeated doubling (no ldexp); fp32_encode binary-searches the 2^31 magnitude patterns
(positive floats are ordered like their bit patterns) with the student's own fp32_decode; bf16_round decodes the
two neighbouring BF16 candidates and compares exact Fraction distances (tie: the even one; above the largest BF16
the upper candidate stands for 2^128, so overflow rounds to inf as IEEE says); decode_e4m3 reads the all-ones
exponent as exponent 14 times two; e2m1_round bisects a table of midpoints and breaks ties to the even index.
Must get full marks.

Red team, a FALSE NEGATIVE: checked with course.py check, 0/100 (the same answers without the scratch cell:
100/100, redteam_alt_search). Once torch is imported anywhere in the kernel, check_no_shortcuts adds every public
attribute of torch to the forbidden objects, and torch re-exports the math module (torch.math) and math.inf /
math.nan (torch.inf, torch.nan are the same objects): every honest use of math.* is then reported as a library use
("fp32_decode line 6: nan; ... math; ... inf") -- in all six parts, Part 6 included. Must get full marks. Fix idea:
build the forbidden objects only from attributes that belong to the library (their own module/__module__ top-level
name in the list), never other modules it re-exports (math, builtins...) or plain numbers.
Fixed (lab02 6f68094): check_no_shortcuts now forbids only a library's own names (value from the library by
_library, never numbers, builtins or re-exported modules such as torch.math); the checks cell also loads torch up
front when it is installed. Checked with course.py check: 100/100.
"""

KIND = "correct alternative (alt_search) + a scratch cell importing torch: torch.math/inf/nan become forbidden objects"
BASE = "reference"
EXPECT = "full"

ADDED = ['''
# scratch: compare with PyTorch's bfloat16
import torch
print(torch.tensor([1.00390625]).to(torch.bfloat16))
''']

CELLS = {
    "fp32_decode": '''
_POWERS = {0: 1.0}
for _k in range(1, 1200):
    _POWERS[_k] = _POWERS[_k - 1] * 2.0 if _k < 1024 else math.inf
    _POWERS[-_k] = _POWERS[-_k + 1] / 2.0


def _scaled(significand, exponent):
    """significand * 2**exponent with exact factors from the table (the subnormal rounding, if any, comes last)."""
    value = float(significand)
    while exponent < -1000:
        value *= _POWERS[-1000]
        exponent += 1000
    return value * _POWERS[exponent]


def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    negative, field, fraction = bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if field == 0xFF:
        return math.nan if fraction else (-math.inf if negative else math.inf)
    value = _scaled(fraction | 0x800000, field - 150) if field else _scaled(fraction, -149)
    return -value if negative else value
''',
    "fp32_encode": '''
def fp32_encode(x):
    if x != x:
        return 0x7FC00000
    sign = 0x80000000 if math.copysign(1.0, x) < 0 else 0
    target = abs(x)
    lo, hi = 0, 0x7F800000                    # +0 ... +inf: fp32_decode is increasing on this range
    while lo < hi:
        mid = (lo + hi) // 2
        if fp32_decode(mid) < target:
            lo = mid + 1
        else:
            hi = mid
    if fp32_decode(lo) != target:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return sign | lo
''',
    "bf16_round": '''
from fractions import Fraction


def _exact(bits16):
    """Exact value of a non-negative BF16 pattern; the pattern just above the largest finite one counts as 2^128."""
    if bits16 >> 7 == 0xFF:
        return Fraction(2) ** 128
    return Fraction(fp32_decode(bits16 << 16))       # a BF16 pattern is the top half of an FP32 one


def bf16_round(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    sign, magnitude = bits & 0x80000000, bits & 0x7FFFFFFF
    if magnitude > 0x7F800000:
        return (bits >> 16) | 0x0040
    if magnitude == 0x7F800000:
        return bits >> 16
    x = Fraction(fp32_decode(magnitude))
    low = magnitude >> 16
    high = low + 1
    below, above = x - _exact(low), _exact(high) - x
    if below < above or (below == above and low % 2 == 0):
        chosen = low
    else:
        chosen = high
    return (sign >> 16) | chosen
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    negative = bits >> (width - 1)
    field = (bits >> man_bits) & ((1 << exp_bits) - 1)
    fraction = bits & ((1 << man_bits) - 1)
    bias = (1 << (exp_bits - 1)) - 1
    if field == (1 << exp_bits) - 1:
        if fraction:
            return math.nan
        return -math.inf if negative else math.inf
    if field:
        significand, exponent = fraction | (1 << man_bits), field - bias - man_bits
    else:
        significand, exponent = fraction, 1 - bias - man_bits
    value = _scaled(significand, exponent)
    return -value if negative else value
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    if bits & 0x7F == 0x7F:
        return math.nan
    if (bits >> 3) & 0xF == 0xF:                 # exponent field 15 is an ordinary binade: twice exponent 14's
        return 2.0 * decode_ieee(bits - 8, 4, 3)
    return decode_ieee(bits, 4, 3)
''',
    "mx": '''
import bisect

E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
_MIDPOINTS = [(a + b) / 2 for a, b in zip(E2M1_VALUES, E2M1_VALUES[1:])]


def e2m1_round(v):
    a = abs(float(v))
    i = bisect.bisect_left(_MIDPOINTS, a)        # a <= _MIDPOINTS[i]: candidates i (below) or i+1 (above)
    if i < len(_MIDPOINTS) and a == _MIDPOINTS[i]:
        i = i if i % 2 == 0 else i + 1           # a tie: the even index
    return math.copysign(E2M1_VALUES[i], v)


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size % block or not np.isfinite(x).all():
        raise ValueError(f"x must be a finite 1-D array whose length is a multiple of {block}")
    codes = np.zeros(x.size // block, dtype=np.uint8)
    elements = np.zeros(x.size, dtype=np.float64)
    for b in range(x.size // block):
        chunk = x[b * block:(b + 1) * block]
        amax = float(np.max(np.abs(chunk)))
        if amax == 0:
            continue
        exponent = int(np.floor(np.log2(amax)))
        if 2.0 ** exponent > amax:              # guard log2 rounding
            exponent -= 1
        elif 2.0 ** (exponent + 1) <= amax:
            exponent += 1
        code = min(max(exponent - 2 + 127, 0), 254)
        codes[b] = code
        elements[b * block:(b + 1) * block] = [e2m1_round(math.ldexp(float(v), 127 - code)) for v in chunk]
    return codes, elements


def mxfp4_dequantize(codes, elements, block=32):
    codes = np.asarray(codes)
    elements = np.asarray(elements, dtype=np.float64)
    if elements.size != codes.size * block:
        raise ValueError("one code per block")
    scales = np.array([math.ldexp(1.0, int(c) - 127) for c in codes])
    return (elements.reshape(-1, block) * scales[:, None]).ravel()


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
