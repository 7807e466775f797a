"""INSTRUCTORS.md's commands, run verbatim and in order on a synthetic class that includes bad submissions:
correct, blank, invalid JSON, an infinite loop, edited test cells, a deleted test cell, one that raises on
import, one that tampers with the grader, a zip named after the student, a misnamed file, a student who
submitted nothing, a submission from an id that is not on the roster, and a student on the exchange. Grading
must finish, every grade must be right, each bad submission must get a clear reason, nothing may be lost, the
parallel grader must give exactly the serial grades, and the feedback must hide the hidden tests."""
import csv
import getpass
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import course
from conftest import ROOT

LAB = "lab01_roofline"
pytestmark = pytest.mark.skipif(LAB not in course.lab_names(), reason=f"{LAB} not in the course")
# The course allows 120 s per cell; the test uses a shorter limit so the looping student costs less.
CELL_TIMEOUT = "--IsolatedExecute.timeout=30"
EXCHANGE_IN_GUIDE = "/srv/nbgrader/exchange"


def steps():
    text = (ROOT / "INSTRUCTORS.md").read_text()
    found = dict(re.findall(r"<!-- step: ([\w-]+) -->\s*```bash\n(.+?)\n\s*```", text, re.S))
    assert set(found) == {"student-edition", "exchange", "setup", "release", "student-fetch-submit",
                          "exchange-collect", "collect", "autograde", "feedback", "student-feedback", "export"}, sorted(found)
    return {name: [line.strip() for line in block.splitlines() if line.strip()] for name, block in found.items()}


def run(line, cwd, env, exchange, check=True):
    line = line.replace(EXCHANGE_IN_GUIDE, str(exchange))
    argv = line.split()
    if argv[0] == "nbgrader":
        argv = [sys.executable, "-m", "nbgrader", *argv[1:]]
    elif argv[0] == "python":
        argv[0] = sys.executable
        if argv[1:3] == ["tools/course.py", "autograde"]:
            argv += ["--", CELL_TIMEOUT]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    if check:
        assert done.returncode == 0, f"{line} failed:\n{done.stdout}\n{done.stderr}"
    return done


def strip_markers(text):
    return "\n".join(l for l in text.splitlines() if not re.search(r"### (BEGIN|END) SOLUTION", l))


def synthetic_class(release, solution):
    """{student: notebook text} for the LMS download."""
    answers = {c["metadata"]["nbgrader"]["grade_id"]: strip_markers(course.source(c)) for c in solution["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}

    def notebook(answer=lambda grade_id, text: answers[grade_id]):
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell["source"] = answer(grade_id, course.source(cell))
        return nb

    first = next(iter(answers))
    correct = notebook()
    blank = notebook(lambda g, text: text)
    looping = notebook(lambda g, text: "while True:\n    pass\n" + answers[g] if g == first else answers[g])
    raising = notebook(lambda g, text: "import numpy.not_a_real_module_xyz\n" + answers[g] if g == first else answers[g])
    tamper = notebook(lambda g, text: text)
    tamper["cells"].insert(3, {"cell_type": "code", "execution_count": None, "id": "tamper", "metadata": {},
                               "outputs": [], "source": "get_ipython().input_transformers_cleanup.append(lambda l: ['pass'])"})
    edited = notebook(lambda g, text: text)
    for cell in edited["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = "assert True  # tests replaced by the student"
    deleted = notebook()
    last_test = [c for c in deleted["cells"] if c["metadata"].get("nbgrader", {}).get("grade")][-1]
    deleted["cells"].remove(last_test)
    class_ = {"correct": correct, "blank": blank, "looping": looping, "raising": raising, "tamper": tamper,
              "edited": edited, "deleter": deleted, "zippy": correct, "mallory": correct}
    texts = {student: json.dumps(nb, indent=1) for student, nb in class_.items()}
    texts["badjson"] = json.dumps(correct, indent=1)[: 200]  # a truncated upload
    return texts


def gradebook_scores(db):
    """Every (student, cell, auto score) in a gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{db}") as gb:
        return sorted((sub.student.id, grade.name, grade.auto_score) for sub in gb.assignment_submissions(LAB)
                      for nb in sub.notebooks for grade in nb.grades)


def test_instructor_workflow(tmp_path):
    commands = steps()
    root, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "student_home"
    for folder in (root, home):
        folder.mkdir()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter")}
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("tools", f"solutions/{LAB}", f"labs/{LAB}"):
        shutil.copytree(ROOT / folder, root / folder)
    texts = synthetic_class(course.read(course.release_notebook(LAB)), course.read(course.solution_notebook(LAB)))
    lms = sorted(set(texts) - {"zippy", "mallory"})
    exchange_student = getpass.getuser()
    with open(root / "students.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for student in [*lms, "zippy", "misnamed", "absent", exchange_student]:
            writer.writerow([student, student.title(), "Student", f"{student}@example.edu"])

    for line in commands["exchange"]:
        run(line, root, env, exchange)
    assert (exchange.stat().st_mode & 0o1777) == 0o1777
    for line in commands["setup"] + commands["release"]:
        run(line, root, env, exchange)
    assert (exchange / "aisys-labs" / "outbound" / LAB / f"{LAB}.ipynb").exists()
    released = course.read(root / "labs" / LAB / f"{LAB}.ipynb")
    assert course.normalized_release(released) == course.normalized_release(course.read(course.release_notebook(LAB)))

    # The exchange path: a student (whoever runs the test) fetches and submits untouched; collect brings it in.
    for line in commands["student-fetch-submit"]:
        run(line, home, env, exchange)
    for line in commands["exchange-collect"]:
        run(line, root, env, exchange)
    assert (root / "submitted" / exchange_student / LAB / f"{LAB}.ipynb").exists()

    # The LMS path: notebooks, a zip named after the student, a misnamed file, and an id not on the roster.
    archive = root / "downloaded" / LAB / "archive"
    archive.mkdir(parents=True)
    for student in lms + ["mallory"]:
        (archive / f"{student}_{LAB}.ipynb").write_text(texts[student])
    with zipfile.ZipFile(archive / f"zippy_{LAB}.zip", "w") as z:
        z.writestr(f"{LAB}.ipynb", texts["zippy"])
    (archive / "misnamed_lab1_roofline.ipynb").write_text(texts["correct"])
    for line in commands["collect"]:
        run(line, root, env, exchange)
    for student in lms + ["zippy", "mallory"]:
        assert (root / "submitted" / student / LAB / f"{LAB}.ipynb").exists(), f"{student} was not collected"
    assert not (root / "submitted" / "misnamed").exists()

    autograde, report = commands["autograde"]
    done = run(autograde, root, env, exchange, check=False)
    assert done.returncode == 1 and "badjson" in done.stdout + done.stderr  # one bad file; the rest graded
    run(report, root, env, exchange)
    rows = {r["student"]: r for r in csv.DictReader(open(root / "reports" / f"{LAB}.csv"))}
    score = {s: float(r["score"]) for s, r in rows.items() if r["status"] != "SKIPPED FILES"}
    reasons = {s: r["reasons"] for s, r in rows.items()}
    full = float(rows["correct"]["max_score"])

    assert score["correct"] == full and reasons["correct"] == "", reasons["correct"]
    assert score["zippy"] == full and reasons["zippy"] == ""
    assert score["blank"] == 0 and "NotImplementedError" in reasons["blank"]
    assert score["badjson"] == 0 and rows["badjson"]["status"] == "NOT GRADED"
    assert "not a valid notebook" in reasons["badjson"]
    assert 0 < score["looping"] < full and "time limit" in reasons["looping"]
    assert 0 < score["raising"] < full and "ModuleNotFoundError" in reasons["raising"]
    assert score["edited"] == 0 and "was edited (restored before grading)" in reasons["edited"]
    assert score["deleter"] == full and "was deleted (restored before grading)" in reasons["deleter"]
    assert score["tamper"] == 0 and "tampering: uses get_ipython" in reasons["tamper"]
    assert score["mallory"] == full and "not on the roster" in reasons["mallory"]
    assert rows["absent"]["status"] == "NO SUBMISSION" and reasons["absent"] == "no submission collected"
    assert rows["misnamed"]["status"] == "NO SUBMISSION" and "misnamed_lab1_roofline.ipynb" in reasons["misnamed"]
    assert score[exchange_student] == 0   # the untouched notebook submitted through the exchange
    isolated = {r["isolation"][:8] for s, r in rows.items() if r["status"] == "graded"}
    assert isolated in ({"isolated"}, {"NOT ISOL"}), isolated
    for student, text in texts.items():  # nothing lost: every submission is still there, unchanged
        if student != "zippy":
            assert (root / "submitted" / student / LAB / f"{LAB}.ipynb").read_text() == text

    # The parallel grades are exactly what nbgrader's own serial autograde gives.
    serial = tmp_path / "serial"
    shutil.copytree(root, serial, ignore=shutil.ignore_patterns("autograded", "reports"))
    (serial / "nbgrader_config.py").write_text((root / "nbgrader_config.py").read_text())
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", LAB, "--force", CELL_TIMEOUT], cwd=serial,
                   env=env, capture_output=True, timeout=1200)
    assert gradebook_scores(serial / "gradebook.db") == gradebook_scores(root / "gradebook.db")

    for line in commands["feedback"]:
        run(line, root, env, exchange, check=False)  # exits 1 because badjson has nothing to give feedback on
    graded = set(texts) - {"badjson"} | {exchange_student}
    hidden = [line.strip() for line in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                                                   "\n".join(course.source(c) for c in course.read(
                                                       course.solution_notebook(LAB))["cells"]), re.S)
              for line in line.splitlines() if len(line.strip()) > 20 and not line.strip().startswith("#")]
    for student in graded:
        page = (root / "feedback" / student / LAB / f"{LAB}.html").read_text()
        assert "hidden tests run here" in page and not any(h in page for h in hidden), student
    for line in commands["student-feedback"]:
        run(line, home, env, exchange)
    assert list(home.glob(f"{LAB}/feedback/*/{LAB}.html")), "fetch_feedback brought nothing back"

    for line in commands["export"]:
        run(line, root, env, exchange)
    exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(root / "grades.csv")) if r["assignment"] == LAB}
    assert exported == score


def test_student_edition_has_no_solution_hidden_test_or_cheat(tmp_path):
    [line] = steps()["student-edition"]
    out = tmp_path / "edition"
    run(line.replace("../aisys-labs-student", str(out)), ROOT, dict(os.environ), tmp_path)
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.relative_to(out).parts[0] for p in files}
    assert names == {"notebooks", "labs", "aisys", "data", "README.md", "requirements.txt", "environment.yml",
                     "pyproject.toml"}, names
    text = "\n".join(p.read_text(errors="replace") for p in files if p.suffix in (".py", ".md", ".ipynb", ".txt", ".yml", ".toml", ".csv"))
    # Compared as whole lines, in what the edition adds to the public code: its lab notebooks and its documents.
    # Lines every student sees anyway in some lab's release (a seeded generator, an import) are no secret of any one
    # lab. The lecture notebooks, aisys and data scripts share idioms with the labs (an fx graph edit, a training
    # loop); whether a lecture solves a graded part is checked by tests/test_hygiene.py (lecture functions shaped
    # like lab answers) and by each lab's lazy_lecture cheat.
    lines = {line.strip() for p in files if p.suffix == ".md" for line in p.read_text().splitlines()}
    lines |= {line.strip() for p in (out / "labs").rglob("*.ipynb")
              for c in course.read(p)["cells"] for line in course.source(c).splitlines()}
    public = {line.strip() for lab in course.lab_names()
              for c in course.read(course.release_notebook(lab))["cells"] for line in course.source(c).splitlines()}
    for lab in course.lab_names():
        source = course.read(course.solution_notebook(lab))
        secret = set()
        for cell in source["cells"]:
            hidden = False
            for line in course.source(cell).splitlines():
                if re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", line):
                    hidden = "BEGIN" in line
                    continue
                if hidden and len(line.strip()) >= 24 and not line.strip().startswith("#"):
                    secret.add(line.strip())
        leaked = sorted(secret & lines - public)
        assert not leaked, f"{lab}: solution or hidden-test lines in the student edition: {leaked[:3]}"
    notebooks = "\n".join(p.read_text() for p in out.rglob("*.ipynb"))   # aisys/grading names the markers it strips
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
        assert marker not in notebooks
    from aisys import colab
    assert colab.STUDENT_REPO in (out / "README.md").read_text()
    first = course.read(out / "labs" / LAB / f"{LAB}.ipynb")["cells"][0]
    assert colab.STUDENT_REPO in course.source(first) and f"\"{colab.REPO_URL}\"" not in course.source(first)
