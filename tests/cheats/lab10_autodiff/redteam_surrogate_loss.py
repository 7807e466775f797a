"""Red team: Part D trained by hand-written NumPy backprop, laundered through a linear surrogate loss.

train_mlp computes each minibatch's cross-entropy and the four gradients by hand in NumPy (the textbook
formulas, no tape), then builds surrogate = c + sum_j (params[j] * G_j).sum() with the engine -- only
Tensor * array, .sum() and + -- where c makes its value equal the real minibatch loss. surrogate.backward()
hands every parameter exactly G_j, and SGD applies -lr * p.grad. So watch_training sees one backward() per
minibatch, every parameter on the tape, He-initialised weights, zero biases, each step moving by exactly
-lr times the gradient backward() gave, and epoch losses that are means of the step losses. mlp_forward/predict
are plain NumPy; the engine's matmul, relu and softmax_cross_entropy are never used (Part D would pass with them
unimplemented).
Checked before the fix (course.py check, other parts from alt_recursive_rules, combo build): test_mlp_digits 15/15.
What catches it now (test_mlp_digits, 0/15): watch_training checks each step's tape with network_tape -- the loss
must be one node over the logits Z = H @ W2 + b2 with H = relu(Xb @ W1 + b1), Xb a leaf holding the minibatch's
rows of X, nothing else on the tape, every node's value and every backward_fn's local gradients (called on its
own with a random g) right, each run once by backward(), and the gradients given to W1, b1, W2, b2 the minibatch
loss's. Here the loss node has 2 parents (the running sum). Regression that keeps the right tape but swaps its
backward_fns for hand-made gradients: redteam_swapped_backward_fns.
"""

KIND = 'lazy: NumPy backprop laundered through a linear surrogate loss'
BASE = "reference"
FAIL = {'test_mlp_digits'}

CELLS = {
    'mlp': r'''def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for i in range(len(sizes) - 1):
        params.append(Tensor(rng.normal(size=(sizes[i], sizes[i + 1])) * math.sqrt(2.0 / sizes[i])))
        params.append(Tensor(np.zeros(sizes[i + 1])))
    return params


def mlp_forward(params, X):
    """Plain NumPy: the engine's matmul and relu are never needed."""
    h = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    for i in range(0, len(params), 2):
        h = h @ params[i].data + params[i + 1].data
        if i + 2 < len(params):
            h = np.maximum(h, 0.0)
    return Tensor(h)


def _numpy_step(params, xb, yb):
    """Loss and gradients of the 2-layer MLP, derived by hand in NumPy (no tape)."""
    W1, b1, W2, b2 = (p.data for p in params)
    n = len(yb)
    a = xb @ W1 + b1
    h = np.maximum(a, 0.0)
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(e.sum(axis=1)) - z[np.arange(n), yb]))
    p[np.arange(n), yb] -= 1.0
    dz = p / n
    da = (dz @ W2.T) * (a > 0)
    return loss, [xb.T @ da, da.sum(axis=0), h.T @ dz, dz.sum(axis=0)]


def train_mlp(X, y, hidden=64, epochs=20, lr=0.1, batch_size=32, seed=0):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    params = init_mlp([X.shape[1], hidden, int(y.max()) + 1], seed=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        batch_losses = []
        for start in range(0, len(X), batch_size):
            idx = perm[start:start + batch_size]
            loss, grads = _numpy_step(params, X[idx], y[idx])
            for p in params:
                p.grad = None
            # a linear surrogate whose value is the real loss and whose gradient is the hand-derived one:
            # the engine only ever differentiates sum(p * G) + c
            surrogate = Tensor(loss - sum(float(np.sum(p.data * G)) for p, G in zip(params, grads)))
            for p, G in zip(params, grads):
                surrogate = surrogate + (p * G).sum()
            surrogate.backward()
            for p in params:
                p.data -= lr * p.grad
            batch_losses.append(float(surrogate.data))
        losses.append(float(np.mean(batch_losses)))
    return params, losses


def predict(params, X):
    return np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)
''',
}
