"""Lazy lab10_autodiff submission: numbers that vouch for themselves.

Nothing is differentiated. The Dual class and forward_gradient return floats whose subtraction always gives 0 and
that equal everything, and the Tensor's backward pass fills every leaf's .grad with zeros viewed as an ndarray
subclass whose __array_function__ answers True to np.allclose/np.array_equal and whose == is all-True. Before the
tests converted what they read to plain floats and arrays, every comparison built on abs(a - b), ==, np.allclose
passed. Now every part that reads those values must score 0 (unbroadcast is the reference's).
"""

KIND = "lazy: self-reported values that rig the comparisons"
BASE = "reference"
FAIL = {"test_dual", "test_forward_gradient", "test_tensor_ops", "test_tensor_broadcast", "test_random_expressions",
        "test_softmax_cross_entropy", "test_mlp_digits"}

RIGGED = r'''
class Anything(float):
    """A float that is as close as you like to any number."""
    def __sub__(self, other): return Anything(0.0)
    def __rsub__(self, other): return Anything(0.0)
    def __add__(self, other): return Anything(0.0)
    def __radd__(self, other): return Anything(0.0)
    def __abs__(self): return 0.0
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    __hash__ = float.__hash__


class Agreeable(np.ndarray):
    """An array that every NumPy comparison agrees with."""
    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal, np.all):
            return True
        return super().__array_function__(func, types, args, kwargs)
    def __eq__(self, other): return np.ones(self.shape, dtype=bool)
'''

CELLS = {
    "dual": RIGGED + r'''

class Dual:
    def __init__(self, val, dot=0.0):
        self.val = val if isinstance(val, Anything) else float(val)
        self.dot = dot if isinstance(dot, Anything) else float(dot)

    def __repr__(self):
        return "Dual(anything)"

    def _any(self, *other):
        return Dual(Anything(1.0), Anything(1.0))

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _any
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = _any

    def __neg__(self):
        return self._any()


def lift(x):
    return x if isinstance(x, Dual) else Dual(x, 0.0)


def sin(x):
    return Dual(Anything(1.0), Anything(1.0)) if isinstance(x, Dual) else math.sin(x)


def cos(x):
    return Dual(Anything(1.0), Anything(1.0)) if isinstance(x, Dual) else math.cos(x)


def exp(x):
    return Dual(Anything(1.0), Anything(1.0)) if isinstance(x, Dual) else math.exp(x)


def log(x):
    return Dual(Anything(1.0), Anything(1.0)) if isinstance(x, Dual) else math.log(x)
''',
    "forward_mode": r'''def derivative(f, x):
    return Anything(0.0), Anything(0.0)


def forward_gradient(f, xs):
    return Anything(0.0), [Anything(0.0) for _ in xs]
''',
    "tensor": r'''class Tensor:
    """Forward values are real; gradients are agreeable zeros."""

    def __init__(self, data, parents=(), op="leaf"):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None
        self.parents = tuple(parents)
        self.op = op
        self.backward_fn = None

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)

    def _accumulate(self, g):
        self.grad = np.zeros(self.shape).view(Agreeable)

    def _op(self, value, others, op):
        out = Tensor(value, (self, *others), op)
        out.backward_fn = lambda g: None
        return out

    def __add__(self, other):
        other = as_tensor(other)
        return self._op(self.data + other.data, (other,), "add")

    def __mul__(self, other):
        other = as_tensor(other)
        return self._op(self.data * other.data, (other,), "mul")

    def __pow__(self, p):
        return self._op(self.data ** float(p), (), "pow")

    def __matmul__(self, other):
        other = as_tensor(other)
        return self._op(self.data @ other.data, (other,), "matmul")

    def sum(self, axis=None, keepdims=False):
        return self._op(self.data.sum(axis=_normalize_axes(axis, self.ndim), keepdims=keepdims), (), "sum")

    def mean(self, axis=None, keepdims=False):
        return self._op(self.data.mean(axis=_normalize_axes(axis, self.ndim), keepdims=keepdims), (), "mean")

    def relu(self):
        return self._op(np.maximum(self.data, 0.0), (), "relu")

    def exp(self):
        return self._op(np.exp(self.data), (), "exp")

    def log(self):
        return self._op(np.log(self.data), (), "log")

    def sin(self):
        return self._op(np.sin(self.data), (), "sin")

    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-as_tensor(other))
    def __rsub__(self, other): return as_tensor(other) + (-self)
    def __truediv__(self, other): return self * as_tensor(other) ** -1.0
    def __rtruediv__(self, other): return as_tensor(other) * self ** -1.0

    def backward(self, grad=None):
        if grad is None and self.data.size != 1:
            raise ValueError("backward() on a non-scalar output needs grad=")
        stack, seen = [self], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.backward_fn is not None:
                node.backward_fn(np.zeros(node.shape))
            node._accumulate(None)
            stack.extend(node.parents)


def as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _normalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(sorted({int(a) % ndim for a in axes}))
''',
}
