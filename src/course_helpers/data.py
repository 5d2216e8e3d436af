"""Load the course's tables from ``data/`` by name, checked against their declared schema.

    >>> from course_helpers import data
    >>> members = data.load("membership")

Every problem is reported in one ``DataError`` whose lines each name the file, the row (as a spreadsheet
numbers it: the header is row 1), the column and what is wrong.  Tables that refer to other tables
(organisation ids, source ids) are checked against them, so a chart never draws a row nobody can check.

Run ``python -m course_helpers.data`` to check every table and print a summary.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pandera.errors

from .schemas import DATE_COLUMNS, ORG_REFERENCES, SCHEMAS, SECTIONS, TABLES

__all__ = [
    "SECTIONS",
    "TABLES",
    "DataError",
    "citation",
    "data_dir",
    "format_date",
    "load",
    "load_all",
    "parse_date",
]


class DataError(ValueError):
    """A table in data/ does not match its schema; the message lists every problem, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems in the course data:"
        body = "" if len(problems) == 1 else "\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(head + body)


def data_dir() -> Path:
    """Where the tables are: $COURSE_DATA_DIR, else the nearest ``data/`` above the working directory that holds
    ``sources.csv``, else the ``data/`` of the checkout this package was installed from."""
    if os.environ.get("COURSE_DATA_DIR"):
        return Path(os.environ["COURSE_DATA_DIR"])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "sources.csv").is_file():
            return folder / "data"
    return Path(__file__).resolve().parents[2] / "data"


def _display(path: Path) -> str:
    """A short name for messages: data/<file> when the file is in a folder called data."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


# ---------------------------------------------------------------------------------------------------------------
# Reading and checking one table


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = raw[: exc.start].count(b"\n") + 1
        line = raw.splitlines()[line_no - 1].decode("utf-8", errors="replace")
        cells = next(csv.reader([line]), [])
        header = next(csv.reader([raw.splitlines()[0].decode("utf-8", errors="replace")]), [])
        column = next((header[i] for i, c in enumerate(cells) if "\ufffd" in c and i < len(header)), None)
        where = f", column '{column}'" if column else ""
        raise DataError(
            [
                f"{_display(path)}, row {line_no}{where}: is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                "save the file with UTF-8 encoding"
            ]
        ) from None


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError([f"{_display(path)}: the file does not exist"])
    text = _read_text(path)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise DataError([f"{_display(path)}: is not a readable CSV table ({exc})"]) from None
    records = [r for r in records if r]  # blank lines
    if not records:
        raise DataError([f"{_display(path)}: is empty; it needs a header row"])
    header, rows = [h.strip() for h in records[0]], records[1:]
    problems = [
        f"{_display(path)}, row {n}: has {len(r)} cells but the header has {len(header)} columns "
        "(a missing or extra comma? quote a cell that contains a comma)"
        for n, r in enumerate(rows, start=2)
        if len(r) != len(header)
    ]
    if problems:
        raise DataError(problems)
    return pd.DataFrame([[c.strip() for c in r] for r in rows], columns=header, dtype=str)


def _schema_problems(name: str, frame: pd.DataFrame, shown: str) -> list[str]:
    try:
        SCHEMAS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        return _describe(errors.failure_cases, shown, frame)
    return []


def _describe(cases: pd.DataFrame, shown: str, frame: pd.DataFrame) -> list[str]:
    problems: list[tuple[int, str]] = []
    for case in cases.to_dict("records"):
        check, column, value, index = case["check"], case["column"], case["failure_case"], case["index"]
        if check == "column_in_dataframe":
            problems.append((0, f"{shown}, header row, column '{value}': the column is missing"))
        elif check == "column_in_schema":
            problems.append((0, f"{shown}, header row, column '{value}': is not a column this table has"))
        elif check == "dtype('str')" or check.startswith("dtype("):
            continue  # every column is read as text; a dtype failure cannot say more than the checks below
        elif index is None or pd.isna(index):
            problems.append((0, f"{shown}, column '{column}': {check}"))
        elif case["schema_context"] == "DataFrameSchema" or column is None or column not in frame.columns:
            problems.append((int(index) + 2, f"{shown}, row {int(index) + 2}: {check}"))
        else:
            row = int(index) + 2
            problems.append((row, f"{shown}, row {row}, column '{column}': {check} (found {value!r})"))
    return _first_per_cell(problems)


def _first_per_cell(problems: list[tuple[int, str]]) -> list[str]:
    """Keep one problem per row and column (an empty cell also fails its vocabulary check: say it once)."""
    seen, kept = set(), []
    for row, text in problems:
        cell = text.split(":", 1)[0]
        if cell not in seen:
            seen.add(cell)
            kept.append((row, text))
    return [text for _, text in sorted(kept, key=lambda p: p[0])]


def parse_date(value: str, precision: str) -> dt.date:
    """The first day of the period ``value`` names at ``precision`` (day, month or year)."""
    formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    if precision not in formats:
        raise ValueError(f"unknown precision {precision!r}")
    if len(value) != {"day": 10, "month": 7, "year": 4}[precision]:
        raise ValueError(value)
    return dt.datetime.strptime(value, formats[precision]).date()


def format_date(value: str, precision: str) -> str:
    """'1917-10-25' at day precision reads '25 October 1917'; at month 'October 1917'; at year '1917'."""
    day = parse_date(value, precision)
    return {"day": f"{day.day} {day:%B %Y}", "month": f"{day:%B %Y}", "year": f"{day:%Y}"}[precision]


OPTIONAL_DATES = {"founded", "dissolved", "end_date"}  # organisation_links.date too (see below)


def _date_problems(name: str, frame: pd.DataFrame, shown: str) -> list[str]:
    problems = []
    expected = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}
    for column, precision_column in DATE_COLUMNS.get(name, []):
        if column not in frame.columns or precision_column not in frame.columns:
            continue  # reported as a missing column
        for index, (value, precision) in enumerate(zip(frame[column], frame[precision_column], strict=True)):
            row = index + 2
            if value == "" and precision == "":
                if column in OPTIONAL_DATES or name == "organisation_links":
                    continue
                problems.append(f"{shown}, row {row}, column '{column}': is empty; it needs a date")
                continue
            if value == "" or precision == "":
                missing = column if value == "" else precision_column
                problems.append(
                    f"{shown}, row {row}, column '{missing}': is empty but its partner column is filled"
                )
                continue
            try:
                parse_date(value, precision)
            except ValueError:
                problems.append(
                    f"{shown}, row {row}, column '{column}': {value!r} is not a date at precision "
                    f"'{precision}' (write {expected.get(precision, 'a date')})"
                )
    return problems


def _order_problems(name: str, frame: pd.DataFrame, shown: str) -> list[str]:
    problems = []
    if name == "membership":
        for index, (low, high) in enumerate(zip(frame["members_low"], frame["members_high"], strict=True)):
            if low.isdigit() and high.isdigit() and int(low) > int(high):
                problems.append(
                    f"{shown}, row {index + 2}, column 'members_high': is smaller than members_low ({high} < {low})"
                )
    pairs = {"organisations": ("founded", "dissolved"), "events": ("date", "end_date")}
    if name in pairs:
        start_col, end_col = pairs[name]
        start_p, end_p = DATE_COLUMNS[name][0][1], DATE_COLUMNS[name][1][1]
        for index, row in frame.iterrows():
            try:
                start, end = parse_date(row[start_col], row[start_p]), parse_date(row[end_col], row[end_p])
            except ValueError:
                continue  # empty or malformed: reported by the date check
            if end < start:
                problems.append(
                    f"{shown}, row {index + 2}, column '{end_col}': {row[end_col]} is before {start_col} {row[start_col]}"
                )
    return problems


def _reference_problems(name: str, frame: pd.DataFrame, shown: str, folder: Path) -> list[str]:
    problems = []
    checks: list[tuple[str, bool, str, set[str]]] = []
    if name != "sources" and "source_ids" in frame.columns:
        checks.append(("source_ids", True, "sources", set(_ids(folder, "sources"))))
    for column, many in ORG_REFERENCES.get(name, []):
        if column in frame.columns:
            checks.append((column, many, "organisations", set(_ids(folder, "organisations"))))
    for column, many, table, known in checks:
        for index, value in enumerate(frame[column]):
            for item in value.split(";") if many else [value]:
                if item and item not in known:
                    what = "a source" if table == "sources" else "an organisation"
                    problems.append(
                        f"{shown}, row {index + 2}, column '{column}': names {what} {item!r} "
                        f"that is not in data/{table}.csv"
                    )
    return problems


def _ids(folder: Path, name: str) -> list[str]:
    path = folder / f"{name}.csv"
    frame = _read_frame(path)
    if "id" not in frame.columns:
        raise DataError([f"{_display(path)}, header row, column 'id': the column is missing"])
    return list(frame["id"])


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column, precision_column in DATE_COLUMNS.get(name, []):
        filled = frame[column] != ""
        frame[f"{column}_value"] = pd.NaT
        frame.loc[filled, f"{column}_value"] = [
            pd.Timestamp(parse_date(v, p))
            for v, p in zip(frame.loc[filled, column], frame.loc[filled, precision_column], strict=True)
        ]
        frame[f"{column}_value"] = pd.to_datetime(frame[f"{column}_value"])
        frame[f"{column}_label"] = [
            format_date(v, p) if v else ""
            for v, p in zip(frame[column], frame[precision_column], strict=True)
        ]
    if name == "membership":
        frame["members_low"] = frame["members_low"].astype(int)
        frame["members_high"] = frame["members_high"].astype(int)
    return frame


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, folder: str, stamp: tuple) -> pd.DataFrame:
    path = Path(folder) / f"{name}.csv"
    shown = _display(path)
    frame = _read_frame(path)
    problems = _schema_problems(name, frame, shown)
    if not any("header row" in p for p in problems):
        problems += _date_problems(name, frame, shown)
        problems += _order_problems(name, frame, shown)
        problems += _reference_problems(name, frame, shown, Path(folder))
    if problems:
        raise DataError(_first_per_cell([(_row_of(p), p) for p in problems]))
    return _typed(name, frame)


def _row_of(problem: str) -> int:
    found = re.search(r", row (\d+)", problem)
    return int(found.group(1)) if found else 0


def _stamp(folder: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.csv")))


def load(name: str, folder: str | Path | None = None) -> pd.DataFrame:
    """The table ``data/<name>.csv``, checked, with parsed dates (``<column>_value``, ``<column>_label``)."""
    if name not in SCHEMAS:
        raise DataError([f"there is no table called {name!r}; the tables are: {', '.join(TABLES)}"])
    where = Path(folder) if folder is not None else data_dir()
    return _load_cached(name, str(where.resolve()), _stamp(where)).copy()


def load_all(folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, each checked; one DataError lists the problems of all of them."""
    tables, problems = {}, []
    for name in TABLES:
        try:
            tables[name] = load(name, folder)
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    return tables


def citation(source_ids: str, folder: str | Path | None = None) -> str:
    """'Author (year), Title; Author (year), Title' for a ';'-list of source ids."""
    sources = load("sources", folder).set_index("id")
    parts = []
    for sid in source_ids.split(";"):
        row = sources.loc[sid]
        parts.append(f"{(row['author'] or row['publisher'])} ({row['year']}), {row['title']}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else None
    try:
        tables = load_all(folder)
    except DataError as error:
        print(f"The course data has problems:\n{error}", file=sys.stderr)
        return 1
    for name, frame in tables.items():
        print(f"{name:20} {len(frame):5} rows  ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
