"""Citation labels for the book: "Author, year", with a, b, ... when one author has two works in one year.

sphinxcontrib-bibtex's ``author_year`` referencing style prints an entry's ``year`` field as it stands, so two
works of one author in one year (or two undated works, "n.d.") get the same label and a reader cannot tell which
is meant.  This module registers three small pybtex plugins, used through ``_config.yml``:

* ``course_author_year`` (labels): ``Kelley, 1990a``, ``Wikipedia contributors, n.d.c``; the letters are given
  over the whole of ``references.bib``, so a label is the same in every bibliography list of the book;
* ``course`` (formatting): pybtex's ``plain`` style with those labels, and titles kept as the bib file writes
  them (``plain`` lower-cases the titles of articles and web pages, which loses the capitals of proper nouns);
* ``course_label`` (referencing): a citation in the text is the entry's label, ``[Kelley, 1990a]``.

``register()`` is called by the Sphinx extension (``course_helpers.book.sphinx_ext``) before the bibliography is read.
"""

from __future__ import annotations

import functools
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import Entry, parse_file
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import sentence

#: label suffix of every entry whose author and year it shares with another entry (filled by ``load``)
SUFFIXES: dict[str, str] = {}
_TEXT = TextBackend()


@functools.cache
def _plain(latex: str) -> str:
    # one plain-text backend for all: ``render_as("text")`` looks the backend up among every installed package's
    # entry points on each call (about 0.1 s each, most of the book build's time on the bibliography)
    return Text.from_latex(latex).render(_TEXT).strip()


def author_text(entry: Entry) -> str:
    """The author part of a label: last names ("A", "A and B", "A et al."), else the editors, else the title."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
    if not names:
        return _plain(entry.fields.get("title", entry.key))
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def year_text(entry: Entry) -> str:
    return _plain(entry.fields.get("year", "")) or "n.d."


def _letters(n: int) -> Iterable[str]:
    """a, b, ..., z, aa, ab, ...: ``n`` of them."""
    letters = string.ascii_lowercase
    for i in range(n):
        yield letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def suffixes(entries: Iterable[Entry]) -> dict[str, str]:
    """Key -> "a", "b", ... for the entries whose author text and year are shared with another entry; the
    letters follow the titles' alphabetical order (the order of the bibliography list)."""
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[(author_text(entry), year_text(entry))].append(entry)
    found = {}
    for group in groups.values():
        if len(group) > 1:
            group.sort(key=lambda e: (_plain(e.fields.get("title", "")).lower(), e.key))
            found.update(zip([e.key for e in group], _letters(len(group)), strict=True))
    return found


def load(bibfiles: Iterable[str | Path]) -> dict[str, str]:
    """Compute the suffixes over every entry of ``bibfiles`` (the book's whole bibliography)."""
    entries: list[Entry] = []
    for path in bibfiles:
        entries += parse_file(str(path), bib_format="bibtex").entries.values()
    SUFFIXES.clear()
    SUFFIXES.update(suffixes(entries))
    return SUFFIXES


def label(entry: Entry, local: dict[str, str] | None = None) -> str:
    suffix = SUFFIXES.get(entry.key) if SUFFIXES else (local or {}).get(entry.key, "")
    return f"{author_text(entry)}, {year_text(entry)}{suffix or ''}"


class CourseLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        local = (
            {} if SUFFIXES else suffixes(entries)
        )  # only when ``load`` was not called (outside the book build)
        for entry in entries:
            yield label(entry, local)


class CourseStyle(PlainStyle):
    """pybtex's plain style, with author-year labels and titles kept as written."""

    default_label_style = "course_author_year"

    def format_title(self, e, which_field, as_sentence=True):
        title = bib_field(which_field)  # not ``.capitalize()``d: "Democratic Socialists of America" stays so
        return sentence[title] if as_sentence else title


def _reference_style():
    from sphinxcontrib.bibtex.style.referencing import BracketStyle
    from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

    def brackets():
        return BracketStyle(left="[", right="]", sep="; ")

    @dataclass
    class CourseReferenceStyle(LabelReferenceStyle):
        """Citations by the entry's label: ``[Kelley, 1990a; Lih, 2008]``."""

        bracket_parenthetical: BracketStyle = field(default_factory=brackets)
        bracket_textual: BracketStyle = field(default_factory=brackets)
        bracket_label: BracketStyle = field(default_factory=brackets)

    return CourseReferenceStyle


def register() -> None:
    """Register the plugins (again, harmlessly, if the extension is set up twice in one process)."""
    from pybtex.plugin import register_plugin
    from sphinxcontrib.bibtex.plugin import register_plugin as register_referencing

    register_plugin("pybtex.style.labels", "course_author_year", CourseLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", "course", CourseStyle, force=True)
    register_referencing(
        "sphinxcontrib.bibtex.style.referencing", "course_label", _reference_style(), force=True
    )
