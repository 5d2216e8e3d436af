"""The grading pipeline end to end, in a temporary course directory generated from the specs.

Generate every assignment (the seven readings and the optional data lab) from the specs; check the released
notebooks hold no solution, hidden test, answer or rubric; validate source, blank, half-done and fully answered
released notebooks; autograde perfect (typed untidily), empty, half-right and partly right submissions of every
assignment and a set of adversarial submissions of one; generate feedback and check it shows no hidden test and
no rubric, and says where to reread.

``COURSE_GRADING_SPECS=fixtures`` runs it all on the tiny specs of ``conftest.GRADING_SPECS`` instead of the
real ones (quick, and independent of the specs' content).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import autograde, generate, kinds, simulate, spec
from course_helpers.grading.generate import COURSE

pytestmark = pytest.mark.grading


@pytest.fixture(scope="module")
def specs_folder(tmp_path_factory) -> Path:
    if os.environ.get("COURSE_GRADING_SPECS") != "fixtures":
        return spec.SPECS
    from conftest import GRADING_SPECS

    folder = tmp_path_factory.mktemp("specs")
    for slug, text in GRADING_SPECS.items():
        (folder / f"{slug}.yml").write_text(text.lstrip(), encoding="utf-8")
    return folder


def _env():
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    return env


def _nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture(scope="module")
def assignments(specs_folder):
    return {a.slug: a for a in spec.load_all(specs_folder)}


@pytest.fixture(scope="module")
def adversary(assignments) -> str:
    """The assignment the adversarial submissions attack: the first reading assignment."""
    return next(slug for slug, a in assignments.items() if not a.optional)


@pytest.fixture(scope="module")
def course(tmp_path_factory, assignments, specs_folder):
    root = tmp_path_factory.mktemp("course") / "assignments"
    root.mkdir()
    keys = root.parent / "answer_keys.json"
    for path, text in generate.render(root, specs_folder, keys, guide=False).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    # The public letters (the source notebooks' own), so the answers are the specs'; circle letters: test_circle.py
    (root / ".circle-seed").write_text("public\n", encoding="utf-8")
    # Shorter limits than the course's (30 s a cell, 120 s a notebook) keep the hostile cases quick; the
    # mechanism under test is the same. The keys are this course's own.
    with (root / "nbgrader_config.py").open("a") as f:
        f.write("\nc.SafeExecute.timeout = 6\nc.SafeExecute.notebook_timeout = 45\n")
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
        [sys.executable, "-c", script, *assignments],
        cwd=root,
        env=_env(),
        check=True,
        timeout=600,
        capture_output=True,
    )
    return root


def _release(course: Path, slug: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)


def _submit(
    course: Path, student: str, slug: str, nb=None, *, text: str | None = None, name: str | None = None
):
    folder = course / "submitted" / student / slug
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / (name or f"{slug}.ipynb")
    if text is not None:
        path.write_text(text)
    else:
        nbformat.write(nb, path)


@pytest.fixture(scope="module", autouse=True)
def _unsandboxed_unless_asked():
    """These tests check the course's own layer (marking, limits, restored cells); the sandbox has its own
    tests (tests/test_sandbox.py).  Set COURSE_GRADING_SANDBOX=1 to run these sandboxed as well."""
    before = os.environ.get("COURSE_GRADING_SANDBOX")
    os.environ.setdefault("COURSE_GRADING_SANDBOX", "0")
    yield
    if before is None:
        os.environ.pop("COURSE_GRADING_SANDBOX", None)


def _grade(course: Path, slug: str, students: list[str]) -> dict[str, autograde.Result]:
    grader = autograde.Grader(course, slug, jobs=4, force=True, timeout=90, out=print)
    return {r.student: r for r in grader.run(students)}


# --------------------------------------------------------------------------------------------- released notebooks


def test_every_assignment_is_generated_and_released(course, assignments):
    for slug in assignments:
        assert (course / "release" / slug / f"{slug}.ipynb").is_file()


def test_released_notebooks_hold_no_solution_hidden_test_answer_or_rubric(course, assignments):
    for slug, a in assignments.items():
        text = (course / "release" / slug / f"{slug}.ipynb").read_text()
        for marker in (
            "BEGIN SOLUTION",
            "END SOLUTION",
            "HIDDEN TESTS",
            kinds.REPORT_PREFIX,
            kinds.RUBRIC_MARK,
        ):
            assert marker not in text, f"{slug}: the released notebook contains {marker!r}"
        cells = {
            c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in _release(course, slug).cells
        }
        for item in a.auto_items:
            released = cells[item.answer_id]
            if item.kind in kinds.PLAIN_KINDS:
                assert released.startswith(f"%%answer {item.number}\n"), f"{slug}: the magic line was lost"
                assert kinds.answers.content(released.split("\n", 1)[1]) == "", (
                    f"{slug}: {item.answer_id} is not blank: {released!r}"
                )
            else:
                assert item.solution.strip() not in released, f"{slug}: the model code of {item.grade_id}"
        for item in a.written_items:
            first = item.solution.strip().splitlines()[0]
            assert first not in text, f"{slug}: the model answer of {item.grade_id} was released"
            for level in item.rubric.values():
                assert level["example"].strip() not in text, f"{slug}: a rubric example was released"
        assert not list((course / "release" / slug).glob("*.yml")), "a spec was copied into the release"


VALIDATE = """
import json, sys
from nbgrader.validator import Validator
out = {}
for path in sys.argv[1:]:
    out[path] = Validator().validate(path)
print("RESULTS" + json.dumps(out))
"""


def _validate(paths: list[Path]) -> dict[str, dict]:
    proc = subprocess.run(
        [sys.executable, "-c", VALIDATE, *map(str, paths)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert "RESULTS" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.split("RESULTS", 1)[1])


def test_validate_passes_a_fully_answered_release_and_lists_what_a_blank_or_half_one_misses(
    course, assignments, tmp_path
):
    paths = {}
    for slug, a in assignments.items():
        nb = _release(course, slug)
        half = {i.id for i in a.auto_items[::2]}
        blank = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
        versions = {
            "right": simulate.submission(nb, a, messy=True),
            "blank": nb,
            "half": simulate.fill(
                simulate.submission(nb, a, written=False),
                {i.answer_id: blank[i.answer_id] for i in a.auto_items if i.id not in half},
            ),
        }
        for name, version in versions.items():
            path = tmp_path / name / slug / f"{slug}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(version, path)
            paths[(slug, name)] = path
    results = _validate(list(paths.values()))
    for slug, a in assignments.items():
        right = results[str(paths[(slug, "right")])]
        assert right == {}, f"{slug}: a fully answered release does not validate: {right}"
        blank = results[str(paths[(slug, "blank")])]["failed"]
        assert len(blank) == len(a.items), f"{slug}: {len(blank)} cells listed, {len(a.items)} questions"
        for failure in blank:
            assert "Traceback" not in failure["raw_error"] and "File " not in failure["raw_error"]
            assert len(failure["raw_error"].strip().splitlines()) == 1, failure["raw_error"]
        errors = "\n".join(f["raw_error"] for f in blank)
        for item in a.auto_items:
            assert f"Question {item.number}:" in errors, f"{slug}: question {item.number} is not named"
        half = results[str(paths[(slug, "half")])]["failed"]
        missing = [i for i in a.auto_items if i.id not in {j.id for j in a.auto_items[::2]}]
        assert len(half) == len(missing) + len(a.written_items), (slug, [f["raw_error"] for f in half])


def test_source_notebooks_validate(course, assignments):
    results = _validate([course / "source" / slug / f"{slug}.ipynb" for slug in assignments])
    assert all(r == {} for r in results.values()), results


# -------------------------------------------------------------------------------------- honest submissions


def _partly(a: spec.Assignment, nb):
    """Every item right except order items (first two steps swapped) and match items (two pairs swapped), and
    what that must score, counted here by hand from the rule: pairs kept / pairs."""
    codes, expected = {}, simulate.expected_score(a)
    for item in a.auto_items:
        if item.kind == "order":
            k = list(item.answer)
            given = [k[1], k[0], *k[2:]]  # of the n-1 neighbouring pairs only those after the swap are kept
            codes[item.answer_id] = f"%%answer {item.number}\n{' '.join(given)}"
            expected += round(item.points * (len(k) - 3) / (len(k) - 1), 2) - item.points
        elif item.kind == "match":
            pairs = dict(item.answer)
            pairs[1], pairs[2] = pairs[2], pairs[1]
            codes[item.answer_id] = f"%%answer {item.number}\n" + " ".join(
                f"{n}{x}" for n, x in pairs.items()
            )
            expected += round(item.points * (len(pairs) - 2) / len(pairs), 2) - item.points
    return simulate.fill(simulate.submission(nb, a), codes), expected


WHO_ALL = ("perfect", "half", "empty", "partly")


@pytest.fixture(scope="module")
def four_members(course, assignments):
    """Four members send every assignment: perfect, half (even-numbered items right), empty and partly right
    (order and match items lose pairs); graded in one batch.  Returns the results and the expected scores."""
    expected = {}
    for slug, a in assignments.items():
        nb = _release(course, slug)
        half = {i.id for n, i in enumerate(a.auto_items) if n % 2 == 0}
        for who, right in (("perfect", None), ("half", half)):
            _submit(course, who, slug, simulate.submission(nb, a, right, messy=who == "perfect"))
            expected[(who, slug)] = simulate.expected_score(a, right)
        _submit(course, "empty", slug, nb)
        expected[("empty", slug)] = 0.0
        partly, expected[("partly", slug)] = _partly(a, nb)
        _submit(course, "partly", slug, partly)
    grader = autograde.Grader(course, jobs=4, force=True, timeout=120, out=print)
    graded = {
        (r.assignment, r.student): r for r in grader.run(pairs=[(s, w) for s in assignments for w in WHO_ALL])
    }
    return graded, expected


def test_perfect_empty_half_and_partly_right_submissions_of_every_assignment(four_members, assignments):
    graded, expected = four_members
    for slug, a in assignments.items():
        auto_total = float(a.points[0])
        for who in WHO_ALL:
            r = graded[(slug, who)]
            assert r.status == "graded", r.message
            assert r.max_score == auto_total
            assert r.score == pytest.approx(expected[(who, slug)]), (
                f"{slug} {who}: {r.score} != {expected[(who, slug)]}"
            )
        assert graded[(slug, "perfect")].score == auto_total


def test_class_report_counts_missed_questions_and_progress(course, assignments, four_members, tmp_path):
    """The four members' grades, as the class report counts them."""
    from course_helpers.grading import report

    frame = report.grades(course / "gradebook.db")
    stats = report.question_stats(frame).set_index(["assignment", "grade_id"])
    wanted = {(slug, item.grade_id) for slug, a in assignments.items() for item in a.auto_items}
    missing = sorted(wanted - set(stats.index))
    assert not missing, (
        f"{len(missing)} questions not in the report, e.g. {missing[:3]}; the gradebook holds "
        f"{len(frame)} grades: {frame.groupby(['assignment', 'student']).size().to_dict()}"
    )
    for slug, a in assignments.items():
        for n, item in enumerate(a.auto_items):
            row = stats.loc[(slug, item.grade_id)]
            assert row["answered"] == 4
            partly = item.kind in ("order", "match")
            assert row["missed"] == 1 + (n % 2) + partly, (slug, item.grade_id)
    progress = report.member_progress(frame).set_index(["student", "assignment"])
    for slug in assignments:
        assert progress.loc[("perfect", slug), "percent"] == 100.0
        assert progress.loc[("empty", slug), "percent"] == 0.0
        assert progress.loc[("perfect", slug), "pending"] == len(assignments[slug].written_items)
    out = tmp_path / "class-report.html"
    assert report.main(course, out) == 0
    html = out.read_text()
    assert "Questions the circle missed most" in html and "progress" in html


# ----------------------------------------------------------------------------------------------- adversaries

LIAR = """
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def strip(self): return self
    def lower(self): return self
    def __contains__(self, x): return True
    def __iter__(self): return iter(["a", "b", "c", "d"])
    def __len__(self): return 4
    def __float__(self): return -1.0
    def __repr__(self): return "'b'"
    def __str__(self): return "b"
"""

LYING_STR = """
class LyingStr(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return hash("b")
    def __iter__(self): return iter("b")
    def strip(self, *a): return self
    def lower(self): return self
"""


def _answers(a: spec.Assignment, make) -> dict[str, str]:
    """Answer-cell code for every automatic item, from ``make(item) -> code``."""
    return {i.answer_id: make(i) for i in a.auto_items}


def _liar_code(item) -> str:
    """The answer cell without %%answer: Python that stores an object claiming to be every answer."""
    if item.kind == "number":
        return LIAR + f"{item.variable} = Liar()"
    return LIAR + f"{item.variable} = Liar()"


def _lying_str_code(item) -> str:
    if item.kind == "number":
        return f"class LyingFloat(float):\n    def __eq__(self, o): return True\n{item.variable} = LyingFloat(-1.0)"
    return LYING_STR + f'{item.variable} = LyingStr("z")'


def _shotgun(item) -> str:
    """Every option at once (a lenient reader must not take any of them)."""
    letters = " ".join(item.options)
    text = {
        "choice": letters,
        "truefalse": f"true false {letters}",
        "order": f"{letters} {letters}",
        "match": " ".join(f"{n}{x}" for n in item.terms for x in item.options),
    }.get(item.kind)
    return simulate.answer_code(item, False) if text is None else f"%%answer {item.number}\n{text}"


def _wrong(item) -> str:
    return simulate.answer_code(item, False)


PATCH_BUILTINS = """
import builtins
builtins.type = lambda *a: str
builtins.isinstance = lambda *a: True
builtins.len = lambda *a: 4
"""

HELPERS = """
import course_helpers.answers as _answers
_answers.read = lambda *a, **k: "b"
_answers.check = lambda *a, **k: None
check = lambda *a, **k: None
try:
    import course_helpers.grading.kinds as _kinds
    _kinds.mark = lambda *a, **k: True
    _kinds.score = lambda *a, **k: None
except Exception:
    pass
def mark(*a, **k): return True
"""

MAGIC = """
from IPython import get_ipython
class Liar(str):
    def __eq__(self, other): return True
    def __hash__(self): return 0
def answer(line, cell):
    get_ipython().user_ns["answer_q" + line.strip()] = Liar(cell)
get_ipython().register_magic_function(answer, "cell", "answer")
"""

FAKE_REPORT = """
print("'grader-report:b'")
from IPython.display import display
display({"text/plain": "'grader-report:b'"}, raw=True)
"""

ENV_DETECT = """
import os
if os.environ.get("NBGRADER_EXECUTION"):
    ip = get_ipython()
    ip.input_transformers_post.append(lambda lines: ["pass\\n"] if any("Form check" in l for l in lines) else lines)
"""

HOOKS = """
ip = get_ipython()
def _rewrite(lines):
    text = "".join(lines)
    if "grader" + "-report:" in text:
        return ['"grader" + "-report:z"\\n']
    if "Form check" in text:
        return ["pass\\n"]
    return lines
ip.input_transformers_post.append(_rewrite)
"""

MANY_REPORTS = """
from IPython.display import display
ip = get_ipython()
def _many(result):
    for guess in "abcde":
        display("grader" + "-report:" + guess)
ip.events.register("post_run_cell", _many)
"""


def _first(a, **replace):
    """Wrong answers everywhere; the first answer cell is ``replace['code']`` then its wrong answer in Python."""
    codes = _answers(a, _wrong)
    first = a.auto_items[0]
    codes[first.answer_id] = replace["code"] + "\n" + simulate.python_answer(first, False)
    return codes


def _adversaries(a: spec.Assignment, nb) -> dict[str, tuple]:
    """name -> (notebook or raw text, file name or None, the most it may score)."""
    auto = a.auto_items
    total = simulate.expected_score(a)
    out = {}
    out["eq-always-true"] = (simulate.fill(nb, _answers(a, _liar_code)), None, 0.0)
    out["str-subclass-lying-eq"] = (simulate.fill(nb, _answers(a, _lying_str_code)), None, 0.0)
    out["patched-builtins"] = (simulate.fill(nb, _first(a, code=PATCH_BUILTINS)), None, 0.0)
    out["redefined-helpers"] = (simulate.fill(nb, _first(a, code=HELPERS)), None, 0.0)
    out["detects-grading-env"] = (simulate.fill(nb, _first(a, code=ENV_DETECT)), None, 0.0)
    out["ipython-input-hooks"] = (simulate.fill(nb, _first(a, code=HOOKS)), None, 0.0)
    out["many-reports"] = (simulate.fill(nb, _first(a, code=MANY_REPORTS)), None, 0.0)
    out["redefined-answer-magic"] = (simulate.fill(nb, _first(a, code=MAGIC)), None, 0.0)
    out["printed-fake-report"] = (simulate.fill(nb, _first(a, code=FAKE_REPORT)), None, 0.0)
    out["every-option-at-once"] = (simulate.fill(nb, _answers(a, _shotgun)), None, 0.0)

    edited = simulate.fill(nb, _answers(a, _wrong))
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "1"  # a number as the cell's value is nbgrader's partial credit
    out["edited-test-cells"] = (edited, None, 0.0)

    deleted = simulate.submission(nb, a)  # all right: restored tests must still give the points
    test_ids = {i.grade_id for i in auto}
    gone_pair = auto[1]
    deleted.cells = [
        c
        for c in deleted.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") not in test_ids | {gone_pair.answer_id}
    ]
    out["deleted-test-cells"] = (deleted, None, total - gone_pair.points)

    half = {i.id for n, i in enumerate(auto) if n % 2 == 0}
    md = simulate.submission(nb, a, half)
    for cell in md.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in test_ids:
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    out["test-cells-as-markdown"] = (md, None, simulate.expected_score(a, half))

    loop = simulate.submission(nb, a)
    codes = {auto[0].answer_id: "while True:\n    pass"}
    out["infinite-loop"] = (simulate.fill(loop, codes), None, total - auto[0].points)

    deaf = {
        auto[
            0
        ].answer_id: "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    }
    out["loop-ignoring-interrupts"] = (simulate.fill(simulate.submission(nb, a), deaf), None, 0.0)

    k = min(4, len(auto) - 1)
    exit_codes = {auto[k].answer_id: "import os\nos._exit(0)"}
    out["os-exit"] = (
        simulate.fill(simulate.submission(nb, a), exit_codes),
        None,
        float(sum(i.points for i in auto[:k])),
    )
    kill = {auto[0].answer_id: "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"}
    out["kills-kernel"] = (simulate.fill(simulate.submission(nb, a), kill), None, 0.0)

    flood = {
        auto[0].answer_id: simulate.python_answer(auto[0], True)
        + "\nfor _ in range(200):\n    print('x' * 100_000)"
    }
    out["output-flood"] = (simulate.fill(simulate.submission(nb, a), flood), None, total)

    out["invalid-json"] = ('{"cells": [ this is not json', None, 0.0)
    out["wrong-file-name"] = (simulate.submission(nb, a), "my-homework.ipynb", 0.0)
    return out


@pytest.fixture(scope="module")
def adversary_results(course, assignments, adversary):
    a = assignments[adversary]
    cases = _adversaries(a, _release(course, a.slug))
    for name, (content, filename, _) in cases.items():
        if isinstance(content, str):
            _submit(course, name, a.slug, text=content, name=filename)
        else:
            _submit(course, name, a.slug, content, name=filename)
    results = _grade(course, a.slug, sorted(cases))
    report = {
        name: (results[name].score, limit, results[name].status) for name, (_, _, limit) in cases.items()
    }
    print("\nADVERSARIAL SCORES (name: score / most it may get):")
    for name, (score, limit, status) in report.items():
        print(f"  {name:28} {score:5g} / {limit:g}  ({status})")
    return cases, results


def test_adversarial_submissions_get_no_more_than_they_deserve(adversary_results):
    cases, results = adversary_results
    assert set(results) == set(cases), "the batch did not finish every submission"
    for name, (_, _, limit) in cases.items():
        assert results[name].score <= limit, f"{name} scored {results[name].score}, more than {limit}"


def test_honest_parts_of_adversarial_submissions_still_count(adversary_results):
    """Restored cells, a loop in one cell, Python stopping late and an output flood do not cost honest points."""
    cases, results = adversary_results
    for name in ("deleted-test-cells", "test-cells-as-markdown", "infinite-loop", "os-exit", "output-flood"):
        assert results[name].status == "graded", results[name].message
        assert results[name].score == cases[name][2], f"{name}: {results[name].score} != {cases[name][2]}"


def test_unreadable_and_misnamed_notebooks_are_reported_not_raised(adversary_results):
    _, results = adversary_results
    assert results["invalid-json"].status == "failed"
    assert "not a readable notebook" in results["invalid-json"].message
    assert results["wrong-file-name"].status == "failed"
    assert "my-homework.ipynb" in results["wrong-file-name"].message


def test_autograded_notebooks_stay_small(course, adversary_results, adversary):
    path = course / "autograded" / "output-flood" / adversary / f"{adversary}.ipynb"
    assert path.stat().st_size < 2_000_000


def test_feedback_shows_no_hidden_test_key_or_rubric_and_says_where_to_reread(
    course, adversary_results, adversary, assignments
):
    _nbgrader(course, "generate_feedback", adversary, "--force")
    pages = list((course / "feedback").glob(f"*/{adversary}/*.html"))
    graded = [s for s, r in adversary_results[1].items() if r.status == "graded"]
    assert {p.parts[-3] for p in pages} >= set(graded)
    source = nbformat.read(course / "source" / adversary / f"{adversary}.ipynb", 4)
    hidden = [
        line
        for c in source.cells
        if kinds.HIDDEN_BEGIN in c.source
        for line in c.source.split(kinds.HIDDEN_BEGIN)[1].splitlines()
        if line.strip()
    ]
    assert hidden
    for page in pages:
        html = page.read_text()
        for marker in ("HIDDEN TESTS", *{html_escape(line) for line in hidden}, *hidden):
            assert marker not in html, f"{page}: feedback shows {marker!r}"
    a = assignments[adversary]
    examples = [html_escape(level["example"].strip()) for i in a.written_items for level in i.rubric.values()]
    for page in pages:
        html = page.read_text()
        assert "Rubric for the facilitator" not in html and not [e for e in examples if e in html]
    perfect_like = course / "feedback" / "output-flood" / adversary / f"{adversary}.html"
    assert "Correct" in perfect_like.read_text()
    wrong = (course / "feedback" / "every-option-at-once" / adversary / f"{adversary}.html").read_text()
    assert "Reread" in wrong and html_escape(a.auto_items[0].reread["essay"]) in wrong
    autograded = (course / "autograded" / "output-flood" / adversary / f"{adversary}.ipynb").read_text()
    assert "Rubric for the facilitator" in autograded, "the formgrader's copy lacks the rubrics"


def test_why_the_key_stays_out_of_the_kernel():
    """The measured reason for the design: with the key in a hidden assert (the usual nbgrader pattern, even
    written with trusted built-in calls), a submission's IPython hook both reads the key from the test cell's
    source and turns the test into one that passes."""
    from nbclient import NotebookClient

    hook = (
        "leaked = []\n"
        "def _steal(lines):\n"
        "    text = ''.join(lines)\n"
        "    if 'assert' in text:\n"
        "        leaked.append(text)\n"
        "        return ['pass\\n']\n"
        "    return lines\n"
        "get_ipython().input_transformers_post.append(_steal)\n"
        "answer_q1 = 'z'"
    )
    literal_test = 'assert "b".__eq__("".join(["", answer_q1])) is True'
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(hook),
        nbformat.v4.new_code_cell(literal_test),
        nbformat.v4.new_code_cell("print(leaked)"),
    ]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert not any(o.get("output_type") == "error" for o in nb.cells[1].outputs), "the wrong answer passed"
    assert '"b".__eq__' in nb.cells[2].outputs[0]["text"], "the hook read the key"
