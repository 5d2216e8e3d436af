"""Shared fixtures: tiny literal data tables, and the built book (built once per test session)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_helpers import site

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


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book strictly, once per session (with the execution cache); return the HTML folder.

    The build log is kept in test-artifacts/build.log.  Any warning fails the build (-W)."""
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from tasks import clear_stale_cache

    clear_stale_cache(BOOK_OUTPUT / "_build")  # chapters whose data or helpers changed must execute again
    exe = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(exe), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(BOOK_OUTPUT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    (artifacts / "build.log").write_text(log, encoding="utf-8")
    assert result.returncode == 0, "the strict book build failed:\n" + log[-6000:]
    # Sphinx warnings read "<file>: WARNING: <message>"; the kernel's own log lines ("[IPKernelApp] WARNING |")
    # are about its transport, not the book, and are not build warnings
    warnings = [line for line in log.splitlines() if "WARNING:" in line]
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings)
    return BOOK_OUTPUT / "_build" / "html"


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
