"""Red team: Part 5 runs the student's own os_array through a second function object of the same code.

The Part 2 cell makes os_array with a factory and keeps a second function object from the same factory
(``_os_spare``: the same code object, a different function). The Part 5 switch-off swaps the code of the function
object named os_array only; tiled_cycles runs ``_os_spare`` on skewed matrices of ones, once per distinct tile shape
(memoised), and adds up the cycle counts: the simulator, not the formula.

Before the fix, ``course.py check`` (the other parts honest, written by the red team): 100/100, test_utilization
20/20. It should score 0 on Part 5 (80/100).

Now caught (d0aafcc): Part 5's hidden tests first call tiled_cycles on shapes only a formula answers in time (K up
to 10**10, tens of thousands of tiles), each call under a 1 s limit (an alarm, and time.perf_counter around the call),
and the switch-off now also swaps the code of every function object that shares a simulator's code object.
``course.py check``: 80/100, test_utilization 0/20, "tiled_cycles(1000, 1000000007, 3, 256) ran out of memory: Part 5
asks for the formula, not a simulation" (its skewed matrices of ones are K long). A variant that answers large K by
the formula and simulates only K <= 10**4 fails test_utilization with "ForbiddenCallError:
__main__._make_os_array.<locals>.os_array is switched off in this test" (that is _os_spare; 80/100 with course.py
check).
"""

KIND = 'lazy: tiled_cycles simulates with a second function object of os_array that the switch-off misses'
BASE = "reference"
FAIL = {'test_utilization'}

CELLS = {
    "systolic_os": '''
def _make_os_array():
    def os_array(left, top):
        left = np.asarray(left, dtype=float)
        top = np.asarray(top, dtype=float)
        if left.ndim != 2 or top.ndim != 2:
            raise ValueError("left and top must be 2-D")
        M, TL = left.shape
        N, TT = top.shape
        a = np.full((M, N), np.nan)
        b = np.full((M, N), np.nan)
        acc = np.zeros((M, N))
        frames, last, t = [], 0, 0
        while t < max(TL, TT) or not (np.isnan(a).all() and np.isnan(b).all()):
            t += 1
            if N > 1:
                a[:, 1:] = a[:, :-1].copy()
            if M > 1:
                b[1:, :] = b[:-1, :].copy()
            if N:
                a[:, 0] = left[:, t - 1] if t <= TL else np.nan
            if M:
                b[0, :] = top[:, t - 1] if t <= TT else np.nan
            live = ~np.isnan(a) & ~np.isnan(b)
            acc[live] += a[live] * b[live]
            frames.append((a.copy(), b.copy()))
            if live.any():
                last = t
            if (M == 0 or N == 0) and t >= max(TL, TT):
                break
        return acc, last, frames[:last]
    return os_array


os_array = _make_os_array()
_os_spare = _make_os_array()      # the same code in a second function object


def systolic_os(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    return os_array(skew(A, fill=np.nan), skew(B.T, fill=np.nan))
''',
    "utilization": '''
_seen = {}


def tiled_cycles(M, K, N, P):
    for v in (M, K, N, P):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError("positive integers please")
    total = 0
    for i0 in range(0, M, P):
        for j0 in range(0, N, P):
            m, n = min(P, M - i0), min(P, N - j0)
            if (m, n, K) not in _seen:
                _seen[(m, n, K)] = _os_spare(skew(np.ones((m, K)), fill=np.nan), skew(np.ones((n, K)), fill=np.nan))[1]
            total += _seen[(m, n, K)]
    return total


def utilization(M, K, N, P):
    return M * K * N / (P * P * tiled_cycles(M, K, N, P))
''',
}
