"""Collecting work sent by email or left in a shared folder: `nbgrader zip_collect` with the course's settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import collect
from course_helpers.grading.config import COLLECT_REGEXP
from course_helpers.grading.generate import COURSE

pytestmark = pytest.mark.grading
SLUG = "role-of-cadre"


def test_collect_pattern_reads_member_and_notebook_from_the_path():
    m = re.match(COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/maria-l/{SLUG}.ipynb")
    assert m and m["student_id"] == "maria-l" and m["file_id"] == f"{SLUG}.ipynb"
    m = re.match(COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/joe/work/sub/{SLUG}.ipynb")
    assert m and m["student_id"] == "joe" and m["file_id"] == f"{SLUG}.ipynb"
    assert (
        re.match(
            COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/joe/.ipynb_checkpoints/{SLUG}-checkpoint.ipynb"
        )
        is None
    )
    assert re.match(COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/{SLUG}.ipynb") is None


@pytest.mark.parametrize("member", ["lía", "íñigo", "zoë", "müller", "ana.b", "ben_k", "mary-jo", "李"])
def test_member_ids_as_people_write_them_are_collected(member):
    for written in {member, unicodedata.normalize("NFD", member)}:  # macOS writes accents apart
        m = re.match(COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/{written}/{SLUG}.ipynb")
        assert m and m["file_id"] == f"{SLUG}.ipynb", written
        assert collect.member_id(m["student_id"]) == unicodedata.normalize("NFC", member)


@pytest.mark.parametrize("folder", ["..", ".", "a..b", ".hidden", "ana lopez", "a/b"])
def test_folder_names_that_cannot_be_member_ids_are_refused(folder):
    assert collect.member_id(folder) is None
    assert re.match(COLLECT_REGEXP, f"/c/downloaded/{SLUG}/extracted/{folder}/{SLUG}.ipynb") is None or (
        "/" in folder  # "a/b" reads as member "a" with a sub-folder "b": the same as a zip holding a folder
    )


def test_macos_companions_and_checkpoints_are_never_collected():
    for path in (
        f"/c/extracted/ana/__MACOSX/homework/._{SLUG}.ipynb",
        f"/c/extracted/ana/homework/._{SLUG}.ipynb",
        f"/c/extracted/ana/homework/.ipynb_checkpoints/{SLUG}-checkpoint.ipynb",
    ):
        assert re.match(COLLECT_REGEXP, path) is None, path


def _nb(answer: str = "") -> bytes:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("%%answer 1\n" + answer)
    cell.metadata["nbgrader"] = {
        "grade_id": "q01-x-answer",
        "solution": True,
        "grade": False,
        "locked": False,
    }
    nb.cells = [cell]
    return nbformat.writes(nb).encode()


def test_one_rule_chooses_the_notebook_to_collect(tmp_path):
    release = tmp_path / "release.ipynb"
    release.write_bytes(_nb())
    folder = tmp_path / "ana"
    folder.mkdir()
    (folder / f"{SLUG}.ipynb").write_bytes(_nb())  # blank, as released
    answered = _nb("b")
    (folder / f"{SLUG} (1).ipynb").write_bytes(answered)
    choice = collect.choose(folder, SLUG, release)
    assert choice.chosen == f"{SLUG} (1).ipynb" and "the only one with answers" in choice.why
    (folder / "copy.ipynb").write_bytes(answered)  # the same answers again: one notebook, not two
    assert collect.choose(folder, SLUG, release).chosen == f"{SLUG} (1).ipynb"
    (folder / "other.ipynb").write_bytes(_nb("c"))
    choice = collect.choose(folder, SLUG, release)
    assert not choice.chosen and "--pick" in choice.ask
    assert collect.choose(folder, SLUG, release, pick="other.ipynb").chosen == "other.ipynb"
    assert not collect.choose(folder, SLUG, release, pick="nothing.ipynb").chosen
    alone = tmp_path / "ben"
    (alone / "__MACOSX").mkdir(parents=True)
    (alone / "__MACOSX" / f"._{SLUG}.ipynb").write_bytes(b"\x00\x05")
    (alone / f"{SLUG}.html").write_text("<html></html>")
    choice = collect.choose(alone, SLUG, release)
    assert (
        not choice.chosen
        and choice.others == [f"{SLUG}.html"]
        and choice.skipped == {"macOS companion file": 1}
    )


def test_zip_collect_puts_emailed_and_shared_folder_work_into_submitted(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    course = tmp_path / "assignments"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / SLUG, course / "source" / SLUG)
    (course / ".circle-seed").write_text("public\n", encoding="utf-8")  # the specs' own letters
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", SLUG, "--create"],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    released = course / "release" / SLUG / f"{SLUG}.ipynb"
    archive = course / "downloaded" / SLUG / "archive"
    # a notebook saved from an email attachment, into the member's folder
    (archive / "ana").mkdir(parents=True)
    shutil.copy(released, archive / "ana" / f"{SLUG}.ipynb")
    # a zip attachment holding a folder with the notebook and a checkpoint copy
    (archive / "ben").mkdir()
    with zipfile.ZipFile(archive / "ben" / "homework.zip", "w") as z:
        z.write(released, f"homework/{SLUG}.ipynb")
        z.write(released, f"homework/.ipynb_checkpoints/{SLUG}-checkpoint.ipynb")
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "zip_collect", SLUG],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for member in ("ana", "ben"):
        path = course / "submitted" / member / SLUG / f"{SLUG}.ipynb"
        assert path.is_file(), f"{member}'s work was not collected:\n{proc.stderr[-2000:]}"
        nbformat.read(path, as_version=4)
        assert not list((course / "submitted" / member / SLUG).rglob("*checkpoint*"))
