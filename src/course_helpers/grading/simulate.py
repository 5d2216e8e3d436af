"""Simulated members' submissions, for the end-to-end tests and the benchmark.

``submission(release_nb, assignment, right=...)`` fills a released notebook's answer cells the way a member
would: correct answers for the items in ``right``, wrong ones (worth nothing, not even partial credit) for the
others, and a short text for written answers.  ``expected_score`` says what autograding must give it.
"""

from __future__ import annotations

import copy
import random

import nbformat

from .kinds import Item
from .spec import Assignment


def answer_text(item: Item, correct: bool, messy: bool = False) -> str:
    """What a member types under ``%%answer N``.  ``messy``: the same answer with capitals and punctuation."""
    k = item.answer
    letters = list(item.options)
    if item.kind == "choice":
        text = k if correct else next(x for x in letters if x != k)
        return f"{text.upper()}." if messy else text
    if item.kind == "truefalse":
        verdict = k["verdict"] if correct else not k["verdict"]
        word = "true" if verdict else "false"
        return f"{word.capitalize()}, ({k['reason'].upper()})" if messy else f"{word} {k['reason']}"
    if item.kind == "order":
        order = list(k) if correct else list(reversed(k))  # reversed: no neighbouring pair in the right order
        return ", ".join(x.upper() for x in order) + "." if messy else " ".join(order)
    if item.kind == "match":
        values = [k[n] for n in item.terms]
        if not correct:
            values = values[1:] + values[:1]  # every description moved to the next term: no pair right
        pairs = zip(item.terms, values, strict=True)
        return (
            ", ".join(f"{n}-{v.upper()}" for n, v in pairs)
            if messy
            else " ".join(f"{n}{v}" for n, v in pairs)
        )
    raise ValueError(item.kind)


def answer_code(item: Item, correct: bool, messy: bool = False) -> str:
    """The whole answer cell: ``%%answer N`` and the typed answer, or a data-lab item's pandas code."""
    if item.kind == "number":
        code = f"{item.starter.strip()}\n{item.solution.strip()}".strip()
        return code if correct else code + f"\n{item.variable} = {item.variable} + 10"
    return f"%%answer {item.number}\n{answer_text(item, correct, messy)}"


def python_answer(item: Item, correct: bool) -> str:
    """The same answer set in plain Python (what a submission that drops ``%%answer`` can do)."""
    if item.kind == "number":
        return answer_code(item, correct)
    return f"{item.variable} = {answer_text(item, correct)!r}"


def fill(nb: nbformat.NotebookNode, codes: dict[str, str], texts: dict[str, str] | None = None):
    """A copy of ``nb`` with the answer cells whose grade_id is in ``codes``/``texts`` replaced."""
    nb = copy.deepcopy(nb)
    texts = texts or {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in codes:
            cell.source = codes[grade_id]
        elif grade_id in texts:
            cell.source = texts[grade_id]
    return nb


def submission(nb, assignment: Assignment, right: set[str] | None = None, written: bool = True, messy=False):
    """Answers for every automatic item (right for ids in ``right``; all right when ``right`` is None)."""
    codes = {
        i.answer_id: answer_code(i, right is None or i.id in right, messy=messy and n % 2 == 0)
        for n, i in enumerate(assignment.auto_items)
    }
    texts = (
        {i.grade_id: "My own answer, in my own words." for i in assignment.written_items} if written else {}
    )
    return fill(nb, codes, texts)


def expected_score(assignment: Assignment, right: set[str] | None = None) -> float:
    return float(sum(i.points for i in assignment.auto_items if right is None or i.id in right))


def random_right(assignment: Assignment, rng: random.Random) -> set[str]:
    return {i.id for i in assignment.auto_items if rng.random() < 0.7}
