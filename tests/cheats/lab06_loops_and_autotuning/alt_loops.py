"""A correct lab06 submission written differently from the reference (every part rewritten).

- tile_ranges from divmod;
- dot_unrolled4 whose remainder goes to accumulator i mod 4 and whose accumulators are summed left to right;
- matmul_tiled in tile order (i0, j0, k0) with a local accumulator tile and an @njit micro-kernel helper (the
  trace must follow helpers too);
- random_search by shuffling an index list;
- quadratic features through np.triu_indices;
- model_guided_search with Python sets and a re-fit after every batch, ranking with np.lexsort.
"""

KIND = "alternative: (i0, j0, k0) tiles with an accumulator and a helper kernel, shuffled random search"
EXPECT = "full"
BASE = "release"

CELLS = {
    "tile_ranges": '''
def tile_ranges(n, tile):
    if tile < 1 or n < 0:
        raise ValueError("bad arguments")
    full, rest = divmod(n, tile)
    ranges = [(t * tile, (t + 1) * tile) for t in range(full)]
    if rest:
        ranges.append((full * tile, n))
    return ranges
''',
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    n = a.size
    acc0 = 0.0
    acc1 = 0.0
    acc2 = 0.0
    acc3 = 0.0
    limit = (n // 4) * 4
    for base in range(0, limit, 4):
        acc0 = acc0 + a[base] * b[base]
        acc1 = acc1 + a[base + 1] * b[base + 1]
        acc2 = acc2 + a[base + 2] * b[base + 2]
        acc3 = acc3 + a[base + 3] * b[base + 3]
    for i in range(limit, n):
        r = i % 4
        if r == 0:
            acc0 += a[i] * b[i]
        elif r == 1:
            acc1 += a[i] * b[i]
        else:
            acc2 += a[i] * b[i]
    return ((acc0 + acc1) + acc2) + acc3
''',
    "matmul_tiled": '''
@njit
def tile_kernel(A, B, acc, i0, i1, j0, j1, k0, k1):
    for i in range(i0, i1):
        row = acc[i - i0]
        for p in range(k0, k1):
            a = A[i, p]
            for j in range(j0, j1):
                row[j - j0] += a * B[p, j]


@njit
def matmul_tiled(A, B, C, ti, tj, tk):
    n, depth = A.shape
    m = B.shape[1]
    for i0 in range(0, n, ti):
        i1 = min(i0 + ti, n)
        for j0 in range(0, m, tj):
            j1 = min(j0 + tj, m)
            acc = np.zeros((i1 - i0, j1 - j0), dtype=C.dtype)
            for k0 in range(0, depth, tk):
                tile_kernel(A, B, acc, i0, i1, j0, j1, k0, min(k0 + tk, depth))
            C[i0:i1, j0:j1] = acc
''',
    "random_search": '''
def random_search(cost, space, budget, seed=0):
    if budget < 1:
        raise ValueError(f"budget {budget} < 1")
    configs = all_configs(space)
    order = list(range(len(configs)))
    np.random.default_rng(seed).shuffle(order)
    history = [(configs[i], cost(configs[i])) for i in order[:budget]]
    costs = [c for _, c in history]
    best = costs.index(min(costs))
    return history[best][0], history[best][1], history
''',
    "cost_model": '''
def quadratic_features(X):
    X = np.asarray(X, dtype=np.float64)
    rows, cols = np.triu_indices(X.shape[1])
    return np.hstack([np.ones((X.shape[0], 1)), X, X[:, rows] * X[:, cols]])


def fit_cost_model(X, y):
    F = quadratic_features(X)
    w, _, _, _ = np.linalg.lstsq(F, np.asarray(y, dtype=np.float64), rcond=None)
    return w


def predict_cost(w, X):
    return quadratic_features(X) @ np.asarray(w)
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    if budget < 1:
        raise ValueError("budget < 1")
    configs = all_configs(space)
    X = config_features(configs, space)
    budget = min(budget, len(configs))
    rng = np.random.default_rng(seed)
    seen = {}
    history = []
    for idx in rng.permutation(len(configs))[:min(n_init, budget)].tolist():
        seen[idx] = cost(configs[idx])
        history.append((configs[idx], seen[idx]))
    while len(seen) < budget:
        keys = sorted(seen)
        w = fit_cost_model(X[keys], [seen[k] for k in keys])
        pred = predict_cost(w, X)
        rest = [i for i in np.lexsort((np.arange(len(configs)), pred)).tolist() if i not in seen]
        for idx in rest[:min(batch, budget - len(seen))]:
            seen[idx] = cost(configs[idx])
            history.append((configs[idx], seen[idx]))
    best = min(seen, key=lambda k: seen[k])
    return configs[best], seen[best], history
''',
}
