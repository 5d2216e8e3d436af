"""The live explorers' logic (course_helpers.explore) on tiny literal tables, and the widgets' two-sided output,
all without a browser or a kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml
from conftest import ROOT, myst_notebook

from course_helpers import data as course_data
from course_helpers import explore
from course_helpers import quiz as course_quiz

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture
def tables(tiny_data) -> dict[str, pd.DataFrame]:
    return {
        name: course_data.load(name, tiny_data)
        for name in ("events", "sources", "membership", "organisations")
    }


def test_timeline_choices_count_events_per_country_and_section(tables):
    choices = explore.timeline_choices(tables["events"])
    assert choices["countries"] == [("All countries", "all"), ("Germany (2 events)", "Germany")]
    # kpd-founded serves two sections, so 'Lessons of History' counts both events
    assert choices["sections"] == [
        ("All essay sections", "all"),
        ("Precision of Terms (1 event)", "precision-of-terms"),
        ("Lessons of History (2 events)", "lessons-of-history"),
    ]


def test_timeline_view_filters_and_never_raises_at_the_learner(tables):
    fig = explore.timeline_view(
        "precision-of-terms", "all", events=tables["events"], sources=tables["sources"]
    )
    assert isinstance(fig, go.Figure)
    shown = [x for trace in fig.data for x in trace.x]
    assert len(shown) == 1
    everything = explore.timeline_view(events=tables["events"], sources=tables["sources"])
    assert isinstance(everything, go.Figure) and everything.layout.updatemenus, "the full timeline has menus"
    none = explore.timeline_view(
        "precision-of-terms", "Italy", events=tables["events"], sources=tables["sources"]
    )
    assert none == (
        "No event in the course's data matches the essay section 'Precision of Terms' and Italy. "
        "Choose another country or section."
    )


def test_timeline_view_still_rejects_a_misspelt_section(tables):
    with pytest.raises(ValueError, match="unknown essay section 'cadre'"):
        explore.timeline_view("cadre", events=tables["events"], sources=tables["sources"])


def test_membership_choices_and_years(tables):
    choices = explore.membership_choices(tables["membership"], tables["organisations"])
    assert choices == [("KAPD (Germany, 2 figures)", "kapd"), ("KPD (Germany, 2 figures)", "kpd")]
    assert explore.membership_years(tables["membership"]) == (1920, 1925)


def test_membership_view_explains_an_empty_choice(tables):
    rows = {
        "membership_rows": tables["membership"],
        "organisation_rows": tables["organisations"],
        "sources": tables["sources"],
    }
    assert explore.membership_view([], **rows) == "Choose at least one organisation to draw its membership."
    fig = explore.membership_view(["kpd"], 1921, 1925, **rows)
    assert isinstance(fig, go.Figure) and [y for y in fig.data[0].y if y] == [359613, 122755]
    assert explore.membership_view(["kapd"], 1924, 1925, **rows) == (
        "The course has no sourced membership figure for kapd between 1924 and 1925. "
        "Widen the years or choose another organisation."
    )


@pytest.fixture
def tiny_quiz(tmp_path) -> course_quiz.Quiz:
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "tiny.yml").write_text(
        textwrap.dedent(
            """\
            chapter: tiny
            questions:
              - id: one
                objective: 1
                prompt: Which is right?
                options:
                  - text: This one
                    correct: true
                    explanation: Because it is.
                  - text: That one
                    explanation: Because it is not.
              - id: two
                objective: 1
                prompt: And here?
                options:
                  - text: "Yes"
                    explanation: No, look again.
                  - text: "No"
                    correct: true
                    explanation: Right, it says so.
            """
        ),
        encoding="utf-8",
    )
    return course_quiz.load("tiny", tmp_path, shuffle=False)


def test_marking_matches_the_static_books_wording(tiny_quiz):
    assert explore.mark(tiny_quiz, "one", "a") == explore.Feedback(True, "Correct. Because it is.")
    assert explore.mark(tiny_quiz, "one", "b") == explore.Feedback(
        False, "Not quite. Because it is not. Try another answer."
    )
    assert explore.mark(tiny_quiz, "two", None) == explore.Feedback(False, "Choose one of the answers first.")
    with pytest.raises(ValueError, match="no question 'three'"):
        explore.mark(tiny_quiz, "three", "a")


def test_progress_counts_answers_and_right_ones(tiny_quiz):
    assert explore.progress(tiny_quiz, {}) == 'Choose an answer and press "Check" to see how you did.'
    assert explore.progress(tiny_quiz, {"one": "a"}) == "You have answered 1 of 2 questions; 1 correctly."
    assert (
        explore.progress(tiny_quiz, {"one": "b", "two": "b"})
        == "You have answered 2 of 2 questions; 1 correctly."
    )


# ---------------------------------------------------------------------------------------------------------------
# The widgets: a live view for JupyterLab and a static view for the book, in one output


def test_widget_output_carries_the_live_and_the_static_view(monkeypatch, tables, tiny_quiz):
    pytest.importorskip("ipywidgets")
    from course_helpers import widgets

    monkeypatch.setattr(widgets.course_quiz, "load", lambda chapter: tiny_quiz)
    bundle = widgets.quiz("tiny")._repr_mimebundle_()
    assert WIDGET_VIEW in bundle, "JupyterLab needs the widget view"
    assert 'data-quiz="tiny"' in bundle["text/html"], "the book needs the kernel-free form"
    assert "Quiz('tiny', 2 questions)" == bundle["text/plain"]


def test_quiz_widget_marks_an_answer_and_updates_progress(monkeypatch, tiny_quiz):
    pytest.importorskip("ipywidgets")
    from course_helpers import widgets

    monkeypatch.setattr(widgets.course_quiz, "load", lambda chapter: tiny_quiz)
    view = widgets.quiz("tiny").widget
    progress, first = view.children[1], view.children[2]
    _prompt, options, check, feedback = first.children
    options.value = "b"
    check.click()
    assert "Not quite." in feedback.value and "Because it is not." in feedback.value
    assert "answered 1 of 2 questions; 0 correctly" in progress.value
    options.value = "a"
    check.click()
    assert "Correct." in feedback.value
    assert "answered 1 of 2 questions; 1 correctly" in progress.value


def test_figure_widgets_offer_the_chart_to_the_book(monkeypatch):
    """The explorers' static side is the chart itself (plotly's mime type, which the book's plugin draws)."""
    pytest.importorskip("ipywidgets")
    from course_helpers import widgets

    class FakeFigure:
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {PLOTLY: {"data": []}, "text/plain": "summary"}

    monkeypatch.setattr(widgets, "_show", lambda out, view: None)
    monkeypatch.setattr(widgets.charts, "timeline", lambda *a, **k: FakeFigure())
    bundle = widgets.timeline_explorer(section="lessons-of-history")._repr_mimebundle_()
    assert set(bundle) == {PLOTLY, "text/plain", WIDGET_VIEW}
    assert bundle["text/plain"] == "summary"


# ---------------------------------------------------------------------------------------------------------------
# In the built book: a chapter that calls the widgets shows their static equivalents, and no widget at all


WIDGET_CHAPTER = myst_notebook(
    "Widgets",
    'from course_helpers import widgets\n\nwidgets.timeline_explorer(section="role-of-cadre")',
    'widgets.quiz("role-of-cadre")',
)


@pytest.mark.build
def test_a_chapter_with_widgets_builds_to_their_static_equivalents(tmp_path):
    """A one-page book with the course's own settings: the page has the chart and the kernel-free self-check,
    no widget view (a blank box without a widget manager) and no saved widget state (100 KB of dead weight)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "references.bib").write_text(
        (ROOT / "references.bib").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: w\n", encoding="utf-8"
    )
    (tmp_path / "index.md").write_text("# Widgets test\n", encoding="utf-8")
    (tmp_path / "w.md").write_text(WIDGET_CHAPTER, encoding="utf-8")
    exe = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(exe), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env={**os.environ, "COURSE_DATA_DIR": str(ROOT / "data")},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    page = (tmp_path / "_build" / "html" / "w.html").read_text(encoding="utf-8")
    assert page.count('class="course-figure"') == 1, "the timeline explorer's static side is the chart"
    assert 'class="course-quiz" data-quiz="role-of-cadre"' in page, (
        "the quiz widget's static side is the form"
    )
    assert "widget-view" not in page and "widget-state" not in page
    assert len(page.encode()) < 150_000
