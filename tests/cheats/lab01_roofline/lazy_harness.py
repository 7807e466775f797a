"""Lazy submission for lab01_roofline, Part 6: a timing harness that times nothing.

``best_time`` runs the kernel, but reads the clock twice back to back afterwards, so it measures the cost of calling
``time.perf_counter`` rather than the kernel (the kind of number a student could then scale however they like).
``measure_*`` go through it honestly. The fake clock of the hidden tests only moves while the kernel runs, so the
harness reports 0; the real run of the visible test reports absurd speeds. Both test cells of Part 6 must score 0.
"""

KIND = "lazy: a harness that reads the clock around nothing"
BASE = "reference"
FAIL = {"test_best_time", "test_measure"}

CELLS = {
    "measure": '''
def best_time(kernel, *args, repeat=5):
    times = []
    for _ in range(repeat):
        kernel(*args)
        start = time.perf_counter()
        times.append(time.perf_counter() - start)
    return max(min(times), 1e-9)


def triad(a, b, c, s):
    np.multiply(c, s, out=a)
    np.add(a, b, out=a)
    return a


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    return 3 * n * 8 / best_time(triad, a, b, c, 3.0, repeat=repeat) / 1e9


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32)
    B = np.ones((n, n), dtype=np.float32)
    return 2 * n**3 / best_time(np.matmul, A, B, repeat=repeat) / 1e9
''',
}
