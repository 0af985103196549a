"""The read model's drug use figures: wastewater (city level) and survey prevalence."""

from __future__ import annotations

import pandas as pd

from .base import ReadModelBase


class PrevalencePart(ReadModelBase):
    """Drug use: ``wastewater``, ``surveys``."""

    # -- drug use from the sewer -------------------------------------------------------------------
    def wastewater(self):
        """The EUDA wastewater data as a ``weerbaar.drug_use.Wastewater`` (city level: no disclosure control)."""
        from ..drug_use import Wastewater, load_wastewater

        def make():
            with self._wh() as wh:
                return Wastewater(*load_wastewater(wh))

        return self.cached(("wastewater",), make)

    def surveys(self, division: str) -> pd.DataFrame:
        """Survey prevalence indicators (``survey.prevalence.*``) for the city: indicator, label, period, value."""
        cat = self.catalogue()
        rows = cat[(cat["division"] == division) & cat["indicator"].str.startswith("survey.prevalence.")]
        parts = []
        for info in rows.to_dict("records"):
            if "stad" not in info["levels"]:
                continue
            t = self.table(division, info["indicator"], "stad", "year")
            t = t[t["status"] == "published"]
            if len(t):
                last = t.iloc[-1]
                parts.append(
                    {
                        "indicator": info["indicator"],
                        "label_nl": info["label_nl"],
                        "label_en": info["label_en"],
                        "unit": info["unit"],
                        "period": last["period"],
                        "value": float(last["value"]),
                        "synthetic": bool(info["synthetic"]),
                        "sources": list(info["sources"]),
                    }
                )
        return pd.DataFrame(
            parts, columns=["indicator", "label_nl", "label_en", "unit", "period", "value", "synthetic", "sources"]
        )
