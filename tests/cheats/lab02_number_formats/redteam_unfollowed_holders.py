"""Red team: numpy/ml_dtypes kept in six more holders that the value check of check_no_shortcuts does not enter.

_reachable follows dicts, lists, tuples, sets, deques, partials, __wrapped__, and the notebook's own functions,
classes and instances; it does not follow a bound built-in method's __self__ ({...}.get), a defaultdict's
default_factory, an instance of a library class (random.Random with attributes set), an iterator
(itertools.repeat), a collections.UserDict (its .data), nor anything fetched at run time from an allowed module
(getattr(plt, "np"): matplotlib.pyplot binds numpy as np). The source check only resolves Name/Attribute chains
of modules and classes, so `HOLDER["np"].float32` or `R.ml.bfloat16` names nothing. Each part uses one holder;
the conversions themselves are numpy/ml_dtypes type calls (np.ndarray(buffer=...), bytes(array), ml_dtypes
scalar types), which the run-time switch-off (a profile hook on c_call events) does not see.

Checked with course.py check (release base): 90/100. Parts 1, 3, 4, 5, 6 full (bound dict.get, random.Random
attributes, getattr(plt, "np"), itertools.repeat, UserDict); Part 2 lost its 10 points only because the visible
asserts had already stored numpy as a *value* of the defaultdict before check_no_shortcuts ran (reading
DEFAULT.default_factory() instead would not store it). Should score 0 (FAIL lists all six). Fix idea: as for
redteam_chainmap -- isolate the graded function from the libraries (fresh interpreter with an import blocker)
instead of enumerating the holders a value check follows.
Now caught (lab02 fix 6f68094: the tests of Parts 1-5 now run the answer cells again in a fresh Python (python -I -S) where NumPy, ml_dtypes, torch, struct, array and ctypes cannot be imported and other cells' globals do not exist (Part 6: a Python with NumPy but without ml_dtypes/torch)). Checked with course.py check: 0/100 -- Parts 1, 3, 4, 5 and 6 fail where
they run again (NameError for GET, BOX, plt, AGAIN, SHELF: the holders live in a scratch cell, and the fresh Python
has no matplotlib), Part 2 by check_no_shortcuts (numpy stored in the defaultdict) as before.
"""

KIND = "lazy: numpy/ml_dtypes in a bound dict.get, defaultdict factory, random.Random attributes, getattr(plt, 'np'), itertools.repeat, UserDict"
BASE = "reference"
EXPECT = "zero"
FAIL = {"test_fp32_decode", "test_fp32_encode", "test_bf16_round", "test_decode_ieee", "test_decode_e4m3", "test_mx"}

ADDED = ['''
import collections
import itertools
import random

GET = {"np": np}.get                                   # Part 1: a bound built-in method
DEFAULT = collections.defaultdict(lambda: np)          # Part 2: the default factory of a defaultdict
BOX = random.Random(0)                                 # Part 3: attributes of a library class's instance
BOX.np, BOX.ml = np, ml_dtypes
AGAIN = itertools.repeat(ml_dtypes)                    # Part 5: an iterator
SHELF = collections.UserDict({"ml": ml_dtypes})        # Part 6: a UserDict
''']

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    n = GET("np")
    return float(n.ndarray((), n.float32, bits.to_bytes(4, "little")))
''',
    "fp32_encode": '''
def fp32_encode(x):
    if x != x:
        return 0x7FC00000
    if abs(x) > 3.4028234663852886e38 and abs(x) != math.inf:
        raise ValueError(f"{x!r} overflows FP32")
    n = DEFAULT["numpy"]
    f = n.float32(x)
    if float(f) != x:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return int.from_bytes(bytes(n.array(f)), "little")
''',
    "bf16_round": '''
def bf16_round(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    if (bits >> 23) & 0xFF == 0xFF and bits & 0x7FFFFF:
        return (bits >> 16) | 0x0040
    value = float(BOX.np.ndarray((), BOX.np.float32, bits.to_bytes(4, "little")))
    rounded = float(BOX.ml.bfloat16(value))
    return int.from_bytes(bytes(BOX.np.array(rounded, dtype=BOX.np.float32)), "little") >> 16
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    n = getattr(plt, "np")
    # BF16 is the top half of FP32 and E5M2 the top byte of FP16: shift into the wide format, let numpy read it
    wide = {(5, 10): (n.float16, 0), (5, 2): (n.float16, 8), (8, 7): (n.float32, 16), (8, 23): (n.float32, 0)}
    kind, shift = wide[(exp_bits, man_bits)]
    size = 2 if kind is n.float16 else 4
    return float(n.ndarray((), kind, (bits << shift).to_bytes(size, "little")))
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    ml = next(AGAIN)
    return float(getattr(plt, "np").ndarray((), ml.float8_e4m3fn, bytes([bits])))
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    v = max(-6.0, min(6.0, float(v)))
    return float(SHELF["ml"].float4_e2m1fn(v))


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size % block or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be a finite 1-D array whose length is a multiple of {block}")
    blocks = x.reshape(-1, block)
    amax = np.abs(blocks).max(axis=1)
    codes = np.array([0 if a == 0 else min(max(math.frexp(a)[1] + 124, 0), 254) for a in amax], dtype=np.uint8)
    scaled = np.ldexp(blocks, 127 - codes.astype(np.int64)[:, None])
    elements = np.array([e2m1_round(v) for v in scaled.ravel()], dtype=np.float64)
    elements[np.repeat(amax == 0, block)] = 0.0
    return codes, elements


def mxfp4_dequantize(codes, elements, block=32):
    return np.asarray(elements, dtype=np.float64) * np.repeat(np.ldexp(1.0, np.asarray(codes, np.int64) - 127), block)


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return element_bits + scale_bits / block
''',
}
