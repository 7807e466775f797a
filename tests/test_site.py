"""The course website builds with README's command (here without executing the notebooks), has a page for every
lecture notebook and every lab, and none of its internal links is broken."""
import importlib.util
import re

import pytest

import course
from conftest import ROOT

pytestmark = pytest.mark.skipif(importlib.util.find_spec("myst_nb") is None,
                                reason="the site's tools are not installed (pip install -r site/requirements.txt)")


def test_site_builds_with_every_page_and_no_broken_link(tmp_path):
    import website
    command = re.search(r"<!-- site-command -->\s*```bash\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert command and "tools/course.py site" in command.group(1), "README shows no site command"
    html_dir = website.build(tmp_path / "site", execute=False)
    for path in course.lecture_notebooks() + [course.release_notebook(lab) for lab in course.lab_names()]:
        page = html_dir / path.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"no page for {path.relative_to(ROOT)}"
    index = (html_dir / "index.html").read_text()
    assert "lab01_roofline" in index and "AI 系统" in index
    assert website.broken_links(html_dir) == []
