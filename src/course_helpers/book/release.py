"""The released assignment notebooks that the public book offers for download and Binder opens.

A released notebook is what a member receives: questions and form checks, no solution, no hidden test.  In the
facilitators' edition (this repository, with the course's source notebooks) they are made by nbgrader's own
``generate_assignment`` in a scratch copy of the course folder, so the facilitator's real course folder, its
gradebook and its circle's letters are never touched, and the book always carries the public letters.  All
assignments are released by one Python process (nbgrader's own API, the same converter and settings as
``nbgrader generate_assignment``; a quarter of the time of one command per assignment), and the result is cached
by the sources' hash.  The book build starts the release first and collects it at its end (:func:`start`), so it
runs while the chapters execute.  In the readers' edition (no ``source/``) the released notebooks are already
there, in ``assignments/<slug>/``.

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
from collections.abc import Callable
from pathlib import Path

from ..outline import SECTION_CHAPTERS

OPTIONAL = ("data-lab",)  # assignments that are not a chapter's reading
SLUGS = (*SECTION_CHAPTERS, *OPTIONAL)


class ReleaseError(RuntimeError):
    pass


# Run as ``python -c _GENERATE <course folder> <slug>...``: nbgrader's generate_assignment for each slug, with the
# course folder's nbgrader_config.py, in one process (nbgrader's start-up is most of one command's time).
_GENERATE = """
import sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.apps import NbGraderAPI

work = sys.argv[1]
config = PyFileConfigLoader("nbgrader_config.py", path=work).load_config()
config.CourseDirectory.root = work
api = NbGraderAPI(config=config)
for slug in sys.argv[2:]:
    result = api.generate_assignment(slug, force=True, create=True)
    if not result["success"]:
        sys.stderr.write(f"--- {slug}\\n{result.get('log', '')}\\n{result.get('error', '')}\\n")
        sys.exit(1)
"""


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
    return start(root, cache, log=log)()


def start(root: Path, cache: Path, *, log=print) -> Callable[[], dict[str, Path]]:
    """Start releasing (in a background process, when the cache is stale) and return the function that waits
    for it and returns :func:`public_notebooks`'s answer.  The book build starts it first and waits at its end,
    so the release runs while the chapters execute."""
    course = root / "assignments"
    if not course.is_dir():
        return dict  # a book without assignments (a small test book): nothing to offer
    if not (course / "source").is_dir():
        found = _readers_copies(course)
        if not found:
            raise ReleaseError(f"no released assignment notebooks in {course} (expected <slug>/<slug>.ipynb)")
        return lambda: found
    stamp = cache / ".source.sha256"
    want = _fingerprint(course)
    found = _readers_copies(cache)
    slugs = sorted(p.name for p in (course / "source").iterdir() if p.is_dir())
    if stamp.is_file() and stamp.read_text() == want and sorted(found) == slugs:
        return lambda: found
    log(f"releasing {len(slugs)} assignments for the book (nbgrader generate_assignment, public letters) ...")
    scratch = tempfile.TemporaryDirectory(prefix="public-release-")
    work = Path(scratch.name) / "course"
    shutil.copytree(course / "source", work / "source")
    shutil.copy2(course / "nbgrader_config.py", work / "nbgrader_config.py")
    # the public letters (the source notebooks' own), never a circle's (grading/circle.py)
    (work / ".circle-seed").write_text("public\n", encoding="utf-8")
    # nbgrader runs `alembic` from the environment's bin folder to set up its gradebook
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    output = open(Path(scratch.name) / "nbgrader.log", "w+", encoding="utf-8")  # noqa: SIM115 -- closed in finish
    process = subprocess.Popen(
        [sys.executable, "-c", _GENERATE, str(work), *slugs],
        cwd=work,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )

    def finish() -> dict[str, Path]:
        try:
            code = process.wait()
            output.seek(0)
            said = output.read()
            for slug in slugs:
                if code != 0 or not (work / "release" / slug / f"{slug}.ipynb").is_file():
                    raise ReleaseError(
                        f"nbgrader could not release the source notebook of {slug}:\n{said[-3000:]}"
                    )
            if cache.exists():
                shutil.rmtree(cache)
            for slug in slugs:
                (cache / slug).mkdir(parents=True)
                shutil.copy2(work / "release" / slug / f"{slug}.ipynb", cache / slug / f"{slug}.ipynb")
            stamp.write_text(want)
            return _readers_copies(cache)
        finally:
            output.close()
            scratch.cleanup()

    return finish
