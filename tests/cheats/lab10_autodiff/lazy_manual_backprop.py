"""Lazy lab10_autodiff submission: Part D trains without the engine.

train_mlp derives the two-layer network's gradients by hand in NumPy (the textbook formulas) and never calls
backward(): the parameters come back as Tensors with .grad filled in, the accuracy is right, and the old test
(which only looked at the accuracy and at .grad) passed. The test now watches the engine: no backward() calls,
no parameter on a tape.
"""

KIND = "lazy: hand-written NumPy backprop instead of the tape"
BASE = "reference"
FAIL = {"test_mlp_digits"}

CELLS = {
    "mlp": r'''def init_mlp(sizes, seed=0):
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
    """Hand-derived gradients: no tape, no backward()."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    params = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    W1, b1, W2, b2 = (p.data for p in params)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        perm = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = perm[start:start + batch_size]
            xb, yb, n = X[idx], y[idx], len(idx)
            a = xb @ W1 + b1
            h = np.maximum(a, 0.0)
            z = h @ W2 + b2
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            total += -np.log(p[np.arange(n), yb]).sum()
            p[np.arange(n), yb] -= 1.0
            dz = p / n
            dW2, db2 = h.T @ dz, dz.sum(axis=0)
            da = (dz @ W2.T) * (a > 0)
            dW1, db1 = xb.T @ da, da.sum(axis=0)
            for param, grad in zip(params, (dW1, db1, dW2, db2)):
                param.grad = grad
                param.data -= lr * grad
        losses.append(total / len(X))
    return params, losses


def predict(params, X):
    return np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)
''',
}
