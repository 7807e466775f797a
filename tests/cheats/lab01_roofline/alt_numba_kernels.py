"""A correct lab01_roofline with compiled kernels and other formulas: every part rewritten.

A single-pass triad compiled with numba (no temporaries, one loop), a peak kernel that is a function of its own,
a harness that warms up and sorts its times, FLOP counts as MACs times two, the convolution's output size with
divmod, ``np.minimum`` everywhere in the roofline (NumPy scalars for scalar input), Little's law rounded with
``math.ceil`` after rounding off float noise.
"""

KIND = "alternative: numba triad, own peak kernel, warm-up + sorted times, np.minimum, divmod"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "gemm": '''
def gemm_flops(M, K, N):
    macs = M * N * K
    return macs + macs


def gemm_bytes(M, K, N, bytes_per_element=2):
    elements = M * K
    elements += K * N
    elements += M * N
    return elements * bytes_per_element
''',
    "conv2d": '''
def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    out = []
    for size, k in ((H, kh), (W, kw)):
        room = size + 2 * padding - k
        if room < 0:
            raise ValueError("the kernel is larger than the padded input")
        steps, _ = divmod(room, stride)
        out.append(steps + 1)
    return out[0], out[1]


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    if C_in % groups or C_out % groups:
        raise ValueError("groups must divide both channel counts")
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    macs_per_output = (C_in // groups) * kh * kw
    return 2 * macs_per_output * N * C_out * Ho * Wo


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    if C_in % groups or C_out % groups:
        raise ValueError("groups must divide both channel counts")
    Ho, Wo = conv2d_output_size(H, W, kh, kw, stride, padding)
    weights = C_out * (C_in // groups) * kh * kw
    return (N * C_in * H * W + weights + N * C_out * Ho * Wo) * bytes_per_element
''',
    "attention": '''
def attention_flops(batch, heads, S, d):
    return 2 * (2 * S * S * d) * batch * heads


def attention_bytes(batch, heads, S, d, bytes_per_element=2, fused=True):
    qkvo = 4 * S * d
    scores = 0 if fused else 4 * S * S
    return (qkvo + scores) * batch * heads * bytes_per_element
''',
    "roofline": '''
def arithmetic_intensity(flops, nbytes):
    if nbytes <= 0:
        raise ValueError("nbytes must be positive")
    return flops / nbytes


def attainable_gflops(ai, peak_gflops, bandwidth_gbs):
    return np.minimum(np.multiply(ai, bandwidth_gbs), peak_gflops)


def ridge_point(peak_gflops, bandwidth_gbs):
    return peak_gflops / bandwidth_gbs


def bound(ai, peak_gflops, bandwidth_gbs):
    return ["memory", "compute"][int(ai >= ridge_point(peak_gflops, bandwidth_gbs))]
''',
    "littles_law": '''
def bytes_in_flight(bandwidth_gbs, latency_ns):
    return bandwidth_gbs * 1e9 * latency_ns * 1e-9


def threads_needed(bandwidth_gbs, latency_ns, bytes_per_thread):
    if bytes_per_thread <= 0:
        raise ValueError(f"bytes_per_thread must be positive, got {bytes_per_thread}")
    return math.ceil(round(bytes_in_flight(bandwidth_gbs, latency_ns) / bytes_per_thread, 6))
''',
    "measure": '''
import numba


@numba.njit(cache=False)
def triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]
    return a


def product(A, B):
    return A @ B


def best_time(kernel, *args, repeat=5):
    kernel(*args)                      # warm-up (and numba's compilation)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        kernel(*args)
        times.append(time.perf_counter() - start)
    return sorted(times)[0]


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a = np.zeros(n)
    b = np.full(n, 1.5)
    c = np.linspace(0.0, 1.0, n)
    return 3 * 8 * n / 1e9 / best_time(triad, a, b, c, 2.0, repeat=repeat)


def measure_peak(n=1024, repeat=5):
    rng = np.random.default_rng(1)
    A = rng.random((n, n), dtype=np.float32)
    B = np.asfortranarray(rng.random((n, n), dtype=np.float32))
    return 2 * n**3 / 1e9 / best_time(product, A, B, repeat=repeat)
''',
}
