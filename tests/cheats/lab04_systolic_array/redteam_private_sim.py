"""Red team: Part 5's cycle count from a private, second simulator instead of the formula.

tiled_cycles never derives m + n + K - 2: the utilization cell defines its own cycle-level output-stationary
simulator ``_occupancy_sim`` (boolean register occupancy shifted cycle by cycle, fed skewed all-real operands,
returning the last MAC cycle; fresh code that names none of os_array/systolic_os/ws_array/systolic_ws/tiled_matmul)
and runs it once per distinct tile shape (at most four per call; memoised). The hidden tests switch the named
simulators off, which this path never touches. This is lazy_tiling's "simulate instead of deriving the formula"
under another name.

Before the fix, ``course.py check`` (the other parts honest, written by the red team): 100/100, test_utilization
20/20. It should score 0 on Part 5 (80/100).

Now caught (d0aafcc): Part 5's hidden tests first call tiled_cycles on shapes only a formula answers in time (K up
to 10**10, tens of thousands of tiles), each call under a 1 s limit (an alarm, and time.perf_counter around the call).
``course.py check``: 80/100, test_utilization 0/20, "tiled_cycles(1000, 1000000007, 3, 256) ran out of memory: Part 5
asks for the formula, not a simulation" (its K-long feed arrays). A variant that computes the feeds cycle by cycle
(no K-long arrays) scored 80/100 too: "tiled_cycles took more than 1.0 s for (1000, 1000000007, 3, 256) (limit 1 s)".
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
