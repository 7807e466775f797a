"""Lazy lab02: every part hands the conversion to a library instead of computing the bits.

fp32_decode/fp32_encode reinterpret memory with struct and numpy scalar views, bf16_round and decode_e4m3 cast with
ml_dtypes, decode_ieee views the bits as np.float16/ml_dtypes types, and MXFP4 rounds with an ml_dtypes float4 cast.
Every answer is right, and each part must score 0: the rule (Python ints, floats and math in Parts 1-5; no ml_dtypes
in Part 6) is checked on the code and the reinterpreting routines are switched off while the tests call it.
"""

KIND = "lazy: struct / ndarray.view / ml_dtypes casts instead of bit manipulation"
BASE = "reference"
EXPECT = "zero"
FAIL = {"test_fp32_decode", "test_fp32_encode", "test_bf16_round", "test_decode_ieee", "test_decode_e4m3", "test_mx"}

CELLS = {
    "fp32_decode": '''
import struct


def fp32_decode(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]
''',
    "fp32_encode": '''
def fp32_encode(x):
    if math.isnan(x):
        return 0x7FC00000
    f = np.float32(x)
    if float(f) != x:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return int(f.view(np.uint32))
''',
    "bf16_round": '''
def bf16_round(bits):
    with np.errstate(invalid="ignore"):
        value = np.array(bits, dtype=np.uint32).view(np.float32)
        if np.isnan(value):
            return (bits >> 16) | 0x0040
        return int(value.astype(ml_dtypes.bfloat16).view(np.uint16))
''',
    "decode_ieee": '''
TYPES = {(5, 10): (np.float16, np.uint16), (8, 7): (ml_dtypes.bfloat16, np.uint16),
         (5, 2): (ml_dtypes.float8_e5m2, np.uint8), (8, 23): (np.float32, np.uint32)}


def decode_ieee(bits, exp_bits, man_bits):
    if not 0 <= bits < 1 << (1 + exp_bits + man_bits):
        raise ValueError("bits do not fit")
    narrow, raw = TYPES[(exp_bits, man_bits)]
    return float(np.array(bits, dtype=raw).view(narrow).astype(np.float64))
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    return float(np.uint8(bits).view(ml_dtypes.float8_e4m3fn))
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    return float(np.float64(v).astype(ml_dtypes.float4_e2m1fn))


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size % block or not np.all(np.isfinite(x)):
        raise ValueError("x must be a finite 1-D array whose length is a multiple of 32")
    codes = np.zeros(x.size // block, dtype=np.uint8)
    elements = np.zeros(x.size)
    for b in range(x.size // block):
        chunk = x[b * block:(b + 1) * block]
        amax = float(np.abs(chunk).max())
        if amax == 0:
            continue
        codes[b] = min(max(math.frexp(amax)[1] - 3 + 127, 0), 254)
        elements[b * block:(b + 1) * block] = np.ldexp(chunk, 127 - int(codes[b])).astype(
            ml_dtypes.float4_e2m1fn).astype(np.float64)
    return codes, elements


def mxfp4_dequantize(codes, elements, block=32):
    return np.asarray(elements, dtype=np.float64) * np.repeat(np.ldexp(1.0, np.asarray(codes, np.int64) - 127), block)


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
