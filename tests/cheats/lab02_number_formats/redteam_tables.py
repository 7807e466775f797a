"""Red team: the answers computed by NumPy/ml_dtypes at the top level of the answer cell, kept as plain floats.

check_no_shortcuts reads the code of the graded function and follows the values it reaches, but a list of Python
floats reaches no library, and the code that filled it (np.arange(...).view(ml_dtypes.float8_e4m3fn) at the top
of the answer cell) is neither read nor run under the switch-off: the policy lets a cell use NumPy and ml_dtypes.
decode_e4m3 is a lookup in 256 floats; decode_ieee a lookup in tables of every FP16, BF16 and E5M2 pattern
(65,536 + 65,536 + 256 floats), which is all the tests ask about.
Parts 1 and 2 are honest (Part 4 uses Part 1's decoder for FP32).

Checked with course.py check (release base, Parts 1-2 honest as below, Parts 3 and 6 unanswered): 55/100 --
fp32_decode 15, fp32_encode 10 (honest), decode_ieee 20, decode_e4m3 10. Should be 25 (Parts 4 and 5 at 0): the
hidden tests of Part 4 only ask FP16, BF16, E5M2 and FP32 (a first try without the FP32 fallback failed with
KeyError (8, 23)), so three library tables and Part 1's decoder pass "decode any IEEE-style format". A variant that
imported torch inside bf16_round was caught (importing torch during the switch-off calls memoryview.cast). Fix idea:
re-run the answer cell (not only the function) with the converters blocked, or have Part 4's hidden test draw
random (exp_bits, man_bits) such as (3, 4), (6, 9), (4, 11) against the course's own exact formula (Fraction).
Now caught (lab02 fix 6f68094: the tests of Parts 1-5 now run the answer cells again in a fresh Python (python -I -S) where NumPy, ml_dtypes, torch, struct, array and ctypes cannot be imported and other cells' globals do not exist (Part 6: a Python with NumPy but without ml_dtypes/torch); Part 4's hidden test also asks random widths, exp_bits 2-11 and man_bits
1-52, against an exact Fraction formula). Checked with course.py check: 70/100 -- Parts 1-2 (honest) and the
reference's Parts 3 and 6 full; decode_ieee and decode_e4m3 0: "the cell that defines decode_ieee, run again in a
Python without NumPy, ml_dtypes, PyTorch, struct, array and ctypes, fails: NameError: name 'np' is not defined".
"""

KIND = "lazy: tables of plain floats filled by ml_dtypes/numpy at the top of the answer cell"
BASE = "reference"
FAIL = {"test_decode_ieee", "test_decode_e4m3"}   # Parts 1-2 honest

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError("bits must be in [0, 2**32)")
    sign = -1.0 if bits >> 31 else 1.0
    exponent = (bits >> 23) & 0xFF
    fraction = bits & 0x7FFFFF
    if exponent == 0xFF:
        return sign * math.inf if fraction == 0 else math.nan
    if exponent == 0:
        return sign * math.ldexp(fraction, -149)
    return sign * math.ldexp((1 << 23) | fraction, exponent - 150)
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
    m, e = math.frexp(abs(x))
    if e - 1 > 127:
        raise ValueError("too large")
    lsb = max(e - 1, -126) - 23
    units = math.ldexp(abs(x), -lsb)
    if units != int(units):
        raise ValueError("not representable")
    units = int(units)
    if e - 1 < -126:
        return sign | units
    return sign | ((e - 1 + 127) << 23) | (units - (1 << 23))
''',
    "decode_ieee": '''
_TABLES = {
    (5, 10): [float(v) for v in np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)],
    (8, 7): [float(v) for v in np.arange(1 << 16, dtype=np.uint16).view(ml_dtypes.bfloat16)],
    (5, 2): [float(v) for v in np.arange(256, dtype=np.uint16).astype(np.uint8).view(ml_dtypes.float8_e5m2)],
}


def decode_ieee(bits, exp_bits, man_bits):
    if not 0 <= bits < 1 << (1 + exp_bits + man_bits):
        raise ValueError("bits do not fit")
    if (exp_bits, man_bits) == (8, 23):
        return fp32_decode(bits)                        # Part 1's decoder (honest below) for FP32
    return _TABLES[(exp_bits, man_bits)][bits]
''',
    "decode_e4m3": '''
E4M3 = [float(v) for v in np.arange(256, dtype=np.uint16).astype(np.uint8).view(ml_dtypes.float8_e4m3fn)]


def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError("bits must fit in 8 bits")
    return E4M3[bits]
''',
}
