"""Red team: sys.modules without getattr -- the policy's sys allowlist binds only `sys.x` written on a name it can
resolve. Part 3 reads it through a local alias of the notebook's own `sys` (imported by the set-up cell), Part 4
through `plt.sys` bound to a local, Part 5 through a lambda that returns sys. The conversions are the same type calls
as redteam_runtime_modules (ml_dtypes.bfloat16(x), np.ndarray(shape, dtype, buffer)).

Checked with course.py check (release base, other parts unanswered): 50/100 -- bf16_round 20, decode_ieee 20,
decode_e4m3 10. Should score 0 in those parts. Shows that refusing getattr(<module>, "sys") (a fix idea of
redteam_runtime_modules) is not enough: `import sys` is allowed, the set-up cell binds sys in the notebook, plt.sys
is an allowed module attribute, and a local alias or a call result is invisible to the syntax-tree policy. Fix idea:
the graded function has to run where the converters cannot be imported or found (fresh interpreter with an import
blocker, the answer cells' sources re-executed there), not be judged by what it names.
Now caught: the guard refuses sys.modules through any alias at run time since 5a865e9 (course-wide); in lab02 the
fresh Python of 6f68094 would also catch it (no numpy/ml_dtypes to find there). Checked with course.py check:
50/100 -- bf16_round, decode_ieee and decode_e4m3 0 ("GradingPolicyError: not allowed when grading: uses
sys.modules"), the reference's other parts full.
"""

KIND = "lazy: sys.modules through a local alias of sys / plt.sys / a lambda returning sys"
BASE = "reference"
FAIL = {"test_bf16_round", "test_decode_ieee", "test_decode_e4m3"}

CELLS = {
    "bf16_round": '''
def bf16_round(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    if (bits >> 23) & 0xFF == 0xFF and bits & 0x7FFFFF:
        return (bits >> 16) | 0x0040
    here = sys
    libs = here.modules
    n, ml = libs["numpy"], libs["ml_dtypes"]
    value = float(n.ndarray((), n.float32, bits.to_bytes(4, "little")))
    rounded = float(ml.bfloat16(value))
    return int.from_bytes(bytes(n.array(rounded, dtype=n.float32)), "little") >> 16
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    width = 1 + exp_bits + man_bits
    if not 0 <= bits < 1 << width:
        raise ValueError(f"bits must fit in {width} bits, got {bits}")
    s = plt.sys
    n, ml = s.modules["numpy"], s.modules["ml_dtypes"]
    kinds = {(5, 10): n.float16, (8, 7): ml.bfloat16, (5, 2): ml.float8_e5m2, (8, 23): n.float32}
    return float(n.ndarray((), kinds[(exp_bits, man_bits)], bits.to_bytes(width // 8, "little")))
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    libs = (lambda: sys)().modules
    return float(libs["numpy"].ndarray((), libs["ml_dtypes"].float8_e4m3fn, bytes([bits])))
''',
}
