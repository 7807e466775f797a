"""Red team (regression of redteam_complex_step_dual): the complex-step Dual with nothing a source check can name.

The long-double complex type is fetched at run time as np.typecodes["Complex"][-1] (the string "G" is never
written), the imaginary unit is the square root of -1 in that type, and the imaginary part is read back through
.view() of the two long doubles it is made of (no .imag, no np.imag, no complex literal, no cmath). The Dual still
holds Python floats between operations; the elementary functions are complex-step derivatives of np.sin/np.cos/
np.exp/np.log at the unit seed, multiplied by dot.
What catches it: check_real_code reads nothing forbidden in this code, but real_numbers (the run-time watch in
test_dual) sees _step return a long-double complex array and hold it in its locals.
"""

KIND = 'lazy: complex-step derivatives, complex type fetched at run time'
BASE = "reference"
FAIL = {'test_dual'}

CELLS = {
    'dual': r'''def _step(f, a):
    """f'(a) by complex step in the widest complex type NumPy has (looked up at run time)."""
    kind = np.typecodes["Complex"][-1]
    z = np.array(a, dtype=kind) + np.sqrt(np.array(-1.0, dtype=kind)) * np.array(2.0 ** -100, dtype=kind)
    w = np.atleast_1d(f(z))
    parts = w.view(np.typecodes["Float"][-1])
    return float(parts[1] * 2.0 ** 100)


class Dual:
    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __repr__(self):
        return f"Dual({self.val:.6g}, {self.dot:.6g})"

    def __add__(self, other):
        o = lift(other)
        return Dual(self.val + o.val, self.dot + o.dot)

    def __radd__(self, other):
        return self.__add__(other)

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    def __sub__(self, other):
        o = lift(other)
        return Dual(self.val - o.val, self.dot - o.dot)

    def __rsub__(self, other):
        return lift(other) - self

    def __mul__(self, other):
        o = lift(other)
        return Dual(self.val * o.val, self.dot * o.val + self.val * o.dot)

    def __rmul__(self, other):
        return self.__mul__(other)

    def __truediv__(self, other):
        o = lift(other)
        return Dual(self.val / o.val, (self.dot * o.val - self.val * o.dot) / (o.val * o.val))

    def __rtruediv__(self, other):
        return lift(other) / self

    def __pow__(self, other):
        if isinstance(other, Dual):
            val = self.val ** other.val
            dot = other.val * self.val ** (other.val - 1) * self.dot
            if other.dot != 0.0:
                dot += val * math.log(self.val) * other.dot
            return Dual(val, dot)
        p = float(other)
        return Dual(self.val ** p, p * self.val ** (p - 1) * self.dot)

    def __rpow__(self, other):
        c = float(other)
        val = c ** self.val
        return Dual(val, val * math.log(c) * self.dot if self.dot != 0.0 else 0.0)


def lift(x):
    if isinstance(x, Dual):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return Dual(x, 0.0)
    raise TypeError(f"expected a Dual or a number, got {type(x).__name__}")


def _elementary(f, plain_f):
    def g(x):
        if isinstance(x, Dual):
            return Dual(plain_f(x.val), _step(f, x.val) * x.dot)
        return plain_f(x)
    return g


sin = _elementary(np.sin, math.sin)
cos = _elementary(np.cos, math.cos)
exp = _elementary(np.exp, math.exp)
log = _elementary(np.log, math.log)
''',
}
