"""Each session's handout prints on at most two pages (A4 and Letter), from Chromium's print-to-PDF."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from course_helpers import outline

pytestmark = [pytest.mark.build, pytest.mark.browser]

HANDOUTS = sorted(p.stem for p in (ROOT / "handouts").glob("*.md") if p.stem != "index")


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF ('/Type /Page', not the '/Pages' tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_pdf_page_counter():
    assert pdf_pages(b"<< /Type /Pages /Kids [1 0 R 2 0 R] >> << /Type /Page >> << /Type/Page >>") == 2


def test_every_session_has_a_handout():
    assert sorted(outline.ALL_CHAPTERS) == HANDOUTS


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("slug", HANDOUTS)
def test_handout_prints_on_two_pages_at_most(built_book, browser, slug, paper):
    page = browser.new_page()
    page.goto((built_book / "handouts" / f"{slug}.html").as_uri())
    page.emulate_media(media="print")
    pdf = page.pdf(format=paper, print_background=False)
    artifacts = ROOT / "test-artifacts" / "handouts"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{slug}-{paper}.pdf").write_bytes(pdf)
    page.close()
    pages = pdf_pages(pdf)
    assert 1 <= pages <= 2, (
        f"handouts/{slug} prints on {pages} {paper} pages; shorten it or tighten the print CSS"
    )
