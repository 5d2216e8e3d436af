"""Graded work on paper, for members without a computer: a printable sheet, and a way to grade it like the rest.

    python -m course_helpers.grading sheet party-question [--out sheet.html]
    python -m course_helpers.grading paper party-question ana "q1 b, q2 c a d b, q3 false a, q4 1b 2d 3a 4c"

* :func:`sheet` writes one self-contained HTML page per released assignment (no external file, font or script):
  the questions with **this circle's** options and letters (from its seed, ``circle.py``), a box for the letters
  of each automatic question and ruled lines for each written one.  Never a key, hint, model answer or rubric.
  The facilitator opens it in a browser and prints it (A4 or US Letter; the body is 12 pt).
* :func:`paper` takes the answers of one member's sheet, typed by the facilitator as one line, and writes
  ``submitted/<member>/<assignment>/<assignment>.ipynb``: the released notebook with each answer cell filled as a
  member on screen fills it (``%%answer N`` and the answer).  ``autograde``, the feedback and the class report
  then treat the paper member exactly like the others.

The line: each answer is ``q`` and the question's number, then the answer as a member would type it, read as
leniently as on screen (``course_helpers.answers.read``).  Commas between answers and quotes around them are
optional: ``q1 b, q2 "c a d b", q3 false a, q4 1b 2d 3a 4c``.  A written answer can be typed in quotes
(``q9 "In my view..."``) or left out: its cell then says it is on the paper sheet, and the formgrader lists it
for grading by hand, as it does every written answer.  An automatic question left out counts as unanswered.

The data lab (optional, done with Python) has no paper sheet.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat

from course_helpers import answers

from . import kinds, spec

ESSAY_URL = "https://cosmonautmag.com/2021/02/create-a-mass-party/"
PAPER_NOTE = (
    "Written on the paper sheet: grade this answer from the member's sheet (it was not typed in). "
    "Type it here if you like."
)
WRITTEN_LINES = 8  # ruled lines under a written question (about 90 handwritten words; more go overleaf)


class PaperError(ValueError):
    """A problem with a sheet or a typed line, said in one line."""


# ------------------------------------------------------------------------------------------------- the release


def _release(course: Path, slug: str) -> tuple[spec.Assignment, nbformat.NotebookNode]:
    """The assignment in this circle's letters and its released notebook, checked to agree."""
    if slug in spec.OPTIONAL:
        raise PaperError(f"{slug} is done with Python on a computer (and is optional): it has no paper sheet")
    if slug not in spec.SLUGS:
        raise PaperError(f"there is no assignment {slug!r}; choose one of: {', '.join(spec.SLUGS)}")
    path = Path(course) / "release" / slug / f"{slug}.ipynb"
    if not path.is_file():
        raise PaperError(
            f"{slug} is not released in {course} yet: run `nbgrader generate_assignment {slug}` there first "
            "(the sheet and the paper submissions use the release's letters)"
        )
    from . import circle

    try:
        seed = circle.read_seed(Path(course))
    except circle.CircleSeedError as problem:
        raise PaperError(str(problem)) from None
    assignment = spec.load(slug, seed=seed)
    nb = nbformat.read(path, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for item in assignment.items:
        question = cells.get(f"{item.grade_id}-question")
        answer_id = item.grade_id if item.kind == "written" else item.answer_id
        same = question is not None and answer_id in cells
        if same and item.kind in kinds.PLAIN_KINDS:
            same = all(f"- **{k}**: {text}" in question.source for k, text in item.options.items())
        if not same:
            raise PaperError(
                f"release/{slug}/{slug}.ipynb does not match question {item.number} of the spec in this circle's "
                f"letters (released before the spec changed, or with another seed): release {slug} again with "
                "--force before members get it, or print the sheet from the course folder it was released from"
            )
    return assignment, nb


# ------------------------------------------------------------------------------------------------------ sheet

_MARKDOWN = None


def _inline(text: str) -> str:
    """A line of the spec's Markdown (emphasis, code, links) as HTML; raw HTML in it is shown as text."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt

        _MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable(["link", "image", "autolink"])
    return _MARKDOWN.renderInline(" ".join(str(text).split()))


def _points(n: float) -> str:
    return f"{n:g} point" + ("" if n == 1 else "s")


def _options(options: dict) -> str:
    rows = "".join(
        f'<li class="option"><span class="letter">{html.escape(k)}</span> {_inline(text)}</li>'
        for k, text in options.items()
    )
    return f'<ul class="options">{rows}</ul>'


def _boxes(count: int, label: str = "") -> str:
    return "".join(f'<span class="box" aria-label="{html.escape(label)}"></span>' for _ in range(count))


TITLES = {
    "choice": "choose one",
    "truefalse": "true or false, and why",
    "order": "put in order",
    "match": "match the pairs",
    "written": "in your own words",
}


def _keep(*parts: str) -> str:
    """A block the printout never splits over two pages."""
    return f'<div class="keep">{"".join(parts)}</div>'


def _question(item: kinds.Item) -> str:
    reply = ""  # the answer boxes, on the heading's line, where the facilitator finds them at a glance
    if item.kind == "choice":
        reply = f"Answer: {_boxes(1, 'letter')}"
    elif item.kind == "truefalse":
        reply = (
            '<span class="verdict">true</span> / <span class="verdict">false</span> '
            f"Reason: {_boxes(1, 'letter of the reason')}"
        )
    elif item.kind == "order":
        reply = f"Order: {_boxes(len(item.options), 'letter')}"
    title = (
        f'Question {item.number}: {TITLES[item.kind]} <span class="points">({_points(item.points)})</span>'
    )
    head = [
        f'<div class="title"><h2>{title}</h2><div class="reply">{reply}</div></div>'
        if reply
        else f"<h2>{title}</h2>",
        f'<p class="prompt">{_inline(item.prompt)}</p>',
    ]
    body = []
    if item.kind == "choice":
        body.append(_keep(_options(item.options)))
    elif item.kind == "truefalse":
        head.append(f'<p class="statement"><b>Statement:</b> {_inline(item.statement)}</p>')
        body.append(_keep('<p class="label">Reasons to choose from:</p>', _options(item.options)))
    elif item.kind == "order":
        body.append(_keep(_options(item.options)))
    elif item.kind == "match":
        terms = "".join(
            f'<li class="term"><span class="letter">{n}</span>{_boxes(1, f"letter for term {n}")}'
            f"<span>{_inline(text)}</span></li>"
            for n, text in item.terms.items()
        )
        body.append(
            _keep(
                '<p class="label">Terms: in the box after each number, write the letter of its description '
                "(each letter once).</p>",
                f'<ul class="terms">{terms}</ul>',
            )
        )
        body.append(_keep('<p class="label">Choose from:</p>', _options(item.options)))
    else:
        head.append('<p class="small">If you need more room, go on over the page.</p>')
        body.append('<div class="lines">' + '<div class="line"></div>' * WRITTEN_LINES + "</div>")
    return f'<section class="question {item.kind}"><div class="head">{"".join(head)}</div>{"".join(body)}</section>'


STYLE = """
@page { margin: 13mm 15mm; }
* { box-sizing: border-box; }
html { font-size: 12pt; }
body { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; font-size: 12pt; line-height: 1.25;
  color: #000; background: #fff; max-width: 178mm; margin: 0 auto; padding: 0; }
h1 { font-size: 17pt; margin: 0 0 3pt; line-height: 1.2; }
h2 { font-size: 12.5pt; margin: 0 0 2pt; }
h2 .points { font-weight: normal; }
p { margin: 2pt 0; }
.who { margin: 6pt 0 8pt; }
.who span { display: inline-block; border-bottom: 0.8pt solid #000; width: 70mm; height: 1.2em; margin: 0 8mm 0 2mm;
  vertical-align: bottom; }
.who span.date { width: 35mm; }
.how { border: 0.8pt solid #000; padding: 4pt 8pt; margin: 0 0 10pt; }
.how ul { margin: 2pt 0; padding-left: 1.2em; }
.how li { margin: 1pt 0; }
.question { margin: 0 0 7pt; }
/* a question may go on over a page, but never right after its heading and prompt, nor inside its list of
   options with their answer boxes */
.head { break-after: avoid; page-break-after: avoid; break-inside: avoid; page-break-inside: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
ul.options { list-style: none; margin: 2pt 0 3pt; padding: 0; }
ul.options li { margin: 0 0 0 1.7em; text-indent: -1.7em; }
.letter { display: inline-block; width: 1.7em; text-indent: 0; font-weight: bold; }
.label { margin-top: 3pt; }
.title { display: flex; justify-content: space-between; align-items: center; gap: 4mm; }
.reply { flex: none; white-space: nowrap; }
.box { display: inline-block; width: 10mm; height: 9mm; border: 1.2pt solid #000; vertical-align: middle;
  margin: 0 1.5mm; }
ul.terms { list-style: none; margin: 2pt 0 3pt; padding: 0; }
ul.terms li { display: flex; align-items: center; gap: 2mm; margin: 2pt 0; break-inside: avoid; }
ul.terms .letter { width: 1em; flex: none; }
ul.terms .box { flex: none; margin: 0 1mm 0 0; }
.verdict { display: inline-block; padding: 1pt 6pt; }
.small { font-size: 12pt; font-style: italic; }
.lines { break-inside: auto; }
.line { height: 8mm; border-bottom: 0.8pt solid #444; break-inside: avoid; }
.screen-only { font-family: sans-serif; background: #eef; border: 1px solid #99c; padding: 6pt; margin: 8pt 0; }
@media print { .screen-only { display: none; } }
""".strip()


def sheet_html(assignment: spec.Assignment) -> str:
    """The printable sheet of ``assignment`` (already in the circle's letters)."""
    a = assignment
    auto, manual = a.points
    title = f"Graded reading: {a.title}"
    how = f"""
<section class="how">
<p>This sheet checks your reading of the chapter <i>{html.escape(a.title)}</i> and of the essay section
"{html.escape(a.essay_section)}" in Cliff Connolly's "Create a Mass Party!" (Cosmonaut Magazine, 2021), which you
can read at {html.escape(ESSAY_URL)}. {_inline(a.intro)}</p>
<p><b>Points:</b> {auto:g} for the questions with letters, {manual:g} for your written answers.
<b>How to answer:</b> write each answer clearly in its box, with the letters printed by the options (your
circle's letters are its own).</p>
<ul>
<li><b>Choose one:</b> the letter of the best answer.</li>
<li><b>True or false:</b> circle true or false, and write the letter of the reason that best supports it. Both
must be right.</li>
<li><b>Put in order:</b> the letters in order, the first on the left. <b>Match:</b> in the box by each term, the
letter of its description. Each right pair earns part of the points.</li>
<li><b>In your own words:</b> write on the lines. A reasoned view that disagrees with the essay earns the same
points as one that agrees.</li>
<li>Then give the sheet to your facilitator. They type your answers in, so you get the same marks and comments
as members who work on screen.</li>
</ul>
</section>"""
    questions = "\n".join(_question(item) for item in a.items)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
{STYLE}
</style>
</head>
<body>
<p class="screen-only">Print this page from your browser (Ctrl+P, or Cmd+P on a Mac). It fits A4 and US Letter;
choose "no headers and footers" in the print settings if your browser offers it.</p>
<h1>{html.escape(title)}</h1>
<p class="who">Name: <span></span> Date: <span class="date"></span></p>
{how}
{questions}
</body>
</html>
"""


def sheet(course: Path, slug: str, out: Path | None = None) -> Path:
    """Write the printable sheet of the released assignment ``slug``; return where it went."""
    assignment, _ = _release(course, slug)
    out = Path(out) if out is not None else Path(course) / "release" / slug / f"{slug}-paper.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sheet_html(assignment), encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------------------ typed line

_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "\u201e": "\u201c"}
# a question's number: q3, Q3, q3:, q3= or q3), at the start of the line or after a space, comma or semicolon
_MARK = re.compile(r"(?:^|(?<=[\s,;]))[qQ](\d+)(?:\s*[:=.)]|(?=[\s\"'\u201c\u2018\u00ab\u201e]|$))")


def parse_line(line: str) -> dict[int, str]:
    """The answers of a typed line, by question number, as typed (quotes removed, spaces tidied)."""
    text = str(line).strip()
    marks = list(_MARK.finditer(text))
    if not marks:
        raise PaperError(
            'the line holds no question number: type each answer after its number, like q1 b, q2 "c a d b"'
        )
    before = text[: marks[0].start()].strip(" ,;")
    if before:
        raise PaperError(
            f"{before!r} comes before the first question number: start the line with q1 (or another q-number)"
        )
    found: dict[int, str] = {}
    position = 0
    while position < len(text):
        mark = _MARK.search(text, position)
        if mark is None:
            break
        number = int(mark.group(1))
        rest_start = mark.end()
        value_start = len(text) - len(text[rest_start:].lstrip())
        opening = text[value_start : value_start + 1]
        if opening and opening in _QUOTES:
            value, position = _quoted(text, value_start, number)
        else:
            following = _MARK.search(text, rest_start)
            end = following.start() if following else len(text)
            value, position = text[rest_start:end], end
        value = " ".join(value.split()).strip(" ,;")
        if number in found:
            raise PaperError(f"q{number} is typed twice: keep one answer for it")
        found[number] = value
    return found


def _quoted(text: str, start: int, number: int) -> tuple[str, int]:
    """A quoted answer: it ends at the closing quote that is followed by the end of the line or the next
    question's number (so quotes and apostrophes inside a written answer are kept)."""
    closing = _QUOTES[text[start]]
    index = start + 1
    while True:
        index = text.find(closing, index)
        if index < 0:
            raise PaperError(f"q{number}: the quote opened after q{number} is never closed")
        after = text[index + 1 :].lstrip(" ,;")
        if not after or _MARK.match(after):
            return text[start + 1 : index], len(text) - len(after)
        index += 1


def read_line(assignment: spec.Assignment, line: str) -> dict[int, str]:
    """The typed answers checked against the assignment: each automatic one read as on screen."""
    typed = parse_line(line)
    items = {item.number: item for item in assignment.items}
    numbers = sorted(items)
    for number in typed:  # a number that is no question first: the rest of the line may be shifted
        if number not in items:
            raise PaperError(
                f"q{number}: {assignment.slug} has no question {number} (its questions are q{numbers[0]} to "
                f"q{numbers[-1]})"
            )
    for number, value in typed.items():
        item = items[number]
        if item.kind == "written":
            if not value:
                raise PaperError(
                    f"q{number}: no answer yet (leave a written answer out of the line to grade it from the sheet)"
                )
            continue
        try:
            answers.read(item.kind, value, item.letters, len(item.terms))
        except answers.AnswerProblem as problem:
            raise PaperError(f"q{number}: {problem}") from None
    return typed


def check_member(member: str) -> str:
    from .collect import MEMBER_RE

    member = str(member).strip()
    if not member or "/" in member or "\\" in member or ".." in member or not MEMBER_RE.match(member):
        raise PaperError(
            f"the member id {member!r} cannot be used: letters, digits, - _ and single dots only "
            "(no /, no .., as in the gradebook: ana, ben-k)"
        )
    return member


def fill(
    nb: nbformat.NotebookNode, assignment: spec.Assignment, typed: dict[int, str]
) -> nbformat.NotebookNode:
    """A copy of the released notebook with the typed answers in their cells, as a member on screen types them;
    a written answer not typed says it is on the paper sheet."""
    nb = copy.deepcopy(nb)
    ids = {}
    for item in assignment.items:
        ids[item.grade_id if item.kind == "written" else item.answer_id] = item
    for cell in nb.cells:
        item = ids.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if item is None:
            continue
        if item.kind == "written":
            cell.source = typed.get(item.number) or PAPER_NOTE
        elif item.number in typed:
            cell.source = f"%%answer {item.number}\n{typed[item.number]}"
    return nb


def paper(course: Path, slug: str, member: str, line: str, force: bool = False, out=print) -> Path:
    """Write a paper member's typed answers as their submission of ``slug``; return the notebook's path."""
    member = check_member(member)
    assignment, nb = _release(course, slug)
    typed = read_line(assignment, line)
    root = Path(course).resolve()
    folder = (root / "submitted" / member / slug).resolve()
    if not folder.is_relative_to(root / "submitted"):
        raise PaperError(f"the member id {member!r} would write outside the course folder")
    target = folder / f"{slug}.ipynb"
    if folder.exists() and any(folder.iterdir()) and not force:
        raise PaperError(
            f"{member} already has a submission of {slug} (submitted/{member}/{slug}/): add --force to replace it"
        )
    folder.mkdir(parents=True, exist_ok=True)
    if force:
        for old in folder.glob("*.ipynb"):
            old.unlink()
    nbformat.write(fill(nb, assignment, typed), target)
    shown = []
    for item in assignment.items:
        if item.number in typed and item.kind != "written":
            value = answers.read(item.kind, typed[item.number], item.letters, len(item.terms))
            shown.append(f"q{item.number} {answers.show(item.kind, value)}")
        elif item.number in typed:
            shown.append(f"q{item.number} ({len(typed[item.number].split())} words)")
    missing = [f"q{i.number}" for i in assignment.auto_items if i.number not in typed]
    by_hand = [f"q{i.number}" for i in assignment.written_items if i.number not in typed]
    out(f"wrote submitted/{member}/{slug}/{slug}.ipynb for {member}")
    out(f"  read as: {', '.join(shown) or 'nothing'}")
    if missing:
        out(f"  not on the line, so unanswered: {', '.join(missing)}")
    if by_hand:
        out(f"  written answers to grade from the sheet (formgrader): {', '.join(by_hand)}")
    out(f"  next: python -m course_helpers.grading autograde {slug}")
    return target


def main_sheet(course: Path, slug: str, out: Path | None) -> int:
    try:
        path = sheet(course, slug, out)
    except PaperError as problem:
        print(f"No sheet: {problem}")
        return 1
    print(f"wrote {path}: open it in a browser and print it (A4 or US Letter)")
    return 0


def main_paper(course: Path, slug: str, member: str, line: str, force: bool) -> int:
    try:
        paper(course, slug, member, line, force)
    except PaperError as problem:
        print(f"Nothing written: {problem}")
        return 1
    return 0


def add_commands(sub, slugs) -> list:
    """The ``sheet`` and ``paper`` subcommands of ``python -m course_helpers.grading``."""
    one = {"choices": slugs, "metavar": "assignment", "help": "one of: " + ", ".join(slugs)}
    sheet_cmd = sub.add_parser(
        "sheet", help="a printable sheet of a released assignment, in the circle's letters"
    )
    sheet_cmd.add_argument("assignment", **one)
    sheet_cmd.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the HTML file to write (default: release/<assignment>/<assignment>-paper.html)",
    )
    paper_cmd = sub.add_parser(
        "paper", help="turn a paper sheet's answers, typed as one line, into a submission"
    )
    paper_cmd.add_argument("assignment", **one)
    paper_cmd.add_argument("member", help="the member's id, as in the gradebook (ana, ben-k)")
    paper_cmd.add_argument(
        "line", help='the answers in quotes, like "q1 b, q2 c a d b, q3 false a, q4 1b 2d 3a 4c"'
    )
    paper_cmd.add_argument(
        "--force", action="store_true", help="replace the member's submission if there is one"
    )
    return [sheet_cmd, paper_cmd]


def run(args, course: Path) -> int:
    if args.command == "sheet":
        return main_sheet(course, args.assignment, args.out)
    return main_paper(course, args.assignment, args.member, args.line, args.force)
