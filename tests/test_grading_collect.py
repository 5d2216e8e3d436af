"""Collecting work sent by email or left in a shared folder: `nbgrader zip_collect` with the course's settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

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
