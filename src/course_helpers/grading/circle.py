"""Each circle gets its own letters: a random seed, made on the circle's first release, kept in the course folder.

A string of right letters passed from one circle to another (or copied from the public edition) is worth
nothing there: with the circle's seed every choice, true/false, order and matching item has its options in
another order *and* labelled with other letters (``k``, ``n``, ``r``, ``w`` instead of ``a``-``d``), so another
circle's answers mostly do not even have the right form.

* ``nbgrader generate_assignment <slug>`` (a release) runs :class:`CircleLetters` first: it makes the seed file
  ``.circle-seed`` in the course folder when there is none (git ignores it), and rewrites the notebook from the
  spec with the circle's letters before nbgrader records it.
* autograde (:class:`~course_helpers.grading.preprocessors.CheckAnswers`) marks with the same seed; a course
  folder without its seed file is a clear error, never a silent default.

The seed ``public`` gives the letters of the committed source notebooks: the public edition's release.
"""

from __future__ import annotations

import random
import secrets
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

SEED_FILE = ".circle-seed"
PUBLIC = "public"
# Option labels a circle's items draw from: no f or t (read as false/true), no i, l or o (like 1 and 0).
POOL = "abcdeghjkmnpqrsuvwxyz"


class CircleSeedError(RuntimeError):
    pass


def course_root(cwd: Path | None = None) -> Path:
    """The course folder nbgrader is working in (the grader works in a scratch folder whose ``source`` is a
    link to the real course's, so the link is followed)."""
    here = Path.cwd() if cwd is None else Path(cwd)
    source = here / "source"
    return source.resolve().parent if source.exists() else here


def read_seed(course: Path) -> str:
    """The circle's seed; a clear error when the course folder has none."""
    path = Path(course) / SEED_FILE
    if not path.is_file():
        raise CircleSeedError(
            f"{path} is missing. It holds your circle's letters and is made by the first release "
            "(nbgrader generate_assignment). Put back the copy you kept, or, if this course was never "
            "released from this folder, release the assignment again and send members the new notebook."
        )
    seed = path.read_text(encoding="utf-8").strip()
    if not seed or len(seed) > 200 or not seed.isprintable():
        raise CircleSeedError(f"{path} does not hold a seed (one line of letters and digits); restore it")
    return seed


def ensure_seed(course: Path) -> tuple[str, bool]:
    """(the circle's seed, whether it was made now)."""
    path = Path(course) / SEED_FILE
    if path.is_file():
        return read_seed(course), False
    seed = secrets.token_hex(8)
    path.write_text(seed + "\n", encoding="utf-8")
    return seed, True


def letters_for(seed: str, item_id: str, count: int) -> list[str]:
    """The ``count`` option labels of one item under ``seed``, in alphabetical order (public: a, b, c, ...)."""
    if seed == PUBLIC:
        return list(POOL[:count]) if count <= 5 else [chr(ord("a") + n) for n in range(count)]
    return sorted(random.Random(f"{seed}:{item_id}:labels").sample(POOL, count))


class CircleLetters(NbGraderPreprocessor):
    """Release step: the notebook written afresh from its spec with this circle's letters (made on first use)."""

    def preprocess(self, nb, resources):
        from . import generate, spec

        slug = resources["nbgrader"]["assignment"]
        if slug not in spec.ALL_SLUGS:
            return nb, resources  # not one of the course's assignments: leave it as written
        course = course_root()
        seed, made = ensure_seed(course)
        if made:
            self.log.warning(
                "Made %s: your circle's letters. Keep it (and a copy): grading needs it.", course / SEED_FILE
            )
        if seed == PUBLIC:
            return nb, resources  # the source notebook's own letters
        ours = generate.notebook(spec.load(slug))
        if [c.get("id") for c in nb.cells] != [c.get("id") for c in ours.cells]:
            raise CircleSeedError(
                f"source/{slug}/{slug}.ipynb does not match its spec (edited by hand, or not generated again "
                "after the spec changed): run `python -m course_helpers.grading generate`, then release again"
            )
        circle = generate.notebook(spec.load(slug, seed=seed))
        nb.cells = circle.cells
        return nb, resources
