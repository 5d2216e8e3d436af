"""What the live explorers do, without any widget: the choices a learner is offered and what each choice shows.

``course_helpers.widgets`` draws these as ipywidgets controls in JupyterLab or Binder; everything that can be
wrong (which countries have events, what "all" means, what an empty choice shows, how an answer is marked) lives
here, in plain functions the tests call directly.  A choice never raises at the learner: when nothing matches,
the view is a sentence saying so.

    from course_helpers import explore
    explore.timeline_choices()["countries"]      # [("All countries", "all"), ("China (7 events)", "China"), ...]
    explore.timeline_view("role-of-cadre", "China")  # no such event: a sentence saying so, not an error
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from . import charts
from . import data as course_data
from . import quiz as course_quiz
from .schemas import SECTIONS

ALL = "all"


def _sections_of(value: str) -> list[str]:
    return [s for s in str(value).split(";") if s]


def timeline_choices(events: pd.DataFrame | None = None) -> dict[str, list[tuple[str, str]]]:
    """The drop-down choices of the timeline explorer: ``(label, value)`` pairs, "all" first, each with its count."""
    events = course_data.load("events") if events is None else events
    counts = events["country"].value_counts()
    countries = [(f"{c} ({n} event{'s' if n != 1 else ''})", c) for c, n in sorted(counts.items())]
    sections = []
    for key, label in SECTIONS.items():
        n = int(events["section"].map(lambda s, k=key: k in _sections_of(s)).sum())
        if n:
            sections.append((f"{label} ({n} event{'s' if n != 1 else ''})", key))
    return {
        "countries": [("All countries", ALL), *countries],
        "sections": [("All essay sections", ALL), *sections],
    }


def timeline_view(
    section: str = ALL,
    country: str = ALL,
    *,
    events: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
):
    """The timeline for one choice: a figure, or a sentence when no event matches (never an exception)."""
    section_arg = None if section in (ALL, None) else section
    country_arg = None if country in (ALL, None) else country
    try:
        return charts.timeline(section_arg, country=country_arg, events=events, sources=sources)
    except ValueError as exc:
        if "no events match" not in str(exc):
            raise
        where = " and ".join(
            part
            for part in (
                f"the essay section {SECTIONS.get(section_arg, section_arg)!r}" if section_arg else "",
                f"{country_arg}" if country_arg else "",
            )
            if part
        )
        return f"No event in the course's data matches {where}. Choose another country or section."


def membership_choices(
    membership_rows: pd.DataFrame | None = None, organisation_rows: pd.DataFrame | None = None
) -> list[tuple[str, str]]:
    """Organisations that have at least one sourced membership figure, as ``(label, id)``, by country then name."""
    rows = course_data.load("membership") if membership_rows is None else membership_rows
    orgs = course_data.load("organisations") if organisation_rows is None else organisation_rows
    counted = rows["organisation_id"].value_counts()
    orgs = orgs[orgs["id"].isin(counted.index)].sort_values(["country", "short_name"])
    return [
        (
            f"{o['short_name']} ({o['country']}, {counted[o['id']]} figure{'s' if counted[o['id']] != 1 else ''})",
            o["id"],
        )
        for _, o in orgs.iterrows()
    ]


def membership_years(membership_rows: pd.DataFrame | None = None) -> tuple[int, int]:
    """The first and last year with a membership figure (the range of the explorer's year slider)."""
    rows = course_data.load("membership") if membership_rows is None else membership_rows
    years = rows["date_value"].dt.year
    return int(years.min()), int(years.max())


def membership_view(organisations: Iterable[str], start: int | None = None, end: int | None = None, **tables):
    """The membership chart for a choice of organisations and years, or a sentence saying what is missing."""
    wanted = list(organisations)
    if not wanted:
        return "Choose at least one organisation to draw its membership."
    try:
        return charts.membership(wanted, start=start, end=end, **tables)
    except ValueError as exc:
        message = str(exc)
        if message.startswith("no membership figures for"):
            who = message.removeprefix("no membership figures for ").split(" in this period")[0]
            return (
                f"The course has no sourced membership figure for {who} between {start} and {end}. "
                "Widen the years or choose another organisation."
            )
        raise


@dataclass(frozen=True)
class Feedback:
    correct: bool
    text: str


def mark(quiz: course_quiz.Quiz, question_id: str, choice: str | None) -> Feedback:
    """The feedback for one answer, worded as in the static book's self-check."""
    question = next((q for q in quiz.questions if q.id == question_id), None)
    if question is None:
        raise ValueError(f"the self-check {quiz.chapter!r} has no question {question_id!r}")
    if not choice:
        return Feedback(False, "Choose one of the answers first.")
    right, why = question.mark(choice)
    return Feedback(
        right, ("Correct. " if right else "Not quite. ") + why + ("" if right else " Try another answer.")
    )


def progress(quiz: course_quiz.Quiz, answers: dict[str, str]) -> str:
    """The progress line under a self-check, from the answers given so far (question id to option key)."""
    done = {q.id: answers[q.id] for q in quiz.questions if answers.get(q.id)}
    right = sum(1 for q in quiz.questions if q.id in done and q.mark(done[q.id])[0])
    if not done:
        return 'Choose an answer and press "Check" to see how you did.'
    return f"You have answered {len(done)} of {len(quiz.questions)} questions; {right} correctly."
