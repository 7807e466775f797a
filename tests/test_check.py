"""The students' self-check command, run as README shows it, on one lab: the reference scores full marks, the
untouched notebook zero, and the hard-coded cheat less than full; nothing it prints is hidden-test source."""
import json
import re
import subprocess
import sys

import course
from conftest import ROOT

LAB = "lab04_systolic_array"


def readme_command():
    text = (ROOT / "README.md").read_text()
    return re.search(r"<!-- check-command -->\s*```bash\n(.+?)\n```", text, re.S).group(1).strip()


def check(notebook, tmp_path):
    command = readme_command().replace("labs/lab01_roofline/lab01_roofline.ipynb", str(notebook))
    argv = [sys.executable if word == "python" else word for word in command.split()]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_check_command_grades_like_the_instructor_and_hides_hidden_tests(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("cheat", ROOT / "tests" / "cheats" / LAB / "hardcoded.py")
    cheat = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cheat)
    cheating = course.read(course.release_notebook(LAB))
    for cell in cheating["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in cheat.CELLS:
            cell["source"] = cheat.CELLS[grade_id]
    course.write(cheating, tmp_path / f"{LAB}.ipynb")
    hidden = set()
    for cell in course.read(course.solution_notebook(LAB))["cells"]:
        inside = False
        for line in course.source(cell).splitlines():
            if "HIDDEN TESTS" in line:
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 20 and not line.strip().startswith("#"):
                hidden.add(line.strip())
    outputs = {"reference": check(course.solution_notebook(LAB), tmp_path),
               "untouched": check(course.release_notebook(LAB), tmp_path),
               "cheat": check(tmp_path / f"{LAB}.ipynb", tmp_path)}
    scores = {name: re.search(rf"{LAB}: ([\d.]+) / ([\d.]+) points", out).groups() for name, out in outputs.items()}
    assert scores["reference"][0] == scores["reference"][1]
    assert float(scores["untouched"][0]) == 0
    assert 0 < float(scores["cheat"][0]) < float(scores["cheat"][1])
    assert "FAIL" in outputs["cheat"] and "AssertionError" in outputs["cheat"]
    cheat_text = json.dumps(cheat.CELLS)
    for name, out in outputs.items():
        leaked = [line for line in hidden if line in out and line not in cheat_text]
        assert not leaked, f"the check of the {name} notebook printed hidden-test lines: {leaked[:3]}"
