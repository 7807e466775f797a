"""The install files agree, and CI runs exactly README's test command."""
import re

from conftest import ROOT


def pinned(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip().lstrip("- ").strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def test_requirements_and_environment_pin_the_same_set():
    req = pinned((ROOT / "requirements.txt").read_text().splitlines())
    env_text = (ROOT / "environment.yml").read_text()
    env = pinned(env_text.split("- pip:", 1)[1].splitlines())
    assert req == env, f"requirements.txt and environment.yml differ: {set(req.items()) ^ set(env.items())}"
    assert req.get("torch") == "2.13.0", "torch must stay pinned to 2.13.0 (the CPU build)"
    for needed in ("jupyterlab", "nbgrader", "nbval", "numpy", "matplotlib", "pytest", "scikit-learn",
                   "numba", "triton", "onnx", "onnxruntime", "islpy", "ml_dtypes", "tqdm"):
        assert needed in req, f"{needed} missing from requirements.txt"
    assert "python=3.11" in env_text


def readme_command(marker):
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- {marker} -->\s*```bash\n(.+?)\n```", text, re.S)
    assert found, f"README.md has no ```bash block after <!-- {marker} -->"
    return found.group(1).strip()


def test_ci_runs_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    install, tests = readme_command("install-command"), readme_command("test-command")
    assert install.startswith("pip install") and "requirements.txt" in install
    assert tests.startswith("pytest")
    # .ci/run reads both commands out of README rather than repeating them.
    assert "install-command" in ci and "test-command" in ci
    assert tests not in ci
