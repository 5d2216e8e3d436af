"""Simulated members' submissions, for the end-to-end tests and the benchmark.

``submission(release_nb, assignment, right=...)`` fills a released notebook's answer cells the way a member
would: correct answers for the items in ``right``, plausible wrong ones for the others, and a short text for
written answers.  ``expected_score`` says what autograding must give it.
"""

from __future__ import annotations

import copy
import json
import random

import nbformat

from .kinds import Item
from .spec import Assignment


def answer_code(item: Item, correct: bool) -> str:
    """What a member types in the answer cell of an automatic item."""
    k = item.answer
    if item.kind == "choice":
        letter = k if correct else next(x for x in item.options if x != k)
        return f'{item.variables[0]} = "{letter}"'
    if item.kind == "truefalse":
        verdict = k["verdict"] if correct else not k["verdict"]
        return f'{item.variables[0]} = {verdict!r}\n{item.variables[1]} = "{k["reason"]}"'
    if item.kind == "order":
        order = list(k) if correct else list(k)[1:] + list(k)[:1]
        return f"{item.variables[0]} = {json.dumps(order)}"
    if item.kind == "match":
        values = [k[n] for n in item.terms]
        if not correct:
            values = values[1:] + values[:1]
        return f"{item.variables[0]} = {{{', '.join(f'{n}: {json.dumps(v)}' for n, v in zip(item.terms, values, strict=True))}}}"
    if item.kind == "number":
        if correct:
            return item.solution
        return item.solution + f"\n{item.variables[0]} = {item.variables[0]} + 10"
    raise ValueError(item.kind)


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


def submission(nb, assignment: Assignment, right: set[str] | None = None, written: bool = True):
    """Answers for every automatic item (right for ids in ``right``; all right when ``right`` is None)."""
    codes = {i.answer_id: answer_code(i, right is None or i.id in right) for i in assignment.auto_items}
    texts = (
        {i.grade_id: "My own answer, in my own words." for i in assignment.written_items} if written else {}
    )
    return fill(nb, codes, texts)


def expected_score(assignment: Assignment, right: set[str] | None = None) -> float:
    return float(sum(i.points for i in assignment.auto_items if right is None or i.id in right))


def random_right(assignment: Assignment, rng: random.Random) -> set[str]:
    return {i.id for i in assignment.auto_items if rng.random() < 0.7}
