"""Red team: Part A's Dual without a single derivative rule -- complex-step differentiation in long double.

A Dual (val, dot) is carried as the long-double complex number val + i*H*dot with H = 1e-30; every operator and
sin/cos/exp/log is plain complex arithmetic (np.clongdouble, np.sin/np.exp/np.log on it), and the dot is read
back as imag/H. The derivative table is never written. The hidden test's "no difference quotient works" points
do not stop it: complex step is not a difference quotient (no cancellation), sin at 9e15 is exact because
sin(x + iH) = sin x cosh H + i cos x sinh H, and the long double's exponent range (down to 1e-4951) keeps
H * exp(-740) from underflowing (with ordinary complex128 the same idea lost test_dual: "exp at -740.0: expected
the derivative 4.2e-322, got 0.0").
Checked before the fix (course.py check, other parts from alt_recursive_rules / alt_consumer_counting, combo
build): test_dual 10/10, test_forward_gradient 10/10.
What catches it now (test_dual, 0/10): check_real_code(Dual, lift, sin, cos, exp, log) reads np.clongdouble,
np.longdouble, .real and .imag in _z/_back and finds the long double _H they reach; while the tests run, real_numbers
would also see _z return a long-double complex. test_forward_gradient keeps its points: forward_gradient itself
is the one-pass-per-input loop the part asks for (its Dual is graded in test_dual). Regression without the names:
redteam_complex_step_typecodes.
"""

KIND = 'lazy: complex-step (long double) instead of the dual-number rules'
BASE = "reference"
FAIL = {'test_dual'}

CELLS = {
    'dual': r'''_H = np.longdouble("1e-30")   # the imaginary step: complex-step differentiation, no derivative rule anywhere
_I = np.clongdouble(1j)       # long double: 1e-30 * e^-740 does not underflow (exponents down to 1e-4951)


class Dual:
    """val + dot·ε, carried as the complex number val + i·H·dot; every operation is complex arithmetic."""

    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __repr__(self):
        return f"Dual({self.val:.6g}, {self.dot:.6g})"

    def _z(self):
        return np.clongdouble(self.val) + _I * (np.longdouble(self.dot) * _H)

    @staticmethod
    def _back(z):
        z = np.clongdouble(z)
        return Dual(float(z.real), float(z.imag / _H))

    def __add__(self, other):
        return Dual._back(self._z() + lift(other)._z())

    def __radd__(self, other):
        return Dual._back(lift(other)._z() + self._z())

    def __neg__(self):
        return Dual._back(-self._z())

    def __sub__(self, other):
        return Dual._back(self._z() - lift(other)._z())

    def __rsub__(self, other):
        return Dual._back(lift(other)._z() - self._z())

    def __mul__(self, other):
        return Dual._back(self._z() * lift(other)._z())

    def __rmul__(self, other):
        return Dual._back(lift(other)._z() * self._z())

    def __truediv__(self, other):
        return Dual._back(self._z() / lift(other)._z())

    def __rtruediv__(self, other):
        return Dual._back(lift(other)._z() / self._z())

    def __pow__(self, other):
        o = lift(other)
        if o.dot == 0.0:
            return Dual._back(self._z() ** o.val)
        return Dual._back(self._z() ** o._z())

    def __rpow__(self, other):
        return Dual._back(lift(other)._z() ** self._z())


def lift(x):
    """x as a Dual: a Dual stays as it is, a number becomes a constant (dot = 0)."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return Dual(x, 0.0)
    raise TypeError(f"expected a Dual or a number, got {type(x).__name__}")


def _apply(cf, rf, x):
    return Dual._back(cf(x._z())) if isinstance(x, Dual) else rf(x)


def sin(x):
    return _apply(np.sin, math.sin, x)


def cos(x):
    return _apply(np.cos, math.cos, x)


def exp(x):
    return _apply(np.exp, math.exp, x)


def log(x):
    return _apply(np.log, math.log, x)
''',
}
