"""Course maintenance and class tools: release labs with nbgrader, autograde in a scratch course, stamp the
Colab setup cell, list the syllabus; set up the exchange, grade on several cores, report, build the student
edition, let a student check a lab (the class tools live in tools/classroom.py).

    python tools/course.py release      # regenerate labs/ from solutions/ (nbgrader generate_assignment)
    python tools/course.py stamp        # write aisys.colab.SETUP_CELL as the first cell of every notebook
    python tools/course.py clean [NB...] # store notebooks clean (no outputs, minimal metadata); default: all
    python tools/course.py lock [LAB...] # make every instructor code cell of a lab's source read-only (nbgrader locked)
    python tools/course.py readme       # rewrite README's syllabus table (titles and Colab links)
    python tools/course.py report LAB   # after autograde (run in the course folder): reasons per student
    python tools/course.py list         # every notebook and lab the course ships
    python tools/course.py exchange DIR [--site]          # create the nbgrader exchange, tell nbgrader where it is
    python tools/course.py autograde LAB [--workers N]    # autograde on N cores (in the course folder)
    python tools/course.py student-edition OUT [--repo R] # the course without solutions or hidden tests
    python tools/course.py check NOTEBOOK [--lab LAB]     # grade your own notebook with the hidden tests
    python tools/course.py site OUT [--no-execute]        # the course website (tools/website.py)

Tests import this module, so what CI checks is exactly what instructors run.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aisys.colab import SETUP_CELL  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
LABS = ROOT / "labs"
CONFIG = ROOT / "nbgrader_config.py"
NOTEBOOK_METADATA_KEYS = ("kernelspec", "language_info")
CELL_METADATA_KEYS = ("nbgrader", "tags", "deletable", "editable")


def lecture_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*/*.ipynb"))


def lab_names() -> list[str]:
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").exists())


def solution_notebook(lab: str) -> Path:
    return SOLUTIONS / lab / f"{lab}.ipynb"


def release_notebook(lab: str) -> Path:
    return LABS / lab / f"{lab}.ipynb"


def all_notebooks() -> list[Path]:
    return lecture_notebooks() + [solution_notebook(l) for l in lab_names()] + [release_notebook(l) for l in lab_names()]


def read(path: Path) -> dict:
    """A notebook as a dict, each cell's source as one string (however the file stores it)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        cell["source"] = source(cell)
    return nb


def dumps(nb: dict) -> str:
    """The text Jupyter writes for ``nb`` (nbformat's JSON layout: sorted keys, one-space indent, each source a
    list of lines), so a notebook saved from JupyterLab differs from the stored one only where it was edited."""
    nb = json.loads(json.dumps(nb))
    for cell in nb.get("cells", []):
        cell["source"] = source(cell).splitlines(keepends=True)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"


def write(nb: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(nb), encoding="utf-8")


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def clean(nb: dict) -> dict:
    """The stored form: no outputs or execution counts, minimal notebook metadata."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k in NOTEBOOK_METADATA_KEYS}
    nb["metadata"]["language_info"] = {"name": "python"}   # what Jupyter adds on save, minus version details
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))   # 4.5: cells have ids
    seen = set()
    for cell in nb["cells"]:
        cell["source"] = source(cell)
        if not cell.get("id") or cell["id"] in seen:   # JupyterLab gives every cell an id; keep the ones it gave
            cell["id"] = uuid.uuid4().hex[:8]
        seen.add(cell["id"])
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEYS}
    return nb


def lock_instructor_cells(nb: dict) -> dict:
    """Make every code cell that is not an answer or a test an nbgrader read-only cell (``locked``, with a
    grade_id), so autograding restores it from the source whatever a submission did to it."""
    nb = json.loads(json.dumps(nb))
    taken = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if "nbgrader" in c["metadata"]}
    number = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "nbgrader" in cell["metadata"]:
            continue
        number += 1
        while f"code_{number:02d}" in taken:
            number += 1
        taken.add(f"code_{number:02d}")
        cell["metadata"]["nbgrader"] = {"grade": False, "grade_id": f"code_{number:02d}", "locked": True,
                                        "schema_version": 3, "solution": False, "task": False}
    return nb


# ----------------------------------------------------------------------------- nbgrader
class ScratchCourse:
    """A throwaway nbgrader course directory that uses the repository's nbgrader_config.py."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="aisys-course-"))
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "nbgrader_config.py").write_text(
            f"c = get_config()\nload_subconfig({str(CONFIG)!r})\nc.CourseDirectory.root = {str(self.root)!r}\n")

    def nbgrader(self, *args: str, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "nbgrader", *args]
        done = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def generate(self, lab: str) -> Path:
        """Copy solutions/<lab> in and run generate_assignment; returns the student notebook."""
        dest = self.root / "solutions" / lab
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(SOLUTIONS / lab, dest)
        self.nbgrader("generate_assignment", lab, "--force")
        return self.root / "labs" / lab / f"{lab}.ipynb"

    def submit(self, lab: str, student: str, notebook: dict | Path) -> None:
        folder = self.root / "submitted" / student / lab
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{lab}.ipynb"
        if isinstance(notebook, dict):
            write(notebook, target)
        else:
            shutil.copy(notebook, target)

    def autograde(self, lab: str) -> dict[str, tuple[float, float]]:
        """Autograde every submission of ``lab``; returns {student: (score, max_score)}."""
        self.nbgrader("autograde", lab, "--create", "--force")
        return self.scores(lab)

    def scores(self, lab: str) -> dict[str, tuple[float, float]]:
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            return {s.student.id: (s.score, s.max_score) for s in gb.assignment_submissions(lab)}


def normalized_release(nb: dict) -> dict:
    """A release notebook without the parts that may differ between two generations."""
    nb = clean(nb)
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


def release(labs: list[str] | None = None) -> list[Path]:
    """Regenerate labs/<lab>/<lab>.ipynb from solutions/ for each lab; returns what was written."""
    written = []
    course = ScratchCourse()
    try:
        for lab in labs or lab_names():
            generated = course.generate(lab)
            out = release_notebook(lab)
            shutil.rmtree(out.parent, ignore_errors=True)
            shutil.copytree(generated.parent, out.parent)
            write(clean(read(generated)), out)
            written.append(out)
    finally:
        shutil.rmtree(course.root, ignore_errors=True)
    return written


# ----------------------------------------------------------------------------- grading report
def grading_report(lab: str, root: Path = ROOT) -> list[dict]:
    """After ``nbgrader autograde <lab>``: one row per submission with its score, whether its kernel ran isolated,
    and every reason it lost points or could not be graded: invalid notebook, deleted or edited instructor
    cells (restored before grading), cells not run because they reach for the grading machinery (tampering) or
    use what graded code may not, what the kernel's watch refused or put back, errors and timeouts in graded
    cells. Reads submitted/, autograded/ and the gradebook of the course at ``root``."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    from aisys.grading.autograde import submission_owner

    roster = class_roster(root)
    skipped: dict[str, list[str]] = {}
    downloaded = root / "downloaded" / lab / "extracted"
    for path in sorted(downloaded.rglob("*")) if downloaded.is_dir() else []:
        if path.is_file() and submission_owner(str(path.relative_to(downloaded))) is None:
            name = str(path.relative_to(downloaded))
            owner = next((s for s in roster if re.match(rf"{re.escape(s)}(?![A-Za-z0-9.\-])", name)), "")
            skipped.setdefault(owner, []).append(name)
    submitted = {folder.parent.name: folder for folder in sorted((root / "submitted").glob(f"*/{lab}"))}
    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in sorted(set(roster) | set(submitted)):
            folder = submitted.get(student)
            if folder is None:
                files = skipped.get(student, [])
                note = f"; skipped file(s) that may be theirs: {', '.join(files)} (see the naming rule)" if files else ""
                rows.append({"student": student, "score": 0.0, "max_score": gb.find_assignment(lab).max_score,
                             "status": "NO SUBMISSION", "isolation": "",
                             "reasons": "no submission collected" + note})
                continue
            reasons = [] if student in roster or not roster else [
                f"{student} is not on the roster (students.csv): an exchange user name or file name that is not "
                "a student id"]
            valid = True
            try:
                nbformat.read(folder / f"{lab}.ipynb", as_version=4)
            except Exception as err:  # not JSON, not a notebook, missing file
                valid = False
                reasons.append(f"not a valid notebook ({type(err).__name__}: {str(err).splitlines()[0][:120]})")
            autograded = root / "autograded" / student / lab / f"{lab}.ipynb"
            isolation = ""
            if autograded.exists():
                nb = read(autograded)
                state = nb["metadata"].get("aisys_grading", {})
                isolation = state.get("isolation", "")
                reasons += state.get("rebuilt", [])
                for refused in state.get("refused", []):
                    for why in refused["reasons"]:
                        reasons.append(f"cell {refused['cell']} ({refused['grade_id']}) not run, {why}")
                for seen in state.get("watch", []):
                    reasons.append(f"cell {seen['cell']} ({seen['grade_id']}): {seen['message']}")
                for index, cell in enumerate(nb["cells"]):
                    if cell["metadata"].get("aisys_grading", {}).get("not_run"):
                        continue
                    grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "an ungraded cell")
                    for out in cell.get("outputs", []):
                        if out.get("output_type") != "error" or out.get("ename") == "KeyboardInterrupt":
                            continue
                        if out.get("ename") == "CellTimeoutError":
                            reasons.append(f"{grade_id} ran past the time limit and was stopped")
                        else:
                            first_line = (str(out.get("evalue") or "").splitlines() or [""])[0][:120]
                            reasons.append(f"{grade_id}: {out.get('ename')}: {first_line}".rstrip(": "))
            elif valid:
                reasons.append("not autograded yet")
            try:
                sub = gb.find_submission(lab, student)
                score, max_score = sub.score, sub.max_score
            except MissingEntry:
                score, max_score = 0.0, gb.find_assignment(lab).max_score
            rows.append({"student": student, "score": score, "max_score": max_score,
                         "status": "graded" if autograded.exists() else "NOT GRADED",
                         "isolation": isolation, "reasons": "; ".join(dict.fromkeys(reasons))})
    if skipped.get(""):
        rows.append({"student": "(unknown)", "score": 0.0, "max_score": 0.0, "status": "SKIPPED FILES",
                     "isolation": "", "reasons": "files in downloaded/ that name no student: " + ", ".join(skipped[""])})
    return rows


def class_roster(root: Path) -> list[str]:
    """Student ids from the course's students.csv (the roster the gradebook was imported from), else the gradebook."""
    import csv
    path = root / "students.csv"
    if path.exists():
        with path.open(newline="") as f:
            return [row["id"] for row in csv.DictReader(f) if row.get("id")]
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return [student.id for student in gb.students]


def write_report(lab: str, root: Path = ROOT) -> Path:
    """Write reports/<lab>.csv and print it as a table; returns the CSV path."""
    import csv
    rows = grading_report(lab, root)
    out = root / "reports" / f"{lab}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "score", "max_score", "status", "isolation", "reasons"])
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(f"{row['student']:<16} {row['score']:6.1f}/{row['max_score']:<6.1f} {row['status']:<10} {row['reasons']}")
    unisolated = [row["student"] for row in rows if row["isolation"].startswith("NOT ISOLATED")]
    if unisolated:
        print(f"WARNING: {len(unisolated)} submission(s) were graded WITHOUT isolation (install bubblewrap): "
              f"their code could read and write what the grader can", file=sys.stderr)
    return out


# ----------------------------------------------------------------------------- README syllabus
MODULES = {
    "01_overview": "Overview · AI 系统概述",
    "02_hardware": "Hardware · AI 芯片体系结构",
    "03_compiler": "Compiler · AI 编译原理",
    "04_inference": "Inference · AI 推理系统",
    "05_framework": "Framework · AI 框架核心技术",
    "06_llm": "LLM Systems · 大模型系统",
}
README = ROOT / "README.md"


def title(path: Path) -> str:
    """The notebook's title: its first markdown heading without the '#'."""
    first = next(source(c) for c in read(path)["cells"] if c["cell_type"] == "markdown")
    return first.splitlines()[0].lstrip("#").strip()


def syllabus_table() -> str:
    from aisys.colab import colab_url

    def row(path: Path, name: str) -> str:
        rel = path.relative_to(ROOT).as_posix()
        return f"| {name} | [{title(path)}]({rel}) | [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(rel)}) |"

    lines = ["| module | notebook | Colab |", "| --- | --- | --- |"]
    for path in lecture_notebooks():
        lines.append(row(path, MODULES.get(path.parent.name, path.parent.name)))
    lines += ["", "| lab | student notebook | Colab |", "| --- | --- | --- |"]
    for lab in lab_names():
        lines.append(row(release_notebook(lab), lab))
    return "\n".join(lines)


def update_readme() -> bool:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split("<!-- syllabus:start -->")
    _, tail = rest.split("<!-- syllabus:end -->")
    new = f"{head}<!-- syllabus:start -->\n{syllabus_table()}\n<!-- syllabus:end -->{tail}"
    README.write_text(new, encoding="utf-8")
    return new != text


# ----------------------------------------------------------------------------- Colab cell
def is_setup_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and source(cell).startswith("# Setup: on Google Colab")


def with_setup_cell(nb: dict) -> dict:
    """``nb`` with SETUP_CELL first; an existing setup cell's metadata (a lab's read-only marking) is kept."""
    nb = json.loads(json.dumps(nb))
    old = [c for c in nb["cells"] if is_setup_cell(c)]
    cells = [c for c in nb["cells"] if not is_setup_cell(c)]
    setup = {"cell_type": "code", "execution_count": None, "id": "colab-setup",
             "metadata": old[0]["metadata"] if old else {}, "outputs": [], "source": SETUP_CELL}
    nb["cells"] = [setup] + cells
    return nb


def stamp(paths: list[Path] | None = None) -> list[Path]:
    """Make aisys.colab.SETUP_CELL the first cell of every lecture and solution notebook."""
    changed = []
    for path in paths or lecture_notebooks() + [solution_notebook(l) for l in lab_names()]:
        nb = read(path)
        new = with_setup_cell(nb)
        if new != nb:
            write(new, path)
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python tools/course.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("release", help="regenerate labs/ from solutions/").add_argument("labs", nargs="*")
    commands.add_parser("stamp", help="write the Colab setup cell into every notebook")
    commands.add_parser("clean", help="store notebooks clean").add_argument("notebooks", nargs="*")
    commands.add_parser("lock", help="make instructor code cells read-only").add_argument("labs", nargs="*")
    commands.add_parser("readme", help="rewrite README's syllabus table")
    commands.add_parser("list", help="every notebook and lab the course ships")
    report = commands.add_parser("report", help="after autograde, in the course folder: reasons per student")
    report.add_argument("lab")
    exchange = commands.add_parser("exchange", help="create the nbgrader exchange and tell nbgrader where it is")
    exchange.add_argument("folder")
    exchange.add_argument("--site", action="store_true", help="for every user of this machine (/etc/jupyter)")
    grade = commands.add_parser("autograde", help="nbgrader autograde on several cores, in the course folder")
    grade.add_argument("lab")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    grade.add_argument("nbgrader_options", nargs=argparse.REMAINDER, help="after --: passed to nbgrader autograde")
    edition = commands.add_parser("student-edition", help="build the course without solutions or hidden tests")
    edition.add_argument("out")
    edition.add_argument("--repo", help="owner/name the edition is published at (default aisys.colab.STUDENT_REPO)")
    site = commands.add_parser("site", help="build the course website (needs site/requirements.txt)")
    site.add_argument("out")
    site.add_argument("--no-execute", action="store_true", help="keep the stored (empty) outputs: fast, no figures")
    check = commands.add_parser("check", help="grade your notebook with the hidden tests (full course only)")
    check.add_argument("notebook")
    check.add_argument("--lab")
    args = parser.parse_args(argv)

    import classroom
    if args.command == "release":
        for path in release(args.labs or None):
            print("released", path.relative_to(ROOT))
    elif args.command == "stamp":
        for path in stamp():
            print("stamped", path.relative_to(ROOT))
    elif args.command == "clean":
        for path in [Path(a).resolve() for a in args.notebooks] or all_notebooks():
            text = dumps(clean(read(path)))
            if text != path.read_text(encoding="utf-8"):
                path.write_text(text, encoding="utf-8")
                print("cleaned", path.relative_to(ROOT))
    elif args.command == "lock":
        for lab in args.labs or lab_names():
            nb = read(solution_notebook(lab))
            if lock_instructor_cells(nb) != nb:
                write(lock_instructor_cells(nb), solution_notebook(lab))
                print("locked the instructor cells of", lab)
    elif args.command == "readme":
        print("README.md syllabus", "updated" if update_readme() else "already current")
    elif args.command == "list":
        for path in lecture_notebooks() + [release_notebook(l) for l in lab_names()]:
            print(path.relative_to(ROOT))
    elif args.command == "report":
        print("wrote", write_report(args.lab, Path.cwd()))
    elif args.command == "exchange":
        written = classroom.configure_exchange(Path(args.folder), classroom.SITE_CONFIG_DIR if args.site else None)
        print(f"exchange {Path(args.folder).resolve()} ready; nbgrader reads it from {written}")
    elif args.command == "autograde":
        extra = tuple(a for a in args.nbgrader_options if a != "--")
        return classroom.autograde(args.lab, Path.cwd(), args.workers, extra)
    elif args.command == "student-edition":
        print("student edition written to", classroom.student_edition(Path(args.out), args.repo))
    elif args.command == "site":
        import website
        html_dir = website.build(Path(args.out), execute=not args.no_execute)
        broken = website.broken_links(html_dir)
        print(f"site written to {html_dir} (open index.html)" + (f"; {len(broken)} broken links:" if broken else ""))
        for link in broken:
            print("  ", link)
        return 1 if broken else 0
    elif args.command == "check":
        classroom.print_check(classroom.self_check(Path(args.notebook), args.lab))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
