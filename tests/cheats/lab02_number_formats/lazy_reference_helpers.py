"""Lazy lab02 that borrows the tests' own reference helpers from the set-up cell.

f32_value and f32_bits are in the notebook for the tests (they convert with NumPy views); calling them from
fp32_decode and fp32_encode gives the right answers without decoding anything. The rule follows every notebook
function an answer calls, so both parts must score 0; the other parts are the reference's.
"""

KIND = "lazy: the tests' reference helpers f32_value/f32_bits called from the answers"
BASE = "reference"
FAIL = {"test_fp32_decode", "test_fp32_encode"}

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    return f32_value(bits)
''',
    "fp32_encode": '''
def fp32_encode(x):
    if math.isnan(x):
        return 0x7FC00000
    bits = f32_bits(x)
    if f32_value(bits) != x:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return bits
''',
}
