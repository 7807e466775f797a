"""Red team: Part 5's cycle count from a private, second simulator instead of the formula.

tiled_cycles never derives m + n + K - 2: the utilization cell defines its own cycle-level output-stationary
simulator ``_occupancy_sim`` (boolean register occupancy shifted cycle by cycle, fed skewed all-real operands,
returning the last MAC cycle; fresh code that names none of os_array/systolic_os/ws_array/systolic_ws/tiled_matmul)
and runs it once per distinct tile shape (at most four per call; memoised). The hidden tests switch the named
simulators off, which this path never touches. This is lazy_tiling's "simulate instead of deriving the formula"
under another name.

Checked with ``course.py check`` (the other parts honest, written by the red team): 100/100, test_utilization
20/20. It should score 0 on Part 5 (80/100).

Fix idea: a switch-off of the named simulators cannot stop a simulation that runs under any other name or
object, so grade Part 5 by what only a formula can do: add hidden calls whose simulation is hopeless (K around 10**8,
or P in the thousands with m, n, K large) under a tight per-call time budget (say 1 s, checked in the test so the
message is clear, not the cell timeout), e.g. tiled_cycles(300, 10**8, 300, 128); the formula answers at once, any
simulator -- memoised per tile shape or not -- cannot. (Also: refuse or unwrap non-function callables in the
switch-off, and switch off by code object as well as by function object.)
"""

KIND = 'lazy: tiled_cycles runs a private cycle-level simulator the switch-off does not know about'
BASE = "reference"
FAIL = {'test_utilization'}

CELLS = {
    "utilization": '''
_memo = {}


def _occupancy_sim(m, n, K):
    """Step an m x n output-stationary array fed skewed all-real operands; return the last MAC cycle."""
    key = (m, n, K)
    if key in _memo:
        return _memo[key]
    a = np.zeros((m, n), dtype=bool)
    b = np.zeros((m, n), dtype=bool)
    feed_a = np.zeros((m, m + K - 1), dtype=bool)
    feed_b = np.zeros((n, n + K - 1), dtype=bool)
    for r in range(m):
        feed_a[r, r:r + K] = True
    for c in range(n):
        feed_b[c, c:c + K] = True
    t, last = 0, 0
    while t < max(feed_a.shape[1], feed_b.shape[1]) or a.any() or b.any():
        t += 1
        a[:, 1:] = a[:, :-1].copy()
        b[1:, :] = b[:-1, :].copy()
        a[:, 0] = feed_a[:, t - 1] if t <= feed_a.shape[1] else False
        b[0, :] = feed_b[:, t - 1] if t <= feed_b.shape[1] else False
        if (a & b).any():
            last = t
    _memo[key] = last
    return last


def tiled_cycles(M, K, N, P):
    for v in (M, K, N, P):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError("positive integers please")
    return sum(_occupancy_sim(min(P, M - i), min(P, N - j), K) for i in range(0, M, P) for j in range(0, N, P))


def utilization(M, K, N, P):
    return M * K * N / (P * P * tiled_cycles(M, K, N, P))
''',
}
