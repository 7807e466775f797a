"""The JupyterHub recipe (deploy/jupyterhub/, INSTRUCTORS.md "A class on one server"), run end to end: a hub on
127.0.0.1 with two throwaway Unix users as students, the course's Python exposed read-only under /opt, the exchange
set site-wide; the instructor releases, the students fetch and submit through their own servers' Assignment List
API, the instructor collects, autogrades and releases feedback, the students fetch it. Also: students have no
formgrader and cannot list each other's homes.

It needs root (it creates users, bind-mounts and writes /etc/jupyter), jupyterhub and configurable-http-proxy
(`.ci/run` installs them); elsewhere it skips and says why. Each step's time is printed (run with -s).
"""
import csv
import getpass
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import course
from conftest import ROOT

LAB = "lab04_systolic_array"
STUDENTS = ("aisyshubs1", "aisyshubs2")
BASE = Path("/srv/aisys-hub-test")
OPT = Path("/opt/aisys-hub-test")
SITE_CONFIG = Path("/etc/jupyter/nbgrader_config.py")


def why_not():
    if os.geteuid() != 0:
        return "needs root (creates users, bind mounts, /etc/jupyter)"
    if importlib.util.find_spec("jupyterhub") is None:
        return "jupyterhub is not installed (pip install -r deploy/jupyterhub/requirements.txt)"
    if not shutil.which("configurable-http-proxy"):
        return "configurable-http-proxy is not installed (npm install -g configurable-http-proxy@5.3.0)"
    for tool in ("useradd", "userdel", "chpasswd", "mount", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is not available"
    return None


pytestmark = pytest.mark.skipif(why_not() is not None, reason=str(why_not()))


def sh(*argv, **kw):
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Step:
    """Times each step of the cycle (printed at the end)."""
    def __init__(self):
        self.times = {}

    def __call__(self, name):
        step = self

        class Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                step.times[name] = time.perf_counter() - self.start
        return Timer()


def login(url, name, password):
    """A requests session logged in to the hub as ``name`` (PAM), with the user's server started."""
    import requests
    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=30)
    done = session.post(f"{url}/hub/login?next=/hub/spawn", data={
        "username": name, "password": password, "_xsrf": session.cookies.get("_xsrf", "")}, timeout=180)
    assert done.ok, f"login of {name}: {done.status_code} {done.text[:300]}"
    deadline = time.time() + 180
    while time.time() < deadline:
        # A page (not an API call) takes the browser's path: the hub's OAuth hand-over sets the server's cookies.
        page = session.get(f"{url}/user/{name}/lab", timeout=60)
        if page.ok and page.url.rstrip("/").endswith(f"/user/{name}/lab"):
            status = session.get(f"{url}/user/{name}/api/status", timeout=30)
            assert status.ok, f"{name}'s server refuses its own user: {status.status_code}"
            return session
        time.sleep(1)
    raise AssertionError(f"the server of {name} did not start: {page.status_code} {page.url} {page.text[:300]}")


def api(session, url, name, method, path, **kw):
    candidates = sorted((c for c in session.cookies if c.name == "_xsrf"), key=lambda c: (
        f"/user/{name}" in (c.path or ""), len(c.path or "")))
    xsrf = candidates[-1].value if candidates else ""
    response = session.request(method, f"{url}/user/{name}/{path}", headers={"X-XSRFToken": xsrf}, timeout=300, **kw)
    return response


def test_hub_class_cycle():
    step, password = Step(), secrets.token_urlsafe(12)
    mounts, saved_site = [], SITE_CONFIG.read_text() if SITE_CONFIG.exists() else None
    hub = None
    try:
        shutil.rmtree(BASE, ignore_errors=True)
        (BASE / "hub").mkdir(parents=True)
        with step("create two students (home folders 0700)"):
            for name in STUDENTS:
                subprocess.run(["userdel", "-r", name], capture_output=True)
                sh("useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash", name)
                sh("chpasswd", input=f"{name}:{password}\n")
        with step("expose the course's Python, aisys and data read-only under /opt"):
            for source, target in ((Path(sys.base_prefix), OPT / "python"), (ROOT / "aisys", OPT / "course" / "aisys"),
                                   (ROOT / "data", OPT / "course" / "data")):
                target.mkdir(parents=True, exist_ok=True)
                sh("mount", "--bind", str(source), str(target))
                mounts.append(target)
                sh("mount", "-o", "remount,bind,ro", str(target))
        with step("site-wide exchange"):
            sh(sys.executable, "tools/course.py", "exchange", str(BASE / "exchange"), "--site", cwd=ROOT)
        course_dir = BASE / "course"
        course_dir.mkdir(mode=0o700)
        shutil.copy(ROOT / "nbgrader_config.py", course_dir)
        for folder in ("tools", f"solutions/{LAB}", f"labs/{LAB}"):
            shutil.copytree(ROOT / folder, course_dir / folder)
        with open(course_dir / "students.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "first_name", "last_name", "email"])
            for name in STUDENTS:
                writer.writerow([name, name, "Student", f"{name}@example.edu"])

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # This machine's Python finds libpython through an absolute RUNPATH under /root, which other users cannot
        # read; a launcher points the loader at the exposed copy (a venv under /opt needs none of this).
        python = OPT / "bin" / "python"
        python.parent.mkdir(parents=True, exist_ok=True)
        python.write_text(f"#!/bin/sh\nLD_LIBRARY_PATH={OPT / 'python' / 'lib'} exec "
                          f"{OPT / 'python' / 'bin' / Path(sys.executable).name} \"$@\"\n")
        python.chmod(0o755)
        env = {**os.environ, "AISYS_HUB_URL": url, "AISYS_HUB_STATE": str(BASE / "hub"), "AISYS_PYTHON": str(python),
               "AISYS_DATA": str(OPT / "course" / "data"), "AISYS_PYTHONPATH": str(OPT / "course"),
               "AISYS_ROSTER": str(course_dir / "students.csv"), "AISYS_INSTRUCTORS": getpass.getuser()}
        with step("start the hub"):
            hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f",
                                    str(ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py")],
                                   cwd=BASE / "hub", env=env, stdout=open(BASE / "hub" / "hub.log", "w"),
                                   stderr=subprocess.STDOUT)
            import requests
            deadline = time.time() + 90
            while time.time() < deadline:
                try:
                    if requests.get(f"{url}/hub/api", timeout=5).ok:
                        break
                except requests.ConnectionError:
                    pass
                time.sleep(0.5)
            else:
                raise AssertionError("the hub did not start:\n" + (BASE / "hub" / "hub.log").read_text()[-3000:])

        def nbgrader(*args):
            return sh(sys.executable, "-m", "nbgrader", *args, cwd=course_dir)

        with step("instructor: gradebook, generate, release"):
            nbgrader("db", "student", "import", "students.csv")
            nbgrader("db", "assignment", "add", LAB)
            nbgrader("generate_assignment", LAB, "--force")
            nbgrader("release_assignment", LAB)
        sessions = {}
        with step("students: log in (servers spawn)"):
            for name in STUDENTS:
                sessions[name] = login(url, name, password)
        solved = course.read(course.solution_notebook(LAB))
        with step("students: fetch, work, submit through the Assignment List API"):
            for name, session in sessions.items():
                fetched = api(session, url, name, "POST", "assignments/fetch",
                              data={"course_id": "aisys-labs", "assignment_id": LAB})
                assert fetched.ok and json.loads(fetched.text)["success"], fetched.text[:500]
                got = api(session, url, name, "GET", f"api/contents/{LAB}/{LAB}.ipynb")
                assert got.ok, got.text[:300]
                if name == STUDENTS[0]:
                    put = api(session, url, name, "PUT", f"api/contents/{LAB}/{LAB}.ipynb",
                              json={"type": "notebook", "format": "json", "content": solved})
                    assert put.ok, put.text[:300]
                submitted = api(session, url, name, "POST", "assignments/submit",
                                data={"course_id": "aisys-labs", "assignment_id": LAB})
                assert submitted.ok and json.loads(submitted.text)["success"], submitted.text[:500]
        with step("students have no formgrader and cannot list each other's homes"):
            for name, session in sessions.items():
                assert api(session, url, name, "GET", "formgrader").status_code == 404
            other = subprocess.run(["runuser", "-u", STUDENTS[0], "--", "ls", f"/home/{STUDENTS[1]}"],
                                   capture_output=True, text=True)
            assert other.returncode != 0 and "Permission denied" in other.stderr
        with step("instructor: collect, autograde (2 workers), report"):
            nbgrader("collect", LAB)
            sh(sys.executable, "tools/course.py", "autograde", LAB, "--workers", "2", cwd=course_dir)
            sh(sys.executable, "tools/course.py", "report", LAB, cwd=course_dir)
        rows = {r["student"]: r for r in csv.DictReader(open(course_dir / "reports" / f"{LAB}.csv"))}
        assert float(rows[STUDENTS[0]]["score"]) == float(rows[STUDENTS[0]]["max_score"]) > 0, rows
        assert float(rows[STUDENTS[1]]["score"]) == 0, rows
        with step("instructor: generate and release feedback"):
            nbgrader("generate_feedback", LAB)
            nbgrader("release_feedback", LAB)
        with step("students: fetch feedback"):
            for name, session in sessions.items():
                done = api(session, url, name, "POST", "assignments/fetch_feedback",
                           data={"course_id": "aisys-labs", "assignment_id": LAB})
                assert done.ok and json.loads(done.text)["success"], done.text[:500]
                listing = api(session, url, name, "GET", f"api/contents/{LAB}/feedback").json()
                [stamp] = listing["content"]
                page = api(session, url, name, "GET", f"files/{LAB}/feedback/{stamp['name']}/{LAB}.html")
                assert page.ok and "hidden tests run here" in page.text
        print("\nJupyterHub class cycle, seconds per step:")
        for name, seconds in step.times.items():
            print(f"  {name:<68} {seconds:6.1f}")
    finally:
        if hub is not None:
            hub.terminate()
            try:
                hub.wait(timeout=60)
            except subprocess.TimeoutExpired:
                hub.kill()
        for name in STUDENTS:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "-r", name], capture_output=True)
        for target in reversed(mounts):
            subprocess.run(["umount", str(target)], capture_output=True)
        if not any(os.path.ismount(target) for target in mounts):   # never delete through a live bind mount
            shutil.rmtree(OPT, ignore_errors=True)
        shutil.rmtree(BASE, ignore_errors=True)
        if saved_site is None:
            SITE_CONFIG.unlink(missing_ok=True)
        else:
            SITE_CONFIG.write_text(saved_site)
