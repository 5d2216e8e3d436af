"""Plain language: every chapter reads at Flesch-Kincaid grade 10 or below (measured on its prose)."""

from __future__ import annotations

import pytest
from conftest import ROOT

from course_helpers import readability

# The chapters' prose; the glossary and bibliography are reference lists, not prose.
CHAPTERS = sorted(
    p
    for p in (ROOT / "chapters").glob("*.md")
    if not p.name.startswith("_") and p.stem not in {"glossary", "bibliography"}
)


def test_prose_drops_markup():
    page = (
        "---\nkernelspec: x\n---\n(chapter-x)=\n# Title\n\nA {term}`soviet <soviet>` met {cite:p}`lih-2008`. "
        "See [the essay](https://example.org).\n\n```{code-cell} ipython3\n:tags: [hide-input]\ncharts.timeline()\n```\n"
    )
    assert readability.prose(page) == "Title\nA soviet met . See the essay."


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_reads_at_grade_ten_or_below(chapter):
    grade = readability.grade(chapter)
    assert grade <= 10, f"{chapter.name} reads at grade {grade:.1f}; shorten sentences and prefer plain words"
