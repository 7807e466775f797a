"""Notebook 03/06 (torch.compile) where no C++ compiler works (Windows or macOS without build tools): it runs to
the end on a fallback back end and says what it skipped, instead of raising InvalidCxxCompiler."""
import nbformat
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "03_compiler" / "06_pytorch2_compile.ipynb"


def test_pytorch2_notebook_runs_without_a_cpp_compiler(monkeypatch):
    # Inductor looks only at $CXX when it is set, so a compiler that does not exist hides g++ from it.
    monkeypatch.setenv("CXX", "/nonexistent/c++")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []) if out.get("output_type") == "stream")
    assert "No C++ compiler found" in text and "aot_eager" in text
    assert "C++ compiler for Inductor" not in text
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, errors[0]["ename"] + ": " + errors[0]["evalue"]
