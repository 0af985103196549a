"""The canonical indicators of the data contract: one place for their names, labels and units.

Adapters map source columns onto these names; the indicator catalogue in the warehouse starts
from this table and adds every source-specific indicator the sources declare.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CANONICAL", "STOCKS", "catalogue_rows", "is_flow"]

# name, label (nl), label (en), unit, effort-dependent, description
_ROWS: list[tuple[str, str, str, str, bool, str]] = [
    ("population", "Inwoners", "Inhabitants", "count", False, "Inhabitants registered in the area."),
    (
        "registered.drug_trade",
        "Geregistreerde drugshandel",
        "Registered drug trade",
        "count",
        True,
        "Police-registered drug-trade offences (a haaldelict: rises and falls with police effort).",
    ),
    (
        "registered.drug_use",
        "Geregistreerd drugsgebruik/-bezit",
        "Registered drug use/possession",
        "count",
        True,
        "Police-registered drug use and possession (effort-dependent).",
    ),
    (
        "registered.drug_production",
        "Geregistreerde drugsproductie",
        "Registered drug production",
        "count",
        True,
        "Police-registered drug production (effort-dependent).",
    ),
    (
        "police.effort",
        "Politie-inzet",
        "Police effort",
        "index (city mean = 100)",
        False,
        "Enforcement effort (deployment hours, controls), where known.",
    ),
    (
        "reports.drug_nuisance",
        "Meldingen drugsoverlast",
        "Reports of drug nuisance",
        "count",
        False,
        "Citizen reports of drug dealing or nuisance.",
    ),
    (
        "tips.anonymous_drugs",
        "Anonieme tips drugs",
        "Anonymous drug tips",
        "count",
        False,
        "Anonymous tips about drugs (e.g. Meld Misdaad Anoniem).",
    ),
    (
        "survey.drug_nuisance_pct",
        "Ervaren drugsoverlast (%)",
        "Experienced drug nuisance (%)",
        "percent",
        False,
        "Share of survey respondents experiencing much drug nuisance.",
    ),
    ("survey.respondents", "Respondenten", "Respondents", "count", False, "Respondents behind a survey percentage."),
    (
        "ses.vulnerable_pct",
        "Kwetsbare bewoners (%)",
        "Vulnerable residents (%)",
        "percent",
        False,
        "Share of residents vulnerable on work, income, education and health.",
    ),
]

CANONICAL: tuple[str, ...] = tuple(r[0] for r in _ROWS)

#: Counts that describe a state at a moment (not events over time): never summed over periods.
STOCKS = frozenset(
    {
        "population",
        "survey.respondents",
        "cbs.men",
        "cbs.women",
        "cbs.households",
        "cbs.dwellings",
        "cbs.motorcycles",
        "cbs.dwellings_before_2000",
    }
)


def is_flow(indicator: str, unit: str | None) -> bool:
    """True for counts of events over time (summed over months into a year); False for stocks and
    for rates, percentages and indices (averaged)."""
    return str(unit or "").startswith("count") and indicator not in STOCKS


def catalogue_rows() -> pd.DataFrame:
    """The canonical indicators as rows of the indicator catalogue."""
    return pd.DataFrame(
        [
            {
                "indicator": n,
                "label_nl": nl,
                "label_en": en,
                "unit": u,
                "description": d,
                "source": None,
                "effort_dependent": e,
                "canonical": True,
            }
            for n, nl, en, u, e, d in _ROWS
        ]
    )
