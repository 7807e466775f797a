"""nbgrader round trip for every lab, and the grading contract.

For each lab, one scratch course: regenerate the student notebook from solutions/ and compare it with the
committed labs/ copy; then autograde a whole class at once with the course's own nbgrader configuration
(isolated kernels, rebuilt notebooks, reviewed cells):

- ``reference``: the solution notebook -- full marks;
- ``untouched``: the student notebook as released -- zero;
- ``attacks``: the untouched notebook plus one added cell per harness attack (tests/cheats/attacks.py) -- zero,
  and the report names the tampering;
- ``always-equal``: every answer returns an object equal to everything (tests/cheats/always_equal.py) -- zero;
- every submission in ``tests/cheats/<lab>/``: hard-coded visible answers (must lose hidden-test points), lazy
  solutions that skip what a part teaches (must lose that part), correct alternatives (must get full marks).

A cheat file sets ``CELLS = {grade_id: source}`` (answer cells to replace), optionally ``ADDED`` (cells added
just before the first answer cell, where a student adds scratch cells after the set-up), ``BASE`` ("release": other answers stay unanswered; "reference": they are the
reference solution's), and what grading must give: ``EXPECT`` ("full", "zero" or "partial": 0 < score < full)
and/or ``FAIL`` (the test cells that must score 0; every other test cell must score full).
"""
import contextlib
import html
import importlib.util
import io
import json
import os
import re
import shutil
from functools import lru_cache

import pytest

import course
from conftest import ROOT

LABS = course.lab_names()
CHEATS = ROOT / "tests" / "cheats"
ATTACK_SPEC = CHEATS / "attacks.py"
PROBE_SPEC = CHEATS / "always_equal.py"


def load_module(path):
    spec = importlib.util.spec_from_file_location(f"cheat_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cheat_files(lab):
    return sorted((CHEATS / lab).glob("*.py"))


def strip_solution_markers(text):
    return "\n".join(l for l in text.splitlines() if not re.search(r"### (BEGIN|END) SOLUTION", l))


def build(lab, spec) -> dict:
    """The submission a cheat module describes."""
    release = course.read(course.release_notebook(lab))
    solution = course.read(course.solution_notebook(lab))
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c for c in release["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    cells = spec.cells(lab, release) if hasattr(spec, "cells") else dict(getattr(spec, "CELLS", {}))
    unknown = set(cells) - set(answers)
    assert not unknown, f"{spec.__name__} names cells that are not answer cells of {lab}: {unknown}"
    if getattr(spec, "BASE", "release") == "reference":
        for cell in solution["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers and grade_id not in cells:
                cells[grade_id] = strip_solution_markers(course.source(cell))
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell["source"] = cells[grade_id]
    added = spec.added_cells(lab, release) if hasattr(spec, "added_cells") else list(getattr(spec, "ADDED", []))
    first_answer = next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("solution"))
    for offset, source in enumerate(added):
        nb["cells"].insert(first_answer + offset, {"cell_type": "code", "execution_count": None, "metadata": {},
                                                 "id": f"added-{offset}",
                                                 "outputs": [], "source": source})
    return nb


def submissions(lab) -> dict:
    """{student id: (spec module or None, notebook)} for the whole synthetic class of ``lab``."""
    class_ = {"reference": (None, course.read(course.solution_notebook(lab))),
              "untouched": (None, course.read(course.release_notebook(lab)))}
    for name, path in (("attacks", ATTACK_SPEC), ("always-equal", PROBE_SPEC)):
        spec = load_module(path)
        class_[name] = (spec, build(lab, spec))
    for path in cheat_files(lab):
        spec = load_module(path)
        class_[path.stem.replace("_", "-")] = (spec, build(lab, spec))
    return class_


@lru_cache(maxsize=None)
def graded(lab):
    """Generate and autograde ``lab`` once for the whole class; returns (generated notebook, {student: {
    "total": (score, max), "cells": {grade_id: (score, max)}, "report": row, "outputs": text of all outputs}})."""
    from nbgrader.api import Gradebook
    scratch = course.ScratchCourse()
    try:
        generated = course.read(scratch.generate(lab))
        class_ = submissions(lab)
        for student, (_, nb) in class_.items():
            scratch.submit(lab, student, nb)
        # A whole class of a big lab takes longer than nbgrader()'s default limit on a loaded 2-core machine (lab14's
        # 34 submissions: more than 30 min); CI's own time limit bounds the run.
        scratch.nbgrader("autograde", lab, "--create", "--force", check=False, timeout=4 * 3600)
        scratch.nbgrader("generate_feedback", lab, "--force", check=False, timeout=3600)
        rows = {row["student"]: row for row in course.grading_report(lab, scratch.root)}
        results = {}
        with Gradebook(f"sqlite:///{scratch.root / 'gradebook.db'}") as gb:
            for student in class_:
                nb = gb.find_submission_notebook(lab, lab, student)
                autograded = scratch.root / "autograded" / student / lab / f"{lab}.ipynb"
                text = autograded.read_text() if autograded.exists() else ""
                feedback = scratch.root / "feedback" / student / lab / f"{lab}.html"
                results[student] = {
                    "total": (nb.score, nb.max_score),
                    "cells": {g.name: (g.score, g.max_score) for g in nb.grades if g.cell_type == "code"},
                    "report": rows[student], "outputs": text,
                    "submitted": " ".join(" ".join(course.source(c).split()) for c in class_[student][1]["cells"]
                                          if not c["metadata"].get("nbgrader", {}).get("grade")),
                    "feedback": feedback.read_text() if feedback.exists() else None}
        return generated, results
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)


def test_every_lab_has_a_release_and_cheats():
    assert LABS, "no labs found in solutions/"
    released = sorted(p.name for p in course.LABS.iterdir() if p.is_dir())
    assert released == LABS, "labs/ and solutions/ must hold the same labs"
    for lab in LABS:
        assert (CHEATS / lab / "hardcoded.py").exists(), f"tests/cheats/{lab}/hardcoded.py is missing"


@pytest.mark.parametrize("lab", LABS)
def test_release_is_what_nbgrader_generates(lab):
    generated, _ = graded(lab)
    committed = course.read(course.release_notebook(lab))
    assert course.normalized_release(generated) == course.normalized_release(committed), (
        f"labs/{lab} is stale: run `python tools/course.py release {lab}`")


@pytest.mark.parametrize("lab", LABS)
def test_reference_solution_scores_full_marks(lab):
    result = graded(lab)[1]["reference"]
    score, max_score = result["total"]
    assert max_score > 0 and score == max_score, result["report"]["reasons"]
    assert not result["report"]["reasons"], f"the reference solution must grade cleanly: {result['report']['reasons']}"


@pytest.mark.parametrize("lab", LABS)
def test_untouched_student_notebook_scores_zero(lab):
    score, max_score = graded(lab)[1]["untouched"]["total"]
    assert max_score > 0 and score == 0


@pytest.mark.parametrize("lab", LABS)
def test_harness_attacks_gain_nothing_and_are_reported(lab):
    result = graded(lab)[1]["attacks"]
    score, _ = result["total"]
    assert score == 0, f"the attacks earned {score} points: {result['report']['reasons']}"
    reasons = result["report"]["reasons"]
    for fragment in load_module(ATTACK_SPEC).REPORT:
        assert fragment in reasons, f"the report does not say {fragment!r}: {reasons}"


@pytest.mark.parametrize("lab", LABS)
def test_answers_equal_to_everything_score_zero(lab):
    result = graded(lab)[1]["always-equal"]
    assert result["total"][0] == 0, (f"answers returning an object equal to everything earned "
                                     f"{result['total'][0]} points: {result['cells']}")


@pytest.mark.parametrize("lab", LABS)
def test_isolated_kernel_sees_no_gradebook_or_solutions(lab):
    result = graded(lab)[1]["attacks"]
    if not result["report"]["isolation"].startswith("isolated"):
        if os.environ.get("AISYS_REQUIRE_ISOLATION"):
            pytest.fail(f"AISYS_REQUIRE_ISOLATION is set but grading was not isolated: {result['report']['isolation']}")
        pytest.skip(f"grading here is not isolated: {result['report']['isolation']}")
    assert "PROBE visible: []" in result["outputs"], "the grading kernel could see course files"
    assert "PROBE wrote gradebook: no" in result["outputs"]


def cheat_cases():
    return [(lab, path.stem.replace("_", "-")) for lab in LABS for path in cheat_files(lab)]


@pytest.mark.parametrize("lab,student", cheat_cases())
def test_cheats_and_alternatives_grade_as_expected(lab, student):
    spec, _ = submissions(lab)[student]
    result = graded(lab)[1][student]
    score, max_score = result["total"]
    reasons = result["report"]["reasons"]
    expect = getattr(spec, "EXPECT", None)
    if expect == "full":
        assert score == max_score, f"{student} ({spec.KIND}) scored {score}/{max_score}: {reasons}"
    elif expect == "zero":
        assert score == 0, f"{student} ({spec.KIND}) scored {score}/{max_score}: {reasons}"
    elif expect == "partial":
        assert 0 < score < max_score, f"{student} ({spec.KIND}) scored {score}/{max_score}: {reasons}"
    fail = set(getattr(spec, "FAIL", ()))
    if fail:
        unknown = fail - set(result["cells"])
        assert not unknown, f"{student}: FAIL names cells that are not test cells: {unknown}"
        for grade_id, (cell_score, cell_max) in result["cells"].items():
            if cell_max == 0:
                continue
            if grade_id in fail:
                assert cell_score == 0, f"{student} ({spec.KIND}) kept the points of {grade_id}: {reasons}"
            else:
                assert cell_score == cell_max, f"{student} ({spec.KIND}) lost the points of {grade_id}: {reasons}"
    for fragment in getattr(spec, "REPORT", ()):
        assert fragment in reasons, f"{student}: the report does not say {fragment!r}: {reasons}"


def page_text(html_page: str) -> str:
    """The text a reader of an HTML page sees, whitespace collapsed."""
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html_page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def hidden_test_lines(nb) -> set:
    """Lines of hidden-test regions that say something (not blank, not a comment, not a bare keyword)."""
    lines, visible = set(), set()
    for cell in nb["cells"]:
        hidden = False
        for line in course.source(cell).splitlines():
            if "### BEGIN HIDDEN TESTS" in line or "### END HIDDEN TESTS" in line:
                hidden = "BEGIN" in line
                continue
            text = " ".join(line.split())
            (lines if hidden else visible).add(text)
    return {l for l in lines - visible if len(l) >= 12 and not l.startswith("#")}


@pytest.mark.parametrize("lab", LABS)
def test_feedback_shows_points_and_visible_tests_but_no_hidden_test(lab):
    hidden = hidden_test_lines(course.read(course.solution_notebook(lab)))
    assert hidden, f"{lab} has no hidden test lines?"
    for student in ("reference", "hardcoded"):
        result = graded(lab)[1][student]
        assert result["feedback"], f"no feedback was generated for {student}"
        text = page_text(result["feedback"])
        shown = sorted(line for line in hidden if line in text and line not in result["submitted"])
        assert not shown, f"feedback for {student} shows hidden-test lines: {shown[:3]}"
        score, max_score = result["total"]
        assert f"{score:g} / {max_score:g}" in text or f"{score} / {max_score}" in text, \
            f"feedback for {student} does not show the score {score} / {max_score}"
        assert "hidden tests run here" in text


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
    # Whole lines: the spec may name what to write (`engine.decode(running)`) inside a sentence.
    released_lines = {line.strip() for line in released_text.splitlines()}
    leaked = sorted(solution_lines(course.read(course.solution_notebook(lab))) & released_lines)
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
        if cell["cell_type"] == "code":
            assert meta, (f"{lab}: every code cell must be an answer, a test or a read-only instructor cell "
                          f"(run `python tools/course.py lock {lab}`): {course.source(cell)[:60]!r}")


@pytest.mark.parametrize("lab", LABS)
def test_self_check_summary_matches_the_grade_and_hides_hidden_tests(lab):
    """`python tools/course.py check` prints classroom.summarize of the autograded notebook: the same points as the
    gradebook, and no hidden-test line."""
    import classroom
    hidden = hidden_test_lines(course.read(course.solution_notebook(lab)))
    for student in ("reference", "untouched", "hardcoded"):
        result = graded(lab)[1][student]
        summary = classroom.summarize(json.loads(result["outputs"]))
        assert (summary["score"], summary["max_score"]) == result["total"], (student, summary)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            classroom.print_check({**summary, "lab": lab})
        text = " ".join(printed.getvalue().split())
        shown = [line for line in hidden if line in text and line not in result["submitted"]]
        assert not shown, f"the self-check of {student} prints hidden-test lines: {shown[:3]}"
