"""course_helpers: the code behind The Party Question.

Layers (a lower module never imports a higher one):

* ``schemas`` — the declared shape of every table in ``data/``;
* ``data`` — load a table by name, checked (``data.load("membership")``);
* ``render`` — how a figure shows in JupyterLab and in the built book;
* ``charts``, ``quiz``, ``factcheck`` — figures, self-checks and fact-check boxes, built from ``data``;
* ``explore`` — what the live explorers offer and show for each choice, and how a self-check answer is marked
  (plain functions, tested without a browser);
* ``widgets`` — thin ipywidgets views over ``explore``, for JupyterLab and Binder;
* ``sphinx_ext`` (with ``pagefix`` and ``icons``) — what the book build needs (static files, plotly.js served
  once per site, nothing from another host, figure data out of the page, accessible navigation, icons without
  icon fonts).

In a chapter, one call per idea.  A plain chart or self-check:

    charts.timeline(section="lessons-of-history")
    quiz.show("lessons-of-history")

The same, live when a kernel runs (JupyterLab, Binder) and identical to the above in the built book, which
shows each widget's static equivalent (the chart with its own plotly menus, the kernel-free self-check):

    widgets.timeline_explorer(section="lessons-of-history")          # country and essay-section drop-downs
    widgets.membership_explorer(["spd", "uspd", "kpd", "kapd"], start=1917, end=1923)  # pick parties, years
    widgets.quiz("lessons-of-history")                                # radio buttons, "Check", feedback
"""

__all__ = ["charts", "data", "explore", "factcheck", "quiz", "widgets"]
