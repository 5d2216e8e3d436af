#!/usr/bin/env python3
"""Benchmark: autograde a simulated study circle and check every score.

    python scripts/bench_grading.py                 # 30 members x 7 assignments, twice-the-cores parallel jobs
    python scripts/bench_grading.py --members 5 --jobs 2 --baseline 3
    python scripts/bench_grading.py --assignments data-lab   # the optional data lab (pandas in each notebook)

Builds a temporary course directory (notebooks and keys generated from the specs), releases the seven reading
assignments (members answer with letters under %%answer), writes one submission per
member and assignment (each member gets a random, known set of items right), grades them all with
``course_helpers.grading.autograde`` and prints seconds per submission and the total time.  Every score is
compared with the score the simulated member should get; any difference is printed and fails the run.
``--baseline N`` also times plain ``nbgrader autograde`` on N submissions, one at a time, for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course_helpers.grading import autograde, circle, generate, simulate, spec
from course_helpers.grading.generate import COURSE

RELEASE = """
import sys
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader
cfg = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
api = NbGraderAPI(coursedir=CourseDirectory(config=cfg, root="."), config=cfg)
for slug in sys.argv[1:]:
    result = api.generate_assignment(slug, force=True, create=True)
    assert result["success"], result.get("error")
"""


def _cpu() -> float:
    """CPU seconds used by this process and every finished child (workers, and through them the kernels)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(8, 2 * (os.cpu_count() or 1)),
        help="parallel submissions (default: twice the cores, at most 8)",
    )
    parser.add_argument("--assignments", nargs="*", default=list(spec.SLUGS))
    parser.add_argument("--baseline", type=int, default=0, help="also time plain nbgrader on N submissions")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--unsandboxed", action="store_true", help="grade without the sandbox even if available"
    )
    args = parser.parse_args(argv)

    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    rng = random.Random(args.seed)
    assignments = {a.slug: a for a in spec.load_all() if a.slug in args.assignments}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = Path(tmp) / "assignments"
        course.mkdir()
        shutil.copy(COURSE / "nbgrader_config.py", course)
        # A circle of its own letters, as a facilitator's first release makes (circle.py)
        (course / circle.SEED_FILE).write_text("bench-circle\n", encoding="utf-8")
        assignments = {a.slug: a for a in spec.load_all(seed="bench-circle") if a.slug in args.assignments}
        # Notebooks and keys generated here from the specs, so the scores expected below always match them.
        keys = Path(tmp) / "answer_keys.json"
        for path, text in generate.render(course, keys_path=keys, guide=False).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        with (course / "nbgrader_config.py").open("a") as f:
            for step in ("CheckAnswers", "ShowRubrics", "RereadNotes"):
                f.write(f"c.{step}.keys_file = {str(keys)!r}\n")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-c", RELEASE, *assignments],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"released {len(assignments)} assignments in {time.monotonic() - started:.0f} s")

        expected: dict[tuple[str, str], float] = {}
        pairs = []
        for slug, a in assignments.items():
            released = nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)
            for m in range(args.members):
                member = f"member{m + 1:02d}"
                right = simulate.random_right(a, rng)
                folder = course / "submitted" / member / slug
                folder.mkdir(parents=True)
                nbformat.write(simulate.submission(released, a, right), folder / f"{slug}.ipynb")
                expected[(slug, member)] = simulate.expected_score(a, right)
                pairs.append((slug, member))
        # interleave assignments so every worker stays busy to the end
        pairs.sort(key=lambda p: (p[1], p[0]))
        print(f"simulated {len(pairs)} submissions ({args.members} members x {len(assignments)} assignments)")

        baseline = None
        if args.baseline:
            shutil.copy(course / "gradebook.db", Path(tmp) / "gradebook.backup")
            took = []
            for slug, member in pairs[: args.baseline]:
                t0 = time.monotonic()
                subprocess.run(
                    [sys.executable, "-m", "nbgrader", "autograde", slug, "--student", member, "--force"],
                    cwd=course,
                    env=env,
                    capture_output=True,
                    check=False,
                )
                took.append(time.monotonic() - t0)
            baseline = sum(took) / len(took)
            shutil.rmtree(course / "autograded", ignore_errors=True)
            shutil.copy(Path(tmp) / "gradebook.backup", course / "gradebook.db")
            print(
                f"plain nbgrader, one at a time: {baseline:.1f} s per submission "
                f"(-> {baseline * len(pairs) / 60:.1f} min for {len(pairs)})"
            )

        if args.unsandboxed:
            os.environ["COURSE_GRADING_SANDBOX"] = "0"
        from course_helpers.grading import kernel

        sandboxed, why = kernel.sandbox_status()
        print("kernels sandboxed" if sandboxed else f"kernels NOT sandboxed: {why}")
        cpu_before = _cpu()
        started = time.monotonic()
        grader = autograde.Grader(course, jobs=args.jobs, force=True, out=lambda line: None)
        results = grader.run(pairs=pairs)
        total = time.monotonic() - started
        cpu = _cpu() - cpu_before

        wrong = [
            (r.assignment, r.student, r.score, expected[(r.assignment, r.student)], r.message)
            for r in results
            if r.status != "graded" or r.score != expected[(r.assignment, r.student)]
        ]
        per = total / len(results)
        print(
            f"course_helpers.grading autograde --jobs {args.jobs}: {len(results)} submissions in {total:.0f} s "
            f"({per:.2f} s per submission; {total / 60:.1f} min); cores: {os.cpu_count()}"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        if sandboxed:
            print(
                f"load average now: {load}. (Sandboxed kernels' CPU time is not reported to this process; run "
                "with --unsandboxed to measure CPU time per submission.)"
            )
        else:
            print(
                f"CPU time (grader, workers and kernels): {cpu:.0f} s, {cpu / len(results):.2f} s per submission; "
                f"on {os.cpu_count()} otherwise idle cores that is about {cpu / (os.cpu_count() or 1) / 60:.1f} "
                f"min (load average now: {load})"
            )
        print(f"scores: {len(results) - len(wrong)} of {len(results)} correct")
        for item in wrong[:20]:
            print("  WRONG", item)
        return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
