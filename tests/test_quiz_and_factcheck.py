"""Self-check quizzes (YAML, schema-checked) and fact-check boxes (from claims.csv)."""

from __future__ import annotations

import pandas as pd
import pytest

from course_helpers import factcheck, quiz
from course_helpers.data import DataError

GOOD = """chapter: demo
title: Check yourself
questions:
  - id: who-built
    objective: 1
    prompt: Who built the soviets of 1917?
    options:
      - text: Socialist activists
        correct: true
        explanation: Right; the essay stresses that they were organised.
      - text: Nobody; they arose by themselves
        explanation: The essay argues against this reading.
"""


@pytest.fixture
def quiz_folder(tmp_path):
    (tmp_path / "quizzes").mkdir()
    return tmp_path


def write(folder, text, name="demo"):
    (folder / "quizzes" / f"{name}.yml").write_text(text, encoding="utf-8")


def test_quiz_loads_and_marks(quiz_folder):
    write(quiz_folder, GOOD)
    q = quiz.load("demo", quiz_folder, shuffle=False)
    question = q.questions[0]
    assert question.answer == "a"
    assert question.mark("a") == (True, "Right; the essay stresses that they were organised.")
    assert question.mark("b") == (False, "The essay argues against this reading.")
    with pytest.raises(ValueError, match="has no option 'c'"):
        question.mark("c")


def test_quiz_html_is_an_accessible_form(quiz_folder):
    write(quiz_folder, GOOD)
    html = quiz.to_html(quiz.load("demo", quiz_folder, shuffle=False))
    assert (
        '<fieldset><legend><span class="course-q-num">Question 1.</span> Who built the soviets of 1917?</legend>'
        in html
    )
    assert '<input type="radio" id="quiz-demo-who-built-a" name="quiz-demo-who-built" value="a">' in html
    assert '<label for="quiz-demo-who-built-a">Socialist activists</label>' in html
    assert 'role="status" aria-live="polite"' in html
    assert '<p data-option="b" data-correct="false">The essay argues against this reading.</p>' in html
    assert "<noscript><details><summary>Show the answer</summary>" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("        correct: true\n", ""),
            "data/quizzes/demo.yml, question 'who-built': has 0 correct options; it needs exactly one",
        ),
        (
            GOOD.replace("        explanation: The essay argues against this reading.\n", ""),
            "data/quizzes/demo.yml, at questions/0/options/1: 'explanation' is a required property",
        ),
        (
            GOOD.replace("chapter: demo", "chapter: other"),
            "data/quizzes/demo.yml: says it is for chapter 'other', not 'demo'",
        ),
        ("chapter: [unclosed", "data/quizzes/demo.yml: is not readable YAML in UTF-8"),
        (
            GOOD.replace("    objective: 1\n", ""),
            "data/quizzes/demo.yml, at questions/0: 'objective' is a required property",
        ),
        (
            GOOD.replace("objective: 1", "objective: 0"),
            "data/quizzes/demo.yml, at questions/0/objective: 0 is less than the minimum of 1",
        ),
        (
            GOOD.replace("objective: 1", "objective: two"),
            "data/quizzes/demo.yml, at questions/0/objective: 'two' is not of type 'integer'",
        ),
    ],
    ids=[
        "no correct option",
        "option without explanation",
        "wrong chapter",
        "broken YAML",
        "no objective",
        "objective zero",
        "objective not a number",
    ],
)
def test_bad_quiz_files_are_named(quiz_folder, text, message):
    write(quiz_folder, text)
    with pytest.raises(DataError) as caught:
        quiz.load("demo", quiz_folder)
    assert str(caught.value).startswith(message)


def many_questions(n: int, options: int = 4) -> str:
    """A quiz whose right answer is always the first option in the file (the tell the shuffle removes)."""
    lines = ["chapter: demo", "questions:"]
    for i in range(n):
        lines += [f"  - id: q{i}", "    objective: 1", f"    prompt: Question number {i}?", "    options:"]
        for k in range(options):
            right = "\n        correct: true" if k == 0 else ""
            lines.append(f"      - text: option {k} of {i}{right}\n        explanation: why {k} of {i}.")
    return "\n".join(lines) + "\n"


def test_shuffle_is_deterministic_and_keeps_each_explanation_with_its_option(quiz_folder):
    write(quiz_folder, many_questions(12))
    first, again = quiz.load("demo", quiz_folder), quiz.load("demo", quiz_folder)
    assert first == again, "two builds must give the same page"
    kept = quiz.load("demo", quiz_folder, shuffle=False)
    assert {q.answer for q in kept.questions} == {"a"}
    assert [q.objective for q in first.questions] == [1] * 12
    for shuffled, original in zip(first.questions, kept.questions, strict=True):
        assert sorted((o.text, o.explanation, o.correct) for o in shuffled.options) == sorted(
            (o.text, o.explanation, o.correct) for o in original.options
        )
        right = next(o for o in shuffled.options if o.correct)
        assert right.explanation == right.text.replace("option", "why") + "."
    assert any(
        [o.text for o in s.options] != [o.text for o in k.options]
        for s, k in zip(first.questions, kept.questions, strict=True)
    ), "the wrong options are shuffled too"


@pytest.mark.parametrize("options", [2, 3, 4, 5])
def test_shuffle_spreads_right_answers_over_positions(quiz_folder, options):
    write(quiz_folder, many_questions(4 * options, options))
    positions = [q.answer for q in quiz.load("demo", quiz_folder).questions]
    assert sorted(positions) == sorted(quiz.LETTERS[:options] * 4), positions


def test_missing_quiz(quiz_folder):
    with pytest.raises(DataError, match="data/quizzes/nothing.yml: the file does not exist"):
        quiz.load("nothing", quiz_folder)


def test_factcheck_boxes(tiny_data, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tiny_data))
    boxes = factcheck.show("precision-of-terms")
    html = boxes._repr_html_()
    assert '<aside class="admonition warning course-factcheck" aria-label="Fact check: Contradicted">' in html
    assert "<strong>The essay:</strong> The essay calls Bordiga Roberto." in html
    assert '<a href="https://example.org/page">B. Writer (2020), <em>A Page</em></a>' in html
    assert repr(boxes).startswith(
        "== Bordiga ==\n\nFact check (contradicted): the essay: The essay calls Bordiga"
    )
    with pytest.raises(ValueError, match="has no claim for the section 'role-of-cadre'"):
        factcheck.show("role-of-cadre")


def test_factcheck_can_add_a_claim_from_another_section(tiny_data, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tiny_data))
    claims = tiny_data / "claims.csv"
    claims.write_text(
        claims.read_text(encoding="utf-8") + "dsa,introduction,,DSA grew.,It did.,confirmed,book\n",
        encoding="utf-8",
    )
    boxes = factcheck.show("introduction", also=["bordiga-name"])
    html = boxes._repr_html_()
    assert "DSA grew." in html
    assert "(in \u201cPrecision of Terms\u201d) The essay calls Bordiga Roberto." in html
    # the added claim keeps its own case; the section's claim with no case is under "Other claims"
    assert [g.case for g in boxes.groups] == ["Bordiga", "Other claims"]
    with pytest.raises(ValueError, match="no claim with id 'nothing'"):
        factcheck.show("introduction", also=["nothing"])


# A chapter's fact checks grouped by case: a tiny literal fixture, no data folder needed.
GROUPED_SOURCES = pd.DataFrame(
    [
        {
            "id": "s",
            "author": "A. Historian",
            "title": "A History",
            "publisher": "P",
            "year": "2001",
            "url": "",
            "pages": "p. 1",
        }
    ]
)


def grouped_claims(*rows):
    return pd.DataFrame(
        [
            dict(
                zip(["id", "section", "case", "claim", "finding", "verdict"], r, strict=True), source_ids="s"
            )
            for r in rows
        ]
    )


GROUPED = grouped_claims(
    ("a1", "role-of-cadre", "Alabama", "A one.", "Right.", "confirmed"),
    ("s1", "role-of-cadre", "Soviets", "S one.", "Wrong.", "contradicted"),
    ("a2", "role-of-cadre", "Alabama", "A two.", "Partly.", "qualified"),
    ("o1", "role-of-cadre", "", "O one.", "Right.", "confirmed"),
    ("a3", "role-of-cadre", "Alabama", "A three.", "Right.", "confirmed"),
    ("s2", "role-of-cadre", "Soviets", "S two.", "Right.", "confirmed"),
    ("x1", "introduction", "Elsewhere", "X one.", "Right.", "confirmed"),
)


def test_factchecks_grouped_by_case_in_the_chapters_order():
    boxes = factcheck.show("role-of-cadre", claims=GROUPED, sources=GROUPED_SOURCES)
    assert [g.case for g in boxes.groups] == ["Alabama", "Soviets", "Other claims"]
    html = boxes._repr_html_()
    assert html.index(">Alabama</h3>") < html.index(">Soviets</h3>") < html.index(">Other claims</h3>")
    assert "X one." not in html  # another section's claim stays out unless asked for
    # a group is a labelled section with a real heading
    assert '<section class="course-factcheck-case" aria-labelledby="factcheck-role-of-cadre-alabama">' in html
    assert '<h3 id="factcheck-role-of-cadre-alabama"' in html
    # corrections and qualifications in view, confirmations folded, counted in the summary
    alabama = html[html.index(">Alabama</h3>") : html.index(">Soviets</h3>")]
    details = alabama.index("<details")
    assert alabama.index("A two.") < details < alabama.index("A one.") and details < alabama.index("A three.")
    assert "<summary>2 more claims the sources confirm</summary>" in alabama
    soviets = html[html.index(">Soviets</h3>") : html.index(">Other claims</h3>")]
    assert "<summary>1 more claim the sources confirm</summary>" in soviets
    other = html[html.index(">Other claims</h3>") :]
    assert "<summary>1 claim the sources confirm</summary>" in other  # nothing above it: not "more"
    assert (
        "6 claims of the essay checked against the sources: 1 contradicted, 1 qualified, 4 confirmed" in html
    )


def test_factcheck_cases_argument_sets_the_order():
    boxes = factcheck.show("role-of-cadre", cases=["Soviets"], claims=GROUPED, sources=GROUPED_SOURCES)
    assert [g.case for g in boxes.groups] == ["Soviets", "Alabama", "Other claims"]
    with pytest.raises(ValueError, match="no claim of this chapter has the case 'Cuba'"):
        factcheck.show("role-of-cadre", cases=["Cuba"], claims=GROUPED, sources=GROUPED_SOURCES)


def test_factcheck_without_cases_is_one_group():
    plain = GROUPED.assign(case="")
    boxes = factcheck.show("role-of-cadre", claims=plain, sources=GROUPED_SOURCES)
    assert [g.case for g in boxes.groups] == ["Other claims"]
    assert repr(boxes).startswith("== Other claims ==")
