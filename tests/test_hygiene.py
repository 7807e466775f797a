"""Every notebook is stored clean, starts with the Colab cell, has a bilingual title,
and is listed (with its Colab link) in README's syllabus."""
import re

import pytest

import course
from aisys.colab import SETUP_CELL, colab_url
from conftest import ROOT

NOTEBOOKS = course.all_notebooks()
LECTURES = course.lecture_notebooks()
CJK = re.compile(r"[\u4e00-\u9fff]")


def rel(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_stored_clean(path):
    nb = course.read(path)
    assert nb["nbformat"] == 4
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, (
                f"{rel(path)} holds outputs: clear them (tools.course.clean)")
        assert set(cell.get("metadata", {})) <= set(course.CELL_METADATA_KEYS), (
            f"{rel(path)}: cell metadata {sorted(cell['metadata'])} beyond {course.CELL_METADATA_KEYS}")
    assert set(nb["metadata"]) <= set(course.NOTEBOOK_METADATA_KEYS), f"{rel(path)}: notebook metadata {sorted(nb['metadata'])}"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    as_text = {**nb, "cells": [{**c, "source": course.source(c)} for c in nb["cells"]]}
    assert course.clean(nb) == as_text, f"{rel(path)} is not in stored form: run tools.course.clean on it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_starts_with_colab_setup_and_bilingual_title(path):
    cells = course.read(path)["cells"]
    assert course.source(cells[0]) == SETUP_CELL, f"{rel(path)}: run `python tools/course.py stamp`"
    title = next(course.source(c) for c in cells if c["cell_type"] == "markdown").splitlines()[0]
    assert title.startswith("# ") and CJK.search(title) and re.search(r"[A-Za-z]{3}", title), (
        f"{rel(path)}: the first markdown line must be a '# ' title in English and Chinese, got {title!r}")


@pytest.mark.parametrize("path", LECTURES, ids=rel)
def test_lecture_notebook_layout(path):
    assert re.fullmatch(r"notebooks/0[1-6]_[a-z]+/\d\d_[a-z0-9_]+\.ipynb", rel(path))
    nb = course.read(path)
    assert not any("nbgrader" in c["metadata"] for c in nb["cells"]), "lecture notebooks are not graded"
    text = "\n".join(course.source(c) for c in nb["cells"] if c["cell_type"] == "markdown").lower()
    for part in ("try it", "takeaway", "further reading", "chenzomi12/"):
        assert part in text, f"{rel(path)} lacks a {part!r} section"


def test_readme_syllabus_lists_every_notebook_and_lab_with_colab_links():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- syllabus:start -->")[1].split("<!-- syllabus:end -->")[0]
    assert block.strip() == course.syllabus_table().strip(), "README syllabus is stale: run `python tools/course.py readme`"
    for path in LECTURES + [course.release_notebook(l) for l in course.lab_names()]:
        assert rel(path) in block and colab_url(rel(path)) in block, f"{rel(path)} missing from README's syllabus"


# ---------------------------------------------------------------------------------------- lectures vs labs
def _functions(source):
    """Top-level and nested function definitions of one cell's source, as syntax trees (unparsable cells: none)."""
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


def _shape(function):
    """The function's structure with its own names erased: node kinds, attribute names and constants, in order.
    Two functions that differ only in variable names (or a docstring) have the same shape."""
    import ast
    body = function.body[1:] if (function.body and isinstance(function.body[0], ast.Expr)
                                 and isinstance(getattr(function.body[0], "value", None), ast.Constant)) else function.body
    tokens = []
    for statement in body:
        for node in ast.walk(statement):
            tokens.append(type(node).__name__)
            if isinstance(node, ast.Attribute):
                tokens.append(node.attr)
            elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
                tokens.append(repr(node.value))
    return tokens


def _answers(lab):
    nb = course.read(course.solution_notebook(lab))
    found = []
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            for function in _functions(course.source(cell)):
                shape = _shape(function)
                if len(shape) >= 40:          # a real piece of work, not a one-liner
                    found.append((function.name, shape))
    return found


def test_lecture_notebooks_do_not_hand_out_lab_answers():
    """No lecture notebook defines a function shaped like a lab's reference answer (same structure up to renamed
    variables): a student could paste it into the lab. Lecture code may teach the same idea, written differently.
    (A guard against copies; the parts a lecture came close to solving also have a lazy_lecture cheat that pastes
    the lecture's code into the lab and must lose those parts.)"""
    import difflib
    answers = {lab: _answers(lab) for lab in course.lab_names()}
    close = []
    for path in LECTURES:
        for cell in course.read(path)["cells"]:
            if cell["cell_type"] != "code":
                continue
            for function in _functions(course.source(cell)):
                shape = _shape(function)
                if len(shape) < 40:
                    continue
                for lab, functions in answers.items():
                    for name, answer in functions:
                        ratio = difflib.SequenceMatcher(None, shape, answer, autojunk=False).ratio()
                        if ratio >= 0.85:
                            close.append(f"{rel(path)}:{function.name} ~ {lab}:{name} ({ratio:.2f})")
    assert not close, "lecture functions shaped like lab answers: " + "; ".join(close)
