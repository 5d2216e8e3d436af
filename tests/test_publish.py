"""The readers' edition (``python3 tasks.py publish OUT``) holds no answer key, and the book names no key's home.

Every text file of ``OUT/site`` and ``OUT/repo`` is scanned for every model answer and rubric text of every
spec, for the solution and hidden-test markers, the grader's report prefix, the key file and the grading
package; every answer cell of every released notebook must be the blank stub.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from course_helpers.grading import kinds, spec

pytestmark = pytest.mark.build

TEXT_SUFFIXES = {
    ".html",
    ".js",
    ".json",
    ".ipynb",
    ".md",
    ".csv",
    ".yml",
    ".yaml",
    ".py",
    ".txt",
    ".css",
    ".bib",
    ".toml",
    ".cfg",
    ".xml",
    "",
}
MARKERS = (
    kinds.SOLUTION_BEGIN,
    kinds.SOLUTION_END,
    kinds.HIDDEN_BEGIN,
    kinds.HIDDEN_END,
    kinds.REPORT_PREFIX,
    "answer_keys",
    "assignments/source",
    "grading/specs",
)
GRADING = ROOT / "src" / "course_helpers" / "grading"


def code_signatures() -> list[tuple[str, str]]:
    """A few lines of every grading module that no other module of the course has (the grading code must not
    travel in any form; a line as common as ``def main(...)`` would prove nothing)."""
    elsewhere = {
        ln.strip()
        for path in (ROOT / "src" / "course_helpers").rglob("*.py")
        if GRADING not in path.parents
        for ln in path.read_text(encoding="utf-8").splitlines()
    }
    found = []
    for path in sorted(GRADING.glob("*.py")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        own = [
            ln for ln in lines if ln.startswith(("def ", "class ")) and len(ln) > 24 and ln not in elsewhere
        ]
        found += [(path.name, ln) for ln in own[:3]]
    return found


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def secret_texts() -> list[tuple[str, str]]:
    """(where, text) for every model answer, rubric criterion and rubric example of every spec: each sentence
    of six words or more, so that a leak is found even when the text is cut or re-wrapped."""
    found = []
    for a in spec.load_all():
        for item in a.written_items:
            texts = [item.solution]
            rubric = item.rubric
            levels = rubric.values() if isinstance(rubric, dict) else rubric
            for level in levels:
                texts += [str(level.get("criterion", "")), str(level.get("example", ""))]
            for text in texts:
                for sentence in re.split(r"(?<=[.!?])\s+", normal(text)):
                    if len(sentence.split()) >= 6:
                        found.append((f"{a.slug} {item.grade_id}", sentence))
    return found


def text_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_publish_writes_the_site_and_the_repository(published):
    site, repo = published / "site", published / "repo"
    assert (site / "index.html").is_file() and (site / "chapters" / "role-of-cadre.html").is_file()
    for name in ("README.md", "requirements.txt", "postBuild", "_config.yml", "chapters/role-of-cadre.md"):
        assert (repo / name).is_file(), name
    released = sorted(p.parent.name for p in (repo / "assignments").glob("*/*.ipynb"))
    assert set(spec.SLUGS) <= set(released), released
    for slug in released:
        assert (site / "assignments" / f"{slug}.ipynb").is_file(), f"the book offers no download of {slug}"
    assert not (repo / "src" / "course_helpers" / "grading").exists()
    assert not (repo / "assignments" / "source").exists()


def test_the_readers_edition_holds_no_key(published):
    secrets = secret_texts()
    assert len(secrets) > 20, (
        "the specs' model answers and rubrics were not found: the scan would prove nothing"
    )
    code = code_signatures()
    assert len(code) > 10
    hits = []
    for path, text in text_files(published):
        flat = normal(text)
        rel = path.relative_to(published)
        hits += [f"{rel}: {m!r}" for m in MARKERS if m.lower() in text.lower()]
        hits += [f"{rel}: code of grading/{name}: {line!r}" for name, line in code if line in text]
        hits += [f"{rel}: text of {where}: {s[:60]!r}" for where, s in secrets if s in flat]
    assert not hits, "the readers' edition leaks the keys:\n" + "\n".join(hits[:40])


def test_released_notebooks_hold_blank_answers(published):
    """No answer cell of a released notebook carries an answer: letter items hold nothing under ``%%answer``,
    data-lab items only the given starter lines, never a line of the model code."""
    for a in spec.load_all():
        path = published / "repo" / "assignments" / a.slug / f"{a.slug}.ipynb"
        cells = {
            c.metadata.get("nbgrader", {}).get("grade_id"): c.source
            for c in nbformat.read(path, as_version=4).cells
        }
        for item in a.auto_items:
            released = cells[item.answer_id]
            if item.kind in kinds.PLAIN_KINDS:
                assert kinds.answers.content(released.split("\n", 1)[1]) == "", (
                    f"{a.slug} {item.id}: {released!r}"
                )
            else:
                given = {ln.strip() for ln in item.starter.splitlines()}  # the lines a member starts from
                model = [
                    ln.strip()
                    for ln in item.solution.splitlines()
                    if len(ln.strip()) > 12 and ln.strip() not in given
                ]
                assert model and not [ln for ln in model if ln in released], (
                    f"{a.slug} {item.id}: model code released"
                )


def test_no_page_names_where_the_keys_live(built_book):
    """The book built from the facilitators' edition names no key's home (the same book is published)."""
    hits = []
    for path, text in text_files(built_book):
        hits += [f"{path.relative_to(built_book)}: {m}" for m in MARKERS if m.lower() in text.lower()]
    assert not hits, "\n".join(hits[:40])
    for folder in ("chapters", "handouts", "facilitator"):
        for path in (ROOT / folder).rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            assert "assignments/source" not in text and "answer_keys" not in text, path


def test_the_public_release_carries_the_public_letters(published):
    """The book and the readers' repository hold the source's own letters (a, b, c, ...), never a circle's:
    a facilitator's circle letters stay with the circle (grading/circle.py)."""
    import re as _re

    seen = 0
    for path in (published / "repo" / "assignments").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for letters in _re.findall(r'check\(\d+, "\w+", "([a-z]+)"', cell.source):
                seen += 1
                assert letters == "abcdefgh"[: len(letters)], f"{path.name}: circle letters {letters!r}"
    assert seen > 40
