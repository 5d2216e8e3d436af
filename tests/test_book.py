"""The strict book build, and the check that every figure a chapter makes is on its built page."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import BOOK_OUTPUT

from course_helpers.book import pagefix, sphinx_ext

pytestmark = pytest.mark.build
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def executed_notebooks() -> list[Path]:
    return sorted((BOOK_OUTPUT / "_build" / "jupyter_execute").rglob("*.ipynb"))


def test_strict_build_has_no_warnings(built_book):
    # the fixture asserts exit status 0 and no WARNING line; here, the pages exist
    for page in ["index.html", "chapters/party-question.html", "chapters/glossary.html", "search.html"]:
        assert (built_book / page).is_file(), page


def test_every_figure_a_chapter_makes_is_on_its_page(built_book):
    """myst-nb silently skips plotly's mime type unless our plugin renders it: compare the executed notebooks'
    figure outputs with the figures in the built HTML, page by page."""
    notebooks = executed_notebooks()
    assert notebooks, "no executed notebooks found: did the build execute the chapters?"
    total = 0
    for nb_path in notebooks:
        nb = nbformat.read(nb_path, as_version=4)
        made = sum(
            PLOTLY_MIME in output.get("data", {})
            for cell in nb.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
        )
        page = built_book / nb_path.relative_to(BOOK_OUTPUT / "_build" / "jupyter_execute").with_suffix(
            ".html"
        )
        html = page.read_text(encoding="utf-8")
        placeholders = re.findall(r'<div class="course-plot"[^>]*?data-course-plot="([^"]+)"([^>]*)>', html)
        assert len(placeholders) == made, (
            f"{page.name}: the notebook made {made} figures, the page has {len(placeholders)}"
        )
        for spec_id, attributes in placeholders:
            # the figure's JSON is inline, or (to keep pages light) in a file named by data-course-src
            inline = re.search(
                rf'<script type="application/json" id="{re.escape(spec_id)}">(.*?)</script>', html, re.S
            )
            src = re.search(r'data-course-src="([^"]+)"', attributes)
            assert inline or src, f"{page.name}: figure {spec_id} has no data"
            if inline:
                fig = json.loads(inline.group(1).replace("<\\/", "</"))
            else:
                fig = pagefix.figure_of_script((page.parent / src.group(1)).read_text(encoding="utf-8"))
            assert fig["data"], f"{page.name}: figure {spec_id} has no traces"
            assert fig["layout"]["title"]["text"], f"{page.name}: figure {spec_id} has no title"
        total += made
    assert total >= 2, "the chapters should make at least a timeline and a membership chart"


def test_plotly_js_is_served_once_from_static(built_book):
    """The basic bundle, once per site: at most 1.25 MB and a quarter of the full plotly.js; no CDN."""
    served = built_book / "_static" / sphinx_ext.PLOTLY_SERVED
    assert served.read_bytes() == sphinx_ext.plotly_js().read_bytes()
    assert not (built_book / "_static" / "plotly.min.js").exists(), "the full plotly.js is still served"
    size, full = served.stat().st_size, sphinx_ext.full_plotly_js().stat().st_size
    assert size <= 1_250_000 and size <= full / 4, f"plotly.js served is {size:,} bytes (full: {full:,})"
    for page in built_book.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "cdn.plot.ly" not in html and "cdn.jsdelivr" not in html, page
        assert len(html) < 4_000_000, f"{page} looks like it inlines plotly.js"


def test_vendored_plotly_bundle_is_the_recorded_file_and_version():
    """book/vendor/plotly-basic.min.js is byte for byte the file from the npm package (its sha256 recorded), for
    the plotly.js version the installed plotly package targets, with its MIT licence beside it."""
    import plotly.offline

    bundle = sphinx_ext.plotly_js()
    assert hashlib.sha256(bundle.read_bytes()).hexdigest() == sphinx_ext.PLOTLY_BUNDLE_SHA256
    assert sphinx_ext.bundle_version(bundle) == plotly.offline.get_plotlyjs_version()
    assert sphinx_ext.bundle_version(sphinx_ext.full_plotly_js()) == plotly.offline.get_plotlyjs_version()
    assert not sphinx_ext.bundle_problems()
    licence = (bundle.parent / "plotly-basic.LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Plotly" in licence
    assert sphinx_ext.PLOTLY_BUNDLE_SHA256 in (bundle.parent / "README.md").read_text(encoding="utf-8")
    assert {"scatter", "bar", "pie"} <= sphinx_ext.bundle_trace_types()
    assert sphinx_ext.bundle_trace_types() < sphinx_ext.bundle_trace_types(sphinx_ext.full_plotly_js())


def test_every_chart_uses_only_trace_types_the_bundle_draws(built_book):
    """Every figure the build wrote (_static/figures/*.js) draws with the served bundle: a chart with a map or a
    3-D trace would be a blank box.  (The build warns too; this names the chart.)"""
    known = sphinx_ext.bundle_trace_types()
    scripts = sorted((built_book / pagefix.FIGURES_DIR).glob("*.js"))
    assert scripts, "the build wrote no figure"
    for script in scripts:
        fig = pagefix.figure_of_script(script.read_text(encoding="utf-8"))
        missing = sphinx_ext.trace_types(fig) - known
        assert not missing, (
            f"{script.name} ({fig['layout']['title']['text']}) uses {missing}; the bundle has {known}"
        )
    # the check would notice one
    assert sphinx_ext.trace_types({"data": [{"type": "scattergeo"}, {"y": [1]}]}) - known == {"scattergeo"}


def test_footer_has_our_title_author_and_year(built_book):
    html = (built_book / "index.html").read_text(encoding="utf-8")
    assert "The Party Question course authors" in html
    assert "© Copyright 2026." in html
    assert "2023" not in html
