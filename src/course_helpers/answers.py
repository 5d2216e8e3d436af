"""Plain answers in the graded notebooks: a member types letters or words, never Python.

A graded notebook's setup cell imports :func:`check`, which also registers the cell magic ``%%answer``.
An answer cell then reads::

    %%answer 3
    c a d b

The magic stores what was typed, word for word, as the plain string ``answer_q3`` and says so
("Saved your answer to question 3: c a d b").  Lines starting with ``#`` are notes, never part of the answer,
so the line a released notebook puts under ``%%answer 3`` marks a question not yet answered.  Typed text
cannot be a Python syntax error.

The check cell under it calls ``check(3, "order", "abcd")``: it says whether the answer has the right
*form* (one letter, each letter once, every term matched...) in one plain line, never a traceback.  It does
not know the right answer: the key never enters the member's notebook.  The grader reads the stored text
again, in its own process, with the same lenient readers (:func:`read`), and marks it there.

What is read leniently: capitals, spaces, commas, full stops and other punctuation between the parts, so
``B.``, ``c, a, d, b``, ``cadb``, ``1-b 2-d``, ``1 b, 2 d`` and ``False (a)`` all read as meant.

This module runs in the member's notebook (and, for reading, in the grader).  It holds no answer and needs
nothing but the standard library and IPython.
"""

from __future__ import annotations

import numbers
import re

VERDICTS = {"true": "true", "t": "true", "yes": "true", "false": "false", "f": "false", "no": "false"}
_WORD = re.compile(r"[a-z]+|\d+")
_PAIR = re.compile(r"(\d+)\s*[-:=.)>/]*\s*([a-z])(?![a-z])")


class AnswerProblem(Exception):
    """A missing or malformed answer.  Shown as its one-line message, never as a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this list instead of a traceback
        return [str(self)]


# ------------------------------------------------------------------------------------------------ reading


def content(text: str) -> str:
    """The answer part of what was typed: every line that is not a note (``# ...``), on one line."""
    lines = [line.strip() for line in str(text).splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("#")).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(content(text).lower())


def _letter_list(letters) -> str:
    letters = list(letters)
    return ", ".join(letters[:-1]) + " or " + letters[-1] if len(letters) > 1 else "".join(letters)


def _spaced(letters) -> str:
    return " ".join(letters)


def read_choice(text: str, letters: str) -> str:
    words = _words(text)
    if len(words) != 1 or words[0] not in letters or len(words[0]) != 1:
        raise AnswerProblem(f"type one letter: {_letter_list(letters)} (for example: {letters[0]})")
    return words[0]


def read_truefalse(text: str, letters: str) -> tuple[str, str]:
    words = _words(text)
    verdicts = [VERDICTS[w] for w in words if w in VERDICTS and w not in letters]
    reasons = [w for w in words if w not in VERDICTS or w in letters]
    if len(verdicts) != 1 or len(reasons) != 1 or reasons[0] not in letters or len(reasons[0]) != 1:
        raise AnswerProblem(
            "type true or false, then the letter of the reason: "
            f"{_letter_list(letters)} (for example: false {letters[0]})"
        )
    return verdicts[0], reasons[0]


def read_order(text: str, letters: str) -> list[str]:
    words = _words(text)
    if len(words) == 1 and len(words[0]) == len(letters):  # "cadb"
        words = list(words[0])
    if sorted(words) != sorted(letters):
        raise AnswerProblem(
            f"type the {len(letters)} letters {_spaced(letters)} in the order you choose, each once, "
            "with spaces between them"
        )
    return words


def read_match(text: str, terms: int, letters: str) -> dict[int, str]:
    lowered = content(text).lower()
    pairs = _PAIR.findall(lowered)
    rest = _PAIR.sub(" ", lowered)
    numbers = list(range(1, int(terms) + 1))
    expected = (
        "type each term's number followed by the letter of its description, like 1b, "
        f"for every number {_spaced(map(str, numbers))}, each once"
    )
    if not pairs or re.search(r"[a-z0-9]", rest):
        raise AnswerProblem(expected)
    answer = {int(n): letter for n, letter in pairs}
    if len(answer) != len(pairs) or sorted(answer) != numbers:
        raise AnswerProblem(expected)
    if any(letter not in letters for letter in answer.values()):
        raise AnswerProblem(f"use only the letters {_spaced(letters)}; {expected}")
    if len(set(answer.values())) != len(answer):
        raise AnswerProblem(f"use each letter once; {expected}")
    return answer


def read(kind: str, text: str, letters: str = "", terms: int = 0):
    """The answer ``text`` read as a ``kind`` item (raises :class:`AnswerProblem` when it cannot be)."""
    if not content(text):
        raise AnswerProblem("no answer yet")
    if kind == "choice":
        return read_choice(text, letters)
    if kind == "truefalse":
        return read_truefalse(text, letters)
    if kind == "order":
        return read_order(text, letters)
    if kind == "match":
        return read_match(text, terms, letters)
    raise ValueError(f"no plain answers for items of kind {kind!r}")


def show(kind: str, value) -> str:
    """An answer as read, written back the way a member types it (``c a d b``, ``1b 2d``, ``false a``)."""
    if kind == "truefalse":
        return " ".join(value)
    if kind == "order":
        return " ".join(value)
    if kind == "match":
        return " ".join(f"{n}{letter}" for n, letter in sorted(value.items()))
    return str(value)


# ------------------------------------------------------------------------------------- in the notebook


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def answer(line: str, cell: str) -> None:
    """``%%answer N``: store the cell's text as ``answer_qN`` and say so."""
    number = line.strip()
    if not number.isdigit():
        raise AnswerProblem(
            "The first line of an answer cell must be only %%answer and the question's number, "
            "for example %%answer 7. Put your answer on the line below it."
        )
    _namespace()[f"answer_q{int(number)}"] = "".join(["", cell])
    typed = content(cell)
    if typed:
        print(f"Saved your answer to question {int(number)}: {typed}")
    else:
        print(
            f"Question {int(number)} has no answer yet: type it on a new line under %%answer {int(number)}, "
            "then run this cell again."
        )


def check(number: int, kind: str, letters: str = "", terms: int = 0) -> None:
    """The form check under an answer cell: one plain line, an exception when the form is wrong."""
    name = f"answer_q{number}"
    namespace = _namespace()
    if name not in namespace:
        raise AnswerProblem(
            f"Question {number}: no answer yet. Type it in the cell above, under its first line "
            f"%%answer {number} (put that line back if it was deleted), run that cell, then this one."
        )
    value = namespace[name]
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):  # numpy's numbers count too
            raise AnswerProblem(f"Question {number}: {name} must hold a number (like 12.5), without quotes.")
        print(
            f"Question {number}: the form is right ({value!r}). Whether it is right, your facilitator's grading says."
        )
        return
    if type(value) is not str:
        raise AnswerProblem(
            f"Question {number}: type your answer as plain letters under %%answer {number}, not as Python."
        )
    if not content(value):
        raise AnswerProblem(
            f"Question {number}: no answer yet. Type it in the cell above, on a new line under "
            f"%%answer {number}, run that cell, then this one."
        )
    try:
        read(kind, value, letters, terms)
    except AnswerProblem as problem:
        raise AnswerProblem(f"Question {number}: {problem}.") from None
    print(
        f"Question {number}: the form is right ({content(value)}). "
        "Whether it is right, your facilitator's grading says."
    )


def register() -> None:
    """Make ``%%answer`` available in the running notebook (does nothing outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(answer, "cell", "answer")


register()
