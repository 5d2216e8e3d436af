"""The readers' edition, installed from nothing, runs what Binder and a self-learner run.

``python3 tasks.py publish`` writes the public repository (``OUT/repo``) that the book's Binder buttons open.
Here it gets a brand-new virtual environment with its ``requirements.txt`` (what repo2docker installs on
Binder), then, with a fresh home folder so nothing of this machine's Jupyter settings leaks in:

* its ``postBuild`` runs: chapters' ``.md`` open as notebooks in JupyterLab (jupytext);
* every chapter of the table of contents executes as a notebook (read by jupytext, as JupyterLab opens it);
* every released assignment is checked by ``nbgrader validate`` as a self-learner would: blank, it lists what is
  still to answer; answered in full (letters typed under ``%%answer``), it passes.

It downloads the pinned packages (a few minutes the first time; pip's cache makes later runs faster).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from course_helpers.book import site
from course_helpers.grading import simulate, spec

pytestmark = pytest.mark.build


def toc_notebooks() -> list[str]:
    """Every page of _toc.yml that is a notebook (a MyST file with a kernelspec)."""
    return [
        f"{f}.md"
        for f in site.toc_files(ROOT)
        if "kernelspec:" in (ROOT / f"{f}.md").read_text(encoding="utf-8")[:600]
    ]


def run(args, *, cwd, env, timeout=900) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{(result.stdout + result.stderr)[-5000:]}"
    )
    return result


@pytest.fixture(scope="module")
def fresh(published, tmp_path_factory):
    """(copy of the readers' repository, environment variables with the fresh venv first on PATH)."""
    base = tmp_path_factory.mktemp("fresh-env")
    repo = base / "repo"
    shutil.copytree(published / "repo", repo)
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    home = base / "home"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "JUPYTER"))},
        "HOME": str(home),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    # --no-compile: pip would byte-compile every installed module (a third of the install's time); the few the
    # tests import are compiled when first imported, as on any machine
    run(
        [env_dir / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", "-r", "requirements.txt"],
        cwd=repo,
        env=env,
        timeout=1800,
    )
    return repo, env


def test_the_fresh_environment_is_not_this_one(fresh):
    repo, env = fresh
    where = run(
        ["python", "-c", "import sys, course_helpers; print(sys.prefix); print(course_helpers.__file__)"],
        cwd=repo,
        env=env,
    ).stdout.split()
    assert where[0] != sys.prefix and str(repo) in where[1], where


def test_binder_postbuild_opens_markdown_as_notebooks(fresh):
    repo, env = fresh
    run(["bash", "postBuild"], cwd=repo, env=env)
    settings = Path(env["HOME"]) / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(settings.read_text())["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
    released = sorted(p.parent.name for p in (repo / "assignments").glob("*/*.ipynb"))
    assert released == sorted(spec.ALL_SLUGS)


# A chapter read as JupyterLab reads it (jupytext) and run cell by cell in a kernel (nbclient, what `jupytext
# --execute` uses), but with a time limit: on a busy machine a kernel's reply can go missing, and `jupytext
# --execute`, which sets none, then waits for ever.  A chapter whose cell gets no reply is run once more in a new
# kernel (a chapter that really hangs does so twice, and fails); an error in a cell fails at once.
EXECUTE = """
import sys, jupytext, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
chapter, out = sys.argv[1:3]
for attempt in (1, 2):
    nb = jupytext.read(chapter)
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
        break
    except CellTimeoutError:
        if attempt == 2:
            raise
        print(f"{chapter}: a cell got no reply in 180 s; running the chapter again in a new kernel", file=sys.stderr)
nbformat.write(nb, out)
"""


@pytest.mark.parametrize("chapter", toc_notebooks())
def test_chapter_executes_in_the_fresh_environment(fresh, chapter, tmp_path):
    repo, env = fresh
    out = tmp_path / (Path(chapter).stem + ".ipynb")
    run(["python", "-c", EXECUTE, chapter, out], cwd=repo, env=env)
    nb = nbformat.read(out, as_version=4)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors, f"{chapter}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{chapter} produced no output"


@pytest.mark.parametrize("assignment", spec.ALL_SLUGS)
def test_released_assignment_validates_blank_and_answered_in_the_fresh_environment(
    fresh, assignment, tmp_path
):
    repo, env = fresh
    released = repo / "assignments" / assignment / f"{assignment}.ipynb"
    blank = run(["nbgrader", "validate", released], cwd=released.parent, env=env).stdout
    assert "did not provide a response" in blank or "VALIDATION FAILED" in blank, blank[-3000:]
    # what a self-learner types (the public letters: the readers' edition is released with them)
    answered = tmp_path / f"{assignment}.ipynb"
    nbformat.write(
        simulate.submission(nbformat.read(released, as_version=4), spec.load(assignment)), answered
    )
    checked = run(["nbgrader", "validate", answered], cwd=tmp_path, env=env).stdout
    assert "Success! Your notebook passes all the tests." in checked, checked[-3000:]
