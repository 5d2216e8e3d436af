"""Handouts that work on paper (issue 14).

Each session's handout prints from Chromium on at most two pages of A4 and of US Letter with its body text at
12 pt or more (the computed font size in print emulation, not the stylesheet's word for it); the large-print
edition prints at 16 pt or more (its page count is reported, not limited).  Every handout prints the essay's
address and the chapter's address in full, and its QR codes hold exactly those addresses: no QR decoder is a
maintained package we can install here, so a code's modules, read from the page's SVG, are compared with the
matrix segno makes for the address.  The PDFs and the page counts are kept in test-artifacts/handouts/.
"""

from __future__ import annotations

import fcntl
import re

import pytest
from conftest import ROOT

from course_helpers import outline, readability
from course_helpers.book import handouts

HANDOUTS = sorted(p.stem for p in (ROOT / "handouts").glob("*.md") if p.stem != "index")
PAPERS = ("A4", "Letter")
ARTIFACTS = ROOT / "test-artifacts" / "handouts"
CARD_ROWS = ("Connolly's claim", "His evidence", "What the sources say", "CounterPower's reply")
PT = 4 / 3  # CSS pixels per point


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF ('/Type /Page', not the '/Pages' tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def svg_modules(svg: str) -> list[list[bool]]:
    """The dark modules of a segno SVG QR code (one path of horizontal runs), as rows of booleans.

    segno draws each run of dark modules as ``h<length>`` on the line ``y + 0.5``; ``m`` moves relatively."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path[^>]*class="qrline"[^>]*\sd="([^"]+)"', svg) or re.search(
        r'<path[^>]*\sd="([^"]+)"[^>]*class="qrline"', svg
    )
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHh])([-\d. ]+)", path.group(1)):
        numbers = [float(n) for n in args.split()]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            length = numbers[0] if op == "h" else numbers[0] - x
            for column in range(int(round(x)), int(round(x + length))):
                grid[int(y)][column] = True
            x += length
    return grid


def segno_modules(address: str) -> list[list[bool]]:
    """What the code of ``address`` must show: segno's matrix with the 4-module quiet zone the page draws."""
    matrix = [[bool(v) for v in row] for row in handouts.qr_code(address).matrix]
    size = len(matrix) + 8
    grid = [[False] * size for _ in range(size)]
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            grid[r + 4][c + 4] = dark
    return grid


# ---------------------------------------------------------------------------------------------------------------
# Unit tests on tiny literal input (no build)


def test_pdf_page_counter():
    assert pdf_pages(b"<< /Type /Pages /Kids [1 0 R 2 0 R] >> << /Type /Page >> << /Type/Page >>") == 2


def test_every_session_has_a_handout():
    assert sorted(outline.ALL_CHAPTERS) == HANDOUTS


def test_svg_reader_reads_a_code_back():
    svg = handouts.qr_svg("https://example.org/a")
    assert svg_modules(svg) == segno_modules("https://example.org/a")
    assert svg_modules(svg) != segno_modules("https://example.org/b")


def test_links_without_the_books_address_print_the_path_and_ask_the_facilitator():
    block = handouts.links_html("role-of-cadre", "", depth=1)
    assert block.count("<svg") == 1 and f'aria-label="QR code for {handouts.ESSAY_URL}"' in block
    assert 'href="../chapters/role-of-cadre.html"' in block
    assert "chapters/<wbr>role-of-cadre.html" in block and handouts.NO_SITE_NOTE in block
    assert 'href="role-of-cadre-large-print.html"' in block


def test_links_with_the_books_address_print_it_and_encode_it():
    block = handouts.links_html("role-of-cadre", "https://example.org/book/", depth=1)
    address = "https://example.org/book/chapters/role-of-cadre.html"
    codes = re.findall(r"<svg.*?</svg>", block, re.S)
    assert len(codes) == 2 and handouts.NO_SITE_NOTE not in block
    assert svg_modules(codes[1]) == segno_modules(address)
    assert re.sub(r"<wbr>", "", block).count(address) == 2  # printed, and named in the code's label


def test_readers_site_comes_from_config(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text('title: x\nreaders:\n  site: "https://example.org/book"\n', encoding="utf-8")
    assert handouts.readers_site(config) == "https://example.org/book"
    config.write_text('readers:\n  site: ""\n', encoding="utf-8")
    assert handouts.readers_site(config) == ""


def test_large_print_copy_is_marked_and_links_back():
    page = (
        '<html lang="en" data-theme="light"><head><title>Handout</title></head><body>'
        '<p class="course-handout-edition"><a href="x-large-print.html">Large print</a></p></body></html>'
    )
    copy = handouts.large_print(page, "x")
    assert f'class="{handouts.LARGE_CLASS}"' in copy and "<title>Large print: Handout</title>" in copy
    assert 'href="x.html"' in copy and "x-large-print.html" not in copy
    marked = handouts.large_print('<html class="a"><body></body></html>', "x")
    assert f'class="{handouts.LARGE_CLASS} a"' in marked


@pytest.mark.parametrize("slug", HANDOUTS)
def test_handout_has_every_part(slug):
    text = (ROOT / "handouts" / f"{slug}.md").read_text(encoding="utf-8")
    assert f":::{{course-handout-links}} {slug}\n" in text, "the addresses and QR codes"
    assert "## After this session I can" in text, "the objectives in the member's words"
    assert ":::{container} course-argument-card" in text, "the both-sides argument card"
    rows = re.findall(r"^\| \*\*(.+?)\*\* \|", text, re.M)
    assert tuple(rows) == CARD_ROWS, f"the card's rows are {rows}"
    assert ":::{course-handout-notes}" in text, "the notes area"
    assert "## Discussion questions" in text


@pytest.mark.parametrize("slug", HANDOUTS)
def test_handout_reads_at_grade_ten_or_below(slug):
    grade = readability.grade(ROOT / "handouts" / f"{slug}.md")
    assert grade <= 10, f"handouts/{slug}.md reads at grade {grade:.1f}; shorten sentences"


# ---------------------------------------------------------------------------------------------------------------
# The built book, printed from Chromium

# the smallest computed font size of the text a member reads (visible paragraphs, list items, table cells)
SMALLEST_TEXT = """() => {
  const text = [...document.querySelectorAll('.bd-article :is(p, li, td, th, dd, dt)')]
    .filter(e => e.offsetParent !== null && e.textContent.trim());
  return text.length ? Math.min(...text.map(e => parseFloat(getComputedStyle(e).fontSize))) : 0;
}"""
PRINTED_TEXT = "() => document.querySelector('.bd-article').innerText"


def print_page(browser, path, paper):
    page = browser.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    smallest = page.evaluate(SMALLEST_TEXT)
    printed = page.evaluate(PRINTED_TEXT)
    codes = page.eval_on_selector_all("svg.course-qr", "els => els.map(e => e.outerHTML)")
    pdf = page.pdf(format=paper, print_background=False)
    page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{path.stem}-{paper}.pdf").write_bytes(pdf)
    return pdf_pages(pdf), smallest, printed, codes


@pytest.fixture(scope="module")
def page_counts():
    counts: dict[str, int] = {}
    yield counts
    if counts:
        # tests may run in several processes (pytest-xdist): each merges its counts into the one table
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        table = ARTIFACTS / "page-counts.tsv"
        with open(ARTIFACTS / "page-counts.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            known = (
                dict(
                    line.split("\t")
                    for line in table.read_text(encoding="utf-8").splitlines()[1:]
                    if "\t" in line
                )
                if table.is_file()
                else {}
            )
            known.update({name: str(pages) for name, pages in counts.items()})
            lines = [f"{name}\t{pages}" for name, pages in sorted(known.items())]
            table.write_text("page\tpages\n" + "\n".join(lines) + "\n", encoding="utf-8")
        print("\nhandout pages printed:\n" + "\n".join(f"{n}\t{p}" for n, p in sorted(counts.items())))


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("slug", HANDOUTS)
def test_handout_prints_on_two_pages_at_twelve_points(built_book, browser, page_counts, slug, paper):
    pages, smallest, printed, codes = print_page(browser, built_book / "handouts" / f"{slug}.html", paper)
    page_counts[f"{slug} {paper}"] = pages
    assert 1 <= pages <= 2, f"handouts/{slug} prints on {pages} {paper} pages; shorten it"
    assert smallest >= 12 * PT - 0.01, f"handouts/{slug} prints text at {smallest / PT:.1f} pt (at least 12)"
    assert_addresses(slug, printed, codes)


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("slug", HANDOUTS)
def test_large_print_edition_prints_at_sixteen_points(built_book, browser, page_counts, slug, paper):
    path = built_book / "handouts" / handouts.large_print_name(slug)
    assert path.is_file(), f"no large-print edition of handouts/{slug}"
    pages, smallest, printed, codes = print_page(browser, path, paper)
    page_counts[f"{slug} large print {paper}"] = pages
    assert pages >= 1
    assert smallest >= 16 * PT - 0.01, f"{path.name} prints text at {smallest / PT:.1f} pt (at least 16)"
    assert_addresses(slug, printed, codes)


def assert_addresses(slug: str, printed: str, codes: list[str]) -> None:
    """Both addresses printed in full; the essay's QR code (and the chapter's, when the book's address is set)
    shows exactly the modules of its address."""
    site = handouts.readers_site(ROOT / "_config.yml")
    flat = printed.replace("\n", "")
    assert handouts.ESSAY_URL in flat, f"handouts/{slug} does not print the essay's address"
    address = handouts.page_address(site, slug)
    if address:
        assert address in flat, f"handouts/{slug} does not print {address}"
    else:
        assert handouts.page_path(slug) in flat and handouts.NO_SITE_NOTE in flat
    expected = [handouts.ESSAY_URL] + ([address] if address else [])
    labels = [re.search(r'aria-label="QR code for ([^"]+)"', code).group(1) for code in codes]
    assert labels == expected, f"handouts/{slug} has QR codes for {labels}"
    for code, url in zip(codes, expected, strict=True):
        assert svg_modules(code) == segno_modules(url), f"handouts/{slug}: the QR code does not hold {url}"


@pytest.mark.build
def test_large_print_links_resolve(built_book):
    """The copy sits beside the original, so every local asset and page it links must exist from there."""
    folder = built_book / "handouts"
    for slug in HANDOUTS:
        page = (folder / handouts.large_print_name(slug)).read_text(encoding="utf-8")
        assert 'href="' + f'{slug}.html"' in page, "the large-print copy links back to the standard edition"
        original = (folder / f"{slug}.html").read_text(encoding="utf-8")
        assert f'href="{handouts.large_print_name(slug)}"' in original, "the handout links to its large print"
        for target in re.findall(r'(?:href|src)="([^"#?]+)', page):
            if re.match(r"[a-z]+:", target) or target.startswith("/"):
                continue
            assert (folder / target).exists(), f"{handouts.large_print_name(slug)} links to missing {target}"
