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


def _drop(frame: pd.DataFrame, apart) -> pd.DataFrame:
    """``frame`` without the (assignment, member) pairs in ``apart`` (work that was not read)."""
    if not apart or frame.empty:
        return frame
    keep = [(a, s) not in apart for a, s in zip(frame["assignment"], frame["student"], strict=True)]
    return frame[keep]


def question_stats(frame: pd.DataFrame, apart=()) -> pd.DataFrame:
    """Per question, among the members whose notebook was read (not those in ``apart``): how many answers were
    graded, how many of those missed points and their share, and how many wait for the facilitator's hand-grading
    (never counted as missed)."""
    frame = _drop(frame, set(apart)).copy()
    frame["missed"] = (frame["score"] < frame["max_score"]) & ~frame["pending"]
    frame["graded"] = ~frame["pending"]
    stats = (
        frame.groupby(["assignment", "grade_id"], sort=False)
        .agg(answered=("graded", "sum"), missed=("missed", "sum"), waiting=("pending", "sum"))
        .reset_index()
    )
    for column in ("answered", "missed", "waiting"):
        stats[column] = stats[column].astype(int)
    stats["share_missed"] = (stats["missed"] / stats["answered"].where(stats["answered"] > 0)).fillna(-1.0)
    labels = _labels()
    stats["question"] = [
        labels.get((a, g), (g, ""))[0] for a, g in zip(stats["assignment"], stats["grade_id"], strict=True)
    ]
    stats["hint"] = [
        labels.get((a, g), ("", ""))[1] for a, g in zip(stats["assignment"], stats["grade_id"], strict=True)
    ]
    order = {slug: n for n, slug in enumerate(spec.ALL_SLUGS)}
    stats["_order"] = stats["assignment"].map(order).fillna(99)
    stats = (
        stats.sort_values(["share_missed", "_order", "grade_id"], ascending=[False, True, True])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    stats["share_missed"] = stats["share_missed"].where(stats["share_missed"] >= 0)  # NaN: nothing graded yet
    return stats


def member_progress(frame: pd.DataFrame, apart=()) -> pd.DataFrame:
    """Per member and assignment (work that was read, not ``apart``): percentage of the points graded so far that
    were earned, and how many answers still await hand-grading (their points are left out until graded)."""
    frame = _drop(frame, set(apart))
    graded = frame.assign(max_graded=frame["max_score"].where(~frame["pending"], 0.0))
    table = (
        graded.groupby(["student", "assignment"])
        .agg(score=("score", "sum"), max_score=("max_graded", "sum"), pending=("pending", "sum"))
        .reset_index()
    )
    table["percent"] = (100 * table["score"] / table["max_score"]).round(1)
    return table


def apart(course: Path, frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(assignment, member) -> why that member's work is not counted and what to ask for: work autograde could
    not read or that came back blank, work the collect step could not take, and members of the gradebook who sent
    nothing for an assignment others sent.  Counted in no percentage and no "missed"."""
    from nbgrader.api import Gradebook

    from .collect import read_status

    status = read_status(course)
    out: dict[tuple[str, str], str] = {}
    for assignment, members in status.get("autograde", {}).items():
        for member, entry in members.items():
            if not entry.get("ok") or entry.get("kind") == "blank":
                out[(assignment, member)] = entry.get("line", "")
    graded = {a: {m for m, e in ms.items() if e.get("ok")} for a, ms in status.get("autograde", {}).items()}
    for assignment, members in status.get("collect", {}).items():
        for member, entry in members.items():
            if entry.get("kind") == "not-a-member":
                continue  # a stray file or a folder name that is no member id: the collect step named it
            if not entry.get("ok") and member not in graded.get(assignment, set()):
                line = entry.get("line", "")
                out.setdefault(
                    (assignment, member), line if line.startswith("nothing") else f"not collected: {line}"
                )
    db = Path(course) / "gradebook.db"
    if db.is_file():
        with Gradebook(f"sqlite:///{db.resolve()}") as gb:
            everyone = [s.id for s in gb.students]
        sent = frame.groupby("assignment")["student"].agg(set).to_dict() if not frame.empty else {}
        for assignment, members in sent.items():
            for member in everyone:
                if member not in members:
                    out.setdefault((assignment, member), "sent nothing: ask for their notebook")
    return out


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


def missed_text(r) -> str:
    """'40% (2 of 5 read)', plus the answers still waiting for hand-grading; or only those."""
    waiting = f"{r.waiting} waiting for you to grade by hand" if r.waiting else ""
    if not r.answered:
        return waiting or "nothing graded yet"
    text = f"{100 * r.share_missed:.0f}% ({r.missed} of {r.answered} graded)"
    return f"{text}; {waiting}" if waiting else text


def write_html(
    figs: list[go.Figure], stats: pd.DataFrame, out: Path, apart: dict[tuple[str, str], str] | None = None
) -> None:
    parts = [pio.to_html(f, full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs)]
    shown = pd.concat([stats[stats["answered"] > 0].head(15), stats[stats["answered"] == 0]])
    rows = "".join(
        f"<tr><td>{escape(r.assignment)}</td><td>{escape(r.grade_id)}</td><td>{escape(missed_text(r))}</td>"
        f"<td>{escape(r.question)}</td><td>{escape(r.hint)}</td></tr>"
        for r in shown.itertuples()
    )
    table = (
        "<h2>What to revisit</h2><p>Counted among the members whose notebook was read; answers waiting for "
        "your hand-grading are not counted as missed.</p><table border='1' cellpadding='4'><tr>"
        "<th>assignment</th><th>question</th><th>missed by</th><th>the question</th><th>where to reread</th></tr>"
        f"{rows}</table>"
    )
    if apart:
        items = "".join(
            f"<tr><td>{escape(m)}</td><td>{escape(a)}</td><td>{escape(why)}</td></tr>"
            for (a, m), why in sorted(apart.items())
        )
        table += (
            "<h2>Not counted: work that was not read</h2><p>These members are in no percentage above. "
            "Each line says what to ask for.</p><table border='1' cellpadding='4'><tr><th>member</th>"
            f"<th>assignment</th><th>what happened, and what to do</th></tr>{items}</table>"
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
    left_out = apart(Path(course), frame)
    stats, progress = question_stats(frame, left_out), member_progress(frame, left_out)
    write_html(figures(stats[stats["answered"] > 0], progress), stats, Path(out), left_out)
    print(
        f"{progress['student'].nunique()} members, {len(progress)} submissions read, "
        f"{int(stats['waiting'].sum())} answers waiting for you to grade by hand"
    )
    print("Most missed questions (revisit these; counted among the notebooks that were read):")
    for r in stats[stats["answered"] > 0].head(5).itertuples():
        print(f"  {100 * r.share_missed:3.0f}%  {r.assignment} {r.grade_id}: {r.question}")
        print(f"        missed by {r.missed} of the {r.answered} notebooks read")
        if r.hint:
            print(f"        reread: {r.hint}")
    waiting = stats[stats["waiting"] > 0]
    if len(waiting):
        print("Waiting for your hand-grading (not counted as missed):")
        for r in waiting.itertuples():
            print(f"  {r.assignment} {r.grade_id}: {r.waiting} answer{'s' if r.waiting != 1 else ''}")
    if left_out:
        print("Not counted, because their work was not read (ask them for what the line says):")
        for (a, m), why in sorted(left_out.items()):
            print(f"  {m} ({a}): {why}")
    print("Each member's progress (% of points):")
    pivot = progress.pivot(index="student", columns="assignment", values="percent")
    print(pivot.reindex(columns=[s for s in spec.ALL_SLUGS if s in pivot.columns]).to_string(na_rep="-"))
    print(f"Charts written to {Path(out).resolve()}")
    return 0
