"""Red team: no library named or held anywhere -- every part fetches its modules at call time from sys.modules,
reached as getattr(plt, "sys") (matplotlib.pyplot binds sys; the policy allows reading a module attribute that is an
allowed module, and sys itself is allowed), then `.modules[...]` on a local, which no static or run-time check reads.

Parts 1-2 call struct.pack/unpack through map(): the profile hook that switches struct off sees only calls made
from Python code, not the ones map makes from C. Part 3 rounds with ml_dtypes.bfloat16(x), Parts 4-5 decode with
np.ndarray(shape, dtype, buffer) (type calls, which a profile hook never sees), Part 6 rounds with
ml_dtypes.float4_e2m1fn(x). No global, default, closure or container holds a library, so a wider value check
(following more containers) would not catch this; check_source sees only the names plt, getattr and locals.

Checked with course.py check (release base): 100/100. Should score 0 (FAIL lists all six). Fix idea: the graded
function must run where these modules do not exist (a fresh interpreter with an import blocker for numpy, ml_dtypes,
torch, struct/_struct, array, ctypes/_ctypes, and no matplotlib/sys.modules to fetch them from); in-process the
course cannot see a plain attribute read (`s.modules`) on a module a local variable holds. Course-wide: the policy
lets getattr(<allowed module>, "sys") return the unrestricted sys module (ATTRIBUTE_ALLOWLIST only binds `sys.x`
written literally) -- refuse module attributes that are sys/os (or any module with an allowlist) and, better, give
the guard a way to refuse sys.modules at run time (see redteam_blind_guard for what sys.modules reaches).
Now caught, twice: the guard refuses the sys.modules read at run time since 5a865e9 (course-wide), and the tests of Parts 1-5 now run the answer cells again in a fresh Python (python -I -S) where NumPy, ml_dtypes, torch, struct, array and ctypes cannot be imported and other cells' globals do not exist (Part 6: a Python with NumPy but without ml_dtypes/torch)
(lab02 fix 6f68094). Checked with course.py check: 0/100 -- every part "GradingPolicyError: not allowed when
grading: uses sys.modules" (the guard fires first, in the kernel).
"""

KIND = "lazy: libraries fetched at call time through getattr(plt, 'sys').modules; struct through map()"
BASE = "reference"
EXPECT = "zero"
FAIL = {"test_fp32_decode", "test_fp32_encode", "test_bf16_round", "test_decode_ieee", "test_decode_e4m3", "test_mx"}

CELLS = {
    "fp32_decode": '''
def _lib(name):
    return getattr(plt, "sys").modules[name]


def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    s = _lib("struct")
    return list(map(s.unpack, ["<f"], [bits.to_bytes(4, "little")]))[0][0]
''',
    "fp32_encode": '''
def fp32_encode(x):
    if x != x:
        return 0x7FC00000
    if abs(x) > 3.4028234663852886e38 and abs(x) != math.inf:
        raise ValueError(f"{x!r} overflows FP32")
    raw = list(map(_lib("struct").pack, ["<f"], [x]))[0]
    bits = int.from_bytes(raw, "little")
    if fp32_decode(bits) != x:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return bits
''',
    "bf16_round": '''
def bf16_round(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    if (bits >> 23) & 0xFF == 0xFF and bits & 0x7FFFFF:
        return (bits >> 16) | 0x0040
    rounded = float(_lib("ml_dtypes").bfloat16(fp32_decode(bits)))
    return fp32_encode(rounded) >> 16
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    n, ml = _lib("numpy"), _lib("ml_dtypes")
    kinds = {(5, 10): n.float16, (8, 7): ml.bfloat16, (5, 2): ml.float8_e5m2, (8, 23): n.float32}
    return float(n.ndarray((), kinds[(exp_bits, man_bits)], bits.to_bytes(width // 8, "little")))
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    return float(_lib("numpy").ndarray((), _lib("ml_dtypes").float8_e4m3fn, bytes([bits])))
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    v = max(-6.0, min(6.0, float(v)))
    return float(getattr(plt, "sys").modules["ml_dtypes"].float4_e2m1fn(v))


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
