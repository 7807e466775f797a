"""A second correct lab10_autodiff submission, in yet another style; it must get full marks.

- Dual: __slots__, the elementary functions dispatch through a table of (f, f') pairs, powers split into the
  number-exponent and the dual-exponent cases; forward mode seeds every input as a Dual (dot 0 or 1);
- unbroadcast: sums the leading axes away one at a time, then every stretched axis one at a time;
- Tensor: the reference's accumulate-into-.grad design, but the topological order comes from an explicit-stack
  DFS over iterators, and every intermediate keeps its .grad; sum/mean backward build the expanded gradient by
  reshaping instead of np.expand_dims;
- the loss takes np.log of the softmax where it is representable and the log-sum-exp form where a probability
  underflowed to 0; np.where evaluates both, so np.log(0) warns ("divide by zero encountered in log") on the
  large-logit tests -- harmless, and the grader must not zero a test for that warning;
- the MLP updates with np.subtract(..., out=p.data) and loops over layers by index.
"""

KIND = "alternative: table-driven duals, iterator DFS, warning-raising loss"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "dual": r'''class Dual:
    __slots__ = ("val", "dot")

    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __repr__(self):
        return f"Dual({self.val:.6g}, {self.dot:.6g})"

    def __add__(self, other):
        other = lift(other)
        return Dual(self.val + other.val, self.dot + other.dot)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    def __sub__(self, other):
        return self + (-lift(other))

    def __rsub__(self, other):
        return lift(other) + (-self)

    def __mul__(self, other):
        other = lift(other)
        return Dual(self.val * other.val, self.val * other.dot + self.dot * other.val)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = lift(other)
        q = self.val / other.val
        return Dual(q, (self.dot - q * other.dot) / other.val)

    def __rtruediv__(self, other):
        return lift(other) / self

    def __pow__(self, other):
        if not isinstance(other, Dual):
            p = float(other)
            return Dual(self.val ** p, p * self.val ** (p - 1) * self.dot)
        value = self.val ** other.val
        dot = other.val * self.val ** (other.val - 1) * self.dot
        if other.dot != 0.0:
            dot += value * math.log(self.val) * other.dot
        return Dual(value, dot)

    def __rpow__(self, other):
        base = float(other)
        value = base ** self.val
        return Dual(value, value * math.log(base) * self.dot if self.dot else 0.0)


def lift(x):
    if isinstance(x, Dual):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return Dual(x, 0.0)
    raise TypeError(f"expected a Dual or a number, got {type(x).__name__}")


RULES = {
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda a: -math.sin(a)),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda a: 1.0 / a),
}


def _apply(name, x):
    f, df = RULES[name]
    return Dual(f(x.val), df(x.val) * x.dot) if isinstance(x, Dual) else f(x)


def sin(x):
    return _apply("sin", x)


def cos(x):
    return _apply("cos", x)


def exp(x):
    return _apply("exp", x)


def log(x):
    return _apply("log", x)
''',
    "forward_mode": r'''def derivative(f, x):
    value, (d,) = forward_gradient(f, [x])
    return value, d


def forward_gradient(f, xs):
    n = len(xs)
    if n == 0:
        return float(f()), []
    value, grads = 0.0, []
    for i in range(n):
        out = f(*(Dual(x, float(i == j)) for j, x in enumerate(xs)))
        out = out if isinstance(out, Dual) else Dual(out)
        value = out.val
        grads.append(out.dot)
    return value, grads
''',
    "unbroadcast": r'''def unbroadcast(grad, shape):
    grad = np.asarray(grad, dtype=np.float64)
    shape = tuple(shape)
    if len(shape) > grad.ndim:
        raise ValueError(f"cannot bring {grad.shape} back to {shape}")
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == grad.shape[axis]:
            continue
        if size != 1:
            raise ValueError(f"{shape} is not a broadcast of {grad.shape}")
        grad = grad.sum(axis=axis, keepdims=True)
    return grad
''',
    "tensor": r'''class Tensor:
    def __init__(self, data, parents=(), op="leaf"):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None
        self.parents = tuple(parents)
        self.op = op
        self.backward_fn = None

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def _accumulate(self, g):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != self.shape:
            raise ValueError(f"gradient of shape {g.shape} for a tensor of shape {self.shape}")
        self.grad = g.copy() if self.grad is None else self.grad + g

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
            other._accumulate(unbroadcast(self.data * g, other.shape))
            self._accumulate(unbroadcast(other.data * g, self.shape))
        out.backward_fn = backward_fn
        return out

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise ValueError("tensor ** number only")
        p = float(p)
        out = Tensor(np.power(self.data, p), (self,), "pow")
        out.backward_fn = lambda g: self._accumulate(p * np.power(self.data, p - 1) * g)
        return out

    def __matmul__(self, other):
        other = as_tensor(other)
        if self.ndim != 2 or other.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {self.shape} @ {other.shape}")
        out = Tensor(np.matmul(self.data, other.data), (self, other), "matmul")

        def backward_fn(g):
            self._accumulate(np.matmul(g, other.data.T))
            other._accumulate(np.matmul(self.data.T, g))
        out.backward_fn = backward_fn
        return out

    def _expand(self, g, axes):
        kept = [1 if i in axes else n for i, n in enumerate(self.shape)]
        return np.broadcast_to(np.reshape(g, kept), self.shape)

    def sum(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        out = Tensor(np.sum(self.data, axis=axes, keepdims=keepdims), (self,), "sum")
        out.backward_fn = lambda g: self._accumulate(self._expand(g, axes))
        return out

    def mean(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        count = math.prod(self.shape[a] for a in axes)
        out = Tensor(np.mean(self.data, axis=axes, keepdims=keepdims), (self,), "mean")
        out.backward_fn = lambda g: self._accumulate(self._expand(g, axes) / count)
        return out

    def relu(self):
        out = Tensor(np.where(self.data > 0, self.data, 0.0), (self,), "relu")
        out.backward_fn = lambda g: self._accumulate(np.where(self.data > 0, g, 0.0))
        return out

    def exp(self):
        out = Tensor(np.exp(self.data), (self,), "exp")
        out.backward_fn = lambda g: self._accumulate(out.data * g)
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")
        out.backward_fn = lambda g: self._accumulate(g / self.data)
        return out

    def sin(self):
        out = Tensor(np.sin(self.data), (self,), "sin")
        out.backward_fn = lambda g: self._accumulate(np.cos(self.data) * g)
        return out

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
                raise ValueError("a non-scalar output needs grad=")
            grad = 1.0
        order, visited = [], {id(self)}
        stack = [(self, iter(self.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in visited:
                    visited.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        self._accumulate(np.broadcast_to(np.asarray(grad, dtype=np.float64), self.shape))
        for node in order[::-1]:
            if node.backward_fn is not None:
                node.backward_fn(node.grad)


def as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _normalize_axes(axis, ndim):
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
    "softmax_ce": r'''def softmax_cross_entropy(logits, labels):
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-D, got {logits.shape}")
    n, c = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"labels must lie in 0..{c - 1}")
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=1, keepdims=True)
    # log(p) where p is a normal float; where it underflowed (subnormal or 0, and np.log(0) warns "divide by
    # zero") the log-sum-exp form takes over
    log_p = np.where(p > np.finfo(np.float64).tiny, np.log(p), shifted - np.log(e.sum(axis=1, keepdims=True)))
    rows = np.arange(n)
    pick = np.zeros((n, c), dtype=bool)
    pick[rows, labels] = True
    out = Tensor(-np.mean(log_p[pick]), (logits,), "softmax_cross_entropy")

    def backward_fn(g):
        logits._accumulate((p - pick) * (g / n))
    out.backward_fn = backward_fn
    return out
''',
    "mlp": r'''def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for i in range(len(sizes) - 1):
        params.append(Tensor(rng.normal(size=(sizes[i], sizes[i + 1])) * math.sqrt(2.0 / sizes[i])))
        params.append(Tensor(np.zeros(sizes[i + 1])))
    return params


def mlp_forward(params, X):
    h = X if isinstance(X, Tensor) else Tensor(X)
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = h.relu()
    return h


def train_mlp(X, y, hidden=64, epochs=20, lr=0.1, batch_size=32, seed=0):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    params = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        seen, total = 0, 0.0
        for idx in np.array_split(perm, range(batch_size, len(X), batch_size)):
            for p in params:
                p.grad = None
            loss = softmax_cross_entropy(mlp_forward(params, X[idx]), y[idx])
            loss.backward()
            for p in params:
                np.subtract(p.data, lr * p.grad, out=p.data)
            total += float(loss.data) * len(idx)
            seen += len(idx)
        losses.append(total / seen)
    return params, losses


def predict(params, X):
    return np.asarray(np.argmax(mlp_forward(params, X).data, axis=1), dtype=np.int64)
''',
}
