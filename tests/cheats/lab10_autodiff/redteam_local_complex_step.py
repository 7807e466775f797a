"""Red team (regression of redteam_complex_step_tape): every backward_fn does its own work, but its local derivative
comes from complex-step differentiation, not from a rule.

The linear operations (+, *, @, sum, mean) keep the reference's backward_fns; the elementwise ones (pow, exp, log,
sin, relu) multiply g by _slope(f, a): f evaluated once at a + ih for the whole array in NumPy's widest complex
type, looked up at run time (np.typecodes["Complex"][-1]), with the imaginary part read through .view() -- no
complex literal, no complex type, cmath, .imag or np.imag anywhere in the code. Every backward_fn called on its
own gives its parents the right shares, so the tape walk (replay_tape) agrees with backward(); long double keeps
exp's derivative at -740 from underflowing.
What catches it: real_numbers (run by backward_counted and grads_vs_torch) sees _slope hold and return
long-double complex arrays. Part C (the reference loss, a linear graph around it) and Part D (relu's complex
step gives the exact 0/1 mask; Part D checks each backward_fn's local gradients, not how they are computed) pass.
"""

KIND = 'lazy: elementwise local derivatives by complex step (type fetched at run time)'
BASE = "reference"
FAIL = {'test_tensor_ops', 'test_tensor_broadcast', 'test_random_expressions'}

CELLS = {
    'tensor': r'''def _slope(f, a):
    """The elementwise derivative of f at every element of a, by one complex step in the widest complex type NumPy
    has (looked up at run time, so the code names no complex type): no derivative rule is written."""
    kind = np.typecodes["Complex"][-1]
    z = np.asarray(a).astype(kind) + np.sqrt(np.array(-1.0, dtype=kind)) * np.array(2.0 ** -100, dtype=kind)
    w = np.ascontiguousarray(np.atleast_1d(f(z)))
    parts = w.view(np.typecodes["Float"][-1]).reshape(w.shape + (2,))
    return (parts[..., 1] * 2.0 ** 100).astype(np.float64).reshape(np.shape(a))


def _relu(z):
    """relu of a complex array: keep the elements whose real part is positive (read through .view())."""
    real = np.ascontiguousarray(z).view(np.typecodes["Float"][-1]).reshape(np.shape(z) + (2,))[..., 0]
    return np.where(real > 0, z, 0.0)


class Tensor:
    """An n-d array of float64 that records how it was computed, so gradients can flow back."""

    def __init__(self, data, parents=(), op="leaf"):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None          # filled by backward(): same shape as data
        self.parents = tuple(parents)
        self.op = op
        self.backward_fn = None   # g -> None; accumulates the parents' gradients

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def _accumulate(self, g):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != self.shape:
            raise ValueError(f"gradient of shape {g.shape} for a tensor of shape {self.shape} "
                             "(did you forget to unbroadcast?)")
        self.grad = g.copy() if self.grad is None else self.grad + g

    # ---- operations ---------------------------------------------------------------
    def __add__(self, other):
        other = as_tensor(other)
        out = Tensor(self.data + other.data, (self, other), "add")

        def backward_fn(g):
            self._accumulate(unbroadcast(g, self.shape))
            other._accumulate(unbroadcast(g, other.shape))
        out.backward_fn = backward_fn
        return out

    def __mul__(self, other):
        other = as_tensor(other)
        out = Tensor(self.data * other.data, (self, other), "mul")

        def backward_fn(g):
            self._accumulate(unbroadcast(g * other.data, self.shape))
            other._accumulate(unbroadcast(g * self.data, other.shape))
        out.backward_fn = backward_fn
        return out

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise ValueError("only a number exponent is supported: tensor ** number")
        p = float(p)
        out = Tensor(self.data ** p, (self,), "pow")
        out.backward_fn = lambda g: self._accumulate(g * _slope(lambda z: z ** p, self.data))
        return out

    def __matmul__(self, other):
        other = as_tensor(other)
        if self.ndim != 2 or other.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {self.shape} @ {other.shape}")
        out = Tensor(self.data @ other.data, (self, other), "matmul")

        def backward_fn(g):
            self._accumulate(g @ other.data.T)
            other._accumulate(self.data.T @ g)
        out.backward_fn = backward_fn
        return out

    def sum(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        out = Tensor(self.data.sum(axis=axes, keepdims=keepdims), (self,), "sum")

        def backward_fn(g):
            if not keepdims:
                g = np.expand_dims(g, axes)
            self._accumulate(np.broadcast_to(g, self.shape))
        out.backward_fn = backward_fn
        return out

    def mean(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        out = Tensor(self.data.mean(axis=axes, keepdims=keepdims), (self,), "mean")

        def backward_fn(g):
            if not keepdims:
                g = np.expand_dims(g, axes)
            self._accumulate(np.broadcast_to(g / count, self.shape))
        out.backward_fn = backward_fn
        return out

    def relu(self):
        out = Tensor(np.maximum(self.data, 0.0), (self,), "relu")
        out.backward_fn = lambda g: self._accumulate(g * _slope(_relu, self.data))
        return out

    def exp(self):
        out = Tensor(np.exp(self.data), (self,), "exp")
        out.backward_fn = lambda g: self._accumulate(g * _slope(np.exp, self.data))
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")
        out.backward_fn = lambda g: self._accumulate(g * _slope(np.log, self.data))
        return out

    def sin(self):
        out = Tensor(np.sin(self.data), (self,), "sin")
        out.backward_fn = lambda g: self._accumulate(g * _slope(np.sin, self.data))
        return out

    # ---- sugar built from the operations above ---------------------------------------
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-as_tensor(other))
    def __rsub__(self, other): return as_tensor(other) + (-self)
    def __truediv__(self, other): return self * as_tensor(other) ** -1.0
    def __rtruediv__(self, other): return as_tensor(other) * self ** -1.0

    # ---- the backward pass ----------------------------------------------------------
    def backward(self, grad=None):
        """Fill .grad of every tensor this one depends on (gradients accumulate, like PyTorch)."""
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() on a non-scalar output of shape {self.shape} needs grad=")
            grad = np.ones_like(self.data)
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
        self._accumulate(np.broadcast_to(grad, self.shape))
        for node in reversed(order):
            if node.backward_fn is not None and node.grad is not None:
                node.backward_fn(node.grad)


def as_tensor(x):
    """x as a Tensor (a constant leaf if it is a number or an array)."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _normalize_axes(axis, ndim):
    """axis (None, int or tuple, possibly negative) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for {ndim} dimensions")
        out.append(int(a) % ndim)
    return tuple(sorted(set(out)))''',
}
