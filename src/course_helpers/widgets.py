"""Live explorers for JupyterLab, Binder or VS Code, and the same cell's static equivalent in the built book.

    from course_helpers import widgets
    widgets.timeline_explorer(section="lessons-of-history")   # filter by country and essay section
    widgets.membership_explorer(["spd", "uspd", "kpd", "kapd"], start=1917, end=1923)
    widgets.quiz("role-of-cadre")                              # the self-check, marked as you answer

Each call returns one object whose output carries two things at once:

* the ipywidgets view (drop-downs, a multiple choice with a year slider, radio buttons with a "Check" button),
  which JupyterLab and Binder draw when a kernel is running;
* the static equivalent: the chart of ``course_helpers.charts`` (whose own plotly menus and sliders work in the
  browser) or the kernel-free self-check of ``course_helpers.quiz``.

The built book never shows a widget (``nb_mime_priority_overrides`` in ``_config.yml`` drops the widget view, and
no widget manager is fetched from a CDN), so it shows the static equivalent: never a dead control, never a blank
box.  The widgets are thin: what each choice shows and how an answer is marked is ``course_helpers.explore``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import ipywidgets as w
from IPython.display import HTML, display

from . import charts, explore
from . import quiz as course_quiz

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class LiveOrStatic:
    """One output, two views: the live widget where a widget frontend runs, the static view everywhere else."""

    def __init__(self, widget: w.Widget, static):
        self.widget = widget
        self.static = static

    def _repr_mimebundle_(self, include=None, exclude=None):
        static = self.static
        if hasattr(static, "_repr_mimebundle_"):
            bundle = static._repr_mimebundle_(include=include, exclude=exclude)
            bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        else:
            bundle = {"text/html": static._repr_html_(), "text/plain": repr(static)}
        bundle = dict(bundle)
        live = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if WIDGET_VIEW in live:
            bundle[WIDGET_VIEW] = live[WIDGET_VIEW]
        return bundle

    def __repr__(self) -> str:
        return f"LiveOrStatic({type(self.widget).__name__}, {type(self.static).__name__})"


def _show(out: w.Output, view) -> None:
    """Put a figure, or the sentence that replaces it, into an output area."""
    with out:
        out.clear_output(wait=True)
        if isinstance(view, str):
            display(HTML(f'<p class="course-explore-message">{html.escape(view)}</p>'))
        else:
            display(view)


def timeline_explorer(section: str | None = None, country: str | None = None) -> LiveOrStatic:
    """The timeline with a country and an essay-section drop-down (static book: the timeline's own menus)."""
    choices = explore.timeline_choices()
    section_box = w.Dropdown(options=choices["sections"], value=section or explore.ALL, description="Section")
    country_box = w.Dropdown(
        options=choices["countries"], value=country or explore.ALL, description="Country"
    )
    out = w.Output()

    def update(_change=None):
        _show(out, explore.timeline_view(section_box.value, country_box.value))

    section_box.observe(update, names="value")
    country_box.observe(update, names="value")
    update()
    view = w.VBox([w.HBox([section_box, country_box]), out])
    return LiveOrStatic(view, charts.timeline(section, country=country))


def membership_explorer(
    organisations: Iterable[str], start: int | None = None, end: int | None = None
) -> LiveOrStatic:
    """Pick organisations and years to compare (static book: the chart with its linear/log switch)."""
    wanted = list(organisations)
    first, last = explore.membership_years()
    picker = w.SelectMultiple(
        options=explore.membership_choices(),
        value=tuple(wanted),
        rows=8,
        description="Compare",
        layout=w.Layout(width="32rem"),
    )
    years = w.IntRangeSlider(
        value=(start or first, end or last),
        min=first,
        max=last,
        description="Years",
        continuous_update=False,
        layout=w.Layout(width="32rem"),
    )
    out = w.Output()

    def update(_change=None):
        _show(out, explore.membership_view(picker.value, *years.value))

    picker.observe(update, names="value")
    years.observe(update, names="value")
    update()
    help_text = w.HTML("<small>Hold Ctrl (or Cmd) to pick several organisations.</small>")
    view = w.VBox([w.HBox([picker, w.VBox([years, help_text])]), out])
    return LiveOrStatic(view, charts.membership(wanted, start=start, end=end))


def quiz(chapter: str) -> LiveOrStatic:
    """The chapter's self-check, marked as the learner answers (static book: the kernel-free form)."""
    the_quiz = course_quiz.load(chapter)
    answers: dict[str, str] = {}
    progress = w.HTML(html.escape(explore.progress(the_quiz, answers)))
    rows = []
    for n, q in enumerate(the_quiz.questions, start=1):
        options = w.RadioButtons(
            options=[(o.text, o.key) for o in q.options], value=None, layout=w.Layout(width="auto")
        )
        check = w.Button(description="Check", tooltip=f"Check your answer to question {n}")
        feedback = w.HTML()

        def on_check(_button, q=q, options=options, feedback=feedback):
            result = explore.mark(the_quiz, q.id, options.value)
            if options.value:
                answers[q.id] = options.value
            colour = "#00734d" if result.correct else "#b3261e"
            verdict, _, why = result.text.partition(". ")
            feedback.value = (
                f'<p role="status"><strong style="color:{colour}">{html.escape(verdict)}.</strong> '
                f"{html.escape(why)}</p>"
            )
            progress.value = html.escape(explore.progress(the_quiz, answers))

        check.on_click(on_check)
        prompt = w.HTML(f"<strong>Question {n}.</strong> {html.escape(q.prompt)}")
        rows.append(w.VBox([prompt, options, check, feedback]))
    view = w.VBox([w.HTML(f"<h4>{html.escape(the_quiz.title)}</h4>"), progress, *rows])
    return LiveOrStatic(view, the_quiz)
