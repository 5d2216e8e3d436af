"""nbgrader preprocessors that make autograding fair and hard to fool (configured in ``config.py``).

* :class:`SafeExecute` runs a submission with a time limit per cell *and* for the whole notebook, caps the
  output it keeps, and carries on (marking the rest as not run) when the submission kills its own kernel.
* :class:`CheckAnswers` marks every automatic item in this trusted process against ``answer_keys.json`` and
  replaces the test cell's outputs with a plain verdict (see ``kinds.py`` for why).
* :class:`RestoreCells` puts back deleted test cells even where nbgrader's own code would fail.
* :class:`ShowRubrics` puts each written answer's rubric under it in the autograded copy (the formgrader).
* :class:`StripHiddenTests` removes hidden tests and rubrics from the notebook a member's feedback is made from;
  :class:`RereadNotes` adds, under a written answer that lost points, where to reread.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.preprocessors.clearhiddentests import ClearHiddenTests
from traitlets import Integer, Unicode

from . import circle, kinds
from .kernel import kernel_manager_class

KEYS_FILE = Path(__file__).resolve().parent / "answer_keys.json"


def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _stream(text: str, name: str = "stdout") -> NotebookNode:
    return NotebookNode(output_type="stream", name=name, text=text)


class SafeExecute(Execute):
    """nbgrader's Execute with a whole-notebook time budget, an output cap and survival of a dead kernel."""

    notebook_timeout = Integer(
        120, help="Seconds the whole notebook may run; cells after that are not run and earn nothing."
    ).tag(config=True)
    max_output_bytes = Integer(
        200_000, help="Output kept per cell; the rest is dropped with a note (a flood cannot fill the disk)."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        # The sandbox (issue 7) swaps the kernel launcher here: see kernel.py.
        kwargs.setdefault("kernel_manager_class", kernel_manager_class())
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._started = time.monotonic()
        self._stopped = ""
        self._output_sizes: dict[int, int] = {}
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # raised while shutting down a kernel the submission killed: the cells are already marked
            return nb, resources if resources is not None else {}

    def _remaining(self) -> float:
        return self.notebook_timeout - (time.monotonic() - self._started)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = max(1, int(self._remaining()) + 1)
        return remaining if timeout is None else min(timeout, remaining)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not self._stopped and self._remaining() <= 0:
            self._stopped = (
                f"not run: the notebook used up its time limit ({self.notebook_timeout} s); "
                "look for a loop that never ends"
            )
        if self._stopped:
            cell.outputs = [_error("NotRun", self._stopped)]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = "not run: Python stopped in an earlier cell (the kernel died)"
            cell.outputs = [_error("KernelDied", "Python stopped while running this cell (the kernel died)")]
            return cell, resources
        except CellTimeoutError:
            self._stopped = "not run: an earlier cell ran past its time limit and could not be interrupted"
            cell.outputs = [
                _error(
                    "CellTimeoutError", "this cell ran past its time limit and did not stop when interrupted"
                )
            ]
            return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_sizes.get(cell_index, 0)
        self._output_sizes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(_stream(f"\n... output cut: more than {self.max_output_bytes} bytes ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def load_keys(path: Path = KEYS_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def circle_keys(assignment: str, keys: dict, course: Path | None = None) -> dict:
    """The keys in this circle's letters (``circle.py``): the letter items' keys made again from the spec with
    the course folder's seed; the data lab's numbers, which have no letters, as ``answer_keys.json`` holds them.
    A course folder without its seed file stops the grading with a clear error (raised from here)."""
    from . import spec

    if assignment not in spec.ALL_SLUGS:
        return keys  # not one of the course's assignments: it has no letters to follow
    seed = circle.read_seed(circle.course_root() if course is None else course)
    if seed == circle.PUBLIC:
        return keys
    ours = {
        i.grade_id: kinds.key(i) for i in spec.load(assignment, seed=seed).auto_items if i.kind != "number"
    }
    return {**keys, **ours}


class CheckAnswers(NbGraderPreprocessor):
    """Mark each automatic item from the value its test cell reported, against the key (trusted side)."""

    keys_file = Unicode(
        str(KEYS_FILE), help="JSON answer keys written by `course_helpers.grading generate`"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        self._keys = circle_keys(assignment, load_keys(Path(self.keys_file)).get(assignment, {}))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        grade_id = meta.get("grade_id", "")
        key = self._keys.get(grade_id)
        if key is None or key.get("kind") == "written":
            self.log.error("No answer key for test cell %s; it earns nothing. Run the generator.", grade_id)
            cell.outputs = [_error("NoKey", "this question could not be checked; tell your facilitator")]
            return cell, resources
        cell.outputs = self._verdict(
            key, cell.outputs, meta.get("points", key["points"]), cell.get("execution_count")
        )
        return cell, resources

    def _verdict(self, key: dict, outputs: list, points, count=None) -> list:
        reports = []
        problem = ""
        for out in outputs:
            if out.get("output_type") == "execute_result":
                reports.append(kinds.parse_report(out.get("data", {}).get("text/plain", "")))
            elif out.get("output_type") == "error" and not problem:
                problem = str(out.get("evalue", "")).strip()[:300] or str(out.get("ename", "Error"))[:80]
        points = float(points)
        reread = reread_text(key)
        hint = f" Hint: {key['hint']}" if key.get("hint") else ""
        if problem or len(reports) != 1 or reports[0] is None:
            why = problem or "the answer could not be read"
            return [
                _error("NotAnswered", f"No points: your answer could not be checked ({why}).{hint}{reread}")
            ]
        mark = kinds.score(key, reports[0])
        if not mark.read:
            why = f" ({mark.detail})" if mark.detail else ""
            return [_error("NotAnswered", f"No points: your answer could not be read{why}.{hint}{reread}")]
        earned = min(max(mark.points, 0.0), points)
        said = f" (you answered {mark.answered[:200]})" if mark.answered else ""
        detail = f"{mark.detail}: " if mark.detail else ""
        if earned >= points:
            return [_stream(f"Correct: {detail}{_of(points, points)}.\n")]
        if earned <= 0:
            return [_error("Incorrect", f"Not correct{said}: {detail}{_of(0, points)}.{hint}{reread}")]
        # nbgrader's partial credit: a test cell whose value is a number earns that many points
        return [
            _stream(f"Partly right{said}: {detail}{_of(earned, points)}.{hint}{reread}\n"),
            NotebookNode(
                output_type="execute_result",
                execution_count=count,
                metadata={},
                data={"text/plain": repr(earned)},
            ),
        ]


def _of(earned: float, points: float) -> str:
    return f"{earned:.3g} of {points:g} point{'s' if points != 1 else ''}"


def reread_text(key: dict) -> str:
    """Where to reread, from the key's ``reread`` (a chapter section and an essay passage); '' if none."""
    reread = key.get("reread") or {}
    if not reread:
        return ""
    where = f'"{reread.get("chapter", "")}"'
    if reread.get("title"):
        where += f' in the chapter "{reread["title"]}"'
    if reread.get("link"):
        where += f" ({reread['link']})"
    return f" Reread {where}, and the essay: {reread.get('essay', '')}."


class ShowRubrics(NbGraderPreprocessor):
    """Autograde step: under each written answer, a read-only cell with its rubric (three levels, each with an
    example answer), so the facilitator sees it where they grade (the formgrader shows the autograded copy).
    Feedback is made without these cells (:class:`StripHiddenTests`); the released notebook never has them."""

    keys_file = Unicode(str(KEYS_FILE), help="JSON answer keys and rubrics").tag(config=True)

    def preprocess(self, nb, resources):
        keys = load_keys(Path(self.keys_file)).get(resources["nbgrader"]["assignment"], {})
        cells = []
        for cell in nb.cells:
            if cell.metadata.get(kinds.RUBRIC_MARK):
                continue  # graded again: one rubric cell, not two
            cells.append(cell)
            meta = cell.metadata.get("nbgrader", {})
            entry = keys.get(meta.get("grade_id", ""))
            if cell.cell_type == "markdown" and meta.get("grade") and entry and entry.get("rubric"):
                cells.append(nbformat.from_dict(kinds.rubric_cell(meta["grade_id"], entry)))
        nb.cells = cells
        return nb, resources


class RereadNotes(NbGraderPreprocessor):
    """Feedback step (after GetGrades): under a written answer that lost points, where to reread."""

    keys_file = Unicode(str(KEYS_FILE), help="JSON answer keys and rubrics").tag(config=True)

    def preprocess(self, nb, resources):
        keys = load_keys(Path(self.keys_file)).get(resources["nbgrader"]["assignment"], {})
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            meta = cell.metadata.get("nbgrader", {})
            entry = keys.get(meta.get("grade_id", ""))
            score = meta.get("score")
            if (
                cell.cell_type == "markdown"
                and entry
                and entry.get("kind") == "written"
                and score is not None
                and float(score) < float(meta.get("points", entry["points"]))
            ):
                text = f"**To strengthen this answer:**{reread_text(entry)}"
                cells.append(nbformat.v4.new_markdown_cell(text, id=f"{meta['grade_id']}-reread"))
        nb.cells = cells
        return nb, resources


class RestoreCells(OverwriteCells):
    """Restore locked and test cells from the gradebook, and put back deleted ones.

    nbgrader puts a deleted test cell after the cell that came before it in the source; when that cell was
    deleted too it fails on the whole submission.  Here such cells go at the end instead, so the submission
    is still graded (the restored test simply finds no answer).
    """

    def add_missing_grade_cells(self, nb, resources):
        try:
            return super().add_missing_grade_cells(nb, resources)
        except (KeyError, IndexError, ValueError):
            self.log.warning("Could not place a restored cell next to its neighbours; appending it")
            present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            solution_ids = {c.name for c in source_nb.solution_cells}
            for grade_cell in source_nb.grade_cells:
                if grade_cell.name not in present:
                    source_cell = next(c for c in source_nb.source_cells if c.name == grade_cell.name)
                    nb.cells.append(
                        self.missing_cell_transform(
                            source_cell, grade_cell.max_score, is_solution=grade_cell.name in solution_ids
                        )
                    )
            return nb, resources


class StripHiddenTests(ClearHiddenTests):
    """Feedback step: drop hidden test regions from every cell (the autograded copy keeps them for grading),
    and the rubric cells :class:`ShowRubrics` added for the facilitator."""

    enforce_metadata = False

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.metadata.get(kinds.RUBRIC_MARK)]  # the facilitator's rubrics
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if kinds.HIDDEN_BEGIN in cell.source:
            self._remove_hidden_test_region(cell)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and any(
                    kinds.HIDDEN_BEGIN in line for line in out.get("traceback", [])
                ):
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
