"""The canonical indicators of the data contract: one place for their names, labels and units.

Adapters map source columns onto these names; the indicator catalogue in the warehouse starts
from this table and adds every source-specific indicator the sources declare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "CANONICAL",
    "DISCLOSURE_KINDS",
    "MIN_BASE",
    "OPEN_SUBMISSION_SOURCES",
    "STOCKS",
    "DisclosurePolicy",
    "catalogue_rows",
    "disclosure_policy",
    "is_flow",
]

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


# -- disclosure policy (docs/decisions/0013-disclosure-policy-per-indicator.md) -----------------------------

#: The four kinds of public figure and the rule ``weerbaar.disclosure`` applies to each.
DISCLOSURE_KINDS: dict[str, str] = {
    "published-by-source": "passed through as the source publishes it, with the source's own secrecy markers",
    "about-persons": "threshold, secondary suppression with protection intervals, release ledger",
    "share-with-base": "withheld below a minimum base (respondents, inhabitants), the base shown beside it",
    "model-output": "public only as categories, flags and measures that do not reveal a protected input",
}

#: Minimum base of a percentage or mean, per base indicator (sources in decision 0031). OIS Amsterdam's BBGA
#: metadata: survey percentages only "over gebieden met minstens 50 respondenten". CBS Kerncijfers wijken en
#: buurten: no written rule found; the 2021 figures show no percentage for buurten of 50 inhabitants or fewer.
#: Households: no written rule found (not used as a base at present).
MIN_BASE: dict[str, int] = {"population": 50, "survey.respondents": 50, "cbs.households": 20}

#: Sources whose counts are built from open, anonymous submissions: anyone can add to them, so the
#: published counts are rounded (an attacker who adds k reports must not learn the others' count exactly).
OPEN_SUBMISSION_SOURCES = frozenset({"operational-reports", "signalen"})

_ABOUT_PERSONS = re.compile(r"^(reports|tips|victims|suspects)\.|\.(suspects|victims)(\.|$)")
_SURVEY_SHARE = re.compile(r"^survey\..*_pct$")


@dataclass(frozen=True)
class DisclosurePolicy:
    """How one indicator is disclosure-controlled in public views."""

    kind: str  # one of DISCLOSURE_KINDS
    base: str | None = None  # share-with-base: the indicator of its base
    min_base: int | None = None  # share-with-base: withheld below this base
    open_submissions: bool = False  # about-persons from open anonymous submissions: published values rounded

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "base": self.base,
            "min_base": self.min_base,
            "open_submissions": self.open_submissions,
        }


def disclosure_policy(indicator: str, unit: str | None, sources: list[str] | tuple[str, ...] = ()) -> DisclosurePolicy:
    """The disclosure policy of an indicator, from its name, unit and sources.

    * counts about persons or from residents (``reports.*``, ``tips.*``, suspects, victims, anything
      from the operational store): ``about-persons``;
    * percentages: ``share-with-base`` with ``survey.respondents`` as base for survey shares and the
      population otherwise;
    * everything else (police/CBS offence counts, BBGA, EUDA, CBS KWB, indices): ``published-by-source``.

    Model outputs are stored results, not indicators: their public measures are listed in
    ``weerbaar.public.RESULT_KINDS`` (kind ``model-output``).
    """
    unit = str(unit or "")
    srcs = {str(s) for s in sources}
    if is_flow(indicator, unit) and (_ABOUT_PERSONS.search(indicator) or "operational-reports" in srcs):
        open_sub = indicator.startswith(("reports.", "tips.")) or bool(srcs & OPEN_SUBMISSION_SOURCES)
        return DisclosurePolicy("about-persons", open_submissions=open_sub)
    if unit.startswith("percent") or indicator.endswith("_pct"):
        base = "survey.respondents" if _SURVEY_SHARE.match(indicator) else "population"
        return DisclosurePolicy("share-with-base", base=base, min_base=MIN_BASE[base])
    return DisclosurePolicy("published-by-source")
