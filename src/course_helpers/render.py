"""How a course figure shows in JupyterLab, Binder and VS Code: plotly's own output, with a text summary.

The ``course`` plotly renderer, made the default when ``course_helpers.charts`` is imported, puts plotly's own
mime type (what JupyterLab, Binder and VS Code draw) and a one-sentence text summary in every figure's output.
The built book turns that same mime type into its own HTML: see ``course_helpers.book.render``.
"""

from __future__ import annotations

import plotly.io as pio
from plotly.io._base_renderers import PlotlyRenderer

RENDERER = "course"


class CourseRenderer(PlotlyRenderer):
    """Plotly's own mime type, plus the figure's summary as plain text (see the module's docstring)."""

    def to_mimebundle(self, fig_dict):
        bundle = super().to_mimebundle(dict(fig_dict))
        meta = (fig_dict.get("layout") or {}).get("meta") or {}
        bundle["text/plain"] = meta.get("summary", "A plotly figure.")
        return bundle


def register() -> None:
    """Make ``course`` the default plotly renderer (idempotent)."""
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = CourseRenderer(config={"displaylogo": False})
    pio.renderers.default = RENDERER
