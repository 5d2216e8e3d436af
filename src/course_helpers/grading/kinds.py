"""The one place that decides how each kind of graded item is asked, checked and marked.

Every kind has one function that writes its notebook cells (question, answer cell, test cell) and one that
marks what the test cell reported.  Nothing else in the course writes test code or compares answers.

How an answer is checked, and why
---------------------------------
A member's notebook runs in the same Python process as its tests, so a submission can lie: an object can
claim to equal anything, ``builtins.type`` can be replaced, and IPython hooks (``input_transformers``,
``events.register("pre_run_cell", ...)``, ``sys.settrace``) can read or rewrite a test cell before it runs.
A test cell that holds the right answer therefore leaks it to the submission, and a test cell whose
success means "no error was raised" can be rewritten into ``pass``.

So the answer key never enters the kernel:

0. A member types plain letters or words under ``%%answer N`` (see ``course_helpers.answers``); the magic
   stores the text, word for word, as the string ``answer_qN``.  (A data-lab ``number`` item stores a
   number computed with pandas in ``answer_qN`` instead.)  A submission may of course put anything there.
1. The test cell's visible part checks only the *form* of the answer (one letter, each letter once, ...),
   with one plain line a member can act on (``course_helpers.answers.check``).  It is advice, not the grade,
   and ends in no value (a value would be read by nbgrader as a score).
2. Its hidden part (removed from the released notebook) turns the answer into a plain built-in ``str`` using
   only methods reached from built-in literals -- ``"".join(["", x])`` for typed text,
   ``(0.0).__class__(x)`` for a number -- never a name a submission (or an innocent ``list = ...``) could rebind, and
   shows it as the cell's value: ``"grader-report:" + <plain text>``.
3. In the grading process, after the notebook has run, :class:`course_helpers.grading.preprocessors.CheckAnswers`
   reads that one reported value, reads it leniently with the same readers the form check uses
   (``course_helpers.answers.read``, run here in the grader's own process) and scores it, in trusted code
   (:func:`score`), against the key held in ``answer_keys.json``.  It then replaces the cell's outputs with a
   plain verdict -- and, for partial credit, a number (nbgrader's own partial-credit rule: a test cell whose
   value is a number earns that many points) -- so nbgrader's grade and the feedback depend on nothing the
   submission printed.

A submission can still make its report say anything -- but it cannot see the key, so lying about its answer
is no better than answering.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from course_helpers import answers

REPORT_PREFIX = "grader-report:"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
FORM_NOTE = "# Form check: this tells you whether your answer has the right form, not whether it is right."
PLAIN_KINDS = ("choice", "truefalse", "order", "match")  # typed under %%answer
KINDS = (*PLAIN_KINDS, "number", "written")
LEVELS = ("full", "partial", "none")  # a written item's rubric, best first
RUBRIC_MARK = (
    "course_rubric"  # metadata flag of the rubric cells the autograded copy gets (never the feedback)
)


@dataclass
class Item:
    """One graded item of an assignment, as written in a spec (see ``specs/FORMAT.md``)."""

    id: str
    kind: str
    number: int
    points: int
    prompt: str
    skill: str = ""
    objective: int = 0
    hint: str = ""
    options: dict = field(default_factory=dict)  # choice; truefalse reasons; order steps; match descriptions
    terms: dict = field(default_factory=dict)  # match: term number -> term
    statement: str = ""  # truefalse
    answer: object = None  # the key; for number items computed from data/ by ``solution``
    solution: str = ""  # number: the model code; written: the model answer
    starter: str = ""  # number: code the released answer cell keeps (loading the table, say)
    tolerance: float = 0.0  # number
    unit: str = ""  # number: what the number counts, shown in the instructions
    rubric: dict = field(default_factory=dict)  # written: level -> {points, criterion, example}
    reread: dict = field(default_factory=dict)  # {chapter: a heading of the chapter page, essay: a passage}
    source: str = ""  # where in the essay or data/ the fact comes from (for facilitators)

    @property
    def grade_id(self) -> str:
        """The test cell's id: question number and what it checks (``q03-order-1917``)."""
        return f"q{self.number:02d}-{self.id}"

    @property
    def answer_id(self) -> str:
        return f"{self.grade_id}-answer"

    @property
    def variable(self) -> str:
        """Where the answer is stored in the member's notebook (by ``%%answer N``, or by a data-lab's code)."""
        return f"answer_q{self.number}"

    @property
    def variables(self) -> tuple[str, ...]:
        return () if self.kind == "written" else (self.variable,)

    @property
    def letters(self) -> str:
        return "".join(self.options)


# ---------------------------------------------------------------------------------------------------------
# Cells


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: int | None = None) -> dict:
    nbgrader = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        nbgrader["points"] = points
    meta: dict = {"nbgrader": nbgrader}
    if locked:
        meta.update(deletable=False, editable=False)
    return meta


def _markdown(cell_id: str, text: str, meta: dict | None = None) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": meta or {}, "source": text.strip() + "\n"}


def _code(cell_id: str, text: str, meta: dict) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": meta,
        "outputs": [],
        "source": text.strip("\n"),
    }


def _option_list(options: dict) -> str:
    return "\n".join(f"- **{key}**: {text}" for key, text in options.items())


def _points(n: float) -> str:
    return f"{n:g} point" + ("" if n == 1 else "s")


def _heading(item: Item, title: str) -> str:
    return f"### Question {item.number}: {title} ({_points(item.points)})"


def cells(item: Item) -> list[dict]:
    """The notebook cells for one item: a locked question, an answer cell and (for automatic items) a test."""
    if item.kind == "written":
        return _written_cells(item)
    if item.kind == "number":
        return _number_cells(item)
    return _plain_cells(item)


def _question(item: Item, title: str, body: str, how: str) -> dict:
    parts = [_heading(item, title), item.prompt.strip(), body.strip(), f"**How to answer:** {how.strip()}"]
    text = "\n\n".join(p for p in parts if p)
    return _markdown(
        f"{item.grade_id}-question",
        text.strip(),
        _meta(f"{item.grade_id}-question", grade=False, solution=False, locked=True),
    )


def _test(item: Item, form_check: str, report: str) -> dict:
    source = f'{FORM_NOTE}\n{form_check.strip()}\n{HIDDEN_BEGIN}\n"{REPORT_PREFIX}" + {report}\n{HIDDEN_END}'
    return _code(
        item.grade_id,
        source,
        _meta(item.grade_id, grade=True, solution=False, locked=True, points=item.points),
    )


RUN = "then run that cell (Shift+Enter) and the check cell under it."


def _typed(item: Item) -> str:
    """The key as a member would type it (the model answer in the source notebook)."""
    k = item.answer
    if item.kind == "truefalse":
        return f"{'true' if k['verdict'] else 'false'} {k['reason']}"
    if item.kind == "order":
        return " ".join(k)
    if item.kind == "match":
        return " ".join(f"{n}{k[n]}" for n in item.terms)
    return str(k)


def _example(item: Item) -> list[str]:
    """An example order of the letters for the instructions: never the key itself (that would give it away;
    ruling out one of the many orders tells a member next to nothing)."""
    letters = list(item.options)
    key = list(item.answer) if item.kind == "order" else [item.answer[n] for n in item.terms]
    example = letters[::-1]
    return example if example != key else letters[1:] + letters[:1]


def _plain_cells(item: Item) -> list[dict]:
    letters = list(item.options)
    after = ""
    if item.kind == "choice":
        title, body = "choose one", _option_list(item.options)
        how = f"type the letter of the one best answer ({', '.join(letters)}), for example `{letters[0]}`"
        check = f'check({item.number}, "choice", "{item.letters}")'
    elif item.kind == "truefalse":
        title = "true or false, and why"
        body = f"**Statement:** {item.statement.strip()}\n\nReasons to choose from:\n\n{_option_list(item.options)}"
        how = (
            "type `true` or `false`, then the letter of the reason that best supports your verdict, "
            f"for example `false {letters[0]}`"
        )
        after = " Both the verdict and the reason must be right to earn the points."
        check = f'check({item.number}, "truefalse", "{item.letters}")'
    elif item.kind == "order":
        title, body = "put in order", _option_list(item.options)
        how = (
            f"type the letters {' '.join(letters)} in the right order, each once, "
            f"for example `{' '.join(_example(item))}`"
        )
        after = " You earn part of the points for each two letters that sit next to each other in the right order."
        check = f'check({item.number}, "order", "{item.letters}")'
    else:
        title = "match the pairs"
        terms = "\n".join(f"{n}. {text}" for n, text in item.terms.items())
        body = f"{terms}\n\nChoose from:\n\n{_option_list(item.options)}"
        example = " ".join(f"{n}{x}" for n, x in zip(item.terms, _example(item), strict=True))
        how = (
            "type each number followed by the letter that goes with it, every number once and "
            f"every letter once, for example `{example}`"
        )
        after = " Each right pair earns its share of the points."
        check = f'check({item.number}, "match", "{item.letters}", terms={len(item.terms)})'
    how = f"in the cell below, on a new line under `%%answer {item.number}`, {how}. {RUN[0].upper()}{RUN[1:]}{after}"
    answer = _code(
        item.answer_id,
        f"%%answer {item.number}\n{SOLUTION_BEGIN}\n{_typed(item)}\n{SOLUTION_END}",
        _meta(item.answer_id, grade=False, solution=True, locked=False),
    )
    return [_question(item, title, body, how), answer, _test(item, check, f'"".join(["", {item.variable}])')]


def _number_cells(item: Item) -> list[dict]:
    rounding = ""
    if item.tolerance:
        places = _decimals(item.tolerance)
        rounding = f" Round it to {places} decimal place{'s' if places != 1 else ''}."
    how = (
        f"in the cell below, compute the number with pandas and store it in `{item.variable}` "
        f"({item.unit}), for example `{item.variable} = share`.{rounding} Keep the code that computes it: "
        f"your facilitator reads it. {RUN[0].upper()}{RUN[1:]}"
    )
    starter = f"{item.starter.strip()}\n" if item.starter.strip() else ""
    answer = _code(
        item.answer_id,
        f"{starter}{SOLUTION_BEGIN}\n{item.solution.strip()}\n{SOLUTION_END}",
        _meta(item.answer_id, grade=False, solution=True, locked=False),
    )
    report = f"(0.0).__class__({item.variable}).__repr__()"
    return [
        _question(item, "a question for the data", "", how),
        answer,
        _test(item, f'check({item.number}, "number")', report),
    ]


def _decimals(tolerance: float) -> int:
    return max(0, round(-math.log10(tolerance * 2)))


def _written_cells(item: Item) -> list[dict]:
    how = (
        "write your answer in the cell below, in your own words (a short paragraph, about 80-150 words). "
        "A facilitator reads and grades it by hand. A reasoned view that disagrees with the essay earns "
        "the same points as one that agrees."
    )
    text = f"{_heading(item, 'in your own words')}\n\n{item.prompt.strip()}\n\n**How to answer:** {how}"
    return [
        _markdown(
            f"{item.grade_id}-question",
            text,
            _meta(f"{item.grade_id}-question", grade=False, solution=False, locked=True),
        ),
        _markdown(
            item.grade_id,
            f"{SOLUTION_BEGIN}\n{item.solution.strip()}\n{SOLUTION_END}",
            _meta(item.grade_id, grade=True, solution=True, locked=False, points=item.points),
        ),
    ]


def rubric_text(item_points: float, rubric: dict) -> str:
    """The rubric of a written answer as Markdown: the three levels, each with its example answer."""
    names = {"full": "Full", "partial": "Partial", "none": "None"}
    rows = [
        f"**{names[level]} ({_points(float(rubric[level]['points']))}).** {' '.join(str(rubric[level]['criterion']).split())}\n\n"
        f"> *Example:* {' '.join(str(rubric[level]['example']).split())}"
        for level in LEVELS
        if level in rubric
    ]
    return "\n\n".join(rows)


def rubric_cell(grade_id: str, entry: dict) -> dict:
    """The read-only cell the autograded copy shows under a written answer (for the formgrader only)."""
    text = (
        f"**Rubric for the facilitator** (question `{grade_id}`, {_points(float(entry['points']))}; "
        "members never see this)\n\n" + rubric_text(entry["points"], entry["rubric"])
    )
    meta = {RUBRIC_MARK: True, "deletable": False, "editable": False}
    return _markdown(f"{grade_id}-rubric", text, meta)


# ---------------------------------------------------------------------------------------------------------
# Keys and marking (trusted side: runs in the grading process, never in the member's kernel)


def key(item: Item) -> dict:
    """What ``answer_keys.json`` stores for an item (a written item: its rubric and where to reread)."""
    out: dict = {"kind": item.kind, "points": item.points, "reread": item.reread}
    if item.kind == "written":
        out["rubric"] = item.rubric
        return out
    out.update(answer=item.answer, hint=item.hint)
    if item.kind in PLAIN_KINDS:
        out["letters"] = item.letters
    if item.kind == "number":
        out["tolerance"] = item.tolerance
    if item.kind == "match":
        out["answer"] = {str(k): v for k, v in item.answer.items()}
        out["terms"] = len(item.terms)
    return out


MAX_REPORT = 4000


def parse_report(text_plain: str) -> str | None:
    """The member's answer as reported by a test cell's value (``'grader-report:...'``), or None."""
    if not isinstance(text_plain, str) or len(text_plain) > MAX_REPORT:
        return None
    try:
        value = ast.literal_eval(text_plain)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if type(value) is not str or not value.startswith(REPORT_PREFIX):
        return None
    return value[len(REPORT_PREFIX) :]


@dataclass
class Mark:
    """How a reported answer scores: points earned, and what the feedback says about it."""

    points: float
    read: bool = True  # False: the answer could not be read in the expected form
    detail: str = ""  # "2 of 3 pairs in the right order"
    answered: str = ""  # the member's answer as read, written back plainly


def _share(points: float, right: int, out_of: int) -> float:
    return round(float(points) * right / out_of, 2) if out_of else 0.0


def order_pairs(key_order: list[str], given: list[str]) -> int:
    """Neighbouring pairs of the key that the member also put next to each other, in the same order."""
    given_pairs = set(zip(given, given[1:], strict=False))
    return sum(pair in given_pairs for pair in zip(key_order, key_order[1:], strict=False))


def score(k: dict, reported: str) -> Mark:
    """Score the reported answer (plain text) against the key ``k``.  Lenient about form, strict about content."""
    kind, answer, points = k["kind"], k["answer"], float(k["points"])
    if kind == "number":
        try:
            value = float(reported)
        except (ValueError, TypeError):
            return Mark(0.0, read=False)
        ok = math.isfinite(value) and abs(value - float(answer)) <= float(k["tolerance"]) + 1e-9
        return Mark(points if ok else 0.0, answered=repr(value))
    if kind not in PLAIN_KINDS:
        raise ValueError(f"unknown kind of item: {kind!r}")
    try:
        value = answers.read(kind, reported, k["letters"], int(k.get("terms", 0)))
    except answers.AnswerProblem as problem:
        return Mark(0.0, read=False, detail=str(problem))
    shown = answers.show(kind, value)
    if kind == "choice":
        return Mark(points if value == answer else 0.0, answered=shown)
    if kind == "truefalse":
        right = value == ("true" if answer["verdict"] else "false", answer["reason"])
        return Mark(points if right else 0.0, answered=shown)
    if kind == "order":
        pairs, out_of = order_pairs(list(answer), value), len(answer) - 1
        detail = f"{pairs} of {out_of} pairs in the right order"
        return Mark(_share(points, pairs, out_of), detail=detail, answered=shown)
    right = sum(value.get(int(n)) == letter for n, letter in answer.items())
    detail = f"{right} of {len(answer)} pairs right"
    return Mark(_share(points, right, len(answer)), detail=detail, answered=shown)


def mark(k: dict, reported: str) -> bool:
    """Whether the reported answer earns every point of the key ``k``."""
    return score(k, reported).points == float(k["points"])
