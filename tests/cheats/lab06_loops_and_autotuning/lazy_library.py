"""Lazy submission for lab06: each part returns the right numbers while skipping what the part teaches.

- Part 2: a plain sequential loop in @njit, no unrolling and no accumulators (right to rounding on random data,
  3.0 instead of 6.0 on [1e16, 1, 1, 1, -1e16, 1, 1, 1]);
- Part 3: `np.dot(A, B)` inside @njit: BLAS does the work, nothing is tiled;
- Part 4: configurations in itertools.product order: the best of the first `budget`, not a random search;
- Part 6: coordinate descent over the knobs through the counted cost: never fits or consults a model.

The other parts are the reference's. Each lazy part must lose its points and only those.
"""

KIND = "lazy: library dot/matmul, no unrolling, enumeration instead of random search, no model in the tuner"
BASE = "reference"
FAIL = {"test_dot_unrolled4", "test_matmul_tiled", "test_random_search", "test_model_guided_search"}

CELLS = {
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s
''',
    "matmul_tiled": '''
@njit(fastmath=True)
def matmul_tiled(A, B, C, ti, tj, tk):
    C[:, :] = np.dot(A, B)
''',
    "random_search": '''
def random_search(cost, space, budget, seed=0):
    if budget < 1:
        raise ValueError("budget must be >= 1")
    history = [(c, cost(c)) for c in all_configs(space)[:budget]]
    best_config, best_cost = min(history, key=lambda pair: pair[1])
    return best_config, best_cost, history
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    # coordinate descent: sweep one knob at a time around the best point so far, no model
    if budget < 1:
        raise ValueError("budget must be >= 1")
    names = list(space)
    measured, history = {}, []

    def measure(c):
        key = tuple(sorted(c.items()))
        if key not in measured and len(measured) < budget:
            measured[key] = cost(c)
            history.append((dict(c), measured[key]))
        return measured.get(key, float("inf"))

    rng = np.random.default_rng(seed)
    current = {n: space[n][int(rng.integers(len(space[n])))] for n in names}
    best = measure(current)
    improved = True
    while improved and len(measured) < budget:
        improved = False
        for n in names:
            for v in space[n]:
                trial = dict(current, **{n: v})
                value = measure(trial)
                if value < best:
                    best, current, improved = value, trial, True
    key = min(measured, key=measured.get)
    return dict(key), measured[key], history
''',
}
