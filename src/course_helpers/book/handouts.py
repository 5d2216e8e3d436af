"""Handouts that work on paper (a Sphinx extension, registered in ``_config.yml`` under ``extra_extensions``).

* ``:::{course-handout-links} <chapter-slug>`` prints the essay's address and the chapter's address in the
  course book, in full and as QR codes.  The codes are made here, at build time, by segno (pure Python) and
  written into the page as inline SVG: nothing is stored elsewhere and nothing is fetched.  The book's public
  address is the one setting ``readers: site:`` in ``_config.yml``; while it is empty the handout prints the
  page's path in the book and asks the member to get the address from the facilitator (and makes no code for it).
* ``:::{course-handout-notes}`` is a framed box of ruled lines for notes (taller on paper than on screen).
* ``course-handouts.css`` (in ``static/``) holds the handouts' print rules: body text at 12 pt, and 16 pt in the
  large-print edition.
* At the end of the build every handout page ``handouts/<slug>.html`` is copied to
  ``handouts/<slug>-large-print.html``, marked with the class ``course-large-print`` (which the CSS sets at
  16 pt).  The copy sits in the same folder, so every link and asset resolves exactly as in the original.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import segno
import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import outline

LOG = logging.getLogger(__name__)

ESSAY_URL = "https://cosmonautmag.com/2021/02/create-a-mass-party/"
ESSAY_CITATION = "Cliff Connolly, “Create a Mass Party!”, Cosmonaut Magazine, February 2021"
STATIC = Path(__file__).parent / "static"
CSS = "course-handouts.css"
HANDOUTS_DIR = "handouts"
LARGE_SUFFIX = "-large-print"
LARGE_CLASS = "course-large-print"
NO_SITE_NOTE = "ask your facilitator for the book’s address"


def readers_site(config_file: Path) -> str:
    """``readers: site:`` of ``_config.yml``: where the readers' book is served ("" when not yet known)."""
    try:
        config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return ""
    return str((config.get("readers") or {}).get("site") or "").strip()


def page_path(slug: str) -> str:
    """The chapter's page, relative to the book's root."""
    return f"chapters/{slug}.html"


def page_address(site: str, slug: str) -> str | None:
    """The chapter's public address, or None while the book's address is not set."""
    if not site:
        return None
    return f"{site.rstrip('/')}/{page_path(slug)}"


def qr_code(address: str) -> segno.QRCode:
    """The QR code of ``address`` (a full QR code, never a Micro QR, error correction level M or better)."""
    return segno.make_qr(address, error="m")


def qr_svg(address: str) -> str:
    """``address`` as an inline SVG QR code: black modules on a white square with the standard quiet zone."""
    svg = qr_code(address).svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")
    label = html.escape(f"QR code for {address}", quote=True)
    svg = svg.replace('class="segno"', 'class="segno course-qr"', 1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def shown(address: str) -> str:
    """An address as printed: escaped, with a line-break opportunity after each "/" of its path."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "", address
    return html.escape(scheme + sep) + "/<wbr>".join(html.escape(part) for part in rest.split("/"))


def large_print_name(slug: str) -> str:
    return f"{slug}{LARGE_SUFFIX}.html"


def links_html(slug: str, site: str, depth: int) -> str:
    """The block of addresses and QR codes for the handout of chapter ``slug`` on a page ``depth`` folders deep."""
    up = "../" * depth
    essay = html.escape(ESSAY_URL)
    parts = [
        '<div class="course-handout-links">',
        '<div class="course-handout-link">',
        qr_svg(ESSAY_URL),
        f"<p><strong>The essay:</strong> {html.escape(ESSAY_CITATION)}.<br>"
        f'<a class="course-handout-address" href="{essay}">{shown(ESSAY_URL)}</a></p>',
        "</div>",
        '<div class="course-handout-link">',
    ]
    href = html.escape(up + page_path(slug))
    address = page_address(site, slug)
    if address:
        parts += [
            qr_svg(address),
            "<p><strong>This chapter in the course book:</strong><br>"
            f'<a class="course-handout-address" href="{href}">{shown(address)}</a></p>',
        ]
    else:
        parts.append(
            "<p><strong>This chapter in the course book:</strong><br>"
            f'<a class="course-handout-address" href="{href}">{shown(page_path(slug))}</a> '
            f'<span class="course-handout-no-site">({NO_SITE_NOTE})</span></p>'
        )
    parts += [
        "</div>",
        "</div>",
        f'<p class="course-handout-edition"><a href="{html.escape(large_print_name(slug))}">'
        "Large print edition (16-point type)</a></p>",
    ]
    return "".join(parts)


def notes_html(lines: int = 5) -> str:
    """A framed box of ``lines`` ruled lines (the CSS shows a few on screen, all of them on paper)."""
    ruled = '<div class="course-notes-line"></div>' * lines
    return f'<div class="course-handout-notes" aria-hidden="true">{ruled}</div>'


class HandoutLinksDirective(SphinxDirective):
    """``:::{course-handout-links} <chapter-slug>``: the essay's and the chapter's addresses, with QR codes."""

    required_arguments = 1

    def run(self):
        slug = self.arguments[0]
        if slug not in outline.ALL_CHAPTERS:
            raise self.error(f"unknown chapter {slug!r}; the chapters are: {', '.join(outline.ALL_CHAPTERS)}")
        config_file = Path(self.env.srcdir) / "_config.yml"
        self.env.note_dependency(str(config_file))  # a new readers: site: rebuilds the handouts
        depth = self.env.docname.count("/")
        return [nodes.raw("", links_html(slug, readers_site(config_file), depth), format="html")]


class HandoutNotesDirective(SphinxDirective):
    """``:::{course-handout-notes}`` (option ``:lines:``, 5 by default): a framed box of ruled lines."""

    option_spec = {"lines": directives.positive_int}

    def run(self):
        return [nodes.raw("", notes_html(self.options.get("lines", 5)), format="html")]


# ---------------------------------------------------------------------------------------------------------------
# The large-print edition

_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.I)
_EDITION = re.compile(r'<p class="course-handout-edition">.*?</p>', re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def large_print(page: str, slug: str) -> str:
    """The large-print copy of a handout page's HTML (to sit beside it in the same folder)."""

    def mark(m: re.Match) -> str:
        attrs = m.group(1)
        if re.search(r'\bclass="', attrs):
            attrs = re.sub(r'\bclass="', f'class="{LARGE_CLASS} ', attrs, count=1)
        else:
            attrs += f' class="{LARGE_CLASS}"'
        return f"<html{attrs}>"

    page = _HTML_TAG.sub(mark, page, count=1)
    page = _TITLE.sub(lambda m: f"<title>Large print: {m.group(1)}</title>", page, count=1)
    standard = (
        f'<p class="course-handout-edition"><a href="{html.escape(slug)}.html">'
        "Standard edition (12-point type)</a></p>"
    )
    return _EDITION.sub(lambda m: standard, page, count=1)


def _write_large_print(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / HANDOUTS_DIR
    for slug in outline.ALL_CHAPTERS:
        source = folder / f"{slug}.html"
        if not source.is_file():
            continue
        page = source.read_text(encoding="utf-8")
        if "course-handout-edition" not in page:
            LOG.warning("handout %s has no course-handout-links block: no large-print edition written", slug)
            continue
        target = folder / large_print_name(slug)
        text = large_print(page, slug)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def _add_static(app) -> None:
    if str(STATIC) not in [str(p) for p in app.config.html_static_path]:
        app.config.html_static_path.append(str(STATIC))
    app.add_css_file(CSS)


def _css_outdated(app, env, added, changed, removed) -> list[str]:
    """Sphinx copies static files only when some page is rebuilt: when only this CSS changed, rebuild the
    first handout so that the new file is copied."""
    if app.builder.format != "html":
        return []
    target = Path(app.outdir) / "_static" / CSS
    if target.is_file() and target.read_bytes() == (STATIC / CSS).read_bytes():
        return []
    first = f"{HANDOUTS_DIR}/{outline.ALL_CHAPTERS[0]}"
    return [first] if first in env.found_docs else []


def setup(app):
    app.add_directive("course-handout-links", HandoutLinksDirective)
    app.add_directive("course-handout-notes", HandoutNotesDirective)
    app.connect("builder-inited", _add_static)
    app.connect("env-get-outdated", _css_outdated)
    # after the pages are written, before the stylesheet bundle (priority 800) rewrites every page's link and
    # reads every page's classes (so the copies' class keeps its CSS rules)
    app.connect("build-finished", _write_large_print, priority=600)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
