"""Red team: the simulators are callable objects, so the Part 5 switch-off does not reach them.

os_array, systolic_os and tiled_matmul are instances of small classes with ``__call__`` (honest simulators inside;
they pass Parts 2 and 4, whose tests swap in their own arrays by name). tiled_cycles is lazy_tiling's: it runs
tiled_matmul on matrices of ones -- once per distinct tile shape (memoised; without the memo the hidden test's
large shapes hit the cell timeout, "KeyboardInterrupt", 0/20) -- and adds up the cycle counts. The switch-off
swaps the code of Python *functions*; an instance of a notebook class is not one, and it raised nothing.

Before the fix, ``course.py check`` (Parts 1 and 3 honest, written by the red team): 100/100, test_utilization 20/20.
It should score 0 on Part 5 (80/100).

Now caught (d0aafcc): Part 5's hidden tests first call tiled_cycles on shapes only a formula answers in time (K up
to 10**10, tens of thousands of tiles), each call under a 1 s limit (an alarm, and time.perf_counter around the call),
and the switch-off now also takes the ``__call__`` of a callable object. ``course.py check``: 80/100, test_utilization
0/20, "tiled_cycles(1000, 1000000007, 3, 256) ran out of memory: Part 5 asks for the formula, not a simulation" (its
matrices of ones are K long). A variant that answers large K by the formula and simulates only K <= 10**4 scored
80/100 too: "ForbiddenCallError: __main__._Tiled.__call__ is switched off in this test".
"""

KIND = 'lazy: tiled_cycles simulates through callable-object simulators the switch-off cannot reach'
BASE = "reference"
FAIL = {'test_utilization'}

CELLS = {
    "systolic_os": '''
class _OSArray:
    """The output-stationary array, as a callable object."""

    def __call__(self, left, top):
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


class _SystolicOS:
    def __call__(self, A, B):
        A = np.asarray(A, dtype=float)
        B = np.asarray(B, dtype=float)
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError("inner dimensions differ")
        return os_array(skew(A, fill=np.nan), skew(B.T, fill=np.nan))


os_array = _OSArray()
systolic_os = _SystolicOS()
''',
    "tiled_matmul": '''
class _Tiled:
    def __call__(self, A, B, P):
        if not isinstance(P, (int, np.integer)) or isinstance(P, bool) or P < 1:
            raise ValueError("P must be a positive integer")
        A = np.asarray(A, dtype=float)
        B = np.asarray(B, dtype=float)
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError("inner dimensions differ")
        M, N = A.shape[0], B.shape[1]
        C = np.zeros((M, N))
        total = 0
        for i0 in range(0, M, P):
            for j0 in range(0, N, P):
                Ct, cyc, _ = systolic_os(A[i0:i0 + P], B[:, j0:j0 + P])
                C[i0:i0 + P, j0:j0 + P] = Ct
                total += cyc
        return C, total


tiled_matmul = _Tiled()
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
            if (m, n, K) not in _seen:      # one run of the (callable-object) array per distinct tile shape
                _seen[(m, n, K)] = tiled_matmul(np.ones((m, K)), np.ones((K, n)), P)[1]
            total += _seen[(m, n, K)]
    return total


def utilization(M, K, N, P):
    return M * K * N / (P * P * tiled_cycles(M, K, N, P))
''',
}
