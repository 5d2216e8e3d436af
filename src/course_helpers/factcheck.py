"""Fact-check boxes built from ``data/claims.csv``: what the essay says, what the sources say, and a verdict.

A chapter's boxes are grouped by the claims' ``case`` (the historical case they belong to), in the chapter's own
order: the order in which the cases first appear among the section's rows, or the order given by ``cases=``.
Each group has a heading.  The boxes that correct or qualify the essay are shown; the confirmations are folded
in one ``<details>`` per group, so the page is not buried under boxes that only say "the essay is right".

>>> from course_helpers import factcheck
>>> factcheck.show("precision-of-terms")
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from . import data as course_data
from .schemas import SECTIONS

VERDICT_STYLE = {
    "confirmed": ("tip", "Confirmed"),
    "qualified": ("note", "Qualified"),
    "contradicted": ("warning", "Contradicted"),
}
SHOWN = ("contradicted", "qualified")  # verdicts that correct or qualify the essay: always in view
OTHER = "Other claims"  # the group of claims with no case


@dataclass(frozen=True)
class Group:
    case: str
    claims: pd.DataFrame

    @property
    def shown(self) -> pd.DataFrame:
        return self.claims[self.claims["verdict"].isin(SHOWN)]

    @property
    def folded(self) -> pd.DataFrame:
        return self.claims[~self.claims["verdict"].isin(SHOWN)]

    def summary(self) -> str:
        """The label of the folded confirmations: "3 more claims the sources confirm"."""
        n = len(self.folded)
        more = "more " if len(self.shown) else ""
        return f"{n} {more}claim{'' if n == 1 else 's'} the sources confirm"


@dataclass(frozen=True)
class FactChecks:
    section: str
    claims: pd.DataFrame
    sources: pd.DataFrame
    cases: tuple[str, ...] = ()

    @property
    def groups(self) -> list[Group]:
        """One group per case, in the chapter's order; claims with no case last, as "Other claims"."""
        case = self.claims["case"].fillna("").str.strip()
        order = list(self.cases) + [c for c in dict.fromkeys(case) if c and c not in self.cases]
        if (case == "").any():
            order.append("")
        return [Group(c or OTHER, self.claims[case == c]) for c in order if (case == c).any()]

    def _box(self, c: pd.Series) -> str:
        kind, label = VERDICT_STYLE[c["verdict"]]
        cites = "; ".join(_cite(self.sources.loc[s]) for s in c["source_ids"].split(";"))
        return (
            f'<aside class="admonition {kind} course-factcheck" aria-label="Fact check: {label}">'
            f'<p class="admonition-title">Fact check: {label.lower()}</p>'
            f"<p><strong>The essay:</strong> {html.escape(c['claim'])}</p>"
            f"<p><strong>The sources:</strong> {html.escape(c['finding'])}</p>"
            f'<p class="course-factcheck-sources"><strong>Sources:</strong> {cites}</p></aside>'
        )

    def _repr_html_(self) -> str:
        counts = self.claims["verdict"].value_counts()
        parts = [
            f'<div class="course-factchecks" data-section="{html.escape(self.section)}">',
            f'<p class="course-factcheck-count">{_count_sentence(counts)}</p>',
        ]
        for group in self.groups:
            anchor = f"factcheck-{self.section}-{_slug(group.case)}"
            parts.append(
                f'<section class="course-factcheck-case" aria-labelledby="{anchor}">'
                f'<h3 id="{anchor}" class="course-factcheck-heading">{html.escape(group.case)}</h3>'
            )
            parts += [self._box(c) for _, c in group.shown.iterrows()]
            if len(group.folded):
                parts.append(
                    f'<details class="course-factcheck-more"><summary>{group.summary()}</summary>'
                    + "".join(self._box(c) for _, c in group.folded.iterrows())
                    + "</details>"
                )
            parts.append("</section>")
        parts.append("</div>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        lines = []
        for group in self.groups:
            lines.append(f"== {group.case} ==")
            lines += [
                f"Fact check ({c['verdict']}): the essay: {c['claim']} The sources: {c['finding']}"
                for _, c in pd.concat([group.shown, group.folded]).iterrows()
            ]
        return "\n\n".join(lines)


def _count_sentence(counts: pd.Series) -> str:
    total = int(counts.sum())
    parts = [
        f"{int(counts.get(v, 0))} {word}"
        for v, word in (
            ("contradicted", "contradicted"),
            ("qualified", "qualified"),
            ("confirmed", "confirmed"),
        )
        if counts.get(v, 0)
    ]
    checked = f"{total} claim{'' if total == 1 else 's'} of the essay checked against the sources"
    return f"{checked}: {', '.join(parts)}. Open a folded list to see the confirmed ones."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "case"


def _from_section(row: pd.Series) -> str:
    return f"(in \u201c{SECTIONS[row['section']]}\u201d) {row['claim']}"


def _cite(row: pd.Series) -> str:
    text = f"{html.escape(row['author'] or row['publisher'])} ({row['year']}), <em>{html.escape(row['title'])}</em>"
    if row["pages"]:
        text += f", {html.escape(row['pages'])}"
    if row["url"]:
        text = f'<a href="{html.escape(row["url"])}">{text}</a>'
    return text


def show(
    section: str,
    *,
    also: Sequence[str] = (),
    cases: Sequence[str] = (),
    claims: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
) -> FactChecks:
    """Every claim of the essay section ``section`` that the sources confirm, qualify or contradict, followed by
    the claims named in ``also`` (ids in data/claims.csv) that another section makes but this chapter discusses.

    The boxes are grouped by case; ``cases`` puts the named cases first, in that order (the others follow in
    the order of the table).  ``claims`` and ``sources`` replace the tables (for tests)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown essay section {section!r}; the sections are: {', '.join(SECTIONS)}")
    everything = course_data.load("claims") if claims is None else claims
    unknown = [c for c in also if c not in set(everything["id"])]
    if unknown:
        raise ValueError(f"no claim with id {', '.join(map(repr, unknown))} in data/claims.csv")
    chosen = everything[everything["section"] == section]
    if chosen.empty:
        raise ValueError(f"data/claims.csv has no claim for the section {section!r}")
    extra = everything[everything["id"].isin(list(also)) & (everything["section"] != section)]
    extra = extra.assign(claim=[_from_section(row) for _, row in extra.iterrows()])
    chosen = pd.concat([chosen, extra], ignore_index=True)
    known = set(chosen["case"].fillna("").str.strip())
    missing = [c for c in cases if c not in known]
    if missing:
        raise ValueError(
            f"no claim of this chapter has the case {', '.join(map(repr, missing))}; "
            f"its cases are: {', '.join(sorted(k for k in known if k))}"
        )
    sources = course_data.load("sources") if sources is None else sources
    return FactChecks(section, chosen, sources.set_index("id"), tuple(cases))
