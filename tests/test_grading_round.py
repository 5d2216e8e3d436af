"""A whole round as members really send it (issue 17): collect -> autograde -> report, one member per kind of trouble.

Members send notebooks by email and in zips, from Windows, macOS and phones; some send an HTML or PDF export, two
copies of the notebook, another chapter's notebook, an old file, garbage, nothing.  Every member folder gets one
true line from the collect step or from autograde; the report counts a question as missed only among the
notebooks that were read; the originals stay byte for byte as sent and nothing lands outside the course folder.

Runs on the tiny fixture specs (``conftest.GRADING_SPECS``), unsandboxed like tests/test_grading_pipeline.py
(the sandbox has its own tests), with two grading jobs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import uuid
import zipfile
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import generate, simulate, spec
from course_helpers.grading.generate import COURSE

pytestmark = pytest.mark.grading

SLUG = "role-of-cadre"
OTHER = "data-lab"
ESCAPE = f"escape-{uuid.uuid4().hex[:8]}.ipynb"


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    env.setdefault("COURSE_GRADING_SANDBOX", "0")
    return env


def make_course(base: Path) -> tuple[Path, dict[str, spec.Assignment]]:
    """A course folder generated from the fixture specs, both assignments released (public letters)."""
    from conftest import GRADING_SPECS

    specs = base / "specs"
    specs.mkdir()
    for slug, text in GRADING_SPECS.items():
        (specs / f"{slug}.yml").write_text(text.lstrip(), encoding="utf-8")
    root = base / "assignments"
    root.mkdir()
    keys = base / "answer_keys.json"
    for path, text in generate.render(root, specs, keys, guide=False).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    (root / ".circle-seed").write_text("public\n", encoding="utf-8")
    with (root / "nbgrader_config.py").open("a") as f:
        f.write("\nc.SafeExecute.timeout = 10\nc.SafeExecute.notebook_timeout = 60\n")
        for step in ("CheckAnswers", "ShowRubrics", "RereadNotes"):
            f.write(f"c.{step}.keys_file = {str(keys)!r}\n")
    script = (
        "from nbgrader.apps.api import NbGraderAPI\nfrom nbgrader.coursedir import CourseDirectory\n"
        "from traitlets.config.loader import PyFileConfigLoader\nimport sys\n"
        "cfg = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "api = NbGraderAPI(coursedir=CourseDirectory(config=cfg, root='.'), config=cfg)\n"
        "for slug in sys.argv[1:]:\n"
        "    r = api.generate_assignment(slug, force=True, create=True)\n"
        "    assert r['success'], r.get('error')\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, *GRADING_SPECS],
        cwd=root,
        env=_env(),
        check=True,
        timeout=600,
        capture_output=True,
    )
    return root, {a.slug: a for a in spec.load_all(specs)}


def _nb_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _right(a: spec.Assignment, indices) -> set[str]:
    return {i.id for n, i in enumerate(a.auto_items) if n in indices}


def build_archive(root: Path, assignments: dict[str, spec.Assignment]) -> dict[str, set[str] | None]:
    """One member folder per kind of trouble; returns the items each graded member got right (None: all)."""
    a = assignments[SLUG]
    release = nbformat.read(root / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)
    other_release = nbformat.read(root / "release" / OTHER / f"{OTHER}.ipynb", as_version=4)
    perfect = _nb_bytes(simulate.submission(release, a))
    archive = root / "downloaded" / SLUG / "archive"
    archive.mkdir(parents=True)
    nb_name = f"{SLUG}.ipynb"

    def put(member: str, name: str, data: bytes):
        path = archive / member / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    right: dict[str, set[str] | None] = {}
    # 1-2. ids as people write them; íñigo's folder named the way macOS writes accents (decomposed)
    put("lía", nb_name, perfect)
    right["lía"] = None
    half = _right(a, {0, 2})
    put(unicodedata.normalize("NFD", "íñigo"), nb_name, _nb_bytes(simulate.submission(release, a, half)))
    right["íñigo"] = half
    # 3-4. exports instead of the notebook
    put("zoë", f"{SLUG}.html", b"<html><body>my answers</body></html>")
    put("pablo", f"{SLUG}.pdf", b"%PDF-1.4 my answers")
    # 5. a browser's download folder: the blank one and "(1)" with the answers
    put("ana", nb_name, _nb_bytes(release))
    put("ana", f"{SLUG} (1).ipynb", perfect)
    right["ana"] = None
    # 6. another chapter's notebook under this name
    put("ben", nb_name, _nb_bytes(simulate.submission(other_release, assignments[OTHER])))
    # 7. an old notebook format holding none of this assignment's cells
    v3 = {
        "metadata": {"name": ""},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": "print('hello')", "language": "python", "outputs": []}]}
        ],
    }
    put("carla", nb_name, json.dumps(v3).encode())
    # 8-10. garbage bytes, an empty file, a file cut off in the middle
    put("dmitri", nb_name, bytes(range(256)) * 8)
    put("emma", nb_name, b"")
    put("farid", nb_name, perfect[: len(perfect) // 2])
    # 11. a zip made on macOS: __MACOSX companions and .DS_Store
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"homework/{nb_name}", perfect)
        z.writestr(f"__MACOSX/homework/._{nb_name}", b"\x00\x05\x16\x07Mac OS X")
        z.writestr("homework/.DS_Store", b"\x00\x00\x00\x01Bud1")
    put("gao", "homework.zip", buffer.getvalue())
    right["gao"] = None
    # 12. a zip with Jupyter's checkpoint copy (blank) next to the work
    one = _right(a, {0})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"work/{nb_name}", _nb_bytes(simulate.submission(release, a, one)))
        z.writestr(f"work/.ipynb_checkpoints/{SLUG}-checkpoint.ipynb", _nb_bytes(release))
    put("hana", "work.zip", buffer.getvalue())
    right["hana"] = one
    # 13. a zip whose paths try to leave the folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../../../../../../../" + ESCAPE, perfect)
        z.writestr("/tmp/" + ESCAPE, perfect)
    put("ivan", "evil.zip", buffer.getvalue())
    # 14. a notebook saved with a very large output
    big = simulate.submission(release, a)
    first_answer = next(c for c in big.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first_answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 5_000_000)]
    put("jana", nb_name, _nb_bytes(big))
    right["jana"] = None
    # 15. check cells changed and deleted (restored before grading; the right answers still count)
    tampered = simulate.submission(release, a)
    tests = [
        c for c in tampered.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    ]
    tests[0].source = "1"
    tests[1].source = "pass"
    tampered.cells = [c for c in tampered.cells if c is not tests[2]]
    put("kofi", nb_name, _nb_bytes(tampered))
    right["kofi"] = None
    # 16. opened and sent back unanswered
    put("luis", nb_name, _nb_bytes(release))
    # 17-18. the notebook under another name; a mail program's ".txt" added
    put("mia", "my homework.ipynb", perfect)
    right["mia"] = None
    put("noor", f"{SLUG}.ipynb.txt", perfect)
    # 19. two different notebooks with answers: collected only once the facilitator picks (the wrong one, here)
    put("omar", f"{SLUG}.ipynb", perfect)
    put("omar", f"{SLUG}-final.ipynb", _nb_bytes(simulate.submission(release, a, set())))
    right["omar"] = set()
    # a file left in archive/ itself, in no member's folder
    (archive / "stray.ipynb").write_bytes(perfect)
    return right


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "course_helpers.grading", *args, "--course", str(root)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _lines(stdout: str) -> dict[str, str]:
    """member -> its line, from the collect command's output ("  ana: collected ..." / "! zoë: nothing ...")."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"^(?:  |! )(\S+): (.*)$", line)
        if m:
            out[m[1]] = m[2]
    return out


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    base = tmp_path_factory.mktemp("round")
    root, assignments = make_course(base)
    right = build_archive(root, assignments)
    archive = root / "downloaded" / SLUG / "archive"
    originals = _hashes(archive)
    outside_before = {p for p in base.rglob("*") if root not in p.parents and p != root}
    first = _cli(root, "collect", SLUG)
    second = _cli(root, "collect", SLUG, "--pick", f"omar={SLUG}-final.ipynb")
    graded = _cli(root, "autograde", SLUG, "--unsandboxed", "--jobs", "2", "--timeout", "120")
    report = _cli(root, "report", "--out", str(root / "class-report.html"))
    export = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export"], cwd=root, env=_env(), capture_output=True, text=True
    )
    outside_after = {p for p in base.rglob("*") if root not in p.parents and p != root}
    return {
        "root": root,
        "a": assignments[SLUG],
        "right": right,
        "first": first,
        "second": second,
        "graded": graded,
        "report": report,
        "export": export,
        "originals": originals,
        "archive": archive,
        "new_outside": outside_after - outside_before,
    }


def test_collect_says_what_became_of_every_member_folder(round_):
    first, second = round_["first"], round_["second"]
    assert first.returncode == 1, first.stdout + first.stderr  # some members need a step
    lines = _lines(first.stdout)
    print(first.stdout)
    nb = f"{SLUG}.ipynb"
    expected = {
        "lía": f"collected {nb}",
        "íñigo": f"collected {nb}",
        "zoë": f"nothing collected: no notebook, only {SLUG}.html (an HTML export)",
        "pablo": f"nothing collected: no notebook, only {SLUG}.pdf (a PDF export)",
        "ana": f"collected {SLUG} (1).ipynb as {nb}; of the 2 notebooks sent (",
        "gao": f"collected homework/homework/{nb}",
        "hana": f"collected work/work/{nb}",
        "ivan": "nothing collected: no notebook could be taken out",
        "mia": f"collected my homework.ipynb as {nb}",
        "noor": f"nothing collected: {nb}.txt (a notebook under another name)",
        "omar": "nothing collected: 2 different notebooks with answers (",
        "stray.ipynb": "not in a member's folder, so not collected",
    }
    for member in ("ben", "carla", "dmitri", "emma", "farid", "jana", "kofi", "luis"):
        expected[member] = f"collected {nb}"
    assert set(lines) == set(expected), sorted(set(lines) ^ set(expected))
    for member, start in expected.items():
        assert lines[member].startswith(start), f"{member}: {lines[member]!r}"
    assert "macOS companion file" in lines["gao"] and "checkpoint copy" in lines["hana"]
    assert "leads out of the folder" in lines["ivan"] and "not in a zip" in lines["ivan"]
    assert f"rename it to {nb}" in lines["noor"]
    assert lines["ana"].endswith("the only one with answers") and nb in lines["ana"]
    assert f"{SLUG}-final.ipynb" in lines["omar"] and nb in lines["omar"]
    assert "--pick" in lines["omar"] and "Ask zoë for the notebook itself" in lines["zoë"]
    again = _lines(second.stdout)
    assert again["omar"].startswith(f"collected {SLUG}-final.ipynb as {nb}; the one you picked"), again[
        "omar"
    ]
    submitted = round_["root"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(
        [
            "ana",
            "ben",
            "carla",
            "dmitri",
            "emma",
            "farid",
            "gao",
            "hana",
            "íñigo",
            "jana",
            "kofi",
            "lía",
            "luis",
        ]
        + ["mia", "omar"]
    )
    for folder in submitted.iterdir():
        assert [p.name for p in (folder / SLUG).iterdir() if p.suffix == ".ipynb"] == [nb], folder.name


def _graded_lines(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        m = re.match(rf"^(?:graded|failed) \d+/\d+  {SLUG} (\S+): (.*)$", line)
        if m:
            out[m[1]] = m[2]
    return out


def test_autograde_names_what_it_found_and_grades_the_rest(round_):
    proc = round_["graded"]
    print(proc.stdout[-6000:])
    lines = _graded_lines(proc.stdout)
    a, right = round_["a"], round_["right"]
    total = simulate.expected_score(a)
    failed = {
        "ben": f"could not be graded: this is the {OTHER} notebook, not {SLUG}",
        "carla": f"could not be graded: this notebook holds none of {SLUG}'s questions",
        "dmitri": f"could not be graded: {SLUG}.ipynb is not a readable notebook: the file is not text",
        "emma": f"could not be graded: {SLUG}.ipynb is not a readable notebook: the file is empty",
        "farid": f"could not be graded: {SLUG}.ipynb is not a readable notebook: the file is cut off",
    }
    for member, start in failed.items():
        assert lines[member].startswith(start), f"{member}: {lines[member]!r}"
        assert "ask" in lines[member]
    for member, got in right.items():
        score = simulate.expected_score(a, got)
        assert lines[member].startswith(f"{score:g}/{total:g} automatic points"), (
            f"{member}: {lines[member]!r}"
        )
    assert lines["luis"].startswith(f"0/{total:g} automatic points") and "nothing answered" in lines["luis"]
    assert "changed or deleted" in lines["kofi"]
    for member in set(right) - {"kofi"}:
        assert "nothing answered" not in lines[member] and "changed" not in lines[member], lines[member]
    text = proc.stdout + proc.stderr
    for leak in ("Traceback", "NbGraderException", "nbgrader.", "Error:", "Exception"):
        assert leak not in text, f"the facilitator sees {leak!r}"
    assert set(lines) == set(right) | set(failed) | {"luis"}
    autograded = round_["root"] / "autograded" / "jana" / SLUG / f"{SLUG}.ipynb"
    assert autograded.stat().st_size < 1_000_000


def test_report_counts_only_what_was_read(round_):
    from course_helpers.grading import report

    proc = round_["report"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(proc.stdout)
    root, a, right = round_["root"], round_["a"], round_["right"]
    frame = report.grades(root / "gradebook.db")
    apart = report.apart(root, frame)
    assert {m for _, m in apart} == {
        "ben",
        "carla",
        "dmitri",
        "emma",
        "farid",
        "luis",
        "zoë",
        "pablo",
        "ivan",
        "noor",
    }  # fmt: skip  (the stray file is no member: the collect step named it)
    assert "ask" in apart[(SLUG, "zoë")].lower() and "nothing answered" in apart[(SLUG, "luis")]
    stats = report.question_stats(frame, apart).set_index(["assignment", "grade_id"])
    for item in a.auto_items:
        row = stats.loc[(SLUG, item.grade_id)]
        missed = sum(1 for got in right.values() if got is not None and item.id not in got)
        assert (row["answered"], row["missed"]) == (len(right), missed), item.grade_id
    for item in a.written_items:
        row = stats.loc[(SLUG, item.grade_id)]
        assert (row["answered"], row["missed"], row["waiting"]) == (0, 0, len(right)), item.grade_id
    assert (
        "waiting for your hand-grading" in proc.stdout.lower()
        or "Waiting for your hand-grading" in proc.stdout
    )
    assert "Not counted" in proc.stdout and "zoë" in proc.stdout
    html = (root / "class-report.html").read_text(encoding="utf-8")
    assert "Not counted: work that was not read" in html and "waiting for you to grade by hand" in html
    progress = report.member_progress(frame, apart)
    assert set(progress["student"]) == set(right)


def test_accented_ids_reach_the_gradebook_and_the_export(round_):
    export = round_["export"]
    assert export.returncode == 0, export.stderr[-2000:]
    rows = list(csv.DictReader((round_["root"] / "grades.csv").open(encoding="utf-8")))
    ours = {r["student_id"]: float(r["score"]) for r in rows if r["assignment"] == SLUG}
    total = simulate.expected_score(round_["a"])
    assert ours["lía"] == total and ours["íñigo"] == simulate.expected_score(
        round_["a"], round_["right"]["íñigo"]
    )


def test_originals_unchanged_and_nothing_outside_the_course(round_):
    assert _hashes(round_["archive"]) == round_["originals"]
    assert round_["new_outside"] == set(), round_["new_outside"]
    assert not Path("/tmp", ESCAPE).exists() and not (Path.cwd() / ESCAPE).exists()
    assert not list(round_["root"].parent.parent.rglob(ESCAPE))
