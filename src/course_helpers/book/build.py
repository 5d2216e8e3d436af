"""``python -m course_helpers.book.build [jupyter-book build options]``: ``jupyter-book build``, with Sphinx
reading the pages in parallel (one process per core), so that the chapters' notebooks execute side by side.

``jupyter-book build`` has no option for Sphinx's parallel jobs (``sphinx-build -j``), though it passes them on;
this runs the same command with ``jobs`` set.  ``COURSE_BUILD_JOBS`` overrides the count (1: one at a time).
Used by ``tasks.py build``, the tests' build and the benchmark, so all three build the same way.

Sphinx hands each process a run of pages in name order, so all of ``chapters/`` (every notebook) would go to the
first process and execute one after another; :func:`spread` deals the pages out in turn instead, so that each
process gets its share of the notebooks.  Every extension the book loads reads in parallel safely (see
``sphinx_ext.PARALLEL_SAFE`` for the two that do not say so themselves); ``sphinx_ext`` creates the
execution cache before the processes start, so they never race to create it.
"""

from __future__ import annotations

import functools
import os
import sys


def jobs() -> int:
    given = os.environ.get("COURSE_BUILD_JOBS", "").strip()
    if given:
        return max(1, int(given))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def spread(arguments, nproc: int, maxbatch: int = 10) -> list[list]:
    """Sphinx's ``make_chunks``, dealing pages out in turn: one chunk per process, notebooks spread evenly."""
    count = max(1, min(nproc, len(arguments)))
    return [list(arguments[i::count]) for i in range(count) if arguments[i::count]]


def main(argv: list[str]) -> int:
    import jupyter_book.sphinx
    import sphinx.builders
    from jupyter_book.cli.main import main as cli

    # the CLI imports build_sphinx from jupyter_book.sphinx as it runs, so it gets this one
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx, jobs=jobs())
    if hasattr(sphinx.builders, "make_chunks"):
        sphinx.builders.make_chunks = spread
    try:
        cli.main(["build", *argv], prog_name="jupyter-book")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
