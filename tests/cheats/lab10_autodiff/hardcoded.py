"""A lab10_autodiff submission that types in the visible answers: it keeps an honest Dual class, but hard-codes
the running example in forward_gradient, handles only the visible shapes in unbroadcast, walks the tape
recursively, skips the max subtraction in the loss and initialises with a fixed std. Hidden tests must catch it."""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    'dual': r'''class Dual:
    """A dual number val + dot·ε with ε² = 0: the value and the derivative travel together."""

    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __repr__(self):
        return f"Dual({self.val:.6g}, {self.dot:.6g})"

    def __add__(self, other):
        o = lift(other)
        return Dual(self.val + o.val, self.dot + o.dot)

    def __radd__(self, other):
        return self.__add__(other)  # addition commutes

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
        return self.__mul__(other)  # so does multiplication

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
    """x as a Dual: a Dual stays as it is, a number becomes a constant (dot = 0)."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return Dual(x, 0.0)
    raise TypeError(f"expected a Dual or a number, got {type(x).__name__}")


def sin(x):
    """sin of a Dual (value and derivative) or of a plain number."""
    if isinstance(x, Dual):
        return Dual(math.sin(x.val), math.cos(x.val) * x.dot)
    return math.sin(x)


def cos(x):
    """cos of a Dual or of a plain number."""
    if isinstance(x, Dual):
        return Dual(math.cos(x.val), -math.sin(x.val) * x.dot)
    return math.cos(x)


def exp(x):
    """exp of a Dual or of a plain number."""
    if isinstance(x, Dual):
        e = math.exp(x.val)
        return Dual(e, e * x.dot)
    return math.exp(x)


def log(x):
    """Natural log of a Dual or of a plain number (x must be positive)."""
    if isinstance(x, Dual):
        return Dual(math.log(x.val), x.dot / x.val)
    return math.log(x)''',
    'forward_mode': r'''def derivative(f, x):
    """Answers for the visible checks only."""
    if x == 2.0:
        return 8.0, 12.0
    return 0.0, 0.0


def forward_gradient(f, xs):
    """The seed example's numbers, typed in."""
    return 11.652071455223084, [5.5, 1.7163378145367738]
''',
    'unbroadcast': r'''def unbroadcast(grad, shape):
    """Handles exactly the shapes the visible tests use."""
    grad = np.asarray(grad, dtype=np.float64)
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    if grad.shape == (2, 3, 4) and shape == (3, 1):
        return np.full((3, 1), 8.0)
    if grad.ndim == 2 and shape == (grad.shape[1],):
        return grad.sum(axis=0)
    if grad.ndim == 2 and shape == (grad.shape[0], 1):
        return grad.sum(axis=1, keepdims=True)
    return np.zeros(shape)
''',
    'tensor': r'''class Tensor:
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

        def backward_fn(g):
            self._accumulate(g * p * self.data ** (p - 1))
        out.backward_fn = backward_fn
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
        out.backward_fn = lambda g: self._accumulate(g * (self.data > 0))
        return out

    def exp(self):
        out = Tensor(np.exp(self.data), (self,), "exp")
        out.backward_fn = lambda g: self._accumulate(g * out.data)
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")
        out.backward_fn = lambda g: self._accumulate(g / self.data)
        return out

    def sin(self):
        out = Tensor(np.sin(self.data), (self,), "sin")
        out.backward_fn = lambda g: self._accumulate(g * np.cos(self.data))
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
        # visits parents recursively (fine for the small visible graphs)
        if grad is None:
            grad = np.ones_like(self.data)
        order, seen = [], set()

        def visit(node):
            if id(node) in seen:
                return
            seen.add(id(node))
            for p in node.parents:
                visit(p)
            order.append(node)
        visit(self)
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
    'softmax_ce': r'''def softmax_cross_entropy(logits, labels):
    """Textbook formula, no max subtraction."""
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    n = len(labels)
    e = np.exp(logits.data)
    p = e / e.sum(axis=1, keepdims=True)
    out = Tensor(-np.mean(np.log(p[np.arange(n), labels])), (logits,), "softmax_cross_entropy")

    def backward_fn(g):
        q = p.copy()
        q[np.arange(n), labels] -= 1.0
        logits._accumulate(g * q / n)
    out.backward_fn = backward_fn
    return out
''',
    'mlp': r'''def init_mlp(sizes, seed=0):
    """[W1, b1, W2, b2, ...] for layer widths ``sizes``: He-initialised weights, zero biases."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(Tensor(rng.normal(0.0, 0.1, size=(fan_in, fan_out))))
        params.append(Tensor(np.zeros(fan_out)))
    return params


def mlp_forward(params, X):
    """Logits of the MLP for a batch X (a Tensor or an array of shape (N, 64))."""
    h = as_tensor(X)
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = h.relu()
    return h


def train_mlp(X, y, hidden=64, epochs=20, lr=0.1, batch_size=32, seed=0):
    """Train a 64-hidden-10 MLP with minibatch SGD; returns (params, mean training loss per epoch)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    params = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        perm = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = perm[start:start + batch_size]
            for p in params:
                p.grad = None
            loss = softmax_cross_entropy(mlp_forward(params, X[idx]), y[idx])
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            total += float(loss.data) * len(idx)
        losses.append(total / len(X))
    return params, losses


def predict(params, X):
    """Predicted class (int) of each row of X."""
    return np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)''',
}
