"""The collect step on a hub: nbgrader's exchange instead of email, with the same one line per member.

On JupyterHub (``hub/``) members submit through nbgrader's exchange, and the course folder's
``nbgrader_config.py`` names the exchange (``c.Exchange.root``).  ``python -m course_helpers.grading collect
<assignment> --course <that folder>`` then runs ``nbgrader collect`` (newer submissions replace older ones) and
records, like the email route, what became of each member's work (``grading-status.json``), so ``autograde``
and ``report`` read a hub's course folder exactly as they read an email circle's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def exchange_of(course: Path) -> tuple[Path, str] | None:
    """(the exchange folder, the course id) when the course folder's nbgrader settings name an exchange."""
    config = Path(course) / "nbgrader_config.py"
    if not config.is_file() or "Exchange.root" not in config.read_text(encoding="utf-8"):
        return None
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(config.name, path=str(config.parent)).load_config()
    root = cfg.get("Exchange", {}).get("root")
    course_id = cfg.get("CourseDirectory", {}).get("course_id")
    return (Path(root), str(course_id)) if root and course_id else None


def submissions(inbound: Path, slug: str) -> dict[str, str]:
    """member -> the timestamp of their newest submission of ``slug`` in the exchange's inbound folder."""
    newest: dict[str, str] = {}
    if not inbound.is_dir():
        return newest
    for entry in inbound.iterdir():
        parts = entry.name.split("+")
        if len(parts) >= 3 and parts[1] == slug and entry.is_dir():
            member, stamp = parts[0], parts[2]
            newest[member] = max(newest.get(member, ""), stamp)
    return newest


def collect(course: Path, slug: str, out=print) -> dict[str, tuple[bool, str]]:
    """Run ``nbgrader collect`` and return (and print) one line per member who submitted on the hub."""
    from .collect import STATUS, member_id, record_status  # noqa: F401 - STATUS: where the lines go

    course = Path(course).resolve()
    found = exchange_of(course)
    if found is None:
        out(f"{course / 'nbgrader_config.py'} names no exchange: this course is not on a hub.")
        return {}
    root, course_id = found
    sent = submissions(root / course_id / "inbound", slug)
    if not sent:
        out(f"Nobody has submitted {slug} on the hub yet (nothing in {root / course_id / 'inbound'}).")
        return {}
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "collect", slug, "--update"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = course / "downloaded" / slug / "collect.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    lines: dict[str, tuple[bool, str]] = {}
    for member, stamp in sorted(sent.items()):
        if member_id(member) is None:
            lines[member] = (False, "not collected: this hub user name cannot be a member id")
            continue
        folder = course / "submitted" / member / slug
        notebook = folder / f"{slug}.ipynb"
        if notebook.is_file():
            lines[member] = (True, f"collected from the hub (submitted {stamp})")
        elif folder.is_dir():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            lines[member] = (
                False,
                f"submitted {', '.join(others) or 'no notebook'} but no {slug}.ipynb: ask them to open "
                f"{slug}.ipynb from the Assignments tab, answer there and submit again",
            )
        else:
            lines[member] = (False, f"nbgrader did not collect it: see {log.relative_to(course)}")
    record_status(course, slug, "collect", lines, replace=True)
    for member, (ok, line) in lines.items():
        out(f"{'  ' if ok else '! '}{member}: {line}")
    got = sum(ok for ok, _ in lines.values())
    out(
        f"{got} of {len(lines)} collected into submitted/ from the hub; the others need the step their line names."
    )
    return lines
