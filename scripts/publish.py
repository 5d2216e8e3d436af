"""Write the readers' edition of the course: the built book and the public repository, with no answer key.

    python3 tasks.py publish OUT      # builds the book first, then runs this
    .venv/bin/python scripts/publish.py OUT [--html _build/html]

This repository is the facilitators' edition: it holds the answer keys (``assignments/source/``, the specs and
the grading code).  Members and self-learners get the readers' edition written here:

* ``OUT/site/``: the built book, ready for any static web host;
* ``OUT/repo/``: a tree to push as the public repository that the book's repository and Binder buttons open
  (its address is ``repository: url:`` in ``_config.yml``): the book's pages and data, the reader-facing part of
  ``course_helpers``, the released assignment notebooks in ``assignments/<slug>/``, the pinned environment, a
  ``postBuild`` for Binder and a short README for members.  Nothing of the grading side goes in.

``tests/test_publish.py`` scans every file of both for every answer, model answer, rubric text and marker of
the keys, and runs the Binder check on ``OUT/repo``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from course_helpers.book import release  # noqa: E402

# What the public repository holds (paths relative to the repository root; folders are copied whole, less
# what EXCLUDED names).  Everything else stays in the facilitators' edition.
INCLUDED = (
    "_config.yml",
    "_toc.yml",
    "index.md",
    "references.bib",
    "chapters",
    "data",
    "handouts",
    "facilitator",
    "src/course_helpers",
    "pyproject.toml",
    "requirements.txt",
    "runtime.txt",
)
EXCLUDED = ("src/course_helpers/grading", "chapters/_template.md")

POSTBUILD = """#!/usr/bin/env bash
# Binder (repo2docker) runs this once, after installing requirements.txt.
set -euo pipefail
# The chapters are MyST Markdown notebooks: JupyterLab opens a chapter's .md as a notebook (jupytext).
jupytext-config set-default-viewer markdown myst
"""

README = """# The Party Question: readers' edition

A study course on Cliff Connolly's essay
["Create a Mass Party!"](https://cosmonautmag.com/2021/02/create-a-mass-party/) (Cosmonaut Magazine, 2021).

**Read the course** in the book: {site}

**Work on it live** (nothing to install): press the Binder button on any chapter of the book, or on a chapter's
"Assignment" section to open that assignment.

## The assignments

Each chapter has a short graded reading in `assignments/<chapter>/<chapter>.ipynb`. You answer with letters and
words, never with code. If you study in a circle, your facilitator sends you your circle's copy and tells you
where to send it back. If you study alone:

1. Open the notebook on Binder (or in your own Jupyter), run the first cell, then answer each question in the
   cell under it and run that cell and its check.
2. To check that every answer has the right form, run `nbgrader validate assignments/<chapter>/<chapter>.ipynb`
   in a terminal (in JupyterLab: File, New, Terminal). It tells you what is missing; it does not say whether an
   answer is right.
3. **Save your work before you close Binder**: a Binder session ends after a while without use and keeps
   nothing. Use File, Download to keep your notebook on your own computer; next time, upload it again.

The self-check quizzes at the end of each chapter of the book tell you at once how you did.

This repository is generated from the facilitators' edition of the course (`python3 tasks.py publish`); changes
belong there.
"""


def copy_tree(source: Path, target: Path) -> None:
    excluded = {ROOT / e for e in EXCLUDED}
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

    def skip(folder: str, names: list[str]) -> set[str]:
        return set(ignore(folder, names)) | {n for n in names if Path(folder) / n in excluded}

    if source.is_dir():
        shutil.copytree(source, target, ignore=skip)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def tracked(path: str) -> bool:
    """Whether git tracks anything at ``path`` (untracked scratch files never reach the public repository)."""
    out = subprocess.run(["git", "ls-files", "--", path], cwd=ROOT, capture_output=True, text=True)
    return out.returncode != 0 or bool(out.stdout.strip())


def site_address() -> str:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return (config.get("readers") or {}).get(
        "site"
    ) or "(the address where your organisation publishes the book)"


def publish(out: Path, html: Path) -> None:
    if not (html / "index.html").is_file():
        sys.exit(
            f"no built book in {html}: run `python3 tasks.py build` first (or `python3 tasks.py publish OUT`)"
        )
    if out.exists() and any(out.iterdir()):
        for child in ("site", "repo"):
            if (out / child).exists():
                shutil.rmtree(out / child)
    site, repo = out / "site", out / "repo"
    print(f"[publish] the book: {html} -> {site}", flush=True)
    shutil.copytree(html, site, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    print(f"[publish] the readers' repository: {repo}", flush=True)
    for name in INCLUDED:
        if (ROOT / name).exists() and tracked(name):
            copy_tree(ROOT / name, repo / name)
    released = release.public_notebooks(
        ROOT, html.parent / "public-release", log=lambda m: print(f"[publish] {m}")
    )
    for slug, path in released.items():
        (repo / "assignments" / slug).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, repo / "assignments" / slug / f"{slug}.ipynb")
    (repo / "postBuild").write_text(POSTBUILD, encoding="utf-8")
    (repo / "postBuild").chmod(0o755)
    (repo / "README.md").write_text(README.format(site=site_address()), encoding="utf-8")
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(
        f"[publish] done: {files} files; {len(released)} released assignments; no source notebook, spec, key or grading code"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write site/ and repo/ into")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built book")
    args = parser.parse_args(argv)
    publish(args.out.resolve(), args.html.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
