"""Facilitator tools for the graded reading assignments (nbgrader), one per chapter.

* ``specs/<slug>.yml`` — each assignment's items, keys, points, hints and rubrics (the one source of truth);
* ``kinds`` — how each kind of item is asked, checked and marked (the one checking pattern);
* ``generate`` — writes ``assignments/source/<slug>/<slug>.ipynb`` and ``answer_keys.json`` from the specs;
* ``preprocessors`` and ``config`` — the nbgrader settings (time limits, restored cells, safe feedback);
* ``autograde`` — grades submissions in parallel, safely against one gradebook;
* ``report`` — the class report for the facilitator.

Command line: ``python -m course_helpers.grading --help``.  Nothing here is imported by the book's chapters.
"""
