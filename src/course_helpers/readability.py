"""Reading level of the course's prose (Flesch-Kincaid grade), measured on the words a reader reads.

Code cells, directive options, MyST roles' targets, links' addresses and front matter are removed first, so
the grade reflects the chapter's sentences, not its markup.  Used by the benchmark and the quality tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import textstat

_FENCE = re.compile(r"^(```|:::)\{code-cell\}.*?^\1\s*$", re.S | re.M)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def prose(markdown: str) -> str:
    """The reader-facing text of a MyST Markdown page."""
    text = _FRONT.sub("", markdown)
    text = _FENCE.sub("", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"^\s*(```|:::).*$", "", text, flags=re.M)  # directive fences
    text = re.sub(r"^\s*:[a-z-]+:.*$", "", text, flags=re.M)  # directive options
    text = re.sub(r"^\([a-z0-9-]+\)=\s*$", "", text, flags=re.M)  # labels
    text = re.sub(r"\{cite:?[pt]?\}`[^`]*`", "", text)  # citations render as (Author, year)
    text = re.sub(r"\{[a-z:]+\}`([^`<]*?)\s*(<[^`]*>)?`", r"\1", text)  # {term}`text <target>` -> text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"[*_#>|`]", "", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def grade(path: str | Path) -> float:
    """Flesch-Kincaid grade of the page's prose."""
    return float(textstat.flesch_kincaid_grade(prose(Path(path).read_text(encoding="utf-8"))))


def words(path: str | Path) -> int:
    return len(prose(Path(path).read_text(encoding="utf-8")).split())
