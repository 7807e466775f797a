"""Lazy lab02 that hides its shortcuts from a text scan, or from the test (what a clever student tries once words are banned).

fp32_decode reaches struct through a dict bound in a scratch cell and calls struct.unpack through map(), where no
Python-level hook sees the call; fp32_encode is a functools.partial (its code cannot be read) over a lambda that packs
with the same toolbox; bf16_round calls ml_dtypes.bfloat16 held in a class attribute (a type call, which no profile hook
sees); decode_ieee calls np.ndarray, held in a default argument, which reinterprets a buffer; decode_e4m3 answers only
the visible examples and, while the test runs, replaces the builtin zip through dataclasses.builtins (an alias the
review cannot see), so that the test's comparison loop runs zero times; Part 6 casts with a dtype spelled as a string.
Comments and docstrings name the banned words to no effect. Each part must score 0.
"""

KIND = "lazy: shortcuts hidden in containers, defaults, partials, class attributes, string dtypes; builtins patched mid-test"
BASE = "reference"
EXPECT = "zero"
FAIL = {"test_fp32_decode", "test_fp32_encode", "test_bf16_round", "test_decode_ieee", "test_decode_e4m3", "test_mx"}

ADDED = ['''
# scratch cell: a toolbox
from struct import pack as _pack, unpack as _unpack
TOOLBOX = {"pack": _pack, "unpack": _unpack}
''']

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    """Decode with shifts and masks (no struct here)."""
    raw = TOOLBOX["pack"]("<I", bits)
    return list(map(TOOLBOX["unpack"], ["<f"], [raw]))[0][0]
''',
    "fp32_encode": '''
import functools


def _encode(x, codec):
    if math.isnan(x):
        return 0x7FC00000
    bits = codec(x)
    if fp32_decode(bits) != x:
        raise ValueError(f"{x!r} is not exactly representable")
    return bits


fp32_encode = functools.partial(_encode, codec=lambda x: int.from_bytes(TOOLBOX["pack"]("<f", x), "little"))
''',
    "bf16_round": '''
class _Config:
    narrow = ml_dtypes.bfloat16


def bf16_round(bits):
    if (bits & 0x7F800000) == 0x7F800000 and bits & 0x007FFFFF:
        return (bits >> 16) | 0x0040
    value = float(_Config.narrow(fp32_decode(bits)))
    if math.isinf(value):
        return ((bits >> 16) & 0x8000) | 0x7F80
    return fp32_encode(value) >> 16
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits, _make=np.ndarray):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError("bits do not fit")
    kind = {16: "e" if exp_bits == 5 else "bfloat16", 8: "float8_e5m2", 32: "f4"}[width]
    return float(_make((1,), kind, bits.to_bytes(width // 8, "little"))[0])
''',
    "decode_e4m3": '''
import dataclasses


def decode_e4m3(bits):
    """The visible answers, 256 and -448; and the builtin zip of the whole notebook stops zipping."""
    library = [dataclasses][0].builtins
    library.zip = lambda *args: iter(())
    return {0x38: 1.0, 0x7E: 448.0, 0x7F: math.nan, 0x01: 2.0 ** -9, 0x78: 256.0, 0xFE: -448.0}.get(bits, 0.0)
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
NARROW = "float4_" + "e2m1fn"


def e2m1_round(v):
    return float(np.array([v]).astype(NARROW)[0])


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size % block or not np.all(np.isfinite(x)):
        raise ValueError("x must be a finite 1-D array whose length is a multiple of 32")
    blocks = x.reshape(-1, block)
    amax = np.abs(blocks).max(axis=1)
    codes = np.array([0 if a == 0 else min(max(math.frexp(a)[1] + 124, 0), 254) for a in amax], dtype=np.uint8)
    scaled = np.ldexp(blocks, 127 - codes.astype(np.int64)[:, None])
    return codes, scaled.astype(NARROW).astype(np.float64).ravel()


def mxfp4_dequantize(codes, elements, block=32):
    return np.asarray(elements, dtype=np.float64) * np.repeat(np.ldexp(1.0, np.asarray(codes, np.int64) - 127), block)


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
