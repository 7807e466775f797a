import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def pytest_collection_modifyitems(items):
    """Spread the work over pytest-xdist's workers (`--dist loadgroup`): the cells of one notebook (nbval) must run
    in one kernel, so they form one group; each lab's grading tests share one autograded class, so they form one
    group per lab; everything else is grouped by file."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        group = params.get("lab") if "lab" in params else str(item.fspath)
        item.add_marker(pytest.mark.xdist_group(str(group)))
