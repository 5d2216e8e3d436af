"""course_helpers: the code behind The Party Question, in three rooms.

* **here, the teaching helpers** that chapters call (a lower module never imports a higher one):

  * ``schemas`` — the declared shape of every table in ``data/``;
  * ``data`` — load a table by name, checked (``data.load("membership")``);
  * ``render`` — the ``course`` plotly renderer: how a figure shows in JupyterLab and Binder;
  * ``charts``, ``quiz``, ``factcheck`` — figures, self-checks and fact-check boxes, built from ``data``;
  * ``explore`` — what the live explorers offer and show for each choice, and how a self-check answer is marked
    (plain functions, tested without a browser);
  * ``widgets`` — thin ipywidgets views over ``explore``, for JupyterLab and Binder;
  * ``outline`` (the chapters in order), ``citations`` (the book's "Author, year" style), ``readability`` (the
    reading grade of the prose), ``answers`` (the ``%%answer`` cells of the graded notebooks);

* ``book/`` — **the book build** (the Sphinx extension, page fixes, the one stylesheet, icons, the readers'
  scripts, the vendored plotly.js, the released assignments): see ``course_helpers.book``;
* ``grading/`` — **the facilitators' grading** with nbgrader: see ``course_helpers.grading``.

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
