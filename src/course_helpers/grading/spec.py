"""Read and check the assignment specs in ``specs/<slug>.yml``.

A spec holds one chapter's graded items: the question, the options, the key, the points, a hint for the
feedback and, for written answers, the rubric.  The specs are the facilitator's copy of the answer keys: they
live with the course's grading code, never in ``chapters/`` and never in anything a member receives.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..outline import SECTION_CHAPTERS
from .kinds import KINDS, Item

SPECS = Path(__file__).resolve().parent / "specs"
# The seven assignments, in the order of the book (slug = chapter slug = notebook name).
SLUGS = tuple(SECTION_CHAPTERS)
AUTO_KINDS = ("choice", "truefalse", "order", "match", "number")


class SpecError(ValueError):
    pass


@dataclass
class Assignment:
    slug: str
    title: str
    essay_section: str
    chapter: str
    intro: str
    items: list[Item]

    @property
    def auto_items(self) -> list[Item]:
        return [i for i in self.items if i.kind != "written"]

    @property
    def written_items(self) -> list[Item]:
        return [i for i in self.items if i.kind == "written"]

    @property
    def points(self) -> tuple[int, int]:
        """(automatic points, hand-graded points)."""
        return sum(i.points for i in self.auto_items), sum(i.points for i in self.written_items)


def load(slug: str, folder: Path = SPECS) -> Assignment:
    path = folder / f"{slug}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = f"specs/{slug}.yml"
    problems = []
    items = []
    for number, entry in enumerate(raw.get("items", []), start=1):
        try:
            items.append(_item(entry, number))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}, item {number}: {exc}")
    assignment = Assignment(
        slug=raw["slug"],
        title=raw["title"],
        essay_section=raw["essay_section"],
        chapter=raw.get("chapter", raw["slug"]),
        intro=raw.get("intro", ""),
        items=items,
    )
    if assignment.slug != slug:
        problems.append(f"{where}: slug is {assignment.slug!r}, but the file is named for {slug!r}")
    problems += [f"{where}: {p}" for p in _assignment_problems(assignment)]
    if problems:
        raise SpecError("\n".join(problems))
    return assignment


def load_all(folder: Path = SPECS) -> list[Assignment]:
    """Every assignment whose spec exists (a test checks that all seven do)."""
    return [load(slug, folder) for slug in SLUGS if (folder / f"{slug}.yml").is_file()]


ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _item(entry: dict, number: int) -> Item:
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not ID_RE.fullmatch(entry["id"]) or len(entry["id"]) > 40:
        raise ValueError(f"id {entry['id']!r} must be short, lower-case words joined by '-'")
    item = Item(
        id=entry["id"],
        kind=kind,
        number=number,
        points=int(entry["points"]),
        prompt=entry["prompt"],
        hint=entry.get("hint", ""),
        options={str(k): v for k, v in (entry.get("options") or {}).items()},
        terms={int(k): v for k, v in (entry.get("terms") or {}).items()},
        statement=entry.get("statement", ""),
        answer=entry.get("answer"),
        solution=entry.get("solution", ""),
        tolerance=float(entry.get("tolerance", 0)),
        unit=entry.get("unit", ""),
        rubric=entry.get("rubric") or [],
        source=entry.get("source", ""),
    )
    if kind == "number":
        item.solution = item.solution.replace("ANSWER", item.variables[0])
    letters = set(item.options)
    if kind in AUTO_KINDS and not item.hint:
        raise ValueError("needs a hint for the feedback (where to reread, without giving the answer)")
    if kind == "choice" and item.answer not in letters:
        raise ValueError(f"answer {item.answer!r} is not one of the options")
    if kind == "truefalse":
        if not isinstance(item.answer, dict) or item.answer.get("verdict") not in (True, False):
            raise ValueError("answer must be {verdict: true|false, reason: <letter>}")
        if item.answer.get("reason") not in letters or not item.statement:
            raise ValueError("needs a statement and a reason that is one of the options")
    if kind == "order" and (sorted(item.answer or []) != sorted(letters) or len(letters) < 3):
        raise ValueError("answer must list every event letter once (at least three events)")
    if kind == "match":
        item.answer = {int(k): str(v) for k, v in (item.answer or {}).items()}
        if set(item.answer) != set(item.terms) or sorted(item.answer.values()) != sorted(letters):
            raise ValueError("answer must map every term number to a different description letter")
    if kind == "number" and not item.solution:
        raise ValueError("needs solution: the pandas code that computes the answer from data/")
    if kind in ("choice", "truefalse"):
        _shuffle(item)
    if kind == "written" and (not item.rubric or not item.solution):
        raise ValueError("needs a rubric (for the facilitator's guide) and a model answer (solution)")
    if kind == "written" and sum(int(r["points"]) for r in item.rubric) != item.points:
        raise ValueError("the rubric's points must add up to the item's points")
    return item


def _shuffle(item: Item) -> None:
    """Put the options in a fixed pseudo-random order (seeded by the item id), so that the right letter is not
    always the one a spec's author happened to write first.  The key follows its option."""
    letters = list(item.options)
    texts = [item.options[k] for k in letters]
    right = item.answer if item.kind == "choice" else item.answer["reason"]
    order = list(range(len(texts)))
    random.Random(f"course-grading:{item.id}").shuffle(order)
    item.options = {letters[new]: texts[old] for new, old in enumerate(order)}
    moved = letters[order.index(letters.index(right))]
    if item.kind == "choice":
        item.answer = moved
    else:
        item.answer = {**item.answer, "reason": moved}


def _assignment_problems(a: Assignment) -> list[str]:
    problems = []
    kinds = {i.kind for i in a.auto_items}
    if not 8 <= len(a.auto_items) <= 12:
        problems.append(f"has {len(a.auto_items)} automatic items; it needs 8 to 12")
    if not 1 <= len(a.written_items) <= 2:
        problems.append(f"has {len(a.written_items)} written items; it needs 1 or 2")
    missing = set(AUTO_KINDS) - kinds
    if missing:
        problems.append(f"has no item of kind {', '.join(sorted(missing))}")
    ids = [i.id for i in a.items]
    if len(set(ids)) != len(ids):
        problems.append("item ids must be unique")
    return problems
