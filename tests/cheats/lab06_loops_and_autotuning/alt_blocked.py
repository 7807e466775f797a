"""A correct lab06 submission written differently from the reference (every part rewritten).

- tile_ranges with a while loop;
- dot_unrolled4 with a fifth accumulator for the remainder and a left-to-right final sum;
- matmul_tiled with a per-tile `@` micro-kernel (numba prints a NumbaPerformanceWarning on stderr: `@` is faster
  on contiguous arrays; the warning must not cost points, and the part allows a per-tile `@`);
- random_search with rng.choice(replace=False);
- quadratic features from itertools.combinations_with_replacement;
- model_guided_search that predicts only the unmeasured rows and keeps a boolean mask.
"""

KIND = "alternative: per-tile @ micro-kernel, choice-based random search, mask-based tuner"
EXPECT = "full"
BASE = "release"

CELLS = {
    "tile_ranges": '''
def tile_ranges(n, tile):
    if n < 0 or tile < 1:
        raise ValueError("tile_ranges needs n >= 0 and tile >= 1")
    out, start = [], 0
    while start < n:
        stop = start + tile if start + tile < n else n
        out.append((start, stop))
        start = stop
    return out
''',
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    n = len(a)
    s0 = s1 = s2 = s3 = 0.0
    i = 0
    while i + 4 <= n:
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
        i += 4
    rest = 0.0
    while i < n:
        rest += a[i] * b[i]
        i += 1
    return s0 + s1 + s2 + s3 + rest
''',
    "matmul_tiled": '''
@njit
def matmul_tiled(A, B, C, ti, tj, tk):
    n, depth = A.shape
    m = B.shape[1]
    C[:, :] = 0.0
    for i0 in range(0, n, ti):
        i1 = min(n, i0 + ti)
        for k0 in range(0, depth, tk):
            k1 = min(depth, k0 + tk)
            for j0 in range(0, m, tj):
                j1 = min(m, j0 + tj)
                C[i0:i1, j0:j1] += A[i0:i1, k0:k1] @ B[k0:k1, j0:j1]
''',
    "random_search": '''
def random_search(cost, space, budget, seed=0):
    if budget < 1:
        raise ValueError("budget must be at least 1")
    configs = all_configs(space)
    picks = np.random.default_rng(seed).choice(len(configs), size=min(budget, len(configs)), replace=False)
    history = []
    best = None
    for p in picks:
        value = cost(configs[p])
        history.append((configs[p], value))
        if best is None or value < best[1]:
            best = (configs[p], value)
    return best[0], best[1], history
''',
    "cost_model": '''
from itertools import combinations_with_replacement


def quadratic_features(X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    d = X.shape[1]
    pairs = list(combinations_with_replacement(range(d), 2))
    out = np.empty((X.shape[0], 1 + d + len(pairs)))
    out[:, 0] = 1.0
    out[:, 1:1 + d] = X
    for col, (i, j) in enumerate(pairs):
        out[:, 1 + d + col] = X[:, i] * X[:, j]
    return out


def fit_cost_model(X, y):
    return np.linalg.lstsq(quadratic_features(X), np.asarray(y, dtype=float), rcond=None)[0]


def predict_cost(w, X):
    return np.dot(quadratic_features(X), w)
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    if budget < 1:
        raise ValueError("budget must be at least 1")
    configs = all_configs(space)
    feats = config_features(configs, space)
    total = min(budget, len(configs))
    done = np.zeros(len(configs), dtype=bool)
    costs = np.full(len(configs), np.nan)
    history = []

    def measure(idx):
        costs[idx] = cost(configs[idx])
        done[idx] = True
        history.append((configs[idx], float(costs[idx])))

    for idx in np.random.default_rng(seed).choice(len(configs), size=min(n_init, total), replace=False):
        measure(int(idx))
    while len(history) < total:
        model = fit_cost_model(feats[done], costs[done])
        todo = np.flatnonzero(~done)
        guess = predict_cost(model, feats[todo])
        for idx in todo[np.argsort(guess)][:min(batch, total - len(history))]:
            measure(int(idx))
    best = int(np.nanargmin(costs))
    return configs[best], float(costs[best]), history
''',
}
