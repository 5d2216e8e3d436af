"""What each built page needs for the reader's privacy, its weight and its accessibility (a Sphinx extension,
set up by ``course_helpers.book.sphinx_ext``).

Measured in a browser on the built book (``tests/test_browser.py``), and fixed here as each page is written:

* **Privacy.** No page may load anything from another host.  Thebe is off (``launch_buttons: thebe: false``) but
  sphinx-thebe still adds its script, a constant naming unpkg.com (declared twice, an uncaught error on every
  page) and an inert config pointing at someone else's repository: all are dropped.  Any remaining script or
  stylesheet from another host (MathJax on a page with maths, say) is a build warning naming the page, so the
  strict build fails instead of announcing the reader to a CDN.
* **Weight.** The saved state of a chapter's ipywidgets (100 KB and more) is dropped: the book shows each
  widget's static equivalent (see ``course_helpers.widgets``) and loads no widget manager.  Each figure's JSON
  (data, hover text with sources) is moved out of the page into ``_static/figures/<hash>.js``, a one-line script
  that hands the figure to ``courseFigure(name, figure)`` (course-figures.js).  It is loaded with a ``<script>``
  tag only when the chart is about to be drawn, and cached by content, so a chapter's HTML stays small and its
  text paints first.  A script, not a JSON file read with ``fetch()``: browsers refuse ``fetch()`` for a page
  opened from disk (``file://``, a copy on a USB stick), but load scripts from the same folder.
* **Accessibility** (axe-core, WCAG 2.2 A/AA).  The sidebar's expand/collapse buttons (``<summary>`` with only an
  icon) get a name; the bibliography's entries use ``role="listitem"`` instead of the deprecated
  ``doc-biblioentry`` inside their ``role="list"``.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

FIGURE_JSON = re.compile(
    r'data-course-plot="(?P<id>[^"]+)"(?P<between>.*?)<script type="application/json" id="(?P=id)">'
    r"(?P<json>.*?)</script>",
    re.S,
)
THEBE_CONFIG = re.compile(r'<script type="text/x-thebe-config">.*?</script>\s*', re.S)
TOGGLE = re.compile(
    r'(<a class="reference internal"[^>]*>(?P<text>[^<]*)</a>\s*<details(?: open="open")?>\s*<summary>)'
    r'(?=<span class="toctree-toggle")'
)
FIGURES_DIR = "_static/figures"


def _is_thebe(asset) -> bool:
    name = str(asset.filename or "")
    body = str((asset.attributes or {}).get("body", ""))
    return "thebe" in name or "THEBE" in body


def _is_fontawesome_js(asset) -> bool:
    # pydata-sphinx-theme's CSS already carries Font Awesome's icon classes and web fonts; its 1.5 MB script
    # (540 KB gzipped, the largest download of a page without a chart) only turns the same icons into SVG.
    return str(asset.filename or "").endswith("scripts/fontawesome.js")


FONTAWESOME_TAG = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
SEARCH_TAG = re.compile(r'<script src="([^"]*(?:searchtools|language_data|searchindex)\.js)"></script>')
# Scripts that later code uses as it is parsed: the inline scripts after documentation_options.js set
# DOCUMENTATION_OPTIONS, and the search page's searchtools.js calls doctools.js's _ready at once.
KEEP_SYNC = ("documentation_options.js", "doctools.js")


def course_page_head(markup):
    """Template filter for the theme's head blocks (templates/layout.html): drop the Font Awesome script, and
    the search scripts and index the theme loads on every page for search-as-you-type, which is off
    (``search_as_you_type`` false): the search box opens search.html, which loads them itself."""
    from markupsafe import Markup

    text = FONTAWESOME_TAG.sub("", str(markup))
    return Markup(SEARCH_TAG.sub("", text))


def _deferred(asset):
    """The same script, loaded with ``defer`` so that it never delays the text (scripts with a body stay)."""
    from sphinx.builders.html._assets import _JavaScript

    attributes = dict(asset.attributes or {})
    name = str(asset.filename or "")
    if not name or "body" in attributes or name.endswith(KEEP_SYNC) or {"defer", "async"} & set(attributes):
        return asset
    attributes["defer"] = "defer"
    return _JavaScript(asset.filename, priority=asset.priority, **attributes)


def _is_widget_state(asset) -> bool:
    return (asset.attributes or {}).get("type") == "application/vnd.jupyter.widget-state+json"


def _is_remote(asset) -> bool:
    return str(asset.filename or "").startswith(("http://", "https://", "//"))


def name_toggles(toctree):
    """Give each sidebar expand/collapse control a name a screen reader can say (idempotent).

    The theme hands the sidebar out as an HTML string or as a BeautifulSoup tree; both are handled."""
    if isinstance(toctree, str):
        return TOGGLE.sub(
            lambda m: m.group(1) + f'<span class="visually-hidden">Pages in {m.group("text")}</span>', toctree
        )
    if hasattr(toctree, "select"):
        for summary in toctree.select("li > details > summary"):
            if summary.get_text(strip=True):
                continue
            link = summary.parent.parent.find("a", recursive=False)
            label = toctree.new_tag("span", attrs={"class": "visually-hidden"})
            label.string = f"Pages in {link.get_text(strip=True)}" if link else "Show or hide the pages below"
            summary.insert(0, label)
    return toctree


FIGURE_SCRIPT = re.compile(r'^courseFigure\("(?P<name>[0-9a-f]+)",(?P<json>.*)\);\n?$', re.S)


def figure_script(name: str, payload: str) -> str:
    """The text of ``_static/figures/<name>.js``: the figure's JSON (valid JavaScript) handed to
    ``courseFigure``, which course-figures.js defines before it adds the script to the page."""
    return f'courseFigure("{name}",{payload});\n'


def figure_of_script(text: str) -> dict:
    """The figure a ``_static/figures/<name>.js`` file holds (for the tests and the benchmark)."""
    import json

    m = FIGURE_SCRIPT.match(text)
    if not m:
        raise ValueError("not a course figure script: " + text[:80])
    return json.loads(m.group("json"))


def move_figure_json(body: str, write, url_for) -> str:
    """Replace each inline figure JSON with a ``data-course-src`` URL; ``write(file name, text)`` stores the
    figure's script (see :func:`figure_script`), named by its content."""

    def replace(m: re.Match) -> str:
        payload = m.group("json").replace("<\\/", "</")
        name = hashlib.sha256(payload.encode()).hexdigest()[:16]
        write(f"{name}.js", figure_script(name, payload))
        src = html_lib.escape(url_for(f"{FIGURES_DIR}/{name}.js"))
        return f'data-course-plot="{m.group("id")}" data-course-src="{src}"{m.group("between")}'

    return FIGURE_JSON.sub(replace, body)


def fix_citations(body: str) -> str:
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


def _page_context(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not assets:
            continue
        assets[:] = [a for a in assets if not (_is_thebe(a) or _is_widget_state(a) or _is_fontawesome_js(a))]
        if key == "script_files":
            assets[:] = [_deferred(a) for a in assets]
        for asset in assets:
            if _is_remote(asset):
                logger.warning(
                    "page %s would load %s from another host; the course serves everything from _static "
                    "(see course_helpers/book/pagefix.py)",
                    pagename,
                    asset.filename,
                    location=pagename,
                )

    body = context.get("body")
    if body:
        outdir = Path(app.outdir) / FIGURES_DIR

        def write(name: str, text: str) -> None:
            target = outdir / name
            if not target.exists():
                outdir.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")

        body = THEBE_CONFIG.sub("", body)
        body = move_figure_json(body, write, lambda path: context["pathto"](path, 1))
        context["body"] = fix_citations(body)

    toctree = context.get("generate_toctree_html")
    if callable(toctree) and not getattr(toctree, "_course_named", False):

        def named(*args, **kwargs):
            return name_toggles(toctree(*args, **kwargs))

        named._course_named = True
        context["generate_toctree_html"] = named


TEMPLATES = Path(__file__).parent / "templates"


def _add_templates(app, config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def _icons_stylesheet(app) -> None:
    app.add_css_file("course-icons.css")


def _write_icons(app, exception) -> None:
    """Write _static/course-icons.css for the icons the built pages use (see icons.py)."""
    if exception is not None or app.builder.format != "html":
        return
    from . import icons

    out = Path(app.outdir)
    css = icons.icon_css(icons.used_in(out.rglob("*.html")))
    target = out / "_static" / "course-icons.css"
    if not target.exists() or target.read_text(encoding="utf-8") != css:
        target.write_text(css, encoding="utf-8")


def _add_filter(app) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.filters["course_page_head"] = course_page_head
        templates.environment.filters["course_styles"] = lambda markup: _take_styles(app, markup)


def _take_styles(app, markup):
    """Template filter for the theme's css block: one link to the bundle (see styles.py) instead of ten."""
    from markupsafe import Markup

    from . import styles

    def record(sources: list[str]) -> None:
        seen = getattr(app, "_course_styles", None)
        if seen is None:
            app._course_styles = sources
        elif seen != sources:
            logger.warning(
                "pages link different stylesheets (%s, then %s); the one bundle in styles.py cannot serve both",
                " ".join(seen),
                " ".join(sources),
            )

    return Markup(styles.take_links(str(markup), record))


def _write_styles(app, exception) -> None:
    """Write _static/course-styles.css (see styles.py) and point every page at its hash."""
    if exception is not None or app.builder.format != "html":
        return
    from . import styles

    try:
        digest, before, after = styles.write_bundle(Path(app.outdir), getattr(app, "_course_styles", None))
    except styles.StyleError as error:
        logger.warning("the book's stylesheet bundle: %s", error)
        return
    logger.info(
        "course-styles.css %s: %s KB of stylesheets down to %s KB", digest, before // 1000, after // 1000
    )


def setup(app):
    app.connect("config-inited", _add_templates)
    app.connect("builder-inited", _add_filter)
    app.connect("builder-inited", _icons_stylesheet)
    app.connect("build-finished", _write_icons)
    app.connect("build-finished", _write_styles, priority=800)  # after course-icons.css is written
    # after the themes (priority 500/501) have added their assets and toctree functions
    app.connect("html-page-context", _page_context, priority=900)
    # env_version: bump when what pages link to changes, so that an existing build rewrites every page
    return {"version": "0.3", "env_version": 4, "parallel_read_safe": True, "parallel_write_safe": True}
