"""The data layer: tiny literal tables load with typed columns; each kind of bad data fails with one exact,
readable message naming the file, the row, the column and the problem."""

from __future__ import annotations

import pandas as pd
import pytest

from course_helpers import data
from course_helpers.data import DataError


def test_loads_typed_columns(tiny_data):
    members = data.load("membership", tiny_data)
    assert list(members["members_low"]) == [38000, 20000, 359613, 122755]
    assert members["members_high"].dtype.kind == "i"
    assert members.loc[2, "date_value"] == pd.Timestamp("1921-01-01")
    assert members.loc[2, "date_label"] == "1921"
    events = data.load("events", tiny_data)
    assert list(events["date_label"]) == ["4 April 1920", "30 December 1918"]
    assert events.loc[1, "end_date_label"] == "1 January 1919"


def test_load_all_returns_every_table(tiny_data):
    tables = data.load_all(tiny_data)
    assert sorted(tables) == sorted(
        ["sources", "organisations", "organisation_links", "events", "membership", "claims"]
    )
    assert len(tables["organisations"]) == 2


@pytest.mark.parametrize(
    ("value", "precision", "label"),
    [
        ("1917-10-25", "day", "25 October 1917"),
        ("1917-10", "month", "October 1917"),
        ("1917", "year", "1917"),
    ],
)
def test_format_date(value, precision, label):
    assert data.format_date(value, precision) == label


def test_citation(tiny_data):
    assert data.citation("book;page", tiny_data) == "A. Historian (2001), A History; B. Writer (2020), A Page"


def test_unknown_table(tiny_data):
    with pytest.raises(DataError, match="there is no table called 'members'; the tables are: sources, "):
        data.load("members", tiny_data)


def _replace(folder, name, old, new):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture edit did not apply: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MALFORMED = {
    "row with a cell too many": (
        "membership.csv",
        "kpd,1925,year,122755,122755,members,book,",
        "kpd,1925,year,122,755,122755,members,book,",
        "data/membership.csv, row 5: has 9 cells but the header has 8 columns (a missing or extra comma? quote a "
        "cell that contains a comma)",
    ),
    "unparseable date": (
        "events.csv",
        "1920-04-04,day",
        "1920-13-04,day",
        "data/events.csv, row 2, column 'date': '1920-13-04' is not a date at precision 'day' (write YYYY-MM-DD)",
    ),
    "date at the wrong precision": (
        "organisations.csv",
        "1920-04,month",
        "1920-04,year",
        "data/organisations.csv, row 3, column 'founded': '1920-04' is not a date at precision 'year' (write YYYY)",
    ),
    "negative members": (
        "membership.csv",
        "kpd,1921,year,359613",
        "kpd,1921,year,-5",
        "data/membership.csv, row 4, column 'members_low': must be a whole number of 0 or more, written with digits "
        "only (found '-5')",
    ),
    "non-numeric members": (
        "membership.csv",
        "38000,38000",
        "38000,many",
        "data/membership.csv, row 2, column 'members_high': must be a whole number of 0 or more, written with digits "
        "only (found 'many')",
    ),
    "low above high": (
        "membership.csv",
        "20000,80000",
        "90000,80000",
        "data/membership.csv, row 3, column 'members_high': is smaller than members_low (80000 < 90000)",
    ),
    "unknown organisation id": (
        "membership.csv",
        "kpd,1925",
        "kpx,1925",
        "data/membership.csv, row 5, column 'organisation_id': names an organisation 'kpx' that is not in "
        "data/organisations.csv",
    ),
    "unknown source id": (
        "events.csv",
        "Founding congress.,page",
        "Founding congress.,pagee",
        "data/events.csv, row 3, column 'source_ids': names a source 'pagee' that is not in data/sources.csv",
    ),
    "duplicate id": (
        "events.csv",
        "kpd-founded,1918",
        "kapd-founded,1918",
        "data/events.csv, row 3, column 'id': repeats an id used in an earlier row (found 'kapd-founded')",
    ),
    "row without a source": (
        "claims.csv",
        "contradicted,page",
        "contradicted,",
        "data/claims.csv, row 2, column 'source_ids': must list source ids separated by ';' (every row needs at "
        "least one source) (found '')",
    ),
    "value outside its vocabulary": (
        "organisations.csv",
        "Germany,party,1918",
        "Germany,sect,1918",
        "data/organisations.csv, row 2, column 'kind': must be one of: party, faction, union, federation, movement, "
        "mass-organisation, armed-front, council, assembly, government, international, publication, network, "
        "coalition, campaign (found 'sect')",
    ),
    "dissolved before founded": (
        "organisations.csv",
        "1918-12-30,day,1933,year",
        "1918-12-30,day,1917,year",
        "data/organisations.csv, row 2, column 'dissolved': 1917 is before founded 1918-12-30",
    ),
    "source a reader cannot check": (
        "sources.csv",
        "2001,,pp. 10-12",
        "2001,,",
        "data/sources.csv, row 2: needs a url or pages, so a reader can check it",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_data_names_file_row_column_and_problem(tiny_data, case):
    name, old, new, message = MALFORMED[case]
    _replace(tiny_data, name, old, new)
    table = name.removesuffix(".csv")
    with pytest.raises(DataError) as caught:
        data.load(table, tiny_data)
    assert str(caught.value) == message


def test_missing_column(tiny_data):
    path = tiny_data / "membership.csv"
    lines = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(",".join(cells[:5] + cells[6:]) for cells in lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        data.load("membership", tiny_data)
    assert str(caught.value) == "data/membership.csv, header row, column 'counted': the column is missing"


def test_unexpected_column(tiny_data):
    path = tiny_data / "claims.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0] + ",colour"] + [line + ",red" for line in lines[1:]]) + "\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as caught:
        data.load("claims", tiny_data)
    assert str(caught.value) == "data/claims.csv, header row, column 'colour': is not a column this table has"


def test_non_utf8_file(tiny_data):
    path = tiny_data / "events.csv"
    text = path.read_text(encoding="utf-8").replace("Berlin,Germany,kpd,", "Berl\u00edn,Germany,kpd,")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(DataError) as caught:
        data.load("events", tiny_data)
    assert str(caught.value) == (
        "data/events.csv, row 3, column 'place': is not UTF-8 text (byte 0xed); save the file with UTF-8 encoding"
    )


def test_missing_file(tiny_data):
    (tiny_data / "claims.csv").unlink()
    with pytest.raises(DataError) as caught:
        data.load("claims", tiny_data)
    assert str(caught.value) == "data/claims.csv: the file does not exist"


def test_several_problems_are_listed_together(tiny_data):
    _replace(tiny_data, "membership.csv", "kpd,1921,year,359613", "kpd,1921,year,-5")
    _replace(tiny_data, "membership.csv", "kpd,1925", "kpx,1925")
    with pytest.raises(DataError) as caught:
        data.load("membership", tiny_data)
    lines = str(caught.value).splitlines()
    assert lines[0] == "2 problems in the course data:"
    assert lines[1].startswith("  - data/membership.csv, row 4, column 'members_low'")
    assert lines[2].startswith("  - data/membership.csv, row 5, column 'organisation_id'")


def test_command_line_check_reports_without_traceback(tiny_data, capsys):
    _replace(tiny_data, "membership.csv", "38000,38000", "38000,many")
    assert data.main([str(tiny_data)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "data/membership.csv, row 2, column 'members_high'" in err


def test_cache_sees_edits(tiny_data):
    assert len(data.load("claims", tiny_data)) == 1
    path = tiny_data / "claims.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "second,introduction,,A.,B.,confirmed,book\n", encoding="utf-8"
    )
    assert len(data.load("claims", tiny_data)) == 2


# Every organisation the essay names (see the table of essay sections in the course guide).
ESSAY_ORGANISATIONS = (
    "rsdlp bolsheviks mensheviks petrograd-soviet all-russian-congress-of-soviets constituent-assembly spd uspd "
    "spartacus-league kpd kapd bavarian-soviet-republic ccp cnt fai cpusa cp-alabama share-croppers-union pci "
    "potere-operaio lotta-continua autonomia-operaia red-brigades democrazia-proletaria fmln fdr fpl pcs m26-7 cio "
    "ue ilwu teamsters labor-party-us dsa marxist-center counterpower ofs regeneration-magazine cosmonaut-magazine "
    "comintern amazonians-united autonomous-tenant-union-network lcip"
).split()
ESSAY_EVENTS = (
    "kapp-putsch ruhr-uprising hundred-flowers-announced anti-rightist-campaign-launched "
    "constituent-assembly-election constituent-assembly-dissolved bavarian-soviet-republic"
).split()


def test_real_course_data_is_valid_and_covers_the_essay():
    tables = data.load_all()
    assert len(tables["events"]) >= 60
    assert len(tables["membership"]) >= 40
    assert tables["membership"]["organisation_id"].nunique() >= 10
    missing = sorted(set(ESSAY_ORGANISATIONS) - set(tables["organisations"]["id"]))
    assert not missing, f"organisations the essay names are missing from data/organisations.csv: {missing}"
    missing = sorted(set(ESSAY_EVENTS) - set(tables["events"]["id"]))
    assert not missing, f"events the essay relies on are missing from data/events.csv: {missing}"
    sections = set(tables["events"]["section"].str.split(";").explode())
    assert sections == set(data.SECTIONS), f"essay sections with no event: {set(data.SECTIONS) - sections}"
    assert set(tables["claims"]["section"]) >= set(data.SECTIONS) - {"role-of-cadre"}


def test_every_essay_section_has_exactly_one_chapter():
    from course_helpers import outline

    sections = list(outline.SECTION_CHAPTERS.values())
    assert sorted(sections) == sorted(data.SECTIONS) and len(set(sections)) == len(sections)
