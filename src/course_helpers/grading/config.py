"""The course's nbgrader settings, applied by ``assignments/nbgrader_config.py``.

Kept here (not in the config file) so tests can read and check them, and so a copy of the course directory
grades exactly like the original.
"""

from __future__ import annotations

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from . import kernel
from .circle import CircleLetters
from .collect import MEMBER_ID
from .preprocessors import CheckAnswers, RereadNotes, RestoreCells, SafeExecute, ShowRubrics, StripHiddenTests

COURSE_ID = "the-party-question"
CELL_TIMEOUT = 30  # seconds per cell: every cell of these notebooks runs in well under a second
NOTEBOOK_TIMEOUT = 120  # seconds per notebook; the parallel grader also kills a submission after 180 s
# <anything>/extracted/<member-id>/[folders/]<notebook>.ipynb, skipping Jupyter's checkpoint copies.
# The member id as people write it (lía, íñigo, zoë: see collect.MEMBER_ID), never a slash or "..";
# checkpoint copies and macOS's __MACOSX companions (and ._ files) are never a member's notebook.
COLLECT_REGEXP = (
    rf".*/extracted/(?P<student_id>{MEMBER_ID})/(?:(?!\.ipynb_checkpoints/|__MACOSX/)[^/]+/)*"
    r"(?P<file_id>(?!\._)[^/]+\.ipynb)$"
)
# What a released answer cell holds under its first line (%%answer N): a note, which is never part of an answer,
# so a cell left as released reads as "no answer yet" (and a data-lab cell runs without error).
CODE_STUB = "# Type your answer on a new line below this one, then run the cell (Shift+Enter)."


def configure(c) -> None:
    c.CourseDirectory.course_id = COURSE_ID
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    # Released notebooks must not carry hidden tests; generate_assignment strips them (ClearHiddenTests is on by
    # default) -- the tests check that the released notebooks hold none.
    # Each circle gets its own letters (circle.py): a release first writes the notebook in the circle's letters,
    # making the circle's seed file on the first release; nbgrader's own steps follow unchanged.
    c.GenerateAssignment.preprocessors = [
        CircleLetters,
        *GenerateAssignment.class_traits()["preprocessors"].default(),
    ]

    # Autograding: restore what a member may have deleted or changed, then run, then mark in this process.
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        RestoreCells,
        CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        SafeExecute,
        CheckAnswers,
        ShowRubrics,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.Execute.timeout = CELL_TIMEOUT
    c.SafeExecute.timeout = CELL_TIMEOUT
    c.SafeExecute.notebook_timeout = NOTEBOOK_TIMEOUT
    c.SafeExecute.max_output_bytes = 200_000
    c.LimitOutput.max_lines = 200
    c.LimitOutput.max_traceback = 60

    # Collecting without a hub (email, shared folder): save each member's file(s) in
    # downloaded/<assignment>/archive/<member-id>/ (a notebook or a .zip), then `nbgrader zip_collect <assignment>`.
    c.ZipCollectApp.archive_directory = "archive"
    c.ZipCollectApp.extracted_directory = "extracted"
    c.FileNameCollectorPlugin.named_regexp = COLLECT_REGEXP
    c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
    # One notebook per member, chosen by one stated rule; one broken zip stops only its member (collect.py).
    c.ZipCollectApp.extractor_plugin = "course_helpers.grading.collect.CourseExtractor"
    c.ZipCollectApp.collector_plugin = "course_helpers.grading.collect.CourseCollector"

    # Feedback: made from a copy without hidden tests (nbgrader's default shows them, and their tracebacks).
    # Rubric cells (the facilitator's) are dropped; written answers that lost points get where to reread.
    c.GenerateFeedback.preprocessors = [GetGrades, StripHiddenTests, RereadNotes, CSSHTMLHeaderPreprocessor]

    kernel.configure(c)
