"""The book build: what turns the chapters into the website a study group reads (nothing here is called by a
chapter; the Sphinx extension and the myst-nb plugin load it while the book is built).

* ``sphinx_ext`` — the Sphinx extension named in ``_config.yml``: serves ``static/``, the vendored plotly.js
  (``vendor/``: the basic bundle, checksum recorded) and the released assignments, registers the citation style;
* ``render`` — the myst-nb plugin (``pyproject.toml``) that turns a figure's plotly output into the book's HTML;
* ``pagefix`` — each page's privacy, weight and accessibility: figure data moved out of the page, nothing from
  another host, named sidebar buttons (with ``templates/layout.html``);
* ``styles`` — the themes' ten stylesheets as one, with the rules no page uses left out;
* ``icons`` — the theme's Font Awesome icons as CSS masks, so that no page downloads an icon font;
* ``release`` — the released assignment notebooks the book offers for download (nbgrader, public letters);
* ``site`` — the built book as a site: its pages and the browser flags the tests and the benchmark share;
* ``static/`` — the readers' scripts and stylesheet: ``course-figures.js`` (draws charts as they near the screen),
  ``course-quiz.js`` (marks the self-checks), ``course-downloads.js`` and ``course-theme-fix.js``, ``course.css``.

Everything works both served over HTTP and opened from disk (``file://``): scripts, never ``fetch()``.
"""
