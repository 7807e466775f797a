"""Lazy lab10_autodiff submission: predict reads the answers.

train_mlp is the engine's SGD but stops after two epochs whatever it is asked (losses padded to the requested
length), so the network reaches only about 90 % on its own; predict then looks every row up in the full digits
set it loads itself and returns the stored label, so the accuracy the old test computed from predict was 100 %.
The test now counts the minibatch steps and computes the accuracy from the returned weights itself.
"""

KIND = "lazy: under-trained network, predict looks the labels up"
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
    """Two epochs are enough when predict knows the answers."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    params = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(min(epochs, 2)):
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
    losses += [losses[-1] * 0.9 ** k for k in range(1, epochs - len(losses) + 1)]
    return params, losses


_ANSWERS = {}


def predict(params, X):
    """The stored label of every row it has seen; the network only for rows it has not."""
    if not _ANSWERS:
        Xa, Xb, ya, yb = load_digits()
        for rows, labels in ((Xa, ya), (Xb, yb)):
            for row, label in zip(rows, labels):
                _ANSWERS[np.asarray(row, dtype=np.float64).tobytes()] = int(label)
    guess = np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)
    X = np.asarray(X, dtype=np.float64)
    return np.array([_ANSWERS.get(row.tobytes(), g) for row, g in zip(X, guess)], dtype=np.int64)
''',
}
