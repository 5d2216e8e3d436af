"""Collect work sent by email or left in a shared folder, and say in one plain line what became of each member's.

    python -m course_helpers.grading collect party-question [--pick "lía=party-question (1).ipynb"]

nbgrader's own ``zip_collect`` does the work: it extracts every zip and copies each notebook into
``submitted/<member>/<assignment>/``.  The course's settings (``config.py``) give it two plug-ins from here:

* :class:`CourseExtractor` extracts each member's folder on its own, so one broken zip does not stop the round;
  files directly in ``archive/`` (in no member's folder) are left out and named.
* :class:`CourseCollector` picks at most one notebook per member (:func:`choose`, the one rule, also used to
  explain it): Jupyter's checkpoint copies and macOS's ``__MACOSX`` companions are ignored; a single notebook is
  collected under the assignment's name whatever it was called; of several, the only one holding answers is
  collected, and when more than one holds answers none is, until the facilitator picks one (``--pick``, kept in
  ``downloaded/<assignment>/picks.json``).

Then :func:`main` prints one line per member folder: what was collected, or why nothing was and what to do.
Member ids may be written as people write them (``lía``, ``íñigo``, ``zoë``): letters of any alphabet, digits,
``-``, ``_`` and ``.``; never a slash or ``..``.  The originals in ``archive/`` are never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin

# A member id: starts with a letter, digit or _, then letters (any alphabet, also written with combining
# accents, as macOS writes names), digits, _, - and single dots.  No slash, no "..", no leading dot.
MEMBER_ID = r"(?:\w|[\u0300-\u036f])(?:[\w-]|[\u0300-\u036f]|\.(?!\.))*"
MEMBER_RE = re.compile(rf"{MEMBER_ID}\Z")
IGNORED_DIRS = {"__MACOSX", ".ipynb_checkpoints"}
IGNORED_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
ARCHIVE_EXT = (".zip", ".gz")
PICKS = "picks.json"
KINDS_OF_FILE = {
    ".html": "an HTML export",
    ".htm": "an HTML export",
    ".pdf": "a PDF export",
    ".py": "a Python script export",
    ".md": "a Markdown export",
    ".tex": "a LaTeX export",
    ".docx": "a Word document",
    ".doc": "a Word document",
    ".odt": "a text document",
    ".txt": "a text file",
    ".png": "a picture",
    ".jpg": "a picture",
    ".jpeg": "a picture",
    ".heic": "a picture",
}
DOWNLOAD = "in JupyterLab: File > Download, not an export or a printout"


def member_id(name: str) -> str | None:
    """The member id a folder name stands for (accents composed, NFC), or None when it cannot be one."""
    name = unicodedata.normalize("NFC", name)
    return name if MEMBER_RE.match(name) else None


def ignored(rel: Path) -> bool:
    """Jupyter's checkpoint copies, macOS's companions and desktop litter: never a member's answer."""
    return bool(IGNORED_DIRS & set(rel.parts[:-1])) or rel.name in IGNORED_FILES or rel.name.startswith("._")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _norm(text) -> str:
    return " ".join(("".join(text) if isinstance(text, list) else str(text)).split())


def answered(path: Path, release: Path | None) -> int | None:
    """How many answer cells of ``path`` differ from the released notebook's; None if it cannot be read."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable file holds no answer we can see
        return None
    blank = {}
    if release is not None and release.is_file():
        try:
            for cell in nbformat.read(release, as_version=4).cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    blank[meta.get("grade_id")] = _norm(cell.source)
        except Exception:  # noqa: BLE001
            blank = {}
    count = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if meta.get("solution") and grade_id in blank and _norm(cell.get("source", "")) != blank[grade_id]:
            count += 1
    return count


@dataclass
class Choice:
    """What one member sent (after extraction) and which notebook is collected, with the rule that chose it."""

    member: str
    notebooks: list[str] = field(default_factory=list)  # relative paths, identical copies counted once
    others: list[str] = field(default_factory=list)  # files that are not notebooks
    skipped: dict[str, int] = field(default_factory=dict)  # "checkpoint copies" -> 2, ...
    chosen: str = ""  # relative path of the notebook collected, or ""
    why: str = ""  # the rule that chose it, or why none was
    ask: str = ""  # what to do when nothing was collected


def choose(folder: Path, slug: str, release: Path | None = None, pick: str = "", member: str = "") -> Choice:
    """Which notebook of ``folder`` (a member's extracted folder) to collect, and why (the one rule)."""
    folder = Path(folder)
    out = Choice(member or folder.name)
    seen: dict[str, str] = {}
    files = (
        sorted(
            (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()),
            key=lambda p: (
                len(p.parts),
                not p.name.startswith(slug),
                p.name,
            ),  # of identical copies, keep this one
        )
        if folder.is_dir()
        else []
    )
    for path in files:
        rel = path.relative_to(folder)
        if ignored(rel):
            what = (
                "checkpoint copy"
                if ".ipynb_checkpoints" in rel.parts
                else "macOS companion file"
                if "__MACOSX" in rel.parts or rel.name.startswith("._") or rel.name == ".DS_Store"
                else "system file"
            )
            out.skipped[what] = out.skipped.get(what, 0) + 1
        elif path.suffix == ".ipynb":
            digest = _digest(path)
            if digest in seen:
                out.skipped["identical copy"] = out.skipped.get("identical copy", 0) + 1
            else:
                seen[digest] = rel.as_posix()
        else:
            out.others.append(rel.as_posix())
    out.notebooks = sorted(seen.values(), key=lambda r: (r.count("/"), r))
    names = ", ".join(out.notebooks)
    if pick:
        hits = [r for r in out.notebooks if pick in (r, r.rsplit("/", 1)[-1])]
        if len(hits) == 1:
            out.chosen, out.why = hits[0], "the one you picked"
        else:
            out.why = f'your pick "{pick}" matches {"none" if not hits else "several"} of the notebooks sent ({names or "none"})'
            out.ask = "pick again with one of the names above"
        return out
    if len(out.notebooks) == 1:
        out.chosen = out.notebooks[0]
        out.why = "the only notebook sent"
        return out
    if not out.notebooks:
        out.why = "no notebook"
        return out
    counts = {r: answered(folder / r, release) for r in out.notebooks}
    with_answers = [r for r, n in counts.items() if n]
    if len(with_answers) == 1:
        out.chosen = with_answers[0]
        out.why = f"of the {len(out.notebooks)} notebooks sent ({names}), the only one with answers"
        return out
    pick_cmd = f'python -m course_helpers.grading collect {slug} --pick "{out.member}=<file name>"'
    if with_answers:
        out.why = f"{len(with_answers)} different notebooks with answers ({', '.join(with_answers)})"
        out.ask = f"open them, choose the one to grade and collect it with: {pick_cmd}"
    else:
        out.why = f"{len(out.notebooks)} notebooks ({names}), none with an answer"
        out.ask = (
            f"ask {out.member} for the notebook with the answers ({DOWNLOAD}), or pick one with: {pick_cmd}"
        )
    return out


def read_picks(downloaded: Path) -> dict[str, str]:
    path = Path(downloaded) / PICKS
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return (
        {unicodedata.normalize("NFC", str(k)): str(v) for k, v in data.items()}
        if isinstance(data, dict)
        else {}
    )


# ------------------------------------------------------------------------------------------ nbgrader plug-ins


class CourseExtractor(ExtractorPlugin):
    """nbgrader's extractor, run on each member's folder on its own: a broken zip stops only that member, and
    files in no member's folder are left out (the collect command names them)."""

    def extract(self, archive_path: str, extracted_path: str) -> None:
        for entry in sorted(os.listdir(archive_path)):
            src = os.path.join(archive_path, entry)
            if os.path.islink(src) or not os.path.isdir(src) or member_id(entry) is None:
                self.log.warning("Not a member's folder, left out: %s", src)
                continue
            dest = os.path.join(extracted_path, entry)
            os.makedirs(dest, exist_ok=True)
            try:
                super().extract(src, dest)
            except Exception as exc:  # noqa: BLE001 - one member's broken zip must not stop the others
                self.log.warning("Could not extract all of %s: %s", src, exc)


class CourseCollector(FileNameCollectorPlugin):
    """nbgrader's file-name collector, collecting at most one notebook per member, by :func:`choose`, under the
    assignment's own notebook name; the member id is the folder's name with its accents composed (NFC)."""

    def collect(self, submitted_file: str):
        if not submitted_file.endswith(".ipynb"):
            return None
        info = self._match(submitted_file)
        if not info:
            return None
        match = re.match(self.named_regexp, submitted_file)
        folder = Path(submitted_file[: match.end("student_id")])
        student = member_id(info["student_id"])
        if student is None:
            return None
        coursedir = self.parent.coursedir
        slug = coursedir.assignment_id
        cache = self.__dict__.setdefault("_choices", {})
        if folder not in cache:
            release = Path(coursedir.format_path(coursedir.release_directory, ".", slug)) / f"{slug}.ipynb"
            picks = read_picks(folder.parent.parent)
            cache[folder] = choose(folder, slug, release, picks.get(student, ""), student)
        choice = cache[folder]
        if not choice.chosen or (folder / choice.chosen) != Path(submitted_file):
            return None
        return {"student_id": student, "file_id": f"{slug}.ipynb"}


# ------------------------------------------------------------------------------------- what each step found

STATUS = "grading-status.json"


def read_status(course: Path) -> dict:
    """``{step: {assignment: {member: {"ok": bool, "line": str, "kind": str}}}}`` as collect and autograde left
    it; autograde's kinds: graded, blank (graded, nothing answered), unreadable, other-assignment, no-cells,
    missing, stopped (ran too long) and failed."""
    path = Path(course) / STATUS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_status(
    course: Path, slug: str, step: str, lines: dict[str, tuple[bool, str]], replace: bool = False
) -> None:
    """Keep what ``step`` (collect or autograde) found for each member, for the class report; ``replace``: these
    are all the members (collect looks at every folder each time)."""
    data = read_status(course)
    steps = data.setdefault(step, {})
    table = {} if replace else steps.get(slug, {})
    steps[slug] = table
    for member, (ok, line, *more) in lines.items():
        table[member] = {
            "ok": bool(ok),
            "line": line,
            "kind": more[0] if more else ("ok" if ok else "failed"),
        }
        if len(more) > 1 and more[1]:
            table[member]["detail"] = more[1]  # nbgrader's own error text, for whoever maintains the course
    path = Path(course) / STATUS
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------- the command


def _archive_troubles(folder: Path) -> list[str]:
    """What nbgrader could not or would not take out of the member's zips (read-only look at the originals)."""
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in ARCHIVE_EXT:
            continue
        rel = path.relative_to(folder).as_posix()
        try:
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as z:
                    names = z.namelist()
                    broken = z.testzip()
                if broken:
                    out.append(f"{rel} is damaged ({broken} cannot be read)")
            else:
                with tarfile.open(path) as t:
                    names = t.getnames()
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError):
            out.append(f"{rel} cannot be opened (cut off, or not really a zip)")
            continue
        leaving = [n for n in names if n.startswith("/") or ".." in n.replace("\\", "/").split("/")]
        if leaving:
            out.append(
                f"{rel} holds {', '.join(leaving[:3])}, a path that leads out of the folder; "
                "nbgrader left it out"
            )
    return out


def _kind(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith((".ipynb.txt", ".ipynb.json", ".ipynb.html")) or re.search(r"\.ipynb\W", lower):
        return "a notebook under another name"
    return KINDS_OF_FILE.get(Path(lower).suffix, "a file that is not a notebook")


def explain(choice: Choice, slug: str, troubles: list[str], archive_rel: str) -> tuple[bool, str]:
    """(collected?, the line after the member's id)."""
    extra = []
    if choice.skipped:
        extra.append(
            "left out: "
            + ", ".join(f"{n} {what}{'s' if n > 1 else ''}" for what, n in sorted(choice.skipped.items()))
        )
    extra.extend(troubles)
    tail = f" ({'; '.join(extra)})" if extra else ""
    if choice.chosen:
        name = choice.chosen
        as_name = "" if name == f"{slug}.ipynb" else f" as {slug}.ipynb"
        rule = "" if choice.why == "the only notebook sent" and not as_name else f"; {choice.why}"
        return True, f"collected {name}{as_name}{rule}{tail}"
    if choice.ask:
        return False, f"nothing collected: {choice.why}{tail}. {choice.ask[0].upper()}{choice.ask[1:]}."
    sent = [f"{r} ({_kind(r)})" for r in choice.others]
    renamed = [r for r in choice.others if _kind(r) == "a notebook under another name"]
    if renamed:
        return False, (
            f"nothing collected: {', '.join(sent)}{tail}. If it is the notebook, rename it to {slug}.ipynb in "
            f"{archive_rel} and collect again; if not, ask {choice.member} for {slug}.ipynb ({DOWNLOAD})."
        )
    if sent:
        return False, (
            f"nothing collected: no notebook, only {', '.join(sent)}{tail}. Ask {choice.member} for the "
            f"notebook itself, {slug}.ipynb ({DOWNLOAD})."
        )
    if troubles:
        return (
            False,
            f"nothing collected: no notebook could be taken out{tail}. Ask {choice.member} to send {slug}.ipynb itself, not in a zip.",
        )
    return (
        False,
        f"nothing collected: the folder is empty{tail}. Ask {choice.member} for {slug}.ipynb, or delete the folder.",
    )


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def collect(
    course: Path, slug: str, picks: dict[str, str] | None = None, out=print
) -> dict[str, tuple[bool, str]]:
    """Run ``nbgrader zip_collect`` and return (and print) one line per member folder: member -> (collected, line)."""
    course = Path(course).resolve()
    downloaded = course / "downloaded" / slug
    archive = downloaded / "archive"
    if not archive.is_dir():
        from . import exchange

        if exchange.exchange_of(course):  # a course on a hub: members submitted through nbgrader's exchange
            return exchange.collect(course, slug, out)
        out(
            f"No folder {archive}: make one folder per member in it, named with the member's id, and put what "
            "each sent in it (the notebook, or the zip holding it)."
        )
        return {}
    if picks:
        saved = read_picks(downloaded)
        saved.update({unicodedata.normalize("NFC", k): v for k, v in picks.items()})
        (downloaded / PICKS).write_text(
            json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "zip_collect", slug, "--force"],
        cwd=course,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = downloaded / "collect.log"
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    release = course / "release" / slug / f"{slug}.ipynb"
    saved = read_picks(downloaded)
    lines: dict[str, tuple[bool, str]] = {}
    for entry in sorted(archive.iterdir(), key=lambda p: p.name):
        rel = entry.relative_to(course).as_posix()
        if entry.is_symlink() or not entry.is_dir():
            lines[entry.name] = (
                False,
                f"not in a member's folder, so not collected: make a folder named with the member's id in {archive.relative_to(course).as_posix()}/ and move it there",
                "not-a-member",
            )
            continue
        member = member_id(entry.name)
        if member is None:
            lines[entry.name] = (
                False,
                "not collected: this folder name cannot be a member id (use letters, digits, - or _, "
                "accents welcome; no spaces, slashes or '..'): rename the folder and collect again",
                "not-a-member",
            )
            continue
        choice = choose(downloaded / "extracted" / entry.name, slug, release, saved.get(member, ""), member)
        ok, line = explain(choice, slug, _archive_troubles(entry), rel + "/")
        if ok:
            target = course / "submitted" / member / slug / f"{slug}.ipynb"
            source = downloaded / "extracted" / entry.name / choice.chosen
            if not target.is_file() or target.read_bytes() != source.read_bytes():
                ok, line = False, f"nbgrader did not collect {choice.chosen}: see {log.relative_to(course)}"
        lines[member] = (ok, line)
    if proc.returncode != 0 and not any(entry[0] for entry in lines.values()):
        out(f"nbgrader zip_collect stopped (its log: {log}).")
    record_status(course, slug, "collect", lines, replace=True)
    for member, (ok, line, *_) in lines.items():
        out(f"{'  ' if ok else '! '}{member}: {line}")
    got = sum(entry[0] for entry in lines.values())
    out(f"{got} of {len(lines)} collected into submitted/; the others need the step their line names.")
    return lines


def main(course: Path, slug: str, picks: list[str]) -> int:
    chosen = {}
    for text in picks or []:
        if "=" not in text:
            print(f'--pick takes member=file, for example --pick "lía={slug} (1).ipynb", not {text!r}')
            return 2
        member, name = text.split("=", 1)
        chosen[member.strip()] = name.strip()
    lines = collect(course, slug, chosen, out=lambda t: print(t, flush=True))
    return 0 if lines and all(entry[0] for entry in lines.values()) else 1
