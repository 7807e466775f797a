"""Lazy submission for lab06, second set of shortcuts (independent parts, reference elsewhere).

- Part 2: `np.dot` inside @njit (numba calls BLAS, whose accumulation order is not four accumulators), with the
  visible rounding example special-cased so that only the hidden tests can tell;
- Part 3: a correct numba loop nest in the fast i, k, j order but untiled (the tile sizes are ignored);
- Part 4: product order rotated by a random start: seeds differ, but the order is the enumeration's;
- Part 6: measure everything through the cost, catching its refusals, and report the best seen (an exhaustive
  search that ignores the budget); the visible test's cost is special-cased (its formula is visible).
"""

KIND = "lazy: BLAS dot, untiled loops, rotated enumeration, exhaustive tuner"
BASE = "reference"
FAIL = {"test_dot_unrolled4", "test_matmul_tiled", "test_random_search", "test_model_guided_search"}

CELLS = {
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    if a.shape[0] == 8 and a[0] == 1e16 and a[4] == -1e16:
        return 6.0          # the visible example
    return np.dot(a, b)
''',
    "matmul_tiled": '''
@njit(fastmath=True)
def matmul_tiled(A, B, C, ti, tj, tk):
    n, k = A.shape
    m = B.shape[1]
    C[:, :] = 0.0
    for i in range(n):
        c = C[i]
        for kk in range(k):
            a = A[i, kk]
            b = B[kk]
            for j in range(m):
                c[j] += a * b[j]
''',
    "random_search": '''
def random_search(cost, space, budget, seed=0):
    if budget < 1:
        raise ValueError("budget must be >= 1")
    configs = all_configs(space)
    start = int(np.random.default_rng(seed).integers(len(configs)))
    order = [(start + i) % len(configs) for i in range(min(budget, len(configs)))]
    history = [(configs[i], cost(configs[i])) for i in order]
    best_config, best_cost = min(history, key=lambda pair: pair[1])
    return best_config, best_cost, history
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    if sorted(space) == ["ti", "tj", "tk"]:
        best = {"ti": 32, "tj": 128, "tk": 16}      # the visible optimum
        value = cost(best)
        return best, value, [(best, value)]
    history = []
    for c in all_configs(space):
        try:
            history.append((c, cost(c)))
        except Exception:
            pass
    best_config, best_cost = min(history, key=lambda pair: pair[1])
    return best_config, best_cost, history
''',
}
