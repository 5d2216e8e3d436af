"""The built book's side of a course figure: plotly's mime type turned into the book's HTML.

Jupyter Book 1 (myst-nb) has no renderer for plotly's ``application/vnd.plotly.v1+json`` output: it skips it
(with only a warning) and the page has no chart.  ``PlotlyMimeRenderer``, a myst-nb mime-render plugin registered
in ``pyproject.toml``, turns that mime type (which ``course_helpers.render`` puts in every figure's output) into
the book's HTML: a placeholder that ``_static/course-figures.js`` fills with plotly.js (served once per site from
the book's own ``_static``), the figure's JSON (moved to ``_static/figures/`` by ``pagefix``), a caption with the
summary, and the data as a table the reader can open (the text alternative).
"""

from __future__ import annotations

import html
import json
import re

_counter = {"n": 0}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "figure"


def figure_html(fig_dict: dict) -> str:
    """The book's HTML for one figure (``fig_dict`` as plotly's renderers receive it)."""
    layout = fig_dict.get("layout", {})
    meta = layout.get("meta") or {}
    title = (layout.get("title") or {}).get("text", "Figure")
    summary = meta.get("summary", "")
    _counter["n"] += 1
    fig_id = f"fig-{_slug(title)}-{_counter['n']}"
    height = int(layout.get("height") or 450)
    payload = json.dumps(
        {
            "data": fig_dict.get("data", []),
            "layout": layout,
            "config": {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["toImage"]},
        },
        separators=(",", ":"),
        default=str,
    ).replace("</", "<\\/")
    rows = meta.get("table_rows") or []
    columns = meta.get("table_columns") or []
    table = ""
    if rows:
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows)
        table = (
            f'<details class="course-figure-data"><summary>Show the data behind this chart as a table '
            f'({len(rows)} rows)</summary><div class="course-table-wrap"><table>'
            f"<caption>{html.escape(title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            f"</table></div></details>"
        )
    return (
        f'<figure class="course-figure" id="{fig_id}">'
        # a group, not an image: the chart holds controls (menus, slider, legend) that must stay reachable
        f'<div class="course-plot" role="group" aria-label="Interactive chart: {html.escape(title)}" '
        f'aria-describedby="{fig_id}-caption" style="min-height:{height}px" data-course-plot="{fig_id}-json">'
        f"<noscript>This chart needs JavaScript; its data is in the table below.</noscript></div>"
        f'<script type="application/json" id="{fig_id}-json">{payload}</script>'
        f'<figcaption id="{fig_id}-caption"><strong>{html.escape(title)}.</strong> {html.escape(summary)} '
        f"Hover over a point for its date and source.</figcaption>"
        f"{table}</figure>"
    )


PLOTLY_MIME = "application/vnd.plotly.v1+json"


class PlotlyMimeRenderer:
    """myst-nb plugin: render plotly's mime type as the book's figure HTML (priority above text/html)."""

    mime_priority_overrides = [
        (builder, PLOTLY_MIME, 5) for builder in ("html", "dirhtml", "singlehtml", "readthedocs")
    ]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type != PLOTLY_MIME or inline:
            return None
        from docutils import nodes

        content = data.content if isinstance(data.content, dict) else json.loads(data.content)
        return [nodes.raw(text=figure_html(content), format="html", classes=["output", "text_html"])]
