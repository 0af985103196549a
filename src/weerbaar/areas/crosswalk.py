"""Crosswalks between area divisions, weighted by overlapping area.

A crosswalk row says that ``area_m2`` square metres of area ``from_code`` (division
``from_division``) lie in area ``to_code`` (division ``to_division``). ``weight`` is the share
of the *from* area that lies in the *to* area: to move a count (an extensive quantity) from
the old division to the new one, multiply by ``weight`` and sum per ``to_code``. ``to_share``
is the share of the *to* area covered by the *from* area, for averaging rates and percentages
(an intensive quantity) onto the new division. See docs/methods/crosswalk.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["CROSSWALK_COLUMNS", "build_crosswalk", "apply_crosswalk", "move_counts"]

CROSSWALK_COLUMNS = ["from_division", "from_code", "to_division", "to_code", "area_m2", "weight", "to_share"]

#: Overlaps smaller than this (m2), or than this share of the from-area, are digitising slivers.
MIN_OVERLAP_M2 = 1.0
MIN_OVERLAP_SHARE = 0.001


def build_crosswalk(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, *, from_division: str, to_division: str
) -> pd.DataFrame:
    """Intersect two area sets (``code`` and geometry in a metric CRS) and return the crosswalk.

    Slivers below 1 m2 or 0.1 % of the source area are dropped, and the weights of each source
    area are renormalised to sum to one over the part that the target division covers.
    """
    src = source[["code", "geometry"]].rename(columns={"code": "from_code"})
    tgt = target[["code", "geometry"]].rename(columns={"code": "to_code"})
    src_area = pd.Series(src.geometry.area.values, index=src["from_code"].values)
    tgt_area = pd.Series(tgt.geometry.area.values, index=tgt["to_code"].values)
    overlap = gpd.overlay(src, tgt, how="intersection", keep_geom_type=True)
    overlap["area_m2"] = overlap.geometry.area
    pieces = overlap.groupby(["from_code", "to_code"])["area_m2"].sum().reset_index()
    share = pieces["area_m2"] / src_area.loc[pieces["from_code"]].to_numpy()
    pieces = pieces[(pieces["area_m2"] >= MIN_OVERLAP_M2) & (share >= MIN_OVERLAP_SHARE)].copy()
    pieces["weight"] = pieces["area_m2"] / pieces.groupby("from_code")["area_m2"].transform("sum")
    pieces["to_share"] = pieces["area_m2"] / tgt_area.loc[pieces["to_code"]].to_numpy()
    pieces["from_division"] = from_division
    pieces["to_division"] = to_division
    return pieces[CROSSWALK_COLUMNS].sort_values(["from_code", "to_code"]).reset_index(drop=True)


def apply_crosswalk(values: pd.Series, crosswalk: pd.DataFrame, *, kind: str = "count") -> pd.Series:
    """Move a series indexed by from-code onto the to-division.

    ``kind="count"`` splits each value by area share and sums (extensive); ``kind="rate"``
    takes the area-weighted mean of the from-values over each to-area (intensive).
    """
    cw = crosswalk[crosswalk["from_code"].isin(values.index)]
    v = values.reindex(cw["from_code"]).to_numpy(dtype="float64")
    if kind == "count":
        out = pd.Series(v * cw["weight"].to_numpy(), index=cw["to_code"].to_numpy()).groupby(level=0).sum()
    elif kind == "rate":
        w = cw["area_m2"].to_numpy()
        ok = ~np.isnan(v)
        num = pd.Series(np.where(ok, v * w, 0.0), index=cw["to_code"].to_numpy()).groupby(level=0).sum()
        den = pd.Series(np.where(ok, w, 0.0), index=cw["to_code"].to_numpy()).groupby(level=0).sum()
        out = num / den.replace(0.0, np.nan)
    else:
        raise ValueError(f"kind must be 'count' or 'rate', got {kind!r}")
    out.index.name = "to_code"
    return out


def move_counts(observations: pd.DataFrame, crosswalk: pd.DataFrame, *, to_division: str) -> pd.DataFrame:
    """Move count observations (``area_code, period, indicator, value, unit, status``, one from-division,
    finest level only) onto ``to_division`` through the crosswalk, per period and indicator.

    A target area that receives any part of a withheld or missing count (``value`` NaN) gets NaN with
    status ``suppressed``: a partial sum would be too low without saying so. A target area gets status
    ``provisional`` when any part of it is provisional. Areas the crosswalk does not reach are dropped.
    """
    columns = ["division", "area_code", "period", "indicator", "value", "unit", "status"]
    if observations.empty:
        return pd.DataFrame(columns=columns)
    cw = crosswalk[["from_code", "to_code", "weight"]]
    merged = observations.merge(cw, left_on="area_code", right_on="from_code", how="inner")
    merged["part"] = merged["value"] * merged["weight"]
    merged["missing"] = merged["value"].isna()
    merged["provisional"] = merged["status"].eq("provisional")
    out = merged.groupby(["to_code", "period", "indicator"], as_index=False).agg(
        value=("part", "sum"),
        missing=("missing", "any"),
        provisional=("provisional", "any"),
        unit=("unit", "first"),
    )
    out.loc[out["missing"], "value"] = np.nan
    out["status"] = np.where(out["missing"], "suppressed", np.where(out["provisional"], "provisional", "final"))
    out["division"] = to_division
    return out.rename(columns={"to_code": "area_code"})[columns].reset_index(drop=True)
