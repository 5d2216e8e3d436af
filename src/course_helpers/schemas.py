"""The declared shape of every table in ``data/``.

Each table is read as text (so that nothing is guessed by pandas) and checked with a pandera schema whose
checks carry a sentence a reader can act on.  ``data.load`` turns the checked text into typed columns.

Controlled vocabularies live here too, so the charts and the tests use the same lists.
"""

from __future__ import annotations

import re

import pandera.pandas as pa

SECTIONS = {
    "introduction": "Introduction",
    "historical-clarification": "Historical Clarification",
    "spontaneity-vs-base-building": "Spontaneity vs. Base-Building",
    "role-of-cadre": "The Role of Cadre",
    "precision-of-terms": "Precision of Terms",
    "lessons-of-history": "Lessons of History",
    "marxist-center": "The Marxist Center",
}
ORG_KINDS = (
    "party faction union federation movement mass-organisation armed-front council assembly government "
    "international publication network coalition campaign"
).split()
PRECISIONS = ("day", "month", "year")
LINK_KINDS = ("split", "merger", "renaming", "wing", "affiliate", "successor")
COUNTED = (
    "members",
    "claimed",
    "estimate",
    "delegates-represented",
    "parent-members-represented",
    "votes",
    "dues-paying",
)
VERDICTS = ("confirmed", "qualified", "contradicted")

ID_RE = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DATE_RE = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


def _col(*checks: pa.Check, required_text: bool = True) -> pa.Column:
    """A text column; ``required_text`` forbids empty cells."""
    if required_text:
        checks = (pa.Check(lambda s: s.str.strip() != "", error="is empty; it needs a value"), *checks)
    return pa.Column(str, checks=list(checks), nullable=False)


def _one_of(values) -> pa.Check:
    allowed = ", ".join(values)
    return pa.Check(lambda s: s.isin(values), error=f"must be one of: {allowed}")


def _optional_one_of(values) -> pa.Check:
    allowed = ", ".join(values)
    return pa.Check(lambda s: s.eq("") | s.isin(values), error=f"must be empty or one of: {allowed}")


def _pattern(regex: str, error: str) -> pa.Check:
    return pa.Check(lambda s: s.str.fullmatch(regex), error=error)


def _list_of(regex: str, error: str, *, optional: bool = False) -> pa.Check:
    """A ';'-separated list whose every item matches ``regex``."""
    item = re.compile(regex)

    def ok(value: str) -> bool:
        if value == "":
            return optional
        return all(item.fullmatch(part) for part in value.split(";"))

    return pa.Check(ok, element_wise=True, error=error)


SLUG = _pattern(ID_RE, "must be a lower-case id of letters, digits and hyphens (like 'kapd')")
SOURCE_IDS = _list_of(ID_RE, "must list source ids separated by ';' (every row needs at least one source)")
WHOLE = _pattern(r"\d+", "must be a whole number of 0 or more, written with digits only")
YEAR = _pattern(r"\d{4}|n\.d\.", "must be a four-digit year, or n.d. when the work gives none")


def _frame(
    columns: dict[str, pa.Column], *, unique: list[str] | None = None, checks=None
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns,
        strict=True,  # an unexpected column is an error: it would be silently ignored otherwise
        ordered=False,
        unique=unique,
        checks=checks or [],
        report_duplicates="all",
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "sources": _frame(
        {
            "id": _col(
                SLUG,
                pa.Check(lambda s: ~s.duplicated(keep="first"), error="repeats an id used in an earlier row"),
            ),
            "author": _col(
                required_text=False
            ),  # empty when the work names no author: the publisher stands in
            "title": _col(),
            "publisher": _col(),
            "year": _col(YEAR),
            "url": _col(
                pa.Check(
                    lambda s: s.eq("") | s.str.match(r"https?://"), error="must be empty or start with http"
                ),
                required_text=False,
            ),
            "pages": _col(required_text=False),
            "supports": _col(),
        },
        checks=[
            pa.Check(
                lambda df: (df["url"] != "") | (df["pages"] != ""),
                error="needs a url or pages, so a reader can check it",
            )
        ],
    ),
    "organisations": _frame(
        {
            "id": _col(
                SLUG,
                pa.Check(lambda s: ~s.duplicated(keep="first"), error="repeats an id used in an earlier row"),
            ),
            "name": _col(),
            "short_name": _col(),
            "country": _col(),
            "kind": _col(_one_of(ORG_KINDS)),
            "founded": _col(required_text=False),  # empty when no source gives a date
            "founded_precision": _col(_optional_one_of(PRECISIONS), required_text=False),
            "dissolved": _col(required_text=False),
            "dissolved_precision": _col(_optional_one_of(PRECISIONS), required_text=False),
            "source_ids": _col(SOURCE_IDS, required_text=False),
        }
    ),
    "organisation_links": _frame(
        {
            "from_id": _col(SLUG),
            "to_id": _col(SLUG),
            "kind": _col(_one_of(LINK_KINDS)),
            "date": _col(required_text=False),  # empty when no source dates the link
            "precision": _col(_optional_one_of(PRECISIONS), required_text=False),
            "source_ids": _col(SOURCE_IDS, required_text=False),
            "note": _col(required_text=False),
        }
    ),
    "events": _frame(
        {
            "id": _col(
                SLUG,
                pa.Check(lambda s: ~s.duplicated(keep="first"), error="repeats an id used in an earlier row"),
            ),
            "date": _col(),
            "precision": _col(_one_of(PRECISIONS)),
            "end_date": _col(required_text=False),
            "end_precision": _col(_optional_one_of(PRECISIONS), required_text=False),
            "title": _col(pa.Check(lambda s: s.str.len() <= 90, error="is longer than 90 characters")),
            "place": _col(required_text=False),
            "country": _col(),
            "organisations": _col(
                _list_of(ID_RE, "must list organisation ids separated by ';'", optional=True),
                required_text=False,
            ),
            "section": _col(
                _list_of(
                    "|".join(SECTIONS),
                    "must list essay sections separated by ';' (" + ", ".join(SECTIONS) + ")",
                )
            ),
            "description": _col(),
            "source_ids": _col(SOURCE_IDS, required_text=False),
        }
    ),
    "membership": _frame(
        {
            "organisation_id": _col(SLUG),
            "date": _col(),
            "precision": _col(_one_of(PRECISIONS)),
            "members_low": _col(WHOLE),
            "members_high": _col(WHOLE),
            "counted": _col(_one_of(COUNTED)),
            "source_ids": _col(SOURCE_IDS, required_text=False),
            "note": _col(required_text=False),
        }
    ),
    "claims": _frame(
        {
            "id": _col(
                SLUG,
                pa.Check(lambda s: ~s.duplicated(keep="first"), error="repeats an id used in an earlier row"),
            ),
            "section": _col(_one_of(SECTIONS)),
            # the case a fact check belongs to ("The soviets", "FAI and CNT"): boxes are grouped by it
            "case": _col(required_text=False),
            "claim": _col(),
            "finding": _col(),
            "verdict": _col(_one_of(VERDICTS)),
            "source_ids": _col(SOURCE_IDS, required_text=False),
        }
    ),
}

# Columns that hold dates, with the column that gives each one's precision.
DATE_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "organisations": [("founded", "founded_precision"), ("dissolved", "dissolved_precision")],
    "organisation_links": [("date", "precision")],
    "events": [("date", "precision"), ("end_date", "end_precision")],
    "membership": [("date", "precision")],
}
# Columns that name organisations (a ';'-list where marked True).
ORG_REFERENCES: dict[str, list[tuple[str, bool]]] = {
    "organisation_links": [("from_id", False), ("to_id", False)],
    "events": [("organisations", True)],
    "membership": [("organisation_id", False)],
}
TABLES = tuple(SCHEMAS)
