"""Fact-check boxes built from ``data/claims.csv``: what the essay says, what the sources say, and a verdict.

>>> from course_helpers import factcheck
>>> factcheck.show("precision-of-terms")
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from . import data as course_data
from .schemas import SECTIONS

VERDICT_STYLE = {
    "confirmed": ("tip", "Confirmed"),
    "qualified": ("note", "Qualified"),
    "contradicted": ("warning", "Contradicted"),
}


@dataclass(frozen=True)
class FactChecks:
    section: str
    claims: pd.DataFrame
    sources: pd.DataFrame

    def _repr_html_(self) -> str:
        boxes = []
        for _, c in self.claims.iterrows():
            kind, label = VERDICT_STYLE[c["verdict"]]
            cites = "; ".join(_cite(self.sources.loc[s]) for s in c["source_ids"].split(";"))
            boxes.append(
                f'<aside class="admonition {kind} course-factcheck" aria-label="Fact check: {label}">'
                f'<p class="admonition-title">Fact check: {label.lower()}</p>'
                f"<p><strong>The essay:</strong> {html.escape(c['claim'])}</p>"
                f"<p><strong>The sources:</strong> {html.escape(c['finding'])}</p>"
                f'<p class="course-factcheck-sources"><strong>Sources:</strong> {cites}</p></aside>'
            )
        return "\n".join(boxes)

    def __repr__(self) -> str:
        return "\n\n".join(
            f"Fact check ({c['verdict']}): the essay: {c['claim']} The sources: {c['finding']}"
            for _, c in self.claims.iterrows()
        )


def _from_section(row: pd.Series) -> str:
    return f"(in \u201c{SECTIONS[row['section']]}\u201d) {row['claim']}"


def _cite(row: pd.Series) -> str:
    text = f"{html.escape(row['author'] or row['publisher'])} ({row['year']}), <em>{html.escape(row['title'])}</em>"
    if row["pages"]:
        text += f", {html.escape(row['pages'])}"
    if row["url"]:
        text = f'<a href="{html.escape(row["url"])}">{text}</a>'
    return text


def show(section: str, *, also: tuple[str, ...] | list[str] = ()) -> FactChecks:
    """Every claim of the essay section ``section`` that the sources confirm, qualify or contradict, followed by
    the claims named in ``also`` (ids in data/claims.csv) that another section makes but this chapter discusses."""
    if section not in SECTIONS:
        raise ValueError(f"unknown essay section {section!r}; the sections are: {', '.join(SECTIONS)}")
    everything = course_data.load("claims")
    unknown = [c for c in also if c not in set(everything["id"])]
    if unknown:
        raise ValueError(f"no claim with id {', '.join(map(repr, unknown))} in data/claims.csv")
    claims = everything[everything["section"] == section]
    if claims.empty:
        raise ValueError(f"data/claims.csv has no claim for the section {section!r}")
    extra = everything[everything["id"].isin(list(also)) & (everything["section"] != section)]
    extra = extra.assign(claim=[_from_section(row) for _, row in extra.iterrows()])
    claims = pd.concat([claims, extra], ignore_index=True)
    return FactChecks(section, claims, course_data.load("sources").set_index("id"))
