"""The strict book build, and the check that every figure a chapter makes is on its built page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import BOOK_OUTPUT

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
            text = (
                inline.group(1).replace("<\\/", "</") if inline else (page.parent / src.group(1)).read_text()
            )
            fig = json.loads(text)
            assert fig["data"], f"{page.name}: figure {spec_id} has no traces"
            assert fig["layout"]["title"]["text"], f"{page.name}: figure {spec_id} has no title"
        total += made
    assert total >= 2, "the chapters should make at least a timeline and a membership chart"


def test_plotly_js_is_served_once_from_static(built_book):
    from course_helpers.sphinx_ext import plotly_js

    served = built_book / "_static" / "plotly.min.js"
    assert served.read_bytes() == plotly_js().read_bytes()
    for page in built_book.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "cdn.plot.ly" not in html and "cdn.jsdelivr" not in html, page
        assert len(html) < 4_000_000, f"{page} looks like it inlines plotly.js"


def test_footer_has_our_title_author_and_year(built_book):
    html = (built_book / "index.html").read_text(encoding="utf-8")
    assert "The Party Question course authors" in html
    assert "© Copyright 2026." in html
    assert "2023" not in html
