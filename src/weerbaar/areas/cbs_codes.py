"""CBS region codes (GM/WK/BU) -> our area codes, per area division.

CBS names a municipality ``GMgggg``, a wijk ``WKggggww`` and a buurt ``BUggggwwbb``. Our areas
carry the CBS code where one exists (``cbs_code``): the 2022 division takes it from the city's
file (``BU0363AC02``, ``WK0363AC``), the 2015 division's buurten from the rule in
:func:`weerbaar.sources.amsterdam_areas.cbs_code_2015` (``A00a`` -> ``BU03630000``). The 2015 wijken
(buurtcombinaties) carry none in the city's files; their CBS code is the shared ``WKggggww`` prefix
of their buurten's codes (``A00`` -> ``WK036300``), derived here rather than written down twice.

A code can occur in more than one division (``GM0363`` is ``STAD`` in both); the caller then picks
the division by period (see :func:`division_for_year`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["cbs_code_lookup", "division_for_year", "LOOKUP_COLUMNS"]

LOOKUP_COLUMNS = ["cbs_code", "division", "code", "level"]


def cbs_code_lookup(areas: pd.DataFrame) -> pd.DataFrame:
    """Every area with a CBS code, as rows ``cbs_code, division, code, level``.

    ``areas`` has ``code, level, parent, division, cbs_code`` (a geometry is ignored). A wijk without
    a CBS code gets one when all its buurten's codes share the same ``BUggggww`` prefix.
    """
    df = pd.DataFrame(areas)[["code", "level", "parent", "division", "cbs_code"]].copy()
    df["cbs_code"] = df["cbs_code"].where(df["cbs_code"].notna(), None)
    buurten = df[(df["level"] == "buurt") & df["cbs_code"].astype("string").str.match(r"^BU\d{4}").fillna(False)]
    grouped = buurten.assign(prefix="WK" + buurten["cbs_code"].str[2:8]).groupby(["division", "parent"])["prefix"]
    prefixes = {key: (s.iloc[0] if s.nunique() == 1 else None) for key, s in grouped}
    missing = (df["level"] == "wijk") & df["cbs_code"].isna()
    keys = list(zip(df.loc[missing, "division"], df.loc[missing, "code"], strict=True))
    df.loc[missing, "cbs_code"] = [prefixes.get(k) for k in keys]
    out = df[df["cbs_code"].notna()][LOOKUP_COLUMNS].reset_index(drop=True)
    return out.astype(object)


def division_for_year(year: int) -> str:
    """The Amsterdam division CBS region codes of a year belong to: ``2015`` up to 2021, ``2022`` after.

    CBS follows the municipality's own division of the year: Amsterdam's numeric buurt codes
    (``BU03630000``) up to 2021, the city's letter codes (``BU0363AC02``) from 2022, when the new
    division took effect (24 March 2022). Used only to break ties (``GM0363`` exists in both).
    """
    return "2015" if year <= 2021 else "2022"
