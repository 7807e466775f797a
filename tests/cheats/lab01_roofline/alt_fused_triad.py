"""A correct Part 4-6 written differently: PyTorch kernels on the NumPy arrays' memory (Parts 1-3 are the reference's).

Part 6: the triad is ONE fused pass, torch.add(b, c, alpha=s, out=a) on torch.from_numpy views of the float64
arrays (a true STREAM triad, no second pass over a); the peak kernel is torch's matmul on the same memory, returned
as a NumPy array; best_time is min() over a generator of timed calls. Part 4: np.fmin roofline, a tuple-indexed
bound. Part 5: ceiling division by negated floor division.

Found by the red team as a false negative: torch.add with alpha rounds b + s*c once (a fused multiply-add), so where
b + s*c nearly cancels it differs from NumPy's two roundings by ~1e-15 absolute, and test_measure's old
np.allclose(rtol=1e-12, atol=0) scored it 0. The triad is now checked to |a - (b + s c)| <= 1e-12 (|b| + |s c|).
"""

KIND = "alternative: torch fused triad (one pass, FMA), torch matmul kernel, generator harness, np.fmin, -(-x // b)"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "roofline": '''
def arithmetic_intensity(flops, nbytes):
    if not nbytes > 0:
        raise ValueError("nbytes must be positive")
    return flops / nbytes


def attainable_gflops(ai, peak_gflops, bandwidth_gbs):
    out = np.fmin(peak_gflops, np.multiply(ai, bandwidth_gbs))
    return out if np.ndim(out) else out.item()


def ridge_point(peak_gflops, bandwidth_gbs):
    return peak_gflops / bandwidth_gbs


def bound(ai, peak_gflops, bandwidth_gbs):
    return ("memory", "compute")[bool(ai >= ridge_point(peak_gflops, bandwidth_gbs))]
''',
    "littles_law": '''
def bytes_in_flight(bandwidth_gbs, latency_ns):
    return float(bandwidth_gbs) * float(latency_ns)


def threads_needed(bandwidth_gbs, latency_ns, bytes_per_thread):
    if bytes_per_thread <= 0:
        raise ValueError("bytes_per_thread must be positive")
    return int(-(-bytes_in_flight(bandwidth_gbs, latency_ns) // bytes_per_thread))
''',
    "measure": '''
import torch


def best_time(kernel, *args, repeat=5):
    def timed():
        start = time.perf_counter()
        kernel(*args)
        return time.perf_counter() - start
    return min(timed() for _ in range(repeat))


def triad(a, b, c, s):
    torch.add(torch.from_numpy(b), torch.from_numpy(c), alpha=s, out=torch.from_numpy(a))   # one fused pass
    return a


def torch_matmul(A, B):
    return (torch.from_numpy(A) @ torch.from_numpy(B)).numpy()


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    return 24 * n / best_time(triad, a, b, c, 3.0, repeat=repeat) / 1e9


def measure_peak(n=1024, repeat=5):
    A, B = np.ones((n, n), dtype=np.float32), np.ones((n, n), dtype=np.float32)
    return 2 * n**3 / best_time(torch_matmul, A, B, repeat=repeat) / 1e9
''',
}
