"""The facilitator's kit reads as a facilitator would use it (issue 14).

Each session plan's timing table adds up to the session's length, has one break in its middle (35-65 %), opens
with a report-back (after week 1) and closes with an organising step; week 8 closes with the look-back and the
evaluation. Every discussion question has notes for the room; every session has a catch-up entry and an
argument map (for the essay's sections); each track's timing tables add up. The table format is documented in
facilitator/index.md ("How a timing table is written"); these tests read exactly that format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

from course_helpers import outline, readability

FACILITATOR = ROOT / "facilitator"
SESSIONS = FACILITATOR / "sessions"
LISTEN, PROBE, PITFALL = "Listen for", "Probe", "Where it goes wrong"
CATCH_UP_TERMS = ("Read", "Self-check", "Bring back")
MAP_TERMS = ("Evidence", "What the sources say", "CounterPower's reply")


# ---------------------------------------------------------------- parsing (the documented format)


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    part: str
    what: str

    @property
    def kind(self) -> str:
        return self.part.strip().lower()


def section(text: str, heading: str) -> str:
    """The text under a heading (any level) up to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}(?![\w-]).*$", text, flags=re.M)
    if not m:
        return ""
    level = len(m.group(1))
    rest = text[m.end() :]
    stop = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: stop.start()] if stop else rest


def length(text: str) -> int:
    """The session length a plan states: '**Length:** 90 minutes'."""
    m = re.search(r"\*\*Length:\*\*\s*(\d+)\s*minutes", text)
    assert m, "no '**Length:** N minutes' line"
    return int(m.group(1))


def timing_rows(text: str) -> list[Row]:
    """The first table whose header is 'Minutes | Part | What happens', as rows of whole minutes."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[:2] == ["Minutes", "Part"]:
            rows = []
            for body in lines[i + 2 :]:
                if not body.lstrip().startswith("|"):
                    break
                minutes, part, *what = [c.strip() for c in body.strip().strip("|").split("|")]
                m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", minutes)
                assert m, f"minutes must read 'start-end' in whole minutes, not {minutes!r}"
                rows.append(Row(int(m.group(1)), int(m.group(2)), part, " ".join(what)))
            return rows
    return []


def timing_problems(rows: list[Row], total: int, *, first: bool, last: bool) -> list[str]:
    """Everything wrong with one timing table (an empty list when it is right)."""
    if not rows:
        return ["no timing table ('| Minutes | Part | What happens |')"]
    problems = []
    if rows[0].start != 0:
        problems.append(f"the table starts at minute {rows[0].start}, not 0")
    for a, b in zip(rows, rows[1:], strict=False):
        if b.start != a.end:
            problems.append(f"'{a.part}' ends at {a.end} but '{b.part}' starts at {b.start}")
    for r in rows:
        if r.end <= r.start:
            problems.append(f"'{r.part}' lasts {r.end - r.start} minutes")
    if rows[-1].end != total:
        problems.append(f"the table ends at minute {rows[-1].end}, but the session lasts {total}")
    if sum(r.end - r.start for r in rows) != total:
        problems.append(f"the minutes add up to {sum(r.end - r.start for r in rows)}, not {total}")
    breaks = [r for r in rows if r.kind == "break"]
    if len(breaks) != 1:
        problems.append(f"{len(breaks)} rows named 'Break' (exactly one is needed)")
    for b in breaks:
        if not (0.35 * total <= b.start and b.end <= 0.65 * total):
            problems.append(
                f"the break runs {b.start}-{b.end}, outside the middle of the session "
                f"({0.35 * total:g}-{0.65 * total:g})"
            )
    hidden = [r.part for r in rows if r.kind != "break" and re.search(r"\bbreak\b", r.what, re.I)]
    if hidden:
        problems.append(f"a break is promised inside another row: {hidden}")
    kinds = [r.kind for r in rows]
    if "action step" not in kinds:
        problems.append("no closing 'Action step' row")
    else:
        after = kinds[kinds.index("action step") + 1 :]
        allowed = {"buffer", "look-back", "evaluation"} if last else {"buffer"}
        if set(after) - allowed:
            problems.append(f"the session does not close on its action step: {after} follow it")
        if breaks and kinds.index("action step") < kinds.index("break"):
            problems.append("the action step comes before the break")
    if not first:
        if "report-back" not in kinds:
            problems.append("no 'Report-back' row on the last session's action step")
        elif breaks and kinds.index("report-back") > kinds.index("break"):
            problems.append("the report-back comes after the break")
    if last:
        for needed in ("look-back", "evaluation"):
            if needed not in kinds:
                problems.append(f"the last week has no '{needed.capitalize()}' row")
    return problems


def question_count(chapter_text: str) -> int:
    """How many numbered discussion questions the chapter asks."""
    block = section(chapter_text, "Discussion questions")
    return len(re.findall(r"^(\d+)\. ", block, flags=re.M))


def term_blocks(text: str) -> dict[str, str]:
    """A MyST definition list as {term: definition}."""
    found: dict[str, str] = {}
    term = None
    for line in text.splitlines():
        if line.startswith(": ") and term:
            found[term] = found.get(term, "") + line[2:]
        elif line.startswith("  ") and term and found.get(term):
            found[term] += " " + line.strip()
        elif line.strip() and not line.startswith((":", " ")):
            term = line.strip()
    return found


def missing_question_notes(plan_text: str, n_questions: int) -> list[str]:
    notes = section(plan_text, "In the room: notes on each question")
    problems = []
    if not notes:
        return ["no section 'In the room: notes on each question'"]
    for n in range(1, n_questions + 1):
        block = section(notes, f"Question {n}:")
        if not block:
            problems.append(f"question {n} has no notes ('### Question {n}: ...')")
            continue
        terms = term_blocks(block)
        for needed in (LISTEN, PROBE, PITFALL):
            if not terms.get(needed, "").strip():
                problems.append(f"question {n} has no '{needed}'")
    extra = set(map(int, re.findall(r"^### Question (\d+):", notes, flags=re.M))) - set(
        range(1, n_questions + 1)
    )
    if extra:
        problems.append(f"notes for questions the chapter does not ask: {sorted(extra)}")
    return problems


def course_order() -> list[str]:
    """The session slugs in the order of the table 'The eight sessions' in facilitator/index.md."""
    table = section((FACILITATOR / "index.md").read_text(encoding="utf-8"), "The eight sessions")
    return re.findall(r"\{ref\}`session-([a-z-]+)`", table)


# ---------------------------------------------------------------- the parsers can fail (tiny literal plans)

GOOD = """**Length:** 60 minutes

| Minutes | Part | What happens |
|---|---|---|
| 0-10 | Report-back | Who had the conversation? |
| 10-25 | Round 1 | Pairs |
| 25-30 | Break | Five minutes |
| 30-55 | Round 2 | Whole circle |
| 55-58 | Action step | One conversation before next time |
| 58-60 | Buffer | Over-runs |
"""

# the old plans' shape: the "break about halfway" sits in the buffer after the closing
OLD = """**Length:** 90 minutes

| Minutes | Part | What happens |
|---|---|---|
| 0-10 | Opening | Welcome |
| 10-25 | Mini-lesson | The cases |
| 25-70 | Discussion | Rounds |
| 70-80 | Closing and next steps | The assignment |
| 80-90 | Buffer | Over-runs, a break, or a question |
"""


def test_a_good_table_passes():
    assert timing_problems(timing_rows(GOOD), length(GOOD), first=False, last=False) == []


def test_the_old_shape_fails():
    problems = timing_problems(timing_rows(OLD), length(OLD), first=False, last=False)
    text = " ".join(problems)
    assert "0 rows named 'Break'" in text
    assert "inside another row" in text
    assert "no closing 'Action step'" in text
    assert "no 'Report-back'" in text


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("| 55-58 | Action step |", "| 55-57 | Action step |", "ends at 57 but"),
        ("| 25-30 | Break |", "| 40-45 | Break |", "starts at 40"),
        ("| 58-60 | Buffer |", "| 58-70 | Buffer |", "ends at minute 70"),
        ("| 0-10 | Report-back |", "| 0-10 | Opening |", "no 'Report-back'"),
        ("| 58-60 | Buffer | Over-runs |", "| 58-60 | Closing | The assignment |", "does not close"),
    ],
)
def test_each_fault_is_named(old, new, expected):
    broken = GOOD.replace(old, new)
    assert broken != GOOD
    problems = timing_problems(timing_rows(broken), length(broken), first=False, last=False)
    assert any(expected in p for p in problems), problems


def test_break_outside_the_middle_fails():
    late = GOOD.replace(
        "| 25-30 | Break | Five minutes |\n| 30-55 |", "| 25-50 | Round 1b | More |\n| 50-55 |"
    )
    late = late.replace("| 50-55 | Round 2 | Whole circle |", "| 50-55 | Break | Five minutes |")
    problems = timing_problems(timing_rows(late), length(late), first=False, last=False)
    assert any("outside the middle" in p for p in problems), problems


def test_the_last_week_needs_look_back_and_evaluation():
    problems = timing_problems(timing_rows(GOOD), length(GOOD), first=False, last=True)
    assert any("'Look-back'" in p for p in problems) and any("'Evaluation'" in p for p in problems)


def test_question_notes_parser():
    plan = (
        "## In the room: notes on each question\n\n### Question 1: who\n\nListen for\n: names\n\nProbe\n: why?\n\n"
        "Where it goes wrong\n: dates\n\n### Question 2: what\n\nListen for\n: a claim\n\n## Next\n"
    )
    assert missing_question_notes(plan, 2) == [
        "question 2 has no 'Probe'",
        "question 2 has no 'Where it goes wrong'",
    ]
    assert missing_question_notes(plan, 3)[-1] == "question 3 has no notes ('### Question 3: ...')"


def test_question_count_reads_the_chapter_format():
    chapter = "## Discussion questions\n\n**Recall**\n\n1. a\n2. b\n\n**Debate**\n\n3. c\n   more\n\n## Check yourself\n4. x\n"
    assert question_count(chapter) == 3


# ---------------------------------------------------------------- the real plans


ORDER = course_order()


def test_index_lists_every_session_once_in_order():
    assert sorted(ORDER) == sorted(outline.ALL_CHAPTERS), ORDER
    assert len(ORDER) == len(set(ORDER)) == 8


@pytest.mark.parametrize("slug", ORDER)
def test_timing_table(slug):
    text = (SESSIONS / f"{slug}.md").read_text(encoding="utf-8")
    week = ORDER.index(slug) + 1
    rows = timing_rows(section(text, "Timings"))
    problems = timing_problems(rows, length(text), first=week == 1, last=week == len(ORDER))
    assert not problems, f"week {week} ({slug}): " + "; ".join(problems)
    brk = next(r for r in rows if r.kind == "break")
    assert f"break starts at minute {brk.start}" in text.lower(), (
        f"{slug}: the text must say where the break is ('The break starts at minute {brk.start}.')"
    )


@pytest.mark.parametrize("slug", ORDER)
def test_action_step_is_described(slug):
    text = (SESSIONS / f"{slug}.md").read_text(encoding="utf-8")
    step = section(text, "Action step")
    assert len(step.split()) >= 40, f"{slug}: the '### Action step' section should say what, how and by when"
    week = ORDER.index(slug) + 1
    if week > 1:
        assert section(text, "Report-back").strip(), f"{slug}: no '### Report-back' section"


def test_last_week_looks_back_and_evaluates():
    text = (SESSIONS / f"{ORDER[-1]}.md").read_text(encoding="utf-8")
    assert "questions to come back to" in section(text, "Look-back").lower()
    form = re.compile(r"\{ref\}`(?:[^`<]*<)?evaluation-form>?`")
    assert form.search(section(text, "Evaluation")), "week 8's evaluation does not link the form"
    first = (SESSIONS / f"{ORDER[0]}.md").read_text(encoding="utf-8")
    assert "questions to come back to" in first.lower() and form.search(first)


@pytest.mark.parametrize("slug", ORDER)
def test_every_discussion_question_has_notes(slug):
    chapter = (ROOT / "chapters" / f"{slug}.md").read_text(encoding="utf-8")
    n = question_count(chapter)
    assert n >= 6, f"chapters/{slug}.md: found only {n} discussion questions"
    problems = missing_question_notes((SESSIONS / f"{slug}.md").read_text(encoding="utf-8"), n)
    assert not problems, f"{slug}: " + "; ".join(problems)


@pytest.mark.parametrize("slug", ORDER)
def test_every_session_has_a_catch_up_entry(slug):
    text = (FACILITATOR / "catch-up.md").read_text(encoding="utf-8")
    m = re.search(rf"^\(catch-up-{slug}\)=\n(#+ .*)$", text, flags=re.M)
    assert m, f"no '(catch-up-{slug})=' entry"
    terms = term_blocks(section(text, m.group(1).lstrip("# ")))
    for needed in CATCH_UP_TERMS:
        assert terms.get(needed, "").strip(), f"catch-up for {slug} has no '{needed}'"


@pytest.mark.parametrize("slug", list(outline.SECTION_CHAPTERS))
def test_every_essay_section_has_an_argument_map(slug):
    text = (FACILITATOR / "argument-maps.md").read_text(encoding="utf-8")
    m = re.search(rf"^\(map-{slug}\)=\n(#+ .*)$", text, flags=re.M)
    assert m, f"no '(map-{slug})=' argument map"
    block = section(text, m.group(1).lstrip("# "))
    for needed in MAP_TERMS:
        assert needed in block, f"the map for {slug} never gives '{needed}'"
    # one page read aloud: about 450 words at most
    assert len(block.split()) <= 480, f"the map for {slug} runs to {len(block.split())} words"


# ---------------------------------------------------------------- tracks


def track_blocks() -> list[tuple[str, str]]:
    """(heading, text) for every part of tracks.md that states a length and gives a timing table."""
    path = FACILITATOR / "tracks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.M)
    return [
        (h, body)
        for h, body in zip(parts[1::2], parts[2::2], strict=True)
        if "**Length:**" in body and timing_rows(body)
    ]


def test_tracks_have_timing_tables():
    headings = [h for h, _ in track_blocks()]
    assert len(headings) == 4, headings  # three short-track sessions and the taster
    assert sum("short track" in h.lower() for h in headings) == 3
    assert sum("taster" in h.lower() for h in headings) == 1


@pytest.mark.parametrize("heading, body", track_blocks(), ids=[h for h, _ in track_blocks()])
def test_track_timing_adds_up(heading, body):
    first = "session 1" in heading.lower() or "taster" in heading.lower()
    last = "session 3" in heading.lower()  # the short track's last meeting looks back and evaluates
    problems = timing_problems(timing_rows(body), length(body), first=first, last=last)
    assert not problems, f"{heading}: " + "; ".join(problems)


def test_eight_week_track_adds_up():
    text = section((FACILITATOR / "tracks.md").read_text(encoding="utf-8"), "The eight-week course")
    rows = re.findall(r"^\| *(\d+) *\| *\{ref\}`session-([a-z-]+)` *\|.*\| *(\d+) *\|$", text, flags=re.M)
    assert [slug for _, slug, _ in rows] == ORDER
    total = sum(int(m) for *_, m in rows)
    lengths = sum(length((SESSIONS / f"{s}.md").read_text(encoding="utf-8")) for s in ORDER)
    assert total == lengths, f"the eight-week table adds up to {total} minutes; the plans to {lengths}"
    assert f"**Length:** {total} minutes" in text


# ---------------------------------------------------------------- evaluation and plain language


def test_evaluation_form_asks_the_four_things():
    form = (FACILITATOR / "evaluation-form.md").read_text(encoding="utf-8").lower()
    for needed in ("party question", "1", "5", "want to learn", "did you learn", "will you do"):
        assert needed in form, f"the evaluation form does not ask about {needed!r}"
    assert "(evaluation-form)=" in form


OWN_PAGES = [
    FACILITATOR / name
    for name in ("argument-maps.md", "tracks.md", "catch-up.md", "evaluation.md", "index.md")
] + [SESSIONS / f"{s}.md" for s in outline.ALL_CHAPTERS]


@pytest.mark.parametrize("page", OWN_PAGES, ids=[p.stem for p in OWN_PAGES])
def test_facilitator_pages_read_at_grade_ten_or_below(page: Path):
    grade = readability.grade(page)
    assert grade <= 10, f"{page.name} reads at grade {grade:.1f}"


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_evaluation_form_prints_on_one_page(built_book, browser, paper):
    from test_handouts import pdf_pages

    page = browser.new_page()
    page.goto((built_book / "facilitator" / "evaluation-form.html").as_uri())
    page.emulate_media(media="print")
    pdf = page.pdf(format=paper, print_background=False)
    page.close()
    artifacts = ROOT / "test-artifacts" / "facilitator"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"evaluation-form-{paper}.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1, f"the evaluation form prints on {pdf_pages(pdf)} {paper} pages"
