"""The built book as a site: which pages a reader can reach, and how our tools open them in Chromium.

Shared by the browser tests and the benchmark, so both visit the same pages with the same browser flags.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

# Debian's Chromium, headless, never reaching out on its own (no component updates, no background networking).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def toc_files(root: Path) -> list[str]:
    """Every file of ``root/_toc.yml`` in reading order, without its extension (``chapters/glossary``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


def pages(root: Path) -> list[str]:
    """Every page the reader can reach from ``root/_toc.yml``, plus the search page and the index."""
    return [f"{p}.html" for p in toc_files(root)] + ["search.html", "genindex.html"]
