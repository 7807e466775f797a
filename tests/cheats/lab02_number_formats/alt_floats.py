"""A correct lab02 written differently from the reference: it works on the *digits* of Python numbers.

fp32_decode splits the pattern with int.to_bytes and builds the value with float.fromhex; fp32_encode reads the
significand and exponent of the double from float.hex; bf16_round rounds in the value domain with Python's round()
(ties to even); decode_ieee uses exact fractions; decode_e4m3 is decode_ieee plus the E4M3 rules; MXFP4 is
vectorised NumPy whose log2 of all-zero blocks warns (a harmless RuntimeWarning on stderr). The comments and
docstrings name struct, ml_dtypes and .view( on purpose: the rule reads code, not text. Must get full marks.
"""

KIND = "correct alternative: float.hex/fromhex, int.to_bytes, round(), Fraction, vectorised NumPy with warnings"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    """No struct.unpack and no ndarray.view( here: the digits of the pattern, read with int.to_bytes."""
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    b = bits.to_bytes(4, "big")
    sign = "-" if b[0] & 0x80 else ""
    exponent = ((b[0] & 0x7F) << 1) | (b[1] >> 7)
    fraction = int.from_bytes(b[1:], "big") & 0x7FFFFF
    if exponent == 0xFF:
        return float(sign + "inf") if fraction == 0 else float("nan")
    if exponent == 0:                                   # 0.f * 2^-126; 24 bits are 6 hex digits
        return float.fromhex(f"{sign}0x0.{fraction << 1:06x}p-126")
    return float.fromhex(f"{sign}0x1.{fraction << 1:06x}p{exponent - 127}")
''',
    "fp32_encode": '''
def fp32_encode(x):
    """The significand and exponent come from float.hex (like math.frexp, but as text); ml_dtypes not needed."""
    if x != x:
        return 0x7FC00000
    sign = 0x80000000 if math.copysign(1.0, x) < 0 else 0
    if x in (math.inf, -math.inf):
        return sign | 0x7F800000
    if x == 0:
        return sign
    mantissa, exponent = abs(x).hex()[2:].split("p")      # '1.8000000000000', '+1'
    lead, _, digits = mantissa.partition(".")
    significand = (int(lead) << 52) | int(digits.ljust(13, "0"), 16)   # x = significand * 2^(e - 52)
    e = int(exponent)
    top = e + significand.bit_length() - 53              # x is in [2^top, 2^(top+1))
    if top > 127:
        raise ValueError(f"{x!r} is too large for FP32")
    if top >= -126:                                      # normal: 24 significant bits
        shift = significand.bit_length() - 24
        kept = significand >> shift if shift >= 0 else significand << -shift
        if shift > 0 and significand & ((1 << shift) - 1):
            raise ValueError(f"{x!r} has more than 24 significant bits")
        return sign | (top + 127) << 23 | (kept & 0x7FFFFF)
    units = e - 52 + 149                                 # x / 2^-149 = significand * 2^units
    if units < 0 and significand & ((1 << -units) - 1):
        raise ValueError(f"{x!r} is not a multiple of 2^-149")
    return sign | (significand >> -units if units < 0 else significand << units)
''',
    "bf16_round": '''
def bf16_round(bits):
    """Round in the value domain: Python's round() breaks ties to even, like the hardware."""
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    sign = (bits >> 16) & 0x8000
    if (bits >> 23) & 0xFF == 0xFF:                      # inf stays inf, NaN stays a quiet NaN
        return (bits >> 16) | (0x0040 if bits & 0x7FFFFF else 0)
    x = abs(fp32_decode(bits))
    if x == 0:
        return sign
    _, e = math.frexp(x)                                 # x in [2^(e-1), 2^e): BF16 spacing 2^(e-8)
    q = max(e - 8, -133)                                 # never finer than the BF16 subnormal spacing
    y = math.ldexp(round(math.ldexp(x, -q)), q)
    if y >= 2.0 ** 128:
        return sign | 0x7F80
    return sign | fp32_encode(y) >> 16
''',
    "decode_ieee": '''
from fractions import Fraction


def decode_ieee(bits, exp_bits, man_bits):
    """Exact rational arithmetic, then one (exact) conversion to float."""
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    text = format(bits, f"0{width}b")
    negative = text[0] == "1"
    exponent = int(text[1:1 + exp_bits], 2)
    fraction = int(text[1 + exp_bits:] or "0", 2)
    bias = 2 ** (exp_bits - 1) - 1
    if exponent == 2 ** exp_bits - 1:
        return (-math.inf if negative else math.inf) if fraction == 0 else math.nan
    if exponent == 0:
        value = Fraction(fraction, 2 ** man_bits) * Fraction(2) ** (1 - bias)
    else:
        value = (1 + Fraction(fraction, 2 ** man_bits)) * Fraction(2) ** (exponent - bias)
    return -float(value) if negative else float(value)
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    """E4M3 is E4M3-as-IEEE except at the top exponent, where only S.1111.111 is NaN."""
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    if bits & 0x7F == 0x7F:
        return math.nan
    if (bits >> 3) & 0xF == 0xF:                         # an ordinary number: 2^8 * 1.f
        value = (8 + (bits & 7)) * 2.0 ** 5
        return -value if bits & 0x80 else value
    return decode_ieee(bits, 4, 3)
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def _e2m1_array(v):
    """Vectorised nearest-even E2M1: step 0.5 below 2, 1 below 4, 2 above; np.rint breaks ties to even."""
    a = np.abs(v)
    q = np.where(a < 2, np.rint(a * 2) / 2, np.where(a < 4, np.rint(a), 2 * np.rint(a / 2)))
    return np.copysign(np.minimum(q, 6.0), v)


def e2m1_round(v):
    return float(_e2m1_array(np.float64(v)))


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size % block or not np.isfinite(x).all():
        raise ValueError(f"x must be a finite 1-D array whose length is a multiple of {block}")
    blocks = x.reshape(-1, block)
    amax = np.abs(blocks).max(axis=1)
    e = np.floor(np.log2(amax))                          # log2(0) warns: those blocks are handled below
    e = np.where(np.ldexp(1.0, np.nan_to_num(e, neginf=0).astype(np.int64)) > amax, e - 1, e)   # guard the floor
    codes = np.where(amax == 0, 0, np.clip(np.nan_to_num(e, neginf=0) - 2 + 127, 0, 254)).astype(np.uint8)
    scaled = np.ldexp(blocks, (127 - codes.astype(np.int64))[:, None])
    elements = np.where(amax[:, None] == 0, 0.0, _e2m1_array(scaled))
    return codes, elements.ravel()


def mxfp4_dequantize(codes, elements, block=32):
    codes = np.asarray(codes).astype(np.int64)
    elements = np.asarray(elements, dtype=np.float64).reshape(-1, block)
    if elements.shape[0] != codes.size:
        raise ValueError("one code per block of elements")
    return np.ldexp(elements, (codes - 127)[:, None]).ravel()


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
