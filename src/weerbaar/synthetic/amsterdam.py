"""Synthetic demonstration layers for the embedded Amsterdam default, calibrated to real figures.

No public data exists per buurt per month for police drug registrations, citizen reports,
anonymous tips, survey drug nuisance or resident vulnerability. The generator fills these on
the 2022 buurten, calibrated to what is real:

* population: CBS KWB 2021 inhabitants of the 2015 buurten, moved onto the 2022 buurten with the
  overlap crosswalk (Weesp, not in the 2015 division, gets a synthetic population);
* where drug markets are: the OIS Veiligheidsindex sub-index *overlast* per Veiligheidsmonitor
  area (2018), moved onto the 2022 buurten, is the prior of the latent intensity;
* how many drug-trade registrations: the city's yearly Drugshandel offences with a known suspect
  (OIS, 2015-2019) fix the expected yearly city total of ``registered.drug_trade``.

Every row is labelled ``synthetic``. See docs/decisions/0004-synthetic-default-layers.md.
"""

from __future__ import annotations

import pandas as pd

from ..areas import apply_crosswalk
from ..sources.base import SourceData
from ..warehouse import Warehouse
from .generator import Calibration, generate

__all__ = ["default_layers", "calibration_from_warehouse", "DEFAULT_START", "DEFAULT_MONTHS"]

DEFAULT_START = "2015-01"
DEFAULT_MONTHS = 120
PRIOR_INDICATOR = "safety.overlast"
PRIOR_PERIOD = "2018"
DRUGSHANDEL = ("ois.offences_with_suspect.drugshandel.age_12_24", "ois.offences_with_suspect.drugshandel.age_25plus")


def calibration_from_warehouse(wh: Warehouse) -> tuple[Calibration, dict]:
    """Collect the real calibration targets from a warehouse holding the real sources."""
    notes: dict[str, object] = {}
    population = None
    pop = wh.query(
        "SELECT area_code, value FROM observations WHERE indicator = 'population' AND division = '2015' "
        "AND period = '2021' AND status = 'final' AND source = 'cbs-kwb-2021'"
    )
    cw = wh.query("SELECT * FROM crosswalk WHERE from_division = '2015' AND to_division = '2022'")
    if len(pop) and len(cw):
        population = apply_crosswalk(pop.set_index("area_code")["value"], cw, kind="count").round()
        notes["population"] = f"CBS KWB 2021 via the 2015->2022 crosswalk ({len(population)} buurten)"
    prior = None
    over = wh.query(
        "SELECT area_code, value FROM observations WHERE indicator = ? AND division = 'vm' AND period = ?",
        [PRIOR_INDICATOR, PRIOR_PERIOD],
    )
    cw_vm = wh.query("SELECT * FROM crosswalk WHERE from_division = 'vm' AND to_division = '2022'")
    if len(over) and len(cw_vm):
        cw_vm = cw_vm[cw_vm["from_code"] != "STAD"]
        prior = apply_crosswalk(over.set_index("area_code")["value"], cw_vm, kind="rate").dropna()
        notes["latent_prior"] = f"{PRIOR_INDICATOR} {PRIOR_PERIOD} per Veiligheidsmonitor area ({len(prior)} buurten)"
    totals = wh.query(
        "SELECT period, sum(value) AS value FROM observations WHERE area_code = 'STAD' AND division = '2015' "
        f"AND indicator IN ({', '.join('?' for _ in DRUGSHANDEL)}) GROUP BY period",
        list(DRUGSHANDEL),
    )
    annual = {}
    if len(totals):
        annual["registered.drug_trade"] = {
            int(p): float(v) for p, v in zip(totals["period"], totals["value"], strict=True)
        }
        notes["annual_totals"] = "Drugshandel offences with a known suspect, all ages (OIS 2015-2019)"
    return Calibration(population=population, latent_prior=prior, annual_totals=annual or None), notes


def default_layers(wh: Warehouse, *, seed: int) -> tuple[SourceData, dict]:
    """Generate the synthetic layers of the default on the 2022 buurten of ``wh``."""
    buurten = wh.areas(division="2022", level="buurt")  # geometry=True: a GeoDataFrame
    calibration, notes = calibration_from_warehouse(wh)
    scenario = generate(buurten, seed=seed, start=DEFAULT_START, months=DEFAULT_MONTHS, calibration=calibration)
    data = SourceData(
        observations=scenario.observations,
        events=scenario.events,
        synthetic_truth=_truth_long(scenario.truth),
        notes=[
            "SYNTHETIC demonstration data: not real figures for real neighbourhoods.",
            *[f"calibrated {k}: {v}" for k, v in notes.items()],
        ],
    )
    meta = {"period": f"{DEFAULT_START} .. {scenario.observations['period'].max()}", "calibration": notes}
    return data, meta


def _truth_long(truth: pd.DataFrame) -> pd.DataFrame:
    """The planted truth per area in long form: numbers in ``value``, categories in ``label``."""
    code = "code" if "code" in truth.columns else "area_code"
    frames = []
    for col in truth.columns:
        if col in (code, "division"):
            continue
        s = truth[col]
        numeric = pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        frames.append(
            pd.DataFrame(
                {
                    "division": "2022",
                    "area_code": truth[code].to_numpy(),
                    "attribute": col,
                    "value": s.astype("float64").to_numpy() if numeric else None,
                    "label": None if numeric else s.astype("string").to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
