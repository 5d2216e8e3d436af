#!/usr/bin/env python3
"""Benchmark the book: build times, page weight, bytes a reader's browser downloads, and Lighthouse scores.

    python3 tasks.py bench                         # build twice into a temporary folder, then measure every page
    python3 tasks.py bench --suite                 # ... and time the whole test suite (python3 tasks.py test)
    python scripts/benchmark.py --html _build/html # measure an existing build (no build timings)
    python scripts/benchmark.py --lighthouse /path/to/node_modules/.bin/lighthouse

It prints:

* the cold build (empty cache: every notebook executes, the assignments are released) and a no-change
  rebuild, in seconds, with how many notebooks each executed, against the target of 60 s, and the machine's load
  while it ran (the machine may be shared: a loaded machine gives longer times);
* with ``--suite``, the whole test suite's time (``python3 tasks.py test``, as CI runs it) against its target of
  10 minutes, and pytest's closing summary line;
* the size of the plotly.js the book serves (once per site, from ``_static``) and of the figure data files;
* the one stylesheet every page links (course_helpers/book/styles.py), compressed, against the stylesheets it
  replaces;
* for every page of the table of contents (and search, index): its HTML bytes (budget 150 KB); the bytes the
  browser transferred on a first visit with an empty cache (as loaded, and after scrolling so every chart is
  drawn) and on a repeat visit; and whether plotly.js was fetched;
* with ``--lighthouse``, Lighthouse's performance and accessibility scores (mobile, its default) per page.
  Lighthouse is not a dependency of the course: install it for a benchmark run only, e.g.
  ``npm install lighthouse@12.2.3`` in a temporary folder; it drives Debian's Chromium through CHROME_PATH.

The book is served on 127.0.0.1 gzipped with ``Cache-Control: max-age=600`` (as GitHub Pages serves it), so the repeat
visit shows what the browser cache saves.  Nothing is fetched from any other host.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from course_helpers.book import site as book_site
from course_helpers.book import sphinx_ext, styles

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = book_site.CHROMIUM_ARGS
HTML_BUDGET = 150_000


# ---------------------------------------------------------------------------------------------------------------
# Build


def build(out: Path) -> tuple[float, int]:
    """Build the book into ``out`` as ``tasks.py build`` does; return (seconds, notebooks executed)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "course_helpers.book.build", str(ROOT), "-W", "-n", "--keep-going"]
        + ["--path-output", str(out)],
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        sys.exit("the build failed:\n" + log[-4000:])
    return seconds, len(re.findall(r"Executing notebook using", log))


def load() -> str:
    """The machine's load average over the last minute, and its cores."""
    if not hasattr(os, "getloadavg"):
        return "load unknown"
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def suite() -> tuple[float, int, str]:
    """Run the whole test suite as CI does; return (seconds, exit status, pytest's closing summary line)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tasks.py"), "test", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    lines = [line for line in result.stdout.splitlines() if line.startswith("=") or " in " in line]
    return seconds, result.returncode, (lines[-1].strip("= ") if lines else "(no summary line)")


# ---------------------------------------------------------------------------------------------------------------
# Serving and measuring in the browser


class CachingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the book as a static host such as GitHub Pages does: gzip for text, ``max-age=600``."""

    COMPRESS = (".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".ttf")
    _gzipped: dict[str, bytes] = {}

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (
            "gzip" not in self.headers.get("Accept-Encoding", "")
            or not path.is_file()
            or not path.name.endswith(self.COMPRESS)
        ):
            return super().do_GET()
        key = str(path)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=6)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CachingHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Transfer:
    """Bytes received over the network for one page load (CDP Network.loadingFinished.encodedDataLength)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.bytes = 0
        self.session.on(
            "Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"])
        )
        self.session.on("Network.loadingFinished", self._finished)
        self.fetched: list[str] = []

    def _finished(self, event):
        self.bytes += int(event.get("encodedDataLength", 0))
        if event.get("encodedDataLength", 0) > 0:
            self.fetched.append(self.urls.get(event["requestId"], ""))

    def reset(self):
        self.bytes = 0
        self.fetched = []


def scroll_to_charts(page) -> None:
    if page.locator(".course-plot").count():
        page.evaluate("""async () => { for (const el of document.querySelectorAll('.course-plot')) {
            el.scrollIntoView(); await new Promise(r => setTimeout(r, 100)); } }""")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.course-plot')].every(el => "
            "el.classList.contains('course-plot-drawn') || el.classList.contains('course-plot-failed'))",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")


def _note_foreign(own: str, foreign: list[str], request) -> None:
    if not request.url.startswith((own, "data:", "blob:")):
        foreign.append(request.url)


def measure_pages(site: str, pages: list[str]) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        own = site.rstrip("/")
        for path in pages:
            context = browser.new_context(viewport={"width": 412, "height": 823})  # a phone, as Lighthouse
            foreign: list[str] = []
            context.on("request", functools.partial(_note_foreign, own, foreign))
            page = context.new_page()
            transfer = Transfer(page)
            page.goto(site + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            first = transfer.bytes
            plotly_at_load = any(sphinx_ext.PLOTLY_SERVED in u for u in transfer.fetched)
            scroll_to_charts(page)
            first_all = transfer.bytes
            plotly_ever = any(sphinx_ext.PLOTLY_SERVED in u for u in transfer.fetched)
            transfer.reset()
            page.goto(site + path, wait_until="load")  # a repeat visit: the browser's cache is warm
            page.wait_for_load_state("networkidle")
            scroll_to_charts(page)
            results[path] = {
                "first": first,
                "first_scrolled": first_all,
                "repeat": transfer.bytes,
                "plotly_at_load": plotly_at_load,
                "plotly_after_scroll": plotly_ever,
                "third_party": foreign,
            }
            context.close()
        browser.close()
    return results


def lighthouse(cli: str, site: str, pages: list[str]) -> dict[str, dict]:
    scores = {}
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    with tempfile.TemporaryDirectory() as tmp:
        for path in pages:
            report = Path(tmp) / "report.json"
            result = subprocess.run(
                [
                    cli,
                    site + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility",
                    "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if result.returncode != 0 or not report.exists():
                scores[path] = {"error": (result.stderr or result.stdout)[-300:]}
                continue
            data = json.loads(report.read_text())
            audits = data["audits"]
            scores[path] = {
                "performance": data["categories"]["performance"]["score"],
                "accessibility": data["categories"]["accessibility"]["score"],
                "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
                "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
                "bytes": round(audits["total-byte-weight"]["numericValue"]),
            }
    return scores


# ---------------------------------------------------------------------------------------------------------------


def kb(n: float) -> str:
    return f"{n / 1000:,.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, help="measure this built book instead of building one")
    parser.add_argument("--lighthouse", help="path to the lighthouse command (npm install lighthouse@12.2.3)")
    parser.add_argument("--pages", nargs="*", help="only these pages (paths as in the built book)")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite (tasks.py test)")
    args = parser.parse_args(argv)
    report: dict = {}

    if args.html:
        html = args.html
    else:
        out = Path(tempfile.mkdtemp(prefix="party-question-bench-"))
        cold, cold_n = build(out)
        cold_load = load()
        again, again_n = build(out)
        report["build"] = {
            "cold_s": round(cold, 1),
            "cold_executed": cold_n,
            "cold_load": cold_load,
            "rebuild_s": round(again, 1),
            "rebuild_executed": again_n,
        }
        print(
            f"cold build:         {cold:6.1f} s, {cold_n} notebooks executed (empty cache; target 60 s; "
            f"{cold_load} at its end)"
        )
        print(f"no-change rebuild:  {again:6.1f} s, {again_n} notebooks executed")
        html = out / "_build" / "html"
    if args.suite:
        seconds, code, summary = suite()
        report["suite"] = {"s": round(seconds, 1), "exit": code, "summary": summary, "load": load()}
        print(
            f"whole test suite:   {seconds:6.1f} s ({seconds / 60:.1f} min; target 10 min; {load()} at its end), "
            f"exit {code}: {summary}"
        )

    plotly_js = html / "_static" / sphinx_ext.PLOTLY_SERVED
    figures = sorted((html / "_static" / "figures").glob("*.js"))
    full = sphinx_ext.full_plotly_js().read_bytes()
    served = plotly_js.read_bytes() if plotly_js.exists() else b""
    report["plotly_js_bytes"] = len(served)
    report["plotly_js_gzip_bytes"] = len(gzip.compress(served, compresslevel=6))
    report["plotly_js_full_bytes"] = len(full)
    report["plotly_js_full_gzip_bytes"] = len(gzip.compress(full, compresslevel=6))
    print(
        f"plotly.js served:   {kb(report['plotly_js_bytes'])} ({kb(report['plotly_js_gzip_bytes'])} gzipped), "
        f"_static/{sphinx_ext.PLOTLY_SERVED}, the basic bundle, fetched only near a chart"
    )
    print(
        f"  full plotly.js:   {kb(report['plotly_js_full_bytes'])} ({kb(report['plotly_js_full_gzip_bytes'])} "
        f"gzipped): the bundle is {len(served) / len(full):.1%} of it (target: at most 25%)"
    )
    print(
        f"figure data:        {len(figures)} files, {kb(sum(f.stat().st_size for f in figures))} in all, "
        f"largest {kb(max((f.stat().st_size for f in figures), default=0))}"
    )
    bundle = html / "_static" / styles.BUNDLE
    if bundle.exists():
        report["stylesheet_gzip_bytes"] = len(gzip.compress(bundle.read_bytes(), compresslevel=6))
        report["stylesheets_replaced_gzip_bytes"] = len(
            gzip.compress(styles.full_css(html).encode(), compresslevel=6)
        )
        print(
            f"stylesheet:         {kb(report['stylesheet_gzip_bytes'])} gzipped (_static/{styles.BUNDLE}), "
            f"instead of {kb(report['stylesheets_replaced_gzip_bytes'])} for the themes' stylesheets in full"
        )

    pages = args.pages or [p for p in book_site.pages(ROOT) if (html / p).exists()]
    server, site = serve(html)
    try:
        transfers = measure_pages(site, pages)
        scores = lighthouse(args.lighthouse, site, pages) if args.lighthouse else {}
    finally:
        server.shutdown()

    header = f"{'page':50} {'HTML':>9} {'1st visit':>10} {'+charts':>10} {'repeat':>9} {'plotly':>7}"
    if scores:
        header += f" {'perf':>5} {'a11y':>5} {'LCP s':>6} {'TBT ms':>7}"
    print()
    print(header)
    over = []
    for path in pages:
        size = (html / path).stat().st_size
        t = transfers[path]
        plotly = "load" if t["plotly_at_load"] else ("scroll" if t["plotly_after_scroll"] else "no")
        line = (
            f"{path:50} {kb(size):>9} {kb(t['first']):>10} {kb(t['first_scrolled']):>10} "
            f"{kb(t['repeat']):>9} {plotly:>7}"
        )
        if scores:
            s = scores.get(path, {})
            if "error" in s:
                line += f"  lighthouse failed: {s['error'][:60]}"
            else:
                line += f" {s['performance']:>5.2f} {s['accessibility']:>5.2f} {s['lcp_s']:>6.1f} {s['tbt_ms']:>7}"
        print(line)
        if size > HTML_BUDGET:
            over.append(path)
        if t["third_party"]:
            print(f"   !! requests to other hosts: {t['third_party']}")
        report.setdefault("pages", {})[path] = {
            "html_bytes": size,
            **t,
            **({"lighthouse": scores[path]} if path in scores else {}),
        }
    if over:
        print(f"\n{len(over)} page(s) over the {kb(HTML_BUDGET)} HTML budget: {', '.join(over)}")
    if scores:
        perf = [s["performance"] for s in scores.values() if "performance" in s]
        a11y = [s["accessibility"] for s in scores.values() if "accessibility" in s]
        if perf:
            print(
                f"\nLighthouse (mobile): performance {min(perf):.2f} to {max(perf):.2f}, "
                f"accessibility {min(a11y):.2f} to {max(a11y):.2f}, over {len(perf)} pages"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
