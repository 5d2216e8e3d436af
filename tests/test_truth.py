"""What a careful reader checking the sources would check (issue 13): citation labels, the reading level of the
fact-check boxes, and that every number the chapters state is in the course's data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
from pybtex.database import parse_file

from course_helpers import citations, readability
from course_helpers import data as course_data

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"
CHAPTERS = ROOT / "chapters"

# ---------------------------------------------------------------------------------------------------------------
# Citation labels

# Entries dated 2025 or later, each checked against the work itself: the year is the work's, not the year read.
RECENT_WORKS = {
    "angryworkers-2025-milan": "the article's own address is dated 2025/04/28",
    "wp-bordiga": "a Kiwix copy of the Wikipedia article as revised in June 2025",
}


@pytest.fixture(scope="module")
def entries():
    return parse_file(str(BIB), bib_format="bibtex").entries


def test_no_label_uses_the_year_it_was_read(entries):
    recent = {
        key: e.fields["year"]
        for key, e in entries.items()
        if re.fullmatch(r"\d{4}", e.fields.get("year", "")) and int(e.fields["year"]) >= 2025
    }
    unexplained = sorted(set(recent) - set(RECENT_WORKS))
    assert not unexplained, (
        "these entries are dated 2025 or later; give the work's own year, or n.d. if it shows none "
        f"(or, if the work really is that recent, add it to RECENT_WORKS with the evidence): {unexplained}"
    )
    read_year = [k for k, e in entries.items() if "year is the year read" in e.fields.get("note", "")]
    assert not read_year, f"notes still say the year is the year read: {read_year}"


def test_years_are_years_or_nd(entries):
    bad = {
        k: e.fields.get("year")
        for k, e in entries.items()
        if not re.fullmatch(r"\d{4}|n\.d\.", e.fields.get("year", ""))
    }
    assert not bad, f"a year is four digits or n.d.: {bad}"


def test_same_author_same_year_get_letters(entries):
    citations.load([BIB])
    labels = {key: citations.label(e) for key, e in entries.items()}
    clashes = {}
    for key, text in labels.items():
        clashes.setdefault(text, []).append(key)
    assert not {t: k for t, k in clashes.items() if len(k) > 1}, "two works share one label"
    assert labels["kelley-1990-hammer-hoe"] == "Kelley, 1990a"
    assert labels["kelley-1990-scu-entry"] == "Kelley, 1990b"
    assert labels["connolly-2021-mass-party"] == "Connolly, 2021"  # no letter where none is needed


def test_label_letters_on_a_tiny_fixture(tmp_path):
    bib = tmp_path / "tiny.bib"
    bib.write_text(
        "@misc{b, author = {{Wikipedia contributors}}, title = {Zeta}, year = {n.d.}}\n"
        "@misc{a, author = {{Wikipedia contributors}}, title = {Alpha}, year = {n.d.}}\n"
        "@misc{c, author = {Lih, Lars T.}, title = {Lenin}, year = {2008}}\n"
        "@misc{d, author = {Marx, Karl and Engels, Friedrich}, title = {Manifesto}, year = {1848}}\n"
    )
    citations.load([bib])
    found = {k: citations.label(e) for k, e in parse_file(str(bib)).entries.items()}
    assert found == {
        "a": "Wikipedia contributors, n.d.a",
        "b": "Wikipedia contributors, n.d.b",
        "c": "Lih, 2008",
        "d": "Marx and Engels, 1848",
    }
    citations.load([BIB])


def test_the_essays_notes_are_marked(entries):
    notes = sorted(k for k, e in entries.items() if "essay-note" in e.fields.get("keywords", ""))
    # thirteen notes; notes 6 and 12 repeat the works of notes 1 and 9
    assert len(notes) == 11, notes
    page = (CHAPTERS / "bibliography.md").read_text(encoding="utf-8")
    assert 'keywords % "essay-note"' in page and 'not keywords % "essay-note"' in page
    assert len(re.findall(r"^\d+\. ", page, flags=re.M)) == 13
    for key in notes:
        assert key in page, f"the bibliography's list of the essay's notes does not cite {key}"


# ---------------------------------------------------------------------------------------------------------------
# The fact-check boxes read at the grade the chapters keep

FACTCHECK_GRADE = 10


def _claims():
    return course_data.load("claims")


@pytest.mark.parametrize("section", sorted(set(_claims()["section"])))
def test_factcheck_prose_reads_at_grade_ten_or_below(section):
    rows = _claims()[_claims()["section"] == section]
    prose = "\n".join(f"{r['claim']} {r['finding']}" for _, r in rows.iterrows())
    grade = textstat.flesch_kincaid_grade(prose)
    hardest = sorted(
        (
            (textstat.flesch_kincaid_grade(f"{r['claim']} {r['finding']}"), r["id"])
            for _, r in rows.iterrows()
        ),
        reverse=True,
    )[:5]
    print(f"{section}: grade {grade:.1f}; hardest rows: {hardest}")
    assert grade <= FACTCHECK_GRADE, (
        f"the fact checks of {section!r} read at Flesch-Kincaid grade {grade:.1f} (at most {FACTCHECK_GRADE}); "
        f"shorten the sentences of the hardest rows first: {hardest}"
    )


# ---------------------------------------------------------------------------------------------------------------
# Every number the chapters state is in the data

NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w,]*\d)(?!%)")
YEARS = range(1800, 2031)
# Numbers a chapter may state that are not figures to check against data/, each with the reason.
NOT_FIGURES: dict[tuple[str, str], str] = {}


def numbers_in(text: str) -> set[int]:
    """Whole numbers of 100 or more written in ``text`` ("10,000", "699369"), years 1800-2030 left out."""
    found = set()
    for match in NUMBER.finditer(text):
        value = int(match.group(1).replace(",", ""))
        if value >= 100 and value not in YEARS:
            found.add(value)
    return found


def _data_numbers() -> set[int]:
    """Every number in data/: the membership figures and the numbers written in any table's text (claims,
    events, sources, organisations, links, and the audit's rows in data/audit/)."""
    found = set()
    for path in sorted((ROOT / "data").rglob("*.csv")):
        text = path.read_text(encoding="utf-8")
        found |= {int(m.replace(",", "")) for m in re.findall(r"\d{1,3}(?:,\d{3})+|\d+", text)}
    return found


def _chapters():
    skip = {"glossary.md", "bibliography.md"}
    return sorted(p for p in CHAPTERS.glob("*.md") if p.name not in skip and not p.name.startswith("_"))


def test_numbers_in_text_on_a_tiny_fixture():
    text = (
        "In 1919 the party had 699,369 members, or 600000 by its own claim; 43% left, 12 stayed, DCH1 closed."
    )
    assert numbers_in(text) == {699369, 600000}
    assert 699369 in _data_numbers() and 987654321 not in _data_numbers()


@pytest.mark.parametrize("chapter", _chapters(), ids=lambda p: p.stem)
def test_every_number_a_chapter_states_is_in_the_data(chapter):
    prose = readability.prose(chapter.read_text(encoding="utf-8"))
    known = _data_numbers()
    missing = sorted(
        n for n in numbers_in(prose) if n not in known and (chapter.stem, f"{n:,}") not in NOT_FIGURES
    )
    for n in missing:
        where = re.search(rf".{{0,60}}\b{n:,}\b.{{0,40}}|.{{0,60}}\b{n}\b.{{0,40}}", prose)
        print(f"{chapter.stem}: {n:,} is not in data/: …{where.group(0) if where else ''}…")
    assert not missing, (
        f"{chapter.name} states numbers that no table in data/ holds: {[f'{n:,}' for n in missing]} "
        "(add the figure with its source to data/, or, if it is not a figure to check, to NOT_FIGURES with why)"
    )
