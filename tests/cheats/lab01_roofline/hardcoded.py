"""Cheating submission for lab01_roofline: answer cells that hard-code the visible tests' answers.

Graded, it must pass the visible asserts but lose points on the hidden tests (random shapes,
other element sizes, arrays, other fake-clock kernels and array sizes).
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    # an honest part, so the cheat scores more than zero
    "gemm": '''
def gemm_flops(M, K, N):
    return 2 * M * K * N


def gemm_bytes(M, K, N, bytes_per_element=2):
    return bytes_per_element * (M * K + K * N + M * N)
''',
    "conv2d": '''
def conv2d_output_size(H, W, kh, kw, stride=1, padding=0):
    return (112, 112) if H == 224 else (3, 3)


def conv2d_flops(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1):
    if C_in == 6:
        raise ValueError("bad groups")
    if H == 224:
        return 2 * 118_013_952
    return 2 * 56 * 56 * 32 * 9 * (32 if groups == 1 else 1)


def conv2d_bytes(N, C_in, H, W, C_out, kh, kw, stride=1, padding=0, groups=1, bytes_per_element=2):
    return 58
''',
    "attention": '''
def attention_flops(batch, heads, S, d):
    return 128


def attention_bytes(batch, heads, S, d, bytes_per_element=2, fused=True):
    return 64 if fused else 192
''',
    "littles_law": '''
def bytes_in_flight(bandwidth_gbs, latency_ns):
    return 628_220.0


def threads_needed(bandwidth_gbs, latency_ns, bytes_per_thread):
    return {4: 157_055, 16: 39_264}[bytes_per_thread]
''',
    "measure": '''
def best_time(kernel, *args, repeat=5):
    for _ in range(repeat):
        kernel(*args)
    return 2.0                      # the visible fake-clock kernel's shortest call


def triad(a, b, c, s):
    a[:] = b + s * c
    return a


def measure_bandwidth(n_bytes=256 * 2**20, repeat=5):
    n = n_bytes // 8
    a, b, c = np.zeros(n), np.ones(n), np.ones(n)
    best_time(triad, a, b, c, 3.0, repeat=repeat)
    return {2**16: 0.196608}.get(n_bytes, 20.0)


def measure_peak(n=1024, repeat=5):
    A = np.ones((n, n), dtype=np.float32)
    best_time(np.matmul, A, A.copy(), repeat=repeat)
    return {64: 0.524288}.get(n, 100.0)
''',
}
