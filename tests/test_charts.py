"""Chart functions against tiny literal tables: traces, labels, data, hover text and text alternatives."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from course_helpers import charts, data
from course_helpers.book import render


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
    # one series per organisation and kind of count, the kind in the legend
    kpd, kapd_estimate, kapd_delegates = fig.data
    assert kpd.name == "KPD: members (own count)"
    assert kapd_estimate.name == "KAPD: estimates"
    assert kapd_delegates.name == "KAPD: represented by congress delegates"
    # KPD: 1921 and 1925 are more than three years apart, so no line joins them (a None gap)
    assert list(kpd.y) == [359613, None, 122755]
    assert kpd.connectgaps is False
    # KAPD: two sources disagree about 1920; each figure is its own point, the range drawn as an error bar
    assert list(kapd_delegates.y) == [20000] and list(kapd_estimate.y) == [38000]
    assert list(kapd_delegates.error_y.array) == [60000]
    assert "20,000 to 80,000 (delegates-represented)" in kapd_delegates.hovertext[0]
    assert (
        "38,000 (estimate)" in kapd_estimate.hovertext[0]
        and "A. Historian (2001), <i>A History</i>, pp. 10-12" in kapd_estimate.hovertext[0]
    )
    assert fig.layout.yaxis.title.text == "Members (as each source counts them)"
    assert fig.layout.xaxis.title.text == "Year"
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["Linear scale", "Log scale"]
    assert fig.layout.updatemenus[0].buttons[1].args[0] == {"yaxis.type": "log"}
    assert fig.layout.meta["summary"] == (
        "4 sourced membership figures for KPD, KAPD, 1920 to 1925; the largest is KPD with 359,613 "
        "(1921, members (own count))."
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
    assert all(5_000_000 not in list(t.y) for t in charts.membership(["kpd"], **kw).data)
    with_votes = charts.membership(["kpd"], include_votes=True, **kw).data
    assert [list(t.y) for t in with_votes if t.meta["counted"] == "votes"] == [[5_000_000]]


# Issue 13: a line never joins counts of different kinds, scopes or sources.
MIXED = """organisation_id,date,precision,members_low,members_high,counted,source_ids,note
kapd,1920-04,month,20000,20000,delegates-represented,book,
kapd,1920-04,month,80000,80000,parent-members-represented,page,KPD members whose delegates went over
kapd,1921,year,43000,43000,estimate,page,
kpd,1918,year,75160,75160,delegates-represented,book,Catalonia only: a regional congress
kpd,1919,year,600000,600000,claimed,book,
kpd,1919-12,month,699369,699369,delegates-represented,book,
kpd,1920,year,700000,700000,delegates-represented,page,
kpd,1921,year,30000,30000,estimate,book,
kpd,1922,year,150000,150000,estimate,book,a disputed figure
"""


def _rows_of(trace):
    return [(x, y) for x, y in zip(trace.x, trace.y, strict=True) if y is not None]


def test_no_trace_mixes_kinds_scopes_or_sources(tiny_data):
    (tiny_data / "membership.csv").write_text(MIXED, encoding="utf-8")
    tables = data.load_all(tiny_data)
    fig = charts.membership(
        ["kpd", "kapd"],
        membership_rows=tables["membership"],
        organisation_rows=tables["organisations"],
        sources=tables["sources"],
    )
    rows = tables["membership"]
    for trace in fig.data:
        kinds = {
            rows[(rows["organisation_id"] == trace.meta["organisation"]) & (rows["members_low"] == y)][
                "counted"
            ].iloc[0]
            for _, y in _rows_of(trace)
        }
        assert kinds == {trace.meta["counted"]}, f"{trace.name} mixes {kinds}"
    names = [t.name for t in fig.data]
    assert "KAPD: parent party's members whose delegates went over" in names  # the 80,000: its own series
    assert (
        "KPD: represented by congress delegates (Catalonia only)" in names
    )  # a region apart from the nation
    assert "KPD: estimates (disputed)" in names  # the disputed figure apart from the others
    national = next(t for t in fig.data if t.name == "KPD: represented by congress delegates")
    # 699,369 (book) and 700,000 (page) are one kind but two sources: no line between them
    assert list(national.y) == [699369, None, 700000]
    assert not any(
        t.meta["counted"] == "estimate" and 150000 in list(t.y) and 30000 in list(t.y) for t in fig.data
    )


def test_membership_of_the_real_data_never_joins_two_kinds():
    for orgs in (["dsa"], ["cnt", "fai"], ["spd", "uspd", "kpd", "kapd"], ["bolsheviks", "mensheviks"]):
        for trace in charts.membership(orgs).data:
            # each point's hover names what it counts: "38,000 (claimed)"
            kinds = {
                re.search(r"[\d,]+(?: to [\d,]+)? \(([a-z-]+)\)", h).group(1) for h in trace.hovertext if h
            }
            assert kinds == {trace.meta["counted"]}, f"{trace.name}: {kinds}"


EVENTS = (
    "id,date,precision,end_date,end_precision,title,place,country,organisations,section,description,source_ids\n"
    + "".join(
        f"e{i},{year},year,,,Event {i},,Germany,,lessons-of-history,Something happened.,book\n"
        for i, year in enumerate([1891, 1917, 1918, 1919, 1919, 1920, 1920, 1921, 1922, 1923, 2019])
    )
)


def test_timeline_opens_where_its_events_cluster(tiny_data):
    (tiny_data / "events.csv").write_text(EVENTS, encoding="utf-8")
    tables = data.load_all(tiny_data)
    fig = charts.timeline("lessons-of-history", events=tables["events"], sources=tables["sources"])
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    dates = tables["events"]["date_value"]
    inside = dates[(dates >= low) & (dates <= high)]
    assert len(inside) >= 0.8 * len(dates)  # most of the events are in view
    assert low > pd.Timestamp("1891-01-01") and high < pd.Timestamp("2019-01-01")  # not all of 1891-2019
    assert fig.layout.xaxis.rangeslider.autorange is True  # the slider still reaches the whole span
    assert "The chart opens on 1917 to 1923" in fig.layout.meta["summary"]


def test_timeline_without_a_cluster_shows_everything(tables):
    fig = charts.timeline("lessons-of-history", events=tables["events"], sources=tables["sources"])
    assert fig.layout.xaxis.range is None
    assert charts.cluster_range(pd.to_datetime(["1900", "1950", "2000"])) is None


@pytest.mark.parametrize("section", ["historical-clarification", "precision-of-terms", "role-of-cadre"])
def test_chapter_timelines_open_on_their_cluster(section):
    """These sections' events cluster (most within a few decades, a few outliers far away)."""
    fig = charts.timeline(section)
    dates = data.load("events").pipe(lambda e: e[e["section"].str.contains(section)])["date_value"]
    assert fig.layout.xaxis.range is not None, f"the {section} timeline opens on all of its span"
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert ((dates >= low) & (dates <= high)).mean() >= 0.8
    assert low > dates.min() or high < dates.max()  # not the whole span: the outliers are off the first view
    assert (high - low) < 0.8 * (dates.max() - dates.min())
