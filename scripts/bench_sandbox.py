#!/usr/bin/env python3
"""Benchmark: the autograde benchmark (scripts/bench_grading.py) with and without the grading sandbox.

    python scripts/bench_sandbox.py                  # 4 members x 7 assignments, each way, twice
    python scripts/bench_sandbox.py --members 10 --rounds 1 --jobs 2

First times one kernel (start, load a course table, stop) each way. Then runs the same simulated study circle
through ``course_helpers.grading autograde`` unsandboxed and sandboxed, alternating (so a busy machine slows
both alike), and prints wall-clock seconds per submission for each. Both runs check every score against the
simulated member's, so a difference in scores fails the benchmark.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent / "bench_grading.py"


def one(sandboxed: bool, members: int, jobs: int | None) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds or None) per submission for one run of bench_grading.py."""
    env = dict(os.environ, COURSE_GRADING_SANDBOX="1" if sandboxed else "0")
    argv = [sys.executable, str(BENCH), "--members", str(members)] + (["--jobs", str(jobs)] if jobs else [])
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(
            f"the {'sandboxed' if sandboxed else 'unsandboxed'} run failed (scores differ or error)"
        )
    wall = re.search(r"\(([\d.]+) s per submission", proc.stdout)
    if not wall:
        raise SystemExit("could not read the time per submission from bench_grading.py")
    cpu = re.search(r"CPU time.*?([\d.]+) s per submission", proc.stdout)
    return float(wall.group(1)), float(cpu.group(1)) if cpu else None


KERNEL_CODE = "from course_helpers import data\nlen(data.load('events'))"


def kernel_seconds(manager_class, n: int) -> float:
    """Mean seconds to start a kernel, run one cell that loads course data, and shut it down."""
    import asyncio
    import time

    async def once() -> float:
        started = time.monotonic()
        km = manager_class()
        with (
            tempfile.TemporaryDirectory() as folder
        ):  # like nbgrader: the kernel starts in the member's folder
            await km.start_kernel(cwd=folder)
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(KERNEL_CODE, timeout=60, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
            kc.stop_channels()
            await km.shutdown_kernel()
        return time.monotonic() - started

    return sum(asyncio.run(once()) for _ in range(n)) / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=None, help="parallel jobs (default: the benchmark's)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kernels", type=int, default=5, help="kernel start-run-stop cycles timed each way")
    args = parser.parse_args(argv)

    from jupyter_client.manager import AsyncKernelManager

    from course_helpers.grading import sandbox

    ok, reason = sandbox.available()
    if not ok:
        raise SystemExit(f"cannot benchmark the sandbox here: {reason}")
    if args.kernels:
        plain_k, boxed_k = (
            kernel_seconds(c, args.kernels) for c in (AsyncKernelManager, sandbox.SandboxedKernelManager)
        )
        print(
            f"one kernel (start, load course data, stop), mean of {args.kernels}: without the sandbox "
            f"{plain_k:.2f} s, with it {boxed_k:.2f} s ({boxed_k - plain_k:+.2f} s)",
            flush=True,
        )
    times: dict[bool, list[tuple[float, float | None]]] = {False: [], True: []}
    for r in range(args.rounds):
        for sandboxed in (False, True):
            print(f"--- round {r + 1}, {'sandboxed' if sandboxed else 'unsandboxed'}", flush=True)
            times[sandboxed].append(one(sandboxed, args.members, args.jobs))

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else float("nan")

    print(f"\nper submission, mean of {args.rounds} round(s), {os.cpu_count()} cores:")
    # Only wall-clock time: bench_grading.py's CPU figure comes from RUSAGE_CHILDREN, which does not reach
    # processes inside bwrap's pid namespace, so it would undercount the sandboxed run.
    for label, index in (("wall-clock seconds", 0),):
        plain, boxed = (mean(t[index] for t in times[k]) for k in (False, True))
        runs = "; ".join(
            f"{'with' if k else 'without'}: "
            + ", ".join(f"{t[index]:.2f}" for t in times[k] if t[index] is not None)
            for k in (False, True)
        )
        print(
            f"  {label}: without the sandbox {plain:.2f}, with it {boxed:.2f} ({boxed - plain:+.2f}) [{runs}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
