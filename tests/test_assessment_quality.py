"""What the graded assignments and the self-checks measure (issue 11; specs/FORMAT.md, "Rules a test checks").

Each rule is tested twice: on tiny literal fixtures (so the metric itself can fail) and on the course's files
(each test prints its figure and fails over the limit).  The overlap rule is also run on the files as they were
when issue 11 was filed, to show it catches the six overlaps the issue names.
"""

from __future__ import annotations

import math
import subprocess
from collections import Counter
from fractions import Fraction

import pytest
import yaml
from conftest import ROOT

from course_helpers.grading import quality as q

READ_ERRORS: list[str] = []


def readable(read, name: str) -> dict:
    """The file's YAML, or {} with the error kept for test_the_files_are_readable (so that one file broken
    while it is being edited fails its own tests, not the collection of this module)."""
    try:
        return read(name)
    except ValueError as exc:
        READ_ERRORS.append(str(exc))
        return {}


SPECS = {slug: readable(q.read_spec, slug) for slug in q.READING}
QUIZZES = {chapter: readable(q.read_quiz, chapter) for chapter in q.SELF_CHECKS}
PAGES = {chapter: q.read_chapter(chapter) for chapter in q.SELF_CHECKS}
DATA_LAB = readable(q.read_spec, q.DATA_LAB)


def item(**fields) -> dict:
    base = {"id": "x", "kind": "choice", "skill": "claim", "objective": 1, "points": 1}
    return {**base, **fields}


def written(points: int = 4, **fields) -> dict:
    return item(kind="written", skill="evaluate", points=points, **fields)


# ---------------------------------------------------------------------------------------------------------------
# The metrics, on tiny literal fixtures


def test_shares_count_written_argument_and_recall_points():
    spec = {
        "items": [
            item(id="a", points=2),
            item(id="b", skill="recall"),
            item(id="c", skill="recall"),
            item(id="d", kind="truefalse", skill="chronology", answer={"verdict": True, "reason": "a"}),
            written(id="e", points=3),
        ]
    }
    s = q.shares(spec)
    assert (s.total, s.written_points, s.written_items, s.auto_points, s.argument_points) == (8, 3, 1, 5, 2)
    assert (s.recall_items, s.true_verdicts, s.truefalse_items) == (2, 1, 1)
    assert s.problems() == [
        "1 written items (at least 2)",
        "written points 38% of the total (at least 40%)",
        "argument skills carry 40% of the automatic points (at least 60%)",
        "2 recall items (at most 1)",
    ]
    good = {"items": [item(id="a", points=3), item(id="b", skill="recall"), written(id="c"), written(id="d")]}
    assert q.shares(good).problems() == [], "8 of 12 points written, 3 of 4 automatic points on the argument"


def test_exactly_forty_percent_written_passes_and_less_fails():
    at_limit = q.shares({"items": [item(points=3), written(points=1), written(points=1)]})
    assert at_limit.written_share == 0.4 and at_limit.problems() == []
    below = q.shares({"items": [item(points=4), written(points=1), written(points=1)]})
    assert below.problems() == ["written points 33% of the total (at least 40%)"]


PAGE = """---
jupytext: {}
---
(chap)=
# The role of cadre

## Learning objectives

1. **Explain** what the essay means by {term}`cadre`.
2. **Compare** a {term}`centre <Organisational centre>` with an area.
3. **Evaluate** the Alabama example.

## The argument in brief

### One plan, local adaptation: the Alabama example

```{code-cell} ipython3
## not a heading: a comment in code
```
"""


def test_chapter_page_headings_and_objectives():
    page = q.parse_chapter(PAGE)
    assert page.objectives == 3
    assert "One plan, local adaptation: the Alabama example" in page.headings
    assert "The argument in brief" in page.headings
    assert "not a heading: a comment in code" not in page.headings
    assert q.plain_heading("What {term}`cadre` means, and [why](x.md) *it* matters") == (
        "What cadre means, and why it matters"
    )


def test_item_problems_name_every_missing_or_wrong_field():
    page = q.parse_chapter(PAGE)
    good = item(reread={"chapter": "The argument in brief", "essay": "The Role of Cadre, paragraph 3"})
    assert q.item_problems({"items": [good]}, page) == []
    bad = {
        "items": [
            {
                "id": "y",
                "kind": "choice",
                "skill": "memory",
                "objective": 4,
                "reread": {"chapter": "Context"},
            },
            {"id": "z", "kind": "choice", "skill": "claim", "objective": True},
        ]
    }
    assert q.item_problems(bad, page) == [
        "item 1 (y): skill 'memory' is not one of application, assumption, chronology, claim, evaluate, "
        "evidence, reason, recall, reply",
        "item 1 (y): objective 4 is not one of the page's 1..3",
        "item 1 (y): reread.chapter 'Context' is not a heading of the chapter page",
        "item 1 (y): no reread.essay",
        "item 2 (z): objective True is not one of the page's 1..3",
        "item 2 (z): no reread.chapter",
        "item 2 (z): no reread.essay",
    ]


def test_longest_is_right_means_strictly_longest():
    assert q.longest_is_right(["short", "the longest one", "medium one"], 1)
    assert not q.longest_is_right(["same size", "same size"], 0), "a tie is no tell"
    assert not q.longest_is_right(["a long wrong option", "short right"], 1)
    specs = {"s": {"items": [item(options={"a": "x", "b": "a much longer one"}, answer="b")]}}
    quizzes = {
        "c": {"questions": [{"id": "k", "options": [{"text": "right", "correct": True}, {"text": "wrong!"}]}]}
    }
    items = q.choice_items(specs, quizzes)
    assert [(i.where, i.right) for i in items] == [("s/x", 1), ("quiz c/k", 0)]
    assert q.longest_right(items) == ["s/x"]


def test_true_verdicts_are_counted_per_assignment():
    tf = {"kind": "truefalse"}
    specs = {
        "one": {"items": [{**tf, "answer": {"verdict": True}}, {**tf, "answer": {"verdict": False}}]},
        "two": {"items": [{**tf, "answer": {"verdict": "true"}}, {**tf, "answer": {"verdict": True}}]},
    }
    assert q.true_verdicts(specs) == {"one": 1, "two": 1}, "only a YAML boolean true counts"


GIVEAWAY = {
    "kind": "match",
    "terms": {1: "Cadre", 2: "Organisational centre", 3: "Area of the party", 4: "Local chapter"},
    "options": {
        "a": "Diffuse groups in an area of the party, each with its own programme.",
        "b": "A local chapter that adapts the common plan.",
        "c": "Dedicated organisers, the cadre, who give their lives to the work.",
        "d": "The body the groups answer to.",
    },
    "answer": {1: "c", 2: "d", 3: "a", 4: "b"},
}
SOUND = {
    **GIVEAWAY,
    "options": {
        "a": "Loose groups that each set their own programme.",
        "b": "Adapts one agreed plan to what members meet where they live.",
        "c": "Organisers who give much of their lives to the work.",
        "d": "The body the groups answer to.",
    },
}


def test_shared_word_reader_solves_a_giveaway_match_but_not_a_sound_one():
    assert q.shared_word_guess(GIVEAWAY["terms"], GIVEAWAY["options"]) == {
        "1": "c",
        "2": None,
        "3": "a",
        "4": "b",
    }
    assert q.match_pairs_by_words(GIVEAWAY) == 3
    assert q.match_pairs_by_words(SOUND) == 0


def quiz_with(questions: int, options: int) -> dict:
    return {
        "questions": [
            {
                "id": f"q{n}",
                "options": [
                    {"text": f"o{k}", "correct": k == 0, "explanation": "..."} for k in range(options)
                ],
            }
            for n in range(questions)
        ]
    }


def test_quiz_positions_follow_the_build_shuffle():
    positions = q.quiz_positions({"demo": quiz_with(8, 4)})
    assert positions == Counter({"a": 2, "b": 2, "c": 2, "d": 2})
    two = q.quiz_positions({"demo": quiz_with(6, 2), "other": quiz_with(3, 3)})
    assert sum(two.values()) == 9 and max(two.values()) <= 4
    broken = {"questions": [{"id": "q", "options": [{"text": "x"}, {"text": "y"}]}]}
    assert q.quiz_positions({"demo": broken}) == Counter(), "no right option: left out, not a crash"


@pytest.mark.parametrize(
    ("graded", "check", "why"),
    [
        (("What was Bordiga's first name?", "Amadeo"), ("Name the Italian communist.", "Amadeo."), "answer"),
        (
            ("Which question sits at the heart of the US left's choice?", "x"),
            ("Which question sits at the heart of the US left's choice?", "y"),
            "question",
        ),
        (
            (
                "Which tension in CounterPower's position does the section examine?",
                "Belief in spontaneity in theory against building organisations on purpose in practice.",
            ),
            (
                "What contradiction does Connolly see in CounterPower's position?",
                "It trusts spontaneity in theory but builds organisations on purpose in practice.",
            ),
            "share",
        ),
        (
            ("Why does the essay reject the KAPD as a model?", "It split again and again."),
            ("What did the Alabama communists organise?", "Sharecroppers and steelworkers."),
            None,
        ),
    ],
    ids=["same answer", "same question", "paraphrase", "different questions"],
)
def test_overlap_rule(graded, check, why):
    found = q.overlap(graded, check)
    assert (found is None) if why is None else (why in found), found


def test_jaccard_and_words():
    assert q.words("The parties were building unions") == {"parti", "build", "union"}
    assert q.jaccard(frozenset("ab"), frozenset("bc")) == Fraction(1, 3)
    assert q.jaccard(frozenset(), frozenset()) == 0


def test_uncovered_objectives():
    assert q.uncovered(4, [{"objective": 1}, {"objective": 3}, {"objective": 3}]) == [2, 4]


def test_data_lab_rules_on_a_tiny_spec():
    good = {
        "slug": "data-lab",
        "objectives": ["load", "compare"],
        "items": [
            {
                "id": "ratio",
                "kind": "number",
                "objective": 2,
                "prompt": "Use rows counted as `dues-paying` from one source, so they are comparable.",
                "solution": 'd = m[m["counted"] == "dues-paying"]\nANSWER = d["members_high"].iloc[1]',
                "unit": "a ratio",
                "tolerance": 0.05,
                "hint": "Filter, then divide.",
            }
        ],
    }
    assert q.data_lab_problems(good) == []
    bad_item = {**good["items"][0], "prompt": "Divide the two numbers.", "objective": 3, "tolerance": "0.1"}
    bad_item["solution"] = 'ANSWER = m["members_high"].iloc[1] / m["members_high"].iloc[0]'
    bad = {"slug": "lab", "objectives": ["x"], "items": [bad_item, written(id="w1"), written(id="w2")]}
    assert q.data_lab_problems(bad) == [
        "slug is 'lab', not 'data-lab'",
        "2 written items (at most 1)",
        "item 1 (ratio): objective 3 is not one of the lab's 1..1",
        "item 1 (ratio): tolerance '0.1' is not a number of at least 0",
        "item 1 (ratio): computes with counts without keeping one `counted` kind",
        "item 1 (ratio): the prompt does not say why its numbers are comparable",
    ]
    unnamed = {**good["items"][0], "prompt": "Compare the rows counted as members."}
    assert q.data_lab_problems({**good, "items": [unnamed]}) == [
        "item 1 (ratio): the prompt does not name the kind of count 'dues-paying'"
    ]


def test_cli_prints_the_figures(tmp_path, capsys):
    (tmp_path / "specs").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "chapters").mkdir()
    (tmp_path / "specs" / "party-question.yml").write_text(
        yaml.safe_dump({"slug": "party-question", "items": [item(points=2), written(id="w", points=2)]}),
        encoding="utf-8",
    )
    report = q.course_report(tmp_path / "specs", tmp_path / "quizzes", tmp_path / "chapters")
    text = "\n".join(q.render(report))
    assert " ".join(text.splitlines()[2].split()) == "party-question 4 2 (50%, 1) 2/2 (100%) 0 0/0 0/0 !"
    assert "graded items that repeat a self-check item: 0 (limit 0)" in text
    assert "party-question: 1 written items (at least 2)" in text
    assert "data-lab: no specs/data-lab.yml" in text
    assert q.main() == 0
    assert "Course-wide" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------------------
# The overlap rule catches the six overlaps issue 11 names, in the files as they were then

ISSUE_11_COMMIT = "09adb0c"  # the last commit before the new spec format: old specs and quizzes
KNOWN_OVERLAPS = {
    ("party-question/central-question", "party-question/the-question"),
    ("party-question/errors-not-listed", "party-question/five-errors"),
    ("party-question/bureaucracy-worry", "party-question/what-granted"),
    ("marxist-center/camp-on-the-right", "marxist-center/three-camps"),
    ("spontaneity-and-base-building/the-contradiction", "spontaneity-and-base-building/contradiction"),
    ("historical-clarification/bordiga-first-name", "precision-of-terms/bordiga-name"),
}


def old_file(path: str) -> dict:
    shown = subprocess.run(
        ["git", "show", f"{ISSUE_11_COMMIT}:{path}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if shown.returncode:
        pytest.skip(f"no git history with commit {ISSUE_11_COMMIT} here (a shallow clone?)")
    return yaml.safe_load(shown.stdout)


def test_overlap_rule_catches_the_overlaps_issue_11_names():
    specs = {slug: old_file(f"src/course_helpers/grading/specs/{slug}.yml") for slug in q.READING}
    quizzes = {chapter: old_file(f"data/quizzes/{chapter}.yml") for chapter in q.SELF_CHECKS}
    found = {(g, c): why for g, c, why in q.overlaps(specs, quizzes)}
    print(f"{len(found)} overlapping pairs in the files of {ISSUE_11_COMMIT}:")
    print("\n".join(f"  {g} ~ {c}: {why}" for (g, c), why in sorted(found.items())))
    assert KNOWN_OVERLAPS <= set(found), KNOWN_OVERLAPS - set(found)
    old_positions = Counter()
    for quiz in quizzes.values():
        old_positions.update("abcde"[q.quiz_right(x)] for x in q.quiz_questions(quiz))
    assert old_positions["a"] / sum(old_positions.values()) > 0.4, "the old files had the first-option tell"
    assert q.quiz_positions(quizzes).most_common(1)[0][1] / sum(old_positions.values()) <= 0.4, (
        "the build's shuffle removes it"
    )


# ---------------------------------------------------------------------------------------------------------------
# The course's files


def test_the_files_are_readable():
    assert READ_ERRORS == []
    assert all(SPECS.values()) and all(QUIZZES.values()) and DATA_LAB


@pytest.mark.parametrize("slug", q.READING)
def test_written_answers_carry_the_grade(slug):
    s = q.shares(SPECS[slug])
    print(
        f"{slug}: {s.written_items} written items, {s.written_points:g} of {s.total:g} points ({s.written_share:.0%})"
    )
    assert s.written_items >= q.MIN_WRITTEN_ITEMS
    assert Fraction(s.written_points) >= q.MIN_WRITTEN_SHARE * Fraction(s.total) > 0


@pytest.mark.parametrize("slug", q.READING)
def test_automatic_points_test_the_argument(slug):
    s = q.shares(SPECS[slug])
    print(
        f"{slug}: argument skills {s.argument_points:g} of {s.auto_points:g} automatic points "
        f"({s.argument_share:.0%}); {s.recall_items} recall items"
    )
    assert Fraction(s.argument_points) >= q.MIN_ARGUMENT_SHARE * Fraction(s.auto_points)
    assert s.recall_items <= q.MAX_RECALL_ITEMS


@pytest.mark.parametrize("slug", q.READING)
def test_every_item_names_skill_objective_and_where_to_reread(slug):
    problems = q.item_problems(SPECS[slug], PAGES[slug])
    print(f"{slug}: {len(q.items_of(SPECS[slug]))} items, {len(problems)} problems")
    assert problems == []


def test_the_longest_option_is_rarely_the_right_one():
    items = q.choice_items(SPECS, QUIZZES)
    longest = q.longest_right(items)
    print(f"right option strictly the longest in {len(longest)} of {len(items)} items: {', '.join(longest)}")
    assert items
    assert Fraction(len(longest), len(items)) <= q.MAX_LONGEST_RIGHT


def test_the_number_of_true_statements_varies():
    counts = q.true_verdicts(SPECS)
    print(f"true statements per assignment: {counts}")
    assert len(set(counts.values())) > 1


def test_match_items_cannot_be_solved_by_shared_words():
    pairs = {
        f"{slug}/{i.get('id')}": q.match_pairs_by_words(i)
        for slug, spec in SPECS.items()
        for i in q.items_of(spec)
        if i.get("kind") == "match"
    }
    print(f"pairs a shared-word reader gets right: {pairs}")
    assert {k: n for k, n in pairs.items() if n > q.MAX_MATCH_PAIRS_BY_WORDS} == {}


def test_self_check_right_answers_are_spread_over_positions():
    positions = q.quiz_positions(QUIZZES)
    total = sum(positions.values())
    print(f"right answers by position after the shuffle: {dict(sorted(positions.items()))} of {total}")
    assert total > 0
    assert Fraction(max(positions.values()), total) <= q.MAX_POSITION_SHARE


def test_no_graded_item_repeats_a_self_check_item():
    found = q.overlaps(SPECS, QUIZZES)
    print("\n".join(f"{g} ~ {c}: {why}" for g, c, why in found) or "no overlap")
    assert found == []


@pytest.mark.parametrize("chapter", q.SELF_CHECKS)
def test_every_objective_has_a_self_check_item(chapter):
    page, questions = PAGES[chapter], q.quiz_questions(QUIZZES[chapter])
    missing = q.uncovered(page.objectives, questions)
    print(f"{chapter}: {page.objectives} objectives, {len(questions)} self-check items; uncovered {missing}")
    assert page.objectives >= 1
    assert missing == []
    assert all(1 <= x.get("objective", 0) <= page.objectives for x in questions)


@pytest.mark.parametrize("slug", q.READING)
def test_every_objective_has_a_graded_item(slug):
    missing = q.uncovered(PAGES[slug].objectives, q.items_of(SPECS[slug]))
    print(f"{slug}: {PAGES[slug].objectives} objectives; without a graded item: {missing}")
    assert PAGES[slug].objectives >= 1
    assert missing == []


# ---------------------------------------------------------------------------------------------------------------
# The optional data lab


def test_data_lab_follows_its_rules():
    problems = q.data_lab_problems(DATA_LAB)
    print(
        f"data lab: {len(q.items_of(DATA_LAB))} items, {q.shares(DATA_LAB).total:g} points; problems {problems}"
    )
    assert DATA_LAB.get("title") == "Data lab: reading the record with pandas"
    assert q.DATA_LAB not in q.READING, "the lab is not part of the reading score"
    assert problems == []


@pytest.mark.parametrize(
    "entry", [i for i in q.items_of(DATA_LAB) if i.get("kind") == "number"], ids=lambda i: i.get("id")
)
def test_data_lab_solutions_compute_a_number(entry):
    answer = q.run_solution(entry["solution"])
    print(f"{entry['id']}: {answer} ({entry['unit']})")
    assert isinstance(answer, int | float) and not isinstance(answer, bool) and math.isfinite(answer)
    with_starter = q.run_solution(entry["solution"], entry.get("starter", ""))
    assert with_starter == answer, "the starter code does not change the answer"


def test_data_lab_headings_are_on_the_record_page():
    page = q.read_chapter(DATA_LAB.get("chapter", ""))
    missing = {i["reread"]["chapter"] for i in q.items_of(DATA_LAB)} - page.headings
    assert page.headings and missing == set()
