"""The course's outline: its chapters in reading order and the essay section each one teaches.

One list that the graded assignments, the tests and the tools share (an assignment's slug is its chapter's).
"""

from __future__ import annotations

# chapter slug -> essay section it covers, in the order of the book
SECTION_CHAPTERS: dict[str, str] = {
    "party-question": "introduction",
    "historical-clarification": "historical-clarification",
    "spontaneity-and-base-building": "spontaneity-vs-base-building",
    "role-of-cadre": "role-of-cadre",
    "precision-of-terms": "precision-of-terms",
    "lessons-of-history": "lessons-of-history",
    "marxist-center": "marxist-center",
}
# chapters that are not an essay section: the position the essay answers, set out in its own terms
OTHER_CHAPTERS = ("the-other-side",)
ALL_CHAPTERS = (*SECTION_CHAPTERS, *OTHER_CHAPTERS)
