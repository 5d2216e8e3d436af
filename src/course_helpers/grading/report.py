"""The class report: which questions the circle missed most, and each member's progress across assignments.

    python -m course_helpers.grading report --out class-report.html

Reads the gradebook (``assignments/gradebook.db``), prints a short text summary and writes one HTML file with
two interactive charts (open it in a browser; it works offline).  Use it to decide what the next meeting
should revisit: each missed question is listed with the hint that says where to reread.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import spec


def grades(db: Path) -> pd.DataFrame:
    """One row per member, assignment and graded cell: score, max_score and whether it still needs a human."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        for assignment in gb.assignments:
            for sub in gb.assignment_submissions(assignment.name):
                for nb in sub.notebooks:
                    for g in nb.grades:
                        rows.append(
                            {
                                "assignment": assignment.name,
                                "student": sub.student.id,
                                "grade_id": g.name,
                                "score": float(g.score or 0),
                                "max_score": float(g.max_score),
                                "pending": bool(g.needs_manual_grade),
                                "automatic": g.cell.cell_type == "code",
                            }
                        )
    return pd.DataFrame(
        rows, columns=["assignment", "student", "grade_id", "score", "max_score", "pending", "automatic"]
    )


def _labels() -> dict[tuple[str, str], tuple[str, str]]:
    """(assignment, grade_id) -> (short question text, hint) from the specs."""
    out = {}
    for a in spec.load_all():
        for item in a.items:
            text = " ".join((item.statement if item.kind == "truefalse" else item.prompt).split())
            out[(a.slug, item.grade_id)] = (text if len(text) <= 90 else text[:87] + "...", item.hint)
    return out


def question_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per question: how many members answered it (graded), how many missed points, and the share missed."""
    done = frame[~frame["pending"]].copy()
    done["missed"] = done["score"] < done["max_score"]
    stats = (
        done.groupby(["assignment", "grade_id"], sort=False)
        .agg(answered=("missed", "size"), missed=("missed", "sum"))
        .reset_index()
    )
    stats["share_missed"] = stats["missed"] / stats["answered"]
    labels = _labels()
    stats["question"] = [
        labels.get((a, g), (g, ""))[0] for a, g in zip(stats["assignment"], stats["grade_id"], strict=True)
    ]
    stats["hint"] = [
        labels.get((a, g), ("", ""))[1] for a, g in zip(stats["assignment"], stats["grade_id"], strict=True)
    ]
    order = {slug: n for n, slug in enumerate(spec.ALL_SLUGS)}
    stats["_order"] = stats["assignment"].map(order).fillna(99)
    return (
        stats.sort_values(["share_missed", "_order", "grade_id"], ascending=[False, True, True])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def member_progress(frame: pd.DataFrame) -> pd.DataFrame:
    """Per member and assignment: percentage of the points graded so far that were earned, and how many answers
    still await hand-grading (their points are left out until graded)."""
    graded = frame.assign(max_graded=frame["max_score"].where(~frame["pending"], 0.0))
    table = (
        graded.groupby(["student", "assignment"])
        .agg(score=("score", "sum"), max_score=("max_graded", "sum"), pending=("pending", "sum"))
        .reset_index()
    )
    table["percent"] = (100 * table["score"] / table["max_score"]).round(1)
    return table


def figures(stats: pd.DataFrame, progress: pd.DataFrame, top: int = 15) -> list[go.Figure]:
    worst = stats.head(top).iloc[::-1]
    names = [f"{a} · {g}" for a, g in zip(worst["assignment"], worst["grade_id"], strict=True)]
    missed = go.Figure(
        go.Bar(
            x=(100 * worst["share_missed"]).round(1),
            y=names,
            orientation="h",
            customdata=list(
                zip(worst["question"], worst["missed"], worst["answered"], worst["hint"], strict=True)
            ),
            hovertemplate="%{customdata[0]}<br>missed by %{customdata[1]} of %{customdata[2]}"
            "<br>reread: %{customdata[3]}<extra></extra>",
        )
    )
    missed.update_layout(
        title="Questions the circle missed most (share of members who lost points)",
        xaxis_title="% of members who missed it",
        xaxis_range=[0, 100],
        height=200 + 28 * len(worst),
        margin={"l": 320},
    )
    order = [s for s in spec.ALL_SLUGS if s in set(progress["assignment"])]
    pivot = progress.pivot(index="student", columns="assignment", values="percent").reindex(columns=order)
    heat = go.Figure(
        go.Heatmap(
            z=pivot.values,
            x=list(pivot.columns),
            y=list(pivot.index),
            zmin=0,
            zmax=100,
            colorscale="Blues",
            colorbar={"title": "%"},
            hovertemplate="%{y}, %{x}: %{z}%<extra></extra>",
        )
    )
    heat.update_layout(
        title="Each member's progress: % of points per assignment (blank: not submitted)",
        height=240 + 22 * len(pivot),
        yaxis={"autorange": "reversed"},
    )
    return [missed, heat]


def write_html(figs: list[go.Figure], stats: pd.DataFrame, out: Path) -> None:
    parts = [pio.to_html(f, full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs)]
    rows = "".join(
        f"<tr><td>{escape(r.assignment)}</td><td>{escape(r.grade_id)}</td><td>{100 * r.share_missed:.0f}% "
        f"({r.missed}/{r.answered})</td><td>{escape(r.question)}</td><td>{escape(r.hint)}</td></tr>"
        for r in stats.head(15).itertuples()
    )
    table = (
        "<h2>What to revisit</h2><table border='1' cellpadding='4'><tr><th>assignment</th><th>question</th>"
        f"<th>missed by</th><th>the question</th><th>where to reread</th></tr>{rows}</table>"
    )
    out.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class report</title></head><body>"
        "<h1>Class report</h1>" + "".join(parts) + table + "</body></html>",
        encoding="utf-8",
    )


def main(course: Path, out: Path) -> int:
    db = Path(course) / "gradebook.db"
    if not db.is_file():
        print(f"No gradebook at {db}: release and autograde an assignment first.")
        return 1
    frame = grades(db)
    if frame.empty:
        print("The gradebook has no submissions yet: collect and autograde some first.")
        return 1
    stats, progress = question_stats(frame), member_progress(frame)
    write_html(figures(stats, progress), stats, Path(out))
    print(
        f"{progress['student'].nunique()} members, {len(progress)} submissions, "
        f"{int(frame['pending'].sum())} answers still to grade by hand"
    )
    print("Most missed questions (revisit these):")
    for r in stats.head(5).itertuples():
        print(f"  {100 * r.share_missed:3.0f}%  {r.assignment} {r.grade_id}: {r.question}")
        if r.hint:
            print(f"        reread: {r.hint}")
    print("Each member's progress (% of points):")
    pivot = progress.pivot(index="student", columns="assignment", values="percent")
    print(pivot.reindex(columns=[s for s in spec.ALL_SLUGS if s in pivot.columns]).to_string(na_rep="-"))
    print(f"Charts written to {Path(out).resolve()}")
    return 0
