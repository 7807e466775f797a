"""Lazy lab10_autodiff submission: the reverse-mode engine is PyTorch in disguise.

unbroadcast calls torch's sum_to_size; Tensor keeps a torch tensor and lets torch.autograd record and replay the
tape (backward_fn is never used); softmax_cross_entropy is F.cross_entropy. Gradients are exactly torch's, so the
old tests (which compare with torch) passed. The lab says the engine is NumPy: every reverse-mode part, the loss
and the training built on them must score 0. Forward mode is the reference's.
"""

KIND = "lazy: torch.autograd inside the Tensor engine"
BASE = "reference"
FAIL = {"test_unbroadcast", "test_tensor_ops", "test_tensor_broadcast", "test_random_expressions",
        "test_softmax_cross_entropy", "test_mlp_digits"}

CELLS = {
    "unbroadcast": r'''def unbroadcast(grad, shape):
    """torch's sum_to_size does the summing."""
    grad = np.asarray(grad, dtype=np.float64)
    shape = tuple(shape)
    if len(shape) > grad.ndim:
        raise ValueError(f"cannot unbroadcast {grad.shape} to {shape}")
    try:
        out = torch.as_tensor(grad).sum_to_size(*shape) if shape else torch.as_tensor(grad).sum()
    except RuntimeError as err:
        raise ValueError(str(err)) from None
    return out.numpy().reshape(shape)
''',
    "tensor": r'''import torch.nn.functional as TF


class Tensor:
    """A torch tensor that calls itself a tape."""

    def __init__(self, data, parents=(), op="leaf"):
        if isinstance(data, torch.Tensor) and op != "leaf":
            self.t = data
        else:
            self.t = torch.tensor(np.array(data, dtype=np.float64), requires_grad=True)
        self.parents = tuple(parents)
        self.op = op
        self.backward_fn = None

    @property
    def data(self):
        return self.t.detach().numpy()

    @data.setter
    def data(self, value):
        with torch.no_grad():
            self.t.copy_(torch.as_tensor(np.asarray(value, dtype=np.float64)))

    @property
    def grad(self):
        return None if self.t.grad is None else self.t.grad.numpy().copy()

    @grad.setter
    def grad(self, value):
        self.t.grad = None if value is None else torch.as_tensor(np.array(value, dtype=np.float64))

    shape = property(lambda self: tuple(self.t.shape))
    ndim = property(lambda self: self.t.dim())

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def _wrap(self, t, others, op):
        return Tensor(t, (self, *others), op)

    def __add__(self, other):
        other = as_tensor(other)
        return self._wrap(self.t + other.t, (other,), "add")

    def __mul__(self, other):
        other = as_tensor(other)
        return self._wrap(self.t * other.t, (other,), "mul")

    def __pow__(self, p):
        if isinstance(p, Tensor):
            raise ValueError("only a number exponent is supported")
        return self._wrap(self.t ** float(p), (), "pow")

    def __matmul__(self, other):
        other = as_tensor(other)
        if self.ndim != 2 or other.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {self.shape} @ {other.shape}")
        return self._wrap(self.t @ other.t, (other,), "matmul")

    def sum(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        t = self.t.sum(dim=axes, keepdim=keepdims) if axes else self.t * 1.0
        return self._wrap(t, (), "sum")

    def mean(self, axis=None, keepdims=False):
        axes = _normalize_axes(axis, self.ndim)
        t = self.t.mean(dim=axes, keepdim=keepdims) if axes else self.t * 1.0
        return self._wrap(t, (), "mean")

    def relu(self):
        return self._wrap(torch.relu(self.t), (), "relu")

    def exp(self):
        return self._wrap(torch.exp(self.t), (), "exp")

    def log(self):
        return self._wrap(torch.log(self.t), (), "log")

    def sin(self):
        return self._wrap(torch.sin(self.t), (), "sin")

    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-as_tensor(other))
    def __rsub__(self, other): return as_tensor(other) + (-self)
    def __truediv__(self, other): return self * as_tensor(other) ** -1.0
    def __rtruediv__(self, other): return as_tensor(other) * self ** -1.0

    def backward(self, grad=None):
        if grad is None:
            if self.t.numel() != 1:
                raise ValueError("backward() on a non-scalar output needs grad=")
            self.t.backward(torch.ones_like(self.t), retain_graph=True)
        else:
            self.t.backward(torch.as_tensor(np.broadcast_to(np.asarray(grad, dtype=np.float64), self.shape).copy()),
                            retain_graph=True)


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
        raise ValueError(f"logits must be 2-D (N, C), got shape {logits.shape}")
    n, c = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers")
    if n and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"labels must lie in 0..{c - 1}")
    return Tensor(TF.cross_entropy(logits.t, torch.as_tensor(labels)), (logits,), "softmax_cross_entropy")
''',
}
