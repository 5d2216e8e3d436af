"""Hand-grading in the formgrader, the facilitator's main screen, driven by headless Chromium (issue 17).

After an autograde round, JupyterLab is started in a copy of the course folder (free port, a token, readiness
polled with a time limit, stopped afterwards); the formgrader lists the submission, shows the written answer with
its rubric, takes a score typed into it, and ``nbgrader export`` then shows the new total.  A version bump of
JupyterLab or nbgrader that breaks this path fails here.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_grading_round import SLUG, _env, make_course

from course_helpers.grading import autograde, simulate

pytestmark = [pytest.mark.browser, pytest.mark.grading]
MEMBER = "lía"  # an accented id, as people write them, all the way to the formgrader


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _export(course: Path) -> float:
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export"], cwd=course, env=_env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = csv.DictReader((course / "grades.csv").open(encoding="utf-8"))
    return next(float(r["score"]) for r in rows if r["student_id"] == MEMBER and r["assignment"] == SLUG)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A course folder after an autograde round: one member, every automatic answer right, written answers typed."""
    base = tmp_path_factory.mktemp("formgrader")
    root, assignments = make_course(base)
    a = assignments[SLUG]
    release = nbformat.read(root / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    folder = root / "submitted" / MEMBER / SLUG
    folder.mkdir(parents=True)
    nbformat.write(simulate.submission(release, a), folder / f"{SLUG}.ipynb")
    before = os.environ.get("COURSE_GRADING_SANDBOX")
    os.environ["COURSE_GRADING_SANDBOX"] = "0"
    try:
        results = autograde.Grader(root, SLUG, jobs=1, force=True, timeout=120, out=print).run()
    finally:
        if before is None:
            os.environ.pop("COURSE_GRADING_SANDBOX", None)
        else:
            os.environ["COURSE_GRADING_SANDBOX"] = before
    assert [r.status for r in results] == ["graded"], results
    copy = base / "copy-of-the-course"  # the facilitator's folder is never touched by the browser test
    shutil.copytree(root, copy, symlinks=True)
    return copy, a


@pytest.fixture(scope="module")
def lab(graded_course, tmp_path_factory):
    course, _ = graded_course
    home = tmp_path_factory.mktemp("formgrader-home")
    token = secrets.token_hex(16)
    env = {
        **_env(),
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    port = _free_port()
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--allow-root",  # CI runs as root
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={course}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=course,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log.close()
                pytest.fail("JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    yield url, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    log.close()


def _type_score(page, score, value: float, tries: int = 3):
    """Type a score as a facilitator does (then Tab) and return the formgrader's save request's response.  The
    page binds its save handler only once its scripts have run, which on a busy machine can come after the box
    is on screen; a score typed before that is never sent, so the box is cleared and the score typed again."""
    page.wait_for_load_state("networkidle")
    for attempt in range(tries):
        try:
            with page.expect_response(
                lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT", timeout=30_000
            ) as put:
                score.fill("")
                score.fill(str(value))
                score.press("Tab")
            return put.value
        except PlaywrightTimeout:  # no save request was sent
            if attempt == tries - 1:
                raise
            page.wait_for_timeout(2_000)


def test_a_score_typed_in_the_formgrader_reaches_the_gradebook(browser, lab, graded_course):
    url, token = lab
    course, a = graded_course
    auto = simulate.expected_score(a)
    assert _export(course) == auto  # the written answers are still waiting
    written = a.written_items[0]
    typed = written.points - 1
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{url}formgrader?token={token}")
        page.wait_for_selector("text=Manage Assignments", timeout=60_000)
        page.goto(f"{url}formgrader/gradebook/{SLUG}/{SLUG}")
        page.locator("a", has_text="Submission #").first.click(timeout=60_000)
        score = page.locator(f"input.score#{written.grade_id}")
        score.wait_for(timeout=60_000)
        assert (
            page.locator("text=Rubric for the facilitator").count() >= 1
        )  # shown where the answer is graded
        assert page.locator("text=My own answer, in my own words.").count() >= 1
        assert _type_score(page, score, typed).ok
    finally:
        shots = ROOT / "test-artifacts" / "formgrader"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "formgrade.png"), full_page=True)
        context.close()
    assert _export(course) == auto + typed
