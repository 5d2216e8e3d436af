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

1. The test cell's visible part checks only the *form* of the answer (a letter, a list of letters, ...), with
   a message a member can act on.  It is advice, not the grade.
2. Its hidden part (removed from the released notebook) turns the answer into a plain built-in ``str`` using
   only methods reached from built-in literals -- ``"".join(["", x])``, ``[].__class__.__iter__(x)``,
   ``(0.0).__class__(x)`` -- never a name a submission (or an innocent ``list = ...``) could rebind, and
   shows it as the cell's value: ``"grader-report:" + <plain text>``.
3. In the grading process, after the notebook has run, :class:`course_helpers.grading.preprocessors.CheckAnswers`
   reads that one reported value and compares it, in trusted code (:func:`mark`), with the key held in
   ``answer_keys.json``.  It then replaces the cell's outputs with a plain verdict, so nbgrader's grade and
   the feedback depend on nothing the submission printed.

A submission can still make its report say anything -- but it cannot see the key, so lying about its answer
is no better than answering.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field

REPORT_PREFIX = "grader-report:"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
FORM_NOTE = "# Form check: this tells you whether your answer has the right form, not whether it is right."
KINDS = ("choice", "truefalse", "order", "match", "number", "written")


@dataclass
class Item:
    """One graded item of an assignment, as written in a spec (see ``specs/*.yml``)."""

    id: str
    kind: str
    number: int
    points: int
    prompt: str
    hint: str = ""
    options: dict = field(default_factory=dict)  # choice; truefalse reasons; order events; match definitions
    terms: dict = field(default_factory=dict)  # match: term number -> term
    statement: str = ""  # truefalse
    answer: object = None  # the key; for number items computed from data/ by ``solution``
    solution: str = ""  # number: the model code; written: the model answer
    tolerance: float = 0.0  # number
    unit: str = ""  # number: what the number counts, shown in the instructions
    rubric: list = field(default_factory=list)  # written
    source: str = ""  # where in the essay or data/ the fact comes from (for facilitators)

    @property
    def grade_id(self) -> str:
        """The test cell's id: question number and what it checks (``q03-order-1917``)."""
        return f"q{self.number:02d}-{self.id}"

    @property
    def answer_id(self) -> str:
        return f"{self.grade_id}-answer"

    @property
    def variables(self) -> tuple[str, ...]:
        n = self.number
        return {
            "choice": (f"answer_q{n}",),
            "truefalse": (f"verdict_q{n}", f"reason_q{n}"),
            "order": (f"order_q{n}",),
            "match": (f"match_q{n}",),
            "number": (f"answer_q{n}",),
            "written": (),
        }[self.kind]


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


def _letters(options: dict) -> str:
    return ", ".join(options)


def _option_list(options: dict) -> str:
    return "\n".join(f"- **{key}**: {text}" for key, text in options.items())


def _s(text: str) -> str:
    """A Python string literal for ``text`` (messages in test cells)."""
    return repr(text)


def _points(n: int) -> str:
    return f"{n} point" + ("" if n == 1 else "s")


def _heading(item: Item, title: str) -> str:
    return f"### Question {item.number}: {title} ({_points(item.points)})"


def _py(value) -> str:
    """A Python literal for the solution cell (answers are simple values)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def cells(item: Item) -> list[dict]:
    """The notebook cells for one item: a locked question, an answer cell and (for automatic items) a test."""
    return {
        "choice": _choice_cells,
        "truefalse": _truefalse_cells,
        "order": _order_cells,
        "match": _match_cells,
        "number": _number_cells,
        "written": _written_cells,
    }[item.kind](item)


def _question(item: Item, title: str, body: str, how: str) -> dict:
    parts = [_heading(item, title), item.prompt.strip(), body.strip(), f"**How to answer:** {how.strip()}"]
    text = "\n\n".join(p for p in parts if p)
    return _markdown(
        f"{item.grade_id}-question",
        text.strip(),
        _meta(f"{item.grade_id}-question", grade=False, solution=False, locked=True),
    )


def _answer(item: Item, code: str) -> dict:
    return _code(
        item.answer_id,
        f"{SOLUTION_BEGIN}\n{code.strip()}\n{SOLUTION_END}",
        _meta(item.answer_id, grade=False, solution=True, locked=False),
    )


def _test(item: Item, form_checks: str, report: str) -> dict:
    source = f'{FORM_NOTE}\n{form_checks.strip()}\n{HIDDEN_BEGIN}\n"{REPORT_PREFIX}" + {report}\n{HIDDEN_END}'
    return _code(
        item.grade_id,
        source,
        _meta(item.grade_id, grade=True, solution=False, locked=True, points=item.points),
    )


def _letter_checks(var: str, options: dict) -> str:
    allowed = ", ".join(f'"{k}"' for k in options)
    return (
        f'assert "".__class__ is {var}.__class__, {_s(f"{var} must be one letter in quotes, for example {chr(34)}{next(iter(options))}{chr(34)}")}\n'
        f"assert {var}.strip().lower() in ({allowed},), {_s(f'{var} must be one of the letters {_letters(options)}')}"
    )


def _choice_cells(item: Item) -> list[dict]:
    var = item.variables[0]
    return [
        _question(
            item,
            "choose one",
            _option_list(item.options),
            f'in the cell below, write `{var} = "x"`, with x replaced by the letter of the one best answer '
            f"({_letters(item.options)}). Keep the quotes.",
        ),
        _answer(item, f"{var} = {_py(item.answer)}"),
        _test(item, _letter_checks(var, item.options), f'"".join(["", {var}])'),
    ]


def _truefalse_cells(item: Item) -> list[dict]:
    verdict, reason = item.variables
    first = next(iter(item.options))
    body = (
        f"**Statement:** {item.statement.strip()}\n\nReasons to choose from:\n\n{_option_list(item.options)}"
    )
    checks = (
        f"assert {verdict} is True or {verdict} is False, {_s(f'{verdict} must be True or False, without quotes')}\n"
        + _letter_checks(reason, item.options)
    )
    return [
        _question(
            item,
            "true or false, and why",
            body,
            f"in the cell below, set `{verdict}` to `True` or `False` (no quotes), and `{reason}` to the "
            f'letter of the reason that best supports your verdict, in quotes, for example `{reason} = "{first}"`. '
            "Both must be right to earn the points.",
        ),
        _answer(item, f"{verdict} = {item.answer['verdict']!r}\n{reason} = {_py(item.answer['reason'])}"),
        _test(item, checks, f'(True).__class__.__repr__({verdict}) + "|" + "".join(["", {reason}])'),
    ]


def _order_cells(item: Item) -> list[dict]:
    var = item.variables[0]
    letters = list(item.options)
    letter_set = "{" + ", ".join(f'"{k}"' for k in letters) + "}"
    example = ", ".join(f'"{k}"' for k in reversed(letters))
    checks = (
        f"assert [].__class__ is {var}.__class__, {_s(f'{var} must be a list in square brackets, like [{example}]')}\n"
        f"assert [*{var}].__len__() == {len(letters)}, {_s(f'{var} must hold {len(letters)} letters')}\n"
        f"assert {{*{var}}} == {letter_set}, {_s(f'{var} must use each of the letters {_letters(item.options)} once')}"
    )
    return [
        _question(
            item,
            "put in order",
            _option_list(item.options),
            f"in the cell below, write `{var} = [...]`: a list of the letters {_letters(item.options)}, "
            f"each once, in quotes, from earliest to latest, for example `{var} = [{example}]`.",
        ),
        _answer(item, f"{var} = [{', '.join(_py(k) for k in item.answer)}]"),
        _test(item, checks, f'"|".join([].__class__.__iter__({var}))'),
    ]


def _match_cells(item: Item) -> list[dict]:
    var = item.variables[0]
    terms = "\n".join(f"{n}. {text}" for n, text in item.terms.items())
    term_numbers = ", ".join(str(n) for n in item.terms)
    numbers = "{" + term_numbers + "}"
    letter_set = "{" + ", ".join(f'"{k}"' for k in item.options) + "}"
    first_letter = next(iter(item.options))
    body = f"Terms:\n\n{terms}\n\nDescriptions:\n\n{_option_list(item.options)}"
    checks = (
        f"assert {{}}.__class__ is {var}.__class__, "
        f"{_s(f'{var} must be a dictionary in curly brackets, like {{1: {chr(34)}{first_letter}{chr(34)}, 2: ...}}')}\n"
        f"assert {{*{var}}} == {numbers}, "
        f"{_s(f'the keys of {var} must be the term numbers {term_numbers}')}\n"
        f"assert {{*{var}.values()}} == {letter_set}, "
        f"{_s(f'the values of {var} must be the letters {_letters(item.options)}, each used once')}"
    )
    pairs = ", ".join(f"{n}: {_py(item.answer[n])}" for n in item.terms)
    return [
        _question(
            item,
            "match each term to its description",
            body,
            f"in the cell below, write `{var} = {{...}}`: a dictionary from each term's number to the letter of "
            f'its description, in quotes, for example `{var} = {{1: "{first_letter}", ...}}`. Use every letter once.',
        ),
        _answer(item, f"{var} = {{{pairs}}}"),
        _test(
            item,
            checks,
            f'"|".join([(0).__class__(k).__repr__() + "=" + "".join(["", v]) '
            f"for k, v in {{}}.__class__.items({var})])",
        ),
    ]


def _number_cells(item: Item) -> list[dict]:
    var = item.variables[0]
    rounding = (
        ""
        if item.tolerance == 0
        else (
            f" Round it to {_decimals(item.tolerance)} decimal place{'s' if _decimals(item.tolerance) != 1 else ''}."
        )
    )
    checks = (
        f'assert {var}.__class__ is not "".__class__, {_s(f"{var} must be a number, without quotes")}\n'
        f"(0.0).__class__({var})  # raises an error if {var} is not a number"
    )
    how = (
        f"in the cell below, load the table with `data.load(...)`, compute with pandas, and store the result "
        f"as a number in `{var}` ({item.unit}).{rounding} Keep the code that computes it: the facilitator reads it."
    )
    return [
        _question(item, "a question for the data", "", how),
        _answer(item, item.solution),
        _test(item, checks, f"(0.0).__class__({var}).__repr__()"),
    ]


def _decimals(tolerance: float) -> int:
    return max(0, round(-math.log10(tolerance * 2)))


def _written_cells(item: Item) -> list[dict]:
    how = (
        "write your answer in the cell below, in your own words (a short paragraph, about 80-150 words). "
        "A facilitator reads and grades it by hand."
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


# ---------------------------------------------------------------------------------------------------------
# Keys and marking (trusted side: runs in the grading process, never in the member's kernel)


def key(item: Item) -> dict:
    """What ``answer_keys.json`` stores for an automatic item."""
    out = {"kind": item.kind, "points": item.points, "answer": item.answer, "hint": item.hint}
    if item.kind == "number":
        out["tolerance"] = item.tolerance
    if item.kind == "match":
        out["answer"] = {str(k): v for k, v in item.answer.items()}
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


def _letter(text: str) -> str:
    return text.strip().lower()


def mark(k: dict, reported: str) -> bool:
    """Whether the reported answer (plain text) matches the key ``k``.  Lenient about case and spaces."""
    kind, answer = k["kind"], k["answer"]
    try:
        if kind == "choice":
            return _letter(reported) == answer
        if kind == "truefalse":
            verdict, reason = reported.split("|", 1)
            return verdict == repr(answer["verdict"]) and _letter(reason) == answer["reason"]
        if kind == "order":
            return [_letter(p) for p in reported.split("|")] == list(answer)
        if kind == "match":
            pairs = {}
            for part in reported.split("|"):
                number, letter = part.split("=", 1)
                if number in pairs:
                    return False
                pairs[number] = _letter(letter)
            return pairs == answer
        if kind == "number":
            value = float(reported)
            return math.isfinite(value) and abs(value - float(answer)) <= float(k["tolerance"]) + 1e-9
    except (ValueError, TypeError, AttributeError):
        return False
    raise ValueError(f"unknown kind of item: {kind!r}")


def describe(k: dict, reported: str) -> str:
    """How the member's answer reads back to them in the feedback (their own answer, never the key)."""
    if k["kind"] == "truefalse" and "|" in reported:
        verdict, reason = reported.split("|", 1)
        return f"verdict {verdict}, reason {reason.strip()!r}"
    if k["kind"] in ("order", "match"):
        return reported.replace("|", ", ")
    return repr(reported.strip()) if k["kind"] == "choice" else reported
