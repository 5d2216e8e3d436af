"""Shared fixtures: tiny literal data tables, and the built book (built once per test session)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no parallel test runs share a build there
    fcntl = None

import pytest

from course_helpers.book import site

ROOT = Path(__file__).resolve().parents[1]

MYST_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def myst_notebook(title: str, *cells: str) -> str:
    """A small chapter as the course writes them: a MyST notebook (jupytext header) with these code cells."""
    body = "".join(f"\n```{{code-cell}} ipython3\n{cell.strip()}\n```\n" for cell in cells)
    return f"{MYST_HEADER}# {title}\n{body}"


IN_CI = os.environ.get("CI", "").lower() == "true"
# Where the tests build the book: the project folder (so _build/ is reused), or $BOOK_OUTPUT to keep apart.
BOOK_OUTPUT = Path(os.environ.get("BOOK_OUTPUT", ROOT)).resolve()

TINY = {
    "sources.csv": """id,author,title,publisher,year,url,pages,supports
book,A. Historian,A History,University Press,2001,,pp. 10-12,membership
page,B. Writer,A Page,A Site,2020,https://example.org/page,,events
""",
    "organisations.csv": """id,name,short_name,country,kind,founded,founded_precision,dissolved,dissolved_precision,source_ids
kpd,Communist Party of Germany,KPD,Germany,party,1918-12-30,day,1933,year,book
kapd,Communist Workers' Party of Germany,KAPD,Germany,party,1920-04,month,,,book;page
""",
    "organisation_links.csv": """from_id,to_id,kind,date,precision,source_ids,note
kpd,kapd,split,1920-04,month,book,
""",
    "events.csv": """id,date,precision,end_date,end_precision,title,place,country,organisations,section,description,source_ids
kapd-founded,1920-04-04,day,,,KAPD founded,Berlin,Germany,kapd,lessons-of-history,The expelled left forms its own party.,book
kpd-founded,1918-12-30,day,1919-01-01,day,KPD founded,Berlin,Germany,kpd,precision-of-terms;lessons-of-history,Founding congress.,page
""",
    "membership.csv": """organisation_id,date,precision,members_low,members_high,counted,source_ids,note
kapd,1920,year,38000,38000,estimate,book,p. 11
kapd,1920,year,20000,80000,delegates-represented,page,a range
kpd,1921,year,359613,359613,members,book,
kpd,1925,year,122755,122755,members,book,
""",
    "claims.csv": """id,section,case,claim,finding,verdict,source_ids
bordiga-name,precision-of-terms,Bordiga,The essay calls Bordiga Roberto.,His first name was Amadeo.,contradicted,page
""",
}


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A folder named data/ holding the six tables, small enough to read at a glance."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in TINY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _build_book() -> tuple[int, str]:
    """The strict build (the same command as ``tasks.py build``): (exit status, log)."""
    sys.path.insert(0, str(ROOT))
    from tasks import clear_stale_cache

    clear_stale_cache(BOOK_OUTPUT / "_build")  # chapters whose data or helpers changed must execute again
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_helpers.book.build",
            str(ROOT),
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(BOOK_OUTPUT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book strictly, once per test run (with the execution cache); return the HTML folder.

    The build log is kept in test-artifacts/build.log.  Any warning fails the build (-W).  When the tests run in
    parallel (``tasks.py test``: pytest-xdist), the first worker that needs the book builds it and the others
    wait for it and use the same build: ``test-artifacts/build.done`` names the run that built it."""
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None or fcntl is None:
        code, log = _build_book()
        (artifacts / "build.log").write_text(log, encoding="utf-8")
    else:
        done = artifacts / "build.done"
        with open(artifacts / "build.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            said = done.read_text().split() if done.is_file() else []
            if len(said) == 2 and said[0] == run_id:
                code, log = int(said[1]), (artifacts / "build.log").read_text(encoding="utf-8")
            else:
                code, log = _build_book()
                (artifacts / "build.log").write_text(log, encoding="utf-8")
                done.write_text(f"{run_id} {code}\n")
    assert code == 0, "the strict book build failed:\n" + log[-6000:]
    # Sphinx warnings read "<file>: WARNING: <message>"; the kernel's own log lines ("[IPKernelApp] WARNING |")
    # are about its transport, not the book, and are not build warnings
    warnings = [line for line in log.splitlines() if "WARNING:" in line]
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings)
    return BOOK_OUTPUT / "_build" / "html"


# ---------------------------------------------------------------------------------------------------------------
# Running in parallel (tasks.py test runs pytest -n 2 --dist loadgroup): each xdist group runs on one worker.
# A test module is one group, so that its module fixtures (a generated course, a fresh environment) are made
# once; a module may split itself with its own xdist_group marks (test_browser.py does).  Modules that share
# the readers' edition (the `published` fixture) are one group.
#
# Groups are handed out in the order their first test is collected (tasks.py turns off pytest-xdist's own
# reordering by test count), and that order decides how evenly the two workers finish.  test_book.py, which
# builds the book, leads; the long grading groups that need no book keep the other worker busy meanwhile; then
# the longest groups that need the book, longest first, so that neither worker is left with a long one at the
# end; then the rest, those needing no book first.  The lengths were measured with `--durations`: worth looking
# at again when a group grows a lot.
SHARED_GROUPS = {"test_publish.py": "published", "test_fresh_env.py": "published"}
NEEDS_BOOK = {"built_book", "book_html", "published", "visits"}
LONG_GROUPS = [
    "test_book",
    "test_grading_pipeline",
    "hub",
    "test_sandbox",
    "browser-http-light",
    "browser-http-dark",
    "published",
    "test_browser",
    "browser-looks",
    "browser-file-light",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            name = item.path.name
            item.add_marker(pytest.mark.xdist_group(SHARED_GROUPS.get(name, name.removesuffix(".py"))))

    def order(item) -> tuple[int, int]:
        group = item.get_closest_marker("xdist_group").args[0]
        if group in LONG_GROUPS:
            return 0, LONG_GROUPS.index(group)
        return 1, 1 if NEEDS_BOOK & set(getattr(item, "fixturenames", ())) else 0

    items.sort(key=order)  # stable: the order within each group is kept


def pytest_xdist_node_collection_finished(node, ids):
    """In a parallel run, once a worker has collected: stop if pytest-xdist could not tag the tests with their
    groups.  (pytest-xdist 3.8 writes the group into a field that pytest 9.2 no longer reads, pytest-xdist#1386;
    the run would go on with every test alone, module fixtures made on both workers, tests out of order.)"""
    if node.config.getvalue("dist") != "loadgroup":
        return
    lost = [nodeid for nodeid in ids if "@" not in nodeid.rpartition("]")[2]]
    if lost:
        pytest.exit(
            f"pytest-xdist did not keep the test groups ({len(lost)} of {len(ids)} tests, e.g. {lost[0]}): this "
            "pytest and pytest-xdist do not work together (pytest-xdist#1386); install requirements.txt's pins",
            returncode=3,
        )


chromium_path = site.chromium_path


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is not installed; CI must install it (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests need it")
    return path


CHROMIUM_ARGS = site.CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser(chromium):
    """One headless Chromium for the whole session (Playwright drives it; no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Grading: tiny specs in the format of src/course_helpers/grading/specs/FORMAT.md (a reading assignment with every
# kind and two written answers, and the optional data lab), for tests that must not depend on the real specs.
GRADING_SPECS = {
    "role-of-cadre": """
slug: role-of-cadre
title: The role of cadre
essay_section: The Role of Cadre
intro: A tiny assignment for the tests.
items:
  - id: scope-difference
    kind: choice
    skill: claim
    objective: 1
    points: 1
    prompt: What is the difference between the two models, in the essay's words?
    options: {a: Scope of coordination., b: Whether cadre exist., c: The size of the union., d: The name of the party.}
    answer: a
    hint: The section's last paragraph.
    reread: {chapter: The argument in brief, essay: "The Role of Cadre, last paragraph"}
  - id: direction-verdict
    kind: truefalse
    skill: evidence
    objective: 2
    points: 1
    prompt: Decide whether the statement fits the essay, and pick the reason that shows it.
    statement: Cadre take direction only from the leadership.
    options: {a: They take it from the masses too., b: They take none at all., c: They take it from CounterPower.}
    answer: {verdict: false, reason: a}
    hint: The end of the quotation.
    reread: {chapter: The argument in brief, essay: "The Role of Cadre, quoted passage"}
  - id: steps-in-order
    kind: order
    skill: reason
    objective: 1
    points: 3
    prompt: Put the steps of the argument in order.
    options: {a: First step., b: Second step., c: Third step., d: Fourth step.}
    answer: [a, b, c, d]
    hint: Follow the section from its start.
    reread: {chapter: Context, essay: "The Role of Cadre, whole section"}
  - id: who-holds-what
    kind: match
    skill: reply
    objective: 3
    points: 2
    prompt: Match each side to its view.
    terms: {1: The mass party, 2: The area of the party, 3: A union, 4: A sect}
    options: {a: One plan., b: Many plans., c: Members at work., d: A few purists.}
    answer: {1: a, 2: b, 3: c, 4: d}
    hint: The two pictures of coordination.
    reread: {chapter: Context, essay: "The Role of Cadre, second paragraph"}
  - id: your-judgement
    kind: written
    skill: evaluate
    objective: 4
    points: 4
    prompt: Which model would serve your group better, and why?
    solution: FIXTURE-MODEL-ANSWER-ONE weighs coordination against local freedom.
    rubric:
      full: {points: 4, criterion: Weighs both sides with a reason., example: RUBRIC-EXAMPLE-FULL one plan helps.}
      partial: {points: 2, criterion: Takes a side without a reason., example: RUBRIC-EXAMPLE-PARTIAL I prefer one.}
      none: {points: 0, criterion: Off the question., example: RUBRIC-EXAMPLE-NONE cadre are nice.}
    reread: {chapter: The argument in brief, essay: "The Role of Cadre, last paragraph"}
  - id: what-is-lost
    kind: written
    skill: application
    objective: 3
    points: 2
    prompt: What might a local group lose by working to a common plan?
    solution: FIXTURE-MODEL-ANSWER-TWO some freedom to choose its own work.
    rubric:
      full: {points: 2, criterion: Names a loss and why., example: "Local choice, because the plan is shared."}
      partial: {points: 1, criterion: Names a loss., example: Local choice.}
      none: {points: 0, criterion: Names none., example: Nothing is lost.}
    reread: {chapter: Context, essay: "The Role of Cadre, third paragraph"}
""",
    "data-lab": """
slug: data-lab
title: Data lab
essay_section: Lessons of History
chapter: lessons-of-history
intro: Optional steps with the course's tables.
items:
  - id: rows-of-sources
    kind: number
    skill: data
    objective: 1
    points: 2
    prompt: How many columns does the sources table have?
    starter: table = data.load("sources")
    solution: |
      ANSWER = float(len(table.columns))
    unit: columns of one table
    hint: Count the rows of the table.
    reread: {chapter: Fact check, essay: "Lessons of History, KAPD paragraphs"}
  - id: what-a-row-is
    kind: choice
    skill: data
    objective: 1
    points: 1
    prompt: What is one row of the sources table?
    options: {a: One source., b: One claim., c: One event.}
    answer: a
    hint: Read the table's first column.
    reread: {chapter: Fact check, essay: "Lessons of History, first paragraph"}
""",
}


@pytest.fixture
def grading_specs(tmp_path: Path) -> Path:
    """A folder of tiny grading specs (role-of-cadre and data-lab), in the spec format."""
    folder = tmp_path / "specs"
    folder.mkdir()
    for slug, text in GRADING_SPECS.items():
        (folder / f"{slug}.yml").write_text(text.lstrip(), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def published(built_book, tmp_path_factory) -> Path:
    """The readers' edition (``scripts/publish.py``) of the built book: ``site/`` and ``repo/``."""
    out = tmp_path_factory.mktemp("published")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publish.py"), str(out), "--html", str(built_book)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out
