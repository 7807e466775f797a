"""Lazy lab10_autodiff submission: derivatives by numbers, not by the techniques the parts teach.

- dual: the arithmetic rules are right, but sin/cos/exp/log and powers get their derivative from a five-point
  finite-difference stencil (error ~1e-13, well inside the old 1e-9 tolerance) instead of the dual-number rules;
- forward_mode: derivative/forward_gradient never build a Dual; they evaluate f at x + ih (complex-step
  differentiation, exact to rounding), so no dual pass is made at all;
- softmax_ce: scipy.special.logsumexp/softmax do the stable part the lesson asks for;
- mlp: train_mlp trains torch tensors with torch.autograd and wraps the result in Tensors (the review's example).
Each of these must lose its part; the reverse-mode parts are the reference's.
"""

KIND = "lazy: finite differences, complex step, scipy logsumexp, torch.autograd training"
BASE = "reference"
FAIL = {"test_dual", "test_forward_gradient", "test_softmax_cross_entropy", "test_mlp_digits"}

CELLS = {
    "dual": r'''import cmath


def _numeric(f, a):
    """f'(a) by a seven-point central-difference stencil (sixth order: about 1e-13 relative error)."""
    h = 2e-3 * max(1.0, abs(a))
    return (f(a + 3 * h) - 9 * f(a + 2 * h) + 45 * f(a + h) - 45 * f(a - h) + 9 * f(a - 2 * h) - f(a - 3 * h)) / (60 * h)


class Dual:
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
            dot = _numeric(lambda a: a ** other.val, self.val) * self.dot
            if other.dot != 0.0:
                dot += _numeric(lambda b: self.val ** b, other.val) * other.dot
            return Dual(val, dot)
        p = float(other)
        return Dual(self.val ** p, _numeric(lambda a: a ** p, self.val) * self.dot)

    def __rpow__(self, other):
        c = float(other)
        return Dual(c ** self.val, _numeric(lambda b: c ** b, self.val) * self.dot if self.dot != 0.0 else 0.0)


def lift(x):
    """x as a Dual: a Dual stays as it is, a number becomes a constant (dot = 0)."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return Dual(x, 0.0)
    raise TypeError(f"expected a Dual or a number, got {type(x).__name__}")


def _elementary(real, complex_):
    def fn(x):
        if isinstance(x, Dual):
            return Dual(real(x.val), _numeric(real, x.val) * x.dot)
        if isinstance(x, complex):
            return complex_(x)
        return real(x)
    return fn


sin = _elementary(math.sin, cmath.sin)
cos = _elementary(math.cos, cmath.cos)
exp = _elementary(math.exp, cmath.exp)
log = _elementary(math.log, cmath.log)
''',
    "forward_mode": r'''def derivative(f, x):
    """Complex-step differentiation: f(x + ih) = f(x) + i h f'(x) + O(h^2)."""
    h = 1e-30
    out = f(complex(float(x), h))
    if isinstance(out, complex):
        return out.real, out.imag / h
    return float(out), 0.0


def forward_gradient(f, xs):
    xs = [float(x) for x in xs]
    if not xs:
        return float(f()), []
    value, grads = None, []
    for i in range(len(xs)):
        h = 1e-30
        out = f(*[complex(x, h if j == i else 0.0) for j, x in enumerate(xs)])
        out = complex(out)
        value = out.real
        grads.append(out.imag / h)
    return value, grads
''',
    "softmax_ce": r'''from scipy.special import logsumexp, softmax


def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy of logits (N, C) against integer labels (N,), as one fused tape node."""
    logits = as_tensor(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-D (N, C), got shape {logits.shape}")
    n, c = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"labels must lie in 0..{c - 1}")
    rows = np.arange(n)
    out = Tensor(np.mean(logsumexp(logits.data, axis=1) - logits.data[rows, labels]), (logits,), "softmax_cross_entropy")

    def backward_fn(g):
        p = softmax(logits.data, axis=1)
        p[rows, labels] -= 1.0
        logits._accumulate(g * p / n)
    out.backward_fn = backward_fn
    return out
''',
    "mlp": r'''import torch.nn.functional as TF


def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(Tensor(rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))))
        params.append(Tensor(np.zeros(fan_out)))
    return params


def mlp_forward(params, X):
    h = as_tensor(X)
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = h.relu()
    return h


def train_mlp(X, y, hidden=64, epochs=20, lr=0.1, batch_size=32, seed=0):
    """Trains with torch.autograd, then wraps the weights in Tensors."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    start = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    tp = [torch.tensor(p.data, requires_grad=True) for p in start]
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        perm = rng.permutation(len(X))
        total = 0.0
        for s in range(0, len(X), batch_size):
            idx = torch.as_tensor(perm[s:s + batch_size])
            h = Xt[idx]
            for i in range(0, len(tp), 2):
                h = h @ tp[i] + tp[i + 1]
                if i + 2 < len(tp):
                    h = torch.relu(h)
            loss = TF.cross_entropy(h, yt[idx])
            for p in tp:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in tp:
                    p -= lr * p.grad
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    params = [Tensor(p.detach().numpy().copy()) for p in tp]
    for P, p in zip(params, tp):
        P.grad = p.grad.numpy().copy()
    return params, losses


def predict(params, X):
    return np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)
''',
}
