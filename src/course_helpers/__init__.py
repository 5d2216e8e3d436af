"""course_helpers: the code behind The Party Question.

Layers (a lower module never imports a higher one):

* ``schemas`` — the declared shape of every table in ``data/``;
* ``data`` — load a table by name, checked (``data.load("membership")``);
* ``render`` — how a figure shows in JupyterLab and in the built book;
* ``charts``, ``quiz``, ``factcheck`` — figures, self-checks and fact-check boxes, built from ``data``;
* ``sphinx_ext`` — what the book build needs (static files, plotly.js served once per site).
"""

__all__ = ["charts", "data", "factcheck", "quiz"]
