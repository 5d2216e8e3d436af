"""Kernel-free self-checks: questions stored once in ``data/quizzes/<chapter>.yml``, shown in the built book as
an accessible HTML form that ``_static/course-quiz.js`` marks in the browser (no Python needed), with the
reader's progress kept in the browser's local storage.

    >>> from course_helpers import quiz
    >>> quiz.show("party-question")

Each question has two to five options, exactly one correct, and an explanation for every option, so a reader
learns why a wrong answer is wrong as well as why the right one is right.  These items are for self-study only:
the graded assignments ask different questions.

Every question names the chapter's learning objective it checks (``objective: 2``, 1-based).  Authors write the
right option anywhere; ``load`` shuffles each question's options (the explanation travels with its option), so the
book, the widget view and the tests all see the same order.  The shuffle is deterministic, seeded by the chapter
and the question id, so every build gives the same page.  Within a chapter the right answer goes, question by
question, to a position that has held it least often so far (ties broken by the seed), which spreads right answers
evenly over the positions: ``tests/test_assessment_quality.py`` checks that no position holds more than 40 % of
them across the course.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from .data import DataError, data_dir

SCHEMA = {
    "type": "object",
    "required": ["chapter", "questions"],
    "additionalProperties": False,
    "properties": {
        "chapter": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "title": {"type": "string"},
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "objective", "prompt", "options"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    # the chapter's learning objective this question checks (1-based)
                    "objective": {"type": "integer", "minimum": 1},
                    "prompt": {"type": "string", "minLength": 5},
                    "options": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 5,
                        "items": {
                            "type": "object",
                            "required": ["text", "explanation"],
                            "additionalProperties": False,
                            "properties": {
                                "text": {"type": "string", "minLength": 1},
                                "correct": {"type": "boolean"},
                                "explanation": {"type": "string", "minLength": 5},
                            },
                        },
                    },
                },
            },
        },
    },
}
LETTERS = "abcde"


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    options: tuple[Option, ...]
    objective: int = 1

    @property
    def answer(self) -> str:
        return next(o.key for o in self.options if o.correct)

    def mark(self, key: str) -> tuple[bool, str]:
        """(is it right, the explanation for that choice) for the option ``key`` ('a', 'b', ...)."""
        for option in self.options:
            if option.key == key:
                return option.correct, option.explanation
        raise ValueError(f"question {self.id} has no option {key!r}")


@dataclass(frozen=True)
class Quiz:
    chapter: str
    title: str
    questions: tuple[Question, ...]

    def _repr_html_(self) -> str:
        return to_html(self)

    def __repr__(self) -> str:
        return f"Quiz({self.chapter!r}, {len(self.questions)} questions)"


def load(chapter: str, folder: str | Path | None = None, *, shuffle: bool = True) -> Quiz:
    """The self-check of ``chapter``, checked against the schema; a DataError names the file and the problem.

    The options come shuffled as the book shows them (see the module's docstring); ``shuffle=False`` keeps the
    file's order, for authors and tests."""
    path = (Path(folder) if folder is not None else data_dir()) / "quizzes" / f"{chapter}.yml"
    shown = f"data/quizzes/{path.name}"
    if not path.is_file():
        raise DataError([f"{shown}: the file does not exist (no self-check for chapter {chapter!r})"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError([f"{shown}: is not readable YAML in UTF-8 ({exc})"]) from None
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(raw), key=lambda e: list(e.path))
    problems = [f"{shown}, at {'/'.join(map(str, e.path)) or 'top level'}: {e.message}" for e in errors]
    if not problems:
        ids = [q["id"] for q in raw["questions"]]
        problems += [
            f"{shown}, question {i!r}: the id is used twice"
            for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        for q in raw["questions"]:
            n = sum(bool(o.get("correct")) for o in q["options"])
            if n != 1:
                problems.append(
                    f"{shown}, question {q['id']!r}: has {n} correct options; it needs exactly one"
                )
        if raw["chapter"] != chapter:
            problems.append(f"{shown}: says it is for chapter {raw['chapter']!r}, not {chapter!r}")
    if problems:
        raise DataError(problems)
    ordered = arrange(chapter, raw["questions"]) if shuffle else [q["options"] for q in raw["questions"]]
    questions = tuple(
        Question(
            q["id"],
            q["prompt"],
            tuple(
                Option(LETTERS[i], o["text"], bool(o.get("correct")), o["explanation"])
                for i, o in enumerate(options)
            ),
            q["objective"],
        )
        for q, options in zip(raw["questions"], ordered, strict=True)
    )
    return Quiz(chapter, raw.get("title", "Check yourself"), questions)


def arrange(chapter: str, questions: list[dict]) -> list[list[dict]]:
    """Each question's options in the order the book shows them (questions as in the YAML, each with exactly one
    ``correct`` option).  Deterministic: a ``random.Random`` seeded with ``"<chapter>/<question id>"`` orders the
    wrong options and breaks ties; the right option goes to the position (among those the question has) that has
    held the chapter's right answers least often so far."""
    held = [0] * len(LETTERS)
    arranged = []
    for q in questions:
        rng = random.Random(f"{chapter}/{q['id']}")
        right = next(o for o in q["options"] if o.get("correct"))
        others = [o for o in q["options"] if o is not right]
        rng.shuffle(others)
        places = range(len(q["options"]))
        fewest = min(held[i] for i in places)
        position = rng.choice([i for i in places if held[i] == fewest])
        held[position] += 1
        others.insert(position, right)
        arranged.append(others)
    return arranged


def to_html(quiz: Quiz) -> str:
    """The static page's form; works with a mouse, the keyboard and a screen reader."""
    parts = [
        f'<section class="course-quiz" data-quiz="{quiz.chapter}" aria-label="{html.escape(quiz.title)}">',
        '<p class="course-quiz-progress" aria-live="polite">Choose an answer and press "Check" to see how you did. '
        "Your answers stay in this browser only.</p>",
    ]
    for n, q in enumerate(quiz.questions, start=1):
        qid = f"quiz-{quiz.chapter}-{q.id}"
        parts.append(f'<form class="course-q" id="{qid}" data-q="{q.id}">')
        parts.append(
            f'<fieldset><legend><span class="course-q-num">Question {n}.</span> {html.escape(q.prompt)}</legend>'
        )
        for o in q.options:
            oid = f"{qid}-{o.key}"
            parts.append(
                f'<div class="course-option"><input type="radio" id="{oid}" name="{qid}" value="{o.key}">'
                f'<label for="{oid}">{html.escape(o.text)}</label></div>'
            )
        parts.append("</fieldset>")
        parts.append('<button type="submit" class="course-check">Check</button>')
        parts.append('<div class="course-feedback" role="status" aria-live="polite"></div>')
        parts.append('<div class="course-explanations" hidden>')
        for o in q.options:
            parts.append(
                f'<p data-option="{o.key}" data-correct="{str(o.correct).lower()}">{html.escape(o.explanation)}</p>'
            )
        parts.append("</div>")
        right = next(o for o in q.options if o.correct)
        parts.append(
            f"<noscript><details><summary>Show the answer</summary><p>{html.escape(right.text)}: "
            f"{html.escape(right.explanation)}</p></details></noscript>"
        )
        parts.append("</form>")
    parts.append("</section>")
    return "\n".join(parts)


def show(chapter: str) -> Quiz:
    """The chapter's self-check, for the last line of a cell (HTML in the book; a widget view may wrap it)."""
    return load(chapter)
