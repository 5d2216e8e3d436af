"""Read and check the assignment specs in ``specs/<slug>.yml`` (the format is ``specs/FORMAT.md``).

A spec holds one chapter's graded items: the question, the options, the key, the points, the skill and
learning objective each item checks, where to reread, a hint for the feedback and, for written answers, a
three-level rubric.  The specs are the facilitator's copy of the answer keys: they live with the course's
grading code, never in ``chapters/`` and never in anything a member receives.

A spec that breaks the format is refused with every problem at once, each naming the file, the item (its
number and id) and what is wrong.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..outline import SECTION_CHAPTERS
from .kinds import KINDS, LEVELS, PLAIN_KINDS, Item

SPECS = Path(__file__).resolve().parent / "specs"
# The seven reading assignments, in the order of the book (slug = chapter slug = notebook name).
SLUGS = tuple(SECTION_CHAPTERS)
# Optional assignments, outside the reading score (the data lab: pandas steps for members who want them).
OPTIONAL = ("data-lab",)
ALL_SLUGS = (*SLUGS, *OPTIONAL)
AUTO_KINDS = (*PLAIN_KINDS, "number")
# skill -> whether it tests the argument (FORMAT.md, "Skills")
SKILLS = {
    "claim": True,
    "reason": True,
    "assumption": True,
    "evidence": True,
    "reply": True,
    "application": True,
    "evaluate": True,
    "recall": False,
    "chronology": False,
    "data": False,  # the data lab's steps (loading, filtering, a share)
}
# The order of the committed source notebooks (and of the public edition); a circle's own seed (circle.py)
# gives its own order and letters.
DEFAULT_SEED = "course-grading"


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
    def optional(self) -> bool:
        return self.slug in OPTIONAL

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


def load(slug: str, folder: Path = SPECS, seed: str = DEFAULT_SEED) -> Assignment:
    """The assignment ``slug``; with a circle's ``seed`` its options come in that circle's order and letters."""
    from .circle import PUBLIC

    seed = DEFAULT_SEED if seed == PUBLIC else seed
    path = Path(folder) / f"{slug}.yml"
    where = f"specs/{slug}.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError(f"{where}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: must be a mapping with slug, title, essay_section, intro and items")
    problems = [
        f"{where}: missing {name!r}" for name in ("slug", "title", "essay_section") if name not in raw
    ]
    items = []
    entries = raw.get("items") or []
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: 'items' must be a list of items")
        entries = []
    for number, entry in enumerate(entries, start=1):
        label = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            items.append(_item(entry, number, slug, seed))
        except KeyError as exc:
            problems.append(f"{where}, item {number} ({label}): missing field {exc.args[0]!r}")
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{where}, item {number} ({label}): {exc}")
    assignment = Assignment(
        slug=raw.get("slug", slug),
        title=raw.get("title", ""),
        essay_section=raw.get("essay_section", ""),
        chapter=raw.get("chapter", raw.get("slug", slug)),
        intro=raw.get("intro", ""),
        items=items,
    )
    if assignment.slug != slug:
        problems.append(f"{where}: slug is {assignment.slug!r}, but the file is named for {slug!r}")
    if len(items) == len(entries):
        problems += [f"{where}: {p}" for p in _assignment_problems(assignment)]
    if problems:
        raise SpecError("\n".join(problems))
    return assignment


def load_all(folder: Path = SPECS, seed: str = DEFAULT_SEED) -> list[Assignment]:
    """Every assignment whose spec exists: the seven readings in book order, then the optional ones."""
    return [load(slug, folder, seed) for slug in ALL_SLUGS if (Path(folder) / f"{slug}.yml").is_file()]


ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
LETTER_RE = re.compile(r"[a-z]")


def _text(entry: dict, name: str) -> str:
    value = entry[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be some text")
    return value


def _item(entry: dict, number: int, slug: str, seed: str) -> Item:
    if not isinstance(entry, dict):
        raise ValueError("must be a mapping (id, kind, skill, ...)")
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(entry["id"], str) or not ID_RE.fullmatch(entry["id"]) or len(entry["id"]) > 40:
        raise ValueError(f"id {entry['id']!r} must be short, lower-case words joined by '-'")
    skill = entry["skill"]
    if skill not in SKILLS:
        raise ValueError(f"skill must be one of {', '.join(SKILLS)}, not {skill!r}")
    objective = entry["objective"]
    if type(objective) is not int or objective < 1:
        raise ValueError(
            f"objective must be the number of a learning objective (1, 2, ...), not {objective!r}"
        )
    points = entry["points"]
    if type(points) is not int or points < 1:
        raise ValueError(f"points must be a whole number of at least 1, not {points!r}")
    reread = entry["reread"]
    if not isinstance(reread, dict) or not all(
        isinstance(reread.get(k), str) and reread[k].strip() for k in ("chapter", "essay")
    ):
        raise ValueError("reread must give chapter (a heading of the chapter page) and essay (a passage)")
    if set(reread) - {"chapter", "essay"}:
        extra = ", ".join(repr(k) for k in set(reread) - {"chapter", "essay"})
        raise ValueError(
            f"reread has unexpected field(s) {extra}: text with a comma inside {{...}} must be in quotes"
        )
    options = entry.get("options") or {}
    terms = entry.get("terms") or {}
    if not isinstance(options, dict) or not isinstance(terms, dict):
        raise ValueError("options and terms must be mappings (a: ..., b: ...; 1: ..., 2: ...)")
    item = Item(
        id=entry["id"],
        kind=kind,
        number=number,
        points=points,
        prompt=_text(entry, "prompt"),
        skill=skill,
        objective=objective,
        hint=entry.get("hint", "") or "",
        options={str(k): v for k, v in options.items()},
        terms={int(k): v for k, v in terms.items()},
        statement=entry.get("statement", "") or "",
        answer=entry.get("answer"),
        solution=entry.get("solution", "") or "",
        starter=entry.get("starter", "") or "",
        tolerance=float(entry.get("tolerance", 0)),
        unit=entry.get("unit", "") or "",
        rubric=entry.get("rubric") or {},
        reread={"chapter": reread["chapter"].strip(), "essay": reread["essay"].strip()},
        source=entry.get("source", "") or "",
    )
    if kind == "number" and slug not in OPTIONAL:
        raise ValueError("number items belong in the optional data-lab, not in a reading assignment")
    if kind in AUTO_KINDS and not item.hint.strip():
        raise ValueError("needs a hint for the feedback (where to reread, without giving the answer)")
    if kind in PLAIN_KINDS:
        _check_plain(item)
        shuffle(item, seed)
        if seed != DEFAULT_SEED:
            from .circle import letters_for

            relabel(item, letters_for(seed, item.id, len(item.options)))
    if kind == "number":
        if not item.solution.strip() or "ANSWER" not in item.solution:
            raise ValueError(
                "needs solution: the pandas code that computes the answer and stores it in ANSWER"
            )
        if not item.unit:
            raise ValueError("needs unit: what the number counts, and why its counts are comparable")
        item.solution = item.solution.replace("ANSWER", item.variable)
        item.starter = item.starter.replace("ANSWER", item.variable)
    if kind == "written":
        _check_written(item)
    return item


def _check_plain(item: Item) -> None:
    letters = list(item.options)
    if not 3 <= len(letters) <= 6 or not all(LETTER_RE.fullmatch(k) for k in letters):
        raise ValueError("options must be 3 to 6 entries keyed by single letters a, b, c, ...")
    if letters != [chr(ord("a") + n) for n in range(len(letters))]:
        raise ValueError(f"option letters must be a, b, c, ... in order, not {', '.join(letters)}")
    a = item.answer
    if item.kind == "choice" and a not in letters:
        raise ValueError(f"answer {a!r} is not one of the options {', '.join(letters)}")
    if item.kind == "truefalse":
        if not isinstance(a, dict) or a.get("verdict") not in (True, False):
            raise ValueError("answer must be {verdict: true|false, reason: <letter>}")
        if a.get("reason") not in letters:
            raise ValueError(f"the answer's reason {a.get('reason')!r} is not one of the options")
        if not item.statement.strip():
            raise ValueError("needs a statement (what the member judges true or false)")
    if item.kind == "order":
        if not isinstance(a, list) or sorted(map(str, a)) != sorted(letters):
            raise ValueError("answer must list every option letter once, in the right order")
        item.answer = [str(x) for x in a]
    if item.kind == "match":
        numbers = sorted(item.terms)
        if numbers != list(range(1, len(numbers) + 1)) or len(numbers) < 3:
            raise ValueError("terms must be numbered 1, 2, 3, ... (at least three)")
        if len(letters) != len(numbers):
            raise ValueError("a match item needs as many descriptions (options) as terms")
        if not isinstance(a, dict):
            raise ValueError("answer must map every term number to a description letter: {1: b, 2: d, ...}")
        item.answer = {int(k): str(v) for k, v in a.items()}
        if sorted(item.answer) != numbers or sorted(item.answer.values()) != sorted(letters):
            raise ValueError("answer must map every term number to a different description letter")


def _check_written(item: Item) -> None:
    if not item.solution.strip():
        raise ValueError("needs solution: a model answer, for the facilitator")
    rubric = item.rubric
    if not isinstance(rubric, dict) or sorted(rubric) != sorted(LEVELS):
        raise ValueError("rubric must have exactly three levels: full, partial and none")
    for level in LEVELS:
        entry = rubric[level]
        if not isinstance(entry, dict):
            raise ValueError(f"rubric level {level} must give points, criterion and example")
        if set(entry) - {"points", "criterion", "example"}:
            extra = ", ".join(repr(k) for k in set(entry) - {"points", "criterion", "example"})
            raise ValueError(
                f"rubric level {level} has unexpected field(s) {extra}: text with a comma inside {{...}} "
                "must be in quotes"
            )
        for name in ("criterion", "example"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise ValueError(f"rubric level {level} needs a {name}")
        if type(entry.get("points")) is not int:
            raise ValueError(f"rubric level {level} needs whole-number points")
    full, partial, none = (rubric[level]["points"] for level in LEVELS)
    if full != item.points:
        raise ValueError(f"rubric level full gives {full} points; it must give the item's {item.points}")
    if none != 0 or not 0 < partial < full:
        raise ValueError(f"rubric points must be full > partial > none = 0, not {full}, {partial}, {none}")


def shuffle(item: Item, seed: str = DEFAULT_SEED) -> None:
    """Put the options in a fixed pseudo-random order, a function of (seed, item id) only, so that the right
    letter is not where the spec's author happened to write it.  The key follows its options.  Choice and
    true/false reasons, order steps and match descriptions are shuffled; match terms keep their numbers."""
    letters = list(item.options)
    order = list(range(len(letters)))
    random.Random(f"{seed}:{item.id}").shuffle(order)
    _move(item, {letters[old]: letters[new] for new, old in enumerate(order)})


def relabel(item: Item, labels: list[str]) -> None:
    """Give the options the letters ``labels`` (in the options' order); the key follows."""
    _move(item, dict(zip(item.options, labels, strict=True)))


def _move(item: Item, new: dict[str, str]) -> None:
    """Give each option the letter ``new[old letter]``, listed in alphabetical order; the key follows."""
    moved = {new[k]: text for k, text in item.options.items()}
    item.options = {letter: moved[letter] for letter in sorted(moved)}
    if item.kind == "choice":
        item.answer = new[item.answer]
    elif item.kind == "truefalse":
        item.answer = {**item.answer, "reason": new[item.answer["reason"]]}
    elif item.kind == "order":
        item.answer = [new[x] for x in item.answer]
    elif item.kind == "match":
        item.answer = {n: new[x] for n, x in item.answer.items()}


def _assignment_problems(a: Assignment) -> list[str]:
    problems = []
    ids = [i.id for i in a.items]
    if len(set(ids)) != len(ids):
        problems.append("item ids must be unique")
    if a.optional:
        return problems
    if len(a.written_items) < 2:
        problems.append(f"has {len(a.written_items)} written items; it needs at least 2")
    if not a.auto_items:
        problems.append("has no automatic item")
    return problems
