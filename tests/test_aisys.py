"""Unit tests of the aisys helper package."""
import os
import subprocess
import sys

import numpy as np
import pytest

from aisys import bench, colab, data, gpu, plot


def run_python(code, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_ENABLE_CUDASIM", "TRITON_INTERPRET", "AISYS_BACKEND")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=300)


# --- gpu -----------------------------------------------------------------------------
def test_select_rejects_unknown_backend():
    with pytest.raises(ValueError, match="backend must be one of"):
        gpu.select("tpu")


def test_select_without_gpu_turns_on_both_simulators():
    done = run_python("from aisys import gpu; import os; b = gpu.select(); "
                      "print(b, os.environ.get('NUMBA_ENABLE_CUDASIM'), os.environ.get('TRITON_INTERPRET'))")
    assert done.returncode == 0, done.stderr
    if gpu.cuda_gpu_count() == 0:
        assert done.stdout.split() == ["simulator", "1", "1"]


def test_simulated_kernel_runs_after_select():
    code = ("from aisys import gpu; gpu.select('simulator')\n"
            "from numba import cuda\nimport numpy as np\n"
            "@cuda.jit\ndef double(x):\n    i = cuda.grid(1)\n    if i < x.size:\n        x[i] *= 2\n"
            "a = np.arange(10.0); double[2, 8](a); print(a.sum(), gpu.is_simulator())")
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["90.0", "True"]


def test_select_after_numba_import_is_a_clear_error():
    done = run_python("import numba.cuda\nfrom aisys import gpu\ngpu.select('simulator')")
    assert done.returncode != 0
    assert "before importing numba.cuda" in done.stderr


def test_environment_variable_overrides_detection():
    done = run_python("from aisys import gpu; print(gpu.backend(), gpu.torch_device())", AISYS_BACKEND="simulator")
    assert done.stdout.split() == ["simulator", "cpu"]
    done = run_python("from aisys import gpu; gpu.backend()", AISYS_BACKEND="quantum")
    assert done.returncode != 0 and "backend must be one of" in done.stderr


# --- data ----------------------------------------------------------------------------
def test_load_digits_is_reproducible_scaled_and_stratified():
    X_train, X_test, y_train, y_test = data.load_digits()
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == np.float32 and 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert set(np.unique(y_test)) == set(range(10))
    again = data.load_digits()
    assert np.array_equal(again[0], X_train) and np.array_equal(again[3], y_test)
    images = data.load_digits(images=True)[0]
    assert images.shape == (1347, 1, 8, 8)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_load_digits_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        data.load_digits(test_fraction=fraction)


def test_data_path_finds_shipped_files_and_explains_missing_ones():
    shipped = [p for p in data.data_dir().iterdir() if p.is_file()]
    for path in shipped:
        assert data.data_path(path.name) == path
    with pytest.raises(FileNotFoundError, match="available"):
        data.data_path("no_such_file.csv")
    with pytest.raises(ValueError, match="non-empty"):
        data.data_path("")


# --- bench ---------------------------------------------------------------------------
class FakeClock:
    """perf_counter stand-in: every call advances by the cost of the function just run."""
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_time_fn_reports_median_and_speedup_is_a_ratio(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(bench.time, "perf_counter", clock)
    costs = iter([0.0, 3.0, 1.0, 2.0])  # warmup, then three timed runs

    def work():
        clock.now += next(costs)

    timing = bench.time_fn(work, repeat=3)
    assert timing.median == 2.0 and timing.best == 1.0 and timing.runs == (3.0, 1.0, 2.0)

    def slow():
        clock.now += 4.0

    def fast():
        clock.now += 0.5

    assert bench.speedup(slow, fast, repeat=3) == pytest.approx(8.0)


@pytest.mark.parametrize("kwargs", [dict(repeat=0), dict(number=0), dict(warmup=-1), dict(repeat=2.5), dict(repeat=True)])
def test_time_fn_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError):
        bench.time_fn(lambda: None, **kwargs)


def test_time_fn_rejects_non_callable():
    with pytest.raises(ValueError, match="callable"):
        bench.time_fn(42)
    with pytest.raises(ValueError, match="clock must be"):
        bench.time_fn(lambda: None, clock=1.0)


def test_time_fn_reads_the_clock_it_is_given():
    clock = FakeClock()
    costs = iter([5.0, 2.0, 4.0])  # warmup, then two timed runs

    def work():
        clock.now += next(costs)

    timing = bench.time_fn(work, repeat=2, clock=clock)
    assert timing.runs == (2.0, 4.0) and timing.best == 2.0


def test_gflops_and_format():
    assert bench.gflops(2e9, 0.5) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        bench.gflops(1e9, 0)
    assert bench.format_seconds(0.0025) == "2.5 ms"
    assert bench.format_seconds(3e-8) == "30 ns"


# --- plot ----------------------------------------------------------------------------
def test_roofline_returns_ridge_and_marks_kernels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plot.use_style()
    fig, ax = plt.subplots()
    ridge = plot.roofline(ax, peak_gflops=100.0, bandwidth_gbs=20.0, kernels={"axpy": 1 / 12, "gemm": 64})
    assert ridge == pytest.approx(5.0)
    points = [line for line in ax.lines if line.get_marker() == "o"]
    assert [float(p.get_ydata()[0]) for p in points] == pytest.approx([20.0 / 12, 100.0])
    with pytest.raises(ValueError, match="positive"):
        plot.roofline(ax, peak_gflops=-1, bandwidth_gbs=1)
    plt.close(fig)


# --- colab ---------------------------------------------------------------------------
def test_colab_url():
    assert colab.colab_url("labs/lab01_roofline/lab01_roofline.ipynb") == (
        f"https://colab.research.google.com/github/{colab.REPO}/blob/main/labs/lab01_roofline/lab01_roofline.ipynb")
    with pytest.raises(ValueError, match=".ipynb"):
        colab.colab_url("README.md")


def test_select_after_torch_and_triton_imports_still_interprets_triton():
    code = ("import torch, triton\nfrom aisys import gpu\nprint(gpu.select('simulator'))\n"
            "import triton.language as tl\n"
            "@triton.jit\ndef add(x, y, out, n, BLOCK: tl.constexpr):\n"
            "    i = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n    m = i < n\n"
            "    tl.store(out + i, tl.load(x + i, mask=m) + tl.load(y + i, mask=m), mask=m)\n"
            "x = torch.arange(10.0); out = torch.empty(10); add[(2,)](x, x, out, 10, BLOCK=8)\n"
            "print(torch.equal(out, 2 * x))")
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["simulator", "True"]
