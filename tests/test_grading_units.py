"""Fast checks of the grading package: specs, generated notebooks, the checking pattern and the nbgrader config."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from course_helpers.grading import config, generate, kernel, kinds, spec
from course_helpers.grading.preprocessors import CheckAnswers, StripHiddenTests

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = spec.load_all()


def _hidden(source: str) -> str:
    return source.split(kinds.HIDDEN_BEGIN)[1].split(kinds.HIDDEN_END)[0]


def test_seven_assignments_one_per_chapter_with_the_required_items():
    assert [a.slug for a in ASSIGNMENTS] == list(spec.SLUGS)
    for a in ASSIGNMENTS:
        assert 8 <= len(a.auto_items) <= 12, a.slug
        assert 1 <= len(a.written_items) <= 2, a.slug
        assert {i.kind for i in a.auto_items} == set(spec.AUTO_KINDS), a.slug
        for item in a.written_items:
            assert item.rubric and sum(r["points"] for r in item.rubric) == item.points


def test_committed_notebooks_and_keys_are_reproducible_from_the_specs_and_data():
    files = generate.render()
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date with the specs or data/: run `python -m course_helpers.grading generate`"
        )


def test_no_answer_key_enters_the_kernel():
    """Hidden tests may hold only the report prefix and the literals of the conversion, never a key."""
    allowed = {
        (str, kinds.REPORT_PREFIX),
        (str, ""),
        (str, "|"),
        (str, "="),
        (int, 0),
        (float, 0.0),
        (bool, True),
    }
    for a in ASSIGNMENTS:
        nb = generate.notebook(a)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
        assert len(tests) == len(a.auto_items)
        for cell in tests:
            constants = {
                (type(n.value), n.value)
                for n in ast.walk(ast.parse(_hidden(cell.source)))
                if isinstance(n, ast.Constant)
            }
            assert constants <= allowed, (a.slug, cell.metadata.nbgrader.grade_id, constants - allowed)
            names = {n.id for n in ast.walk(ast.parse(_hidden(cell.source))) if isinstance(n, ast.Name)}
            answer_vars = {v for i in a.auto_items for v in i.variables}
            assert names <= answer_vars | {"k", "v"}, (
                f"hidden test uses a name a submission could rebind: {names}"
            )


def test_every_generated_code_cell_is_valid_python_and_headings_carry_points():
    for a in ASSIGNMENTS:
        nb = generate.notebook(a)
        for cell in nb.cells:
            if cell.cell_type == "code":
                ast.parse(cell.source)
        questions = [c.source for c in nb.cells if c.cell_type == "markdown" and c.id.endswith("-question")]
        for item, text in zip(a.items, questions, strict=True):
            assert text.startswith(f"### Question {item.number}:") and f"({item.points} point" in text
            assert "**How to answer:**" in text


def test_graded_questions_differ_from_the_books_self_checks():
    quizzes = {}
    for path in (ROOT / "data" / "quizzes").glob("*.yml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        quizzes[raw["chapter"]] = {" ".join(q["prompt"].split()).lower() for q in raw["questions"]}
    for a in ASSIGNMENTS:
        asked = {" ".join(i.prompt.split()).lower() for i in a.items}
        assert not asked & quizzes.get(a.slug, set()), f"{a.slug} reuses a self-check question"


def test_specs_and_keys_stay_out_of_the_book():
    for path in list((ROOT / "chapters").rglob("*.md")) + [ROOT / "_toc.yml", ROOT / "_config.yml"]:
        text = path.read_text(encoding="utf-8")
        assert "course_helpers.grading" not in text and "answer_keys" not in text, path


# ---------------------------------------------------------------------------------------- the checking pattern

LIARS = {
    "eq": "class Liar:\n    def __eq__(s, o): return True\n    def __iter__(s): return iter('abcd')\n"
    "    def __float__(s): return 0.0\nvalue = Liar()",
    "str": "class S(str):\n    def __eq__(s, o): return True\n    def __iter__(s): return iter('b')\nvalue = S('z')",
    "list": "class L(list):\n    def __iter__(s): return iter(['b', 'a'])\nvalue = L(['z', 'y'])",
}


@pytest.mark.parametrize("case", sorted(LIARS))
def test_reports_read_real_values_not_what_an_object_claims(case):
    namespace: dict = {}
    exec(LIARS[case], namespace)  # noqa: S102 - literal fixtures
    expressions = {"choice": '"".join(["", value])', "order": '"|".join([].__class__.__iter__(value))'}
    for kind, expr in expressions.items():
        try:
            reported = eval(expr, namespace)  # noqa: S307 - literal fixtures
        except TypeError:
            continue  # not a str (or list): the item earns nothing
        assert "b" not in reported, (case, kind, reported)


def test_marking_is_lenient_about_form_and_strict_about_content():
    assert kinds.mark({"kind": "choice", "answer": "b"}, " B ")
    assert not kinds.mark({"kind": "choice", "answer": "b"}, "c")
    tf = {"kind": "truefalse", "answer": {"verdict": False, "reason": "a"}}
    assert kinds.mark(tf, "False|a") and not kinds.mark(tf, "True|a") and not kinds.mark(tf, "False|b")
    order = {"kind": "order", "answer": ["b", "a", "c"]}
    assert kinds.mark(order, "b|A| c") and not kinds.mark(order, "a|b|c") and not kinds.mark(order, "b|a")
    match = {"kind": "match", "answer": {"1": "c", "2": "a"}}
    assert (
        kinds.mark(match, "2=a|1=C") and not kinds.mark(match, "1=a|2=c") and not kinds.mark(match, "1=c|1=c")
    )
    num = {"kind": "number", "answer": 10.7, "tolerance": 0.05}
    assert kinds.mark(num, "10.7") and kinds.mark(num, "10.72") and not kinds.mark(num, "10.8")
    assert not kinds.mark(num, "nan") and not kinds.mark(num, "inf") and not kinds.mark(num, "ten")


def test_reports_are_read_only_from_plain_strings_with_the_prefix():
    assert kinds.parse_report(repr(kinds.REPORT_PREFIX + "b")) == "b"
    assert kinds.parse_report("'b'") is None
    assert kinds.parse_report("13") is None
    assert kinds.parse_report("__import__('os')") is None
    assert kinds.parse_report(repr(kinds.REPORT_PREFIX + "x" * 5000)) is None


def _test_cell(grade_id: str, outputs: list) -> NotebookNode:
    return nbformat.from_dict(
        {
            "cell_type": "code",
            "source": "",
            "execution_count": 1,
            "outputs": outputs,
            "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": grade_id, "points": 1}},
        }
    )


def _result(text: str) -> dict:
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": text},
    }


def test_check_answers_replaces_outputs_with_a_verdict(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(
        json.dumps({"a1": {"q01-x": {"kind": "choice", "points": 1, "answer": "b", "hint": "see p. 1"}}})
    )
    checker = CheckAnswers(keys_file=str(keys))
    resources = {"nbgrader": {"assignment": "a1"}}

    def verdict(outputs):
        nb = nbformat.v4.new_notebook()
        nb.cells = [_test_cell("q01-x", outputs)]
        nb, _ = checker.preprocess(nb, resources)
        return nb.cells[0].outputs

    right = verdict([_result(repr(kinds.REPORT_PREFIX + "b"))])
    assert right[0]["output_type"] == "stream" and "Correct" in right[0]["text"]
    wrong = verdict([_result(repr(kinds.REPORT_PREFIX + "c"))])
    assert (
        wrong[0]["output_type"] == "error"
        and "see p. 1" in wrong[0]["evalue"]
        and "'b'" not in wrong[0]["evalue"]
    )
    two = verdict([_result(repr(kinds.REPORT_PREFIX + "a")), _result(repr(kinds.REPORT_PREFIX + "b"))])
    assert two[0]["output_type"] == "error"
    partial_credit_trick = verdict([_result("1.0")])
    assert partial_credit_trick[0]["output_type"] == "error"
    assert verdict([])[0]["output_type"] == "error"


def test_feedback_strips_hidden_tests():
    cell = nbformat.v4.new_code_cell(f"assert x\n{kinds.HIDDEN_BEGIN}\nsecret()\n{kinds.HIDDEN_END}")
    cell.outputs = [
        nbformat.v4.new_output(
            "error", ename="E", evalue="v", traceback=[f"line {kinds.HIDDEN_BEGIN}", "secret()"]
        )
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    nb, _ = StripHiddenTests().preprocess(nb, {})
    assert "secret" not in json.dumps(nb)


def test_nbgrader_configuration():
    c = Config()
    config.configure(c)
    assert c.OverwriteCells.add_missing_cells is True
    assert (
        c.SafeExecute.timeout == config.CELL_TIMEOUT
        and c.SafeExecute.notebook_timeout == config.NOTEBOOK_TIMEOUT
    )
    assert c.SafeExecute.max_output_bytes > 0 and c.LimitOutput.max_lines > 0
    assert StripHiddenTests in c.GenerateFeedback.preprocessors
    steps = c.Autograde.autograde_preprocessors
    assert steps.index(CheckAnswers) < [s.__name__ for s in steps].index("SaveAutoGrades")


def test_kernel_seam_defaults_to_jupyters_kernel_manager(monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    monkeypatch.setenv("COURSE_GRADING_SANDBOX", "0")
    assert kernel.kernel_manager_class() is AsyncKernelManager
    assert kernel.sandbox_status()[0] is False
