"""Spread `pytest -n 2` over pytest-xdist's workers (`--dist loadgroup`, pytest.ini) by group: the cells of one
notebook (nbval) must run in one kernel, so they form one group; each lab's grading tests share one autograded
class, so they form one group per lab; everything else is grouped by file.

This lives at the repository root so it applies whichever paths are tested, and runs before xdist's own hook
(which turns the marks into the group suffix of each test id)."""
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        group = params.get("lab") if "lab" in params else str(item.fspath)
        item.add_marker(pytest.mark.xdist_group(str(group)))
