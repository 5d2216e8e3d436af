"""Every chapter of the built book has every part of the skeleton (read from the built HTML)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from course_helpers import outline

pytestmark = pytest.mark.build

SECTION_CHAPTERS = list(outline.SECTION_CHAPTERS)
ALL_CHAPTERS = list(outline.ALL_CHAPTERS)


def page(built_book, slug: str) -> BeautifulSoup:
    return BeautifulSoup(
        (built_book / "chapters" / f"{slug}.html").read_text(encoding="utf-8"), "html.parser"
    )


def section(soup: BeautifulSoup, heading_starts: str):
    for h2 in soup.select("section > h2"):
        # the book numbers sections ("1.2. Learning objectives"); match the words after the number
        if re.sub(r"^[\d.]+\s*", "", h2.get_text(" ", strip=True)).startswith(heading_starts):
            return h2.parent
    raise AssertionError(f"no section headed {heading_starts!r}")


@pytest.mark.parametrize("slug", ALL_CHAPTERS)
def test_chapter_has_every_part_of_the_skeleton(built_book, slug):
    soup = page(built_book, slug)
    main = soup.select_one("main") or soup
    text = main.get_text(" ", strip=True)
    assert "Before you read" in text, "no 'Before you read' box"
    assert "cosmonautmag.com/2021/02/create-a-mass-party" in str(main), "no link to the essay"

    objectives = section(soup, "Learning objectives").select("ol > li")
    assert 3 <= len(objectives) <= 5, f"{len(objectives)} learning objectives"
    for li in objectives:
        assert "understand" not in li.get_text().lower(), (
            "an objective says 'understand': use a checkable verb"
        )

    section(soup, "The argument in brief")
    questions = section(soup, "Discussion questions").select("li")
    assert len(questions) >= 6, f"only {len(questions)} discussion questions"
    for tier in ("Recall", "Interpretation", "Debate"):
        assert tier in section(soup, "Discussion questions").get_text(), f"no {tier} tier"

    quiz = main.select_one(".course-quiz")
    assert quiz is not None, "no self-check quiz"
    assert len(quiz.select(".course-q")) >= 5
    for q in quiz.select(".course-q"):
        explanations = q.select(".course-explanations [data-option]")
        assert len(explanations) == len(q.select("input[type=radio]")), "an option without an explanation"

    glossary_links = [a for a in main.select("a[href]") if "glossary.html#term-" in a["href"]]
    assert len(glossary_links) >= 3, "key terms should link to the glossary"
    for heading in ("Key terms", "Summary", "Further reading", "Assignment"):
        section(soup, heading)


@pytest.mark.parametrize("slug", SECTION_CHAPTERS)
def test_section_chapter_has_a_figure_and_a_fact_check(built_book, slug):
    main = page(built_book, slug).select_one("main")
    assert main.select(".course-figure .course-plot"), "no interactive figure"
    for figure in main.select(".course-figure"):
        assert figure.select_one("figcaption"), "a figure without a caption"
        assert figure.select_one("details table"), "a figure without its data table"
    assert main.select(".course-factcheck"), "no fact-check box"
