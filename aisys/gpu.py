"""Choose where GPU kernels run: a real CUDA GPU, or simulators on the CPU.

numba's CUDA simulator and Triton's interpreter are switched on by environment
variables that are read when those libraries are *imported*, so the choice has
to be made first::

    from aisys import gpu
    backend = gpu.select()          # "cuda" or "simulator"
    from numba import cuda          # now the right cuda

(numba reads its switch when ``numba.cuda`` is imported; Triton reads
``TRITON_INTERPRET`` when a ``@triton.jit`` function is defined, so importing
torch or triton first is fine.) ``select()`` is idempotent. Set ``AISYS_BACKEND=simulator`` (or ``cuda``) to
override detection, e.g. to try the simulator on a machine that has a GPU.
"""
from __future__ import annotations

import ctypes
import os
import sys

BACKENDS = ("cuda", "simulator")
_selected: str | None = None


def cuda_gpu_count() -> int:
    """Number of CUDA devices the driver reports (0 without a driver or GPU).

    Asks the driver library directly, so nothing (torch, numba) is imported.
    """
    for name in ("libcuda.so.1", "libcuda.so", "nvcuda.dll"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        count = ctypes.c_int(0)
        if lib.cuInit(0) != 0 or lib.cuDeviceGetCount(ctypes.byref(count)) != 0:
            return 0
        return count.value
    return 0


def select(backend: str | None = None) -> str:
    """Pick the backend once and set the switches numba and triton read at import.

    ``backend`` may be ``"cuda"``, ``"simulator"`` or None (auto: the
    ``AISYS_BACKEND`` variable if set, else a GPU if the driver sees one).
    Raises ValueError for an unknown name and RuntimeError if ``numba.cuda`` was
    imported before the simulator could be switched on.
    """
    global _selected
    requested = backend if backend is not None else os.environ.get("AISYS_BACKEND") or None
    if requested is not None and requested not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} or None (auto), got {requested!r}")
    if _selected is not None and (requested is None or requested == _selected):
        return _selected
    choice = requested or ("cuda" if cuda_gpu_count() > 0 else "simulator")
    if choice == "simulator":
        if "numba.cuda" in sys.modules and os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
            raise RuntimeError(
                "numba.cuda was imported before aisys.gpu.select(); numba chooses its CUDA simulator "
                "at import time. Restart the kernel and call aisys.gpu.select() before importing numba.cuda."
            )
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
        os.environ["TRITON_INTERPRET"] = "1"
    else:
        if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and "numba.cuda" in sys.modules:
            raise RuntimeError("the simulator is already live in this process; restart to use the GPU")
        os.environ.pop("NUMBA_ENABLE_CUDASIM", None)
        os.environ.pop("TRITON_INTERPRET", None)
    # numba warns about small launches and host arrays on a real GPU; harmless in a course, and on a grading
    # machine with a GPU a warning on stderr would fail a test cell.
    os.environ.setdefault("NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS", "0")
    os.environ.setdefault("NUMBA_CUDA_WARN_ON_IMPLICIT_COPY", "0")
    _selected = choice
    return choice


def backend() -> str:
    """The live backend ("cuda" or "simulator"), selecting it if nobody has yet.

    Use this rather than ``numba.cuda.is_available()``, which is True under the simulator.
    """
    return _selected or select()


def is_simulator() -> bool:
    return backend() == "simulator"


def torch_device() -> str:
    """``"cuda"`` when kernels run on a real GPU, else ``"cpu"`` (Triton's interpreter takes CPU tensors)."""
    return "cuda" if backend() == "cuda" else "cpu"


def describe() -> str:
    """One line for a notebook to print: where the kernels below will run."""
    if backend() == "cuda":
        return f"CUDA GPU ({cuda_gpu_count()} device(s)): kernels run on real hardware"
    return ("no CUDA GPU: numba.cuda kernels run on numba's CUDA simulator and Triton kernels on "
            "Triton's interpreter (correct results, but thousands of times slower than a GPU)")
