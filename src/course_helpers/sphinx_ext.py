"""A small Sphinx extension with what the book build needs from ``course_helpers``.

* serves ``course-figures.js``, ``course-quiz.js``, ``course-theme-fix.js`` (the sidebar buttons) and
  ``course.css`` from the package's ``static/`` folder;
* registers the book's citation style (``course_helpers.citations``: "Author, year" labels with a, b for two
  works of one author in one year) and gives the letters over the whole bibliography;
* copies ``plotly.min.js`` from the installed plotly package into the book's ``_static`` once, so that every
  figure is drawn by the same file the reader's browser caches (no CDN, nothing inlined per page);
* puts the released assignment notebooks (``course_helpers.release``: public letters, no solution, no hidden
  test) in the book's ``assignments/`` folder, and gives chapters the ``course-assignment`` directive that links
  to one for download and opens it on Binder.

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from urllib.parse import quote

import plotly
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import citations, release

LOG = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


def plotly_js() -> Path:
    """The plotly.js bundled with the installed plotly package (the same version the figures were made with)."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))
    app.add_js_file("course-figures.js", loading_method="defer")
    app.add_js_file("course-quiz.js", loading_method="defer")
    app.add_js_file("course-theme-fix.js", loading_method="defer")
    app.add_css_file("course.css")


def _copy_plotly(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "plotly.min.js"
    source = plotly_js()
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _static_outdated(app, env, added, changed, removed) -> list[str]:
    """Sphinx copies static files only when some page is rebuilt: when only our CSS or JS changed, rebuild the
    root page so that the new files are copied (otherwise the book keeps serving the old ones)."""
    if app.builder.format != "html":
        return []
    out = Path(app.outdir) / "_static"
    for source in STATIC.iterdir():
        target = out / source.name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            return [app.config.root_doc]
    return []


def _release(app) -> None:
    root = Path(app.srcdir)
    cache = Path(app.outdir).parent / "public-release"
    try:
        app.env.course_released = {
            slug: str(path) for slug, path in release.public_notebooks(root, cache, log=LOG.info).items()
        }
    except release.ReleaseError as error:
        raise RuntimeError(str(error)) from None


def _copy_released(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for slug, path in getattr(app.env, "course_released", {}).items():
        target = Path(app.outdir) / "assignments" / f"{slug}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def binder_link(app, slug: str) -> str | None:
    """The Binder address that opens the released notebook ``slug`` in the readers' repository, or None."""
    options = app.config.html_theme_options or {}
    url = (options.get("repository_url") or "").rstrip("/")
    hub = ((options.get("launch_buttons") or {}).get("binderhub_url") or "").rstrip("/")
    if not url.startswith("https://github.com/") or not hub:
        return None
    owner_repo = url.removeprefix("https://github.com/")
    branch = options.get("repository_branch") or "main"
    path = quote(f"lab/tree/assignments/{slug}/{slug}.ipynb", safe="")
    return f"{hub}/v2/gh/{owner_repo}/{branch}?urlpath={path}"


class AssignmentDirective(SphinxDirective):
    """``:::{course-assignment} <slug>``: download the released notebook, or open it on Binder."""

    required_arguments = 1

    def run(self):
        slug = self.arguments[0]
        if slug not in release.SLUGS:
            raise self.error(f"unknown assignment {slug!r}; the assignments are: {', '.join(release.SLUGS)}")
        depth = self.env.docname.count("/")
        href = "../" * depth + f"assignments/{slug}.ipynb"
        parts = [
            f'<a class="btn btn-sm course-assignment-download" href="{html.escape(href)}" '
            f'download="{html.escape(slug)}.ipynb">Download the assignment ({html.escape(slug)}.ipynb)</a>'
        ]
        binder = binder_link(self.env.app, slug)
        if binder:
            parts.append(
                f'<a class="btn btn-sm course-assignment-binder" href="{html.escape(binder)}">'
                "Open it on Binder (in your browser, nothing to install)</a>"
            )
        return [nodes.raw("", f'<p class="course-assignment">{" ".join(parts)}</p>', format="html")]


def _load_citations(app, config) -> None:
    citations.load(Path(app.srcdir) / name for name in config.bibtex_bibfiles)


def setup(app):
    citations.register()  # before sphinxcontrib-bibtex looks the styles up by name (see _config.yml)
    app.connect("config-inited", _load_citations)
    app.setup_extension("course_helpers.pagefix")  # privacy, page weight and accessibility of each page
    app.connect("builder-inited", _add_static)
    app.connect("builder-inited", _release)
    app.connect("build-finished", _copy_released)
    app.add_directive("course-assignment", AssignmentDirective)
    app.connect("build-finished", _copy_plotly)
    app.connect("env-get-outdated", _static_outdated)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
