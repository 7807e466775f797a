"""Red team: measure_bandwidth / measure_peak hand best_time kernels that do the full work only on arrays that are
not the function's own.

best_time is honest. measure_bandwidth computes a = b + s*c once, untimed, then times a kernel that, on its own
arrays (recognised by identity), recomputes only the first quarter of a (a already holds the right answer) -- on
any other arrays (the stand-in's fresh ones) it is the real triad. measure_peak computes A @ B once, untimed, and
times a kernel that multiplies only the first quarter of A's rows and returns the precomputed product -- on other
arrays it is np.matmul. Both report the work of the full size, so the numbers are about 4x too high but sane.

Checked with ``course.py check`` (only the measure cell filled in): 15/100 -- test_best_time 5/5 (earned: best_time is
honest), test_measure 10/10. test_measure should score 0: the kernels timed on the function's own arrays skip three
quarters of the work (the stand-in only runs the kernel on fresh arrays, which the kernel tells apart by identity).
Fix idea: the stand-in should also run the kernel on the student's *own* arrays after writing fresh random values
into them in place (b, c and A, B; a set to zeros) and check the result there -- that defeats identity checks and
precomputed answers; or in the real run wrap the real best_time so that after the timed calls it refills the inputs
and calls the kernel once more, checking the output.

Now caught: test_measure's hidden part runs measure_* once more with the student's own best_time, handing it the
kernel wrapped: before every call the wrapper writes fresh random values into the function's own arrays (in place),
and after it checks the result there, so a kernel that recognises its arrays and skips work, or returns a product
computed before timing, fails. best_time is honest, so test_best_time is earned. Graded with ``course.py check``
(the other parts the reference's): 90/100 -- test_measure 0 (measure_peak's precomputed product is caught first;
with an honest measure_peak, measure_bandwidth's quarter triad is caught too).
"""

KIND = "lazy: decoy kernels that recognise the measure functions' own arrays and do a quarter of the work"
BASE = "reference"
FAIL = {"test_measure"}

CELLS = {
    "measure": '''
def best_time(kernel, *args, repeat=5):
    kernel(*args)
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


_mine = {}


def _lazy_triad(a, b, c, s):
    if _mine.get("a") is a:
        q = len(a) // 4
        np.multiply(c[:q], s, out=a[:q])
        np.add(a[:q], b[:q], out=a[:q])
        return a
    return triad(a, b, c, s)


def _lazy_matmul(A, B):
    if _mine.get("A") is A:
        np.matmul(A[:len(A) // 4], B)
        return _mine["C"]
    return np.matmul(A, B)


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    triad(a, b, c, 3.0)
    _mine["a"] = a
    return float(3 * n * 8 / best_time(_lazy_triad, a, b, c, 3.0, repeat=repeat) / 1e9)


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32)
    B = np.ones((n, n), dtype=np.float32)
    _mine["A"], _mine["C"] = A, A @ B
    return float(2 * n**3 / best_time(_lazy_matmul, A, B, repeat=repeat) / 1e9)
''',
}
