"""Cheating submission for lab02_number_formats: answer cells that hard-code the visible tests' answers.

fp32_decode is honest (so the cheat scores more than zero); the other parts return lookup tables of the
visible examples and lose the hidden, exhaustive and random, bit-exact tests (decode_ieee also hard-codes the two
examples of other widths that Part 4's visible test asks since the fresh re-run was added).
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
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
    if x == 0:
        return 0x80000000 if math.copysign(1.0, x) < 0 else 0
    return {1.0: 0x3F800000, -2.5: 0xC0200000, math.inf: 0x7F800000, 2.0 ** -149: 1}[x]
''',
    "bf16_round": '''
def bf16_round(bits):
    return {0x3F800000: 0x3F80, 0x3F808000: 0x3F80, 0x3F818000: 0x3F82,
            0x3F808001: 0x3F81, 0x7F7FFFFF: 0x7F80}.get(bits, bits >> 16)
''',
    "decode_ieee": '''
def decode_ieee(bits, exp_bits, man_bits):
    return {(0x3C00, 5): 1.0, (0x7BFF, 5): 65504.0, (0x0001, 5): 2.0 ** -24,
            (0x7B, 5): 57344.0, (0x7C, 5): math.inf, (0x5, 3): 0.3125, (0x1FF, 4): math.nan}.get((bits, exp_bits), 0.0)
''',
    "decode_e4m3": '''
def decode_e4m3(bits):
    return {0x38: 1.0, 0x7E: 448.0, 0x7F: math.nan, 0x01: 2.0 ** -9}.get(bits, 0.0)
''',
    "mx": '''
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def e2m1_round(v):
    table = {0.25: 0.0, 0.75: 1.0, 1.25: 1.0, 2.5: 2.0, 5.0: 4.0, 7.0: 6.0, -100.0: -6.0}
    if v in table:
        return table[v]
    return min(E2M1_VALUES, key=lambda q: abs(abs(v) - q)) * (1 if v >= 0 else -1)


def mxfp4_quantize(x, block=32):
    x = np.asarray(x, dtype=np.float64)
    return np.array([127], dtype=np.uint8), np.array([e2m1_round(v) for v in x])


def mxfp4_dequantize(codes, elements, block=32):
    return np.asarray(elements, dtype=np.float64)


def mx_bits_per_element(element_bits, block=32, scale_bits=8):
    return 4.25
''',
}
