"""nbgrader round trip for every lab.

For each lab, one scratch course: regenerate the student notebook from solutions/ and compare it
with the committed labs/ copy; then autograde three submissions at once — the reference solution
(full marks), the untouched student notebook (zero) and a submission that hard-codes the visible
tests' answers (tests/cheats/<lab>.py; it must lose points on the hidden tests).
"""
import importlib.util
import json
import re
import shutil
from functools import lru_cache

import pytest

import course
from conftest import ROOT

LABS = course.lab_names()
CHEATS = ROOT / "tests" / "cheats"


def load_cheat(lab):
    spec = importlib.util.spec_from_file_location(f"cheat_{lab}", CHEATS / f"{lab}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CELLS


def cheating_submission(lab):
    nb = course.read(course.release_notebook(lab))
    cells = load_cheat(lab)
    answer_ids = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
                  if c["metadata"].get("nbgrader", {}).get("solution")}
    unknown = set(cells) - answer_ids
    assert not unknown, f"cheat for {lab} names cells that are not answer cells: {unknown}"
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell["source"] = cells[grade_id]
    return nb


@lru_cache(maxsize=None)
def graded(lab):
    """Generate and autograde ``lab`` once; returns (generated notebook, scores by student)."""
    scratch = course.ScratchCourse()
    try:
        generated = course.read(scratch.generate(lab))
        scratch.submit(lab, "reference", course.solution_notebook(lab))
        scratch.submit(lab, "untouched", course.release_notebook(lab))
        scratch.submit(lab, "cheater", cheating_submission(lab))
        return generated, scratch.autograde(lab)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)


def test_every_lab_has_a_release_and_a_cheat():
    assert LABS, "no labs found in solutions/"
    released = sorted(p.name for p in course.LABS.iterdir() if p.is_dir())
    assert released == LABS, "labs/ and solutions/ must hold the same labs"
    for lab in LABS:
        assert (CHEATS / f"{lab}.py").exists(), f"tests/cheats/{lab}.py is missing"


@pytest.mark.parametrize("lab", LABS)
def test_release_is_what_nbgrader_generates(lab):
    generated, _ = graded(lab)
    committed = course.read(course.release_notebook(lab))
    assert course.normalized_release(generated) == course.normalized_release(committed), (
        f"labs/{lab} is stale: run `python tools/course.py release {lab}`")


@pytest.mark.parametrize("lab", LABS)
def test_reference_solution_scores_full_marks(lab):
    score, max_score = graded(lab)[1]["reference"]
    assert max_score > 0 and score == max_score


@pytest.mark.parametrize("lab", LABS)
def test_untouched_student_notebook_scores_zero(lab):
    score, max_score = graded(lab)[1]["untouched"]
    assert max_score > 0 and score == 0


@pytest.mark.parametrize("lab", LABS)
def test_hard_coded_answers_lose_points_on_hidden_tests(lab):
    score, max_score = graded(lab)[1]["cheater"]
    assert 0 < score < max_score, f"cheat scored {score}/{max_score}: it should pass visible tests and fail hidden ones"


MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")


def solution_lines(nb):
    """Lines inside solution and hidden-test regions that appear nowhere else in the source."""
    inside, outside = set(), set()
    for cell in nb["cells"]:
        hidden = False
        for line in course.source(cell).splitlines():
            text = line.strip()
            if re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", text):
                hidden = "BEGIN" in text
                continue
            (inside if hidden else outside).add(text)
    return {line for line in inside - outside if len(line) >= 16 and not line.startswith("#")}


@pytest.mark.parametrize("lab", LABS)
def test_no_solution_or_hidden_test_reaches_labs(lab):
    released_text = "\n".join(course.source(c) for c in course.read(course.release_notebook(lab))["cells"])
    for marker in MARKERS:
        assert marker not in released_text, f"{marker!r} appears in labs/{lab}"
    leaked = sorted(l for l in solution_lines(course.read(course.solution_notebook(lab))) if l in released_text)
    assert not leaked, f"solution lines leaked into labs/{lab}: {leaked[:5]}"
    # Nothing else in the lab folder (data files are fine, notebooks other than the lab are not).
    extra = [p.name for p in course.release_notebook(lab).parent.glob("*.ipynb") if p.name != f"{lab}.ipynb"]
    assert not extra


@pytest.mark.parametrize("lab", LABS)
def test_lab_structure(lab):
    nb = course.read(course.solution_notebook(lab))
    tests = [c["metadata"]["nbgrader"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    points = sum(t["points"] for t in tests)
    assert 4 <= len(tests), f"{lab} has {len(tests)} graded parts; a lab has at least 4"
    assert 80 <= points <= 120, f"{lab} is worth {points} points; aim for about 100"
    assert answers, f"{lab} has no answer cells"
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids in {lab}"
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            assert "### BEGIN HIDDEN TESTS" in course.source(cell), f"{lab}:{meta['grade_id']} has no hidden tests"
