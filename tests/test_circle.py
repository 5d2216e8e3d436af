"""Each circle gets its own letters (issue 12): a seed made on the first release, used again by autograde.

* two seeds give different keys for at least 90 % of the letter items of the course;
* a circle's first release makes its seed file, shows the circle's letters, and a later release keeps them;
* a perfect submission scores full under its own circle's seed, and in another circle the same letters earn
  only what that circle's key gives them (a letter the two happen to share), far from full;
* a course folder without its seed file is a clear error at autograde, never a silent default.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import autograde, circle, kinds, preprocessors, simulate, spec
from course_helpers.grading.generate import COURSE

pytestmark = pytest.mark.grading

SLUG = "role-of-cadre"
PLAIN = kinds.PLAIN_KINDS


def _keys(seed: str) -> dict[str, str]:
    """Every letter item's key under ``seed``, as text."""
    return {
        f"{a.slug}/{i.id}": repr(i.answer)
        for a in spec.load_all(seed=seed)
        for i in a.auto_items
        if i.kind in PLAIN
    }


def test_public_seed_keeps_the_source_letters():
    assert _keys(circle.PUBLIC) == _keys(spec.DEFAULT_SEED)
    assert circle.letters_for(circle.PUBLIC, "x", 4) == ["a", "b", "c", "d"]


def test_circle_letters_are_plain_and_unambiguous():
    for seed in ("circle-a", "4f1c2e9d0b7a3c55"):
        for n in (3, 4, 5, 6):
            letters = circle.letters_for(seed, f"item-{n}", n)
            assert letters == sorted(letters) and len(set(letters)) == n
            assert not set(letters) & set("filot"), letters  # never read as true/false, 1 or 0


def _differ(first: str, second: str) -> float:
    a, b = _keys(first), _keys(second)
    assert len(a) > 40
    return sum(a[k] != b[k] for k in a) / len(a)


def test_two_circles_keys_differ_for_nine_items_in_ten():
    """Over 30 pairs of circle seeds: on average at least 90 % of the letter items have another key (a few
    collide by chance: two circles can draw the same letter for the right option)."""
    rates = [_differ(f"circle-{n}-a", f"circle-{n}-b") for n in range(30)]
    mean = sum(rates) / len(rates)
    print(
        f"keys differ for {mean:.0%} of items on average, {min(rates):.0%} at worst, over {len(rates)} pairs"
    )
    assert mean >= 0.9 and min(rates) >= 0.8


def test_a_circle_and_the_public_edition_differ_for_nine_items_in_ten():
    """The public edition's letters (a, b, c ...) are of no use in a circle."""
    rates = [_differ(f"circle-{n}", circle.PUBLIC) for n in range(10)]
    assert min(rates) >= 0.9, rates


def test_a_missing_seed_file_is_a_clear_error(tmp_path):
    with pytest.raises(circle.CircleSeedError) as caught:
        preprocessors.circle_keys(SLUG, {}, course=tmp_path)
    message = str(caught.value)
    assert circle.SEED_FILE in message and "first release" in message and "Traceback" not in message


# ------------------------------------------------------------------------------------------- end to end


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    env["COURSE_GRADING_SANDBOX"] = "0"  # the sandbox has its own tests; this checks the letters
    return env


def _course(folder: Path) -> Path:
    root = folder / "assignments"
    (root / "source").mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source" / SLUG, root / "source" / SLUG)
    return root


def _release(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", SLUG, "--force", "--create"],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def circles(tmp_path_factory):
    """Two circles' course folders, each released once (so each made its own seed)."""
    out = {}
    for name in ("north", "south"):
        root = _course(tmp_path_factory.mktemp(name))
        result = _release(root)
        assert result.returncode == 0, result.stdout + result.stderr
        out[name] = root
    return out


def test_the_first_release_makes_the_seed_and_shows_the_circles_letters(circles):
    root = circles["north"]
    seed = circle.read_seed(root)
    assert seed != circle.PUBLIC and seed != circle.read_seed(circles["south"])
    released = nbformat.read(root / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in released.cells}
    ours = spec.load(SLUG, seed=seed)
    for item in ours.auto_items:
        if item.kind in PLAIN:
            question = cells[f"{item.grade_id}-question"]
            for letter, text in item.options.items():
                assert f"**{letter}**" in question and text.strip()[:30] in question, item.id
            assert f'"{item.letters}"' in cells[item.grade_id], "the form check knows the circle's letters"
    # a later release keeps the seed (members' letters do not change between releases)
    before = (root / circle.SEED_FILE).read_text()
    assert _release(root).returncode == 0
    assert (root / circle.SEED_FILE).read_text() == before


def _perfect(root: Path, seed: str) -> nbformat.NotebookNode:
    released = nbformat.read(root / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    return simulate.submission(released, spec.load(SLUG, seed=seed), written=False)


def _grade(root: Path, student: str, nb) -> float:
    folder = root / "submitted" / student / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{SLUG}.ipynb")
    os.environ["COURSE_GRADING_SANDBOX"] = "0"
    try:
        grader = autograde.Grader(root, SLUG, jobs=2, force=True, timeout=120, out=print)
        (result,) = [r for r in grader.run([student]) if r.student == student]
    finally:
        os.environ.pop("COURSE_GRADING_SANDBOX", None)
    assert result.score is not None, result
    return result.score


def test_perfect_letters_score_full_in_their_circle_and_only_shared_letters_in_another(circles):
    north, south = circles["north"], circles["south"]
    north_seed = circle.read_seed(north)
    a = spec.load(SLUG, seed=north_seed)
    auto = sum(i.points for i in a.auto_items)
    perfect = _perfect(north, north_seed)
    assert _grade(north, "ada", perfect) == pytest.approx(auto)
    # the same notebook, letters and all, handed in to the other circle: graded by south's key, which is what
    # north's letters earn under south's letters by the scoring rules (a letter two circles happen to share can
    # count, as it would for a member who guessed; over many pairs of circles that is about chance, see above)
    chance = sum(
        i.points / (math.factorial(len(i.options)) if i.kind in ("order", "match") else len(i.options))
        for i in a.auto_items
    )
    theirs = {i.id: i for i in spec.load(SLUG, seed=circle.read_seed(south)).auto_items}
    by_rules = sum(kinds.score(kinds.key(theirs[i.id]), kinds._typed(i)).points for i in a.auto_items)
    elsewhere = _grade(south, "ada", perfect)
    print(f"north's perfect letters: {auto} in north, {elsewhere} in south (chance {chance:.2f})")
    assert elsewhere == pytest.approx(by_rules)
    assert elsewhere < auto / 2


def test_autograde_without_the_seed_file_stops_with_a_clear_message(circles, tmp_path):
    root = tmp_path / "assignments"
    shutil.copytree(circles["north"], root)
    (root / circle.SEED_FILE).unlink()
    folder = root / "submitted" / "ben" / SLUG
    folder.mkdir(parents=True)
    shutil.copy(root / "release" / SLUG / f"{SLUG}.ipynb", folder / f"{SLUG}.ipynb")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_helpers.grading",
            "autograde",
            SLUG,
            "--course",
            str(root),
            "--unsandboxed",
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert circle.SEED_FILE in said and "Traceback" not in said, said
