"""The measurement model's inputs from the warehouse: each channel from a real source where one is loaded.

:func:`model_inputs` reads the indicators the measurement model (``analysis.measurement``) takes and
decides, per channel, what feeds it (docs/decisions/0027-measurement-model-inputs.md):

* **residents' reports**: real ``reports.drug_nuisance`` (the operational store, loaded by
  ``weerbaar ingest reports``); else the police's registered alcohol/drug nuisance incidents
  (CBS 47024NED, ``registered.nuisance.alcohol_drugs``: mostly residents' calls, alcohol included);
  else the synthetic stand-in (labelled synthetic).
* **registrations**: ``registered.*`` of the analysed division; a real one (CBS Drugshandel, which
  includes possession and production) drops synthetic stand-ins of the others, so no sum mixes both.
* **survey share**: a real ``survey.drug_nuisance_pct`` wherever it is published: the Veiligheidsmonitor
  areas (division ``vm``), the BBGA's 2015 gebieden, or the analysed areas themselves. Each analysed
  buurt belongs to the survey area that covers most of it (the area hierarchy within a division, the
  overlap crosswalk across divisions, docs/methods/crosswalk.md); the model aggregates buurt-level
  problem to the survey areas.
* **population and covariates**: real buurt figures of another division (CBS KWB 2021 on the 2015
  buurten) moved through the crosswalk when the analysed division only has synthetic ones.

When the reports channel is real, every synthetic stand-in is left out (the result is then real, and says
what it could not estimate: no police effort index means no effort flag). When it is synthetic, the
real channels are used where present and the rest is synthetic: the result is a labelled demonstration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..areas import apply_crosswalk
from ..contract import LEVELS
from ..warehouse import Warehouse
from .inputs import _ancestor_map, area_frame, area_frame_years, resolve_division

__all__ = ["FLAGS", "MODEL_INDICATORS", "NUISANCE", "ModelInputs", "model_inputs", "survey_areas"]

#: What the measurement model reads (canonical names); ``NUISANCE`` is read when loaded.
MODEL_INDICATORS = [
    "reports.drug_nuisance",
    "registered.drug_trade",
    "registered.drug_use",
    "registered.drug_production",
    "ses.vulnerable_pct",
    "survey.drug_nuisance_pct",
    "survey.respondents",
    "tips.anonymous_drugs",
    "police.effort",
    "population",
]
#: The values of the model's ``flag`` column (``compute zwijgwijken``): a zwijgwijk, an effort area, or none.
FLAGS = ("zwijgwijk", "effort", "")
#: CBS 47024NED, police-registered nuisance incidents related to alcohol and drugs (sources/cbs_police.py).
NUISANCE = "registered.nuisance.alcohol_drugs"
REGISTRATIONS = ("registered.drug_trade", "registered.drug_use", "registered.drug_production")
SURVEY = "survey.drug_nuisance_pct"
RESPONDENTS = "survey.respondents"
#: A buurt belongs to the survey area covering at least this share of it.
MIN_COVER = 0.5


@dataclass(frozen=True)
class ModelInputs:
    """The model's per-area frame, the survey at its own areas, and what fed each channel."""

    frame: pd.DataFrame  # index area code; the model's columns
    survey: pd.DataFrame | None  # index survey-area code: survey.drug_nuisance_pct (, survey.respondents)
    survey_area: pd.Series | None  # area code -> survey-area code
    channels: dict  # channel -> {"status": real|synthetic|absent, "indicators", "sources", "how"}
    not_estimated: list[dict]  # {"what", "why", "what_nl", "why_nl"}
    mode: str  # "real" (the reports channel is real) or "demonstration"
    period: str
    level: str
    division: str
    years: int
    meta: dict = field(default_factory=dict)  # the area frame's meta (inputs, notes)
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return any(c["status"] == "synthetic" for c in self.channels.values())

    @property
    def synthetic_indicators(self) -> list[str]:
        return sorted({i for c in self.channels.values() if c["status"] == "synthetic" for i in c["indicators"]})

    def record(self) -> dict:
        """What the stored result's parameters and the API say about the inputs."""
        return {"mode": self.mode, "channels": self.channels, "not_estimated": self.not_estimated}


def _known(wh: Warehouse, names: list[str]) -> list[str]:
    have = set(wh.query("SELECT indicator FROM indicators")["indicator"]) | set(
        wh.query("SELECT DISTINCT indicator FROM observations")["indicator"]
    )
    return [n for n in names if n in have]


def _status(meta: dict, ind: str) -> str:
    info = meta["indicators"].get(ind)
    if info is None:
        return "absent"
    return "synthetic" if "synthetic" in info.get("statuses", []) else "real"


def _sources(meta: dict, inds: Iterable[str]) -> list[str]:
    return sorted({s for i in inds for s in meta["indicators"].get(i, {}).get("sources", [])})


def model_inputs(
    wh: Warehouse,
    *,
    period: str | None = None,
    years: int = 1,
    level: str = "buurt",
    division: str | None = None,
) -> ModelInputs:
    """Read the measurement model's inputs, real channels first (see the module docstring)."""
    division = resolve_division(wh, division)
    wanted = _known(wh, MODEL_INDICATORS + [NUISANCE]) or MODEL_INDICATORS
    if years > 1:
        af = area_frame_years(wh, wanted, last=period, years=years, level=level, division=division)
    else:
        af = area_frame(wh, wanted, period=period, level=level, division=division)
    meta, frame = af.meta, af.frame.copy()
    notes: list[str] = []
    channels: dict[str, dict] = {}
    # -- residents' reports: the channel whose propensity is judged
    rep = _status(meta, "reports.drug_nuisance")
    if rep != "real" and _status(meta, NUISANCE) == "real":
        frame["reports.drug_nuisance"] = frame[NUISANCE]
        channels["reports"] = {
            "status": "real",
            "indicators": [NUISANCE],
            "sources": _sources(meta, [NUISANCE]),
            "how": "police-registered alcohol/drug nuisance incidents (CBS 47024NED) stand in for residents' "
            "reports: mostly residents' calls, alcohol included",
        }
        notes.append(
            "reports channel: no residents' reports from the operational store; the police's registered "
            "alcohol/drug nuisance (CBS 47024NED) is used instead"
        )
    else:
        channels["reports"] = _channel(meta, ["reports.drug_nuisance"])
    frame = frame.drop(columns=[NUISANCE], errors="ignore")
    mode = "real" if channels["reports"]["status"] == "real" else "demonstration"
    real_only = mode == "real"
    # -- registrations: never a sum of real and synthetic
    regs = [c for c in REGISTRATIONS if c in frame.columns]
    real_regs = [c for c in regs if _status(meta, c) == "real"]
    if real_regs or real_only:
        dropped = [c for c in regs if c not in real_regs]
        if dropped:
            frame = frame.drop(columns=dropped)
            notes.append(
                f"registrations: synthetic {', '.join(dropped)} left out"
                + (f" beside the real {', '.join(real_regs)}" if real_regs else "")
            )
        regs = real_regs
    channels["registrations"] = _channel(meta, regs) if regs else _absent("no registrations loaded")
    # -- population and vulnerability: real buurt figures of another division through the crosswalk
    last_year = int(str(af.period).split("..")[-1][:4])
    for ind, kind in (("population", "count"), ("ses.vulnerable_pct", "rate")):
        if _status(meta, ind) == "real":
            channels[ind] = _channel(meta, [ind])
            continue
        moved = _real_elsewhere(wh, ind, division, level, last_year, kind)
        if moved is not None:
            values, how, sources = moved
            frame[ind] = values.reindex(frame.index)
            gap = int(frame[ind].isna().sum())
            if gap:
                how += f"; {gap} buurten it does not reach have none (e.g. Weesp is not in the 2015 division)"
            channels[ind] = {"status": "real", "indicators": [ind], "sources": sources, "how": how}
            notes.append(f"{ind}: {how}")
        elif real_only and ind in frame.columns and ind != "population":
            frame = frame.drop(columns=[ind])
            channels[ind] = _absent("only a synthetic stand-in is loaded; left out of a fit on real data")
        else:
            channels[ind] = _channel(meta, [ind])
    # -- tips and the effort index: no real source in the default
    for ind, name in (("tips.anonymous_drugs", "tips"), ("police.effort", "effort")):
        st = _status(meta, ind)
        if st == "synthetic" and real_only:
            frame = frame.drop(columns=[ind])
            channels[name] = _absent("only a synthetic stand-in is loaded; left out of a fit on real data")
        else:
            channels[name] = _channel(meta, [ind]) if st != "absent" else _absent("not loaded")
    # -- the survey: real at its own areas where published
    survey, survey_area = None, None
    found = _real_survey(wh, division, level, af.period, frame.index)
    if isinstance(found, list):  # real survey shares that no buurt can be assigned to
        notes.extend(f"survey: {u}" for u in found)
        found = None
    if found is not None:
        survey, survey_area, how, sources = found
        frame = frame.drop(columns=[SURVEY, RESPONDENTS], errors="ignore")
        channels["survey"] = {"status": "real", "indicators": [SURVEY], "sources": sources, "how": how}
        notes.append(f"survey: {how}")
    elif _status(meta, SURVEY) == "synthetic" and real_only:
        frame = frame.drop(columns=[SURVEY, RESPONDENTS], errors="ignore")
        channels["survey"] = _absent("only a synthetic stand-in is loaded; left out of a fit on real data")
    elif _status(meta, SURVEY) == "absent":
        channels["survey"] = _absent("no survey share (Veiligheidsmonitor) loaded for these years")
    else:
        channels["survey"] = _channel(meta, [SURVEY, RESPONDENTS])
    return ModelInputs(
        frame=frame,
        survey=survey,
        survey_area=survey_area,
        channels=channels,
        not_estimated=_not_estimated(channels),
        mode=mode,
        period=af.period,
        level=af.level,
        division=af.division,
        years=int(meta.get("years", 1)),
        meta=meta,
        notes=notes,
    )


def _channel(meta: dict, inds: list[str]) -> dict:
    present = [i for i in inds if i in meta["indicators"]]
    if not present:
        return _absent("not loaded for this period and division")
    status = "synthetic" if any(_status(meta, i) == "synthetic" for i in present) else "real"
    return {"status": status, "indicators": present, "sources": _sources(meta, present), "how": "as loaded"}


def _absent(why: str) -> dict:
    return {"status": "absent", "indicators": [], "sources": [], "how": why}


def _not_estimated(ch: dict) -> list[dict]:
    """What the model cannot estimate from these channels, and why (English and Dutch)."""
    out: list[dict] = []

    def add(what: str, why: str, what_nl: str, why_nl: str) -> None:
        out.append({"what": what, "why": why, "what_nl": what_nl, "why_nl": why_nl})

    if ch["effort"]["status"] == "absent":
        add(
            "effort flag",
            "no police effort index (police.effort) is loaded: registrations per unit of problem cannot be told "
            "apart from the registrations' own noise, so no area is flagged as effort-driven",
            "inzet-signaal",
            "er is geen index van politie-inzet (police.effort): registraties per eenheid probleem zijn niet te "
            "onderscheiden van toeval in de registraties, dus geen buurt krijgt een inzet-signaal",
        )
    if ch["registrations"]["status"] == "absent":
        add(
            "registrations' view of the problem",
            "no police registrations are loaded (weerbaar ingest cbs-police)",
            "registraties als maat voor het probleem",
            "er zijn geen politieregistraties geladen (weerbaar ingest cbs-police)",
        )
    if ch["survey"]["status"] == "absent":
        add(
            "survey's view of the problem",
            "no Veiligheidsmonitor drug-nuisance share is loaded for these years",
            "enquête als maat voor het probleem",
            "er is voor deze jaren geen aandeel drugsoverlast uit de Veiligheidsmonitor geladen",
        )
    if ch["tips"]["status"] == "absent":
        add(
            "anonymous tips' view of the problem",
            "no anonymous tips (Meld Misdaad Anoniem) are loaded",
            "anonieme tips als maat voor het probleem",
            "er zijn geen anonieme tips (Meld Misdaad Anoniem) geladen",
        )
    if ch["ses.vulnerable_pct"]["status"] == "absent":
        add(
            "effect of vulnerability on reporting",
            "no share of vulnerable residents (ses.vulnerable_pct) is loaded: whether vulnerable buurten report "
            "less cannot be estimated",
            "effect van kwetsbaarheid op melden",
            "er is geen aandeel kwetsbare bewoners (ses.vulnerable_pct) geladen: of kwetsbare buurten minder melden "
            "is niet te schatten",
        )
    return out


def _real_elsewhere(
    wh: Warehouse, ind: str, division: str, level: str, year: int, kind: str
) -> tuple[pd.Series, str, list[str]] | None:
    """Real buurt values of ``ind`` in another division (latest year <= ``year``), moved onto ``division``."""
    if level != "buurt":
        return None
    rows = wh.query(
        "SELECT o.division, o.area_code, o.period, o.value, o.source FROM observations o JOIN areas a "
        "ON a.division = o.division AND a.code = o.area_code WHERE o.indicator = ? AND o.division <> ? "
        "AND a.level = 'buurt' AND o.status <> 'synthetic' AND length(o.period) = 4 AND o.value IS NOT NULL",
        [ind, division],
    )
    for other, sub in rows.groupby("division"):
        cw = wh.query("SELECT * FROM crosswalk WHERE from_division = ? AND to_division = ?", [str(other), division])
        if cw.empty:
            continue
        years = sorted({int(p) for p in sub["period"]})
        pick = max([y for y in years if y <= year] or [min(years)])
        one = sub[sub["period"] == str(pick)]
        moved = apply_crosswalk(one.set_index("area_code")["value"], cw, kind=kind)
        how = (
            f"real {ind} of {pick} on the {other} buurten, moved onto the {division} buurten by the overlap "
            f"crosswalk ({'split by area share' if kind == 'count' else 'area-weighted mean'})"
        )
        return moved, how, sorted(set(one["source"]))
    return None


def survey_areas(
    wh: Warehouse, codes: Iterable[str], division: str, survey_division: str, survey_level: str
) -> pd.Series:
    """For each analysed buurt of ``division``, the survey area (``survey_division``, ``survey_level``) covering
    most of it (at least ``MIN_COVER``); NaN where none does. Same division: the area hierarchy."""
    codes = pd.Index(codes)
    if survey_division == division:
        areas = wh.areas(division=division, geometry=False)
        level_of = areas.set_index("code")["level"]
        child_levels = {level_of.get(c) for c in codes}
        out = pd.Series(np.nan, index=codes, dtype=object)
        for lv in child_levels:
            if lv is None or LEVELS.index(lv) <= LEVELS.index(survey_level):
                continue
            anc = _ancestor_map(areas, lv, survey_level)
            for c in codes[[level_of.get(c) == lv for c in codes]]:
                out[c] = anc.get(c, np.nan)
        return out
    # across divisions: the crosswalk at buurt level, then (if needed) up the survey division's hierarchy
    direct = wh.query(
        "SELECT from_code, to_code, to_share FROM crosswalk WHERE from_division = ? AND to_division = ?",
        [survey_division, division],
    )
    s_areas = wh.areas(division=survey_division, geometry=False)
    s_level = s_areas.set_index("code")["level"]
    direct = direct[direct["from_code"].map(s_level).eq(survey_level)]
    if len(direct):
        best = direct.sort_values("to_share", ascending=False).drop_duplicates("to_code").set_index("to_code")
        best = best[best["to_share"] >= MIN_COVER]
        return best["from_code"].reindex(codes)
    # no crosswalk at that level (the 2015 gebieden are not in the buurten's hierarchy): the survey area that
    # holds each buurt's representative point (a point inside it), by the geometry in RD New
    mine = wh.areas(division=division, geometry=True)
    mine = mine[mine["code"].isin(codes)]
    theirs = wh.areas(division=survey_division, level=survey_level, geometry=True)
    if mine.empty or theirs.empty or mine.geometry.isna().all() or theirs.geometry.isna().all():
        return pd.Series(np.nan, index=codes, dtype=object)
    points = mine.set_geometry(mine.geometry.representative_point())[["code", "geometry"]]
    joined = points.sjoin(theirs[["code", "geometry"]].rename(columns={"code": "survey_code"}), predicate="within")
    return joined.drop_duplicates("code").set_index("code")["survey_code"].reindex(codes)


def _real_survey(
    wh: Warehouse, division: str, level: str, period: str, codes: pd.Index
) -> tuple[pd.DataFrame, pd.Series, str, list[str]] | list[str] | None:
    """The real survey share for the analysed years at the finest published areas: (survey, survey_area, how,
    sources), or None. Preference: the analysed division, then the Veiligheidsmonitor areas, then any other."""
    first, last = str(period).split("..")[0][:4], str(period).split("..")[-1][:4]
    rows = wh.query(
        "SELECT o.division, a.level, o.area_code, o.indicator, o.value, o.source FROM observations o JOIN areas a "
        "ON a.division = o.division AND a.code = o.area_code WHERE o.indicator IN (?, ?) "
        "AND o.status <> 'synthetic' AND o.value IS NOT NULL AND substr(o.period, 1, 4) BETWEEN ? AND ? "
        "AND a.level NOT IN ('stad', 'stadsdeel')",
        [SURVEY, RESPONDENTS, first, last],
    )
    shares = rows[rows["indicator"] == SURVEY]
    if shares.empty:
        return None
    options = shares.groupby(["division", "level"])["area_code"].nunique().reset_index()
    options["rank"] = [
        (0 if d == division else 1 if d == "vm" else 2, -LEVELS.index(lv))
        for d, lv in zip(options["division"], options["level"], strict=True)
    ]
    unplaced = []
    for _, opt in options.sort_values("rank").iterrows():
        d, lv = str(opt["division"]), str(opt["level"])
        if d == division and LEVELS.index(lv) >= LEVELS.index(level):
            continue  # at or below the analysed level of the same division: area_frame already reads it
        sa = survey_areas(wh, codes, division, d, lv)
        if sa.notna().sum() == 0:
            src = ", ".join(sorted(set(shares.loc[(shares["division"] == d) & (shares["level"] == lv), "source"])))
            unplaced.append(
                f"a real survey share on the {lv} areas of division {d} ({src}) could not be used: no buurt can be "
                "assigned to those areas (no crosswalk, no hierarchy and no boundaries)"
            )
            continue
        sub = rows[(rows["division"] == d) & (rows["level"] == lv)]
        table = sub.groupby(["area_code", "indicator"])["value"].mean().unstack("indicator")
        table = table.reindex(columns=[c for c in (SURVEY, RESPONDENTS) if c in table.columns])
        used = sorted(set(sa.dropna()) & set(table.index))
        if len(used) < 3:
            continue
        yrs = sorted(
            set(
                wh.query(
                    "SELECT DISTINCT substr(period, 1, 4) AS y FROM observations WHERE indicator = ? AND division = ? "
                    "AND status <> 'synthetic' AND substr(period, 1, 4) BETWEEN ? AND ?",
                    [SURVEY, d, first, last],
                )["y"]
            )
        )
        how = (
            f"real survey share on {len(used)} {lv} areas of division {d} ({', '.join(yrs)}, averaged), "
            f"{int(sa.notna().sum())} of {len(codes)} buurten assigned to the survey area covering most of them"
            + ("" if RESPONDENTS in table.columns else "; respondents unknown (the model assumes 100 per area)")
        )
        return table.loc[used], sa, how, sorted(set(sub["source"]))
    return unplaced or None
