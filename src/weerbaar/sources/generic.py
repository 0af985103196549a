"""Generic imports of the data contract: observations and events from CSV files.

Both accept comma-separated UTF-8 files with exactly the contract's column names (a
semicolon-separated file with decimal commas, as Dutch spreadsheet programs write, is read
too). Every problem is an :class:`~weerbaar.errors.InputError` naming the file, the row and
the column; nothing is stored unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..contract import validate_events, validate_observations
from ..errors import InputError

__all__ = ["read_csv_table", "read_observations_csv", "read_events_csv"]

_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
    b"SQLite format": "an SQLite database",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
}


def read_csv_table(path: str | Path, *, what: str) -> tuple[pd.DataFrame, str]:
    """Read a CSV file as text columns; return the frame and the delimiter used."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(
            "File not found.", received=name, expected=f"an existing {what} CSV file", fix="check the path", file=name
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(
            "The file is empty.",
            received=f"{len(raw)} bytes",
            expected=f"a {what} CSV file with a header row",
            fix="export the data again",
            file=name,
        )
    for sig, kind in _SIGNATURES.items():
        if raw.startswith(sig):
            raise InputError(
                "The file is not a CSV file.",
                received=kind,
                expected=f"a {what} CSV file (text)",
                fix="save or export it as CSV (comma-separated, UTF-8)",
                file=name,
            )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "The file is not UTF-8 text.",
            received=f"undecodable byte at position {exc.start}",
            expected="a UTF-8 encoded CSV file",
            fix="save the file as CSV UTF-8",
            file=name,
        ) from None
    if "\x00" in text:
        raise InputError(
            "The file is not a CSV file.",
            received="binary data (NUL bytes)",
            expected=f"a {what} CSV file (text)",
            fix="export the data as CSV",
            file=name,
        )
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        raise InputError(
            "The file is not a CSV file.",
            received="JSON or GeoJSON text",
            expected=f"a {what} CSV file",
            fix="convert it to CSV with the contract's columns",
            file=name,
        )
    first_line = stripped.splitlines()[0]
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    except csv.Error as exc:
        raise InputError(
            "The CSV file cannot be read.",
            received=str(exc)[:200],
            expected=f"a {what} CSV file",
            fix="check quotes and delimiters, or export the data again as CSV",
            file=name,
        ) from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(
            "The file has no header row.",
            received="only delimiters and blank cells",
            expected=f"a header row with the {what} column names, then data rows",
            fix="export the data again with its header row",
            file=name,
        )
    header, body = rows[0], rows[1:]
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            raise InputError(
                "A row has a wrong number of fields.",
                received=f"{len(r)} fields",
                expected=f"{len(header)} fields, as in the header row",
                fix="check quotes and delimiters on that row",
                file=name,
                row=i,
            )
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header)
    frame = frame.apply(lambda c: c.str.strip()) if body else frame
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, sep


def read_observations_csv(
    path: str | Path, *, area_divisions: dict[str, list[str]] | None, division: str | None, source: str
) -> pd.DataFrame:
    frame, sep = read_csv_table(path, what="observations")
    if sep == ";" and "value" in frame.columns:
        frame["value"] = _decimal_comma(frame["value"])
    return validate_observations(
        frame, file=str(path), area_divisions=area_divisions, division=division, default_source=source
    )


def read_type_map(path: str | Path) -> dict[str, str]:
    """A type mapping file: CSV with columns ``from, to`` (a partner's own type code -> a canonical type)."""
    frame, _sep = read_csv_table(path, what="type mapping")
    if list(frame.columns) != ["from", "to"] or frame.empty:
        raise InputError(
            "Malformed type mapping file.",
            received=", ".join(frame.columns) + ("" if not frame.empty else " (no rows)"),
            expected="a CSV with exactly the columns from, to and one row per partner type",
            fix="write e.g. 'from,to' then 'Schietincident,violence.shooting'",
            file=str(path),
        )
    dup = frame["from"].duplicated()
    if dup.any():
        raise InputError(
            "A type is mapped twice.",
            received=repr(frame["from"][dup].iloc[0]),
            expected="each partner type once",
            fix="remove the duplicate row",
            file=str(path),
            row=int(dup.to_numpy().nonzero()[0][0]) + 1,
        )
    return dict(zip(frame["from"], frame["to"], strict=True))


def read_events_csv(
    path: str | Path, *, crs: str = "EPSG:28992", source: str, type_map: dict[str, str] | None = None
) -> pd.DataFrame:
    frame, sep = read_csv_table(path, what="events")
    if type_map is not None and "type" in frame.columns:
        known = set(type_map) | set(type_map.values())
        unmapped = ~frame["type"].isin(known)
        if unmapped.any():
            row = int(unmapped.to_numpy().nonzero()[0][0])
            raise InputError(
                f"Event type not in the type mapping ({int(unmapped.sum())} rows).",
                received=repr(frame["type"].iloc[row]),
                expected="one of: " + ", ".join(sorted(type_map)),
                fix="add the type to the mapping file (from,to) or drop those rows",
                file=str(path),
                row=row + 1,
                column="type",
            )
        frame["type"] = frame["type"].map(lambda v: type_map.get(v, v))
    if sep == ";":
        for col in ("x", "y"):
            if col in frame.columns:
                frame[col] = _decimal_comma(frame[col])
    return validate_events(frame, file=str(path), crs=crs, default_source=source)


def _decimal_comma(values: pd.Series) -> pd.Series:
    """'1.234,5' -> '1234.5' where a cell has a decimal comma; other cells unchanged."""
    has_comma = values.str.contains(",", regex=False)
    converted = values.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return values.where(~has_comma, converted)
