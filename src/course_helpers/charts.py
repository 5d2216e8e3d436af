"""Figures for the course, built only from the checked tables in ``data/``.

Each function returns a ``plotly.graph_objects.Figure`` with a title, labelled axes, a colour-blind-safe palette,
the source of every point in its hover, and a text alternative (a one-sentence summary and the data as a table)
stored in ``fig.layout.meta`` for ``course_helpers.display`` to print beside the chart.

    >>> from course_helpers import charts
    >>> charts.timeline(section="lessons-of-history")
    >>> charts.membership(["spd", "uspd", "kpd", "kapd"], start=1917, end=1923)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from . import data as course_data
from . import render
from .schemas import SECTIONS

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
# Yellow comes last: it is hard to see on a white page, so it is used only when seven colours are not enough.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
render.register()  # figures show in JupyterLab and in the built book alike (see render.py)

# Where the charts' menus and buttons sit: just above the plotting area, under the title.
ABOVE_PLOT = {"y": 1.0, "yanchor": "bottom", "pad": {"b": 10}}

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _base_layout(fig: go.Figure, title: str, *, x_title: str, y_title: str, height: int) -> None:
    fig.update_layout(
        # title at the top of the figure, controls (if any) just above the plot, legend at the very bottom:
        # nothing overlaps at the narrow widths of a phone or the book's text column
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12},
        },
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 120},
        hoverlabel={"align": "left"},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="rgba(128,128,128,0.25)")
    fig.update_yaxes(title_text=y_title, showgrid=True, gridcolor="rgba(128,128,128,0.25)")


def _attach_alternative(fig: go.Figure, summary: str, table: pd.DataFrame, name: str) -> go.Figure:
    fig.update_layout(
        meta={
            "course_name": name,
            "summary": summary,
            "table_columns": list(table.columns),
            "table_rows": table.astype(str).values.tolist(),
        }
    )
    return fig


def _sources_text(source_ids: str, sources: pd.DataFrame) -> str:
    parts = []
    for sid in source_ids.split(";"):
        row = sources.loc[sid]
        where = f", {row['pages']}" if row["pages"] else ""
        parts.append(f"{(row['author'] or row['publisher'])} ({row['year']}), <i>{row['title']}</i>{where}")
    return "<br>".join(parts)


def _short_citations(source_ids: str, sources: pd.DataFrame) -> str:
    """'Author (year); Author (year)' for the data tables under the charts."""
    return "; ".join(
        f"{sources.loc[x, 'author'] or sources.loc[x, 'publisher']} ({sources.loc[x, 'year']})"
        for x in source_ids.split(";")
    )


def _wrap(text: str, width: int = 60) -> str:
    """Break a long hover line at word boundaries so the hover box stays narrow."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Timeline of events


def _section_list(value: str) -> list[str]:
    return [s for s in value.split(";") if s]


def _serves(events: pd.DataFrame, section: str) -> pd.Series:
    return events["section"].map(lambda s: section in _section_list(s))


def _timeline_events(events: pd.DataFrame, section: str | None, country: str | None) -> pd.DataFrame:
    """The events a timeline draws, sorted by date; a ValueError if none match."""
    if section is not None:
        if section not in SECTIONS:
            raise ValueError(f"unknown essay section {section!r}; the sections are: {', '.join(SECTIONS)}")
        events = events[_serves(events, section)]
    if country is not None:
        events = events[events["country"] == country]
    if events.empty:
        raise ValueError("no events match this timeline's filter; nothing to draw")
    return events.sort_values("date_value").reset_index(drop=True)


def _event_hover(r: pd.Series, sources: pd.DataFrame) -> str:
    return (
        f"<b>{r['title']}</b><br>{r['date_label']}"
        + (f" to {r['end_date_label']}" if r["end_date_label"] else "")
        + (f" · {r['place']}" if r["place"] else "")
        + f"<br>{_wrap(r['description'])}<br><br><b>Source</b><br>{_sources_text(r['source_ids'], sources)}"
    )


def _event_trace(
    frame: pd.DataFrame, sec: str, sources: pd.DataFrame, *, visible: bool, legend: bool
) -> go.Scatter:
    """The events of one essay section: one colour and one symbol per section."""
    index = list(SECTIONS).index(sec)
    return go.Scatter(
        x=frame["date_value"],
        y=frame["country"],
        mode="markers",
        name=SECTIONS[sec],
        legendgroup=sec,
        marker={
            "size": 13,
            "color": PALETTE[index % len(PALETTE)],
            "symbol": SYMBOLS[index % len(SYMBOLS)],
            "line": {"width": 1, "color": "#ffffff"},
        },
        hovertext=[_event_hover(r, sources) for _, r in frame.iterrows()],
        hoverinfo="text",
        visible=visible,
        showlegend=legend,
    )


def _timeline_menus(
    fig: go.Figure, events: pd.DataFrame, sources: pd.DataFrame, n_primary: int
) -> list[dict]:
    """The master timeline's two drop-down menus: one essay section (through hidden filter traces, added
    here), one country (by zooming the vertical axis to its lane)."""
    filter_sections = [s for s in SECTIONS if _serves(events, s).any()]
    for sec in filter_sections:
        fig.add_trace(_event_trace(events[_serves(events, sec)], sec, sources, visible=False, legend=False))
    n_filter = len(filter_sections)
    buttons = [
        {
            "label": "All essay sections",
            "method": "update",
            "args": [{"visible": [True] * n_primary + [False] * n_filter}],
        }
    ] + [
        {
            "label": SECTIONS[sec],
            "method": "update",
            "args": [{"visible": [False] * n_primary + [j == i for j in range(n_filter)]}],
        }
        for i, sec in enumerate(filter_sections)
    ]
    countries = sorted(events["country"].unique())
    lanes = countries[::-1]
    country_buttons = [
        {
            "label": "All countries",
            "method": "relayout",
            "args": [{"yaxis.range": [-0.5, len(countries) - 0.5]}],
        }
    ] + [
        {
            "label": c,
            "method": "relayout",
            "args": [{"yaxis.range": [lanes.index(c) - 0.5, lanes.index(c) + 0.5]}],
        }
        for c in countries
    ]
    common = {**ABOVE_PLOT, "direction": "down", "showactive": True}
    return [
        {"buttons": buttons, "x": 0, "xanchor": "left", "name": "section", **common},
        {"buttons": country_buttons, "x": 1, "xanchor": "right", "name": "country", **common},
    ]


def cluster_range(
    dates: Iterable[pd.Timestamp], *, share: float = 0.8, narrower: float = 0.6
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Where most events cluster: the shortest stretch of time holding ``share`` of the dates, padded a little
    on each side; None when that stretch is not clearly narrower (``narrower`` of the whole span) than all."""
    values = sorted(pd.Timestamp(d) for d in dates if pd.notna(d))
    if len(values) < 3:
        return None
    k = max(2, math.ceil(share * len(values)))
    span = values[-1] - values[0]
    start, end = min(
        ((values[i], values[i + k - 1]) for i in range(len(values) - k + 1)), key=lambda w: w[1] - w[0]
    )
    if span.days == 0 or (end - start) > span * narrower:
        return None
    pad = max(pd.Timedelta(days=365), (end - start) * 0.08)
    return start - pad, end + pad


def _timeline_alternative(events: pd.DataFrame, countries: list[str], sources: pd.DataFrame):
    span = f"{events['date_label'].iloc[0]} to {events['date_label'].iloc[-1]}"
    summary = (
        f"{len(events)} events in {len(countries)} "
        f"{'country' if len(countries) == 1 else 'countries'} ({', '.join(countries)}), from {span}."
    )
    table = pd.DataFrame(
        {
            "Date": events["date_label"],
            "Event": events["title"],
            "Country": events["country"],
            "Essay section": events["section"].map(
                lambda s: "; ".join(SECTIONS[x] for x in _section_list(s))
            ),
            "Sources": events["source_ids"].map(lambda ids: _short_citations(ids, sources)),
        }
    )
    return summary, table


def timeline(
    section: str | None = None,
    *,
    country: str | None = None,
    events: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    title: str | None = None,
) -> go.Figure:
    """Events on a time axis, one row per country, coloured by the essay section they serve.

    ``section`` or ``country`` keep only the events that match (a per-chapter timeline).  With neither, the
    figure carries drop-down menus that filter by section and by country in the static page.  The chart opens
    zoomed on the years where most of its events cluster (``cluster_range``); the slider under it reaches the
    whole span.
    """
    events = _timeline_events(course_data.load("events") if events is None else events, section, country)
    sources = (course_data.load("sources") if sources is None else sources).set_index("id")
    countries = sorted(events["country"].unique())
    primary = events["section"].map(lambda s: _section_list(s)[0])
    section_order = [s for s in SECTIONS if s in set(primary)]

    fig = go.Figure()
    for sec in section_order:
        fig.add_trace(_event_trace(events[primary == sec], sec, sources, visible=True, legend=True))
    master = section is None and country is None
    menus = _timeline_menus(fig, events, sources, len(section_order)) if master else []

    default_title = "Timeline of events" + (f": {SECTIONS[section]}" if section else "")
    _base_layout(
        fig,
        title or default_title,
        x_title="Date (to zoom, drag the handles at the ends of the strip)",
        y_title="Country",
        height=max(380, 140 + 60 * len(countries)) + (60 if menus else 0),
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=countries[::-1],
        range=[-0.5, len(countries) - 0.5],
        fixedrange=True,
    )
    fig.update_xaxes(rangeslider={"visible": True, "thickness": 0.08, "autorange": True}, type="date")
    zoom = cluster_range(events["date_value"])
    if zoom is not None:
        fig.update_xaxes(range=list(zoom))
    if menus:
        fig.update_layout(updatemenus=menus, margin={"t": 110})
    summary, table = _timeline_alternative(events, countries, sources)
    if zoom is not None:
        inside = events["date_value"][(events["date_value"] >= zoom[0]) & (events["date_value"] <= zoom[1])]
        summary += (
            f" The chart opens on {inside.min().year} to {inside.max().year}, where {len(inside)} of them fall; "
            "the slider under it reaches the rest."
        )
    return _attach_alternative(fig, summary, table, "timeline")


# ---------------------------------------------------------------------------------------------------------------
# Membership over time


# What each ``counted`` kind of figure is, in the legend's words
COUNTED_LABEL = {
    "members": "members (own count)",
    "claimed": "claimed in public",
    "estimate": "estimates",
    "delegates-represented": "represented by congress delegates",
    "parent-members-represented": "parent party's members whose delegates went over",
    "votes": "votes cast",
    "dues-paying": "dues-paying members",
}
COUNTED_DASH = {
    "members": "solid",
    "dues-paying": "solid",
    "delegates-represented": "dash",
    "estimate": "dot",
}
COUNTED_SYMBOL = {
    "members": "circle",
    "dues-paying": "circle",
    "claimed": "diamond-open",
    "estimate": "square",
    "delegates-represented": "triangle-up",
    "parent-members-represented": "x",
    "votes": "cross",
}
_SCOPE = re.compile(r"\b([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)*) only\b")


def series_key(row: pd.Series) -> tuple[str, str, str]:
    """What a line may join: one organisation, one kind of count (``counted``), one scope ("Catalonia only",
    from the note), and disputed figures (the note says "disputed") apart from the rest."""
    note = row["note"] or ""
    scope = _SCOPE.search(note)
    flag = "disputed" if "disputed" in note.lower() else ""
    return row["counted"], scope.group(0) if scope else "", flag


def _series_name(short: str, key: tuple[str, str, str]) -> str:
    counted, scope, flag = key
    extra = "; ".join(x for x in (scope, flag) if x)
    return f"{short}: {COUNTED_LABEL.get(counted, counted)}" + (f" ({extra})" if extra else "")


def _figure_text(r: pd.Series) -> str:
    lo, hi = r["members_low"], r["members_high"]
    return f"{lo:,}" if lo == hi else f"{lo:,} to {hi:,}"


def _shares_a_source(a: str, b: str) -> bool:
    return bool(set(a.split(";")) & set(b.split(";")))


def _series_trace(
    frame: pd.DataFrame,
    name: str,
    colour: str,
    key: tuple[str, str, str],
    short: str,
    sources,
    max_gap_years: float,
) -> go.Scatter:
    """One series: points of one kind; a line joins two neighbours only when they are less than
    ``max_gap_years`` apart and share a source (so a line never joins two sources' counts)."""
    xs, ys, err, hover = [], [], [], []
    previous = None
    for _, r in frame.iterrows():
        if previous is not None and (
            (r["date_value"] - previous["date_value"]).days > 365.25 * max_gap_years
            or not _shares_a_source(r["source_ids"], previous["source_ids"])
        ):
            xs.append(None)
            ys.append(None)
            err.append(None)
            hover.append(None)
        previous = r
        xs.append(r["date_value"])
        ys.append(r["members_low"])
        err.append(r["members_high"] - r["members_low"])
        note = f"<br>{_wrap(r['note'])}" if r["note"] else ""
        hover.append(
            f"<b>{short}</b>, {r['date_label']}<br>{_figure_text(r)} ({r['counted']}){note}"
            f"<br><br><b>Source</b><br>{_sources_text(r['source_ids'], sources)}"
        )
    counted, _, flag = key
    symbol = COUNTED_SYMBOL.get(counted, "circle")
    if flag and not symbol.endswith("-open"):
        symbol += "-open"
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines+markers",
        name=name,
        connectgaps=False,
        line={"color": colour, "width": 2, "dash": COUNTED_DASH.get(counted, "solid")},
        marker={"size": 10, "symbol": symbol, "color": colour, "line": {"width": 2, "color": colour}},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": err,
            "arrayminus": [0] * len(err),
            "visible": any(e for e in err if e),
            "thickness": 2,
            "width": 6,
        },
        hovertext=hover,
        hoverinfo="text",
        meta={"organisation": frame["organisation_id"].iloc[0], "counted": counted},
    )


def membership(
    organisations: Iterable[str],
    *,
    start: int | None = None,
    end: int | None = None,
    membership_rows: pd.DataFrame | None = None,
    organisation_rows: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    title: str | None = None,
    max_gap_years: float = 3,
    include_votes: bool = False,
) -> go.Figure:
    """Sourced membership figures of several organisations over time.

    Every sourced figure is a point; a range in a source (low to high) is drawn as a bar through the point.
    Figures of different kinds (``counted``: a register, a public claim, an estimate, members represented by
    delegates...) are separate series, named so in the legend, and so are figures for part of a country
    ("Catalonia only" in the note) and disputed ones: a line never joins two kinds of count.  Within a series a
    line joins two figures only when they share a source and are less than ``max_gap_years`` apart.  Buttons
    switch the vertical axis between a linear and a logarithmic scale.  Vote totals (``counted == "votes"``)
    are not members and are left out unless ``include_votes`` is true.
    """
    wanted = list(organisations)
    rows = course_data.load("membership") if membership_rows is None else membership_rows
    orgs = (course_data.load("organisations") if organisation_rows is None else organisation_rows).set_index(
        "id"
    )
    sources = (course_data.load("sources") if sources is None else sources).set_index("id")
    unknown = [o for o in wanted if o not in orgs.index]
    if unknown:
        raise ValueError(f"unknown organisation id(s): {', '.join(unknown)}; see data/organisations.csv")
    rows = rows[rows["organisation_id"].isin(wanted)]
    if not include_votes:
        rows = rows[rows["counted"] != "votes"]
    if start is not None:
        rows = rows[rows["date_value"].dt.year >= start]
    if end is not None:
        rows = rows[rows["date_value"].dt.year <= end]
    missing = [o for o in wanted if o not in set(rows["organisation_id"])]
    if missing:
        raise ValueError(
            f"no membership figures for {', '.join(missing)} in this period; see data/membership.csv"
        )
    rows = rows.sort_values(["organisation_id", "date_value", "members_low"])

    fig = go.Figure()
    for i, org in enumerate(wanted):
        frame = rows[rows["organisation_id"] == org]
        keys = frame.apply(series_key, axis=1)
        short = orgs.loc[org, "short_name"]
        for key in sorted(
            set(keys), key=lambda k: (list(COUNTED_LABEL).index(k[0]) if k[0] in COUNTED_LABEL else 99, k)
        ):
            fig.add_trace(
                _series_trace(
                    frame[keys == key],
                    _series_name(short, key),
                    PALETTE[i % len(PALETTE)],
                    key,
                    short,
                    sources,
                    max_gap_years,
                )
            )
    years = rows["date_value"].dt.year
    period = str(years.min()) if years.min() == years.max() else f"{years.min()} to {years.max()}"
    names = [orgs.loc[o, "short_name"] for o in wanted]
    _base_layout(
        fig,
        title or f"Membership, {period}: {', '.join(names)}",
        x_title="Year",
        y_title="Members (as each source counts them)",
        height=520 + 24 * max(0, len(fig.data) - 3),
    )
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 1,
                "xanchor": "right",
                **ABOVE_PLOT,
                "showactive": True,
                "buttons": [
                    {"label": "Linear scale", "method": "relayout", "args": [{"yaxis.type": "linear"}]},
                    {"label": "Log scale", "method": "relayout", "args": [{"yaxis.type": "log"}]},
                ],
            }
        ],
        margin={"t": 110, "b": 120 + 24 * max(0, len(fig.data) - 3)},
    )
    biggest = rows.loc[rows["members_high"].idxmax()]
    summary = (
        f"{len(rows)} sourced membership figures for {', '.join(names)}, {period}; the largest is "
        f"{orgs.loc[biggest['organisation_id'], 'short_name']} with {biggest['members_high']:,} "
        f"({biggest['date_label']}, {COUNTED_LABEL.get(biggest['counted'], biggest['counted'])})."
    )
    table = pd.DataFrame(
        {
            "Organisation": rows["organisation_id"].map(lambda o: orgs.loc[o, "short_name"]),
            "Date": rows["date_label"],
            "Members": [_figure_text(r) for _, r in rows.iterrows()],
            "What was counted": rows["counted"],
            "Source": rows["source_ids"].map(lambda ids: _short_citations(ids, sources)),
        }
    )
    return _attach_alternative(fig, summary, table, "membership")


# ---------------------------------------------------------------------------------------------------------------
# Genealogy of splits, mergers and renamings

LINK_STYLE = {  # colour, dash, legend label
    "split": (PALETTE[5], "solid", "split from"),
    "merger": (PALETTE[0], "solid", "merged into"),
    "renaming": (PALETTE[2], "dot", "renamed"),
    "successor": (PALETTE[2], "dash", "succeeded by"),
    "wing": (PALETTE[3], "dash", "wing or faction of"),
    "affiliate": (PALETTE[7], "dot", "affiliated with"),
}


def _family(roots: list[str], links: pd.DataFrame, kinds: set[str]) -> list[str]:
    """The roots and every organisation reached from them by links of ``kinds`` (parent to child)."""
    found, queue = list(roots), list(roots)
    while queue:
        current = queue.pop(0)
        for child in links[(links["from_id"] == current) & links["kind"].isin(kinds)]["to_id"]:
            if child not in found:
                found.append(child)
                queue.append(child)
    return found


def _start_of(org: str, orgs: pd.DataFrame, links: pd.DataFrame):
    """Where an organisation's bar begins: its sourced founding, else its first dated link, else None."""
    if pd.notna(orgs.loc[org, "founded_value"]):
        return orgs.loc[org, "founded_value"], orgs.loc[org, "founded_label"]
    dated = links[(links["to_id"] == org) & links["date_value"].notna()]
    if not dated.empty:
        return dated["date_value"].min(), f"by {dated.iloc[0]['date_label']} (founding date not sourced)"
    return None, "not sourced"


def _genealogy_members(roots: list[str], orgs: pd.DataFrame, links: pd.DataFrame, kinds: set[str]):
    """The organisations drawn (those with a date to place them), in order of founding, their starts, and the
    links among them."""
    members = _family(roots, links, kinds)
    links = links[links["from_id"].isin(members) & links["to_id"].isin(members) & links["kind"].isin(kinds)]
    links = links.sort_values("date_value", na_position="last")
    starts = {o: _start_of(o, orgs, links) for o in members}
    members = [o for o in members if starts[o][0] is not None]
    if not members:
        raise ValueError("none of these organisations has a sourced date to place it on the time axis")
    members.sort(key=lambda o: starts[o][0])
    links = links[links["from_id"].isin(members) & links["to_id"].isin(members)]
    return members, starts, links


def _lifelines(members, starts, orgs, lane, horizon) -> go.Scatter:
    xs, ys = [], []
    for o in members:
        stop = orgs.loc[o, "dissolved_value"]
        stop = horizon if pd.isna(stop) or stop > horizon else stop
        xs += [starts[o][0], stop, None]
        ys += [lane[o], lane[o], None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": "rgba(128,128,128,0.55)", "width": 6},
        hoverinfo="skip",
        showlegend=False,
        name="lifetime",
    )


def _link_trace(kind: str, links: pd.DataFrame, starts, orgs, lane, sources) -> go.Scatter:
    """The connectors of one kind of link (one trace per kind, so the legend explains the line styles)."""
    colour, dash, label = LINK_STYLE[kind]
    lx, ly, hover = [], [], []
    for _, r in links[links["kind"] == kind].iterrows():
        when = r["date_value"] if pd.notna(r["date_value"]) else starts[r["to_id"]][0]
        child, parent = orgs.loc[r["to_id"], "short_name"], orgs.loc[r["from_id"], "short_name"]
        text = (
            f"<b>{child}</b> {label} <b>{parent}</b>"
            if kind in ("split", "wing")
            else f"<b>{parent}</b> {label} <b>{child}</b>"
        )
        note = f"<br>{_wrap(r['note'])}" if r["note"] else ""
        full = (
            f"{text}<br>{r['date_label'] or 'date not sourced'}{note}"
            f"<br><br><b>Source</b><br>{_sources_text(r['source_ids'], sources)}"
        )
        lx += [when, when, None]
        ly += [lane[r["from_id"]], lane[r["to_id"]], None]
        hover += [full, full, None]
    return go.Scatter(
        x=lx,
        y=ly,
        mode="lines+markers",
        name=label,
        line={"color": colour, "dash": dash, "width": 3},
        marker={"size": 7, "color": colour},
        hovertext=hover,
        hoverinfo="text",
    )


def _node_trace(members, starts, orgs, lane, sources) -> go.Scatter:
    hover = []
    for o in members:
        row = orgs.loc[o]
        ended = f"; ended {row['dissolved_label']}" if row["dissolved_label"] else ""
        cite = _sources_text(row["source_ids"], sources) if row["source_ids"] else "no source for the dates"
        hover.append(
            f"<b>{row['name']}</b> ({row['short_name']})<br>founded {starts[o][1]}{ended}"
            f"<br><br><b>Source</b><br>{cite}"
        )
    return go.Scatter(
        x=[starts[o][0] for o in members],
        y=[lane[o] for o in members],
        mode="markers+text",
        text=[orgs.loc[o, "short_name"] for o in members],
        textposition="top right",
        marker={
            "size": 12,
            "color": PALETTE[0],
            "symbol": "circle",
            "line": {"width": 1, "color": "#ffffff"},
        },
        hovertext=hover,
        hoverinfo="text",
        name="organisation (founded)",
        showlegend=True,
    )


def _genealogy_alternative(members, starts, links, orgs, names, sources):
    n_splits = int((links["kind"] == "split").sum())
    summary = (
        f"{len(members)} organisations descend from {', '.join(names)} through {len(links)} sourced links, "
        f"{n_splits} of them splits, from {starts[members[0]][1]} to {starts[members[-1]][1]}."
    )
    table = pd.DataFrame(
        {
            "From": links["from_id"].map(lambda o: orgs.loc[o, "short_name"]),
            "Link": links["kind"],
            "To": links["to_id"].map(lambda o: orgs.loc[o, "short_name"]),
            "Date": links["date_label"].replace("", "not sourced"),
            "Source": links["source_ids"].map(lambda ids: _short_citations(ids, sources)),
        }
    )
    return summary, table


def genealogy(
    roots: Iterable[str],
    *,
    kinds: Iterable[str] = ("split", "merger", "renaming", "successor", "wing"),
    start: int | None = None,
    end: int | None = None,
    organisation_rows: pd.DataFrame | None = None,
    link_rows: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    title: str | None = None,
) -> go.Figure:
    """The family tree of ``roots``: each organisation a bar from its founding to its end, each split, merger
    or renaming a connector at its date, so a "split of a split" can be followed with the eye.

    ``kinds`` chooses which links to follow (affiliations are left out by default: they would pull in every
    party of an International).  Organisations with no sourced founding date start at their first link; those
    with no sourced date at all are left out (the table lists what is drawn).  ``start`` and ``end`` (years)
    frame the time axis.
    """
    roots = list(roots)
    orgs = (course_data.load("organisations") if organisation_rows is None else organisation_rows).set_index(
        "id"
    )
    links = course_data.load("organisation_links") if link_rows is None else link_rows
    sources = (course_data.load("sources") if sources is None else sources).set_index("id")
    unknown = [r for r in roots if r not in orgs.index]
    if unknown:
        raise ValueError(f"unknown organisation id(s): {', '.join(unknown)}; see data/organisations.csv")
    members, starts, links = _genealogy_members(roots, orgs, links, set(kinds))
    lane = {o: i for i, o in enumerate(members)}
    horizon = (
        pd.Timestamp(f"{end}-12-31")
        if end
        else max([starts[o][0] for o in members] + [d for d in links["date_value"].dropna()])
        + pd.DateOffset(years=3)
    )

    fig = go.Figure()
    fig.add_trace(_lifelines(members, starts, orgs, lane, horizon))
    for kind in [k for k in LINK_STYLE if k in set(links["kind"])]:
        fig.add_trace(_link_trace(kind, links, starts, orgs, lane, sources))
    fig.add_trace(_node_trace(members, starts, orgs, lane, sources))

    names = [orgs.loc[r, "short_name"] for r in roots]
    _base_layout(
        fig,
        title or f"Splits, mergers and renamings from {', '.join(names)}",
        x_title="Year",
        y_title="",
        height=max(380, 150 + 42 * len(members)),
    )
    fig.update_yaxes(
        tickvals=list(lane.values()),
        ticktext=[orgs.loc[o, "short_name"] for o in lane],
        autorange="reversed",
        showgrid=False,
        fixedrange=True,
    )
    fig.update_xaxes(type="date")
    if start is not None:
        fig.update_xaxes(range=[pd.Timestamp(f"{start}-01-01"), horizon])
    summary, table = _genealogy_alternative(members, starts, links, orgs, names, sources)
    return _attach_alternative(fig, summary, table, "genealogy")
