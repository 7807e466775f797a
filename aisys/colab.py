"""The Colab setup cell: every notebook and lab starts with it.

This module is the one place that holds the course's repository addresses (the full course and its student
edition).
``python tools/course.py stamp`` writes :data:`SETUP_CELL` into every notebook,
and the README's Colab links come from :func:`colab_url`; tests check both.
"""
from __future__ import annotations

REPO = "aisys-labs/aisys-labs"
#: Where the student edition (no solutions, no hidden tests) is published: `python tools/course.py student-edition`
#: writes this address into that edition's notebooks and README.
STUDENT_REPO = "aisys-labs/aisys-labs-student"
BRANCH = "main"
REPO_URL = f"https://github.com/{REPO}"

#: Packages the course needs that Colab's image lacks (installed only on Colab).
COLAB_EXTRAS = ("onnx", "onnxruntime", "islpy", "ml_dtypes", "triton")

SETUP_CELL = f'''# Setup: on Google Colab this fetches the course (aisys/ and data/) and installs what Colab lacks.
# Anywhere else it does nothing: install the course as its README says.
import sys
if "google.colab" in sys.modules:
    import os, subprocess
    course = "/content/aisys-labs"
    if not os.path.isdir(course):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{BRANCH}", "{REPO_URL}", course], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *{list(COLAB_EXTRAS)!r}], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-e", course], check=True)
    sys.path.insert(0, course)'''


def colab_url(path: str) -> str:
    """The address that opens ``path`` (relative to the repository root) in Colab."""
    if not path.endswith(".ipynb"):
        raise ValueError(f"expected a notebook path ending in .ipynb, got {path!r}")
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{path}"
