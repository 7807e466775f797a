"""Every notebook is stored clean, starts with the Colab cell, has a bilingual title,
and is listed (with its Colab link) in README's syllabus; every "Try it" exercise of a lecture has an answer."""
import json
import re

import pytest

import course
from aisys.colab import SETUP_CELL, colab_url
from conftest import ROOT

NOTEBOOKS = course.all_notebooks()
LECTURES = course.lecture_notebooks()
CJK = re.compile(r"[\u4e00-\u9fff]")

MAX_LINE = 300   # characters per stored line; markdown table rows (which cannot wrap) are exempt


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
    assert course.clean(nb) == nb, f"{rel(path)} is not in stored form: run `python tools/course.py clean`"
    text = path.read_text(encoding="utf-8")
    assert text == course.dumps(nb), f"{rel(path)} is not laid out as Jupyter writes it: run `python tools/course.py clean`"
    long = [i + 1 for i, line in enumerate(text.splitlines()) if len(line) > MAX_LINE and "|" not in line]
    assert not long, f"{rel(path)}: lines {long[:5]} are longer than {MAX_LINE} characters: wrap the text"


def test_a_notebook_saved_by_jupyter_changes_only_where_it_was_edited(tmp_path):
    """JupyterLab saves through nbformat; after `course.py clean` the file differs from the stored one only in the
    lines of the cell that was edited (no reflowed sources, reordered keys or new ids)."""
    import difflib
    import nbformat
    path = ROOT / "notebooks" / "02_hardware" / "01_compute_patterns.ipynb"
    stored = path.read_text(encoding="utf-8")
    nb = nbformat.reads(stored, as_version=nbformat.NO_CONVERT)
    assert nbformat.writes(nb) + "\n" == stored, "the stored form is not what nbformat writes"
    edited = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i > 3)
    last = nb.cells[edited].source.splitlines()[-1]
    nb.cells[edited].source += "\nprint('edited')"
    for i, cell in enumerate(nb.cells):            # what running and saving in JupyterLab adds
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-30T10:00:00.000000Z"}
        if cell.cell_type == "code":
            cell.execution_count = i
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="out\n")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}
    saved = tmp_path / path.name
    nbformat.write(nb, saved)
    cleaned = course.dumps(course.clean(course.read(saved)))
    changed = [l for l in difflib.unified_diff(stored.splitlines(), cleaned.splitlines(), lineterm="", n=0)
               if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    as_line = lambda s: "    " + json.dumps(s, ensure_ascii=False)
    assert changed == ["-" + as_line(last), "+" + as_line(last + "\n") + ",", "+" + as_line("print('edited')")], changed


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


SMALL_FONT = re.compile(r"\b(?:fontsize|labelsize)\s*=\s*(\d+(?:\.\d+)?)\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=rel)
def test_figure_text_is_at_least_8_points(path):
    """Annotations must stay legible when a figure is shown in a 1280-pixel-wide browser: no font below 8 pt."""
    small = [f"{m.group(0)} in cell {i}" for i, c in enumerate(course.read(path)["cells"]) if c["cell_type"] == "code"
             for m in SMALL_FONT.finditer(course.source(c)) if float(m.group(1)) < 8]
    assert not small, f"{rel(path)}: figure text smaller than 8 pt: {small}"


TRY_IT_HEADING = re.compile(r"^(#{1,6})\s*try it\b", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s")
EXERCISE = re.compile(r"^(?:(\d+)\.|\*\*(\d+)\.\*\*)\s")           # "1. ..." or "**1.** ..." at the start of a line
ANSWER = re.compile(r"<details>\s*<summary>\s*Answer\s*</summary>(.*?)</details>", re.IGNORECASE | re.DOTALL)


def try_it_sections(nb):
    """The text of each "Try it" section of a notebook: from its heading to the next heading of the same or a
    higher level, across markdown cells (code cells in between are skipped; so are '#' lines in ``` fences)."""
    sections, current, level = [], None, 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in course.source(cell).splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            heading = None if fenced else HEADING.match(line)
            if current is not None and heading and len(heading.group(1)) <= level:
                sections.append(current)
                current = None
            start = None if fenced else TRY_IT_HEADING.match(line)
            if start:
                current, level = [], len(start.group(1))
            elif current is not None:
                current.append(line)
    if current is not None:
        sections.append(current)
    return ["\n".join(lines) for lines in sections]


def exercises(section):
    """(number, text) of each numbered exercise in a Try-it section; an item's text runs to the next item."""
    lines = section.splitlines()
    starts = [(i, int(m.group(1) or m.group(2))) for i, line in enumerate(lines) if (m := EXERCISE.match(line))]
    return [(number, "\n".join(lines[i:end]))
            for (i, number), end in zip(starts, [s for s, _ in starts[1:]] + [len(lines)])]


@pytest.mark.parametrize("path", LECTURES, ids=rel)
def test_every_try_it_exercise_has_an_answer(path):
    """Each numbered "Try it" exercise of a lecture notebook is followed, before the next exercise, by a worked answer
    a student can reveal: <details><summary>Answer</summary> ... </details>."""
    sections = try_it_sections(course.read(path))
    assert sections, f"{rel(path)} has no '## Try it' section"
    for section in sections:
        items = exercises(section)
        numbers = [number for number, _ in items]
        assert numbers, f"{rel(path)}: a 'Try it' section has no numbered exercises ('1. ...' or '**1.** ...')"
        assert numbers == list(range(1, len(numbers) + 1)), (
            f"{rel(path)}: Try-it exercises are numbered {numbers}; expected 1..{len(numbers)} "
            "(an answer line starting with 'N. ' at the left margin reads as a new exercise: indent it)")
        for number, text in items:
            first = text.splitlines()[0][:80]
            answer = ANSWER.search(text)
            assert answer, (f"{rel(path)}: Try-it exercise {number} ({first!r}) has no answer: add "
                            "<details><summary>Answer</summary> ... </details> under it, in the same cell")
            assert len(answer.group(1).split()) >= 10, (
                f"{rel(path)}: the answer to Try-it exercise {number} ({first!r}) is empty or a stub")


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
