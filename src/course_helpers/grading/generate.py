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
import yaml

from . import kinds, spec

ROOT = Path(__file__).resolve().parents[3]
COURSE = ROOT / "assignments"
KEYS = Path(__file__).resolve().parent / "answer_keys.json"
# The facilitators-only guide to the keys and rubrics (in the nbgrader folder: never built into the book, never
# published); the book's grading page speaks to facilitators without pointing at the keys.
GUIDE = COURSE / "FACILITATORS.md"
RUBRICS_START = "<!-- rubrics: generated from src/course_helpers/grading/specs by `python -m course_helpers.grading generate` -->"
RUBRICS_END = "<!-- end of generated rubrics -->"


def compute_number(item: kinds.Item) -> float:
    """Run a number item's model code (trusted, from the spec) and return the value it stores."""
    from course_helpers import data

    namespace: dict = {"data": data}
    code = f"{item.starter}\n{item.solution}"
    exec(compile(code, f"<spec {item.grade_id}>", "exec"), namespace)  # noqa: S102 - our own spec
    value = float(namespace[item.variables[0]])
    if not math.isfinite(value):
        raise spec.SpecError(f"{item.grade_id}: the model code gave {value}")
    return value


def _setup_code(a: spec.Assignment) -> str:
    lines = [
        "from course_helpers.answers import check  # lets you type plain answers under %%answer, and checks them"
    ]
    if any(i.kind == "number" for i in a.items):
        lines.append('from course_helpers import data  # the course\'s tables: data.load("membership")')
    return "\n".join(lines)


def notebook(assignment: spec.Assignment) -> nbformat.NotebookNode:
    a = assignment
    auto, manual = a.points
    plain = any(i.kind in kinds.PLAIN_KINDS for i in a.items)
    how_plain = (
        """- Most questions are answered with a letter or a few letters. Type them on a new line under the
  first line of the answer cell (`%%answer 3`, say), and leave that first line as it is. For example:

  ```
  %%answer 3
  c a d b
  ```

  Capitals, commas and full stops do not matter, and the grey note line may be deleted. You never need to
  write Python. If you delete the first line `%%answer 3` by mistake, type it back as the cell's very first line.
"""
        if plain
        else ""
    )
    how_number = (
        """- The data questions are answered with a few lines of Python (pandas); each says what to store and
  where, with hints.
"""
        if any(i.kind == "number" for i in a.items)
        else ""
    )
    optional = (
        "\n**This assignment is optional.** It does not count towards the reading score; it is for members who "
        "want to try the course's data themselves.\n"
        if a.optional
        else ""
    )
    intro = f"""# Graded reading: {a.title}

This assignment checks your reading of the chapter *{a.title}* and the essay section
"{a.essay_section}" of Cliff Connolly, ["Create a Mass Party!"](https://cosmonautmag.com/2021/02/create-a-mass-party/)
(Cosmonaut Magazine, 2021).

{a.intro.strip()}
{optional}
**Points:** {auto} checked automatically and {manual} graded by your facilitator, {auto + manual} in all.

**How to work:**

- First run the cell just below this text (click it, then press Shift+Enter). It lets the answer cells take
  plain answers.
{how_plain}{how_number}- After each answer, run its cell, then the check cell under it. A check only tells you whether your answer
  has the right **form** (for example, one letter out of a, b, c, d); it does not tell you whether it is right.
  Your facilitator's grading does that.
- Written answers go in the text cells marked "YOUR ANSWER HERE": double-click, type, then Shift+Enter.
- Do not delete, move or change the question and check cells: they are restored when your work is graded.
- To see what is still missing, run every cell (menu **Run**, then **Run All Cells**). It stops at the first red
  message: fix what it says, then Run All again, until no red message is left.
- Save the notebook under its own name (`{a.slug}.ipynb`) and send it to your facilitator.
"""
    cells = [kinds._markdown("intro", intro, kinds._meta("intro", grade=False, solution=False, locked=True))]
    cells.append(
        kinds._code("setup", _setup_code(a), kinds._meta("setup", grade=False, solution=False, locked=True))
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


def book_site() -> str:
    """Where the readers' book is served (``readers: site:`` in ``_config.yml``), or '' when not set."""
    config = ROOT / "_config.yml"
    if not config.is_file():
        return ""
    raw = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return str((raw.get("readers") or {}).get("site") or "").rstrip("/")


def reread_link(chapter: str, heading: str, site: str | None = None) -> str:
    """The address of a chapter section in the readers' book, or '' when the book's address is not set."""
    site = (book_site() if site is None else site).rstrip("/")
    if not site:
        return ""
    from docutils.nodes import make_id

    return f"{site}/chapters/{chapter}.html#{make_id(heading)}"


def chapter_title(chapter: str, default: str = "") -> str:
    """The title of a chapter page (its first heading), for the feedback's "reread" notes."""
    page = ROOT / "chapters" / f"{chapter}.md"
    if page.is_file():
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return default


def keys(assignments: list[spec.Assignment]) -> dict:
    out = {}
    site = book_site()
    for a in assignments:
        entries = {}
        for item in a.items:
            if item.kind == "number":
                item.answer = compute_number(item)
            entry = kinds.key(item)
            entry["reread"] = {
                **item.reread,
                "title": chapter_title(a.chapter, a.title),
                "link": reread_link(a.chapter, item.reread["chapter"], site),
            }
            entries[item.grade_id] = entry
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
                f"Grade id `{item.grade_id}` in the formgrader. Skill: {item.skill}. The question: *{prompt}*\n\n"
                + kinds.rubric_text(item.points, item.rubric)
                + "\n"
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


def render(
    course: Path = COURSE, specs: Path = spec.SPECS, keys_path: Path = KEYS, guide: bool = True
) -> dict[Path, str]:
    """Every generated file and its text (from the specs in ``specs``; the keys written to ``keys_path``)."""
    assignments = spec.load_all(specs)
    files = {keys_path: json.dumps(keys(assignments), indent=1, ensure_ascii=False, sort_keys=True) + "\n"}
    text = _guide_text(assignments) if guide else None
    if text is not None:
        files[GUIDE] = text
    for a in assignments:
        files[course / "source" / a.slug / f"{a.slug}.ipynb"] = nbformat.writes(notebook(a)) + "\n"
    return files


def main(check: bool = False, course: Path = COURSE) -> int:
    try:
        files = render(course)
    except spec.SpecError as problems:
        print(f"A spec does not follow specs/FORMAT.md:\n{problems}")
        return 1
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
