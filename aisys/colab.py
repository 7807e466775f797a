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

#: Packages the course needs that Colab's image lacks, installed on Colab at the versions the course is tested with
#: (the pins of requirements.txt; tests/test_colab.py checks that they agree). Triton is not among them: Colab's
#: PyTorch brings the Triton it was built with, and another version would break it.
COLAB_EXTRAS = ("onnx==1.23.2", "onnxruntime==1.32.0", "islpy==2026.2.2", "ml_dtypes==0.6.0")
#: Colab's own packages the course runs on: the setup cell reports how their versions differ from the tested ones.
COLAB_OWN = ("torch", "numpy", "scipy", "numba", "triton", "matplotlib", "scikit-learn", "nbgrader")

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
    sys.path.insert(0, course)
    from aisys.colab import report_stack
    report_stack()'''


def colab_url(path: str) -> str:
    """The address that opens ``path`` (relative to the repository root) in Colab."""
    if not path.endswith(".ipynb"):
        raise ValueError(f"expected a notebook path ending in .ipynb, got {path!r}")
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{path}"


def tested_versions(requirements: str | None = None) -> dict:
    """{package: version} pinned in the course's requirements.txt (the set the tests run on)."""
    import re
    from pathlib import Path
    path = Path(requirements) if requirements else Path(__file__).resolve().parent.parent / "requirements.txt"
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)==([^\s#;]+)\s*(#.*)?", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def report_stack(packages=COLAB_OWN, requirements: str | None = None) -> list:
    """Print, for each of Colab's own packages the course uses, its installed version next to the tested one when
    they differ; return those differences as (package, installed, tested)."""
    from importlib import metadata
    tested = tested_versions(requirements)
    different = []
    for name in packages:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        want = tested.get(name.lower())
        if want and not installed.split("+")[0] == want:
            different.append((name, installed, want))
    if different:
        print("This runtime differs from the set the course is tested with (requirements.txt):")
        for name, installed, want in different:
            print(f"  {name:<13} {installed:<16} tested: {want}")
        print("Most notebooks run anyway. If a cell fails, install the tested set and restart the runtime:\n"
              "  !pip install -q -r /content/aisys-labs/requirements.txt   (several minutes: it includes PyTorch)")
    else:
        print("This runtime has the versions the course is tested with.")
    return different
