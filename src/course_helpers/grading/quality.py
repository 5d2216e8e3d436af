"""What the graded assignments and the self-checks measure: the figures behind the rules in ``specs/FORMAT.md``.

Reads the raw YAML of ``specs/<slug>.yml`` and ``data/quizzes/<chapter>.yml`` and the chapter pages (their
headings and learning objectives) on its own, so it can judge a file the grader would refuse.  Each rule is a
small function on plain dictionaries; ``tests/test_assessment_quality.py`` runs them on tiny literal fixtures and
on the course's files, and the command prints the figures for the facilitator's guide::

    python -m course_helpers.grading.quality

The limits (from issue 11 and GUIDE.md, "Questions that measure understanding"):

* per reading assignment: written points at least 40 % of the total, at least two written items; at least 60 % of
  the automatic points test the argument (an argument skill); at most one ``recall`` item; every item names a
  known skill, a learning objective of its chapter, a heading of the chapter page to reread and an essay passage;
* across graded and self-check choice and true/false items: the right option is the strictly longest of its item
  in at most 30 % of them;
* the number of ``verdict: true`` items is not the same in every assignment;
* a match item gives away at most one pair to a reader who matches on shared words alone;
* after the build's shuffle no position (a, b, c...) holds more than 40 % of the self-checks' right answers;
* no graded item shares its question or its right answer with a self-check item (see ``overlap``);
* every learning objective has a self-check item and (for the seven reading chapters) a graded item.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import yaml

from .. import outline
from .. import quiz as course_quiz

ROOT = Path(__file__).resolve().parents[3]
SPECS = Path(__file__).resolve().parent / "specs"
QUIZZES = ROOT / "data" / "quizzes"
CHAPTERS = ROOT / "chapters"
READING = tuple(outline.SECTION_CHAPTERS)  # the seven graded readings (data-lab is optional and apart)
SELF_CHECKS = outline.ALL_CHAPTERS  # every chapter with a self-check

ARGUMENT_SKILLS = frozenset({"claim", "reason", "assumption", "evidence", "reply", "application", "evaluate"})
SKILLS = ARGUMENT_SKILLS | {"recall", "chronology"}

MIN_WRITTEN_SHARE = Fraction(2, 5)
MIN_WRITTEN_ITEMS = 2
MIN_ARGUMENT_SHARE = Fraction(3, 5)
MAX_RECALL_ITEMS = 1
MAX_LONGEST_RIGHT = Fraction(3, 10)
MAX_POSITION_SHARE = Fraction(2, 5)
MAX_MATCH_PAIRS_BY_WORDS = 1
# Overlap: a pair is the same question when the question texts or the right answers are equal once normalised,
# or when the content words of the questions, or of the right answers, have a Jaccard index of 1/2 or more, or
# when those of the whole item (question and right answer together) have one of 1/4 or more.  Calibrated on the
# files as they were when issue 11 was filed (commit 09adb0c): the six overlaps the issue names score between
# 0.25 and 1, and every other pair at 1/4 or above is the same question in other words (difference-of-scope /
# scope, min-max, what-agreed...), while pairs that merely share a topic stay below.
OVERLAP_PART = Fraction(1, 2)
OVERLAP_WHOLE = Fraction(1, 4)

STOP_WORDS = frozenset(
    """a an the of to and or in on for is are was were be been by with that this these those it its as at from not
    no but which what who whom whose their they his he she her them than then so do does did into about one ones
    there here would should could can will may might must has have had if when where why how all any some each such
    only also more most other own same very just over under up out""".split()
)
# words nearly every item of this course uses: sharing them says nothing about asking the same question
COURSE_WORDS = frozenset(
    "essay connolly counterpower party parties say says said section chapter course according statement".split()
)


# ---------------------------------------------------------------------------------------------------------------
# Reading the files


def read_yaml(path: Path) -> dict:
    """A YAML mapping, or an empty dict when the file is missing; a broken file raises with its name."""
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: is not readable YAML ({exc})") from None
    return raw if isinstance(raw, dict) else {}


def read_spec(slug: str, folder: Path = SPECS) -> dict:
    return read_yaml(folder / f"{slug}.yml")


def read_quiz(chapter: str, folder: Path = QUIZZES) -> dict:
    return read_yaml(folder / f"{chapter}.yml")


def plain_heading(text: str) -> str:
    """A heading as a reader sees it: MyST roles, links, emphasis and code marks removed."""
    text = re.sub(r"\{[a-z:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)  # {term}`cadre` -> cadre
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](link) -> text
    text = re.sub(r"[`*_]", "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class ChapterPage:
    headings: frozenset[str]
    objectives: int  # how many numbered learning objectives the page lists


def read_chapter(chapter: str, folder: Path = CHAPTERS) -> ChapterPage:
    path = folder / f"{chapter}.md"
    if not path.is_file():
        return ChapterPage(frozenset(), 0)
    return parse_chapter(path.read_text(encoding="utf-8"))


def parse_chapter(text: str) -> ChapterPage:
    """The headings (levels 1-6, outside code) and the number of items in the list under "## Learning objectives"."""
    headings, objectives, in_code, in_objectives = set(), 0, False, False
    for line in text.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
        if heading:
            title = plain_heading(heading.group(2))
            headings.add(title)
            in_objectives = title.lower() == "learning objectives"
        elif in_objectives and re.match(r"^\d+\.\s", line):
            objectives += 1
    return ChapterPage(frozenset(headings), objectives)


# ---------------------------------------------------------------------------------------------------------------
# Items, seen the same way for graded specs and self-checks


def items_of(spec: dict) -> list[dict]:
    return [i for i in spec.get("items") or [] if isinstance(i, dict)]


def _points(item: dict) -> float:
    value = item.get("points", 0)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def right_key(item: dict) -> str | None:
    """The option key of the right answer of a graded choice item, or of a true/false item's reason."""
    answer = item.get("answer")
    if item.get("kind") == "truefalse":
        answer = answer.get("reason") if isinstance(answer, dict) else None
    return str(answer) if answer is not None else None


def option_texts(item: dict) -> dict[str, str]:
    options = item.get("options")
    return {str(k): str(v) for k, v in options.items()} if isinstance(options, dict) else {}


def question_text(item: dict) -> str:
    """What a graded item asks: a true/false item's statement, otherwise its prompt."""
    if item.get("kind") == "truefalse" and item.get("statement"):
        return str(item["statement"])
    return str(item.get("prompt") or "")


def answer_text(item: dict) -> str:
    """A graded item's right answer in words ("" for written items, whose answers are the member's own)."""
    kind, options, answer = item.get("kind"), option_texts(item), item.get("answer")
    if kind in ("choice", "truefalse"):
        return options.get(right_key(item) or "", "")
    if kind == "order" and isinstance(answer, list):
        return " ".join(options.get(str(k), "") for k in answer)
    if kind == "match" and isinstance(answer, dict):
        terms = item.get("terms") if isinstance(item.get("terms"), dict) else {}
        return " ".join(f"{terms.get(t, '')} {options.get(str(k), '')}" for t, k in answer.items())
    return ""


def quiz_right(question: dict) -> int | None:
    """The index of a self-check question's one correct option (None unless there is exactly one)."""
    right = [
        n for n, o in enumerate(question.get("options") or []) if isinstance(o, dict) and o.get("correct")
    ]
    return right[0] if len(right) == 1 else None


def quiz_questions(quiz: dict) -> list[dict]:
    return [q for q in quiz.get("questions") or [] if isinstance(q, dict)]


# ---------------------------------------------------------------------------------------------------------------
# Per assignment


@dataclass
class Shares:
    total: float = 0
    written_points: float = 0
    written_items: int = 0
    auto_points: float = 0
    argument_points: float = 0
    recall_items: int = 0
    true_verdicts: int = 0
    truefalse_items: int = 0

    @property
    def written_share(self) -> float:
        return self.written_points / self.total if self.total else 0.0

    @property
    def argument_share(self) -> float:
        return self.argument_points / self.auto_points if self.auto_points else 1.0

    def problems(self) -> list[str]:
        out = []
        if self.written_items < MIN_WRITTEN_ITEMS:
            out.append(f"{self.written_items} written items (at least {MIN_WRITTEN_ITEMS})")
        if self.total == 0 or Fraction(self.written_points) < MIN_WRITTEN_SHARE * Fraction(self.total):
            out.append(
                f"written points {self.written_share:.0%} of the total (at least {float(MIN_WRITTEN_SHARE):.0%})"
            )
        if self.auto_points and Fraction(self.argument_points) < MIN_ARGUMENT_SHARE * Fraction(
            self.auto_points
        ):
            out.append(
                f"argument skills carry {self.argument_share:.0%} of the automatic points "
                f"(at least {float(MIN_ARGUMENT_SHARE):.0%})"
            )
        if self.recall_items > MAX_RECALL_ITEMS:
            out.append(f"{self.recall_items} recall items (at most {MAX_RECALL_ITEMS})")
        return out


def shares(spec: dict) -> Shares:
    s = Shares()
    for item in items_of(spec):
        points = _points(item)
        s.total += points
        if item.get("kind") == "written":
            s.written_points += points
            s.written_items += 1
            continue
        s.auto_points += points
        s.argument_points += points if item.get("skill") in ARGUMENT_SKILLS else 0
        s.recall_items += item.get("skill") == "recall"
        if item.get("kind") == "truefalse":
            s.truefalse_items += 1
            answer = item.get("answer")
            s.true_verdicts += isinstance(answer, dict) and answer.get("verdict") is True
    return s


def item_problems(spec: dict, page: ChapterPage) -> list[str]:
    """Every item names a known skill, one of the chapter's objectives, a heading of its page and an essay passage."""
    out = []
    for n, item in enumerate(items_of(spec), start=1):
        where = f"item {n} ({item.get('id', 'no id')})"
        if item.get("skill") not in SKILLS:
            out.append(f"{where}: skill {item.get('skill')!r} is not one of {', '.join(sorted(SKILLS))}")
        objective = item.get("objective")
        if (
            not isinstance(objective, int)
            or isinstance(objective, bool)
            or not 1 <= objective <= page.objectives
        ):
            out.append(f"{where}: objective {objective!r} is not one of the page's 1..{page.objectives}")
        reread = item.get("reread") if isinstance(item.get("reread"), dict) else {}
        chapter = reread.get("chapter")
        if not chapter:
            out.append(f"{where}: no reread.chapter")
        elif plain_heading(str(chapter)) not in page.headings:
            out.append(f"{where}: reread.chapter {chapter!r} is not a heading of the chapter page")
        if not str(reread.get("essay") or "").strip():
            out.append(f"{where}: no reread.essay")
    return out


def true_verdicts(specs: dict[str, dict]) -> dict[str, int]:
    return {slug: shares(spec).true_verdicts for slug, spec in specs.items()}


# ---------------------------------------------------------------------------------------------------------------
# Tells


def longest_is_right(texts: list[str], right: int) -> bool:
    """Is the right option strictly the longest (in characters, ignoring outer spaces) of its item?"""
    lengths = [len(t.strip()) for t in texts]
    return all(lengths[right] > n for i, n in enumerate(lengths) if i != right)


@dataclass(frozen=True)
class ChoiceItem:
    where: str
    texts: tuple[str, ...]
    right: int


def choice_items(specs: dict[str, dict], quizzes: dict[str, dict]) -> list[ChoiceItem]:
    """Graded choice and true/false items (their reasons) and self-check questions, as options and the right one."""
    out = []
    for slug, spec in specs.items():
        for item in items_of(spec):
            if item.get("kind") not in ("choice", "truefalse"):
                continue
            options = option_texts(item)
            if right_key(item) in options:
                keys = list(options)
                out.append(
                    ChoiceItem(
                        f"{slug}/{item.get('id')}", tuple(options.values()), keys.index(right_key(item))
                    )
                )
    for chapter, quiz in quizzes.items():
        for q in quiz_questions(quiz):
            right = quiz_right(q)
            if right is not None:
                texts = tuple(str(o.get("text", "")) for o in q["options"])
                out.append(ChoiceItem(f"quiz {chapter}/{q.get('id')}", texts, right))
    return out


def longest_right(items: list[ChoiceItem]) -> list[str]:
    """The items whose right option is the strictly longest."""
    return [i.where for i in items if longest_is_right(list(i.texts), i.right)]


def words(text: str, drop: frozenset[str] = STOP_WORDS) -> frozenset[str]:
    """Content words: lower case, three letters or more, no stop words, a crude plural and -ing/-ed stripped."""
    out = set()
    for w in re.findall(r"[a-z0-9]+", str(text).lower()):
        if len(w) < 3 or w in drop:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.add(w)
    return frozenset(out)


def shared_word_guess(terms: dict, options: dict) -> dict[str, str | None]:
    """For each term, the description that shares most content words with it (None when none shares any, or
    several share the most: a reader matching on words would have to guess)."""
    guess = {}
    for t, term in terms.items():
        shared = {str(k): len(words(term) & words(text)) for k, text in options.items()}
        best = max(shared.values(), default=0)
        winners = [k for k, n in shared.items() if n == best]
        guess[str(t)] = winners[0] if best > 0 and len(winners) == 1 else None
    return guess


def match_pairs_by_words(item: dict) -> int:
    """How many pairs of a match item the shared-word reader gets right."""
    terms = item.get("terms") if isinstance(item.get("terms"), dict) else {}
    answer = item.get("answer") if isinstance(item.get("answer"), dict) else {}
    guess = shared_word_guess(terms, option_texts(item))
    return sum(1 for t, k in answer.items() if guess.get(str(t)) == str(k))


def quiz_positions(quizzes: dict[str, dict]) -> Counter:
    """How often each letter holds the right answer once the build has shuffled the options (as the book shows
    them: ``course_helpers.quiz.arrange``); questions without exactly one right option are left out."""
    positions: Counter = Counter()
    for chapter, quiz in quizzes.items():
        questions = [q for q in quiz_questions(quiz) if quiz_right(q) is not None and q.get("id")]
        for options in course_quiz.arrange(chapter, questions):
            right = next(n for n, o in enumerate(options) if o.get("correct"))
            positions[course_quiz.LETTERS[right]] += 1
    return positions


# ---------------------------------------------------------------------------------------------------------------
# Overlap between graded and self-check items


def normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> Fraction:
    return Fraction(len(a & b), len(a | b)) if a | b else Fraction(0)


def overlap(graded: tuple[str, str], check: tuple[str, str]) -> str | None:
    """Why a graded item (question, right answer) and a self-check item (question, right answer) are the same
    question, or None.  See OVERLAP_PART and OVERLAP_WHOLE for the rule and its calibration."""
    drop = STOP_WORDS | COURSE_WORDS
    (gq, ga), (cq, ca) = graded, check
    if normalised(gq) and normalised(gq) == normalised(cq):
        return "the same question"
    if normalised(ga) and normalised(ga) == normalised(ca):
        return "the same right answer"
    for name, a, b in (("questions", gq, cq), ("right answers", ga, ca)):
        wa, wb = words(a, drop), words(b, drop)
        if wa and wb and jaccard(wa, wb) >= OVERLAP_PART:
            return f"the {name} share {float(jaccard(wa, wb)):.0%} of their words"
    whole = jaccard(words(f"{gq} {ga}", drop), words(f"{cq} {ca}", drop))
    if whole >= OVERLAP_WHOLE:
        return f"the items share {float(whole):.0%} of their words"
    return None


def overlaps(specs: dict[str, dict], quizzes: dict[str, dict]) -> list[tuple[str, str, str]]:
    """(graded item, self-check item, why) for every pair that asks the same question, across all chapters."""
    graded = [
        (f"{slug}/{item.get('id')}", (question_text(item), answer_text(item)))
        for slug, spec in specs.items()
        for item in items_of(spec)
    ]
    checks = []
    for chapter, quiz in quizzes.items():
        for q in quiz_questions(quiz):
            right = quiz_right(q)
            answer = str(q["options"][right].get("text", "")) if right is not None else ""
            checks.append((f"{chapter}/{q.get('id')}", (str(q.get("prompt") or ""), answer)))
    out = []
    for gid, g in graded:
        for cid, c in checks:
            why = overlap(g, c)
            if why:
                out.append((gid, cid, why))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Learning objectives


def uncovered(objectives: int, items: list[dict]) -> list[int]:
    """The objectives (1..objectives) that no item names."""
    named = {i.get("objective") for i in items}
    return [n for n in range(1, objectives + 1) if n not in named]


# ---------------------------------------------------------------------------------------------------------------
# The optional data lab (specs/DATA-LAB.md)

DATA_LAB = "data-lab"
MAX_DATA_LAB_WRITTEN = 1


def counted_kinds(solution: str) -> list[str]:
    """The ``counted`` kinds a pandas solution filters on (``...["counted"] == "members"``)."""
    return re.findall(r"""\[\s*["']counted["']\s*\]\s*==\s*["']([a-z-]+)["']""", solution)


def data_lab_problems(spec: dict) -> list[str]:
    """The lab's own rules: at most one written item; every number item has a runnable-looking solution that sets
    ANSWER, a unit, a tolerance and a hint; an item that computes with counts names the kind of count it filters on
    and says why its numbers are comparable."""
    out = []
    if spec.get("slug") != DATA_LAB:
        out.append(f"slug is {spec.get('slug')!r}, not {DATA_LAB!r}")
    items = items_of(spec)
    written = sum(i.get("kind") == "written" for i in items)
    if written > MAX_DATA_LAB_WRITTEN:
        out.append(f"{written} written items (at most {MAX_DATA_LAB_WRITTEN})")
    objectives = spec.get("objectives") if isinstance(spec.get("objectives"), list) else []
    for n, item in enumerate(items, start=1):
        where = f"item {n} ({item.get('id', 'no id')})"
        objective = item.get("objective")
        if (
            not isinstance(objective, int)
            or isinstance(objective, bool)
            or not 1 <= objective <= len(objectives)
        ):
            out.append(f"{where}: objective {objective!r} is not one of the lab's 1..{len(objectives)}")
        if item.get("kind") != "number":
            continue
        solution, prompt = str(item.get("solution") or ""), str(item.get("prompt") or "")
        if "ANSWER" not in solution:
            out.append(f"{where}: the solution does not set ANSWER")
        for name in ("unit", "hint"):
            if not str(item.get(name) or "").strip():
                out.append(f"{where}: no {name}")
        tolerance = item.get("tolerance")
        if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
            out.append(f"{where}: tolerance {tolerance!r} is not a number of at least 0")
        if "members_high" in solution:
            kinds = counted_kinds(solution)
            if not kinds:
                out.append(f"{where}: computes with counts without keeping one `counted` kind")
            out += [
                f"{where}: the prompt does not name the kind of count {k!r}" for k in kinds if k not in prompt
            ]
            if "compar" not in prompt.lower():
                out.append(f"{where}: the prompt does not say why its numbers are comparable")
    return out


def run_solution(solution: str, starter: str = "") -> object:
    """The ANSWER a number item's model code computes (in this process, from ``data/``)."""
    namespace: dict = {}
    exec(compile(f"{starter}\n{solution}", "<solution>", "exec"), namespace)  # noqa: S102 - our own spec's code
    return namespace["ANSWER"]


# ---------------------------------------------------------------------------------------------------------------
# The whole course


@dataclass
class Report:
    shares: dict[str, Shares] = field(default_factory=dict)
    item_problems: dict[str, list[str]] = field(default_factory=dict)
    objectives: dict[str, int] = field(default_factory=dict)
    graded_uncovered: dict[str, list[int]] = field(default_factory=dict)
    quiz_uncovered: dict[str, list[int]] = field(default_factory=dict)
    choice_items: int = 0
    longest_right: list[str] = field(default_factory=list)
    match_pairs: dict[str, int] = field(default_factory=dict)
    positions: Counter = field(default_factory=Counter)
    overlaps: list[tuple[str, str, str]] = field(default_factory=list)
    data_lab: Shares = field(default_factory=Shares)
    data_lab_problems: list[str] = field(default_factory=list)

    @property
    def longest_share(self) -> float:
        return len(self.longest_right) / self.choice_items if self.choice_items else 0.0

    @property
    def top_position_share(self) -> float:
        total = sum(self.positions.values())
        return max(self.positions.values()) / total if total else 0.0


def course_report(
    specs_dir: Path = SPECS, quizzes_dir: Path = QUIZZES, chapters_dir: Path = CHAPTERS
) -> Report:
    specs = {slug: read_spec(slug, specs_dir) for slug in READING}
    quizzes = {chapter: read_quiz(chapter, quizzes_dir) for chapter in SELF_CHECKS}
    pages = {chapter: read_chapter(chapter, chapters_dir) for chapter in SELF_CHECKS}
    r = Report()
    for slug, spec in specs.items():
        r.shares[slug] = shares(spec)
        r.item_problems[slug] = item_problems(spec, pages[slug])
        r.graded_uncovered[slug] = uncovered(pages[slug].objectives, items_of(spec))
    for chapter, quiz in quizzes.items():
        r.objectives[chapter] = pages[chapter].objectives
        r.quiz_uncovered[chapter] = uncovered(pages[chapter].objectives, quiz_questions(quiz))
    items = choice_items(specs, quizzes)
    r.choice_items, r.longest_right = len(items), longest_right(items)
    r.match_pairs = {
        f"{slug}/{item.get('id')}": match_pairs_by_words(item)
        for slug, spec in specs.items()
        for item in items_of(spec)
        if item.get("kind") == "match"
    }
    r.positions = quiz_positions(quizzes)
    r.overlaps = overlaps(specs, quizzes)
    lab = read_spec(DATA_LAB, specs_dir)
    r.data_lab, r.data_lab_problems = (
        shares(lab),
        data_lab_problems(lab) if lab else ["no specs/data-lab.yml"],
    )
    return r


def render(r: Report) -> list[str]:
    """The figures, one assignment a line, then the course-wide ones, each with its limit."""
    lines = [
        "Graded readings (limits: written >= 40 % of points and >= 2 items; argument >= 60 % of automatic points;"
        " recall <= 1)",
        f"{'assignment':<31}{'points':>7}{'written':>14}{'argument':>15}{'recall':>7}{'true':>6}{'objectives':>12}",
    ]
    for slug, s in r.shares.items():
        missing = r.graded_uncovered[slug]
        lines.append(
            f"{slug:<31}{s.total:>7g}{f'{s.written_points:g} ({s.written_share:.0%}, {s.written_items})':>14}"
            f"{f'{s.argument_points:g}/{s.auto_points:g} ({s.argument_share:.0%})':>15}{s.recall_items:>7}"
            f"{f'{s.true_verdicts}/{s.truefalse_items}':>6}"
            f"{f'{r.objectives[slug] - len(missing)}/{r.objectives[slug]}':>12}"
            + ("  !" if s.problems() or r.item_problems[slug] or missing else "")
        )
    total = Shares()
    for s in r.shares.values():
        for name in (
            "total",
            "written_points",
            "written_items",
            "auto_points",
            "argument_points",
            "recall_items",
        ):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    positions = ", ".join(f"{k} {r.positions[k]}" for k in sorted(r.positions))
    lines += [
        "",
        "Course-wide",
        f"  points: {total.total:g}, written {total.written_points:g} ({total.written_share:.0%}); automatic"
        f" {total.auto_points:g}, of which argument {total.argument_points:g} ({total.argument_share:.0%})",
        f"  true statements per assignment: {', '.join(str(n) for n in true_verdicts_of(r))}"
        " (must not all be equal)",
        f"  right option strictly the longest: {len(r.longest_right)} of {r.choice_items} choice and true/false"
        f" items ({r.longest_share:.0%}; limit 30 %)",
        f"  self-check right answers by position after the shuffle: {positions}"
        f" (largest {r.top_position_share:.0%}; limit 40 %)",
        f"  match items: most pairs a shared-word reader gets right: {max(r.match_pairs.values(), default=0)}"
        " (limit 1)",
        f"  graded items that repeat a self-check item: {len(r.overlaps)} (limit 0)",
        "  learning objectives without a self-check item: "
        + (", ".join(f"{c} {m}" for c, m in r.quiz_uncovered.items() if m) or "none"),
        "",
        f"Data lab (optional, outside the reading score): {r.data_lab.total:g} points, "
        f"{r.data_lab.auto_points:g} automatic, {r.data_lab.written_points:g} written"
        f" ({r.data_lab.written_items} item; at most {MAX_DATA_LAB_WRITTEN})",
    ]
    problems = [f"{slug}: {p}" for slug, s in r.shares.items() for p in s.problems()]
    problems += [f"{slug}, {p}" for slug, ps in r.item_problems.items() for p in ps]
    problems += [
        f"{slug}: objective {m} has no graded item" for slug, ms in r.graded_uncovered.items() for m in ms
    ]
    problems += [f"overlap: {g} and {c}: {why}" for g, c, why in r.overlaps]
    problems += [f"match {k}: {n} pairs by shared words" for k, n in r.match_pairs.items() if n > 1]
    problems += [f"{DATA_LAB}: {p}" for p in r.data_lab_problems]
    if problems:
        lines += ["", f"{len(problems)} problems:", *(f"  {p}" for p in problems)]
    return lines


def true_verdicts_of(r: Report) -> list[int]:
    return [s.true_verdicts for s in r.shares.values()]


def main() -> int:
    print("\n".join(render(course_report())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
