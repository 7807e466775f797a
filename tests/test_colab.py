"""The Colab setup cell: inert off Colab; on (a faked) Colab it clones the course and installs
what Colab lacks; the repository address lives only in aisys/colab.py."""
import subprocess
import sys
import types

import pytest

import course
from aisys import colab
from conftest import ROOT


def run_cell(monkeypatch, on_colab, course_present=False):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    monkeypatch.setattr("os.path.isdir", lambda path: course_present)
    monkeypatch.setattr(sys, "path", list(sys.path))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(colab.SETUP_CELL, "<setup cell>", "exec"), {})
    return calls


def test_setup_cell_does_nothing_off_colab(monkeypatch):
    before = list(sys.path)
    assert run_cell(monkeypatch, on_colab=False) == []
    assert sys.path == before


def test_setup_cell_on_colab_clones_and_installs(monkeypatch):
    calls = run_cell(monkeypatch, on_colab=True)
    commands = [cmd for cmd, _ in calls]
    assert commands[0][:2] == ["git", "clone"] and colab.REPO_URL in commands[0]
    assert commands[0][-1] == "/content/aisys-labs"
    assert commands[1][1:4] == ["-m", "pip", "install"] and set(colab.COLAB_EXTRAS) <= set(commands[1])
    assert commands[2][-2:] == ["-e", "/content/aisys-labs"]
    assert all(kw.get("check") for _, kw in calls), "a failed clone or install must stop the notebook"
    assert sys.path[0] == "/content/aisys-labs"


def test_setup_cell_on_colab_reuses_an_existing_clone(monkeypatch):
    commands = [cmd for cmd, _ in run_cell(monkeypatch, on_colab=True, course_present=True)]
    assert not any(cmd[0] == "git" for cmd in commands)
    assert len(commands) == 2


def test_repository_address_lives_in_one_place():
    """Only aisys/colab.py spells the address; notebooks carry it in the stamped cell and README's
    syllabus in links made by colab_url (both checked against aisys.colab by test_hygiene)."""
    spelled = []
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".md", ".toml", ".cfg", ".yml"} and ".git" not in path.parts and path.is_file():
            if colab.REPO in path.read_text(errors="ignore"):
                spelled.append(path.relative_to(ROOT).as_posix())
    assert set(spelled) <= {"aisys/colab.py", "README.md"} and "aisys/colab.py" in spelled, spelled


def test_stamp_is_idempotent(tmp_path):
    nb = course.read(course.lecture_notebooks()[0]) if course.lecture_notebooks() else {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T · 题"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    once = course.with_setup_cell(nb)
    assert course.with_setup_cell(once) == once
    assert course.source(once["cells"][0]) == colab.SETUP_CELL
    assert sum(course.is_setup_cell(c) for c in once["cells"]) == 1


def test_colab_installs_the_tested_versions_of_what_it_lacks():
    tested = colab.tested_versions(str(ROOT / "requirements.txt"))
    for spec in colab.COLAB_EXTRAS:
        name, version = spec.split("==")
        assert tested[name.lower().replace("_", "-")] == version, f"{spec} differs from requirements.txt"
    assert not any(spec.startswith("triton") for spec in colab.COLAB_EXTRAS), "Colab's PyTorch brings its own Triton"


def test_report_stack_names_every_difference(tmp_path, capsys):
    pins = tmp_path / "requirements.txt"
    pins.write_text("torch==0.0.1  # an old pin\nnumpy==%s\n" % __import__("numpy").__version__)
    assert colab.report_stack(("torch", "numpy", "no-such-package"), str(pins)) == [
        ("torch", __import__("torch").__version__, "0.0.1")]
    assert "tested: 0.0.1" in capsys.readouterr().out
    assert colab.report_stack(("numpy",), str(pins)) == []
