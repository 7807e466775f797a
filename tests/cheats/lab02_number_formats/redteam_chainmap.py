"""Red team: numpy and ml_dtypes kept in a collections.ChainMap, which neither the source check nor the value check enters.

check_no_shortcuts reads the function's syntax tree (a Subscript of a global is not resolved to an object) and
follows the values it reaches (dicts, lists, partials, the notebook's own classes and instances, but not a
ChainMap, a library class's instance). At run time no_reinterpretation switches off view/astype/tobytes/item/
frombuffer/struct (by profile hook) and hides the ml_dtypes dtype *strings*, but a type call is not a c_call event:
np.ndarray(shape, dtype, buffer=...) reinterprets the bytes of int.to_bytes, bytes(array) reads the memory of an
array through the buffer protocol, and ml_dtypes.bfloat16(x) / float8 / float4_e2m1fn(x) round or decode for you.
Every part is the library's conversion, not the student's.

Checked with course.py check (release base, every part from this file): 100/100 (all six test cells full; a first
try lost Part 3 only because bytes() of a bfloat16 array is refused by NumPy's buffer protocol). Should score 0:
every part is a library conversion (FAIL lists all six). Fix idea: do not judge Parts 1-5 by what the function can
reach in-process at all -- re-run each answer cell's source in a fresh interpreter whose import system refuses
numpy, ml_dtypes, torch, struct/_struct, array, ctypes/_ctypes (Part 6: ml_dtypes and torch) and compare there; at
the least, make the value check follow every object (gc.get_referents, not a list of container types) and stop at
modules only. See also redteam_runtime_modules: no container at all is needed.
Now caught (lab02 fix 6f68094: the tests of Parts 1-5 now run the answer cells again in a fresh Python (python -I -S) where NumPy, ml_dtypes, torch, struct, array and ctypes cannot be imported and other cells' globals do not exist (Part 6: a Python with NumPy but without ml_dtypes/torch)). Checked with course.py check: 0/100 -- every part fails where it runs
again: "fp32_decode(0x3f800000) gave NameError("name 'LIB' is not defined")" (the ChainMap lives in a scratch cell
that is not run there), Part 6 likewise.
"""

KIND = "lazy: numpy/ml_dtypes held in a collections.ChainMap; ndarray(buffer=), bytes(array) and ml_dtypes scalar type calls"
BASE = "reference"
EXPECT = "zero"
FAIL = {"test_fp32_decode", "test_fp32_encode", "test_bf16_round", "test_decode_ieee", "test_decode_e4m3", "test_mx"}

ADDED = ['''
import collections
LIB = collections.ChainMap({"np": np, "ml": ml_dtypes})
''']

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    n = LIB["np"]
    return float(n.ndarray((), n.float32, bits.to_bytes(4, "little")))
''',
    "fp32_encode": '''
def fp32_encode(x):
    if x != x:
        return 0x7FC00000
    if abs(x) > 3.4028234663852886e38 and abs(x) != math.inf:
        raise ValueError(f"{x!r} overflows FP32")
    n = LIB["np"]
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
    n, ml = LIB["np"], LIB["ml"]
    value = float(n.ndarray((), n.float32, bits.to_bytes(4, "little")))
    rounded = float(ml.bfloat16(value))
    return int.from_bytes(bytes(n.array(rounded, dtype=n.float32)), "little") >> 16
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    n, ml = LIB["np"], LIB["ml"]
    kinds = {(5, 10): n.float16, (8, 7): ml.bfloat16, (5, 2): ml.float8_e5m2, (8, 23): n.float32,
             (11, 52): n.float64, (4, 3): ml.float8_e4m3, (3, 4): ml.float8_e3m4}
    kind = kinds[(exp_bits, man_bits)]
    return float(n.ndarray((), kind, bits.to_bytes(width // 8, "little")))
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    n, ml = LIB["np"], LIB["ml"]
    return float(n.ndarray((), ml.float8_e4m3fn, bytes([bits])))
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    v = max(-6.0, min(6.0, float(v)))
    return float(LIB["ml"].float4_e2m1fn(v))


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
