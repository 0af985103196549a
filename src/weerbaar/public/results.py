"""The read model's stored results: the public result kinds and measures, with counts in them (and measures
computed from a withheld count) withheld."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.inputs import period_months
from ..contract import period_kind
from ..errors import NotFoundError
from .base import ReadModelBase

#: The stored result kinds the public may see, with the measures they may see.
#: ``counts``: measures that are counts of events (withheld like any count), ``derived``: measures
#: computed from those counts (withheld with them). Everything not listed is not public.
RESULT_KINDS: dict[str, dict[str, Any]] = {
    "vulnerability": {
        "measures": [
            "name",
            "stadsdeel",
            "composite",
            "rank",
            "median_rank",
            "rank_low",
            "rank_high",
            "ranked",
            "not_ranked_reason",
            "imputed",
            "problem_source",  # inventory: posterior problem of the measurement model, or the indicators
        ],
        "prefixes": ["domain.", "contribution.", "value.", "rank_", "share_"],
        "category": None,
    },
    "zwijgwijken": {
        "measures": [
            "name",
            "observed",
            "expected",
            "ratio",
            "ratio_low",
            "ratio_high",
            "p_under",
            "q_under",
            "p_silent",
            "p_effort",
            "flag",
            "candidate",
            "effort_driven",
            "tested",
            "not_tested",
            "problem_level",
            "problem_percentile",
            "effort_ratio",
            "reason_nl",
            "reason_en",
        ],
        "prefixes": [],
        "category": "flag",
        # measures computed from the observed reports count (withheld when it is); the model's posterior
        # probabilities stay public, to the percent (decision 0027)
        "derived": ["observed", "ratio", "ratio_low", "ratio_high"],
        "rounded": ["p_under", "q_under", "p_silent", "p_effort"],
        "count_indicators": ["reports.drug_nuisance"],
        # the reason texts quote report and registration totals: replaced by a generic text unless all are public
        "texts": ["reason_nl", "reason_en"],
        "text_indicators": [
            "reports.drug_nuisance",
            "registered.drug_trade",
            "registered.drug_use",
            "registered.drug_production",
        ],
    },
    "hotspots.gi": {
        # z-scores and statistics are never public for counts: with known weights a full set inverts to the counts
        "measures": ["category", "p", "p_fdr", "p_sim", "n_neighbours", "reason"],
        "prefixes": [],
        "category": "category",
    },
    "hotspots.lisa": {
        "measures": ["category", "p", "p_fdr", "p_sim", "n_neighbours", "reason"],
        "prefixes": [],
        "category": "category",
    },
    "emerging": {
        "measures": [
            "category",
            "trend_tau",
            "trend_p",
            "n_slices",
            "n_hot",
            "n_cold",
            "share_hot",
            "share_cold",
            "last_slice",
            "last_status",
            "reason",
        ],
        "prefixes": [],
        "category": "category",
    },
}


@dataclass(frozen=True)
class ResultView:
    run: dict  # run_id, kind, division, period, level, synthetic, parameters (public subset)
    frame: pd.DataFrame  # index area_code, public measures only


class ResultsPart(ReadModelBase):
    """Stored results: ``runs``, ``latest_run``, ``result`` and the protection behind them."""

    def runs(self, division: str | None = None) -> pd.DataFrame:
        """Stored results with their public parameters (newest first)."""

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                runs = wh.query(
                    "SELECT r.run_id, r.kind, r.parameters, r.snapshot, r.software_version, r.finished_at, "
                    "r.synthetic, any_value(s.division) AS division, any_value(s.period) AS period, "
                    "any_value(s.level) AS level, count(DISTINCT s.area_code) AS areas FROM runs r "
                    "JOIN results s USING (run_id) WHERE r.status = 'ok' GROUP BY ALL ORDER BY r.finished_at DESC"
                )
                stale = wh.stale_runs()  # results whose sources changed since (weerbaar compute standard)
            runs = runs[runs["kind"].isin(RESULT_KINDS)].copy()
            runs["stale"] = [stale.get(r, "") for r in runs["run_id"]]
            # newest first, but a result computed for a council report of an earlier period (weerbaar report
            # --period 2019-H2, tagged for_report) after the others: the dashboard stays as it was
            tagged = [bool(json.loads(p or "{}").get("for_report")) for p in runs["parameters"]]
            runs = runs.assign(_report=tagged).sort_values("_report", kind="stable").drop(columns="_report")
            params = [json.loads(p or "{}") for p in runs["parameters"]]
            runs["indicator"] = [p.get("indicator") for p in params]
            runs["parameters"] = [
                {k: v for k, v in p.items() if k not in ("notes", "sensitivity", "model", "inputs", "weights")}
                for p in params
            ]
            runs = runs.reset_index(drop=True)
            runs["indicator"] = pd.Series(
                [i if isinstance(i, str) else None for i in runs["indicator"]], index=runs.index, dtype=object
            )
            return runs

        runs = self.cached(("runs",), make)
        if division:
            runs = runs[runs["division"] == division]
        return runs

    def latest_run(
        self, kind: str, *, division: str | None = None, indicator: str | None = None, trend_test: str | None = None
    ) -> dict:
        """The newest run of a kind (of an indicator; of emerging hot spots with a trend test: mk, hamed-rao or
        seasonal, runs stored without one used mk)."""
        if kind == "inventory":
            kind = "vulnerability"
        if kind == "hotspots":
            kind = "hotspots.gi"
        if kind not in RESULT_KINDS:
            raise NotFoundError(
                "Unknown result kind.",
                received=repr(kind),
                expected=", ".join(["inventory", "zwijgwijken", "hotspots", "emerging"]),
                fix="choose one of the public result kinds",
            )
        division = self.division(division)
        runs = self.runs(division)
        runs = runs[runs["kind"] == kind]
        if indicator:
            runs = runs[runs["indicator"] == indicator]
        if trend_test:
            runs = runs[np.array([p.get("trend_test", "mk") == trend_test for p in runs["parameters"]], dtype=bool)]
        if runs.empty:
            raise NotFoundError(
                "No stored result of this kind yet.",
                received=f"{kind}"
                + (f" of {indicator}" if indicator else "")
                + (f" with trend test {trend_test}" if trend_test else "")
                + f" in division {division}",
                expected="a result computed by `weerbaar compute` or `weerbaar serve` (it computes the standard set)",
                fix=f"run `weerbaar compute {kind.split('.')[0]}`",
            )
        return runs.iloc[0].to_dict()

    def result(self, run_id: str) -> ResultView:
        """A stored result with only its public measures, disclosure control applied."""

        def make() -> ResultView:
            runs = self.runs()
            row = runs[runs["run_id"] == run_id]
            if row.empty:
                raise NotFoundError(
                    "No public result with that run id.",
                    received=repr(run_id),
                    expected="a run id listed by /api/v1/results",
                    fix="list the stored results first",
                )
            run = row.iloc[0].to_dict()
            rules = RESULT_KINDS[run["kind"]]
            with self._wh() as wh:
                wide = wh.result(run_id)
            keep = [
                c for c in wide.columns if c in rules["measures"] or any(c.startswith(p) for p in rules["prefixes"])
            ]
            frame = wide[keep].copy()
            for c in frame.columns:
                texts = set(frame[c].dropna().astype(str).unique())
                if texts and texts <= {"True", "False"}:
                    frame[c] = frame[c].map({"True": True, "False": False, True: True, False: False})
                    continue
                if c not in (
                    "name",
                    "stadsdeel",
                    "not_ranked_reason",
                    "category",
                    "flag",
                    "reason",
                    "reason_nl",
                    "reason_en",
                    "last_slice",
                    "last_status",
                    "problem_level",
                ):
                    converted = pd.to_numeric(frame[c], errors="coerce")
                    if converted.notna().sum() >= frame[c].notna().sum():
                        frame[c] = converted
            frame = self._protect_result(run, frame)
            for c in [c for c in rules.get("rounded", []) if c in frame.columns]:
                frame[c] = pd.to_numeric(frame[c], errors="coerce").round(2)
            order = [c for c in rules["measures"] if c in frame.columns]
            order += [c for c in frame.columns if c not in order]
            frame.index.name = "area_code"
            return ResultView(run=_public_run(run), frame=frame[order])

        return self.cached(("result", run_id), make)

    def _protect_result(self, run: dict, frame: pd.DataFrame) -> pd.DataFrame:
        """Withhold counts in a result, and the measures computed from them."""
        division, level, period = run["division"], run["level"], str(run["period"] or "")
        years = _cells_of(period)
        cat = self.catalogue()
        flows = set(cat.loc[(cat["division"] == division) & cat["flow"], "indicator"])
        # raw count values in the inventory: the cube's published value for the same area and period
        for col in [c for c in frame.columns if c.startswith("value.") and c[6:] in flows]:
            status = self._status_over(division, col[6:], level, years, frame.index)
            frame.loc[~status, col] = np.nan
        rules = RESULT_KINDS[run["kind"]]
        counted = [i for i in rules.get("count_indicators", []) if i in flows]
        if rules.get("count_indicators") and not counted:
            # without reports the analysis counts registrations: those are then the counts behind 'observed'
            counted = [i for i in rules.get("text_indicators", []) if i in flows]
        for ind in counted:
            ok = self._status_over(division, ind, level, years, frame.index)
            for col in rules.get("derived", []):
                if col in frame.columns:
                    frame.loc[~ok, col] = np.nan
        if rules.get("texts"):
            ok = pd.Series(True, index=frame.index)
            for ind in rules["text_indicators"]:
                if ind in flows:
                    ok &= self._status_over(division, ind, level, years, frame.index)
            flags = frame["flag"].fillna("").astype(str) if "flag" in frame.columns else pd.Series("", frame.index)
            if "tested" in frame.columns:
                flags = flags.where(frame["tested"].fillna(False).astype(bool) | (flags != ""), "not tested")
            for col in rules["texts"]:
                if col in frame.columns:
                    lang = col.rsplit("_", 1)[1]
                    generic = flags.map(lambda f, lang=lang: WITHHELD_REASONS[lang].get(f, WITHHELD_REASONS[lang][""]))
                    frame[col] = frame[col].where(ok, generic)
        return frame

    def _status_over(self, division: str, indicator: str, level: str, cells: tuple[str, list[str]], codes) -> pd.Series:
        """True for areas whose count is published in every period of ``cells`` (kind, periods): a multi-year
        total is public only when each year is, or the total minus the other years would give one away."""
        kind, periods = cells
        t = self.table(division, indicator, level, kind)
        t = t[t["period"].isin(periods)]
        years = periods
        # exact figures only: in rounding mode a multi-year sum or a ratio would give the exact count away
        ok = t.assign(ok=t["status"] == "published").groupby("area_code")["ok"].all()
        n = t.groupby("area_code")["period"].nunique()
        ok = ok & (n == len(years))
        return ok.reindex(pd.Index(codes)).fillna(False).astype(bool)


#: Public reason texts of the zwijgwijk result where the counts it would quote are withheld.
#: Why a result's counts are withheld: a multi-year total is shown only when every year of it is published,
#: so a total of 19-58 is withheld when one year in it is small (the total minus the other years gives it away).
_WHY_NL = (
    "De aantallen zijn afgeschermd: in minstens één jaar of periode van de analyse is het aantal hier niet "
    "gepubliceerd (te klein), en uit het totaal zou het terug te rekenen zijn."
)
_WHY_EN = (
    "The counts are withheld: in at least one year or period of the analysis the count here is not published "
    "(too small), and the total would give it away."
)
WITHHELD_REASONS = {
    "nl": {
        "zwijgwijk": "Bewoners melden hier waarschijnlijk veel minder dan elders in de stad bij hetzelfde "
        "drugsprobleem (meetmodel, Bayesiaanse FDR; de kans staat bij de buurt). " + _WHY_NL,
        "effort": "Meer registraties per eenheid drugsprobleem dan in de rest van de stad: mogelijk "
        "inzet-gedreven (meetmodel, Bayesiaanse FDR). " + _WHY_NL,
        "": "Geen signaal. " + _WHY_NL,
        "not tested": "Niet getoetst (te weinig inwoners of gegevens). De aantallen zijn afgeschermd.",
    },
    "en": {
        "zwijgwijk": "Residents here probably report much less than elsewhere in the city for the same drug "
        "problem (measurement model, Bayesian FDR; the probability is given with the area). " + _WHY_EN,
        "effort": "More registrations per unit of drug problem than in the rest of the city: possibly "
        "effort-driven (measurement model, Bayesian FDR). " + _WHY_EN,
        "": "No signal. " + _WHY_EN,
        "not tested": "Not tested (too few inhabitants or data). The counts are withheld.",
    },
}


def _cells_of(period: str) -> tuple[str, list[str]]:
    """The cube cells a result's counts are made of: one period ('2024', '2024-Q3') or the years of a range."""
    if period and ".." not in period:
        try:
            return period_kind(period), [period]
        except Exception:  # noqa: BLE001
            return "year", []
    return "year", _years_of(period)


def _years_of(period: str) -> list[str]:
    """Years covered by a result period: '2024', '2015..2024' or '2015-Q1..2024-Q4'."""
    if not period:
        return []
    first, _, last = period.partition("..")
    last = last or first
    try:
        y0, y1 = period_months(first)[0] // 12, period_months(last)[1] // 12
    except Exception:  # noqa: BLE001
        return []
    return [str(y) for y in range(y0, y1 + 1)]


def _public_run(run: dict) -> dict:
    out = {
        k: run[k]
        for k in ("run_id", "kind", "division", "period", "level", "indicator", "snapshot", "software_version", "areas")
    }
    out["synthetic"] = bool(run["synthetic"])
    out["finished_at"] = run["finished_at"].isoformat(timespec="seconds") if run["finished_at"] is not None else None
    out["parameters"] = run["parameters"]
    out["areas"] = int(out["areas"])
    out["stale"] = run.get("stale") or None  # why the result no longer matches its sources, else None
    return out
