"""Facilitator commands for the graded assignments.

    python -m course_helpers.grading generate [--check]
    python -m course_helpers.grading collect <assignment> [--pick MEMBER=FILE]
    python -m course_helpers.grading autograde <assignment> [--jobs N] [--force] [--unsandboxed]
    python -m course_helpers.grading report [--out class-report.html]
    python -m course_helpers.grading sheet <assignment> [--out FILE.html]
    python -m course_helpers.grading paper <assignment> <member> "q1 b, q2 c a d b, ..." [--force]

Run them from the repository root (or pass --course PATH to the course directory, assignments/).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .spec import ALL_SLUGS

DEFAULT_JOBS = min(8, 2 * (os.cpu_count() or 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_helpers.grading", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the source notebooks and answer keys from the specs")
    gen.add_argument("--check", action="store_true", help="only check they are up to date (exit 1 if not)")
    col = sub.add_parser(
        "collect",
        help="collect the work in downloaded/<assignment>/archive/ (nbgrader zip_collect) and say what became "
        "of each member's",
    )
    col.add_argument(
        "assignment", choices=ALL_SLUGS, metavar="assignment", help="one of: " + ", ".join(ALL_SLUGS)
    )
    col.add_argument(
        "--pick",
        action="append",
        default=[],
        metavar="MEMBER=FILE",
        help="when a member sent several notebooks with answers, the one to collect (kept for later rounds)",
    )
    auto = sub.add_parser("autograde", help="autograde every submission of one assignment, in parallel")
    auto.add_argument(
        "assignment", choices=ALL_SLUGS, metavar="assignment", help="one of: " + ", ".join(ALL_SLUGS)
    )
    auto.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help=f"submissions graded at the same time (default {DEFAULT_JOBS}: twice the cores, at most 8; "
        "most of a submission's time is spent waiting for its kernel)",
    )
    auto.add_argument("--force", action="store_true", help="grade again submissions already autograded")
    auto.add_argument(
        "--unsandboxed",
        action="store_true",
        help="run members' code without the sandbox (only if you trust every submission)",
    )
    auto.add_argument(
        "--timeout", type=float, default=180, help="seconds allowed per submission (default 180)"
    )
    rep = sub.add_parser("report", help="the class report: most-missed questions and each member's progress")
    rep.add_argument("--out", type=Path, default=Path("class-report.html"), help="the chart file to write")
    from . import paper

    papers = paper.add_commands(sub, ALL_SLUGS)  # members on paper: the printable sheet, the typed answers
    for p in (gen, col, auto, rep, *papers):
        p.add_argument(
            "--course", type=Path, default=None, help="the course directory (default: assignments/)"
        )
    args = parser.parse_args(argv)

    from .generate import COURSE

    course = args.course or COURSE
    if args.command == "generate":
        from . import generate

        return generate.main(check=args.check, course=course)
    if args.command == "collect":
        from . import collect

        return collect.main(course, args.assignment, args.pick)
    if args.command == "autograde":
        from . import autograde

        return autograde.main(course, args.assignment, args.jobs, args.force, args.unsandboxed, args.timeout)
    if args.command == "report":
        from . import report

        return report.main(course, args.out)
    if args.command in ("sheet", "paper"):
        return paper.run(args, course)
    return 2


if __name__ == "__main__":
    sys.exit(main())
