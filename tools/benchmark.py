"""Benchmark (not a test): how long each lecture notebook and each lab solution takes to run,
and how many submissions per minute nbgrader autogrades.

    python tools/benchmark.py                          # every notebook and lab solution
    python tools/benchmark.py notebooks/05_framework   # only paths under these prefixes
    python tools/benchmark.py --grading 6              # also: autograde 6 copies of a lab with nbgrader's own
                                                       # pipeline, and with the course's on 1 and 2 workers
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import course

BUDGET = {"notebooks": 60.0, "solutions": 90.0}


def execute(path: Path) -> float:
    """Run a notebook top to bottom in a fresh kernel (in its own folder); seconds taken."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


PLAIN_PIPELINE = """
from nbgrader.converters.autograde import Autograde
c.Autograde.sanitize_preprocessors = Autograde.class_traits()["sanitize_preprocessors"].default()
c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
"""


def grading_throughput(lab: str, copies: int, workers: int = 1, plain: bool = False) -> float:
    """Autograde ``copies`` submissions of ``lab`` (the reference solution) with ``workers`` processes;
    submissions/minute. ``plain``: nbgrader's own pipeline (no rebuild, review, watch or isolation), the
    course's grading before issue 13, for comparison."""
    import classroom
    scratch = course.ScratchCourse()
    try:
        if plain:
            with open(scratch.root / "nbgrader_config.py", "a") as f:
                f.write(PLAIN_PIPELINE)
        scratch.generate(lab)
        for i in range(copies):
            scratch.submit(lab, f"student{i:02d}", course.solution_notebook(lab))
        start = time.perf_counter()
        classroom.autograde(lab, scratch.root, workers, ("--create", "--force"))
        elapsed = time.perf_counter() - start
        scores = scratch.scores(lab)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    assert len(scores) == copies and all(s == m for s, m in scores.values()), scores
    return copies / elapsed * 60.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only run notebooks whose path starts with one of these")
    parser.add_argument("--grading", type=int, default=0, metavar="N", help="autograde N copies of a lab solution")
    parser.add_argument("--lab", default=None, help="the lab to grade with --grading (default: the fastest)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")

    paths = course.lecture_notebooks() + [course.solution_notebook(l) for l in course.lab_names()]
    rel = [p.relative_to(course.ROOT).as_posix() for p in paths]
    chosen = [(p, r) for p, r in zip(paths, rel) if not args.prefixes or any(r.startswith(x.rstrip("/")) for x in args.prefixes)]
    total, over, times = 0.0, [], {}
    print(f"{'notebook':<72} {'seconds':>8}")
    for path, name in chosen:
        seconds = execute(path)
        times[name] = seconds
        total += seconds
        budget = BUDGET[name.split("/")[0]]
        flag = "  OVER BUDGET" if seconds > budget else ""
        over += [name] if flag else []
        print(f"{name:<72} {seconds:8.1f}{flag}", flush=True)
    print(f"{'total (' + str(len(chosen)) + ' notebooks)':<72} {total:8.1f}")
    if over:
        print(f"over budget (notebook > {BUDGET['notebooks']:.0f} s, lab > {BUDGET['solutions']:.0f} s): {', '.join(over)}")
    if args.grading:
        labs = course.lab_names()
        lab = args.lab or min(labs, key=lambda l: times.get(f"solutions/{l}/{l}.ipynb", 0.0))
        for label, workers, plain in (("nbgrader's own pipeline, 1 worker", 1, True), ("course grading, 1 worker", 1, False),
                                      ("course grading, 2 workers", 2, False)):
            rate = grading_throughput(lab, args.grading, workers, plain)
            print(f"grading throughput, {label}: {rate:.1f} submissions/minute ({args.grading} copies of {lab})",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
