"""A correct lab01_roofline written differently from the reference: every part rewritten.

Products with ``math.prod``, the convolution's output size by counting window positions with ``range``, attention
from the two GEMMs it is made of, the roofline with ``np.where`` and a multiplied-out comparison, Little's law with
integer ceiling division; the harness binds ``perf_counter`` with ``from time import perf_counter``, does no warm-up and
keeps every time in a list; the triad uses a temporary (``a[:] = b + s * c``), the peak kernel is ``np.dot``.
"""

KIND = "alternative: math.prod, range counting, np.where, from-import clock, no warm-up"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "gemm": '''
def gemm_flops(M, K, N):
    return math.prod((2, M, K, N))


def gemm_bytes(M, K, N, bytes_per_element=2):
    return sum(math.prod(shape) for shape in ((M, K), (K, N), (M, N))) * bytes_per_element
''',
    "conv2d": '''
def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    sizes = []
    for extent, k in ((H, kh), (W, kw)):
        positions = len(range(0, extent + 2 * padding - k + 1, stride))   # where the window's first tap can sit
        if positions == 0:
            raise ValueError(f"kernel {k} does not fit in {extent} + 2*{padding}")
        sizes.append(positions)
    return tuple(sizes)


def _check_groups(C_in, C_out, groups):
    if C_in % groups != 0 or C_out % groups != 0:
        raise ValueError(f"groups={groups} must divide C_in={C_in} and C_out={C_out}")


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    _check_groups(C_in, C_out, groups)
    outputs = N * C_out * math.prod(conv2d_output_size(H, W, kh, kw, stride, padding))
    return 2 * outputs * (C_in // groups * kh * kw)


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    _check_groups(C_in, C_out, groups)
    h, w = conv2d_output_size(H, W, kh, kw, stride, padding)
    tensors = [(N, C_in, H, W), (C_out, C_in // groups, kh, kw), (N, C_out, h, w)]
    return bytes_per_element * sum(math.prod(t) for t in tensors)
''',
    "attention": '''
def attention_flops(batch, heads, S, d):
    scores = gemm_flops(S, d, S)       # Q K^T
    output = gemm_flops(S, S, d)       # P V
    return batch * heads * (scores + output)


def attention_bytes(batch, heads, S, d, bytes_per_element=2, fused=True):
    per_head = 4 * S * d                # Q, K, V in, O out
    if not fused:
        per_head += 2 * (S * S) + 2 * (S * S)   # scores written and read, probabilities written and read
    return batch * heads * per_head * bytes_per_element
''',
    "roofline": '''
def arithmetic_intensity(flops, nbytes):
    if not nbytes > 0:
        raise ValueError("nbytes must be > 0")
    return flops / nbytes


def attainable_gflops(ai, peak_gflops, bandwidth_gbs):
    memory_roof = np.asarray(ai, dtype=float) * bandwidth_gbs
    out = np.where(memory_roof < peak_gflops, memory_roof, float(peak_gflops))
    return out if out.ndim else float(out)


def ridge_point(peak_gflops, bandwidth_gbs):
    return peak_gflops / bandwidth_gbs


def bound(ai, peak_gflops, bandwidth_gbs):
    return "compute" if ai * bandwidth_gbs >= peak_gflops else "memory"
''',
    "littles_law": '''
def bytes_in_flight(bandwidth_gbs, latency_ns):
    return float(bandwidth_gbs) * float(latency_ns)     # GB/s x ns = bytes


def threads_needed(bandwidth_gbs, latency_ns, bytes_per_thread):
    if bytes_per_thread <= 0:
        raise ValueError("bytes_per_thread must be positive")
    return int(-(-bytes_in_flight(bandwidth_gbs, latency_ns) // bytes_per_thread))
''',
    "measure": '''
from time import perf_counter


def best_time(kernel, *args, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = perf_counter()
        kernel(*args)
        t1 = perf_counter()
        times.append(t1 - t0)
    return min(times)


def triad(a, b, c, s):
    a[:] = b + s * c
    return a


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    b = np.arange(n, dtype=np.float64)
    c = np.ones(n)
    a = np.empty_like(b)
    seconds = best_time(triad, a, b, c, 0.5, repeat=repeat)
    return 24 * n / seconds * 1e-9


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32) * 0.5
    B = np.eye(n, dtype=np.float32) + A
    seconds = best_time(np.dot, A, B, repeat=repeat)
    return 2.0 * n * n * n / seconds * 1e-9
''',
}
