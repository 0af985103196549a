"""The data contract: area levels, periods, statuses and the canonical table shapes.

This module is the one place that knows what a valid observation, event or area row looks
like. Source adapters and the generic imports both validate through it, so a rule changes in
one place. See ``docs/data-contract.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "LEVELS",
    "STATUSES",
    "OBSERVATION_COLUMNS",
    "OBSERVATION_OPTIONAL",
    "EVENT_COLUMNS",
    "AREA_PROPERTIES",
    "PERIOD_PATTERN",
    "period_kind",
    "validate_periods",
    "check_columns",
    "validate_observations",
    "validate_events",
]

#: Area levels from the largest to the smallest.
LEVELS: tuple[str, ...] = ("stad", "stadsdeel", "gebied", "wijk", "buurt")
STATUSES: tuple[str, ...] = ("final", "provisional", "suppressed", "synthetic")
OBSERVATION_COLUMNS: tuple[str, ...] = ("area_code", "period", "indicator", "value")
OBSERVATION_OPTIONAL: tuple[str, ...] = ("unit", "source", "status")
EVENT_COLUMNS: tuple[str, ...] = ("event_id", "type", "occurred_at", "x", "y")
AREA_PROPERTIES: tuple[str, ...] = ("code", "name", "level", "parent")

#: YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM.
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
_INDICATOR_PATTERN = r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)*$"


def period_kind(period: str) -> str:
    """Return ``year``, ``half``, ``quarter`` or ``month`` for a valid period string."""
    m = PERIOD_PATTERN.match(period)
    if not m:
        raise InputError(
            "Malformed period.",
            received=repr(period),
            expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
            fix="write for example 2019, 2019-H2, 2019-Q3 or 2019-07",
        )
    for kind in ("half", "quarter", "month"):
        if m.group(kind):
            return kind
    return "year"


def _first_bad(mask: pd.Series) -> int | None:
    """Position (0-based) of the first True in a boolean Series, or None."""
    values = np.asarray(mask, dtype=bool)
    if not values.any():
        return None
    return int(values.argmax())


def _row_error(
    problem: str, frame: pd.DataFrame, mask: pd.Series, column: str, *, expected: str, fix: str, file: str | None
) -> InputError:
    pos = _first_bad(mask)
    assert pos is not None
    count = int(np.asarray(mask, dtype=bool).sum())
    value = frame[column].iloc[pos]
    more = f" ({count - 1} more rows like it)" if count > 1 else ""
    return InputError(
        problem + more,
        received=repr(value),
        expected=expected,
        fix=fix,
        file=file,
        row=pos + 1,
        column=column,
    )


def check_columns(
    columns: Iterable[str], required: Iterable[str], optional: Iterable[str] = (), *, file: str | None, what: str
) -> None:
    """Raise an InputError unless ``columns`` holds every required and only known column names."""
    cols = [str(c) for c in columns]
    required = list(required)
    optional = list(optional)
    missing = [c for c in required if c not in cols]
    unknown = [c for c in cols if c not in required and c not in optional]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if missing or unknown or dupes:
        bits = []
        if missing:
            bits.append("missing " + ", ".join(missing))
        if unknown:
            bits.append("unknown " + ", ".join(unknown))
        if dupes:
            bits.append("repeated " + ", ".join(dupes))
        raise InputError(
            f"The {what} columns do not match the data contract ({'; '.join(bits)}).",
            received=", ".join(cols) if cols else "(no columns)",
            expected=", ".join(required) + (f" and optionally {', '.join(optional)}" if optional else ""),
            fix=f"rename the header row of the {what} file to exactly these names (see docs/data-contract.md)",
            file=file,
        )


def validate_periods(frame: pd.DataFrame, column: str = "period", *, file: str | None = None) -> None:
    ok = frame[column].astype("string").str.fullmatch(PERIOD_PATTERN.pattern).fillna(False)
    if not ok.all():
        raise _row_error(
            "Malformed period.",
            frame,
            ~ok,
            column,
            expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
            fix="write periods as for example 2019, 2019-H2, 2019-Q3 or 2019-07",
            file=file,
        )
    year = pd.to_numeric(frame[column].astype("string").str[:4], errors="coerce")
    odd = (year < 1900) | (year > 2100)  # prognoses may lie ahead; placeholders such as 0001 or 9999 may not
    if odd.any():
        raise _row_error(
            "Period outside the accepted window.",
            frame,
            odd,
            column,
            expected="a year from 1900 to 2100",
            fix="check the year (0001 or 9999 is a placeholder, not a period)",
            file=file,
        )


def validate_observations(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    area_divisions: dict[str, list[str]] | None = None,
    division: str | None = None,
    default_source: str | None = None,
    default_status: str = "final",
) -> pd.DataFrame:
    """Validate an observations frame and return it in canonical form.

    Parameters
    ----------
    frame:
        Columns ``area_code, period, indicator, value`` and optionally ``unit, source, status``.
        An already-resolved ``division`` column is accepted too (adapters set it).
    area_divisions:
        Known area codes and the divisions each occurs in. When given, unknown codes are an
        error and each row's division is resolved: a code found in one division takes that
        division; a code found in several takes ``division``.
    """
    optional = (*OBSERVATION_OPTIONAL, "division")
    check_columns(frame.columns, OBSERVATION_COLUMNS, optional, file=file, what="observations")
    if len(frame) == 0:
        raise InputError(
            "The observations file holds no rows.",
            received="a header without data rows",
            expected="at least one row of area_code, period, indicator, value",
            fix="add data rows",
            file=file,
        )
    out = pd.DataFrame(index=range(len(frame)))
    for col in ("area_code", "period", "indicator"):
        series = frame[col].reset_index(drop=True)
        empty = series.isna() | (series.astype("string").str.strip() == "")
        if empty.any():
            raise _row_error(
                f"Empty {col}.",
                frame.reset_index(drop=True),
                empty,
                col,
                expected=f"a non-empty {col}",
                fix=f"fill in {col} on every row",
                file=file,
            )
        out[col] = series.astype("string").str.strip().astype(object)
    validate_periods(out, file=file)
    bad_ind = ~out["indicator"].astype("string").str.fullmatch(_INDICATOR_PATTERN).fillna(False)
    if bad_ind.any():
        raise _row_error(
            "Malformed indicator name.",
            out,
            bad_ind,
            "indicator",
            expected="lower-case dotted name such as registered.drug_trade or bbga.VVEILIGH_I",
            fix="use a canonical indicator name (weerbaar indicators) or a dotted name of your own",
            file=file,
        )
    raw_value = frame["value"].reset_index(drop=True)
    value = pd.to_numeric(raw_value, errors="coerce")
    blank = raw_value.isna() | (raw_value.astype("string").str.strip() == "")
    nonnum = value.isna() & ~blank
    if nonnum.any():
        raise _row_error(
            "Value is not a number.",
            frame.reset_index(drop=True),
            nonnum,
            "value",
            expected="a number with a decimal point, such as 12 or 3.5",
            fix="remove text and thousands separators; leave the cell empty only with status suppressed",
            file=file,
        )
    value = value.astype("float64")
    if np.isinf(value).any():
        raise _row_error(
            "Value is infinite.",
            frame.reset_index(drop=True),
            pd.Series(np.isinf(value)),
            "value",
            expected="a finite number",
            fix="replace the value",
            file=file,
        )
    out["value"] = value
    out["unit"] = _optional_text(frame, "unit", None)
    out["source"] = _optional_text(frame, "source", default_source)
    out["status"] = _statuses(frame, default_status, file)
    from .indicators import catalogue_rows

    canonical_units = dict(zip(*catalogue_rows()[["indicator", "unit"]].T.to_numpy(), strict=True))
    unit_of = out["unit"].where(out["unit"].notna(), out["indicator"].map(canonical_units))
    negative = (out["value"] < 0) & unit_of.astype("string").str.startswith("count").fillna(False)
    if negative.any():  # one row of -5 once replaced 62,160 synthetic rows (issue 16)
        raise _row_error(
            "Negative count.",
            out,
            negative,
            "value",
            expected="a count of 0 or more",
            fix="correct the value; a missing count is an empty value with status suppressed",
            file=file,
        )
    missing_value = out["value"].isna() & (out["status"] != "suppressed")
    if missing_value.any():
        raise _row_error(
            "Value is empty.",
            out,
            missing_value,
            "value",
            expected="a number (an empty value is allowed only with status suppressed)",
            fix="fill in the value or set status to suppressed",
            file=file,
        )

    if "division" in frame.columns:
        out["division"] = frame["division"].reset_index(drop=True).astype(object)
    elif area_divisions is not None:
        out["division"] = _resolve_divisions(out, area_divisions, division, file)
    else:
        out["division"] = division
    if area_divisions is not None and "division" in frame.columns:
        known = {(c, d) for c, ds in area_divisions.items() for d in ds}
        bad = pd.Series([(c, d) not in known for c, d in zip(out["area_code"], out["division"], strict=True)])
        if bad.any():
            raise _row_error(
                "Unknown area code.",
                out,
                bad,
                "area_code",
                expected="a code of a loaded area in that division",
                fix="load the areas first (weerbaar ingest areas) or correct the code",
                file=file,
            )
    key = ["division", "area_code", "period", "indicator"]
    if "source" in frame.columns:
        key.append("source")
    dup = out.duplicated(key, keep="first")
    if dup.any():
        raise _row_error(
            "Duplicate key: the same area, period and indicator occur more than once.",
            out,
            dup,
            "area_code",
            expected="one row per area_code, period and indicator",
            fix="remove or sum the duplicate rows",
            file=file,
        )
    return out[["area_code", "division", "period", "indicator", "value", "unit", "source", "status"]]


def _optional_text(frame: pd.DataFrame, column: str, default: str | None) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([default] * len(frame), dtype=object)
    s = frame[column].reset_index(drop=True).astype("string").str.strip()
    s = s.mask(s == "")
    if default is not None:
        s = s.fillna(default)
    return s.astype(object).where(s.notna(), None)


def _statuses(frame: pd.DataFrame, default: str, file: str | None) -> pd.Series:
    """The status column (or the default), checked against the four statuses."""
    status = _optional_text(frame, "status", default).fillna(default)
    bad = ~status.isin(STATUSES)
    if bad.any():
        raise _row_error(
            "Unknown status.",
            pd.DataFrame({"status": status}),
            bad,
            "status",
            expected=", ".join(STATUSES),
            fix="use one of the four statuses, or leave the column out",
            file=file,
        )
    return status


def _resolve_divisions(
    out: pd.DataFrame, area_divisions: dict[str, list[str]], division: str | None, file: str | None
) -> pd.Series:
    codes = out["area_code"]
    unknown = ~codes.isin(list(area_divisions))
    if unknown.any():
        raise _row_error(
            "Unknown area code.",
            out,
            unknown,
            "area_code",
            expected="the code of a loaded area (see `weerbaar areas`)",
            fix="correct the code, or load its areas first with `weerbaar ingest areas`",
            file=file,
        )
    resolved = []
    for code in codes:
        divs = area_divisions[code]
        if len(divs) == 1:
            resolved.append(divs[0])
        elif division in divs:
            resolved.append(division)
        else:
            raise InputError(
                "Area code occurs in several divisions and none was chosen.",
                received=code,
                expected=f"one of the divisions {', '.join(divs)}",
                fix="pass --division",
                file=file,
                column="area_code",
            )
    return pd.Series(resolved, dtype=object)


#: The earliest date an event may carry (older records are placeholders or typing errors, not events).
EVENTS_EARLIEST = "1990-01-01"


def validate_events(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    crs: str = "EPSG:28992",
    default_source: str | None = None,
    status: str = "final",
) -> pd.DataFrame:
    """Validate an events frame; return it with x, y in EPSG:28992 and occurred_at as UTC timestamps."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    check_columns(frame.columns, EVENT_COLUMNS, ("source", "status"), file=file, what="events")
    if len(frame) == 0:
        raise InputError(
            "The events file holds no rows.",
            received="a header without data rows",
            expected="at least one event",
            fix="add data rows",
            file=file,
        )
    f = frame.reset_index(drop=True)
    for col in ("event_id", "type", "occurred_at"):
        empty = f[col].isna() | (f[col].astype("string").str.strip() == "")
        if empty.any():
            raise _row_error(
                f"Empty {col}.",
                f,
                empty,
                col,
                expected=f"a non-empty {col}",
                fix=f"fill in {col} on every row",
                file=file,
            )
    bad_type = ~f["type"].astype("string").str.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+").fillna(False)
    if bad_type.any():
        raise _row_error(
            "Malformed event type.",
            f,
            bad_type,
            "type",
            expected="a dotted lower-case type such as violence.shooting or report.dealing",
            fix="use one of the documented types (docs/data-contract.md)",
            file=file,
        )
    when = pd.to_datetime(f["occurred_at"].astype("string"), errors="coerce", utc=True, format="ISO8601")
    if when.isna().any():
        raise _row_error(
            "Malformed timestamp.",
            f,
            when.isna(),
            "occurred_at",
            expected="an ISO 8601 date or time such as 2021-03-04T22:15:00+01:00",
            fix="write dates as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]",
            file=file,
        )
    now = pd.Timestamp.now(tz="UTC")
    future = when > now + pd.Timedelta(hours=1)
    if future.any():
        raise _row_error(
            "Event time lies in the future, outside the accepted window.",
            f,
            future,
            "occurred_at",
            expected=f"a time before now ({now:%Y-%m-%d %H:%M} UTC)",
            fix="check the date (day and month swapped? a wrong year?) and the time zone",
            file=file,
        )
    ancient = when < pd.Timestamp(EVENTS_EARLIEST, tz="UTC")
    if ancient.any():
        raise _row_error(
            "Event time lies before 1990, outside the accepted window.",
            f,
            ancient,
            "occurred_at",
            expected="a date from 1990 on",
            fix="check the year (two-digit years? a default date such as 1900-01-01?)",
            file=file,
        )
    xy = {}
    for col in ("x", "y"):
        v = pd.to_numeric(f[col], errors="coerce")
        bad = v.isna() | ~np.isfinite(v.fillna(np.inf))
        if bad.any():
            raise _row_error(
                "Coordinate is not a number.",
                f,
                bad,
                col,
                expected="a finite number",
                fix="write coordinates as plain numbers with a decimal point",
                file=file,
            )
        xy[col] = v.to_numpy(dtype="float64")
    try:
        source_crs = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(
            "Unknown coordinate reference system.",
            received=repr(crs),
            expected="an EPSG code such as EPSG:28992 (RD New) or EPSG:4326 (lon/lat)",
            fix="pass a valid --crs",
            file=file,
        ) from None
    x, y = xy["x"], xy["y"]
    if source_crs.to_epsg() != 28992:
        x, y = Transformer.from_crs(source_crs, 28992, always_xy=True).transform(x, y)
    # RD New is defined for the Netherlands: x 0..300 km, y 300..625 km.
    outside = pd.Series(~((x > -7000) & (x < 300000) & (y > 289000) & (y < 629000)))
    if outside.any():
        hint = (
            "these look like lon/lat degrees: pass --crs EPSG:4326"
            if source_crs.to_epsg() == 28992 and float(np.nanmax(np.abs(xy["x"]))) < 180
            else "check the coordinate order (x = east, y = north) and --crs"
        )
        raise _row_error(
            "Coordinates lie outside the Netherlands.",
            f,
            outside,
            "x",
            expected=f"x, y in {source_crs.to_string()} within the Netherlands",
            fix=hint,
            file=file,
        )
    dup = f["event_id"].astype("string").duplicated()
    if dup.any():
        raise _row_error(
            "Duplicate event_id.",
            f,
            dup,
            "event_id",
            expected="a unique event_id per row",
            fix="give every event its own id",
            file=file,
        )
    out = pd.DataFrame(
        {
            "event_id": f["event_id"].astype("string").str.strip().astype(object),
            "type": f["type"].astype("string").str.strip().astype(object),
            "occurred_at": when.dt.tz_convert("UTC").dt.tz_localize(None),
            "x": np.asarray(x, dtype="float64"),
            "y": np.asarray(y, dtype="float64"),
        }
    )
    out["source"] = _optional_text(f, "source", default_source)
    out["status"] = _statuses(f, status, file)
    return out
