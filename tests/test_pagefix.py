"""What pagefix does to each built page, on tiny literal HTML (the browser suite checks the real pages)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from course_helpers.book import pagefix
from course_helpers.book.render import figure_html

SIDEBAR = (
    '<li class="toctree-l1 has-children"><a class="reference internal" href="f.html">Facilitator guide</a>'
    '<details><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i>'
    "</span></summary><ul><li>x</li></ul></details></li>"
)


def test_sidebar_toggles_get_a_name_once():
    named = pagefix.name_toggles(SIDEBAR)
    assert (
        '<summary><span class="visually-hidden">Pages in Facilitator guide</span><span class="toctree'
        in named
    )
    assert pagefix.name_toggles(named) == named, "naming twice must not add a second label"


def test_sidebar_toggles_named_in_a_soup_too():
    soup = BeautifulSoup(SIDEBAR, "html.parser")
    pagefix.name_toggles(soup)
    assert soup.select_one("summary .visually-hidden").get_text() == "Pages in Facilitator guide"


def test_figure_json_moves_to_a_file_named_by_its_content():
    fig = {
        "data": [{"type": "scatter", "x": [1], "y": [2], "hovertext": ["a </b> b"]}],
        "layout": {"title": {"text": "T"}, "meta": {"summary": "S."}},
    }
    body = "<p>before</p>" + figure_html(fig) + "<p>after</p>"
    written = {}
    out = pagefix.move_figure_json(body, written.__setitem__, lambda path: "../" + path)
    assert 'type="application/json"' not in out
    ((name, text),) = written.items()
    assert name.endswith(".js") and len(name) == 19
    assert f'data-course-src="../_static/figures/{name}"' in out
    # a script that hands the figure to course-figures.js (loaded with <script>, which works from file://)
    assert text.startswith(f'courseFigure("{name.removesuffix(".js")}",{{')
    assert {k: v for k, v in pagefix.figure_of_script(text).items() if k != "config"} == fig
    assert "</b>" in text, "the script holds the figure as plotly reads it (no HTML escaping)"
    assert out.startswith("<p>before</p>") and out.endswith("<p>after</p>")
    again = {}
    pagefix.move_figure_json(body, again.__setitem__, lambda path: path)
    assert list(again) == [name], "the same figure gets the same file name on every build"


def test_page_head_loses_fontawesome_script_and_search_index():
    head = (
        '<link href="_static/styles/theme.css" rel="stylesheet" />\n'
        '  <script defer src="_static/scripts/fontawesome.js?digest=55"></script>\n'
        '<script src="_static/searchtools.js"></script><script src="_static/language_data.js"></script>'
        '<script src="searchindex.js"></script><meta name="x" />'
    )
    out = str(pagefix.course_page_head(head)).replace("\n", "")
    assert out == '<link href="_static/styles/theme.css" rel="stylesheet" /><meta name="x" />'


def test_bibliography_entries_are_list_items():
    html = '<div role="list" class="citation-list"><div class="citation" id="a" role="doc-biblioentry">'
    assert 'role="listitem"' in pagefix.fix_citations(html) and "biblioentry" not in pagefix.fix_citations(
        html
    )


def test_remote_and_thebe_assets_are_recognised():
    from sphinx.builders.html._assets import _JavaScript

    assert pagefix._is_remote(_JavaScript("https://cdn.example.org/x.js"))
    assert not pagefix._is_remote(_JavaScript("_static/x.js"))
    assert pagefix._is_thebe(_JavaScript(None, body='const THEBE_JS_URL = "x"'))
    assert pagefix._deferred(_JavaScript("_static/copybutton.js")).attributes["defer"] == "defer"
    assert "defer" not in pagefix._deferred(_JavaScript("documentation_options.js")).attributes
    assert "defer" not in pagefix._deferred(_JavaScript("_static/doctools.js")).attributes
    assert "defer" not in pagefix._deferred(_JavaScript(None, body="let x = 1;")).attributes


def test_icon_css_has_a_mask_for_each_used_icon_and_the_admonitions():
    from course_helpers.book import icons

    table = {
        "rocket": (512, 512, "M0 0h10"),
        "github": (496, 512, "M1 1z"),
        "bell": (448, 512, "M2 2z"),
        "lightbulb": (384, 512, "M3 3z"),
    }
    css = icons.icon_css(["fa-rocket", "fa-github", "fa-solid", "fa-lg", "fa-nothing"], table)
    assert '.fa-rocket { --course-icon: url("data:image/svg+xml;utf8,<svg' in css and "M0 0h10" in css
    assert ".fa-github {" in css and "--course-icon-w: 0.969em" in css
    assert ".fa-nothing" not in css and ".fa-lg {" not in css
    assert ".admonition.tip { --course-admonition-icon:" in css and "M3 3z" in css
    assert "font-family: inherit !important" in css, "icon classes must stop using the icon fonts"


def test_the_themes_icon_file_still_parses():
    from course_helpers.book import icons

    table = icons.icons()
    assert {"rocket", "github", "magnifying-glass", "lightbulb", "circle-half-stroke"} <= set(table)
    assert all(table[name] for name in icons.ADMONITIONS.values())
