"""A small Sphinx extension with what the book build needs from ``course_helpers``.

* serves ``course-figures.js``, ``course-quiz.js``, ``course-theme-fix.js`` (the sidebar buttons, search from
  disk), ``course-downloads.js`` and ``course.css`` from the package's ``static/`` folder;
* writes ``<notebook>.ipynb.js`` beside every notebook of the built book (the released assignments, the chapters'
  notebooks in ``_sources``), so that ``course-downloads.js`` can save them from a book opened from disk
  (``file://``), where browsers ignore a link's ``download`` attribute;
* registers the book's citation style (``course_helpers.citations``: "Author, year" labels with a, b for two
  works of one author in one year) and gives the letters over the whole bibliography;
* copies plotly.js's basic bundle (``book/vendor/plotly-basic.min.js``: scatter, bar and pie with every layout
  feature, a quarter of the full plotly.js, the version the plotly package targets, checksum recorded) into the
  book's ``_static`` once, so that every figure is drawn by the same file the reader's browser caches (no CDN,
  nothing inlined per page); a chart whose trace type the bundle lacks is a build warning;
* puts the released assignment notebooks (``course_helpers.book.release``: public letters, no solution, no hidden
  test) in the book's ``assignments/`` folder, and gives chapters the ``course-assignment`` directive that links
  to one for download and opens it on Binder.

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import plotly
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import citations
from . import release

LOG = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


VENDOR = Path(__file__).parent / "vendor"
PLOTLY_BUNDLE = VENDOR / "plotly-basic.min.js"
# sha256 of plotly-basic.min.js from the npm package plotly.js-basic-dist-min 4.1.1 (see book/vendor/README.md)
PLOTLY_BUNDLE_SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
PLOTLY_SERVED = "plotly-basic.min.js"  # its name in the book's _static


def plotly_js() -> Path:
    """The plotly.js the book serves: the vendored basic bundle."""
    return PLOTLY_BUNDLE


def full_plotly_js() -> Path:
    """The full plotly.js that the installed plotly package carries (what the book served before; 4.8 MB)."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def bundle_version(path: Path = PLOTLY_BUNDLE) -> str:
    """The plotly.js version in a bundle's header comment (``* plotly.js (basic - minified) v4.1.1``)."""
    with open(path, encoding="utf-8") as f:
        head = f.read(300)
    m = re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", head)
    return m.group(1) if m else ""


def bundle_trace_types(path: Path = PLOTLY_BUNDLE) -> set[str]:
    """The trace types a plotly.js bundle registers (each trace module declares ``moduleType:"trace"``)."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', text))


def trace_types(figure: dict) -> set[str]:
    """The trace types a figure uses (a trace without a type is a scatter, as in plotly.js)."""
    return {trace.get("type", "scatter") for trace in figure.get("data", [])}


def bundle_problems(path: Path = PLOTLY_BUNDLE) -> list[str]:
    """What is wrong with the vendored bundle: its checksum, or a version other than the plotly package's."""
    import plotly.offline

    problems = []
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PLOTLY_BUNDLE_SHA256:
        problems.append(f"{path.name} has sha256 {digest}, not the recorded {PLOTLY_BUNDLE_SHA256}")
    want = plotly.offline.get_plotlyjs_version()
    if bundle_version(path) != want:
        problems.append(
            f"{path.name} is plotly.js {bundle_version(path) or '(unknown)'}, but the plotly package targets {want}: "
            "see book/vendor/README.md to update it"
        )
    return problems


def _add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))
    app.add_js_file("course-figures.js", loading_method="defer")
    app.add_js_file("course-quiz.js", loading_method="defer")
    app.add_js_file("course-theme-fix.js", loading_method="defer")
    app.add_js_file("course-downloads.js", loading_method="defer")
    app.add_css_file("course.css")


def _copy_plotly(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for problem in bundle_problems():
        LOG.warning("the book's plotly.js: %s", problem)
    target = Path(app.outdir) / "_static" / PLOTLY_SERVED
    source = plotly_js()
    if not target.exists() or target.read_bytes() != source.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    stale = Path(app.outdir) / "_static" / "plotly.min.js"  # the full plotly.js an older build served
    if stale.exists():
        stale.unlink()
    _check_trace_types(Path(app.outdir))


def _check_trace_types(outdir: Path) -> None:
    """Every chart the build wrote must use only trace types the served bundle draws."""
    from .pagefix import FIGURES_DIR, figure_of_script

    known = bundle_trace_types()
    for script in sorted((outdir / FIGURES_DIR).glob("*.js")):
        used = trace_types(figure_of_script(script.read_text("utf-8")))
        if used - known:
            LOG.warning(
                "the chart in %s/%s uses trace type(s) %s, which %s does not draw (it has %s): see "
                "book/vendor/README.md",
                FIGURES_DIR,
                script.name,
                ", ".join(sorted(used - known)),
                PLOTLY_SERVED,
                ", ".join(sorted(known)),
            )


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
    """Start releasing the assignments (nbgrader, in a background process) as the build starts: it runs while
    the chapters execute, and _copy_released collects it at the end."""
    root = Path(app.srcdir)
    cache = Path(app.outdir).parent / "public-release"
    try:
        app.course_release = release.start(root, cache, log=LOG.info)
    except release.ReleaseError as error:
        raise RuntimeError(str(error)) from None


def _copy_released(app, exception) -> None:
    finish = getattr(app, "course_release", None)
    if finish is None:
        return
    app.course_release = None
    try:
        released = finish()
    except release.ReleaseError as error:
        if exception is not None:
            return  # the build failed already: that is the error to show
        raise RuntimeError(str(error)) from None
    if exception is not None or app.builder.format != "html":
        return
    for slug, path in released.items():
        target = Path(app.outdir) / "assignments" / f"{slug}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def download_script(name: str, text: str) -> str:
    """The text of ``<name>.js``: the notebook's text handed to ``courseDownload`` (course-downloads.js)."""
    return f"courseDownload({json.dumps(name)},{json.dumps(text, ensure_ascii=False)});\n"


def _write_download_scripts(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for notebook in Path(app.outdir).rglob("*.ipynb"):
        target = notebook.with_name(notebook.name + ".js")
        text = download_script(notebook.name, notebook.read_text(encoding="utf-8"))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


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


# Two extensions that jupyter-book adds do not say whether Sphinx may read pages in parallel, so Sphinx would
# read one page at a time (and warn, which fails the strict build).  Both are safe: sphinx_multitoc_numbering
# only replaces how section numbers are assigned, which Sphinx does in the main process once every page is read;
# sphinx_jupyterbook_latex only acts on LaTeX output.  (book/build.py asks for parallel reading.)
PARALLEL_SAFE = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _declare_parallel_safe(app) -> None:
    for name in PARALLEL_SAFE:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def _create_execution_cache(app, env, docnames) -> None:
    """Create myst-nb's execution cache (a SQLite database) before Sphinx starts its reading processes: two
    processes that both find it missing both create its tables, and one fails ("Unexpected error accessing
    jupyter cache")."""
    config = getattr(env, "mystnb_config", None)
    path = getattr(config, "execution_cache_path", "")
    if path and getattr(config, "execution_mode", "") == "cache":
        from jupyter_cache import get_cache

        get_cache(path).list_cache_records()


def _load_citations(app, config) -> None:
    citations.load(Path(app.srcdir) / name for name in config.bibtex_bibfiles)


def setup(app):
    citations.register()  # before sphinxcontrib-bibtex looks the styles up by name (see _config.yml)
    app.connect("config-inited", _load_citations)
    app.setup_extension("course_helpers.book.pagefix")  # privacy, page weight and accessibility of each page
    app.connect("builder-inited", _add_static)
    app.connect("builder-inited", _release)
    app.connect("builder-inited", _declare_parallel_safe)
    app.connect("env-before-read-docs", _create_execution_cache)
    app.connect("build-finished", _copy_released)
    app.connect("build-finished", _write_download_scripts, priority=700)  # after the notebooks are copied
    app.add_directive("course-assignment", AssignmentDirective)
    app.connect("build-finished", _copy_plotly)
    app.connect("env-get-outdated", _static_outdated)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
