"""Fast checks of the grading package: specs, generated notebooks, plain answers, the checking pattern, partial
credit, rubrics and the nbgrader config.  Most run on the tiny specs of ``conftest.GRADING_SPECS``; a few check
the real specs and the committed notebooks and keys."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import determine_grade
from traitlets.config import Config

from course_helpers import answers
from course_helpers.grading import config, generate, kernel, kinds, spec
from course_helpers.grading.preprocessors import (
    CheckAnswers,
    RereadNotes,
    ShowRubrics,
    StripHiddenTests,
    reread_text,
)

ROOT = Path(__file__).resolve().parents[1]


def _hidden(source: str) -> str:
    return source.split(kinds.HIDDEN_BEGIN)[1].split(kinds.HIDDEN_END)[0]


@pytest.fixture
def fixture_assignments(grading_specs):
    return {a.slug: a for a in spec.load_all(grading_specs)}


# ------------------------------------------------------------------------------------------- the real specs


def test_the_real_specs_load_seven_readings_and_the_optional_data_lab():
    assignments = spec.load_all()
    slugs = [a.slug for a in assignments]
    assert slugs[: len(spec.SLUGS)] == list(spec.SLUGS)
    for a in assignments:
        if a.optional:
            continue
        assert len(a.written_items) >= 2, a.slug
        assert not [i for i in a.items if i.kind == "number"], a.slug
        for item in a.written_items:
            assert item.rubric["full"]["points"] == item.points and item.rubric["none"]["points"] == 0


def test_committed_notebooks_and_keys_are_reproducible_from_the_specs_and_data():
    files = generate.render()
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date with the specs or data/: run `python -m course_helpers.grading generate`"
        )


def test_specs_and_keys_stay_out_of_the_book():
    for path in list((ROOT / "chapters").rglob("*.md")) + [ROOT / "_toc.yml", ROOT / "_config.yml"]:
        text = path.read_text(encoding="utf-8")
        assert "course_helpers.grading" not in text and "answer_keys" not in text, path


def test_reread_headings_are_headings_of_their_chapter_page():
    """The feedback sends a member to a chapter section: it must exist, word for word."""
    missing = []
    for a in spec.load_all():
        page = ROOT / "chapters" / f"{a.chapter}.md"
        headings = {
            line.lstrip("#").strip()
            for line in page.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        }
        missing += [
            f"{a.slug} {i.id}: {i.reread['chapter']!r}"
            for i in a.items
            if i.reread["chapter"] not in headings
        ]
    assert not missing, "reread.chapter is not a heading of the chapter page:\n" + "\n".join(missing)


# ------------------------------------------------------------------------------------ the loader and the format


def test_fixture_specs_load_with_every_kind(fixture_assignments):
    reading, lab = fixture_assignments["role-of-cadre"], fixture_assignments["data-lab"]
    assert {i.kind for i in reading.items} == {"choice", "truefalse", "order", "match", "written"}
    assert reading.points == (7, 6) and not reading.optional
    assert lab.optional and [i.kind for i in lab.items] == ["number", "choice"]
    assert lab.items[0].solution.strip() == "answer_q1 = float(len(table.columns))"


BAD = {
    "unknown skill": ("skill: claim", "skill: vibes", "item 1 (scope-difference): skill must be one of"),
    "missing reread": (
        '    reread: {chapter: The argument in brief, essay: "The Role of Cadre, last paragraph"}\n  - id: direction',
        "  - id: direction",
        "item 1 (scope-difference): missing field 'reread'",
    ),
    "unquoted comma": (
        'essay: "The Role of Cadre, quoted passage"',
        "essay: The Role of Cadre, quoted passage",
        "item 2 (direction-verdict): reread has unexpected field(s) 'quoted passage'",
    ),
    "wrong answer letter": (
        "    answer: a\n    hint: The section's",
        "    answer: e\n    hint: The section's",
        "answer 'e'",
    ),
    "order misses a letter": (
        "answer: [a, b, c, d]",
        "answer: [a, b, c]",
        "item 3 (steps-in-order): answer must list",
    ),
    "rubric full points": (
        "full: {points: 4,",
        "full: {points: 3,",
        "item 5 (your-judgement): rubric level full gives 3",
    ),
    "rubric level missing": (
        "      none: {points: 0, criterion: Off the question., example: RUBRIC-EXAMPLE-NONE cadre are nice.}\n",
        "",
        "rubric must have exactly three levels",
    ),
    "one written item": (
        "  - id: what-is-lost\n    kind: written",
        "  - id: what-is-lost\n    kind: choice",
        "item 6",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_loader_errors_name_the_file_the_item_and_the_problem(grading_specs, case):
    old, new, expected = BAD[case]
    path = grading_specs / "role-of-cadre.yml"
    text = path.read_text()
    assert old in text, case
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(spec.SpecError) as err:
        spec.load("role-of-cadre", grading_specs)
    assert "specs/role-of-cadre.yml" in str(err.value) and expected in str(err.value), str(err.value)


def test_a_reading_assignment_needs_two_written_items_and_no_number_item(grading_specs):
    path = grading_specs / "role-of-cadre.yml"
    raw = yaml.safe_load(path.read_text())
    raw["items"] = [i for i in raw["items"] if i["id"] != "what-is-lost"]
    raw["items"].append(yaml.safe_load((grading_specs / "data-lab.yml").read_text())["items"][0])
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(spec.SpecError) as err:
        spec.load("role-of-cadre", grading_specs)
    assert "number items belong in the optional data-lab" in str(err.value)
    raw["items"].pop()
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(spec.SpecError, match="has 1 written items; it needs at least 2"):
        spec.load("role-of-cadre", grading_specs)


def test_shuffle_depends_on_seed_and_item_id_only_and_the_key_follows(grading_specs):
    raw = yaml.safe_load((grading_specs / "role-of-cadre.yml").read_text())
    by_id = {e["id"]: e for e in raw["items"]}
    for seed in (spec.DEFAULT_SEED, "circle-2", "circle-3"):
        a = spec.load("role-of-cadre", grading_specs, seed=seed)
        again = spec.load("role-of-cadre", grading_specs, seed=seed)
        assert [(i.options, i.answer) for i in a.items] == [(i.options, i.answer) for i in again.items]
        for item in a.auto_items:
            written = by_id[item.id]
            assert sorted(item.options.values()) == sorted(written["options"].values())
            if item.kind == "choice":
                assert item.options[item.answer] == written["options"][written["answer"]]
            if item.kind == "truefalse":
                assert item.options[item.answer["reason"]] == written["options"][written["answer"]["reason"]]
            if item.kind == "order":
                assert [item.options[x] for x in item.answer] == [
                    written["options"][x] for x in written["answer"]
                ]
            if item.kind == "match":
                assert {n: item.options[x] for n, x in item.answer.items()} == {
                    n: written["options"][x] for n, x in written["answer"].items()
                }
    orders = {
        seed: [
            list(i.options.values()) for i in spec.load("role-of-cadre", grading_specs, seed=seed).auto_items
        ]
        for seed in ("s1", "s2", "s3", "s4")
    }
    assert len({json.dumps(o) for o in orders.values()}) > 1, "the seed changes nothing"
    written_order = [list(by_id[i]["options"].values()) for i in ("steps-in-order", "who-holds-what")]
    shuffled = [list(i.options.values()) for i in spec.load("role-of-cadre", grading_specs).auto_items[2:4]]
    assert shuffled != written_order, "order and match options are not shuffled"


# ---------------------------------------------------------------------------------------- generated notebooks


def _python(source: str) -> str:
    """A cell as IPython runs it (cell magics become calls), so it can be parsed."""
    return TransformerManager().transform_cell(source)


def test_no_answer_key_enters_the_kernel(fixture_assignments):
    """Hidden tests may hold only the report prefix and the literals of the conversion, never a key."""
    allowed = {(str, kinds.REPORT_PREFIX), (str, ""), (float, 0.0)}
    for a in [*fixture_assignments.values(), *spec.load_all()]:
        nb = generate.notebook(a)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
        assert len(tests) == len(a.auto_items)
        for cell in tests:
            tree = ast.parse(_hidden(cell.source))
            constants = {(type(n.value), n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
            assert constants <= allowed, (a.slug, cell.metadata.nbgrader.grade_id, constants - allowed)
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            assert names <= {i.variable for i in a.auto_items}, f"hidden test uses a rebindable name: {names}"


def test_generated_cells_run_as_python_answers_are_plain_and_headings_carry_points(fixture_assignments):
    for a in [*fixture_assignments.values(), *spec.load_all()]:
        nb = generate.notebook(a)
        for cell in nb.cells:
            if cell.cell_type == "code":
                ast.parse(_python(cell.source))
                last = ast.parse(_python(cell.source.split(kinds.HIDDEN_BEGIN)[0])).body
                assert (
                    not last or not isinstance(last[-1], ast.Expr) or isinstance(last[-1].value, ast.Call)
                ), "a visible check must end in no value (nbgrader would read a number as a score)"
        answer_cells = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells if c.id.endswith("-answer")}
        for item in a.auto_items:
            if item.kind in kinds.PLAIN_KINDS:
                assert answer_cells[item.answer_id].startswith(
                    f"%%answer {item.number}\n{kinds.SOLUTION_BEGIN}"
                )
        questions = [c.source for c in nb.cells if c.cell_type == "markdown" and c.id.endswith("-question")]
        for item, text in zip(a.items, questions, strict=True):
            assert text.startswith(f"### Question {item.number}:") and f"({item.points} point" in text
            assert "**How to answer:**" in text
            assert "answer_q" not in text or item.kind == "number", "instructions ask for Python"


def test_instruction_examples_never_show_the_key(fixture_assignments):
    for a in [*fixture_assignments.values(), *spec.load_all()]:
        for item in a.auto_items:
            if item.kind in ("order", "match"):
                question = kinds.cells(item)[0]["source"]
                assert f"`{kinds._typed(item)}`" not in question, item.grade_id


def test_the_rubric_section_of_the_guide_shows_levels_and_examples(fixture_assignments):
    text = generate.rubrics(list(fixture_assignments.values()))
    for level in ("Full (4 points)", "Partial (2 points)", "None (0 points)", "RUBRIC-EXAMPLE-PARTIAL"):
        assert level in text
    assert "FIXTURE-MODEL-ANSWER" not in text or True  # the model answer may be shown to facilitators


def test_reread_links_point_at_the_sections_anchor():
    assert generate.reread_link("role-of-cadre", "The argument in brief", site="https://x.org/book/") == (
        "https://x.org/book/chapters/role-of-cadre.html#the-argument-in-brief"
    )
    assert generate.reread_link("role-of-cadre", "Context", site="") == ""


# ----------------------------------------------------------------------------------------- plain answers

READS = [
    ("choice", "b", "abcd", 0, "b"),
    ("choice", " B. ", "abcd", 0, "b"),
    ("choice", "(c)", "abcd", 0, "c"),
    ("choice", "# Type your answer below\nd", "abcd", 0, "d"),
    ("truefalse", "false a", "abc", 0, ("false", "a")),
    ("truefalse", "False, (A).", "abc", 0, ("false", "a")),
    ("truefalse", "TRUE c", "abc", 0, ("true", "c")),
    ("truefalse", "t b", "abc", 0, ("true", "b")),
    ("order", "c a d b", "abcd", 0, ["c", "a", "d", "b"]),
    ("order", "C, A, D, B.", "abcd", 0, ["c", "a", "d", "b"]),
    ("order", "cadb", "abcd", 0, ["c", "a", "d", "b"]),
    ("order", "c-a-d-b", "abcd", 0, ["c", "a", "d", "b"]),
    ("match", "1b 2d 3a 4c", "abcd", 4, {1: "b", 2: "d", 3: "a", 4: "c"}),
    ("match", "1-b, 2-d, 3-a, 4-c.", "abcd", 4, {1: "b", 2: "d", 3: "a", 4: "c"}),
    ("match", "1 b\n2 d\n3 a\n4 c", "abcd", 4, {1: "b", 2: "d", 3: "a", 4: "c"}),
    ("match", "4C 3A 2D 1B", "abcd", 4, {1: "b", 2: "d", 3: "a", 4: "c"}),
    ("match", "1: b; 2: d; 3) a; 4=c", "abcd", 4, {1: "b", 2: "d", 3: "a", 4: "c"}),
]


@pytest.mark.parametrize(("kind", "text", "letters", "terms", "value"), READS)
def test_answers_are_read_leniently(kind, text, letters, terms, value):
    assert answers.read(kind, text, letters, terms) == value


MALFORMED = [
    ("choice", "", "abcd", 0),
    ("choice", "# Type your answer on a new line below this one", "abcd", 0),
    ("choice", "a b c d", "abcd", 0),
    ("choice", "e", "abcd", 0),
    ("choice", "answer b", "abcd", 0),
    ("truefalse", "false", "abc", 0),
    ("truefalse", "a", "abc", 0),
    ("truefalse", "true false a", "abc", 0),
    ("truefalse", "maybe a", "abc", 0),
    ("order", "c a d", "abcd", 0),
    ("order", "c a d d", "abcd", 0),
    ("order", "c a d b e", "abcd", 0),
    ("match", "1b 2d 3a", "abcd", 4),
    ("match", "1b 1d 3a 4c", "abcd", 4),
    ("match", "1b 2b 3a 4c", "abcd", 4),
    ("match", "1b 2d 3a 4c 5e", "abcd", 4),
    ("match", "b d a c", "abcd", 4),
    ("match", "1a 1b 1c 1d 2a 2b 2c 2d 3a 3b 3c 3d 4a 4b 4c 4d", "abcd", 4),
]


@pytest.mark.parametrize(("kind", "text", "letters", "terms"), MALFORMED)
def test_malformed_answers_say_what_was_expected_in_one_line(kind, text, letters, terms):
    with pytest.raises(answers.AnswerProblem) as err:
        answers.read(kind, text, letters, terms)
    lines = err.value._render_traceback_()
    assert len(lines) == 1 and "\n" not in lines[0] and lines[0]


def test_the_magic_stores_the_typed_text_and_the_check_speaks_one_line(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    answers.register()
    shell.run_cell("%%answer 3\nC, A, D, B.")
    assert shell.user_ns["answer_q3"] == "C, A, D, B.\n" and type(shell.user_ns["answer_q3"]) is str
    assert "Saved your answer to question 3: C, A, D, B." in capsys.readouterr().out
    ok = (
        shell.run_cell('check(3, "order", "abcd")', store_history=False) if "check" in shell.user_ns else None
    )
    assert ok is None or ok.success
    answers.check(3, "order", "abcd")
    assert "the form is right" in capsys.readouterr().out
    shell.run_cell("%%answer 3\nc a d")
    with pytest.raises(answers.AnswerProblem, match="Question 3: type the 4 letters a b c d"):
        answers.check(3, "order", "abcd")
    with pytest.raises(answers.AnswerProblem, match="Question 9: no answer yet"):
        answers.check(9, "choice", "abcd")
    shell.run_cell("%%answer 4\n# Type your answer on a new line below this one")
    with pytest.raises(answers.AnswerProblem, match="Question 4: no answer yet"):
        answers.check(4, "choice", "abcd")
    import numpy

    shell.user_ns["answer_q6"] = numpy.float64(2.5)  # what pandas gives a data-lab answer
    answers.check(6, "number")
    shell.user_ns["answer_q6"] = "2.5"
    with pytest.raises(answers.AnswerProblem, match="must hold a number"):
        answers.check(6, "number")
    shell.user_ns["answer_q5"] = ["b"]
    with pytest.raises(answers.AnswerProblem, match="not as Python"):
        answers.check(5, "choice", "abcd")
    shell.run_cell("from course_helpers.answers import check")
    result = shell.run_cell('check(4, "choice", "abcd")')
    assert isinstance(result.error_in_exec, answers.AnswerProblem)
    shown = capsys.readouterr().out
    assert "Question 4 has no answer yet" in shown and "Traceback" not in shown and "File " not in shown


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
    try:
        reported = eval('"".join(["", value])', namespace)  # noqa: S307 - literal fixtures
    except TypeError:
        return  # not a str: the item earns nothing
    assert "b" not in reported, (case, reported)


def _key(kind, answer, points=1, letters="abcd", terms=0):
    return {"kind": kind, "answer": answer, "points": points, "letters": letters, "terms": terms, "hint": ""}


def test_marking_is_lenient_about_form_and_strict_about_content():
    assert kinds.mark(_key("choice", "b"), " B. ")
    assert not kinds.mark(_key("choice", "b"), "c") and not kinds.mark(_key("choice", "b"), "b c")
    tf = _key("truefalse", {"verdict": False, "reason": "a"}, letters="abc")
    assert kinds.mark(tf, "False, a") and not kinds.mark(tf, "true a") and not kinds.mark(tf, "false b")
    num = {"kind": "number", "answer": 10.7, "tolerance": 0.05, "points": 2}
    assert kinds.mark(num, "10.7") and kinds.mark(num, "10.72") and not kinds.mark(num, "10.8")
    assert not kinds.mark(num, "nan") and not kinds.mark(num, "inf") and not kinds.mark(num, "ten")


def test_partial_credit_for_order_counts_neighbouring_pairs_in_the_right_order():
    key = _key("order", ["c", "a", "d", "b"], points=2)
    assert kinds.score(key, "c a d b").points == 2
    swapped = kinds.score(key, "a c d b")  # (d, b) kept: 1 of 3
    assert swapped.points == 0.67 and swapped.detail == "1 of 3 pairs in the right order"
    assert kinds.score(key, "c a b d").points == 0.67  # only (c, a) kept
    assert kinds.score(key, "b d a c").points == 0  # reversed: every pair the wrong way round
    assert kinds.score(key, "d b c a").points == 1.33  # (d, b) and (c, a) kept, in order
    assert kinds.score(key, "c a d").read is False


def test_partial_credit_for_match_counts_right_pairs():
    key = _key("match", {"1": "b", "2": "d", "3": "a", "4": "c"}, points=2, terms=4)
    assert kinds.score(key, "1b 2d 3a 4c").points == 2
    three = kinds.score(key, "1b 2d 3c 4a")
    assert three.points == 1.0 and three.detail == "2 of 4 pairs right"
    assert kinds.score(key, "1b 2d 3a 4a").read is False  # a letter twice is not a matching
    assert kinds.score(key, "1a 2b 3c 4d").points == 0


def test_reports_are_read_only_from_plain_strings_with_the_prefix():
    assert kinds.parse_report(repr(kinds.REPORT_PREFIX + "b")) == "b"
    assert kinds.parse_report("'b'") is None
    assert kinds.parse_report("13") is None
    assert kinds.parse_report("__import__('os')") is None
    assert kinds.parse_report(repr(kinds.REPORT_PREFIX + "x" * 5000)) is None


def _test_cell(grade_id: str, outputs: list, points=1) -> NotebookNode:
    return nbformat.from_dict(
        {
            "cell_type": "code",
            "source": "",
            "execution_count": 1,
            "outputs": outputs,
            "metadata": {
                "nbgrader": {"grade": True, "solution": False, "grade_id": grade_id, "points": points}
            },
        }
    )


def _result(text: str) -> dict:
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": text},
    }


REREAD = {
    "chapter": "The argument in brief",
    "essay": "The Role of Cadre, last paragraph",
    "title": "The role of cadre",
}


@pytest.fixture
def checker(tmp_path):
    keys = tmp_path / "keys.json"
    entries = {
        "q01-x": {**_key("choice", "b"), "hint": "see p. 1", "reread": REREAD},
        "q02-o": {**_key("order", ["c", "a", "d", "b"], points=2), "hint": "the steps", "reread": REREAD},
        "q03-m": {**_key("match", {"1": "b", "2": "d", "3": "a", "4": "c"}, 2, terms=4), "reread": REREAD},
    }
    keys.write_text(json.dumps({"a1": entries}))
    check = CheckAnswers(keys_file=str(keys))

    def verdict(outputs, grade_id="q01-x", points=1):
        nb = nbformat.v4.new_notebook()
        nb.cells = [_test_cell(grade_id, outputs, points)]
        nb, _ = check.preprocess(nb, {"nbgrader": {"assignment": "a1"}})
        return nb.cells[0]

    return verdict


def _report(text):
    return [_result(repr(kinds.REPORT_PREFIX + text))]


def test_check_answers_replaces_outputs_with_a_verdict(checker):
    right = checker(_report("B."))
    assert right.outputs[0]["output_type"] == "stream" and "Correct" in right.outputs[0]["text"]
    assert determine_grade(right) == (1, 1)
    wrong = checker(_report("c"))
    text = wrong.outputs[0]["evalue"]
    assert wrong.outputs[0]["output_type"] == "error" and "see p. 1" in text and "you answered c" in text
    assert '"The argument in brief"' in text and "The Role of Cadre, last paragraph" in text
    assert determine_grade(wrong) == (0, 1)
    assert checker(_report("a") + _report("b")).outputs[0]["output_type"] == "error"
    assert checker([_result("1.0")]).outputs[0]["output_type"] == "error"  # a number is not a report
    assert checker([]).outputs[0]["output_type"] == "error"
    unread = checker(_report("b c")).outputs[0]
    assert unread["ename"] == "NotAnswered" and "could not be read" in unread["evalue"]


def test_partial_credit_goes_through_nbgrader_and_says_how_many_pairs(checker):
    cell = checker(_report("d b c a"), "q02-o", 2)
    assert determine_grade(cell) == (1.33, 2)
    text = cell.outputs[0]["text"]
    assert "2 of 3 pairs in the right order: 1.33 of 2 points" in text and "Reread" in text
    assert "c a d b" not in text, "the feedback shows the key"
    cell = checker(_report("1b 2d 3c 4a"), "q03-m", 2)
    assert (
        determine_grade(cell) == (1.0, 2) and "2 of 4 pairs right: 1 of 2 points" in cell.outputs[0]["text"]
    )
    zero = checker(_report("b d a c"), "q02-o", 2)
    assert determine_grade(zero) == (0, 2) and "0 of 3 pairs" in zero.outputs[0]["evalue"]


def test_reread_text_names_section_passage_and_link():
    text = reread_text({"reread": {**REREAD, "link": "https://x.org/c.html#a"}})
    assert '"The argument in brief" in the chapter "The role of cadre"' in text
    assert "https://x.org/c.html#a" in text and "last paragraph" in text
    assert reread_text({}) == ""


def _written(grade_id="q05-your-judgement", score=None):
    cell = nbformat.v4.new_markdown_cell("My answer.")
    cell.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": grade_id, "points": 4}
    if score is not None:
        cell.metadata["nbgrader"]["score"] = score
    return cell


def test_rubrics_show_in_the_autograded_copy_and_never_in_feedback(tmp_path, fixture_assignments):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(generate.keys(list(fixture_assignments.values()))))
    resources = {"nbgrader": {"assignment": "role-of-cadre"}}
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("question"), _written()]
    nb, _ = ShowRubrics(keys_file=str(keys)).preprocess(nb, resources)
    nb, _ = ShowRubrics(keys_file=str(keys)).preprocess(nb, resources)  # graded twice: still one rubric
    rubric = [c for c in nb.cells if c.metadata.get(kinds.RUBRIC_MARK)]
    assert len(rubric) == 1 and nb.cells[-1] is rubric[0]
    for text in ("Full (4 points)", "Partial (2 points)", "None (0 points)", "RUBRIC-EXAMPLE-FULL"):
        assert text in rubric[0].source
    assert rubric[0].metadata["editable"] is False and "nbgrader" not in rubric[0].metadata
    nb.cells[1].metadata["nbgrader"]["score"] = 2
    nb, _ = StripHiddenTests().preprocess(nb, {})
    nb, _ = RereadNotes(keys_file=str(keys)).preprocess(nb, resources)
    text = json.dumps(nb)
    assert "RUBRIC-EXAMPLE" not in text and "Rubric for the facilitator" not in text
    assert "To strengthen this answer" in nb.cells[-1].source and "last paragraph" in nb.cells[-1].source


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
    assert (
        StripHiddenTests in c.GenerateFeedback.preprocessors
        and RereadNotes in c.GenerateFeedback.preprocessors
    )
    steps = c.Autograde.autograde_preprocessors
    names = [s.__name__ for s in steps]
    assert steps.index(CheckAnswers) < steps.index(ShowRubrics) < names.index("SaveAutoGrades")
    stub = c.ClearSolutions.code_stub["python"]
    assert all(line.startswith("#") for line in stub.splitlines()), "a blank answer must read as 'no answer'"
    assert answers.content(stub) == ""


def test_kernel_seam_defaults_to_jupyters_kernel_manager(monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    monkeypatch.setenv("COURSE_GRADING_SANDBOX", "0")
    assert kernel.kernel_manager_class() is AsyncKernelManager
    assert kernel.sandbox_status()[0] is False


def test_the_guides_points_table_matches_the_specs():
    """The facilitator's table of points says what the assignments really give (it is read, not generated)."""
    text = (generate.ROOT / "facilitator" / "grading.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m in re.finditer(
            r"^\| `([a-z-]+)`[^|]*\|[^|]*\| (\d+) points \| (\d+) points? \| (\d+) \|$", text, re.M
        )
    }
    want = {a.slug: (*a.points, sum(a.points)) for a in spec.load_all()}
    assert rows == want
