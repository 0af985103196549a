"""Time series and area comparisons: ``trend_chart`` (lines over periods) and ``bar_compare`` (bars per area)."""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ..contract import PERIOD_PATTERN, period_kind
from ..errors import InputError
from .common import ACCENT, CATEGORY_PALETTE, INK, MUTED, PRIMARY, ChartMeta, apply, format_number, label, message_chart

__all__ = ["period_date", "trend_chart", "bar_compare", "value_text"]

WITHHELD_STATUSES = frozenset({"withheld", "suppressed", "afgeschermd"})
_FIRST_MONTH = {"half": {"1": 1, "2": 7}, "quarter": {"1": 1, "2": 4, "3": 7, "4": 10}}
VALUE_FORMAT = ",.2~f"  # d3 format of values in tooltips (the chart locale gives the Dutch comma)
#: Bars at least this share of the longest one carry their value inside their end (see ``bar_compare``).
INSIDE_SHARE = 0.6


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"The {what} needs a table (pandas DataFrame).",
            received=type(frame).__name__,
            expected=f"a DataFrame with columns {', '.join(columns)}",
            fix="build a DataFrame first",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"The {what} is missing columns.",
            received=", ".join(map(str, frame.columns)) or "(no columns)",
            expected=", ".join(columns),
            fix=f"add the column(s) {', '.join(missing)}",
        )


def period_date(period: str) -> str:
    """The first day of a period as a local ISO date-time: "2019-Q3" -> "2019-07-01T00:00:00".

    Local time (no "Z"), so that the browser shows the same year and month as the period label.
    """
    kind = period_kind(str(period))
    m = PERIOD_PATTERN.match(str(period))
    assert m is not None  # period_kind refuses a malformed period
    year = int(m.group("year"))
    if kind == "year":
        month = 1
    elif kind == "month":
        month = int(m.group("month"))
    else:
        month = _FIRST_MONTH[kind][m.group(kind)]
    return f"{year:04d}-{month:02d}-01T00:00:00"


def value_text(value: Any, lang: str = "nl", decimals: int | None = None) -> str:
    """A number as display text in the chart language (up to 2 decimals, trailing zeros dropped)."""
    if value is None or (isinstance(value, float | np.floating) and not math.isfinite(value)):
        return ""
    v = float(value)
    if decimals is None:
        d = 0 if v.is_integer() else 2 if abs(v) < 100 else 1
        text = format_number(v, d, lang)
        sep = "," if lang == "nl" else "."
        return text.rstrip("0").rstrip(sep) if sep in text else text
    return format_number(v, decimals, lang)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _withheld(frame: pd.DataFrame) -> pd.Series:
    if "status" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["status"].astype("string").str.strip().str.lower().isin(WITHHELD_STATUSES).fillna(False)


def _time_axis(periods: list[str], dates: pd.Series) -> dict[str, Any]:
    kinds = {period_kind(p) for p in periods}
    years = dates.dt.year
    span = int(years.max() - years.min()) if len(years) else 0
    if kinds == {"year"} or span >= 3:
        step = 1 if span <= 12 else 2 if span <= 24 else 5
        return {
            "format": "%Y",
            "tickCount": {"interval": "year", "step": step},
            "labelOverlap": "greedy",
            "labelSeparation": 6,
        }
    step = 3 if kinds & {"quarter", "month"} and span >= 1 else 1 if kinds == {"month"} else 3
    if kinds == {"half"}:
        step = 6
    return {
        "format": "%b %Y",
        "tickCount": {"interval": "month", "step": step},
        "labelOverlap": "greedy",
        "labelSeparation": 6,
    }


def trend_chart(
    frame: pd.DataFrame,
    meta: ChartMeta,
    *,
    breaks: list[str] | None = None,
    width: int | None = None,
    height: int = 260,
    value_format: str = VALUE_FORMAT,
    legend_columns: int = 4,
) -> dict:
    """Lines over time, one per ``series``; the first series is drawn thicker.

    ``frame``: ``series`` (label, e.g. the area name or "Stad"), ``period`` ("2019", "2019-H2",
    "2019-Q3", "2019-07"), ``value``; optional ``low``/``high`` (an interval, drawn as a light band)
    and ``status`` (withheld rows are gaps, whatever their value). At most 10 series. ``breaks``:
    periods where the series breaks (e.g. a new area division), drawn as dashed rules labelled
    "Trendbreuk"/"Series break". ``legend_columns``: 1 stacks the legend, for static renderings whose
    viewer may draw the labels in a wider font than the one they were measured in (the report's SVGs).
    """
    _require(frame, ["series", "period", "value"], "trend chart")
    lang = meta.lang
    df = frame.copy()
    df["series"] = df["series"].astype(str)
    df["period"] = df["period"].astype(str)
    df["value"] = _numeric(df, "value")
    hidden = _withheld(df)
    df.loc[hidden, "value"] = np.nan
    has_band = {"low", "high"} <= set(df.columns)
    if has_band:
        df["low"], df["high"] = _numeric(df, "low"), _numeric(df, "high")
        df.loc[hidden, ["low", "high"]] = np.nan
        has_band = bool((df["low"].notna() & df["high"].notna()).any())
    if not df["value"].notna().any():  # nothing to draw: say why instead of an empty axis
        return message_chart(meta, label("all_withheld" if hidden.any() else "no_values", lang), width, height)
    df["date"] = [period_date(p) for p in df["period"]]
    df = df.sort_values(["date"], kind="stable")
    order = list(dict.fromkeys(frame["series"].astype(str)))
    if len(order) > len(CATEGORY_PALETTE):
        raise InputError(
            "Too many series for one trend chart.",
            received=f"{len(order)} series",
            expected=f"at most {len(CATEGORY_PALETTE)} (preferably 8 or fewer)",
            fix="show fewer areas, or split them over several charts",
        )
    colours = list(CATEGORY_PALETTE[: len(order)])
    df["_text"] = [value_text(v, lang) for v in df["value"]]
    if has_band:
        df["_interval"] = [
            f"{value_text(lo, lang)} – {value_text(hi, lang)}" if pd.notna(lo) and pd.notna(hi) else ""
            for lo, hi in zip(df["low"], df["high"], strict=True)
        ]
    df["_first"] = df["series"] == order[0] if order else False
    cols = ["series", "period", "date", "value", "_text", "_first"] + (["low", "high", "_interval"] if has_band else [])
    records = _records(df[cols])

    dates = pd.to_datetime(df["date"])
    x = alt.X(
        "date:T",
        title=None,
        axis=alt.Axis(**_time_axis(list(df["period"]), dates), grid=False),
        scale=alt.Scale(padding=12),
    )
    values = pd.concat([df["value"], df["low"], df["high"]]) if has_band else df["value"]
    zero = not bool((values.dropna() < 0).any())
    y_scale = alt.Scale(zero=zero, nice=True)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=order, range=colours),
        sort=order,
        legend=alt.Legend(
            title=None,
            orient="bottom",
            direction="horizontal",
            columns=legend_columns,
            symbolType="stroke",
            symbolOpacity=1,
            symbolStrokeWidth=3,
        )
        if len(order) > 1
        else None,
    )
    tooltip = [
        alt.Tooltip("series:N", title=label("series", lang)),
        alt.Tooltip("period:N", title=label("period", lang)),
        alt.Tooltip("value:Q", title=meta.unit, format=value_format),
    ]
    if has_band:
        tooltip.append(alt.Tooltip("_interval:N", title=label("interval", lang)))

    base = alt.Chart(alt.Data(values=records))
    layers = []
    if has_band:
        layers.append(
            base.mark_area(opacity=0.16, invalid="break-paths-show-domains", interpolate="linear").encode(
                x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q", color=colour
            )
        )
    line = base.mark_line(invalid="break-paths-show-domains", strokeJoin="round").encode(
        x=x,
        y=alt.Y("value:Q", title=meta.unit, scale=y_scale, axis=alt.Axis(format=",~r", tickCount=5)),
        color=colour,
        strokeWidth=alt.condition("datum._first", alt.value(3), alt.value(1.8)),
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, invalid="filter").encode(
        x=x,
        y="value:Q",
        color=colour,
        size=alt.condition("datum._first", alt.value(44), alt.value(26)),
        tooltip=tooltip,
    )
    layers += [line, points]
    for b in breaks or []:
        period_kind(str(b))  # a clear error for a malformed break
    if breaks:
        rows = [{"date": period_date(str(b)), "period": str(b), "text": label("series_break", lang)} for b in breaks]
        bdata = alt.Chart(alt.Data(values=rows))
        layers.append(
            bdata.mark_rule(strokeDash=[4, 4], color=MUTED, strokeWidth=1).encode(
                x="date:T",
                tooltip=[
                    alt.Tooltip("text:N", title=label("series_break", lang)),
                    alt.Tooltip("period:N", title=label("period", lang)),
                ],
            )
        )
        layers.append(
            bdata.mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=11, color=MUTED).encode(
                x="date:T", y=alt.value(0), text="text:N"
            )
        )
    return apply(alt.layer(*layers), meta, width, height)


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON-able dicts: NaN -> None, numpy scalars -> Python."""
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, float | np.floating):
                clean[k] = None if not math.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                clean[k] = int(v)
            elif isinstance(v, np.bool_):
                clean[k] = bool(v)
            elif v is pd.NA or v is pd.NaT:
                clean[k] = None
            else:
                clean[k] = v
        out.append(clean)
    return out


def bar_compare(
    frame: pd.DataFrame,
    meta: ChartMeta,
    *,
    width: int | None = None,
    height: int | None = None,
    highlight: str | None = None,
    reference_label: str | None = None,
    value_format: str = VALUE_FORMAT,
) -> dict:
    """Horizontal bars per area in the given order, value written at the bar end.

    ``frame``: ``area``, ``value``; optional ``reference`` (e.g. the city value: one value for all
    rows gives one dashed rule, different values a short mark per bar, named ``reference_label``,
    default "Stad"/"City"), ``label`` (display text instead of the formatted value) and ``status``
    (withheld rows get no bar and the text "afgeschermd"/"withheld"). ``highlight``: an area drawn
    in the accent colour. ``height=None``: 24 px per bar.
    """
    _require(frame, ["area", "value"], "bar chart")
    lang = meta.lang
    df = frame.copy().reset_index(drop=True)
    df["area"] = df["area"].astype(str)
    df["value"] = _numeric(df, "value")
    hidden = _withheld(df)
    df.loc[hidden, "value"] = np.nan
    given = df["label"] if "label" in df.columns else pd.Series([None] * len(df))
    texts = []
    for v, h, g in zip(df["value"], hidden, given, strict=True):
        if h:
            texts.append(label("status_withheld", lang))
        elif pd.isna(v):
            texts.append(label("status_missing", lang))
        elif g is not None and not (isinstance(g, float) and math.isnan(g)):
            texts.append(str(g))
        else:
            texts.append(value_text(v, lang))
    df["_text"] = texts
    df["_x"] = df["value"].fillna(0.0)
    df["_hl"] = df["area"] == str(highlight) if highlight is not None else False
    order = list(dict.fromkeys(df["area"]))
    ref_name = reference_label or label("city", lang)
    has_ref = "reference" in df.columns and _numeric(df, "reference").notna().any()
    cols = ["area", "value", "_text", "_x", "_hl"]
    if has_ref:
        df["reference"] = _numeric(df, "reference")
        cols.append("reference")

    values = pd.concat([df["value"], df["reference"]]) if has_ref else df["value"]
    zero_domain = not bool((values.dropna() < 0).any())
    y = alt.Y("area:N", title=None, sort=order, axis=alt.Axis(labelLimit=240, labelColor=INK))
    x_scale = alt.Scale(zero=True, nice=True) if zero_domain else alt.Scale(nice=True)
    top = values.dropna().max() if values.notna().any() else None
    inside = pd.Series(False, index=df.index)
    if zero_domain and top is not None and top > 0:
        # the value of a long bar is written inside its end (white), the others after it: on a phone the plot
        # is ~150 px wide and a label ~50 px, so a fixed margin after the longest bar would not do
        x_scale = alt.Scale(zero=True, nice=True, domainMax=float(top) * 1.05)
        inside = (df["value"] >= INSIDE_SHARE * float(top)).fillna(False)
    df["_in"] = inside.astype(bool)
    cols.append("_in")
    records = _records(df[cols])
    base = alt.Chart(alt.Data(values=records))
    bars = base.mark_bar(cornerRadiusEnd=2, height={"band": 0.72}).encode(
        x=alt.X("value:Q", title=meta.unit, scale=x_scale, axis=alt.Axis(format=",~r", grid=True, tickCount=5)),
        y=y,
        color=alt.condition("datum._hl", alt.value(ACCENT), alt.value(PRIMARY)),
        tooltip=[
            alt.Tooltip("area:N", title=label("area", lang)),
            alt.Tooltip("_text:N", title=meta.unit),
        ],
    )
    text = (
        base.transform_filter("!datum._in")
        .mark_text(align="left", baseline="middle", dx=4, fontSize=11, color=INK)
        .encode(x="_x:Q", y=y, text="_text:N")
    )
    text_in = (
        base.transform_filter("datum._in")
        .mark_text(align="right", baseline="middle", dx=-4, fontSize=11, color="#ffffff", fontWeight="bold")
        .encode(x="_x:Q", y=y, text="_text:N")
    )
    layers = [bars]
    if has_ref:
        refs = df["reference"].dropna().unique()
        if len(refs) == 1:
            ref_text = f"{ref_name} ({value_text(refs[0], lang)})"
            rule = alt.Chart(alt.Data(values=[{"reference": float(refs[0]), "name": ref_text}])).mark_rule(
                color=INK, strokeWidth=1.5
            )
            layers.append(
                rule.encode(
                    x="reference:Q",
                    strokeDash=alt.StrokeDash(
                        "name:N",
                        scale=alt.Scale(domain=[ref_text], range=[[5, 3]]),
                        legend=alt.Legend(title=None, orient="bottom", symbolStrokeColor=INK, symbolStrokeWidth=1.5),
                    ),
                    tooltip=[alt.Tooltip("name:N", title=label("value", lang))],
                )
            )
        else:
            layers.append(
                base.transform_filter("isValid(datum.reference)")
                .mark_tick(color=INK, thickness=2, size={"expr": "bandwidth('y') * 0.9"})
                .encode(
                    x="reference:Q",
                    y=y,
                    strokeDash=alt.StrokeDash(
                        "_refname:N",
                        scale=alt.Scale(domain=[ref_name], range=[[1, 0]]),
                        legend=alt.Legend(title=None, orient="bottom", symbolType="stroke", symbolStrokeColor=INK),
                    ),
                    tooltip=[
                        alt.Tooltip("area:N", title=label("area", lang)),
                        alt.Tooltip("reference:Q", title=ref_name, format=value_format),
                    ],
                )
                .transform_calculate(_refname=f"{_js(ref_name)}")
            )
    layers += [text, text_in]
    return apply(alt.layer(*layers), meta, width, height if height is not None else 24 * max(len(order), 1))


def _js(text: str) -> str:
    """A JavaScript string literal (for Vega expressions)."""
    import json

    return json.dumps(str(text))
