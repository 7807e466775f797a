"""A second correct lab02, integer-only and organised differently from the reference.

fp32_decode multiplies the integer significand by a power of two; fp32_encode reads x.as_integer_ratio() (the
denominator is a power of two) and checks representability with integer masks; bf16_round compares the dropped half
with 0x8000 explicitly; decode_ieee folds normal and subnormal numbers into one ldexp; decode_e4m3 is a table that
the module builds once with its own formula; MXFP4 loops over blocks, picks the nearest E2M1 value by a sort key
(distance, odd mantissa) and scales with integer exponents. Must get full marks.
"""

KIND = "correct alternative: as_integer_ratio, explicit tie test, table built by own formula, loop MX with sort key"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not (isinstance(bits, int) and 0 <= bits <= 0xFFFFFFFF):
        raise ValueError(f"expected a 32-bit pattern, got {bits!r}")
    negative = bits >= 0x80000000
    exponent = (bits >> 23) % 256
    fraction = bits % (1 << 23)
    if exponent == 255:
        value = math.inf if fraction == 0 else math.nan
    else:
        significand = fraction if exponent == 0 else fraction + (1 << 23)
        value = significand * 2.0 ** (max(exponent, 1) - 150)
    return -value if negative else value
''',
    "fp32_encode": '''
def fp32_encode(x):
    if math.isnan(x):
        return 0x7FC00000
    sign = 0x80000000 if math.copysign(1.0, x) < 0 else 0
    if math.isinf(x):
        return sign | 0x7F800000
    if x == 0:
        return sign
    n, d = abs(x).as_integer_ratio()                 # |x| = n / 2^k
    k = d.bit_length() - 1
    top = n.bit_length() - 1 - k                     # |x| in [2^top, 2^(top+1))
    if top > 127:
        raise ValueError(f"{x!r} overflows FP32")
    lsb = max(top, -126) - 23                        # value of the last kept bit
    # |x| / 2^lsb = n * 2^(-k - lsb) must be an integer
    shift = -k - lsb
    if shift < 0 and n % (1 << -shift):
        raise ValueError(f"{x!r} needs more bits than FP32 has")
    units = n << shift if shift >= 0 else n >> -shift
    if top < -126:
        return sign | units                          # subnormal: exponent field 0
    return sign | ((top + 127) << 23) | (units - (1 << 23))
''',
    "bf16_round": '''
def bf16_round(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    high, low = bits >> 16, bits & 0xFFFF
    if high & 0x7F80 == 0x7F80 and (high & 0x7F or low):
        return high | 0x0040                         # NaN: quiet, sign kept
    if low > 0x8000 or (low == 0x8000 and high & 1):
        high += 1                                    # may carry into the exponent, up to inf
    return high
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if bits < 0 or bits >> width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    top = (1 << exp_bits) - 1
    exponent = (bits >> man_bits) & top
    fraction = bits & ((1 << man_bits) - 1)
    sign = -1.0 if bits >> (width - 1) else 1.0
    if exponent == top:
        return math.nan if fraction else sign * math.inf
    hidden = 1 << man_bits if exponent else 0
    return sign * math.ldexp(hidden + fraction, max(exponent, 1) - (top >> 1) - man_bits)
''',
    "decode_e4m3": '''
def _e4m3(bits):
    sign = -1.0 if bits & 0x80 else 1.0
    exponent, fraction = (bits >> 3) & 15, bits & 7
    if exponent == 15 and fraction == 7:
        return math.nan
    return sign * math.ldexp(fraction + (8 if exponent else 0), max(exponent, 1) - 10)


E4M3_TABLE = [_e4m3(b) for b in range(256)]


def decode_e4m3(bits):
    if not 0 <= bits <= 255:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    return E4M3_TABLE[bits]
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    index = min(range(8), key=lambda i: (abs(abs(v) - E2M1_VALUES[i]), i % 2))
    return -E2M1_VALUES[index] if v < 0 or (v == 0 and math.copysign(1, v) < 0) else E2M1_VALUES[index]


def mxfp4_quantize(x, block=32):
    x = np.array(x, dtype=float)
    if x.ndim != 1 or len(x) % block != 0:
        raise ValueError(f"x must be 1-D with a length that is a multiple of {block}")
    if not all(math.isfinite(v) for v in x):
        raise ValueError("x must be finite")
    codes, elements = [], []
    for start in range(0, len(x), block):
        chunk = [float(v) for v in x[start:start + block]]
        amax = max(abs(v) for v in chunk)
        if amax == 0:
            codes.append(0)
            elements += [0.0] * block
            continue
        code = min(254, max(0, math.frexp(amax)[1] + 124))
        codes.append(code)
        elements += [e2m1_round(math.ldexp(v, 127 - code)) for v in chunk]
    return np.array(codes, dtype=np.uint8), np.array(elements, dtype=np.float64)


def mxfp4_dequantize(codes, elements, block=32):
    out = np.empty(len(elements), dtype=np.float64)
    if len(elements) != len(codes) * block:
        raise ValueError("one code per block")
    for i, e in enumerate(elements):
        out[i] = math.ldexp(float(e), int(codes[i // block]) - 127)
    return out


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
