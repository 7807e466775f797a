"""Lazy submission for lab06, third set (independent parts, reference elsewhere).

- Part 2: four strided `.sum()` calls inside @njit: the same rounding as four accumulators, but no unrolled loop
  and no remainder loop (the spec forbids reductions; the tests read the code);
- Part 3: no numba at all: a plain Python function that writes `A @ B` into C;
- Part 6: the model fitted once, on the random seed measurements, and the rest of the budget spent on its
  ranking without refitting (no model in the loop).
"""

KIND = "lazy: strided reductions instead of an unrolled loop; no numba, whole-matrix product; a model fitted once"
BASE = "reference"
FAIL = {"test_dot_unrolled4", "test_matmul_tiled", "test_model_guided_search"}

CELLS = {
    "dot_unrolled4": '''
@njit
def dot_unrolled4(a, b):
    p = a * b
    main = p.shape[0] - p.shape[0] % 4
    s0 = p[0:main:4].sum()
    s1 = p[1:main:4].sum()
    s2 = p[2:main:4].sum()
    s3 = p[3:main:4].sum()
    return (s0 + s1) + (s2 + s3) + p[main:].sum()
''',
    "matmul_tiled": '''
def matmul_tiled(A, B, C, ti, tj, tk):
    C[:, :] = A @ B
''',
    "model_guided_search": '''
def model_guided_search(cost, space, budget, seed=0, n_init=12, batch=4):
    if budget < 1:
        raise ValueError("budget must be >= 1")
    configs = all_configs(space)
    X = config_features(configs, space)
    budget = min(budget, len(configs))
    order = np.random.default_rng(seed).permutation(len(configs))
    seeds = [int(i) for i in order[:min(n_init, budget)]]
    measured = {i: cost(configs[i]) for i in seeds}
    w = fit_cost_model(X[seeds], [measured[i] for i in seeds])
    pred = predict_cost(w, X)
    pred[seeds] = np.inf
    for i in np.argsort(pred)[:budget - len(measured)]:
        measured[int(i)] = cost(configs[i])
    history = [(configs[i], v) for i, v in measured.items()]
    best = min(measured, key=measured.get)
    return configs[best], measured[best], history
''',
}
