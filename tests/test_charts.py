"""Chart functions against tiny literal tables: traces, labels, data, hover text and text alternatives."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from course_helpers import charts, data, render


@pytest.fixture
def tables(tiny_data):
    return data.load_all(tiny_data)


def test_timeline_filtered_by_section(tables):
    fig = charts.timeline("precision-of-terms", events=tables["events"], sources=tables["sources"])
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert list(trace.y) == ["Germany"]
    assert pd.Timestamp(trace.x[0]) == pd.Timestamp("1918-12-30")
    hover = trace.hovertext[0]
    assert "<b>KPD founded</b>" in hover and "30 December 1918 to 1 January 1919" in hover
    assert "Founding congress." in hover and "B. Writer (2020), <i>A Page</i>" in hover
    assert fig.layout.title.text == "Timeline of events: Precision of Terms"
    assert fig.layout.xaxis.title.text.startswith("Date")
    assert fig.layout.yaxis.title.text == "Country"
    assert fig.layout.xaxis.rangeslider.visible is True
    assert (
        fig.layout.meta["summary"]
        == "1 events in 1 country (Germany), from 30 December 1918 to 30 December 1918."
    )
    assert fig.layout.meta["table_rows"] == [
        [
            "30 December 1918",
            "KPD founded",
            "Germany",
            "Precision of Terms; Lessons of History",
            "B. Writer (2020)",
        ]
    ]


def test_master_timeline_has_static_filters(tables):
    fig = charts.timeline(events=tables["events"], sources=tables["sources"])
    # two primary traces (one per section an event serves first) plus one hidden filter trace per section
    assert [t.name for t in fig.data] == [
        "Precision of Terms",
        "Lessons of History",
        "Precision of Terms",
        "Lessons of History",
    ]
    assert [t.visible for t in fig.data] == [True, True, False, False]
    section_menu, country_menu = fig.layout.updatemenus
    labels = [b.label for b in section_menu.buttons]
    assert labels == ["All essay sections", "Precision of Terms", "Lessons of History"]
    # choosing "Lessons of History" shows only its filter trace, which holds both events
    assert section_menu.buttons[2].args[0]["visible"] == [False, False, False, True]
    assert len(fig.data[3].x) == 2
    assert [b.label for b in country_menu.buttons] == ["All countries", "Germany"]


def test_timeline_palette_is_colour_blind_safe(tables):
    fig = charts.timeline(events=tables["events"], sources=tables["sources"])
    assert {t.marker.color for t in fig.data} <= set(charts.PALETTE)


def test_timeline_rejects_unknown_section(tables):
    with pytest.raises(ValueError, match="unknown essay section 'soviets'"):
        charts.timeline("soviets", events=tables["events"], sources=tables["sources"])


def test_membership_points_ranges_and_sources(tables):
    fig = charts.membership(
        ["kpd", "kapd"],
        membership_rows=tables["membership"],
        organisation_rows=tables["organisations"],
        sources=tables["sources"],
    )
    kpd, kapd = fig.data
    assert kpd.name == "KPD" and kapd.name == "KAPD"
    # KPD: 1921 and 1925 are more than three years apart, so no line joins them (a None gap)
    assert list(kpd.y) == [359613, None, 122755]
    assert kpd.connectgaps is False
    # KAPD: two sources disagree about 1920; each figure is its own point, the range drawn as an error bar
    assert list(kapd.y) == [20000, 38000]
    assert list(kapd.error_y.array) == [60000, 0]
    assert "20,000 to 80,000 (delegates-represented)" in kapd.hovertext[0]
    assert (
        "38,000 (estimate)" in kapd.hovertext[1]
        and "A. Historian (2001), <i>A History</i>, pp. 10-12" in kapd.hovertext[1]
    )
    assert fig.layout.yaxis.title.text == "Members (as each source counts them)"
    assert fig.layout.xaxis.title.text == "Year"
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["Linear scale", "Log scale"]
    assert fig.layout.updatemenus[0].buttons[1].args[0] == {"yaxis.type": "log"}
    assert fig.layout.meta["summary"] == (
        "4 sourced membership figures for KPD, KAPD, 1920 to 1925; the largest is KPD with 359,613 (1921)."
    )


def test_membership_period_filter_and_errors(tables):
    kw = dict(
        membership_rows=tables["membership"],
        organisation_rows=tables["organisations"],
        sources=tables["sources"],
    )
    fig = charts.membership(["kpd"], start=1922, **kw)
    assert list(fig.data[0].y) == [122755]
    with pytest.raises(ValueError, match="unknown organisation id\\(s\\): spd"):
        charts.membership(["spd"], **kw)
    with pytest.raises(ValueError, match="no membership figures for kapd in this period"):
        charts.membership(["kapd"], start=1925, **kw)


def test_rendered_html_has_plot_caption_and_table(tables):
    fig = charts.membership(
        ["kapd"],
        membership_rows=tables["membership"],
        organisation_rows=tables["organisations"],
        sources=tables["sources"],
    )
    html = render.figure_html(fig.to_plotly_json())
    assert 'class="course-plot"' in html and "aria-describedby=" in html  # the caption describes the chart
    assert "<strong>Membership, 1920: KAPD.</strong> 2 sourced membership figures" in html
    assert '<th scope="col">What was counted</th>' in html and "<td>20,000 to 80,000</td>" in html
    assert "</script>" in html and html.count("</script>") == 1  # the JSON cannot close its own script tag


def test_course_renderer_bundle_keeps_plotly_mime_for_jupyterlab(tables):
    fig = charts.timeline(events=tables["events"], sources=tables["sources"])
    bundle = fig._repr_mimebundle_()
    assert "application/vnd.plotly.v1+json" in bundle
    assert bundle["text/plain"].startswith("2 events in 1 country")


def test_genealogy_follows_splits_and_mergers(tables):
    fig = charts.genealogy(
        ["kpd"],
        organisation_rows=tables["organisations"],
        link_rows=tables["organisation_links"],
        sources=tables["sources"],
    )
    lifelines, splits, nodes = fig.data
    assert splits.name == "split from"
    # one connector from the KPD's lane (0) to the KAPD's lane (1) at April 1920, with its source in the hover
    assert list(splits.y) == [0, 1, None]
    assert pd.Timestamp(splits.x[0]) == pd.Timestamp("1920-04-01")
    assert "<b>KAPD</b> split from <b>KPD</b><br>April 1920" in splits.hovertext[0]
    assert "A. Historian (2001)" in splits.hovertext[0]
    assert list(nodes.text) == ["KPD", "KAPD"]
    assert "founded 30 December 1918; ended 1933" in nodes.hovertext[0]
    assert list(fig.layout.yaxis.ticktext) == ["KPD", "KAPD"]
    assert fig.layout.meta["summary"] == (
        "2 organisations descend from KPD through 1 sourced links, 1 of them splits, from 30 December 1918 to April 1920."
    )
    assert fig.layout.meta["table_rows"] == [["KPD", "split", "KAPD", "April 1920", "A. Historian (2001)"]]


def test_genealogy_leaves_out_affiliations_unless_asked(tables):
    links = pd.concat(
        [
            tables["organisation_links"],
            tables["organisation_links"].assign(from_id="kapd", to_id="kpd", kind="affiliate"),
        ],
        ignore_index=True,
    )
    kw = dict(organisation_rows=tables["organisations"], link_rows=links, sources=tables["sources"])
    assert [t.name for t in charts.genealogy(["kpd"], **kw).data][1:-1] == ["split from"]
    assert [t.name for t in charts.genealogy(["kpd"], kinds=["split", "affiliate"], **kw).data][1:-1] == [
        "split from",
        "affiliated with",
    ]
    with pytest.raises(ValueError, match="unknown organisation id\\(s\\): nsdap"):
        charts.genealogy(["nsdap"], **kw)


def test_membership_leaves_out_vote_totals_unless_asked(tables):
    rows = pd.concat(
        [
            tables["membership"],
            tables["membership"]
            .iloc[[2]]
            .assign(members_low=5_000_000, members_high=5_000_000, counted="votes"),
        ],
        ignore_index=True,
    )
    kw = dict(membership_rows=rows, organisation_rows=tables["organisations"], sources=tables["sources"])
    assert 5_000_000 not in list(charts.membership(["kpd"], **kw).data[0].y)
    assert 5_000_000 in list(charts.membership(["kpd"], include_votes=True, **kw).data[0].y)
