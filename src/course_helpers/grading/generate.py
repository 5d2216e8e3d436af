"""Write the nbgrader source notebooks and the answer keys from the specs.

    python -m course_helpers.grading generate          # write assignments/source/<slug>/<slug>.ipynb and keys
    python -m course_helpers.grading generate --check  # exit 1 if anything committed differs from the specs

The answers of ``number`` items are computed here, from ``data/``, by running the item's model code in this
(trusted) process; the result is written into ``answer_keys.json``.  When the data change, ``--check`` fails
and says which answer moved, so the keys never silently disagree with the tables.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat

from . import kinds, spec

ROOT = Path(__file__).resolve().parents[3]
COURSE = ROOT / "assignments"
KEYS = Path(__file__).resolve().parent / "answer_keys.json"
GUIDE = ROOT / "facilitator" / "grading.md"
RUBRICS_START = "<!-- rubrics: generated from src/course_helpers/grading/specs by `python -m course_helpers.grading generate` -->"
RUBRICS_END = "<!-- end of generated rubrics -->"


def compute_number(item: kinds.Item) -> float:
    """Run a number item's model code (trusted, from the spec) and return the value it stores."""
    from course_helpers import data

    namespace: dict = {"data": data}
    exec(compile(item.solution, f"<spec {item.grade_id}>", "exec"), namespace)  # noqa: S102 - our own spec
    value = float(namespace[item.variables[0]])
    if not math.isfinite(value):
        raise spec.SpecError(f"{item.grade_id}: the model code gave {value}")
    return value


def notebook(assignment: spec.Assignment) -> nbformat.NotebookNode:
    a = assignment
    auto, manual = a.points
    intro = f"""# Graded reading: {a.title}

This assignment checks your reading of the chapter *{a.title}* and the essay section
"{a.essay_section}" of Cliff Connolly, ["Create a Mass Party!"](https://cosmonautmag.com/2021/02/create-a-mass-party/)
(Cosmonaut Magazine, 2021).

{a.intro.strip()}

**Points:** {auto} checked automatically and {manual} graded by your facilitator, {auto + manual} in all.

**How to work:**

- Each question says exactly what to write and in which form (a letter in quotes, a list, a number...).
- Replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` with your answer.
- Run each answer cell, then the check cell under it. A check only tells you whether your answer has the
  right **form**; it does not tell you whether it is right. Your facilitator's grading does that.
- Do not delete, move or change the question and check cells: they are restored when your work is graded.
- Save the notebook under its own name (`{a.slug}.ipynb`) and send it to your facilitator.
"""
    cells = [kinds._markdown("intro", intro, kinds._meta("intro", grade=False, solution=False, locked=True))]
    cells.append(
        kinds._code(
            "setup",
            "from course_helpers import data",
            kinds._meta("setup", grade=False, solution=False, locked=True),
        )
    )
    for item in a.items:
        cells.extend(kinds.cells(item))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in cells]
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def keys(assignments: list[spec.Assignment]) -> dict:
    out = {}
    for a in assignments:
        entries = {}
        for item in a.auto_items:
            if item.kind == "number":
                item.answer = compute_number(item)
            entries[item.grade_id] = kinds.key(item)
        out[a.slug] = entries
    return out


def rubrics(assignments: list[spec.Assignment]) -> str:
    """The facilitator's guide section with every written answer's rubric (never an automatic item's key)."""
    out = []
    for a in assignments:
        for item in a.written_items:
            prompt = " ".join(item.prompt.split())
            out.append(
                f"### {a.title}: question {item.number} ({item.points} points)\n\n"
                f"Grade id `{item.grade_id}` in the formgrader. The question: *{prompt}*\n\n"
                "| Points | What earns them |\n|---|---|\n"
                + "".join(f"| {r['points']} | {r['criterion']} |\n" for r in item.rubric)
            )
    return "\n".join(out)


def _guide_text(assignments: list[spec.Assignment]) -> str | None:
    if not GUIDE.is_file():
        return None
    text = GUIDE.read_text(encoding="utf-8")
    if RUBRICS_START not in text or RUBRICS_END not in text:
        return None
    head, rest = text.split(RUBRICS_START, 1)
    tail = rest.split(RUBRICS_END, 1)[1]
    return f"{head}{RUBRICS_START}\n\n{rubrics(assignments)}\n{RUBRICS_END}{tail}"


def render(course: Path = COURSE) -> dict[Path, str]:
    """Every generated file and its text."""
    assignments = spec.load_all()
    files = {KEYS: json.dumps(keys(assignments), indent=1, ensure_ascii=False, sort_keys=True) + "\n"}
    guide = _guide_text(assignments)
    if guide is not None:
        files[GUIDE] = guide
    for a in assignments:
        files[course / "source" / a.slug / f"{a.slug}.ipynb"] = nbformat.writes(notebook(a)) + "\n"
    return files


def main(check: bool = False, course: Path = COURSE) -> int:
    files = render(course)
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            print(
                f"out of date: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
                "(run: python -m course_helpers.grading generate)"
            )
        if not stale:
            print("the source notebooks, answer keys and rubrics match the specs and data/")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not stale:
        print("every assignment is up to date")
    return 0
