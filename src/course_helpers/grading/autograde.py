"""Autograde every submission of an assignment, several at a time, safely against one gradebook.

    python -m course_helpers.grading autograde party-question --jobs 2

nbgrader grades one submission at a time, and two nbgrader processes writing one SQLite gradebook can fail
with "database is locked".  Here each submission is graded by a long-lived worker process (so nbgrader and
its imports load once per worker, not once per submission) in a private copy of the course directory with its
own snapshot of the gradebook; the grades are then copied into the real gradebook one submission at a time,
by this process only.  A submission that runs too long is stopped (its worker is killed and replaced) and
earns nothing; a notebook that cannot be read, or has the wrong name, is reported and earns nothing; the
batch always finishes.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

# nbgrader's gradebook code makes SQLAlchemy warn about its own session handling; it is not the facilitator's
# concern and would bury the progress lines.
warnings.filterwarnings("ignore", message=".*not in session.*")

SUBMISSION_TIMEOUT = 180  # seconds: the cap for one whole submission (the notebook itself stops at 120 s)


@dataclass
class Result:
    student: str
    status: str  # "graded", "skipped" or "failed"
    score: float = 0.0
    max_score: float = 0.0
    message: str = ""
    seconds: float = 0.0
    assignment: str = ""
    note: str = ""  # what else the facilitator should know about a graded notebook
    kind: str = ""  # graded, blank, unreadable, other-assignment, no-cells, missing, stopped, failed


def _env() -> dict:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from the environment's bin/
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    return env


class Worker:
    """One `python -m course_helpers.grading.worker` process, fed one job at a time."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course_helpers.grading.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_env(),
            start_new_session=True,
        )
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def run(self, job: dict, timeout: float) -> dict | None:
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return {"success": False, "error": "the grading process stopped unexpectedly"}
            if line.startswith("{"):
                return json.loads(line)
            if time.monotonic() > deadline:
                return None

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


def _why_unreadable(path: Path) -> str:
    """Why a file is not a notebook, in plain words (never the reader's exception text)."""
    data = path.read_bytes()
    if not data.strip():
        return "the file is empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "the file is not text: another kind of file saved under this name, or damaged"
    if not text.lstrip().startswith("{"):
        return "the file is not a notebook (it does not hold a notebook's text)"
    try:
        json.loads(text)
    except ValueError:
        return "the file is cut off or damaged (its notebook text is incomplete)"
    return "the file is not in the notebook format"


def _ids(nb) -> set[str]:
    return {
        c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }


def _assignment_ids(course: Path) -> dict[str, set[str]]:
    """Each assignment's cell ids (from the course's source notebooks), less those every assignment shares."""
    found = {}
    for path in sorted((Path(course) / "source").glob("*/*.ipynb")):
        if path.stem == path.parent.name:
            try:
                found[path.stem] = _ids(nbformat.read(path, as_version=4))
            except Exception:  # noqa: BLE001 - a broken source is the generator's business, not this member's
                continue
    shared = set.intersection(*found.values()) if len(found) > 1 else set()
    return {slug: ids - shared for slug, ids in found.items()}


def _norm(text) -> str:
    return " ".join(("".join(text) if isinstance(text, list) else str(text)).split())


def _compare_with_release(nb, release: Path) -> tuple[int, int, int]:
    """(answer cells, answer cells left as released, check or question cells changed or deleted)."""
    try:
        released = nbformat.read(release, as_version=4)
    except Exception:  # noqa: BLE001 - no release to compare with: say nothing
        return 0, 0, 0
    mine = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            mine[grade_id] = _norm(cell.get("source", ""))
    answers = blank = changed = 0
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if meta.get("solution"):
            answers += 1
            blank += mine.get(grade_id, _norm(cell.source)) == _norm(cell.source)
        elif meta.get("locked") and mine.get(grade_id) != _norm(cell.source):
            changed += 1
    return answers, blank, changed


def _preflight(
    folder: Path, slug: str, course: Path | None = None, student: str = ""
) -> tuple[str, str, str]:
    """(why this submission cannot be graded, or ''; the kind of trouble; a note for a gradable one)."""
    who = student or "the member"
    expected = folder / f"{slug}.ipynb"
    if not expected.is_file():
        others = sorted(p.name for p in folder.glob("*.ipynb"))
        if others:
            return (
                f"the notebook is named {', '.join(others)}, not {slug}.ipynb; rename it to {slug}.ipynb "
                "(after checking it is this assignment) and grade again",
                "misnamed",
                "",
            )
        return f"no notebook {slug}.ipynb was collected for {who}; collect again", "missing", ""
    try:
        nb = nbformat.read(expected, as_version=4)
    except Exception:  # noqa: BLE001 - any reading error is reported, never raised
        return (
            f"{expected.name} is not a readable notebook: {_why_unreadable(expected)}; "
            f"ask {who} for the file again",
            "unreadable",
            "",
        )
    if course is None:
        return "", "", ""
    known = _assignment_ids(course)
    have = _ids(nb)
    if known.get(slug) and not have & known[slug]:
        overlap = {other: len(have & ids) for other, ids in known.items() if other != slug}
        other = max(overlap, key=overlap.get, default="")
        if other and overlap[other]:
            return (
                f"this is the {other} notebook, not {slug}: ask {who} for {slug}.ipynb "
                f"(and if it was meant for {other}, collect it there)",
                "other-assignment",
                "",
            )
        return (
            f"this notebook holds none of {slug}'s questions (an old version, or another notebook saved under "
            f"this name): ask {who} for the file again, the {slug}.ipynb you released",
            "no-cells",
            "",
        )
    notes = []
    answers, blank, changed = _compare_with_release(nb, Path(course) / "release" / slug / f"{slug}.ipynb")
    if changed:
        notes.append(
            f"{changed} question or check cell{'s were' if changed > 1 else ' was'} changed or deleted; "
            "put back from the original before grading"
        )
    if answers and blank == answers:
        notes.insert(
            0, f"nothing answered: the notebook came back as released; ask {who} if another file was meant"
        )
        return "", "blank", "; ".join(notes)
    return "", "", "; ".join(notes)


def _plain_failure(reply: dict) -> str:
    """Why nbgrader could not grade a notebook, in plain words (its exception text stays in the status file)."""
    text = f"{reply.get('error', '')}\n{reply.get('log', '')}"
    if "stopped unexpectedly" in text:
        return "the grading process stopped on it; grade it again alone (--force), and if it stops again ask for the file again"
    if "Timeout" in text or "timed out" in text:
        return "it ran past its time limit"
    if "DeadKernel" in text or "kernel died" in text.lower():
        return "Python stopped while running it"
    if "sandbox" in text.lower() or "bwrap" in text:
        return "the sandbox could not start; see facilitator/sandbox.md"
    return (
        "its cells do not fit the released notebook (changed by hand, or another version); "
        "open it to check, or ask for the file again"
    )


class Grader:
    """Grades (assignment, student) jobs on ``jobs`` worker processes; ``assignment`` is the default one."""

    def __init__(
        self,
        course: Path,
        assignment: str = "",
        jobs: int = 2,
        force: bool = False,
        timeout: float = SUBMISSION_TIMEOUT,
        out=print,
    ):
        self.course = Path(course).resolve()
        self.assignment = assignment
        self.jobs = max(1, jobs)
        self.force = force
        self.timeout = timeout
        self.out = out
        self.db = self.course / "gradebook.db"
        self.lock = threading.Lock()
        self.done = 0
        self.details: dict[tuple[str, str], str] = {}  # nbgrader's own error text, kept for a developer

    def students(self, assignment: str | None = None) -> list[str]:
        submitted = self.course / "submitted"
        return sorted(
            p.parent.name for p in submitted.glob(f"*/{assignment or self.assignment}") if p.is_dir()
        )

    def run(
        self, students: list[str] | None = None, pairs: list[tuple[str, str]] | None = None
    ) -> list[Result]:
        """Grade ``students`` of the default assignment, or the (assignment, student) ``pairs``."""
        from nbgrader.api import Gradebook, MissingEntry

        if pairs is None:
            pairs = [(self.assignment, s) for s in (students if students is not None else self.students())]
        if not self.db.is_file():
            raise SystemExit(
                f"No gradebook at {self.db}: run `nbgrader generate_assignment <assignment>` first."
            )
        with Gradebook(f"sqlite:///{self.db}") as gb:
            for assignment in sorted({a for a, _ in pairs}):
                try:
                    gb.find_assignment(assignment)
                except MissingEntry:
                    raise SystemExit(
                        f"The gradebook has no assignment {assignment!r}: run "
                        f"`nbgrader generate_assignment {assignment}` first."
                    ) from None
        self.total = len(pairs)
        todo: queue.Queue = queue.Queue()
        for pair in pairs:
            todo.put(pair)
        results: list[Result] = []
        threads = [
            threading.Thread(target=self._lane, args=(todo, results))
            for _ in range(min(self.jobs, len(pairs)))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.sort(key=lambda r: (r.assignment, r.student))
        self._record(results)
        return results

    def _record(self, results: list[Result]) -> None:
        """What each member's notebook turned out to be, for the class report (``grading-status.json``)."""
        from .collect import record_status

        for assignment in sorted({r.assignment for r in results}):
            lines = {
                r.student: (
                    r.status == "graded",
                    self._text(r),
                    r.kind or r.status,
                    self.details.get((assignment, r.student), ""),
                )
                for r in results
                if r.assignment == assignment and r.status != "skipped"
            }
            if lines:
                record_status(self.course, assignment, "autograde", lines)

    @staticmethod
    def _text(r: Result) -> str:
        if r.status != "graded":
            return r.message
        text = f"{r.score:g}/{r.max_score:g} automatic points"
        return f"{text}; {r.note}" if r.note else text

    def _lane(self, todo: queue.Queue, results: list):
        worker = None
        try:
            while True:
                try:
                    assignment, student = todo.get_nowait()
                except queue.Empty:
                    return
                if worker is None:
                    worker = Worker()
                result, worker = self._grade(worker, assignment, student)
                result.assignment = assignment
                with self.lock:
                    results.append(result)
                    self.done += 1
                    self._say(result)
        finally:
            if worker is not None:
                worker.close()

    def _say(self, r: Result):
        where = (
            f"graded {self.done}/{self.total}"
            if r.status == "graded"
            else f"{r.status} {self.done}/{self.total}"
        )
        text = f"{where}  {r.assignment} {r.student}: "
        if r.status == "graded":
            text += f"{r.score:g}/{r.max_score:g} automatic points ({r.seconds:.1f} s)"
            text += f"; {r.note}" if r.note else ""
        else:
            text += r.message
        self.out(text)

    def _grade(self, worker: Worker, assignment: str, student: str):
        started = time.monotonic()
        source = self.course / "submitted" / student / assignment
        target = self.course / "autograded" / student / assignment
        if target.exists() and not self.force:
            return Result(
                student, "skipped", message="already autograded (use --force to grade again)"
            ), worker
        problem, kind, note = _preflight(source, assignment, self.course, student)
        if problem:
            with self.lock:
                self._record_zero(assignment, student)
            return Result(
                student, "failed", message=f"could not be graded: {problem}; recorded 0 points", kind=kind
            ), worker
        with tempfile.TemporaryDirectory(prefix="grading-") as tmp:
            root = Path(tmp)
            shutil.copy(self.course / "nbgrader_config.py", root / "nbgrader_config.py")
            (root / "source").symlink_to(self.course / "source")
            shutil.copytree(source, root / "submitted" / student / assignment, symlinks=False)
            with self.lock:
                shutil.copy(self.db, root / "gradebook.db")
            reply = worker.run(
                {"root": str(root), "assignment": assignment, "student": student}, self.timeout
            )
            if reply is None:
                worker.kill()
                with self.lock:
                    self._record_zero(assignment, student)
                return Result(
                    student,
                    "failed",
                    message=(
                        f"could not be graded: stopped after {self.timeout:g} s (the notebook runs too long); "
                        "recorded 0 points"
                    ),
                    seconds=time.monotonic() - started,
                    kind="stopped",
                ), Worker()
            graded = root / "autograded" / student / assignment
            if not reply.get("success") or not graded.is_dir():
                with self.lock:
                    self._record_zero(assignment, student)
                    self.details[(assignment, student)] = (reply.get("error") or "")[-2000:]
                return Result(
                    student,
                    "failed",
                    message=f"could not be graded: {_plain_failure(reply)}; recorded 0 points",
                    seconds=time.monotonic() - started,
                    kind="failed",
                ), worker
            with self.lock:
                score, max_score = self._merge(root / "gradebook.db", assignment, student)
                if target.exists():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(graded, target)
        return Result(
            student,
            "graded",
            score,
            max_score,
            seconds=time.monotonic() - started,
            note=note,
            kind=kind or "graded",
        ), worker

    def _merge(self, private_db: Path, assignment: str, student: str) -> tuple[float, float]:
        """Copy one submission's automatic grades from a private gradebook into the real one."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{private_db}") as src, Gradebook(f"sqlite:///{self.db}") as dst:
            sub = src.find_submission(assignment, student)
            dst.update_or_create_student(student)
            target = dst.update_or_create_submission(assignment, student, timestamp=sub.timestamp)
            for nb in sub.notebooks:
                dnb = dst.find_submission_notebook(nb.name, assignment, student)
                dnb.flagged = nb.flagged
                dnb.late_submission_penalty = nb.late_submission_penalty
                for grade in nb.grades:
                    dg = dst.find_grade(grade.name, nb.name, assignment, student)
                    dg.auto_score = grade.auto_score
                    dg.needs_manual_grade = grade.needs_manual_grade
                for comment in nb.comments:
                    dc = dst.find_comment(comment.name, nb.name, assignment, student)
                    dc.auto_comment = comment.auto_comment
            dst.db.commit()
            target = dst.find_submission(assignment, student)
            auto = sum(
                g.auto_score or 0 for nb in target.notebooks for g in nb.grades if g.cell.cell_type == "code"
            )
            auto_max = sum(
                g.max_score for nb in target.notebooks for g in nb.grades if g.cell.cell_type == "code"
            )
            return float(auto), float(auto_max)

    def _record_zero(self, assignment: str, student: str):
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db}") as gb:
            gb.update_or_create_student(student)
            sub = gb.update_or_create_submission(assignment, student)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()


def main(course: Path, assignment: str, jobs: int, force: bool, unsandboxed: bool, timeout: float) -> int:
    from . import circle, kernel

    if unsandboxed:
        os.environ["COURSE_GRADING_SANDBOX"] = "0"
    ok, reason = kernel.sandbox_status()
    module = kernel._sandbox()
    if not ok and not unsandboxed and module is not None and hasattr(module, "refusal"):
        print(module.refusal(reason), file=sys.stderr)
        return 2
    try:  # the circle's letters: without them every answer would be marked against the wrong key
        circle.read_seed(Path(course))
    except circle.CircleSeedError as error:
        print(f"Cannot grade: {error}", file=sys.stderr)
        return 2
    print(
        f"autograding {assignment} in {course} with {jobs} parallel job(s); "
        f"{'kernels sandboxed' if ok else 'kernels NOT sandboxed: ' + reason}",
        flush=True,
    )
    started = time.monotonic()
    grader = Grader(
        course, assignment, jobs=jobs, force=force, timeout=timeout, out=lambda text: print(text, flush=True)
    )
    if not grader.students():
        print(
            f"No submissions of {assignment} in {grader.course / 'submitted'}: collect them first "
            f"(python -m course_helpers.grading collect {assignment})."
        )
        return 1
    results = grader.run()
    took = time.monotonic() - started
    graded = [r for r in results if r.status == "graded"]
    failed = [r for r in results if r.status == "failed"]
    print(
        f"done: {len(graded)} graded, {len(failed)} could not be graded, "
        f"{len(results) - len(graded) - len(failed)} skipped, in {took:.0f} s"
    )
    for r in failed:
        print(f"  ! {r.student}: {r.message}")
    for r in graded:
        if r.kind == "blank":
            print(f"  ? {r.student}: {r.note}")
    return 1 if failed else 0
