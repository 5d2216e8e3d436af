"""The live widgets in a real JupyterLab, driven by headless Chromium: what a self-learner on Binder sees.

A JupyterLab server (from this environment, with a fresh home folder set up as Binder's ``postBuild`` sets it up)
serves a small MyST chapter; the chapter opens as a notebook (jupytext), runs, and the learner answers the
self-check widget and filters the timeline.  Nothing is fetched from another host.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, myst_notebook

pytestmark = pytest.mark.browser

CHAPTER = myst_notebook(
    "Explore",
    'from course_helpers import widgets\n\nwidgets.quiz("role-of-cadre")',
    "widgets.timeline_explorer()",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("lab-home")
    work = tmp_path_factory.mktemp("lab-work")
    (work / "explore.md").write_text(CHAPTER, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "HOME": str(home),
        "COURSE_DATA_DIR": str(ROOT / "data"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    subprocess.run(
        [str(bin_dir / "jupytext-config"), "set-default-viewer", "markdown", "myst"],
        env=env,
        check=True,
        capture_output=True,
    )  # as Binder's postBuild does
    port = _free_port()
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
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={work}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "api", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start")
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def _accept_dialog(page) -> None:
    """Accept a JupyterLab dialog if one is open (the kernel choice it offers is Python 3, the only kernel)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        dialog.first.locator(".jp-mod-accept").first.click()


def _wait_accepting_dialogs(page, ready, seconds: float) -> bool:
    """Wait until ``ready()`` is true, accepting any dialog JupyterLab opens meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return True
        _accept_dialog(page)
        page.wait_for_timeout(500)
    return bool(ready())


# the code cells' prompts: "[ ]:" not run, "[*]:" running or queued, "[1]:" run
PROMPTS = "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent)"


def test_chapter_opens_as_a_notebook_and_its_widgets_answer(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    foreign: list[str] = []
    own = urlsplit(lab).netloc

    def route(r):
        if urlsplit(r.request.url).netloc not in (own, ""):
            foreign.append(r.request.url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    # JupyterLab and its kernel are slow to answer when the machine is busy (the suite runs in two processes):
    # every click and wait may take up to 90 s before it counts as a failure
    page.set_default_timeout(90_000)
    try:
        page.goto(lab + "lab/tree/explore.md")
        # jupytext's notebook view: a notebook panel with code cells, not a text editor
        page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)

        # Run > Run All Cells.  On a cold start the kernel may take requests before it is really connected and
        # drop them (cells keep their empty "[ ]:" prompt, or only some run), so Run All is clicked again until
        # every code cell has run; a busy JupyterLab may also ask which kernel to start (its "Select Kernel"
        # dialog): the learner accepts Python 3
        def started() -> bool:
            return any(re.search(r"\[(\*|\d+)\]", p) for p in page.evaluate(PROMPTS))

        def all_ran() -> bool:
            prompts = page.evaluate(PROMPTS)
            return bool(prompts) and all(re.search(r"\[\d+\]", p) for p in prompts)

        for attempt in range(10):
            _accept_dialog(page)
            page.locator(".lm-MenuBar-item", has_text="Run").click()
            page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
            if _wait_accepting_dialogs(page, started, seconds=10) and _wait_accepting_dialogs(
                page, all_ran, seconds=90
            ):
                break
            if attempt == 9:
                raise AssertionError(
                    f"Run All Cells did not run every cell, ten times: {page.evaluate(PROMPTS)}"
                )
            page.keyboard.press("Escape")
        radios = page.locator(".widget-radio-box input[type=radio]")
        radios.first.wait_for(timeout=60_000)
        # the self-check: radio buttons, a Check button, feedback from the chapter's own explanations
        radios.first.check()
        page.locator(".jupyter-widgets button", has_text="Check").first.click()
        feedback = page.locator(".jupyter-widgets", has_text="Correct.").or_(
            page.locator(".jupyter-widgets", has_text="Not quite.")
        )
        feedback.first.wait_for(timeout=30_000)
        assert page.locator(".jupyter-widgets", has_text="You have answered 1 of").count()

        # the timeline explorer: a country drop-down that redraws the chart
        country = page.locator(".widget-dropdown select").nth(1)
        country.wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        choice = country.locator("option").nth(1).get_attribute("value")
        country.select_option(choice)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jupyter-widgets .js-plotly-plot .gtitle')]"
            ".some(t => t.textContent.includes('Timeline'))",
            timeout=60_000,
        )
    finally:
        shots = ROOT / "test-artifacts" / "jupyterlab"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "widgets.png"), full_page=True)
        context.close()
    assert not foreign, f"JupyterLab asked other hosts for: {foreign}"
