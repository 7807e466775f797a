"""Red team, lab06 Part 4: not a random order. The configurations are visited along a fixed stride of the
itertools.product enumeration (the first step > n/3 coprime with n); the seed only picks where the cycle starts,
so every seed visits the same cyclic sequence, rotated. The rotation cheat in lazy_shortcuts (stride 1) loses the
part; this one (stride > 1) scored 10/10. Must score 0 on test_random_search. Fixed: the test draws whole orders
for 8 seeds and refuses an order in which more than 12 of the 59 steps have the same stride mod 60, and orders whose
consecutive pairs recur across seeds (one cycle from different starts).
"""

KIND = 'lazy: strided enumeration with a seeded start instead of a random order'
BASE = "reference"
FAIL = {'test_random_search'}

CELLS = {
    'random_search': '''
def random_search(cost, space, budget, seed=0):
    """Not random: a fixed stride through the enumeration, the stride and start picked from the seed."""
    if budget < 1:
        raise ValueError("budget must be >= 1")
    configs = all_configs(space)
    n = len(configs)
    rng = np.random.default_rng(seed)
    step = 1
    for s in range(n // 3 + 1, n):
        if math.gcd(s, n) == 1:
            step = s
            break
    start = int(rng.integers(n))
    order = [(start + i * step) % n for i in range(min(budget, n))]
    history = [(configs[i], cost(configs[i])) for i in order]
    best_config, best_cost = min(history, key=lambda pair: pair[1])
    return best_config, best_cost, history
''',
}
