"""INSTRUCTORS.md's commands, run in order on a synthetic class that includes bad submissions:
a correct one, a blank one, invalid JSON, an infinite loop, edited test cells, a deleted test cell,
and one that raises on import. Grading must finish, every grade must be right, each bad submission
must get a clear reason, and nothing may be lost."""
import csv
import getpass
import json
import re
import shutil
import subprocess
import sys

import pytest

import course
from conftest import ROOT

LAB = "lab01_roofline"
pytestmark = pytest.mark.skipif(LAB not in course.lab_names(), reason=f"{LAB} not in the course")
# The course allows 120 s per cell; the test uses a shorter limit so the looping student costs less.
CELL_TIMEOUT = "--Execute.timeout=30"


def steps():
    text = (ROOT / "INSTRUCTORS.md").read_text()
    found = dict(re.findall(r"<!-- step: ([\w-]+) -->\s*```bash\n(.+?)\n```", text, re.S))
    assert set(found) == {"setup", "release", "exchange-release", "collect", "exchange-collect",
                          "autograde", "feedback", "export"}, sorted(found)
    return {name: block.splitlines() for name, block in found.items()}


def run(line, cwd, exchange, check=True):
    line = line.replace("/srv/nbgrader/exchange", str(exchange))
    argv = line.split()
    if argv[0] == "nbgrader":
        argv = [sys.executable, "-m", "nbgrader", *argv[1:]]
        if argv[3] == "autograde":
            argv.append(CELL_TIMEOUT)
    elif argv[0] == "python":
        argv[0] = sys.executable
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900)
    if check:
        assert done.returncode == 0, f"{line} failed:\n{done.stdout}\n{done.stderr}"
    return done


def strip_markers(text):
    return "\n".join(l for l in text.splitlines() if not re.search(r"### (BEGIN|END) SOLUTION", l))


def synthetic_class(release, solution):
    """{student: notebook text} and the points of the test cell the 'deleter' removes."""
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
    raising = notebook(lambda g, text: "import not_a_real_module_xyz\n" + answers[g] if g == first else answers[g])
    edited = notebook(lambda g, text: text)
    for cell in edited["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = "assert True  # tests replaced by the student"
    deleted = notebook()
    last_test = [c for c in deleted["cells"] if c["metadata"].get("nbgrader", {}).get("grade")][-1]
    deleted["cells"].remove(last_test)
    class_ = {"correct": correct, "blank": blank, "looping": looping, "raising": raising,
              "edited": edited, "deleter": deleted}
    texts = {student: json.dumps(nb, indent=1) for student, nb in class_.items()}
    texts["badjson"] = json.dumps(correct, indent=1)[: 200]  # a truncated upload
    return texts, last_test["metadata"]["nbgrader"]["points"]


def test_instructor_workflow_survives_bad_submissions(tmp_path):
    commands = steps()
    root, exchange = tmp_path / "course", tmp_path / "exchange"
    root.mkdir()
    exchange.mkdir(mode=0o777)
    for name in ("nbgrader_config.py",):
        shutil.copy(ROOT / name, root / name)
    for folder in ("tools", f"solutions/{LAB}", f"labs/{LAB}"):
        shutil.copytree(ROOT / folder, root / folder)
    texts, _ = synthetic_class(course.read(course.release_notebook(LAB)), course.read(course.solution_notebook(LAB)))
    with open(root / "students.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for student in [*texts, "absent", getpass.getuser()]:
            writer.writerow([student, student.title(), "Student", f"{student}@example.edu"])

    for line in commands["setup"] + commands["release"] + commands["exchange-release"]:
        run(line, root, exchange)
    assert (exchange / "aisys-labs" / "outbound" / LAB / f"{LAB}.ipynb").exists()
    released = course.read(root / "labs" / LAB / f"{LAB}.ipynb")
    assert course.normalized_release(released) == course.normalized_release(course.read(course.release_notebook(LAB)))

    archive = root / "downloaded" / LAB / "archive"
    archive.mkdir(parents=True)
    for student, text in texts.items():
        (archive / f"{student}_{LAB}.ipynb").write_text(text)
    for line in commands["collect"]:
        run(line, root, exchange)
    for student in texts:
        assert (root / "submitted" / student / LAB / f"{LAB}.ipynb").exists(), f"{student} was not collected"
    # The exchange path: a student (whoever runs the test) fetches and submits untouched; collect brings it in.
    home = tmp_path / "student_home"
    home.mkdir()
    for action in ("fetch_assignment", "submit"):
        run(f"nbgrader {action} {LAB} --course aisys-labs --Exchange.root={exchange}", home, exchange)
    for line in commands["exchange-collect"]:
        run(line, root, exchange)
    assert (root / "submitted" / getpass.getuser() / LAB / f"{LAB}.ipynb").exists()

    autograde, report = commands["autograde"]
    done = run(autograde, root, exchange, check=False)
    assert done.returncode == 1 and "badjson" in done.stdout + done.stderr  # one bad file; the rest graded
    run(report, root, exchange)
    rows = {r["student"]: r for r in csv.DictReader(open(root / "reports" / f"{LAB}.csv"))}
    score = {s: float(r["score"]) for s, r in rows.items()}
    full = float(rows["correct"]["max_score"])

    assert score["correct"] == full and rows["correct"]["reasons"] == ""
    assert score["blank"] == 0 and "NotImplementedError" in rows["blank"]["reasons"]
    assert score["badjson"] == 0 and rows["badjson"]["status"] == "NOT GRADED"
    assert "not a valid notebook" in rows["badjson"]["reasons"]
    assert 0 < score["looping"] < full and "time limit" in rows["looping"]["reasons"]
    assert 0 < score["raising"] < full and "ModuleNotFoundError" in rows["raising"]["reasons"]
    assert score["edited"] == 0 and "was edited (restored before grading)" in rows["edited"]["reasons"]
    assert score["deleter"] == full and "was deleted (restored before grading)" in rows["deleter"]["reasons"]
    for student, text in texts.items():  # nothing lost: every submission is still there, unchanged
        assert (root / "submitted" / student / LAB / f"{LAB}.ipynb").read_text() == text

    for line in commands["feedback"]:
        run(line, root, exchange, check=False)  # exits 1 because badjson has nothing to give feedback on
    for student in set(texts) - {"badjson"}:
        assert (root / "feedback" / student / LAB / f"{LAB}.html").exists(), f"no feedback for {student}"

    for line in commands["export"]:
        run(line, root, exchange)
    exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(root / "grades.csv")) if r["assignment"] == LAB}
    assert score[getpass.getuser()] == 0  # the untouched notebook submitted through the exchange
    assert exported == {**score, "absent": 0.0}
