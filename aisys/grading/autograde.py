"""nbgrader preprocessors that make autograding trustworthy (configured in ``nbgrader_config.py``).

Sanitize phase, before nbgrader's own ``OverwriteCells`` (which then finds every instructor cell as the gradebook
has it):

- :class:`RebuildAndReview` rebuilds the notebook to run from the assignment's source: every instructor cell
  (setup, demos, tests with their hidden part) comes from the gradebook, whatever the submission did to it --
  edited, deleted, moved, its metadata stripped; the student's answer cells and the cells they added are placed
  where they were. Every code cell the student wrote is reviewed by :mod:`aisys.grading.policy`; a refused
  cell is marked and will not run.

Autograde phase, in place of nbgrader's ``Execute``:

- :class:`IsolatedExecute` runs the kernel inside bubblewrap (when it is installed and works): the course folder,
  the exchange, home directories and ``/tmp`` are hidden, only the submission's own grading folder is writable,
  there is no network; the kernel starts with the :mod:`aisys.grading.guard` watch installed; refused cells get
  an error in place of running; graded test cells keep no ``execute_result`` (no partial credit from a value a
  student's code chose). Where bubblewrap is missing, grading still runs and the notebook's metadata, the log
  and the report say loudly that it was not isolated.

What each step found is stored in the autograded notebook's metadata under ``aisys_grading`` and read by
``tools/course.py report``.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from functools import lru_cache
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Enum, List, Unicode

from . import guard, policy

KEY = "aisys_grading"


def source_text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def cell_hash(source: str) -> str:
    """The name IPython gives the file of a cell with this source (see ipykernel.compiler.get_file_name)."""
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86
    return str(murmur2_x86(source, get_tmp_hash_seed()))


# ---------------------------------------------------------------------------------------------------- rebuild
class RebuildAndReview(NbGraderPreprocessor):
    """Rebuild the notebook from the source notebook and the gradebook; review the student's code cells."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry
        from nbgrader.coursedir import CourseDirectory

        notebook_id = resources["nbgrader"]["notebook"]
        assignment = resources["nbgrader"]["assignment"]
        coursedir = CourseDirectory(config=self.config)
        source_path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook_id}.ipynb"
        template = json.loads(source_path.read_text(encoding="utf-8"))["cells"]
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            def from_gradebook(gid):
                try:
                    return gb.find_source_cell(gid, notebook_id, assignment).source
                except MissingEntry:
                    return None
            nb.cells, notes = rebuild(nb.cells, template, from_gradebook)
        template_answers = [source_text(c) for c in template
                            if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        review = review_cells(nb.cells, template_answers)
        nb.metadata[KEY] = {"rebuilt": notes, **review}
        return nb, resources


def rebuild(submitted: list, template: list, locked_source) -> tuple[list, list[str]]:
    """The cells to run: ``template``'s cells in order, instructor cells with ``locked_source(grade_id)`` (the
    gradebook's text), answer cells from ``submitted``, and the student's added cells after the cell they
    followed. Returns the cells and notes for the report (restored cells, added cells)."""
    notes: list[str] = []
    by_id = {grade_id(c): c for c in submitted if grade_id(c)}
    plain_template = {source_text(c): i for i, c in enumerate(template) if not grade_id(c)}
    known_ids = {grade_id(c) for c in template if grade_id(c)}
    # Where each submitted cell belongs: a template index, or "added after template index k" (-1: at the top).
    attached: dict[int, list] = {}
    anchor = -1
    template_index = {grade_id(c): i for i, c in enumerate(template) if grade_id(c)}
    for cell in submitted:
        gid = grade_id(cell)
        if gid in known_ids:
            anchor = template_index[gid]
        elif not gid and source_text(cell) in plain_template:
            anchor = plain_template[source_text(cell)]
        else:
            attached.setdefault(anchor, []).append(cell)
    cells = []
    used_ids = set()

    def add(cell):
        cell = from_dict(json.loads(json.dumps(cell)))
        if cell.get("id") in used_ids or "id" not in cell:
            cell["id"] = uuid.uuid4().hex[:8]
        used_ids.add(cell["id"])
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cells.append(cell)

    for cell in attached.get(-1, []):
        add(_as_added(cell))
    for index, tcell in enumerate(template):
        gid = grade_id(tcell)
        meta = tcell.get("metadata", {}).get("nbgrader", {})
        if gid and meta.get("solution") and not meta.get("grade"):
            student = by_id.get(gid)
            if student is None:
                notes.append(f"answer cell {gid} was deleted (graded as empty)")
                add({**tcell, "source": f"# answer cell {gid} was deleted from the submission\n", KEY: "answer"})
            else:
                add({**tcell, "source": source_text(student), KEY: "answer"})
        elif gid:
            text = locked_source(gid)
            if text is None:
                text = source_text(tcell)
            if gid not in by_id:
                notes.append(f"cell {gid} was deleted (restored before grading)")
            elif _normalized(_visible_part(source_text(by_id[gid]))) != _normalized(_visible_part(text)):
                notes.append(f"locked cell {gid} was edited (restored before grading)")
            add({**tcell, "source": text})
        else:
            add(tcell)
        for extra in attached.get(index, []):
            add(_as_added(extra))
    added = sum(len(v) for v in attached.values())
    if added:
        notes.append(f"{added} cell(s) added by the student (reviewed and run in place)")
    for cell in cells:
        if cell.pop(KEY, None) == "answer":
            cell.metadata.setdefault(KEY, {})["author"] = "student"
    return cells, notes


def _visible_part(text: str) -> str:
    """A test cell's text as released to students: without its hidden-test region."""
    lines, hidden = [], False
    for line in text.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def _as_added(cell) -> dict:
    cell = json.loads(json.dumps(cell))
    meta = cell.setdefault("metadata", {})
    meta.pop("nbgrader", None)              # an unknown or forged grade_id carries no weight
    meta[KEY] = {"author": "student", "added": True}
    return cell


def review_cells(cells: list, template_answers: list[str]) -> dict:
    """Review every student code cell; mark refused ones ``metadata.aisys_grading.not_run``. Returns what the
    kernel watch needs: the hashes of the instructor's cells and the protected globals. ``template_answers``:
    the assignment's own answer cells (what names the student is meant to define)."""
    instructor, tests = [], []
    for cell in cells:
        if cell.cell_type != "code" or cell.metadata.get(KEY, {}).get("author") == "student":
            continue
        instructor.append(source_text(cell))
        if cell.metadata.get("nbgrader", {}).get("grade"):
            tests.append(source_text(cell))
    protected = policy.protected_names(instructor, tests, template_answers)
    test_only = policy.names_only_tests_bind(instructor, tests, template_answers)
    env = policy.module_environment(instructor)
    student_cells = [source_text(c) for c in cells
                     if c.cell_type == "code" and c.metadata.get(KEY, {}).get("author") == "student"]
    test_only -= set().union(*(policy.bound_globals(s) for s in student_cells)) if student_cells else set()
    refused = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or cell.metadata.get(KEY, {}).get("author") != "student":
            continue
        problems = policy.review_source(source_text(cell), env, protected)
        read = sorted(policy.names_read_when_called(source_text(cell)) & test_only)
        if read:
            problems.append(policy.Violation(0, f"a function reads {', '.join(read)}, which only a test cell "
                                                f"defines (a test's own values are not an answer)"))
        if problems:
            cell.metadata[KEY]["not_run"] = [str(p) for p in problems]
            refused.append({"cell": index, "grade_id": grade_id(cell) or "an added cell",
                            "reasons": [str(p) for p in problems]})
    return {"refused": refused, "trusted_cells": sorted({cell_hash(s) for s in instructor}),
            "protected_names": sorted(protected)}


# ---------------------------------------------------------------------------------------------------- sandbox
@lru_cache(maxsize=None)
def bubblewrap() -> str | None:
    """The bwrap executable if it can start a sandbox here (user namespaces or root), else None."""
    exe = shutil.which("bwrap")
    if not exe:
        return None
    try:
        done = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if done.returncode == 0 else None


def sandbox_command(exe: str, workdir: Path, kernel_dir: Path, hidden: list[Path]) -> list[str]:
    """bwrap arguments: the whole system read-only, ``hidden`` folders (and /tmp, /home, $HOME) replaced by
    empty ones, Python and the course's ``aisys``/``data`` shown read-only again, ``workdir`` and ``kernel_dir``
    writable, no network, own process tree."""
    import aisys
    home = Path.home()
    hide = [p.resolve() for p in (Path("/tmp"), Path("/home"), home, Path("/srv"), Path("/mnt"), Path("/media"), *hidden)
            if p.exists() and p.resolve() != Path("/")]
    secret = [p.resolve() for p in hidden if p.exists()]
    python_dirs = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                               Path(sys.executable).resolve().parent)}
    python_dirs |= {Path(p).resolve() for p in sys.path if p and Path(p).is_dir()}
    shown = [p for p in python_dirs
             if any(_inside(p, h) for h in hide) and not any(_inside(p, s) for s in secret)]
    package = Path(aisys.__file__).resolve().parent
    shown += [package, package.parent / "data"]
    # --unsetenv JPY_PARENT_PID: in its own process tree the kernel would take its parent for dead (getppid()
    # is the sandbox's init); --die-with-parent does that job instead.
    args = [exe, "--die-with-parent", "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
            "--unsetenv", "JPY_PARENT_PID", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for path in sorted(set(hide), key=lambda p: len(p.parts)):
        args += ["--tmpfs", str(path)]
    shown = [p for p in set(shown) if not any(_inside(p, q) and p != q for q in shown)]
    for path in sorted(shown, key=lambda p: len(p.parts)):
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(workdir), str(workdir), "--bind", str(kernel_dir), str(kernel_dir), "--chdir", str(workdir)]
    return args


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


# ---------------------------------------------------------------------------------------------------- execute
class IsolatedExecute(Execute):
    """nbgrader's Execute, with the kernel sandboxed and watched, and refused cells not run."""

    isolation = Enum(["auto", "required", "off"], "auto", help=(
        "auto: run each grading kernel in bubblewrap when it works here, else run it unisolated and say so; "
        "required: refuse to grade without bubblewrap; off: never isolate (the watch inside the kernel stays)."
    )).tag(config=True)
    hidden_folders = List(Unicode(), [], help=(
        "Folders the grading kernel must not see, besides the course folder, the exchange, /tmp, /home and $HOME "
        "(hidden always).")).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        from nbgrader.coursedir import CourseDirectory
        state = nb.metadata.setdefault(KEY, {})
        workdir = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        kernel_dir = Path(tempfile.mkdtemp(prefix="aisys-k"))
        try:
            config = {"trusted_cells": state.get("trusted_cells", []),
                      "protected_names": state.get("protected_names", []),
                      "writable": [str(kernel_dir)]}
            if not state.get("trusted_cells"):
                # Not rebuilt (RebuildAndReview not configured): trust every cell without a student mark.
                config["trusted_cells"] = sorted({cell_hash(source_text(c)) for c in nb.cells
                                                  if c.cell_type == "code" and KEY not in c.metadata})
            (kernel_dir / "guard.json").write_text(json.dumps(config), encoding="utf-8")
            home = kernel_dir / "home"
            for sub in ("ipython", "mpl", "cache", "config", "data", "runtime", "triton", "tmp"):
                (home / sub).mkdir(parents=True, exist_ok=True)
            _seed_matplotlib_cache(home / "mpl")
            self._kernel_env = {
                **os.environ, "HOME": str(home), "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl"),
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
                "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "TRITON_CACHE_DIR": str(home / "triton"),
                "TMPDIR": str(home / "tmp"), "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
            self._kernel_dir = kernel_dir
            self._sandbox = None
            exe = bubblewrap() if self.isolation != "off" else None
            if exe:
                coursedir = CourseDirectory(config=self.config)
                hidden = [Path(coursedir.root)] + [Path(p) for p in self.hidden_folders] + _exchange_roots(self.config)
                import aisys
                hidden.append(Path(aisys.__file__).resolve().parent.parent)   # the repository (solutions/, tests/)
                self._sandbox = sandbox_command(exe, workdir, kernel_dir, hidden)
                state["isolation"] = "isolated (bubblewrap: course, exchange and home folders hidden, no network)"
            elif self.isolation == "required":
                raise RuntimeError("grading requires isolation (IsolatedExecute.isolation = 'required') but "
                                   "bubblewrap is not installed or cannot start a sandbox here")
            else:
                why = "isolation switched off" if self.isolation == "off" else "bubblewrap is not available"
                state["isolation"] = f"NOT ISOLATED ({why}): the submission ran with the grader's permissions"
                self.log.warning("AISys grading: %s", state["isolation"])
            self.extra_arguments = [*self.extra_arguments, "--HistoryManager.hist_file=:memory:",
                                    "--IPKernelApp.exec_lines=import aisys.grading.guard as _aisys_guard; "
                                    f"_aisys_guard.install({str(kernel_dir / 'guard.json')!r}); del _aisys_guard"]
            self._guard_checked = False
            nb, resources = super().preprocess(nb, resources, km=km)
            finish(nb)
            return nb, resources
        finally:
            shutil.rmtree(kernel_dir, ignore_errors=True)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.transport = "ipc"
        km.ip = str(self._kernel_dir / "k")
        km.connection_file = str(self._kernel_dir / "kernel.json")
        if self._sandbox:
            # bwrap itself must ignore SIGINT (an interrupt at the time limit would kill it, and the kernel with
            # it); the kernel installs its own handler while it runs a cell.
            prefix = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *self._sandbox]
            original = km.format_kernel_cmd

            def format_kernel_cmd(extra_arguments=None):
                return prefix + ["--"] + original(extra_arguments)

            km.format_kernel_cmd = format_kernel_cmd
        return km

    async def async_start_new_kernel(self, **kwargs):
        kwargs.setdefault("env", self._kernel_env)
        return await super().async_start_new_kernel(**kwargs)

    def preprocess_cell(self, cell, resources, index):
        if not self._guard_checked:
            self._guard_checked = True
            if not (self._kernel_dir / "guard.json.ok").exists():
                raise RuntimeError("the grading kernel started without its watch (aisys.grading.guard.install "
                                   "failed); nothing was graded")
        reasons = cell.get("metadata", {}).get(KEY, {}).get("not_run") if cell.cell_type == "code" else None
        if reasons:
            cell.outputs = [NotebookNode(output_type="error", ename="GradingPolicyError",
                                         evalue="this cell was not run: " + "; ".join(reasons),
                                         traceback=["GradingPolicyError: this cell was not run when grading:"]
                                         + [f"  - {r}" for r in reasons])]
            cell.execution_count = None
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


def finish(nb) -> None:
    """After running: drop execute_result from graded test cells, collect the watch's reports."""
    state = nb.metadata.setdefault(KEY, {})
    watch = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
        for out in cell.outputs:
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if line.startswith(guard.MARK):
                    watch.append({"cell": index, "grade_id": grade_id(cell) or "an ungraded cell",
                                  "message": line[len(guard.MARK):].strip()})
    state["watch"] = watch


def _exchange_roots(config) -> list[Path]:
    roots = [Path("/usr/local/share/nbgrader/exchange"), Path("/srv/nbgrader")]
    configured = config.get("Exchange", {}).get("root") if hasattr(config, "get") else None
    if configured:
        roots.append(Path(configured))
    return roots


def _seed_matplotlib_cache(folder: Path) -> None:
    """Copy matplotlib's font list so a fresh config folder does not rebuild it (seconds per kernel)."""
    try:
        import matplotlib
        for path in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy(path, folder / path.name)
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------------- feedback
class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without the hidden tests (``GenerateFeedback.preprocessors``): in every graded test cell the
    hidden region is replaced by one comment, and an error keeps only its type and message (a traceback would
    quote the hidden lines around the failing one). The grader's notes in the notebook metadata are dropped."""

    begin = Unicode("### BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("### END HIDDEN TESTS").tag(config=True)

    def preprocess(self, nb, resources):
        state = nb.metadata.pop(KEY, {})
        if state.get("isolation"):
            nb.metadata[KEY] = {"isolation": state["isolation"]}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            return cell, resources
        lines, hidden, shown = [], False, True
        for line in source_text(cell).splitlines():
            if self.begin in line:
                hidden = True
                lines.append(line[: len(line) - len(line.lstrip())] + "# (hidden tests run here; they are not shown)")
                continue
            if self.end in line:
                hidden = False
                continue
            if not hidden:
                lines.append(line)
        cell.source = "\n".join(lines)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')}"]
        return cell, resources


# ---------------------------------------------------------------------------------------------------- collecting
#: How a file from an LMS download names its owner. Either the notebook itself, ``<student>_<lab>.ipynb``, or an
#: archive ``<student>_<lab>.zip`` whose notebook is ``<lab>.ipynb`` (or ``<student>_<lab>.ipynb``) at any depth.
#: Student ids are letters, digits, ``.`` and ``-`` (no ``_``).
SUBMISSION_NAME = re.compile(
    r"(?:^|/)(?P<student_id>[A-Za-z0-9.\-]+)_(?P<lab>lab\d\d_[A-Za-z0-9_]+?)"
    r"(?:\.ipynb|/(?:[^/]+/)*(?:[A-Za-z0-9.\-]+_)?(?P=lab)\.ipynb)$")


def submission_owner(path: str) -> tuple[str, str] | None:
    """(student id, lab) that a downloaded file's path names, or None if it follows neither naming rule."""
    match = SUBMISSION_NAME.search(path.replace(os.sep, "/"))
    return (match["student_id"], match["lab"]) if match else None


class SubmissionCollector(FileNameCollectorPlugin):
    """``nbgrader zip_collect`` plugin implementing :data:`SUBMISSION_NAME` (so a zip named after the student
    that holds the lab's notebook is collected, not skipped)."""

    def collect(self, submitted_file):
        owner = submission_owner(submitted_file)
        if owner is None:
            self.log.warning("Skipped %s: name it <student_id>_<lab>.ipynb, or zip it as <student_id>_<lab>.zip",
                             submitted_file)
            return None
        # The file's modification time (the LMS download keeps the upload time) becomes the submission's
        # timestamp.txt, which nbgrader's release_feedback needs for every student it returns feedback to.
        modified = datetime.datetime.fromtimestamp(os.path.getmtime(submitted_file), datetime.timezone.utc)
        return {"student_id": owner[0], "file_id": f"{owner[1]}.ipynb", "timestamp": modified}
