"""Running the course for a class (used by ``tools/course.py``; INSTRUCTORS.md runs these commands):

- :func:`configure_exchange` the one place that tells nbgrader where the exchange is, for the instructor and
  for every student on the machine (a user config, or a site config on a shared server);
- :func:`autograde` nbgrader's autograde over several cores: each worker grades its students in a scratch copy of
  the course, and the grades are merged into the one gradebook;
- :func:`student_edition` the course without solutions, hidden tests, cheats or instructor tools, to publish;
- :func:`self_check` grade one notebook with the hidden tests in a scratch folder, for a student studying alone,
  printing points and assertion messages only.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import course
from course import ROOT

EXCHANGE_BEGIN = "# >>> aisys-labs exchange (written by `python tools/course.py exchange`)"
EXCHANGE_END = "# <<< aisys-labs exchange"
SITE_CONFIG_DIR = Path("/etc/jupyter")


# ------------------------------------------------------------------------------------------------ exchange
def configure_exchange(exchange: Path, config_dir: Path | None = None, course_id: str = "aisys-labs") -> Path:
    """Create the exchange folder (writable by every user, sticky) and write the course id and exchange root into
    ``config_dir/nbgrader_config.py`` (default: this user's Jupyter config folder; ``/etc/jupyter`` for a whole
    server). Every nbgrader command then finds the exchange without flags. Returns the config file written."""
    exchange = Path(exchange).expanduser().resolve()
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o1777)
    if config_dir is None:
        from jupyter_core.paths import jupyter_config_dir
        config_dir = Path(jupyter_config_dir())
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "nbgrader_config.py"
    text = path.read_text() if path.exists() else "c = get_config()  # noqa: F821\n"
    if EXCHANGE_BEGIN in text:
        head, rest = text.split(EXCHANGE_BEGIN, 1)
        text = head + rest.split(EXCHANGE_END, 1)[-1].lstrip("\n")
    block = (f"{EXCHANGE_BEGIN}\nc.CourseDirectory.course_id = {course_id!r}\nc.Exchange.root = {str(exchange)!r}\n"
             f"{EXCHANGE_END}\n")
    path.write_text(text.rstrip("\n") + "\n" + block)
    return path


# ------------------------------------------------------------------------------------------------ autograde
def autograde(lab: str, root: Path, workers: int = 1, extra: tuple[str, ...] = ()) -> int:
    """``nbgrader autograde <lab>`` for every submission in ``root/submitted``, on ``workers`` processes.

    With one worker this is nbgrader's own command. With more, students are dealt round-robin to workers; each
    worker runs nbgrader in a scratch course (a copy of the gradebook, the source and its students' submissions),
    then its autograded folders and grades are copied into the course. Nothing is graded twice or lost: the
    merge checks that every submission came back. Returns the worst exit status."""
    root = Path(root).resolve()
    students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{lab}"))
    for student in students:
        # nbgrader's release_feedback needs a submission secret for every student it has feedback for; only the
        # exchange's submit writes one, so a class that also has LMS (zip_collect) submissions would stop at the
        # first of them. Give those a secret of their own (their feedback goes back by upload, as the guide says).
        secret = root / "submitted" / student / lab / "submission_secret.txt"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(16))
    if workers <= 1 or len(students) <= 1:
        return subprocess.run([sys.executable, "-m", "nbgrader", "autograde", lab, *extra], cwd=root).returncode
    base = Path(tempfile.mkdtemp(prefix="aisys-grade-"))
    try:
        groups = [students[i::workers] for i in range(workers)]
        jobs = []
        for number, group in enumerate(g for g in groups if g):
            scratch = base / f"worker{number}"
            _scratch_course(root, scratch, lab, group)
            log = open(scratch / "autograde.log", "w")
            jobs.append((scratch, group, log, subprocess.Popen(
                [sys.executable, "-m", "nbgrader", "autograde", lab, *extra], cwd=scratch, stdout=log,
                stderr=subprocess.STDOUT)))
        status = 0
        for scratch, group, log, job in jobs:
            status = max(status, job.wait())
            log.close()
            sys.stdout.write((scratch / "autograde.log").read_text())
            _merge(scratch, root, lab, group)
        return status
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _scratch_course(root: Path, scratch: Path, lab: str, students: list[str]) -> None:
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    coursedir = CourseDirectory(config=config, root=str(root))
    scratch.mkdir(parents=True)
    shutil.copy(root / "gradebook.db", scratch / "gradebook.db")
    source = Path(coursedir.format_path(coursedir.source_directory, ".", lab))
    shutil.copytree(source, scratch / coursedir.source_directory / lab)
    release = Path(coursedir.format_path(coursedir.release_directory, ".", lab))
    if release.exists():
        shutil.copytree(release, scratch / coursedir.release_directory / lab)
    for student in students:
        shutil.copytree(root / "submitted" / student / lab, scratch / "submitted" / student / lab)
    (scratch / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(root / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(scratch)!r}\n"
        f"c.IsolatedExecute.hidden_folders = [{str(root)!r}]\n")


def _merge(scratch: Path, root: Path, lab: str, students: list[str]) -> None:
    """Copy autograded folders and grades of ``students`` from a worker's scratch course into the course."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}") as done, Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in students:
            graded = scratch / "autograded" / student / lab
            target = root / "autograded" / student / lab
            shutil.rmtree(target, ignore_errors=True)
            if graded.exists():
                shutil.copytree(graded, target)
            try:
                submission = done.find_submission(lab, student)
            except MissingEntry:
                continue                       # nbgrader could not process it; its log says why
            gb.update_or_create_student(student)
            merged = gb.update_or_create_submission(lab, student, timestamp=submission.timestamp)
            for notebook in submission.notebooks:
                target_nb = gb.find_submission_notebook(notebook.name, lab, student)
                target_nb.late_submission_penalty = notebook.late_submission_penalty
                for grade in notebook.grades:
                    into = gb.find_grade(grade.name, notebook.name, lab, student)
                    into.auto_score, into.manual_score = grade.auto_score, grade.manual_score
                    into.extra_credit, into.needs_manual_grade = grade.extra_credit, grade.needs_manual_grade
                for comment in notebook.comments:
                    into = gb.find_comment(comment.name, notebook.name, lab, student)
                    into.auto_comment, into.manual_comment = comment.auto_comment, comment.manual_comment
            gb.db.commit()
            assert merged.score == submission.score, f"merging {student}'s grades changed the score"


# ------------------------------------------------------------------------------------------------ student edition
STUDENT_README = """# AISys Labs · AI 系统实验课 (student edition)

A hands-on Jupyter course on AI systems -- chips, compilers, inference engines and frameworks -- that runs on a
laptop CPU, based on ZOMI's open course [AI System / AI 系统](https://github.com/chenzomi12/AISystem)
(Apache-2.0). This is the **student edition**: lecture notebooks, lab notebooks to complete, the helper package
and data. Your instructor grades the labs with hidden tests that are not in this repository.

## Set up

<!-- install-command -->
```bash
pip install -r requirements.txt -e .
```

Open the course with `jupyter lab`; start with `notebooks/01_overview/01_ai_system_stack.ipynb`. Work on a lab in
the folder your instructor tells you to (the nbgrader exchange or your LMS). Each lab's visible tests tell you
whether you are on the right track; they are not the whole grade: hidden tests try other inputs and check that each
part does the work it teaches. Write your code in the answer cells; read "Rules for graded code" at the top of each
lab.

## Syllabus

{syllabus}
"""
EDITION_FILES = ("requirements.txt", "environment.yml", "pyproject.toml")
EDITION_FOLDERS = ("notebooks", "labs", "aisys", "data")


def student_edition(out: Path, repo: str | None = None) -> Path:
    """Build the student edition in ``out`` (replaced): notebooks, labs, aisys, data, install files and a student
    README whose Colab links -- and every notebook's setup cell -- point to ``repo`` (default
    ``aisys.colab.STUDENT_REPO``). Nothing from solutions/, tests/, tools/ or the instructor's guide."""
    from aisys import colab
    repo = repo or colab.STUDENT_REPO
    out = Path(out).resolve()
    if (out == ROOT or ROOT in out.parents) and ROOT / "build" not in [out, *out.parents]:
        raise ValueError(f"build the student edition outside the repository (or under build/), not in {out}")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for folder in EDITION_FOLDERS:
        shutil.copytree(ROOT / folder, out / folder, ignore=ignore)
    for name in EDITION_FILES:
        shutil.copy(ROOT / name, out / name)
    colab_py = out / "aisys" / "colab.py"
    colab_py.write_text(colab_py.read_text().replace(f'REPO = "{colab.REPO}"', f'REPO = "{repo}"'))
    setup = colab.SETUP_CELL.replace(colab.REPO_URL, f"https://github.com/{repo}")
    for path in sorted((out / "notebooks").glob("*/*.ipynb")) + sorted((out / "labs").glob("*/*.ipynb")):
        nb = course.read(path)
        for cell in nb["cells"]:
            if course.is_setup_cell(cell):
                cell["source"] = setup
        course.write(nb, path)
    table = course.syllabus_table().replace(f"github/{colab.REPO}/", f"github/{repo}/")
    (out / "README.md").write_text(STUDENT_README.format(syllabus=table), encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------------------ self-check
def self_check(notebook: Path, lab: str | None = None) -> dict:
    """Grade ``notebook`` with its lab's hidden tests in a scratch course (the course's own grading: isolated
    kernel, reviewed cells) and return {"lab", "score", "max_score", "parts": [(grade_id, points, max, message)],
    "notes": [...]} -- messages are the failing assertion's message only, never a test's source."""
    notebook = Path(notebook).resolve()
    if lab is None:
        named = [name for name in course.lab_names() if name in notebook.name]
        ids = {c["metadata"].get("nbgrader", {}).get("grade_id") for c in course.read(notebook)["cells"]} - {None}
        overlap = {name: len(ids & {c["metadata"].get("nbgrader", {}).get("grade_id")
                                    for c in course.read(course.release_notebook(name))["cells"]})
                   for name in course.lab_names()}
        lab = named[0] if named else max(overlap, key=overlap.get) if max(overlap.values(), default=0) else None
    if lab not in course.lab_names():
        raise ValueError(f"cannot tell which lab {notebook.name} is: pass --lab (one of {', '.join(course.lab_names())})")
    scratch = course.ScratchCourse()
    try:
        scratch.generate(lab)
        scratch.submit(lab, "you", notebook)
        scratch.nbgrader("autograde", lab, "--create", "--force", check=False)
        graded = scratch.root / "autograded" / "you" / lab / f"{lab}.ipynb"
        if not graded.exists():
            raise RuntimeError(f"{notebook.name} could not be graded (is it a valid notebook of {lab}?)")
        summary = summarize(course.read(graded))
        summary["lab"] = lab
        return summary
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)


def summarize(autograded: dict) -> dict:
    """What a student may see of an autograded notebook: each graded part's points and, for a failed part, the
    first line of its error message; the cells the grader did not run and what its watch reported."""
    parts = []
    for cell in autograded["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if not meta.get("grade"):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        message = ""
        if errors:
            first = (str(errors[0].get("evalue") or "").splitlines() or [""])[0]
            message = f"{errors[0].get('ename')}: {first}".rstrip(": ")
        points = 0.0 if errors else float(meta["points"])
        parts.append((meta["grade_id"], points, float(meta["points"]), message))
    state = autograded["metadata"].get("aisys_grading", {})
    notes = [f"cell {r['cell']} not run: {'; '.join(r['reasons'])}" for r in state.get("refused", [])]
    notes += [f"cell {w['cell']}: {w['message']}" for w in state.get("watch", [])]
    notes += state.get("rebuilt", [])
    return {"score": sum(p[1] for p in parts), "max_score": sum(p[2] for p in parts), "parts": parts,
            "notes": notes, "isolation": state.get("isolation", "")}


def print_check(result: dict) -> None:
    print(f"{result['lab']}: {result['score']:g} / {result['max_score']:g} points (hidden tests included)")
    for grade_id, points, max_points, message in result["parts"]:
        mark = "ok  " if points == max_points else "FAIL"
        print(f"  {mark} {grade_id:<28} {points:g}/{max_points:g}  {message}")
    for note in result["notes"]:
        print(f"  note: {note}")
