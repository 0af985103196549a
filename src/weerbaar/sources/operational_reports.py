"""Residents' reports from the operational store into the warehouse, as counts per buurt and month.

Each report (stored as the centre of its 100 m cell) is linked to the buurt that contains it and to
the nearest facility within a radius (setting ``facility_radius_m``). The warehouse gets counts, never
the reports: ``reports.drug_nuisance`` per buurt and month, and ``reports.near_facility.<type>``
for the reports whose nearest facility within the radius is of that type, and
``reports.chosen_place.<type>`` for the kind of place the resident chose on the form ("Speeltuin"),
whether or not a facility of that type lies within the radius. The month is the month
the resident saw it (``seen_at``), else the month of the report. Reports outside every buurt are
counted in a note, not dropped silently.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..areas import RD_NEW
from .base import SourceData

__all__ = ["NAME", "aggregate_reports", "read_reports"]

NAME = "operational-reports"
TITLE = "Residents' reports (operational store), counts per buurt, facility type and month"
CHOSEN_PREFIX = "reports.chosen_place."
#: Dutch names of the kinds of place (as on the form)
PLACE_NL = {
    "school": "school",
    "playground": "speeltuin",
    "community_centre": "buurthuis",
    "youth_centre": "jongerencentrum",
    "care_centre": "zorginstelling",
    "other": "iets anders",
}
OBS_COLUMNS = ["division", "area_code", "period", "indicator", "value", "unit", "status"]


#: How a facility type reads in an indicator label (Dutch, English).
FACILITY_WORDS = {
    "school": ("bij een school", "near a school"),
    "playground": ("bij een speeltuin", "near a playground"),
    "community_centre": ("bij een buurthuis", "near a community centre"),
    "youth_centre": ("bij een jongerencentrum", "near a youth centre"),
    "care_centre": ("bij een zorginstelling", "near a care centre"),
    "other": ("bij een andere voorziening", "near another facility"),
}
FACILITY_OTHER = FACILITY_WORDS["other"]

def read_reports(url: str | None = None) -> pd.DataFrame:
    """Every report in the operational store: id, month, x, y (cell centres, RD New)."""
    from sqlalchemy import select

    from ..store import Report, session, upgrade

    upgrade(url)
    from ..store.models import utcnow
    from ..store.reports import EARLIEST, seen_in_window

    with session(url) as s:
        rows = s.execute(
            select(
                Report.id, Report.created_at, Report.seen_at, Report.x, Report.y, Report.near_facility_type
            ).where(
                Report.excluded_at.is_(None)  # rejected by a moderator: in no figure
            )
        ).all()
    # A stored outlier (a report of an older version, a hand-edited row) must not blow up the month grid:
    # a report counts in the month it was seen when that lies in its window, else in the month it was made,
    # and reports made outside EARLIEST..now count nowhere (the frame's attrs["dropped"] says how many).
    now = utcnow()
    kept, dropped = [], 0
    for rid, created, seen, x, y, chosen in rows:
        if created is None or not EARLIEST <= created <= now + pd.Timedelta(minutes=10):
            dropped += 1
            continue
        when = seen if seen_in_window(seen, created) else created
        kept.append((rid, when.strftime("%Y-%m"), x, y, chosen))
    frame = pd.DataFrame(kept, columns=["id", "period", "x", "y", "chosen"])
    frame.attrs["dropped"] = dropped
    return frame


def aggregate_reports(
    reports: pd.DataFrame,
    buurten: gpd.GeoDataFrame,
    facilities: pd.DataFrame,
    *,
    division: str,
    radius_m: float,
    until: str | None = None,
) -> SourceData:
    """Counts per buurt and month (and per nearest facility type) of reports given as id, period, x, y.

    The counts are complete: every buurt and every month from the first report's month to ``until``
    (default the current month) has a row, zero where nobody reported, for ``reports.drug_nuisance`` and
    for every facility type in ``facilities``. A month without reports is a real zero in an operational
    store, and complete counts are what lets disclosure control add buurten up to wijk and city.
    """
    if reports.empty:
        return SourceData(observations=pd.DataFrame(columns=OBS_COLUMNS), notes=["no reports in the store"])
    pts = gpd.GeoDataFrame(reports, geometry=gpd.points_from_xy(reports["x"], reports["y"]), crs=RD_NEW)
    joined = gpd.sjoin(pts, buurten[["code", "geometry"]].to_crs(RD_NEW), how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = int(joined["code"].isna().sum())
    inside = joined.dropna(subset=["code"])
    counts = inside.groupby(["code", "period"]).size().rename("value").reset_index()
    counts["indicator"] = "reports.drug_nuisance"
    parts = [counts]
    if len(facilities) and len(inside):
        tree = cKDTree(facilities[["x", "y"]].to_numpy(dtype=float))
        dist, idx = tree.query(inside[["x", "y"]].to_numpy(dtype=float), k=1)
        near = dist <= radius_m
        typed = inside.loc[near].assign(ftype=facilities["type"].to_numpy()[np.asarray(idx)[near]])
        by_type = typed.groupby(["code", "period", "ftype"]).size().rename("value").reset_index()
        by_type["indicator"] = "reports.near_facility." + by_type["ftype"]
        parts.append(by_type.drop(columns="ftype"))
    if "chosen" in inside.columns and inside["chosen"].notna().any():
        chosen = (
            inside.dropna(subset=["chosen"]).groupby(["code", "period", "chosen"]).size().rename("value").reset_index()
        )
        chosen["indicator"] = CHOSEN_PREFIX + chosen["chosen"].astype(str)
        parts.append(chosen.drop(columns="chosen"))
    obs = _complete(pd.concat(parts, ignore_index=True), buurten, facilities, reports, until)
    chosen_types = sorted({i[len(CHOSEN_PREFIX) :] for i in obs["indicator"] if i.startswith(CHOSEN_PREFIX)})
    obs = obs.rename(columns={"code": "area_code"})
    obs["division"] = division
    obs["unit"] = "count"
    obs["status"] = "final"
    obs["value"] = obs["value"].astype(float)
    notes = [f"{outside} reports lie outside every buurt and are not counted."] if outside else []
    notes.append(f"{len(inside)} reports counted; facility radius {radius_m:.0f} m.")
    indicators = pd.DataFrame(
        [
            {
                "indicator": f"reports.near_facility.{t}",
                "label_nl": f"Meldingen drugsoverlast {FACILITY_WORDS.get(t, FACILITY_OTHER)[0]}",
                "label_en": f"Reports of drug nuisance {FACILITY_WORDS.get(t, FACILITY_OTHER)[1]}",
                "unit": "count",
                "description": f"Residents' reports whose nearest facility within {radius_m:.0f} m is a {t}.",
                "effort_dependent": False,
                "canonical": False,
            }
            for t in sorted({i.rsplit(".", 1)[1] for i in obs["indicator"] if i.startswith("reports.near_facility.")})
        ],
        columns=["indicator", "label_nl", "label_en", "unit", "description", "effort_dependent", "canonical"],
    )
    chosen_rows = pd.DataFrame(
        [
            {
                "indicator": f"{CHOSEN_PREFIX}{t}",
                "label_nl": "Meldingen drugsoverlast, plek gekozen door melder: "
                + PLACE_NL.get(t, t.replace("_", " ")),
                "label_en": f"Reports of drug nuisance, place chosen by the reporter: {t.replace('_', ' ')}",
                "unit": "count",
                "description": f"Residents' reports for which the reporter chose '{t}' as the kind of place nearby.",
                "effort_dependent": False,
                "canonical": False,
            }
            for t in chosen_types
        ],
        columns=indicators.columns,
    )
    if len(chosen_rows):
        indicators = pd.concat([indicators, chosen_rows], ignore_index=True)
    return SourceData(observations=obs[OBS_COLUMNS], indicators=indicators, notes=notes)


def _complete(counts: pd.DataFrame, buurten, facilities: pd.DataFrame, reports: pd.DataFrame, until) -> pd.DataFrame:
    """The counts on the full grid of buurten x months x indicators, zero where there is no report."""
    from datetime import UTC, datetime

    last = until or datetime.now(UTC).strftime("%Y-%m")
    first = min(reports["period"].min(), last)
    months = pd.period_range(first, max(last, reports["period"].max()), freq="M").strftime("%Y-%m")
    indicators = ["reports.drug_nuisance"]
    if len(facilities):
        indicators += sorted(f"reports.near_facility.{t}" for t in facilities["type"].dropna().unique())
    if "chosen" in reports.columns and reports["chosen"].notna().any():
        from ..store.models import NEAR_FACILITY_TYPES

        indicators += [f"{CHOSEN_PREFIX}{t}" for t in NEAR_FACILITY_TYPES]
    grid = pd.MultiIndex.from_product(
        [sorted(buurten["code"].astype(str)), list(months), indicators], names=["code", "period", "indicator"]
    )
    full = counts.set_index(["code", "period", "indicator"])["value"].reindex(grid, fill_value=0)
    return full.rename("value").reset_index()
