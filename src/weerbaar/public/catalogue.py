"""The read model's indicator catalogue: every public indicator with data, and its disclosure policy."""

from __future__ import annotations

import re

import pandas as pd

from ..contract import LEVELS
from ..errors import NotFoundError
from ..indicators import disclosure_policy, is_flow
from .base import ReadModelBase

#: Indicators never shown: the sum of two published ones, so subtraction would undo disclosure control.
NOT_PUBLIC = re.compile(r"^ois\..+\.age_12_24$")


class CataloguePart(ReadModelBase):
    """The indicators with data: ``catalogue``, ``indicator``."""

    # -- indicators ---------------------------------------------------------------------------
    def catalogue(self) -> pd.DataFrame:
        """Every indicator with data, per division: labels, unit, flow, levels, first and last period."""

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                cat = wh.query(
                    "SELECT indicator, label_nl, label_en, unit, description, effort_dependent, canonical "
                    "FROM indicators"
                )
                avail = wh.query(
                    "SELECT o.division, o.indicator, list(DISTINCT a.level) AS levels, min(o.period) AS first, "
                    "max(o.period) AS last, bool_or(o.status = 'synthetic') AS synthetic, "
                    "list(DISTINCT o.source) AS sources, list(DISTINCT length(o.period)) AS lengths "
                    "FROM observations o JOIN areas a ON a.division = o.division AND a.code = o.area_code "
                    "WHERE o.value IS NOT NULL GROUP BY o.division, o.indicator"
                )
            avail = avail[~avail["indicator"].str.match(NOT_PUBLIC)]
            df = avail.merge(cat, on="indicator", how="left")
            df["canonical"] = df["canonical"].fillna(False).astype(bool)
            df["label_nl"] = df["label_nl"].fillna(df["indicator"])
            df["label_en"] = df["label_en"].fillna(df["label_nl"])
            df["unit"] = df["unit"].fillna("")
            df["flow"] = [is_flow(i, u) for i, u in zip(df["indicator"], df["unit"], strict=True)]
            policies = [
                disclosure_policy(i, u, s) for i, u, s in zip(df["indicator"], df["unit"], df["sources"], strict=True)
            ]
            df["disclosure"] = [p.kind for p in policies]
            df["disclosure_base"] = [p.base for p in policies]
            df["min_base"] = [p.min_base for p in policies]
            df["open_submissions"] = [p.open_submissions for p in policies]
            df["levels"] = [sorted(lv, key=LEVELS.index) for lv in df["levels"]]
            df["sources"] = [sorted(s) for s in df["sources"]]
            df["finest"] = ["month" if 7 in ln else ("quarter" if max(ln) >= 7 else "year") for ln in df["lengths"]]
            return df.drop(columns=["lengths"]).sort_values(
                ["division", "canonical", "indicator"], ascending=[True, False, True], ignore_index=True
            )

        return self.cached(("catalogue",), make)

    def indicator(self, indicator: str, division: str) -> pd.Series:
        if NOT_PUBLIC.match(indicator):
            raise NotFoundError(
                "This indicator is not public.",
                received=repr(indicator),
                expected="an indicator that is not the sum of other published ones",
                fix="use the separate age groups (age_12_17 and age_18_24): their sum would undo disclosure control",
            )
        cat = self.catalogue()
        rows = cat[(cat["indicator"] == indicator) & (cat["division"] == division)]
        if rows.empty:
            known = cat.loc[cat["division"] == division, "indicator"].tolist()
            close = [k for k in known if indicator.split(".")[0] in k][:5] or known[:5]
            raise NotFoundError(
                "No data for this indicator in the division.",
                received=f"{indicator!r} in division {division}",
                expected=f"an indicator with data, such as {', '.join(close)}",
                fix="see /api/v1/indicators for what each division has",
            )
        return rows.iloc[0]
