"""Cheating submission for lab06_loops_and_autotuning: answer cells that hard-code the visible tests' answers.

Graded, it must pass the visible asserts but lose points on the hidden tests (sizes that are not multiples of
the tile, lengths that are not multiples of 4, cross terms, unseen cost functions); its random search is
written honestly, so it scores more than zero.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "tile_ranges": '''
def tile_ranges(n, tile):
    if tile < 1:
        raise ValueError("tile must be >= 1")
    return {(10, 4): [(0, 4), (4, 8), (8, 10)], (8, 4): [(0, 4), (4, 8)]}.get((n, tile), [(0, n)])
''',
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    # no remainder loop: right only when the length is a multiple of 4
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for i in range(0, a.shape[0] - 3, 4):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
    return (s0 + s1) + (s2 + s3)
''',
    "matmul_tiled": '''
@njit(fastmath=True)
def matmul_tiled(A, B, C, ti, tj, tk):
    # full tiles only: the remainder rows, columns and k-slices are dropped
    n, k = A.shape
    m = B.shape[1]
    C[:, :] = 0.0
    for i0 in range(0, n - n % ti, ti):
        for k0 in range(0, k - k % tk, tk):
            for j0 in range(0, m - m % tj, tj):
                for i in range(i0, i0 + ti):
                    for kk in range(k0, k0 + tk):
                        for j in range(j0, j0 + tj):
                            C[i, j] += A[i, kk] * B[kk, j]
''',
    "random_search": '''
def random_search(cost, space, budget, seed=0):
    # the one part this submission does honestly, so it scores above zero
    if budget < 1:
        raise ValueError("budget must be >= 1")
    configs = all_configs(space)
    history = [(configs[i], cost(configs[i])) for i in np.random.default_rng(seed).permutation(len(configs))[:budget]]
    best_config, best_cost = min(history, key=lambda pair: pair[1])
    return best_config, best_cost, history
''',
    "cost_model": '''
def quadratic_features(X):
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    if d == 2:
        return np.stack([np.ones(n), X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 0] * X[:, 1], X[:, 1] ** 2], axis=1)
    return np.concatenate([np.ones((n, 1)), X, X ** 2], axis=1)   # no cross terms


def fit_cost_model(X, y):
    w, *_ = np.linalg.lstsq(quadratic_features(X), np.asarray(y, dtype=np.float64), rcond=None)
    return w


def predict_cost(w, X):
    return quadratic_features(X) @ w
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    # the visible test's optimum, measured once
    best = {"ti": 32, "tj": 128, "tk": 16}
    if set(space) != set(best):
        best = all_configs(space)[0]
    return best, cost(best), [(best, cost(best))]
''',
}
