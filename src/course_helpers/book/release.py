"""The released assignment notebooks that the public book offers for download and Binder opens.

A released notebook is what a member receives: questions and form checks, no solution, no hidden test.  In the
facilitators' edition (this repository, with ``assignments/source/``) they are made by nbgrader's own
``generate_assignment`` in a scratch copy of the course folder, so the facilitator's real course folder, its
gradebook and its circle's letters are never touched, and the book always carries the public letters.  In the
readers' edition (no ``source/``) the released notebooks are already there, in ``assignments/<slug>/``.

    >>> from course_helpers.book import release
    >>> release.public_notebooks(ROOT, ROOT / "_build" / "public-release")   # {slug: path}
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..outline import SECTION_CHAPTERS

OPTIONAL = ("data-lab",)  # assignments that are not a chapter's reading
SLUGS = (*SECTION_CHAPTERS, *OPTIONAL)


class ReleaseError(RuntimeError):
    pass


def _readers_copies(course: Path) -> dict[str, Path]:
    return {s: course / s / f"{s}.ipynb" for s in SLUGS if (course / s / f"{s}.ipynb").is_file()}


def _fingerprint(course: Path) -> str:
    h = hashlib.sha256()
    for path in sorted((course / "source").rglob("*.ipynb")) + [course / "nbgrader_config.py"]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            h.update(str(path.relative_to(course)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def public_notebooks(root: Path, cache: Path, *, log=print) -> dict[str, Path]:
    """Every released assignment notebook, by slug: made afresh when the source notebooks changed."""
    course = root / "assignments"
    if not course.is_dir():
        return {}  # a book without assignments (a small test book): nothing to offer
    if not (course / "source").is_dir():
        found = _readers_copies(course)
        if not found:
            raise ReleaseError(f"no released assignment notebooks in {course} (expected <slug>/<slug>.ipynb)")
        return found
    stamp = cache / ".source.sha256"
    want = _fingerprint(course)
    found = _readers_copies(cache)
    slugs = sorted(p.name for p in (course / "source").iterdir() if p.is_dir())
    if stamp.is_file() and stamp.read_text() == want and sorted(found) == slugs:
        return found
    log(f"releasing {len(slugs)} assignments for the book (nbgrader generate_assignment, public letters) ...")
    with tempfile.TemporaryDirectory(prefix="public-release-") as scratch:
        work = Path(scratch) / "course"
        shutil.copytree(course / "source", work / "source")
        shutil.copy2(course / "nbgrader_config.py", work / "nbgrader_config.py")
        # nbgrader runs `alembic` from the environment's bin folder to set up its gradebook
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        for slug in slugs:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nbgrader",
                    "generate_assignment",
                    slug,
                    "--force",
                    "--log-level=ERROR",
                ],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            made = work / "release" / slug / f"{slug}.ipynb"
            if result.returncode != 0 or not made.is_file():
                raise ReleaseError(
                    f"nbgrader could not release assignments/source/{slug}:\n{(result.stdout + result.stderr)[-3000:]}"
                )
        if cache.exists():
            shutil.rmtree(cache)
        for slug in slugs:
            (cache / slug).mkdir(parents=True)
            shutil.copy2(work / "release" / slug / f"{slug}.ipynb", cache / slug / f"{slug}.ipynb")
    stamp.write_text(want)
    return _readers_copies(cache)
