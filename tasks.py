#!/usr/bin/env python3
"""Set up and run The Party Question with nothing but Python 3.11+ (standard library only).

    python3 tasks.py build      # make .venv, install the pins, build the book, print where to open it
    python3 tasks.py serve      # serve the built book on this computer (http://127.0.0.1:<port>/), Ctrl-C stops
    python3 tasks.py test       # make .venv, install the pins, run the whole test suite (pytest)
    python3 tasks.py bench      # print build times, page sizes and plotly.js size (scripts/benchmark.py)
    python3 tasks.py check-data # check every table in data/ and print a summary
    python3 tasks.py publish OUT  # build, then write the readers' edition: OUT/site (the book), OUT/repo (public repo)

The virtual environment is made once in .venv and reinstalled only when requirements.txt changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
BUILD = ROOT / "_build"
STAMP = VENV / ".requirements.sha256"


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def run(*args: str | Path, **kwargs) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_env() -> None:
    """Create .venv and install requirements.txt into it, unless it is already up to date."""
    if sys.version_info < (3, 11):  # noqa: UP036 -- this file must run on an old Python to say so
        sys.exit(f"The Party Question needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    want = _digest([ROOT / "requirements.txt", ROOT / "pyproject.toml"])
    if PY.exists() and STAMP.exists() and STAMP.read_text() == want:
        return
    if not PY.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)} ...")
        import venv

        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installing the pinned packages from requirements.txt (a few minutes the first time) ...")
    started = time.monotonic()
    if run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt") != 0:
        sys.exit("pip could not install requirements.txt; see the messages above.")
    STAMP.write_text(want)
    say(f"environment ready in {time.monotonic() - started:.0f} s")


def clear_stale_cache(build: Path = BUILD) -> bool:
    """Clear the execution cache in ``build`` when data/ or the helper package changed since it was filled.

    The execution cache keys a chapter on its own text only, and Sphinx re-reads only chapters whose text
    changed; a chapter whose data or helpers changed must be read and executed again, so both the execution
    cache and Sphinx's saved environment (doctrees) are cleared.  Returns True when they were cleared.
    """
    files = [p for p in (ROOT / "data").rglob("*") if p.is_file()]
    files += [
        p
        for p in (ROOT / "src" / "course_helpers").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    want = _digest(files)
    stamp = build / ".inputs.sha256"
    if stamp.exists() and stamp.read_text() == want:
        return False
    build.mkdir(parents=True, exist_ok=True)
    stamp.write_text(want)
    cleared = False
    for stale in (".jupyter_cache", ".doctrees", "jupyter_execute"):
        if (build / stale).exists():
            shutil.rmtree(build / stale)
            cleared = True
    return cleared


def build(extra: list[str]) -> int:
    ensure_env()
    if clear_stale_cache():
        say("data/ or src/course_helpers changed since the last build: every chapter will execute again")
    say("checking data/ ...")
    if run(PY, "-m", "course_helpers.data") != 0:
        return 1
    say("building the book (strict: any warning fails the build) ...")
    started = time.monotonic()
    # jupyter-book build, with the chapters executing in parallel (see src/course_helpers/book/build.py)
    code = run(PY, "-m", "course_helpers.book.build", ".", "-W", "-n", "--keep-going", *extra)
    if code != 0:
        say("the build failed; the messages above name the file and line.")
        return code
    say(f"built in {time.monotonic() - started:.0f} s")
    say(f"open the book: {(BUILD / 'html' / 'index.html').as_uri()}")
    say(
        "  (it works opened from disk, or copied to a USB stick; or run `python3 tasks.py serve` for a local server)"
    )
    return 0


def serve(extra: list[str]) -> int:
    """Serve the built book on 127.0.0.1 on a free port until Ctrl-C (standard library only, no .venv)."""
    import functools
    import http.server

    html = BUILD / "html"
    if extra:
        print(
            "usage: python3 tasks.py serve   (serves _build/html; build it first with python3 tasks.py build)"
        )
        return 2
    if not (html / "index.html").is_file():
        say(f"there is no built book in {html} yet: run `python3 tasks.py build` first, then serve it.")
        return 1

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    say(f"serving the book at http://127.0.0.1:{server.server_address[1]}/  (only this computer can see it)")
    say("press Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.server_close()
    return 0


def test(extra: list[str]) -> int:
    """pytest, in two processes (pytest-xdist): each test module, or group of a module, runs whole on one of
    them, so the grading suites and the browser suite run side by side; the book is built once and shared
    (tests/conftest.py).  ``COURSE_TEST_WORKERS=1``, or ``-n``/``-p no:xdist`` among the options, changes that."""
    ensure_env()
    workers = os.environ.get("COURSE_TEST_WORKERS", "2")
    chosen = any(
        a in ("-n", "--numprocesses", "no:xdist") or a.startswith(("-n", "--numprocesses=")) for a in extra
    )
    parallel = (
        []
        if chosen or workers in ("0", "1")
        else ["-n", workers, "--dist", "loadgroup", "--no-loadscope-reorder"]  # the order: tests/conftest.py
    )
    return run(PY, "-m", "pytest", *parallel, *extra)


def publish(extra: list[str]) -> int:
    if len(extra) != 1 or extra[0].startswith("-"):
        print("usage: python3 tasks.py publish OUT   (OUT: the folder to write site/ and repo/ into)")
        return 2
    code = build([])
    if code != 0:
        return code
    return run(PY, "scripts/publish.py", Path(extra[0]).resolve())


def main(argv: list[str]) -> int:
    commands = {
        "build": build,
        "serve": serve,
        "test": test,
        "bench": lambda extra: (ensure_env(), run(PY, "scripts/benchmark.py", *extra))[1],
        "publish": publish,
        "check-data": lambda extra: (ensure_env(), run(PY, "-m", "course_helpers.data", *extra))[1],
    }
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
