"""Red team: a timing harness that is honest only while the clock is faked.

best_time binds the real time.perf_counter when its cell runs. When time.perf_counter is still that object (a real
run: nobody is checking) it calls the kernel once and returns a made-up 10 ms; when the clock has been replaced
(the fake-clock test) it times each call honestly. measure_bandwidth/measure_peak are honest and go through
best_time, so the real run of test_measure reports 3*n*8/0.01 GB/s and 2n^3/0.01 GFLOP/s: sane-looking numbers that
were never measured.

Checked with ``course.py check`` (only the measure cell filled in): 15/100 -- test_best_time 5/5, test_measure 10/10.
Should score 0 in both, like lazy_harness: under the real clock the
harness never times anything. Fix idea: also test best_time with the *real* clock and a kernel of known minimum
duration (e.g. one that busy-waits or sleeps 20 ms: best_time must return >= 0.02 and not much more), and in the real
run of test_measure wrap the real best_time to check that the seconds it returns are within the wall time the call
actually took (reported <= measured wall time / repeat, and > 0).

Now caught: test_best_time's hidden part also runs best_time under the real clock with a kernel that sleeps and that
the test times itself (repeat calls plus at most one warm-up; the result must be the shortest timed call, never
shorter than the test saw and longer only by reading the clock), and test_measure's hidden part runs measure_* once
more with the student's own best_time, each kernel call timed and checked by the test. This harness calls the
kernel once under the real clock. Graded with ``course.py check`` (the other parts the reference's): 85/100 --
test_best_time 0, test_measure 0.
"""

KIND = "lazy: best_time detects the fake clock and fabricates a time under the real one"
BASE = "reference"
FAIL = {"test_best_time", "test_measure"}

CELLS = {
    "measure": '''
_real_clock = time.perf_counter


def best_time(kernel, *args, repeat=5):
    if time.perf_counter is _real_clock:      # the real clock: a plausible number will do
        kernel(*args)
        return 0.01
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        kernel(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def triad(a, b, c, s):
    np.multiply(c, s, out=a)
    np.add(a, b, out=a)
    return a


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    return float(3 * n * 8 / best_time(triad, a, b, c, 3.0, repeat=repeat) / 1e9)


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32)
    B = np.ones((n, n), dtype=np.float32)
    return float(2 * n**3 / best_time(np.matmul, A, B, repeat=repeat) / 1e9)
''',
}
