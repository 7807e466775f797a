"""AISys Labs helpers shared by the notebooks and labs.

Submodules are imported on demand so that ``import aisys.gpu`` can set the
simulator switches before numba or triton are imported:

- :mod:`aisys.gpu`   choose a real CUDA GPU or numba's CUDA simulator / Triton's interpreter
- :mod:`aisys.data`  locate files in ``data/`` and load the digits set
- :mod:`aisys.plot`  one figure style for the course, and the roofline chart
- :mod:`aisys.bench` time a callable (median of repeats) and compare two as a ratio
- :mod:`aisys.colab` the Colab setup cell every notebook starts with
- :mod:`aisys.gpu_trace` count and draw the global-memory accesses of numba.cuda kernels
- :mod:`aisys.fxgraph` draw torch.fx graphs (before/after a pass) with matplotlib
- :mod:`aisys.models` the small trained digits CNN shipped in ``data/``
- :mod:`aisys.dist` run a function on several real ``torch.distributed`` processes (gloo), count their messages
- :mod:`aisys.grading` grading machinery: review of student code, the grading kernel's watch, forbidden routines
"""
from pathlib import Path

__version__ = "0.1.0"

#: The course repository's root (the folder holding ``aisys/``, ``data/``, ``notebooks/``).
ROOT = Path(__file__).resolve().parent.parent
