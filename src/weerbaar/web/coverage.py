"""Which periods a real indicator covers, and what it replaced: the notice shown above a map or chart.

After a real source supersedes a synthetic stand-in (decision 0010), e.g. after the first residents'
report and ``weerbaar ingest reports``, the indicator's long synthetic series is gone and the real
one may cover a few months only. Without a word the map then shows every area as 0 (or withheld)
and the chart looks empty. :func:`coverage` says which periods have real data, whether a synthetic
series was replaced, and picks a default period that lies inside the real data and holds counts.
"""

from __future__ import annotations

import pandas as pd

from ..errors import WeerbaarError
from ..public import PublicData
from .i18n import t
from .views import WITHHELD

__all__ = ["coverage", "default_period"]


def _replaced(data: PublicData, sources: list[str], indicator: str) -> bool:
    frame = data.sources()
    notes = frame.loc[frame["name"].isin(sources), "notes"].fillna("")
    return any(f"synthetic rows of {indicator} " in n for n in notes)


def default_period(data: PublicData, division: str, indicator: str) -> str | None:
    """For a count indicator: the latest complete year; without one (a young real series), the latest
    half year, quarter or month whose city total is above zero or withheld (a few reports, too few to
    show); None when there is nothing better than the read model's own default."""
    try:
        periods = data.periods(division, indicator)
    except WeerbaarError:
        return None
    if "year" in periods or not periods:
        return None
    areas = data.areas(division)
    city = areas.index[areas["level"] == "stad"]
    for kind in ("half", "quarter", "month"):
        if kind not in periods or not len(city):
            continue
        try:
            table = data.table(division, indicator, "stad", kind)
        except WeerbaarError:
            continue
        city_rows = table[table["area_code"] == city[0]]
        counted = pd.to_numeric(city_rows["value"], errors="coerce") > 0
        withheld = city_rows["status"].astype(str).isin(WITHHELD)
        hits = city_rows[counted | (withheld & city_rows["value"].isna())]
        if len(hits):
            return str(hits["period"].max())
    return None


def coverage(data: PublicData, division: str, indicator: str, lang: str) -> dict | None:
    """The real-data notice of an indicator: None for a synthetic one or one with a long real series.

    Returns ``{"first", "last", "months", "replaced", "text"}``.
    """
    try:
        info = data.indicator(indicator, division)
    except WeerbaarError:
        return None
    if bool(info["synthetic"]):
        return None
    first, last = str(info["first"]), str(info["last"])
    replaced = _replaced(data, list(info["sources"]), indicator)
    months = None
    if len(first) == 7 and len(last) == 7:
        months = len(pd.period_range(first, last, freq="M"))
    if not replaced and (months is None or months >= 24):
        return None
    span = first if first == last else f"{first} – {last}"
    text = t("coverage.real", lang, span=span)
    if replaced:
        text += " " + t("coverage.replaced", lang)
    if months is not None and months < 12:
        text += " " + t("coverage.short", lang)
    default = default_period(data, division, indicator)
    if default is not None:
        text += " " + t("coverage.default", lang, period=default)
    return {"first": first, "last": last, "months": months, "replaced": replaced, "default": default, "text": text}
