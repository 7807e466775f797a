"""Red team: Parts B and C with no local derivative and no backward pass -- complex-step replay of the tape.

Every Tensor operation records only its forward function (NumPy, works on complex input); every backward_fn is
a no-op lambda, so backward_counted sees each recorded backward_fn run exactly once. backward() collects the
tape, sorts it by creation order, calls the decoy backward_fns, then for each input element replays the whole
recorded forward computation in np.clongdouble with an imaginary step 1e-30 on that element and reads
d(sum(g * out))/dx from the imaginary part (forward-mode complex step, one replay per input element). Numbers
created by as_tensor are marked constant and not differentiated (so the 3,000-op chain is one small leaf).
softmax_cross_entropy is one tape node whose "forward function" is the max-shifted loss: no fused gradient
(softmax - onehot)/N is ever written. Long double keeps H * exp(-740) from underflowing (with complex128 the
replay lost test_tensor_ops: "d/dx sum(exp x) at [-740. -742.5 -700.]").
Checked before the fix (course.py check, Part A and unbroadcast from alt_recursive_rules, combo build):
test_tensor_ops 15/15, test_tensor_broadcast 10/10, test_random_expressions 15/15, test_softmax_cross_entropy
15/15 (55 points); test_mlp_digits 0 (the replay refuses tapes with more than 3,000 input elements, so Part D
fails fast).
What catches it now: backward_counted (every Part B and C test) walks the tape itself before backward() runs
(replay_tape: each recorded backward_fn called once, on its own, in reverse topological order) and requires the
leaves' gradients of that walk to equal backward()'s -- here the walk gives nothing; and the same block runs under
real_numbers, which sees the forward lambdas, loss_fn and backward() return and hold long-double complex arrays
(that is the message the four cells report). check_real_code(Tensor, ...) would name np.clongdouble, np.real and
.imag as well. Regression where each backward_fn does its own (complex-step) work: redteam_local_complex_step.
"""

KIND = 'lazy: complex-step replay of the recorded forward, decoy backward_fns'
BASE = "reference"
FAIL = {'test_random_expressions', 'test_tensor_broadcast', 'test_tensor_ops', 'test_mlp_digits', 'test_softmax_cross_entropy'}

CELLS = {
    'tensor': r'''import itertools

_TICK = itertools.count()
_H = np.longdouble("1e-30")   # complex step, in long double (no underflow of H * e^-740)
_I = np.clongdouble(1j)


def _sum(axes, keepdims):
    return lambda a: np.sum(a, axis=axes, keepdims=keepdims)


def _mean(axes, keepdims):
    return lambda a: np.mean(a, axis=axes, keepdims=keepdims)


class Tensor:
    """Each operation records only its forward function. backward() replays the recorded forward computation in
    complex arithmetic with a tiny imaginary step on one input element at a time (complex-step differentiation):
    no local derivative is written anywhere, and the backward_fn of every node does nothing."""

    def __init__(self, data, parents=(), op="leaf"):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None
        self.parents = tuple(parents)
        self.op = op
        self.backward_fn = None
        self.forward_fn = None
        self.tick = next(_TICK)
        self.constant = False

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def _accumulate(self, g):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != self.shape:
            raise ValueError(f"gradient of shape {g.shape} for a tensor of shape {self.shape}")
        self.grad = g.copy() if self.grad is None else self.grad + g

    def _op(self, fn, parents, op):
        out = Tensor(fn(*(p.data for p in parents)).real, parents, op)
        out.forward_fn = fn
        out.backward_fn = lambda g: None      # the tape's "backward" is a no-op
        return out

    def __add__(self, other):
        return self._op(lambda a, b: a + b, (self, as_tensor(other)), "add")

    def __mul__(self, other):
        return self._op(lambda a, b: a * b, (self, as_tensor(other)), "mul")

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise ValueError("only a number exponent is supported: tensor ** number")
        p = float(p)
        return self._op(lambda a: a ** p, (self,), "pow")

    def __matmul__(self, other):
        other = as_tensor(other)
        if self.ndim != 2 or other.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {self.shape} @ {other.shape}")
        return self._op(lambda a, b: a @ b, (self, other), "matmul")

    def sum(self, axis=None, keepdims=False):
        return self._op(_sum(_normalize_axes(axis, self.ndim), keepdims), (self,), "sum")

    def mean(self, axis=None, keepdims=False):
        return self._op(_mean(_normalize_axes(axis, self.ndim), keepdims), (self,), "mean")

    def relu(self):
        return self._op(lambda a: np.where(np.real(a) > 0, a, 0.0), (self,), "relu")

    def exp(self):
        return self._op(np.exp, (self,), "exp")

    def log(self):
        return self._op(np.log, (self,), "log")

    def sin(self):
        return self._op(np.sin, (self,), "sin")

    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-as_tensor(other))
    def __rsub__(self, other): return as_tensor(other) + (-self)
    def __truediv__(self, other): return self * as_tensor(other) ** -1.0
    def __rtruediv__(self, other): return as_tensor(other) * self ** -1.0

    def backward(self, grad=None):
        if grad is None:
            if self.data.size != 1:
                raise ValueError("a non-scalar output needs an explicit grad")
            grad = np.ones(self.shape)
        grad = np.broadcast_to(np.asarray(grad, dtype=np.float64), self.shape)
        nodes, seen, stack = [], set(), [self]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen.add(id(node))
                nodes.append(node)
                stack.extend(node.parents)
        nodes.sort(key=lambda t: t.tick)            # creation order is a topological order
        for node in nodes:                          # decoy: every recorded backward_fn runs once
            if node.backward_fn is not None:
                node.backward_fn(grad)
        leaves = [t for t in nodes if not t.parents and not t.constant]
        if sum(t.data.size for t in leaves) > 3000:
            raise NotImplementedError("complex-step replay is only fast enough for small tapes")
        for leaf in leaves:
            g = np.zeros(leaf.shape)
            for idx in np.ndindex(*leaf.shape):
                values = {}
                for node in nodes:
                    if not node.parents:
                        v = node.data.astype(np.clongdouble)
                        if node is leaf:
                            v[idx] += _I * _H
                        values[id(node)] = v
                    else:
                        values[id(node)] = np.asarray(node.forward_fn(*(values[id(p)] for p in node.parents)))
                g[idx] = float(np.sum(grad * values[id(self)].imag) / _H)
            leaf._accumulate(g)


def as_tensor(x):
    """x as a Tensor (a constant leaf if it is a number or an array)."""
    if isinstance(x, Tensor):
        return x
    t = Tensor(x)
    t.constant = True       # a number an operation met: no gradient wanted
    return t


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
    return tuple(sorted(set(out)))
''',
    'softmax_ce': r'''def softmax_cross_entropy(logits, labels):
    """One tape node whose forward function is the stable loss; no gradient formula (the complex-step replay
    differentiates it)."""
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError("logits must be 2-D")
    n, c = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be N integers")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError("labels out of range")
    rows = np.arange(n)

    def loss_fn(z):
        m = np.max(np.real(z), axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1))
        return np.mean(lse - z[rows, labels])
    return logits._op(loss_fn, (logits,), "softmax_cross_entropy")
''',
}
