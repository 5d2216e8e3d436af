"""Graded work on paper (issue 14, item 7): a printable sheet, and answers typed as one line graded like the rest.

* the sheet of a released assignment holds every question and option of that circle's release (its own
  letters), and no key, hint, model answer, rubric or grading marker; it loads nothing from outside;
* a paper line and the same answers typed on screen make the same answer cells and the same score after
  autograde (end to end, one assignment, two members; unsandboxed, like tests/test_circle.py: the sandbox has
  its own tests);
* a malformed line is refused with one line naming the question (the on-screen check's own words), and so are an
  unknown question, a member id with / or .., and an existing submission without --force;
* the sheet prints from Chromium on at most four pages of A4 and of US Letter, at 12 pt or more (the counts are
  printed and kept in test-artifacts/paper/).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from course_helpers import answers
from course_helpers.grading import autograde, circle, generate, kinds, paper, simulate, spec
from course_helpers.grading.__main__ import main as grading_main
from course_helpers.grading.generate import COURSE

SLUG = "role-of-cadre"
ARTIFACTS = ROOT / "test-artifacts" / "paper"
PT = 4 / 3  # CSS pixels per point


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html_text: str) -> str:
    parser = _Text()
    parser.feed(html_text)
    return " ".join(" ".join(parser.parts).split())


def squash(text: str) -> str:
    """Text with Markdown's marks and every space removed, so Markdown and printed HTML compare."""
    text = re.sub(r"^\s*- \*\*(\w)\*\*:", r"\1", text)  # an option: "- **k**: ..." prints as "k ..."
    text = re.sub(r"^\s*(\d+)\.\s", r"\1", text)  # a term: "1. ..." prints as "1 ..."
    text = re.sub(r"^\s*(#+|-)\s+", "", text)
    return re.sub(r"\s+", "", text.replace("**", "").replace("*", "").replace("`", ""))


def fake_course(folder: Path, seed: str) -> Path:
    """A course folder with a circle's seed and a release written the way the release step writes it (no
    nbgrader run: for the quick tests of the typed line)."""
    root = folder / "assignments"
    (root / "release" / SLUG).mkdir(parents=True)
    (root / circle.SEED_FILE).write_text(seed + "\n", encoding="utf-8")
    nb = generate.notebook(spec.load(SLUG, seed=seed))
    nbformat.write(nb, root / "release" / SLUG / f"{SLUG}.ipynb")
    return root


# ---------------------------------------------------------------------------------------------- the typed line


def test_the_line_is_read_leniently():
    line = (
        "q1 b, q2 \"c a d b\", Q3: False (A); q4 1b 2d 3a 4c q5=k q6 'it's a party, q2 isn't', "
        "q7 \u201cwith curly quotes\u201d q8 q"
    )
    assert paper.parse_line(line) == {
        1: "b",
        2: "c a d b",
        3: "False (A)",
        4: "1b 2d 3a 4c",
        5: "k",
        6: "it's a party, q2 isn't",
        7: "with curly quotes",
        8: "q",  # q is one of a circle's letters: only q and a number starts an answer
    }


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("b, q2 c", "before the first question number"),
        ("q1 b q1 c", "q1 is typed twice"),
        ('q9 "never closed', "q9: the quote opened after q9 is never closed"),
        ("just words", "holds no question number"),
    ],
)
def test_a_line_that_cannot_be_split_says_why(line, said):
    with pytest.raises(paper.PaperError) as caught:
        paper.parse_line(line)
    assert said in str(caught.value)


@pytest.fixture(scope="module")
def circle_assignment():
    return spec.load(SLUG, seed="paper-test-circle")


def _item(a: spec.Assignment, kind: str) -> kinds.Item:
    return next(i for i in a.items if i.kind == kind)


def test_a_malformed_answer_names_its_question_with_the_on_screen_message(circle_assignment):
    a = circle_assignment
    for kind, bad in (("choice", "zz"), ("truefalse", "maybe"), ("order", "a"), ("match", "1")):
        item = _item(a, kind)
        with pytest.raises(answers.AnswerProblem) as on_screen:
            answers.read(kind, bad, item.letters, len(item.terms))
        with pytest.raises(paper.PaperError) as caught:
            paper.read_line(a, f"q{item.number} {bad}")
        assert str(caught.value) == f"q{item.number}: {on_screen.value}"
    with pytest.raises(paper.PaperError) as caught:
        paper.read_line(a, "q1 b, q42 c")
    assert str(caught.value).startswith(f"q42: {SLUG} has no question 42")
    with pytest.raises(paper.PaperError) as caught:
        paper.read_line(a, f"q{_item(a, 'choice').number}")
    assert "no answer yet" in str(caught.value)


def test_paper_refuses_bad_member_ids_and_existing_work_and_writes_only_in_the_course(tmp_path, capsys):
    seed = "paper-test-circle"
    root = fake_course(tmp_path, seed)
    a = spec.load(SLUG, seed=seed)
    choice = _item(a, "choice")
    line = f"q{choice.number} {choice.answer}"
    for member in ("../outside", "a/b", "..", "x/../../y", ".hidden"):
        code = grading_main(["paper", SLUG, member, line, "--course", str(root)])
        said = capsys.readouterr().out
        assert code == 1 and "cannot be used" in said and len(said.strip().splitlines()) == 1, said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignments"]
    assert not (root / "submitted").exists()

    assert grading_main(["paper", SLUG, "zoë", line, "--course", str(root)]) == 0
    written = root / "submitted" / "zoë" / SLUG / f"{SLUG}.ipynb"
    assert written.is_file()
    code = grading_main(["paper", SLUG, "zoë", line, "--course", str(root)])
    said = capsys.readouterr().out
    assert code == 1 and "already has a submission" in said and "--force" in said
    assert grading_main(["paper", SLUG, "zoë", line, "--force", "--course", str(root)]) == 0
    assert "wrote submitted/zoë/" in capsys.readouterr().out
    # an unknown question and a malformed answer: one line each, nothing written
    for bad, named in ((f"{line}, q99 b", "q99"), (f"q{choice.number} zz", f"q{choice.number}")):
        code = grading_main(["paper", SLUG, "sam", bad, "--course", str(root)])
        said = capsys.readouterr().out.strip()
        assert code == 1 and said.startswith(f"Nothing written: {named}:") and "\n" not in said, said
    assert not (root / "submitted" / "sam").exists()


def test_the_data_lab_and_an_unreleased_assignment_have_no_sheet(tmp_path, capsys):
    root = fake_course(tmp_path, "paper-test-circle")
    assert grading_main(["sheet", "data-lab", "--course", str(root)]) == 1
    assert grading_main(["sheet", "party-question", "--course", str(root)]) == 1
    said = capsys.readouterr().out
    assert "no paper sheet" in said and "generate_assignment party-question" in said


def test_a_sheet_needs_the_circles_seed(tmp_path, capsys):
    root = fake_course(tmp_path, "paper-test-circle")
    (root / circle.SEED_FILE).unlink()
    assert grading_main(["sheet", SLUG, "--course", str(root)]) == 1
    assert circle.SEED_FILE in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------- end to end


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    env["COURSE_GRADING_SANDBOX"] = "0"
    return env


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A circle's course folder with SLUG released by nbgrader (which makes the circle's seed)."""
    root = tmp_path_factory.mktemp("paper") / "assignments"
    (root / "source").mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source" / SLUG, root / "source" / SLUG)
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", SLUG, "--force", "--create"],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def sheet_file(released) -> Path:
    assert grading_main(["sheet", SLUG, "--course", str(released)]) == 0
    path = released / "release" / SLUG / f"{SLUG}-paper.html"
    assert path.is_file()
    return path


@pytest.mark.grading
def test_the_sheet_holds_every_question_and_option_of_the_circles_release(released, sheet_file):
    seed = circle.read_seed(released)
    assert seed != circle.PUBLIC
    text = squash(visible(sheet_file.read_text(encoding="utf-8")))
    nb = nbformat.read(released / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    questions = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-question")
    ]
    assert len(questions) == len(spec.load(SLUG).items)
    checked = 0
    for cell in questions:
        for paragraph in cell.source.split("\n\n"):
            if paragraph.startswith("**How to answer:**"):
                continue  # on screen: where to type; the sheet says it once, for paper
            for line in paragraph.splitlines():
                if line.strip():
                    assert squash(line) in text, (
                        f"{cell.metadata['nbgrader']['grade_id']}: {line!r} not on the sheet"
                    )
                    checked += 1
    # the circle's own letters, not the public ones
    ours = spec.load(SLUG, seed=seed)
    for item in ours.auto_items:
        for letter, option in item.options.items():
            assert squash(f"{letter} {option}") in text
    print(f"{checked} lines of the release's questions found on the sheet")


@pytest.mark.grading
def test_the_sheet_holds_no_key_hint_solution_or_rubric_and_loads_nothing(released, sheet_file):
    html_text = sheet_file.read_text(encoding="utf-8")
    text = visible(html_text)
    flat = squash(text)
    ours = spec.load(SLUG, seed=circle.read_seed(released))
    for item in ours.items:
        secrets = [item.hint, item.solution, item.source]
        for level in item.rubric.values():
            secrets += [level["criterion"], level["example"]]
        for secret in filter(None, (s.strip() for s in secrets)):
            assert squash(secret) not in flat, f"{item.id}: {secret[:60]!r} is on the sheet"
        if item.kind in ("truefalse", "order", "match"):
            key = kinds._typed(item)
            # as a whole answer, not inside words ("true p" is in "a true party" when a circle's letter is p)
            assert not re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text), (
                f"{item.id}: its key {key!r} is on the sheet"
            )
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", kinds.REPORT_PREFIX, "rubric", "hint", "answer_q"):
        assert marker.lower() not in html_text.lower(), marker
    # self-contained: nothing fetched from anywhere (no script, stylesheet link, image, font or frame)
    assert not re.search(
        r"<(script|link|img|iframe|object)\b|\b(src|href)\s*=|url\(|@import", html_text, re.I
    )


@pytest.mark.grading
@pytest.mark.filterwarnings("ignore:.*not in session")  # nbgrader's own gradebook code (see autograde.py)
def test_a_paper_line_scores_the_same_as_the_same_answers_on_screen(released, capsys):
    seed = circle.read_seed(released)
    a = spec.load(SLUG, seed=seed)
    right = {i.id for n, i in enumerate(a.auto_items) if n % 3 != 1}  # some right, some wrong
    release = nbformat.read(released / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    on_screen = simulate.submission(release, a, right=right, messy=True)
    folder = released / "submitted" / "ada" / SLUG
    folder.mkdir(parents=True)
    nbformat.write(on_screen, folder / f"{SLUG}.ipynb")

    parts = []
    for n, item in enumerate(a.auto_items):
        typed = simulate.answer_text(item, item.id in right, messy=n % 2 == 0)
        parts.append(f'q{item.number} "{typed}"' if n % 2 else f"q{item.number} {typed}")
    first, second = a.written_items[:2]
    parts.append(f'q{first.number} "My own answer, in my own words."')  # the second stays on paper
    line = ", ".join(parts)
    code = grading_main(["paper", SLUG, "ben", line, "--course", str(released)])
    said = capsys.readouterr().out
    assert code == 0, said
    print(f"typed: {line}\n{said}")

    on_paper = nbformat.read(released / "submitted" / "ben" / SLUG / f"{SLUG}.ipynb", as_version=4)
    screen_cells = {
        c.metadata["nbgrader"]["grade_id"]: c.source for c in on_screen.cells if "nbgrader" in c.metadata
    }
    for cell in on_paper.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id and grade_id != second.grade_id:
            assert cell.source == screen_cells[grade_id], f"{grade_id} differs from the member's on screen"

    os.environ["COURSE_GRADING_SANDBOX"] = "0"
    try:
        grader = autograde.Grader(released, SLUG, jobs=2, force=True, timeout=120, out=print)
        results = {r.student: r for r in grader.run(["ada", "ben"])}
    finally:
        os.environ.pop("COURSE_GRADING_SANDBOX", None)
    expected = simulate.expected_score(a, right)
    assert 0 < expected < a.points[0]
    for member in ("ada", "ben"):
        assert results[member].status == "graded", results[member]
    assert results["ben"].score == pytest.approx(results["ada"].score) == pytest.approx(expected)

    # both written answers wait for the facilitator: the typed one, and the one left on the paper sheet
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{released / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(SLUG, SLUG, "ben")
        waiting = {g.name for g in notebook.grades if g.needs_manual_grade}
    assert {first.grade_id, second.grade_id} <= waiting


# ------------------------------------------------------------------------------------------------- printed


def _print(browser, path: Path, size: str) -> tuple[int, float]:
    page = browser.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('body :is(p, li, h2, span)')]
             .filter(e => e.offsetParent !== null && e.textContent.trim())
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    pdf = page.pdf(format=size)
    page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{path.stem}-{size}.pdf").write_bytes(pdf)
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)), smallest


@pytest.mark.grading
@pytest.mark.browser
@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_sheet_prints_on_four_pages_at_twelve_points(browser, sheet_file, size):
    pages, smallest = _print(browser, sheet_file, size)
    print(f"{SLUG} sheet: {pages} {size} pages, smallest text {smallest / PT:.1f} pt")
    assert 1 <= pages <= 4, f"the {SLUG} sheet prints on {pages} {size} pages"
    assert smallest >= 12 * PT - 0.01


@pytest.mark.browser
def test_every_reading_prints_on_a_few_pages(browser, tmp_path):
    """Every reading assignment's sheet, in a circle's letters: the page counts are reported (kept in
    test-artifacts/paper/page-counts.tsv); the longest, twelve questions, runs onto a fifth page."""
    counts = []
    for slug in spec.SLUGS:
        path = tmp_path / f"{slug}-paper.html"
        path.write_text(paper.sheet_html(spec.load(slug, seed="paper-test-circle")), encoding="utf-8")
        for size in ("A4", "Letter"):
            pages, smallest = _print(browser, path, size)
            counts.append((slug, size, pages))
            assert smallest >= 12 * PT - 0.01, slug
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-counts.tsv").write_text(
        "sheet\tpaper\tpages\n" + "".join(f"{s}\t{p}\t{n}\n" for s, p, n in counts), encoding="utf-8"
    )
    print("\n".join(f"{s} {p}: {n} pages" for s, p, n in counts))
    assert all(n <= 5 for _, _, n in counts), counts
