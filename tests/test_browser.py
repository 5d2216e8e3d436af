"""The reader's experience, proven in a real browser (headless Chromium driven by Playwright).

The built book is served on 127.0.0.1 and every page of ``_toc.yml`` (plus search and the index) is visited once
in light mode on a laptop-sized window and once in dark mode on a phone-sized one.  The same pages are visited
again opened from disk (``file://``, as a reader who opens the built folder, a USB stick or a zip does), where
the browser refuses ``fetch()``: there every chart must still be drawn, with no console error, and the
self-checks, search and downloads must work (the checks of the page's HTML and CSS, axe and the stylesheet
purge, are the same on both and run over HTTP only).  Each visit records:

* every console error and uncaught exception;
* every request to a host other than the book's own (blocked, so the test never reaches the network);
* whether every plotly figure was drawn (an SVG of non-zero size) and follows the colour mode;
* the axe-core violations of the WCAG 2.0/2.1/2.2 A and AA rules;
* which rules left out of the book's one stylesheet (``course_helpers/book/styles.py``) would have applied to the page
  (after the charts are drawn, so classes added by scripts count too);
* a full-page screenshot in ``test-artifacts/screenshots/<mode>/``.

Tests then assert on those records page by page, so a failure names the page and the mode.  Separate tests drive
every self-check by mouse and by keyboard, check that answers survive a reload (local storage), that search finds
a glossary term, that printing hides the navigation but keeps the charts, and that each chapter offers its
notebook for download.

Set ``COURSE_BOOK_HTML=/path/to/_build/html`` to test an existing build instead of building (for quick iteration).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

from course_helpers import outline
from course_helpers.book import site as book_site
from course_helpers.book import sphinx_ext

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
# COURSE_SCREENSHOTS=1: a full-page screenshot of every page in both modes, in test-artifacts/screenshots/, to
# look at the book as readers see it (about a minute more; nothing is checked on them)
SCREENSHOTS = os.environ.get("COURSE_SCREENSHOTS") == "1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# light: a laptop; dark: a phone (most readers use one), so both layouts are checked without a third visit.
MODES = {
    "light": {"color_scheme": "light", "viewport": {"width": 1280, "height": 900}},
    "dark": {
        "color_scheme": "dark",
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}


PAGES = book_site.pages(ROOT)
# how the reader opens the book: served over HTTP, or opened from disk (file://)
WHERE = ["http", "file"]
# The colour modes each way of opening is checked in: both over HTTP; from disk the light mode (what differs on
# disk is how scripts, figures, search and downloads load, not the colours, which the HTTP visits check).
WHERE_MODES = [("http", "light"), ("http", "dark"), ("file", "light")]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


# ---------------------------------------------------------------------------------------------------------------
# Serving the book and driving the browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def book_html(request) -> Path:
    given = os.environ.get("COURSE_BOOK_HTML")
    if given:
        return Path(given)
    return request.getfixturevalue("built_book")


@pytest.fixture(scope="session")
def site(book_html):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(book_html))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def sites(site, book_html) -> dict[str, str]:
    """The book's address for each way of opening it (see WHERE)."""
    return {"http": site, "file": Path(book_html).resolve().as_uri() + "/"}


class _Done(Exception):
    """A visit that records no more (see _visit)."""


@dataclass
class Visit:
    page: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    theme: str = ""
    axe: list[dict] = field(default_factory=list)
    quiz_questions: int = 0
    plotly_requested: bool = False
    fonts_requested: list[str] = field(default_factory=list)
    purged_but_used: list[str] = field(default_factory=list)
    failure: str = ""
    seconds: dict = field(default_factory=dict)


def _new_context(browser, site: str, mode: str, sink: dict):
    """A browser context that blocks and records every request that leaves the book's own host."""
    context = browser.new_context(**MODES[mode])
    own = urlsplit(site).netloc

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own:
            sink.setdefault("third_party", []).append(r.request.url)
            return r.abort()
        return r.continue_()

    def note(request):  # every request, file:// ones too (which routes never see)
        parts = urlsplit(request.url)
        if parts.scheme in ("file",) or parts.netloc == own:
            sink.setdefault("own", []).append(parts.path)

    context.route("**/*", route)
    context.on("request", note)
    return context


FIGURE_STATE = r"""() => [...document.querySelectorAll('.course-plot')].map(el => {
  const svg = el.querySelector('svg.main-svg');
  const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const tick = el.querySelector('.xtick text, .ytick text');
  let box = el, background = '';
  while (box) {
    const bg = getComputedStyle(box).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\(.*, 0\)$/.test(bg)) { background = bg; break; }
    box = box.parentElement;
  }
  const edges = b => ({left: b.left, top: b.top, right: b.right, bottom: b.bottom});
  const parts = {};
  for (const [name, selector] of [['title', '.gtitle'], ['x-axis title', '.xtitle'], ['y-axis title', '.ytitle'],
                                  ['legend', '.legend'], ['toolbar', '.modebar'], ['menu', 'g.updatemenu-header-group']]) {
    el.querySelectorAll(selector).forEach((n, i) => {
      const b = n.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) parts[name + ' ' + (i + 1)] = edges(b);
    });
  }
  return {id: el.closest('figure') ? el.closest('figure').id : '', drawn: el.classList.contains('course-plot-drawn'),
          width: r.width, height: r.height, label: el.getAttribute('aria-label') || '',
          tick_fill: tick ? getComputedStyle(tick).fill : '', background, box: edges(el.getBoundingClientRect()), parts};
})"""


def _draw_all_charts(page) -> None:
    """Scroll to each chart (they are drawn as they come near the screen), wait until all are drawn, go back up."""
    if not page.locator(".course-plot").count():
        return
    # Each chart not yet drawn is brought into view and watched until it is drawn (up to 3 s; usually a fraction
    # of that), then the next; on a busy machine one may still be waiting after a pass, so passes repeat (with a
    # pause) until none is left, up to about 90 s in all
    for _ in range(20):
        left = page.evaluate("""async () => {
            const drawn = el => el.classList.contains('course-plot-drawn');
            for (const el of document.querySelectorAll('.course-plot')) {
              if (drawn(el)) continue;
              el.scrollIntoView();
              for (let t = 0; t < 60 && !drawn(el); t++) await new Promise(r => setTimeout(r, 50));
            }
            return [...document.querySelectorAll('.course-plot')].filter(el => !drawn(el)).length; }""")
        if not left:
            break
        page.wait_for_timeout(1_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.course-plot')].every(el => el.classList.contains('course-plot-drawn'))",
        timeout=30_000,
    )
    page.evaluate("window.scrollTo(0, 0)")


# Pseudo-classes of state and pseudo-elements, and :not(...), are replaced by :is(*) (which matches anything), so
# that a left-out selector asks "could this rule ever apply to an element of this page?"
_STATE = re.compile(
    r":not\((?:[^()]|\([^()]*\))*\)|::?(?:-(?:webkit|moz|ms)-[\w-]+|before|after|first-line|first-letter|marker|"
    r"selection|placeholder|backdrop|file-selector-button|hover|focus|focus-visible|focus-within|active|visited|"
    r"link|any-link|target|checked|disabled|enabled|indeterminate|invalid|valid|required|optional|"
    r"placeholder-shown|autofill|read-only|read-write|default|popover-open|modal|open|closed)(?![\w-])"
    r"(?:\((?:[^()]|\([^()]*\))*\))?"
)
MATCHING = """(selectors) => { const found = [];
  for (const s of selectors) {
    try { if (document.querySelector(s)) found.push(s); } catch (e) { found.push('cannot test ' + s); }
  }
  return found; }"""


def structural(selector: str) -> str:
    return _STATE.sub(":is(*)", selector)


@functools.cache
def _left_out(book_html: Path) -> tuple[str, ...]:
    from course_helpers.book import styles

    return tuple(sorted({structural(s) for s in styles.dropped_selectors(book_html)}))


def _visit(page, site: str, path: str, mode: str, sink: dict, axe, left_out=()) -> Visit:
    """Load one page and record what was seen; ``axe=None`` (opened from disk) skips axe, the stylesheet check
    and the screenshot (taken only with COURSE_SCREENSHOTS=1), which test the page's HTML and CSS, the same on
    both ways of opening it."""
    visit = Visit(path)
    started = time.monotonic()
    sink.clear()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console {m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    try:
        response = page.goto(site + path, wait_until="load")
        # a file:// page has no HTTP status: it loaded if its document is there
        visit.status = response.status if response and site.startswith("http") else 200
        page.wait_for_load_state("networkidle")
        _draw_all_charts(page)
        visit.figures = page.evaluate(FIGURE_STATE)
        visit.theme = page.evaluate("document.documentElement.dataset.theme")
        visit.quiz_questions = page.locator(".course-quiz .course-q").count()
        visit.purged_but_used = page.evaluate(MATCHING, list(left_out))
        visit.console_errors = list(errors)  # axe's own fetches (its CSSOM preload) are not the reader's
        visit.seconds["load"] = round(time.monotonic() - started, 2)
        if axe is None:
            raise _Done
        result = axe.run(
            page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        )
        visit.axe = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
                "count": len(v["nodes"]),
            }
            for v in result.response["violations"]
        ]
        visit.seconds["axe"] = round(time.monotonic() - started, 2)
        if SCREENSHOTS:
            shot = ARTIFACTS / "screenshots" / mode / (path.replace("/", "__").removesuffix(".html") + ".png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            visit.seconds["screenshot"] = round(time.monotonic() - started, 2)
    except _Done:
        pass
    except Exception as exc:  # recorded, so that one broken page does not hide the others' results
        visit.failure = f"{type(exc).__name__}: {exc}"
    if visit.failure:
        visit.console_errors = list(errors)
    visit.third_party = list(sink.get("third_party", []))
    visit.plotly_requested = any(p.endswith("/" + sphinx_ext.PLOTLY_SERVED) for p in sink.get("own", []))
    visit.fonts_requested = [p for p in sink.get("own", []) if p.endswith((".woff2", ".woff", ".ttf"))]
    return visit


@pytest.fixture(scope="session")
def visits(browser, sites, book_html):
    """Visit every page once per colour mode and way of opening (lazily, on first use); keep what was seen."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    cache: dict[tuple[str, str], dict[str, Visit]] = {}

    def get(mode: str, where: str = "http") -> dict[str, Visit]:
        if (mode, where) not in cache:
            sink: dict = {}
            base = sites[where]
            context = _new_context(browser, base, mode, sink)
            over_http = where == "http"
            left_out = _left_out(book_html) if over_http else ()
            results = {}
            for path in PAGES:
                page = context.new_page()  # a fresh page per visit: listeners never leak between pages
                results[path] = _visit(page, base, path, mode, sink, axe if over_http else None, left_out)
                page.close()
            context.close()
            cache[mode, where] = results
            report = {p: v.__dict__ for p, v in results.items()}
            ARTIFACTS.mkdir(exist_ok=True)
            name = f"browser-{mode}.json" if over_http else f"browser-{mode}-{where}.json"
            (ARTIFACTS / name).write_text(json.dumps(report, indent=1), encoding="utf-8")
        return cache[mode, where]

    return get


def _group(where: str, mode: str):
    """The tests that read one set of visits run on one worker when the tests run in parallel (conftest.py)."""
    return pytest.mark.xdist_group(f"browser-{where}-{mode}")


def _params():
    return [
        pytest.param(mode, path, id=f"{mode}-{path}", marks=_group("http", mode))
        for mode in MODES
        for path in PAGES
    ]


def _params_where():
    """Every page in both modes over HTTP, and opened from disk (WHERE_MODES)."""
    return [
        pytest.param(where, mode, path, id=f"{where}-{mode}-{path}", marks=_group(where, mode))
        for where, mode in WHERE_MODES
        for path in PAGES
    ]


def _params_modes():
    """Both modes over HTTP, and opened from disk (WHERE_MODES)."""
    return [
        pytest.param(where, mode, id=f"{mode}-{where}", marks=_group(where, mode))
        for where, mode in WHERE_MODES
    ]


# ---------------------------------------------------------------------------------------------------------------
# Every page, in both modes


@pytest.mark.parametrize(("where", "mode", "path"), _params_where())
def test_page_loads_without_console_errors(visits, where, mode, path):
    v = visits(mode, where)[path]
    assert not v.failure, f"{path} ({mode}, {where}): {v.failure}"
    assert v.status == 200, f"{path} ({mode}): HTTP {v.status}"
    assert not v.console_errors, f"{path} ({mode}, {where}):\n" + "\n".join(v.console_errors)


@pytest.mark.parametrize(("where", "mode", "path"), _params_where())
def test_page_requests_nothing_from_another_host(visits, where, mode, path):
    v = visits(mode, where)[path]
    assert not v.third_party, f"{path} ({mode}, {where}) asked other hosts for:\n" + "\n".join(v.third_party)


@pytest.mark.parametrize(("where", "mode", "path"), _params_where())
def test_every_figure_is_drawn_and_follows_the_mode(visits, where, mode, path):
    v = visits(mode, where)[path]
    assert not v.failure, v.failure
    assert v.theme == mode, f"{path}: the page is in {v.theme!r} mode, expected {mode!r}"
    for fig in v.figures:
        assert fig["drawn"] and fig["width"] > 100 and fig["height"] > 100, f"{path} ({mode}): {fig}"
        assert len(fig["label"]) > 30, f"{path}: figure {fig['id']} has no useful text alternative"
        rgb = [int(x) for x in re.findall(r"\d+", fig["tick_fill"])[:3]]
        assert rgb, f"{path}: figure {fig['id']} has no axis labels"
        light_text = sum(rgb) / 3 > 128
        assert light_text == (mode == "dark"), f"{path} ({mode}): axis labels are {fig['tick_fill']}"
        behind = [int(x) for x in re.findall(r"\d+", fig["background"])[:3]] or [255, 255, 255]
        light_behind = sum(behind) / 3 > 128
        assert light_behind != light_text, (
            f"{path} ({mode}): labels {fig['tick_fill']} on {fig['background']}"
        )


def _overlap(a: dict, b: dict, slack: float = 1) -> bool:
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


# pairs of a chart's parts that must never cover each other (the toolbar appears over the chart on hover)
APART = [
    ("title", "toolbar"),
    ("title", "menu"),
    ("menu", "menu"),
    ("menu", "toolbar"),
    ("x-axis title", "legend"),
]


@pytest.mark.parametrize(("where", "mode", "path"), _params_where())
def test_chart_titles_menus_and_legends_fit_and_do_not_overlap(visits, where, mode, path):
    """On the laptop (light) and on the phone (dark): every title, menu and legend inside the chart, none on
    another (course-figures.js fits the layout to the width)."""
    v = visits(mode, where)[path]
    assert not v.failure, v.failure
    for fig in v.figures:
        _assert_chart_fits(fig, f"{path} ({mode}), figure {fig['id']}")


def _assert_chart_fits(fig: dict, where: str) -> None:
    assert any(name.startswith("title") for name in fig["parts"]), f"{where}: no title drawn"
    outer = fig["box"]
    for name, b in fig["parts"].items():
        inside = (
            b["left"] >= outer["left"] - 6
            and b["right"] <= outer["right"] + 6
            and b["top"] >= outer["top"] - 6
            and b["bottom"] <= outer["bottom"] + 6
        )
        assert inside, f"{where}: the {name} {b} runs outside the chart {outer}"
    names = list(fig["parts"])
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            kinds = (a.rsplit(" ", 1)[0], b.rsplit(" ", 1)[0])
            if kinds in APART or kinds[::-1] in APART:
                assert not _overlap(fig["parts"][a], fig["parts"][b]), f"{where}: the {a} covers the {b}"


def test_charts_fit_again_when_the_window_changes_width(browser, site):
    """A laptop window made phone-narrow and wide again (or a phone turned): the drawn charts fit each width."""
    sink: dict = {}
    context = _new_context(browser, site, "light", sink)
    page = context.new_page()
    page.goto(site + "chapters/the-record.html")
    page.wait_for_load_state("networkidle")
    _draw_all_charts(page)
    for width, toolbar in ((390, False), (1280, True)):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(1_500)  # the script waits for the resizing to settle, then redraws
        figures = page.evaluate(FIGURE_STATE)
        assert len(figures) >= 5
        for fig in figures:
            where = f"the-record at {width} px, figure {fig['id']}"
            _assert_chart_fits(fig, where)
            assert fig["box"]["right"] <= width, f"{where}: wider than the window"
            assert any(n.startswith("toolbar") for n in fig["parts"]) == toolbar, f"{where}: {fig['parts']}"
    context.close()


@pytest.mark.parametrize(("mode", "path"), _params())
def test_axe_finds_no_wcag_violation(visits, mode, path):
    v = visits(mode)[path]
    assert not v.failure, v.failure
    assert not v.axe, f"{path} ({mode}):\n" + "\n".join(
        f"- {a['id']} ({a['impact']}, {a['count']} elements): {a['help']}; e.g. {a['nodes']}" for a in v.axe
    )


@pytest.mark.parametrize(("mode", "path"), _params())
def test_no_rule_left_out_of_the_stylesheet_applies(visits, mode, path):
    v = visits(mode)[path]
    assert not v.failure, v.failure
    assert not v.purged_but_used, (
        f"{path} ({mode}): rules removed by styles.py match elements here:\n"
        + "\n".join(v.purged_but_used[:20])
    )


# one page of each kind: the purge must not change a pixel of them (test below)
LOOKS = [
    "index.html",
    CHAPTERS[0],
    "chapters/the-record.html",
    "chapters/glossary.html",
    "chapters/bibliography.html",
    "facilitator/grading.html",
    "handouts/index.html",
    "search.html",
]


@pytest.mark.xdist_group("browser-looks")
@pytest.mark.parametrize("mode", list(MODES))
def test_the_purged_stylesheet_looks_exactly_like_the_full_one(browser, site, book_html, mode):
    """Full-page screenshots with the book's stylesheet and with the same bundle with nothing left out
    (styles.full_css) are identical, byte for byte."""
    from course_helpers.book import styles

    full = styles.full_css(book_html)

    def shots_of(paths, pause: int = 0) -> dict[str, dict[str, bytes]]:
        """{path: {"purged": png, "full": png}}: each page with the book's stylesheet and with the full one."""
        out: dict[str, dict[str, bytes]] = {}
        for label in ("purged", "full"):
            context = browser.new_context(**MODES[mode])
            if label == "full":
                context.route(
                    "**/course-styles.css*", lambda r: r.fulfill(body=full, content_type="text/css")
                )
            for path in paths:
                page = context.new_page()
                page.goto(site + path)
                page.wait_for_load_state("networkidle")
                _draw_all_charts(page)
                page.wait_for_timeout(pause)
                out.setdefault(path, {})[label] = page.screenshot(full_page=True, animations="disabled")
                page.close()
            context.close()
        return out

    shots = shots_of(LOOKS)
    differ = [path for path, s in shots.items() if s["purged"] != s["full"]]
    # A page still settling (a late font or chart frame) can differ by chance: look once more, both ways, after a
    # pause; a rule the purge really dropped changes the page every time.
    if differ:
        shots.update(shots_of(differ, pause=1500))
        differ = [path for path in differ if shots[path]["purged"] != shots[path]["full"]]
    for path in differ:
        for label, png in shots[path].items():
            target = ARTIFACTS / "style-diff" / mode / f"{path.replace('/', '__')}-{label}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png)
    assert not differ, (
        f"the purged stylesheet changes how these pages look ({mode}): {differ}; see test-artifacts/style-diff"
    )


def test_pages_link_one_stylesheet(book_html):
    """One render-blocking stylesheet (styles.py), named by its content hash, and it exists."""
    for path in PAGES:
        html = (book_html / path).read_text(encoding="utf-8")
        links = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
        assert len(links) == 1 and "_static/course-styles.css?v=" in links[0], f"{path}: {links}"
        assert (book_html / path).parent.joinpath(links[0].split("?")[0]).resolve().is_file(), path
    assert len(_left_out(book_html)) > 1000, "the bundle left out fewer rules than expected: is the purge on?"


@pytest.mark.parametrize("path", PAGES)
def test_page_html_is_within_the_weight_budget(book_html, path):
    """150 KB of HTML at most: figure data lives in _static/figures/, plotly.js in _static (see pagefix.py)."""
    size = (book_html / path).stat().st_size
    assert size <= 150_000, f"{path} is {size:,} bytes of HTML; the budget is 150,000"


@pytest.mark.parametrize(("where", "mode"), _params_modes())
def test_only_pages_with_a_chart_load_plotly(visits, mode, where):
    for path, v in visits(mode, where).items():
        assert v.plotly_requested == bool(v.figures), (
            f"{path}: {len(v.figures)} charts, plotly.js {'was' if v.plotly_requested else 'was not'} fetched"
        )


@pytest.mark.parametrize(("where", "mode"), _params_modes())
def test_no_page_downloads_an_icon_font(visits, mode, where):
    """Icons are CSS masks (course_helpers/book/icons.py): Font Awesome's fonts were 275 KB of every first visit."""
    fetched = {path: v.fonts_requested for path, v in visits(mode, where).items() if v.fonts_requested}
    assert not fetched, fetched


@pytest.mark.parametrize("where", [pytest.param(w, marks=_group(w, "light")) for w in WHERE])
def test_chapters_with_figures_and_quizzes_exist(visits, where):
    """Guards the tests above against passing vacuously (e.g. if no chart or quiz reached any page)."""
    light = visits("light", where)
    assert sum(len(v.figures) for v in light.values()) >= 2
    assert sum(v.quiz_questions for v in light.values()) >= 3


# ---------------------------------------------------------------------------------------------------------------
# Self-checks: mouse, keyboard, screen-reader semantics, memory


def _light_page(browser, base):
    sink: dict = {}
    context = _new_context(browser, base, "light", sink)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(f"console {m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type == "error"
            else None
        ),
    )
    yield page
    context.close()
    assert not sink.get("third_party"), sink["third_party"]
    assert not errors, errors


@pytest.fixture
def light_page(browser, site):
    """A laptop-sized page over HTTP; fails the test on an uncaught error, a console error or a request to
    another host."""
    yield from _light_page(browser, site)


@pytest.fixture(params=WHERE)
def reader(request, browser, sites):
    """(a page like light_page, the book's address), over HTTP and opened from disk."""
    base = sites[request.param]
    for page in _light_page(browser, base):
        yield page, base


@pytest.mark.parametrize("mode", list(MODES))
def test_sidebar_buttons_open_the_contents(browser, site, book_html, mode):
    """The visible sidebar buttons work (course-theme-fix.js): on the phone they open the book's contents and the
    page's contents as panels; on the laptop the first folds the sidebar away and back.  No rule left out of the
    stylesheet applies to the panels once open."""
    sink: dict = {}
    context = _new_context(browser, site, mode, sink)
    page = context.new_page()
    page.goto(site + CHAPTERS[0])
    page.wait_for_load_state("networkidle")
    sidebar = page.locator("#pst-primary-sidebar")
    if mode == "dark":  # the phone
        for name, dialog in (
            ("primary", "#pst-primary-sidebar-modal"),
            ("secondary", "#pst-secondary-sidebar-modal"),
        ):
            page.locator(f".{name}-toggle:visible").first.click()
            page.wait_for_selector(f"{dialog}[open]", timeout=5_000)
            panel = page.locator(dialog)
            assert panel.bounding_box()["width"] > 200, f"the {name} panel is not shown"
            used = page.evaluate(MATCHING, list(_left_out(book_html)))
            assert not used, f"rules removed by styles.py match the open {name} panel: {used[:10]}"
            page.keyboard.press("Escape")
            page.wait_for_selector(f"{dialog}:not([open])", state="attached", timeout=5_000)
        page.locator(".primary-toggle:visible").first.click()
        glossary = page.locator("#pst-primary-sidebar-modal a[href$='glossary.html']")
        assert glossary.is_visible(), "the book's contents do not list the glossary"
        glossary.click()
        page.wait_for_url("**/glossary.html")
    else:
        shown = sidebar.bounding_box()["width"]
        assert shown > 150
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(
            "document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"
        )
        page.wait_for_timeout(400)  # the theme animates the fold
        box = sidebar.bounding_box()
        assert box is None or box["width"] < shown / 2 or not sidebar.is_visible(), box
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(
            "!document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')",
            timeout=5_000,
        )
    context.close()
    assert not sink.get("third_party"), sink["third_party"]


def _quiz_pages(book_html: Path) -> list[str]:
    return [
        p
        for p in CHAPTERS
        if (book_html / p).is_file() and 'class="course-quiz"' in (book_html / p).read_text()
    ]


def _feedback(form):
    return form.locator(".course-feedback").inner_text().strip()


# Read in the page, one call per question (each call to the browser costs a round trip):
# what a screen reader needs (a fieldset named by its legend, labelled radios, a polite live feedback region, an
# explanation for every option), and the options' values and ids
QUIZ_QUESTION = """(form) => {
  const problems = [], options = [];
  const legend = form.querySelector('fieldset > legend');
  if (!legend || !legend.innerText.trim()) problems.push('no legend');
  for (const r of form.querySelectorAll('input[type=radio]')) {
    const label = form.querySelector(`label[for="${r.id}"]`);
    if (!label || !label.innerText.trim()) problems.push(`option ${r.value} unlabelled`);
    const why = form.querySelector(`.course-explanations [data-option="${r.value}"]`);
    if (!why || why.textContent.trim().length <= 5) problems.push(`option ${r.value}: no explanation`);
    options.push([r.value, r.id]);
  }
  const feedback = form.querySelector('.course-feedback');
  if (!feedback || feedback.getAttribute('aria-live') !== 'polite') problems.push('feedback is not announced');
  return {problems, options};
}"""
# after a check: the option's explanation, whether it is the right one, and the feedback shown
QUIZ_MARKED = """(form, key) => {
  const why = form.querySelector(`.course-explanations [data-option="${key}"]`);
  return [why.textContent.trim(), why.dataset.correct === 'true', form.querySelector('.course-feedback').innerText.trim()];
}"""


QUIZ_EVERY_OPTION = (
    """(form) => [...form.querySelectorAll('input[type=radio]')].map(r => {
  form.querySelector(`label[for="${r.id}"]`).click();
  form.querySelector('.course-check').click();
  return [r.value, ...("""
    + QUIZ_MARKED
    + """)(form, r.value)];
})"""
)


def test_every_quiz_works_by_mouse_and_keyboard_and_is_remembered(reader, book_html):
    pages = _quiz_pages(book_html)
    assert pages, "no chapter has a self-check"
    page, base = reader
    for path in pages:
        page.goto(base + path)
        page.evaluate("localStorage.clear()")
        page.reload()
        forms = page.locator(".course-quiz .course-q")
        n = forms.count()
        assert n >= 1, path
        for i in range(n):
            form = forms.nth(i)
            question = form.evaluate(QUIZ_QUESTION)
            assert not question["problems"], f"{path} q{i + 1}: {question['problems']}"

            # every option chosen and checked (clicked in the page, one call for all), then one by mouse: the
            # right feedback and that option's explanation each time
            marked = form.evaluate(QUIZ_EVERY_OPTION)
            key, rid = question["options"][-1]
            form.locator(f'label[for="{rid}"]').click()
            form.locator(".course-check").click()
            marked.append([key, *form.evaluate(QUIZ_MARKED, key)])
            assert [m[0] for m in marked] == [k for k, _ in question["options"]] + [key]
            for key, text, right, shown in marked:
                assert shown.startswith("Correct." if right else "Not quite."), (
                    f"{path} q{i + 1}/{key}: {shown}"
                )
                assert text in shown, f"{path} q{i + 1}/{key}: the explanation is not shown"

            # by keyboard: Tab into the group, arrows to choose, Tab to "Check", Enter to mark
            form.locator("input[type=radio]").first.focus()
            page.keyboard.press("ArrowDown")
            chosen = form.locator("input:checked").get_attribute("value")
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.className")
            assert "course-check" in focused, f"{path} q{i + 1}: Tab from the options goes to {focused!r}"
            page.keyboard.press("Enter")
            text, _, shown = form.evaluate(QUIZ_MARKED, chosen)
            assert text in shown, f"{path} q{i + 1}: the keyboard answer {chosen} was not marked"

        # the last answers are remembered after a reload, and the progress line counts them
        remembered = page.evaluate(
            "() => [...document.querySelectorAll('.course-quiz .course-q')].map(f => f.querySelector('input:checked')?.value)"
        )
        page.reload()
        restored = page.evaluate(
            """() => [...document.querySelectorAll('.course-quiz .course-q')].map(f =>
                 [f.querySelector('input:checked')?.value, f.querySelector('.course-feedback').innerText.trim()])"""
        )
        assert [value for value, _ in restored] == remembered, f"{path}: answers not remembered"
        assert all(feedback for _, feedback in restored), f"{path}: feedback not restored"
        progress = page.locator(".course-quiz-progress").first.inner_text()
        assert f"answered {n} of {n}" in progress, progress
        # the classes the quiz script adds to answered questions are styled by rules the bundle kept
        used = page.evaluate(MATCHING, list(_left_out(book_html)))
        assert not used, f"{path}: rules removed by styles.py match the answered quiz: {used[:10]}"


def test_unanswered_check_asks_for_a_choice(reader, book_html):
    pages = _quiz_pages(book_html)
    page, base = reader
    page.goto(base + pages[0])
    page.evaluate("localStorage.clear()")
    page.reload()
    form = page.locator(".course-quiz .course-q").first
    form.locator(".course-check").click()
    assert "Choose one of the answers first" in _feedback(form)


# ---------------------------------------------------------------------------------------------------------------
# Search, downloads, print


def _glossary_term(book_html: Path) -> str:
    html = (book_html / "chapters" / "glossary.html").read_text(encoding="utf-8")
    terms = re.findall(r'<dt id="term-[^"]+">([^<]+)<', html)
    assert terms, "the glossary has no terms"
    return terms[len(terms) // 2]


def test_search_finds_a_glossary_term(reader, book_html):
    """From the search box, as a reader searches; results link to pages that open (also from disk, where the
    results come without their summary lines: see course-theme-fix.js)."""
    term = _glossary_term(book_html)
    page, base = reader
    page.goto(base + "chapters/glossary.html")
    page.locator(".search-button__button:visible, button.search-button:visible").first.click()
    page.locator("input[name=q]:visible").first.fill(term)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_selector("#search-results li", timeout=20_000)
    links = page.locator("#search-results li a")
    hrefs = links.evaluate_all("els => els.map(a => a.getAttribute('href'))")
    glossary = [i for i, h in enumerate(hrefs) if "glossary" in (h or "")]
    assert glossary, f"searching {term!r} found {hrefs}"
    page.wait_for_load_state("networkidle")  # the summaries (over HTTP) are fetched after the list
    links.nth(glossary[0]).click()
    page.wait_for_url("**/chapters/glossary.html*")
    assert page.locator("dt").count() > 5, "the search result did not open the glossary"


def _download(page, link) -> tuple[str, bytes]:
    with page.expect_download(timeout=10_000) as got:
        link.click()
    return got.value.suggested_filename, Path(got.value.path()).read_bytes()


def test_notebook_downloads_save_the_notebook(reader, book_html):
    """A click on an assignment's download link (``course-assignment``) or on the theme's ".ipynb" button saves
    the notebook, byte for byte, over HTTP and from disk (where course-downloads.js does it: browsers ignore the
    download attribute of a file:// page)."""
    page, base = reader
    page.context.set_default_timeout(10_000)
    chapter = "chapters/party-question.html"
    page.goto(base + chapter)
    links = page.locator("a.course-assignment-download")
    if not links.count():  # no chapter links an assignment yet: a link as the directive writes it
        page.evaluate("""() => { const p = document.createElement('p'); p.innerHTML =
            '<a class="btn btn-sm course-assignment-download" href="../assignments/party-question.ipynb" ' +
            'download="party-question.ipynb">Download</a>'; document.querySelector('main').prepend(p); }""")
    link = page.locator("a.course-assignment-download").first
    href = link.get_attribute("href")
    name, data = _download(page, link)
    target = (book_html / chapter).parent / href
    assert name == target.name and data == target.read_bytes(), f"{chapter}: {href} saved as {name}"
    assert json.loads(data)["cells"], f"{href} is an empty notebook"

    page.goto(base + chapter)
    button = page.locator("a.btn-download-notebook-button")
    page.locator(".dropdown-download-buttons button").first.click()
    name, data = _download(page, button)
    target = (book_html / chapter).parent / button.get_attribute("href")
    assert name == target.name and data == target.read_bytes(), f"{chapter}: the theme's notebook download"


# the pages that are notebooks (the glossary and bibliography are plain pages with nothing to download)
NOTEBOOK_PAGES = [f"chapters/{slug}.html" for slug in (*outline.ALL_CHAPTERS, "the-record")]


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_chapter_offers_its_notebook_for_download(book_html, path):
    html = (book_html / path).read_text(encoding="utf-8")
    match = re.search(r'href="([^"]+\.ipynb)"[^>]*btn-download-notebook-button', html)
    assert match, f"{path} offers no .ipynb download"
    target = (book_html / path).parent / match.group(1)
    nb = json.loads(target.read_text(encoding="utf-8"))
    assert nb["cells"], f"{target} is an empty notebook"


def test_chapters_print_without_navigation_but_with_charts(light_page, site, book_html):
    page = light_page
    printed = [p for p in CHAPTERS if 'class="course-figure"' in (book_html / p).read_text(encoding="utf-8")]
    assert printed, "no chapter has a figure"
    for path in printed:
        page.goto(site + path)
        _draw_all_charts(page)
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.bd-sidebar-primary', '.bd-header', '.bd-sidebar-secondary',
            '.header-article', '.prev-next-area'].map(s => { const el = document.querySelector(s);
            return [s, !el || el.offsetParent === null || getComputedStyle(el).display === 'none']; })""")
        assert all(h for _, h in hidden), f"{path}: visible in print: {[s for s, h in hidden if not h]}"
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('.course-plot svg.main-svg')]"
            ".map(s => s.getBoundingClientRect().width)"
        )
        assert sizes and all(w > 100 for w in sizes), f"{path}: charts in print {sizes}"
        page.pdf(path=str(ARTIFACTS / f"print-{Path(path).stem}.pdf"))  # to look at, as a reader would
        page.emulate_media(media="screen")


def test_charts_not_yet_drawn_print_their_data_table(light_page, site, book_html):
    """A reader who prints before scrolling to a chart gets its data table, not a blank box."""
    page = light_page
    path = next(p for p in CHAPTERS if 'class="course-figure"' in (book_html / p).read_text(encoding="utf-8"))
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    undrawn = page.evaluate("document.querySelectorAll('.course-plot:not(.course-plot-drawn)').length")
    assert undrawn, f"{path}: every chart was drawn at once; charts below the fold should wait (page weight)"
    assert not page.evaluate("!!window.Plotly"), (
        f"{path}: plotly.js loaded before any chart was near the screen"
    )
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    state = page.evaluate("""() => [...document.querySelectorAll('.course-figure')].map(f => {
        const plot = f.querySelector('.course-plot'), table = f.querySelector('.course-figure-data');
        return {drawn: plot.classList.contains('course-plot-drawn'), plotShown: plot.offsetHeight > 0,
                tableOpen: !!(table && table.open)}; })""")
    for fig in state:
        assert fig["drawn"] or (not fig["plotShown"] and fig["tableOpen"]), f"{path}: {fig}"
    page.emulate_media(media="screen")
