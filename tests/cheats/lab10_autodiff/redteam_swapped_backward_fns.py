"""Red team (regression of redteam_surrogate_loss): the network's real tape, with its backward_fns swapped for
hand-written NumPy gradients.

train_mlp builds each step's loss exactly as the part asks (softmax_cross_entropy(relu(Xb @ W1 + b1) @ W2 + b2)),
so the tape has the right nodes and values; then it computes the four gradients by hand in NumPy and replaces the
backward_fn of every node by one that ignores g, pushes the hand-made gradient to its parameter and zeros to
its other parent (so that backward() walks on). backward() runs each backward_fn once and every parameter
receives the minibatch loss's gradient, so counting calls, checking the gradients and the -lr * grad updates all
pass.
What catches it (test_mlp_digits, 0/15): network_tape (watch_training) calls each node's backward_fn on its own
with a random g and requires the local gradients -- the first, the loss node's, gives its parent zeros instead of
g * (softmax - onehot) / N.
"""
KIND = 'lazy: the right tape, backward_fns replaced by hand-made gradients'
BASE = "reference"
FAIL = {'test_mlp_digits'}

CELLS = {
    'mlp': r'''def init_mlp(sizes, seed=0):
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


def _hand_gradients(params, xb, yb):
    W1, b1, W2, b2 = (p.data for p in params)
    pre = xb @ W1 + b1
    h = np.maximum(pre, 0.0)
    z = h @ W2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(yb)), yb] -= 1.0
    dz = p / len(yb)
    da = (dz @ W2.T) * (pre > 0)
    return [xb.T @ da, da.sum(axis=0), h.T @ dz, dz.sum(axis=0)]


def _pusher(param, grad, other):
    """A backward_fn that ignores g: the parameter gets the hand-made gradient, the other parent zeros (so that
    backward() still walks on)."""
    def backward_fn(g):
        if param is not None:
            param._accumulate(grad)
        other._accumulate(np.zeros(other.shape))
    return backward_fn


def train_mlp(X, y, hidden=64, epochs=20, lr=0.1, batch_size=32, seed=0):
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
            grads = _hand_gradients(params, X[idx], y[idx])
            # the tape: loss <- z = m2 + b2 <- m2 = h @ W2 <- h = relu(a) <- a = m1 + b1 <- m1 = x @ W1
            z = loss.parents[0]
            m2, b2 = z.parents
            h, W2 = m2.parents
            a = h.parents[0]
            m1, b1 = a.parents
            loss.backward_fn = _pusher(None, None, z)
            z.backward_fn = _pusher(b2, grads[3], m2)
            m2.backward_fn = _pusher(W2, grads[2], h)
            h.backward_fn = _pusher(None, None, a)
            a.backward_fn = _pusher(b1, grads[1], m1)
            m1.backward_fn = _pusher(m1.parents[1], grads[0], m1.parents[0])
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            total += float(loss.data) * len(idx)
        losses.append(total / len(X))
    return params, losses


def predict(params, X):
    return np.argmax(mlp_forward(params, X).data, axis=1).astype(np.int64)
''',
}
