"""The course website: every lecture notebook with its outputs and figures, and every lab as students get it
(the release notebook), built with Sphinx and MyST-NB into static HTML.

    pip install -r site/requirements.txt
    python tools/course.py site build/site            # executes every notebook (a few minutes)
    python tools/course.py site build/site --no-execute

The build stages its sources in ``<out>/_src``: an index page (the README's introduction and the syllabus as a
table of contents), notebooks/ and labs/. Links from a notebook to a file that is not a page of the site (a data
file, an aisys module) point to the repository on GitHub. :func:`broken_links` checks every internal link of the
built site; the course's tests build it without executing and require none broken.
"""
from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import course
from course import ROOT

CONF = '''project = "AISys Labs · AI 系统实验课"
author = "AISys Labs authors (based on chenzomi12/AISystem, Apache-2.0)"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = "AISys Labs · AI 系统实验课"
html_theme_options = {{"repository_url": "https://github.com/{repo}", "use_repository_button": True,
                      "launch_buttons": {{"colab_url": "https://colab.research.google.com"}}, "path_to_docs": ""}}
nb_execution_mode = "{mode}"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type"]
'''


def _index(repo: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = LINK.sub(lambda m: f"](https://github.com/{repo}/blob/main/{m.group(1)})", readme.split("## ", 1)[0].strip())
    modules: dict[str, list[str]] = {}
    for path in course.lecture_notebooks():
        modules.setdefault(course.MODULES.get(path.parent.name, path.parent.name), []).append(
            path.relative_to(ROOT).with_suffix("").as_posix())
    parts = [intro, ""]
    for module, pages in modules.items():
        parts += ["```{toctree}", f":caption: {module}", ":maxdepth: 1", "", *pages, "```", ""]
    labs = [course.release_notebook(lab).relative_to(ROOT).with_suffix("").as_posix() for lab in course.lab_names()]
    parts += ["```{toctree}", ":caption: Labs · 实验", ":maxdepth: 1", "", *labs, "```", ""]
    return "\n".join(parts)


LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")


def _rewrite_links(nb: dict, path: Path, pages: set[Path], repo: str) -> dict:
    """Relative links to files that are not pages of the site point to the repository on GitHub instead."""
    def fix(match):
        target, _, anchor = match.group(1).partition("#")
        resolved = (path.parent / unquote(target)).resolve()
        if resolved in pages:
            return match.group(0)
        try:
            rel = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            return match.group(0)
        return f"](https://github.com/{repo}/blob/main/{rel}{'#' + anchor if anchor else ''})"

    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = LINK.sub(fix, course.source(cell))
    return nb


def build(out: Path, execute: bool = True) -> Path:
    """Build the site into ``out`` (its HTML in ``out/html``); returns the HTML folder."""
    from aisys import colab
    out = Path(out).resolve()
    src = out / "_src"
    shutil.rmtree(out, ignore_errors=True)
    src.mkdir(parents=True)
    notebooks = course.lecture_notebooks() + [course.release_notebook(lab) for lab in course.lab_names()]
    pages = {p.resolve() for p in notebooks}
    for path in notebooks:
        target = src / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = _rewrite_links(course.read(path), path, pages, colab.REPO)
        course.write(nb, target)
        for extra in path.parent.iterdir():          # data files shipped beside a lab
            if extra.is_file() and extra.suffix != ".ipynb":
                shutil.copy(extra, target.parent / extra.name)
    (src / "index.md").write_text(_index(colab.REPO), encoding="utf-8")
    (src / "conf.py").write_text(CONF.format(repo=colab.REPO, mode="force" if execute else "off"), encoding="utf-8")
    html_dir = out / "html"
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(html_dir)],
                          cwd=src, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"sphinx-build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return html_dir


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(attrs[key])


def broken_links(html_dir: Path) -> list[str]:
    """Internal links of the built site whose file (or #anchor on a page) does not exist."""
    html_dir = Path(html_dir)
    parsed = {}
    for page in html_dir.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        parsed[page.resolve()] = parser
    broken = []
    static = (html_dir / "_static").resolve()
    for page, parser in parsed.items():
        if static in page.parents:       # the theme's template fragments, not pages
            continue
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(html_dir.resolve())}: {link}")
            elif parts.fragment and target in parsed and parts.fragment not in parsed[target].ids:
                broken.append(f"{page.relative_to(html_dir.resolve())}: {link} (no such anchor)")
    return sorted(set(broken))
