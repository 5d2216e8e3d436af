"""A small Sphinx extension with what the book build needs from ``course_helpers``.

* serves ``course-figures.js``, ``course-quiz.js``, ``course-theme-fix.js`` (the sidebar buttons) and
  ``course.css`` from the package's ``static/`` folder;
* copies ``plotly.min.js`` from the installed plotly package into the book's ``_static`` once, so that every
  figure is drawn by the same file the reader's browser caches (no CDN, nothing inlined per page).

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly

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


def setup(app):
    app.setup_extension("course_helpers.pagefix")  # privacy, page weight and accessibility of each page
    app.connect("builder-inited", _add_static)
    app.connect("build-finished", _copy_plotly)
    app.connect("env-get-outdated", _static_outdated)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
