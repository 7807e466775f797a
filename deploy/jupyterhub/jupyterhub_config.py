"""JupyterHub for a class taking AISys Labs on one server (INSTRUCTORS.md, "A class on one server";
tested end to end by tests/test_hub.py).

Students and instructors log in with their Unix accounts (PAM): their login names are the ids in students.csv,
so the nbgrader exchange, the gradebook and the report agree on who is who. Each user's server runs the course's
Python, which must be readable by everyone (a venv under /root is not: the spawn fails with PermissionError).
Students get the Assignment List (fetch, validate, submit, fetch feedback) but not formgrader.

What a site changes is read from the environment (or edit the defaults below):

  AISYS_HUB_URL        where the hub listens           default http://127.0.0.1:8000 (put TLS in front)
  AISYS_HUB_STATE      the hub's database and secret   default /srv/jupyterhub
  AISYS_PYTHON         the course's Python             default /opt/aisys-labs/venv/bin/python
  AISYS_DATA           the course's data/ folder       default /opt/aisys-labs/data
  AISYS_PYTHONPATH     where the aisys package is      default: unset (installed in AISYS_PYTHON's environment)
  AISYS_ROSTER         students.csv (id column)        default /opt/aisys-labs/students.csv
  AISYS_INSTRUCTORS    login names with formgrader     default: none (comma separated)
"""
import csv
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub)

HERE = Path(__file__).resolve().parent
state = Path(os.environ.get("AISYS_HUB_STATE", "/srv/jupyterhub"))
state.mkdir(parents=True, exist_ok=True)
roster_file = Path(os.environ.get("AISYS_ROSTER", "/opt/aisys-labs/students.csv"))
students = set()
if roster_file.exists():
    with roster_file.open(newline="") as f:
        students = {row["id"] for row in csv.DictReader(f) if row.get("id")}
instructors = {name for name in os.environ.get("AISYS_INSTRUCTORS", "").split(",") if name}

c.JupyterHub.bind_url = os.environ.get("AISYS_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = students | instructors
c.Authenticator.admin_users = instructors

python = os.environ.get("AISYS_PYTHON", "/opt/aisys-labs/venv/bin/python")
c.Spawner.cmd = [python, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"AISYS_DATA": os.environ.get("AISYS_DATA", "/opt/aisys-labs/data")}
if os.environ.get("AISYS_PYTHONPATH"):
    c.Spawner.environment["PYTHONPATH"] = os.environ["AISYS_PYTHONPATH"]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120


def students_without_formgrader(spawner):
    """Instructors get formgrader; everyone else reads student-config/ (formgrader and create-assignment off)."""
    if spawner.user.name not in instructors:
        spawner.environment["JUPYTER_CONFIG_PATH"] = str(HERE / "student-config")


c.Spawner.pre_spawn_hook = students_without_formgrader
