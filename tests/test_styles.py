"""The book's one stylesheet (course_helpers/book/styles.py), on a small made-up site: no build, no browser."""

from __future__ import annotations

import re

import pytest

from course_helpers.book import styles

HEAD = """<script>dark mode first</script>
<link href="../_static/styles/theme.css?digest=abc" rel="stylesheet" />
<link rel="stylesheet" type="text/css" href="../_static/extra.css?v=1" />
<link rel="stylesheet" href="https://cdn.example.org/x.css" />
<link rel="preload" as="script" href="../_static/scripts/a.js" />"""


def _site(tmp_path, page_classes="used", script="", extra=".used{color:red}.unused{color:blue}"):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text("div{margin:0}\n.never{x:y}", encoding="utf-8")
    (static / "styles" / "theme.css").write_text(
        '@import "../basic.css";\n'
        "@font-face{font-family:Font Awesome\\ 6 Free;src:url(../vendor/fa.woff2)}\n"
        "@font-face{font-family:Body;src:url(../fonts/body.woff2)}\n"
        ".a, .gone, .b:not(.nowhere) {top:0}\n"
        "@media (min-width:1px){.gone{left:0}.used .x-inner{left:1px}}\n"
        "@keyframes spin{from{opacity:0}}\n",
        encoding="utf-8",
    )
    (static / "extra.css").write_text(extra, encoding="utf-8")
    (static / "app.js").write_text(script, encoding="utf-8")
    (tmp_path / "page.html").write_text(
        f'<html><head>{HEAD}</head><body class="{page_classes} a b"><i class="x-inner"></i></body></html>',
        encoding="utf-8",
    )
    return tmp_path


def _take(tmp_path):
    recorded = []
    page = tmp_path / "page.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(styles.take_links(html, recorded.append), encoding="utf-8")
    return recorded


def test_links_become_one_and_remote_links_stay(tmp_path):
    _site(tmp_path)
    recorded = _take(tmp_path)
    assert recorded == [["styles/theme.css", "extra.css"]]
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    links = re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', html)
    assert len(links) == 2
    assert 'href="../_static/course-styles.css?v=pending"' in links[0]
    assert "cdn.example.org" in links[1]  # left for pagefix's warning, never silently dropped
    assert 'rel="preload"' in html and "dark mode first" in html


def test_bundle_keeps_order_inlines_imports_and_drops_only_unused(tmp_path):
    _site(tmp_path)
    digest, before, after = styles.write_bundle(tmp_path, _take(tmp_path)[0])
    css = (tmp_path / "_static" / "course-styles.css").read_text(encoding="utf-8")
    assert after < before
    # @import inlined first, then the rest of theme.css, then extra.css: the cascade order is kept
    assert css.index("div{margin:0}") < css.index(".a,") < css.index(".used{")
    assert "@import" not in css
    assert ".never" not in css and ".gone" not in css and ".unused" not in css
    assert ".a,.b:not(.nowhere){top:0}" in css  # a class inside :not() is no reason to drop
    assert "@media (min-width:1px){.used .x-inner{left:1px}}" in css
    assert "@keyframes spin" in css
    assert "Font Awesome" not in css
    assert 'url("fonts/body.woff2")' in css  # rebased from styles/ to the bundle's folder
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert f"course-styles.css?v={digest}" in page
    assert styles.dropped_selectors(tmp_path) == [".never", ".gone", ".unused"]


def test_classes_added_by_scripts_are_kept(tmp_path):
    _site(tmp_path, page_classes="", script='el.classList.add("used")')
    styles.write_bundle(tmp_path, _take(tmp_path)[0])
    css = (tmp_path / "_static" / "course-styles.css").read_text(encoding="utf-8")
    assert ".used{color:red}" in css and ".unused" not in css


def test_a_later_build_updates_every_pages_hash_and_keeps_the_sources(tmp_path):
    _site(tmp_path)
    first, _, _ = styles.write_bundle(tmp_path, _take(tmp_path)[0])
    # a later incremental build wrote no page: the sources are read back from the bundle's header
    (tmp_path / "_static" / "extra.css").write_text(".used{color:green}", encoding="utf-8")
    second, _, _ = styles.write_bundle(tmp_path, None)
    assert second != first
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert f"?v={second}" in page and f"?v={first}" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: (s / "extra.css").unlink(),
            "the stylesheet _static/extra.css that the pages link is missing",
        ),
        (lambda s: (s / "basic.css").write_text('@import "styles/theme.css";'), "imports itself"),
        (lambda s: (s / "extra.css").write_text(".a{x:y} }"), "cannot read a rule"),
    ],
)
def test_broken_stylesheets_are_named(tmp_path, change, message):
    _site(tmp_path)
    sources = _take(tmp_path)[0]
    change(tmp_path / "_static")
    with pytest.raises(styles.StyleError, match=re.escape(message)):
        styles.write_bundle(tmp_path, sources)


def test_nothing_to_bundle_is_an_error(tmp_path):
    (tmp_path / "_static").mkdir()
    with pytest.raises(styles.StyleError, match="no page linked a stylesheet"):
        styles.write_bundle(tmp_path, None)
