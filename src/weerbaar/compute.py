"""The ``compute`` verbs: read the warehouse, run an analysis, store the result with a run id.

Analyses themselves are pure functions in ``weerbaar.analysis``; this module only fetches their
inputs (``analysis.inputs.area_frame``), records what was used, missing and synthetic, and stores
the result frame. Every output frame carries a ``synthetic`` column that is true when any input
was synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import settings
from .analysis.channels import MODEL_INDICATORS, NUISANCE, model_inputs
from .analysis.composite import CompositeConfig, composite_index
from .analysis.inputs import area_frame, area_groups
from .analysis.measurement import DEFAULT_FDR
from .analysis.uncertainty import rank_uncertainty
from .pipeline import warehouse_path
from .warehouse import Warehouse

__all__ = ["ComputeOutcome", "compute_vulnerability"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class ComputeOutcome:
    run_id: str
    frame: pd.DataFrame  # the output table (index area code)
    summary: dict
    notes: list[str]
    synthetic: bool
    details: object = None  # the analysis result object (e.g. CompositeResult) for explanations
    groups: pd.Series | None = None  # area -> stadsdeel


def _nearest_year(years: list[str], y: str) -> str:
    """The year in ``years`` closest to ``y`` (the earlier one on a tie)."""
    return min(years, key=lambda v: (abs(int(v) - int(y)), v))


def _open(home: Path | None) -> Warehouse:
    return Warehouse.open(warehouse_path(home))


def compute_vulnerability(
    *,
    config: CompositeConfig | None = None,
    period: str | None = None,
    level: str = "buurt",
    division: str | None = None,
    draws: int = 1000,
    seed: int | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
    problem: str = "auto",
    posterior_draws: int = 200,
    sobol_n: int = 256,
) -> ComputeOutcome:
    """The vulnerability inventory: composite index, rank intervals and sensitivity, stored with a run id.

    ``problem``: "auto" (default) takes the problem domain from the measurement model's posterior problem
    when a fit is possible for the division and period, else from the indicators (decision 0006), and says
    which; "model" requires the fit; "indicators" never fits. A ``config`` is used as given (the model only
    when it lists ``model.problem``)."""
    from .analysis.composite_checks import composite_checks
    from .analysis.inventory import MODEL_INPUTS, PROBLEM, estimate_problem, model_config
    from .errors import InputError

    if problem not in ("auto", "model", "indicators"):
        raise InputError(
            "Unknown problem source.",
            received=repr(problem),
            expected="auto, model or indicators",
            fix="use --problem auto (the model where it can be fitted), model or indicators",
        )
    fallback = config or CompositeConfig.default().replace(min_population=float(settings.get("min_population")))
    listed = any(s.name == PROBLEM for s in fallback.indicators)
    use_model = listed or (config is None and problem != "indicators")
    if listed and problem == "indicators":
        raise InputError(
            "The configuration lists model.problem but --problem indicators was asked.",
            received="model.problem in the configuration",
            expected="--problem auto or model with this configuration",
            fix="drop model.problem from the configuration or the --problem option",
        )
    seed = settings.get("seed") if seed is None else seed
    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        wanted = [s.name for s in fallback.indicators if s.name != PROBLEM]
        if use_model:
            wanted += [c for c in MODEL_INPUTS if c not in wanted]
        if fallback.population not in wanted:
            wanted.append(fallback.population)
        progress(f"reading {len(wanted)} indicators at level {level}")
        af = area_frame(wh, wanted, period=period, level=level, division=division)
        notes = list(af.meta["notes"])
        frame = af.frame
        est = None
        mi = None
        if use_model:
            graph = None
            try:
                graph = _graph(wh, af.division, af.level).graph
            except Exception as exc:  # noqa: BLE001 - no geometry: the model runs without its spatial parts
                notes.append(f"no area graph ({type(exc).__name__}): the problem without its spatial part")
            # the model's own inputs, real channels first (decision 0027): the same as compute zwijgwijken's
            mi = model_inputs(wh, period=af.period, years=1, level=af.level, division=af.division)
            notes += [f"measurement model inputs: {n}" for n in mi.notes]
            progress(f"measurement model for {len(mi.frame)} areas, period {af.period} ({posterior_draws} draws)")
            est = estimate_problem(
                mi.frame,
                graph=graph,
                survey=mi.survey,
                survey_area=mi.survey_area,
                min_population=fallback.min_population,
                draws=posterior_draws,
                seed=seed,
            )
            if not est.used and (problem == "model" or listed):
                raise InputError(
                    "The measurement model cannot give the problem domain here.",
                    received=est.reason,
                    expected="a fit that passes its checks for this division and period",
                    fix="use --problem auto (falls back to the indicators) or load the missing channels",
                )
        if est is not None and est.used:
            # listed: the configuration was given (the default does not list model.problem), so fallback is it
            config = fallback if listed else model_config(fallback)
            # a "model" estimate always carries its median and draws (inventory.estimate_problem)
            assert est.median is not None and est.draws is not None
            frame = frame.assign(**{PROBLEM: est.median.reindex(frame.index)})
            posterior = {PROBLEM: est.draws}
            notes.append(
                "problem domain: the measurement model's posterior drug problem (survey, tips, reports and "
                "registrations with their distortions by fear and police effort); susceptibility a separate domain"
            )
        else:
            config, posterior = fallback, None
            why = est.reason if est is not None else "asked for (--problem indicators or a configuration)"
            notes.append(f"problem domain from the indicators (decision 0006), not the measurement model: {why}")
        progress(f"composite index for {len(frame)} areas, period {af.period}")
        result = composite_index(frame, config)
        notes += list(result.notes)
        progress(f"uncertainty analysis: {draws} draws, Sobol N = {sobol_n} (seed {seed})")
        unc = rank_uncertainty(frame, config, draws=draws, seed=seed, posterior=posterior, sobol_n=sobol_n)
        checks = composite_checks(result)
        channels = None
        if posterior:
            from .analysis.inventory import channels_config

            try:
                channels = composite_checks(composite_index(frame, channels_config(fallback)))
            except InputError as exc:
                notes.append(f"no step-4 checks of the channels: {exc.problem}")
        groups = area_groups(wh, af.division, af.level)
        names = wh.areas(division=af.division, level=af.level, geometry=False).set_index("code")["name"]
        table = result.to_frame()
        out = pd.DataFrame(index=table.index)
        out["name"] = names.reindex(out.index)
        out["stadsdeel"] = groups.reindex(out.index)
        out["composite"] = table["composite"]
        out["rank"] = table["rank"].round().astype("Int64")
        out["median_rank"] = unc.ranks["median_rank"]
        for c in [c for c in unc.ranks.columns if c.startswith("rank_")]:
            out[c] = unc.ranks[c].round().astype("Int64")
        for c in [c for c in unc.ranks.columns if c.startswith("share_")]:
            out[c] = unc.ranks[c]
        out["problem_source"] = "model" if posterior else "indicators"
        out["ranked"] = table["ranked"]
        out["not_ranked_reason"] = table["not_ranked_reason"]
        if posterior and mi is not None:
            out["not_ranked_reason"] = _no_estimate_reason(
                out["not_ranked_reason"], mi.frame.get("population"), fallback.min_population
            )
        out["imputed"] = table["imputed"]
        for d in result.domains:
            out[f"domain.{d}"] = table[f"domain.{d}"]
            out[f"contribution.{d}"] = result.contributions[d]
        for c in table.columns:
            if c.startswith("value."):
                out[c] = table[c]
        if posterior:  # the channels the model read, as the indicator inventory shows them (rates per 1,000)
            from .analysis.composite import prepare_indicators

            try:
                raw = prepare_indicators(frame, fallback).raw
            except InputError:
                raw = pd.DataFrame(index=out.index)
            for c in raw.columns:
                if f"value.{c}" not in out.columns:
                    out[f"value.{c}"] = raw[c].reindex(out.index)
        out["synthetic"] = af.synthetic
        problem_info = est.summary() if est is not None else {"problem_source": "indicators"}
        if est is None:
            problem_info["fallback_reason"] = "asked for (--problem indicators or a configuration)"
        check_info = {"index": checks.summary(), **({"channels": channels.summary()} if channels else {})}
        summary = {
            **result.summary(),
            **{"uncertainty": unc.summary()},
            "problem": problem_info,
            "checks": check_info,
            "period": af.period,
            "level": af.level,
            "division": af.division,
            "synthetic_indicators": af.meta["synthetic_indicators"],
        }
        params = {
            "config": config.to_dict(),
            "period": af.period,
            "level": af.level,
            "division": af.division,
            "draws": draws,
            "seed": seed,
            "inputs": af.meta["indicators"],
            "absent": af.meta["absent"],
            "notes": notes,
            "problem": problem_info,
            **({"model_inputs": mi.record()} if mi is not None else {}),
            "uncertainty": unc.summary(),
            "checks": check_info,
            "sensitivity": unc.sensitivity.to_dict("records"),
        }
        run_id = wh.store_result(
            "vulnerability",
            out,
            parameters=params,
            division=af.division,
            period=af.period,
            level=af.level,
            synthetic=af.synthetic,
            started_at=started,
            inputs=wanted,
        )
        progress(f"stored as run {run_id}")
        return ComputeOutcome(run_id, out, summary, notes, af.synthetic, result, groups)
    finally:
        wh.close()


def _no_estimate_reason(reason: pd.Series, population: pd.Series | None, min_population: float) -> pd.Series:
    """Say why an area has no posterior problem, where the composite only says "missing model.problem"."""
    from .analysis.inventory import PROBLEM

    gap = reason.astype(str).str.contains(PROBLEM, regex=False)
    if not gap.any():
        return reason
    pop = (population if population is not None else pd.Series(dtype="float64")).reindex(reason.index)
    why = np.where(
        pop.isna(),
        "no estimate of the drug problem: the measurement model's inputs have no population for this area "
        "(its real population, moved from other buurten, does not cover it: e.g. Weesp, in Amsterdam since 2022)",
        [
            f"no estimate of the drug problem: population {p:.0f} < {min_population:g} in the model's inputs"
            for p in pop
        ],
    )
    return reason.where(~gap, pd.Series(why, index=reason.index))


ZWIJGWIJK_COLUMNS = ["area_code", "observed", "expected", "ratio", "ratio_low", "ratio_high", "p_under", "flag"]
ZWIJGWIJK_INDICATORS = MODEL_INDICATORS


def compute_zwijgwijken(
    *,
    period: str | None = None,
    years: int = 10,
    level: str = "buurt",
    division: str | None = None,
    alpha: float | None = None,
    shortfall: float = 0.5,
    seed: int | None = None,
    approximate: bool | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> ComputeOutcome:
    """The measurement model (analysis.measurement): zwijgwijk and effort flags as posterior statements, stored.

    ``p_under`` is the posterior probability that the area's reporting propensity is NOT below the
    city's times ``1 - shortfall`` (small: a zwijgwijk is likely); ``alpha`` bounds the Bayesian FDR of
    the flagged set (None: ``DEFAULT_FDR``, 0.20, decision 0032). A fit that fails its checks is stored
    without flags (``flags_published`` false). ``approximate``: hyperparameters from a connected block of
    areas (None: above ``LARGE_AREAS`` areas only; False: the full fit; decision 0033).
    """
    from .analysis.measurement import HYPER_BLOCK, LARGE_AREAS, measurement_model

    alpha = DEFAULT_FDR if alpha is None else alpha
    seed = settings.get("seed") if seed is None else seed
    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        progress(f"reading the measurement model's inputs at level {level} (real channels first)")
        mi = model_inputs(wh, period=period, years=years, level=level, division=division)
        used_years = mi.years
        notes = list(mi.meta["notes"]) + list(mi.notes)
        graph = None
        try:
            graph = _graph(wh, mi.division, mi.level).graph
        except Exception as exc:  # noqa: BLE001 - no geometry: the model runs without its spatial parts
            notes.append(f"no area graph ({type(exc).__name__}): problem and propensity without spatial parts")
        progress(
            f"measurement model for {len(mi.frame)} areas, period {mi.period} ({used_years} year(s)), "
            "Laplace approximation"
            + (
                f", hyperparameters on a block of {HYPER_BLOCK} areas"
                if approximate or (approximate is None and len(mi.frame) > LARGE_AREAS)
                else ""
            )
        )
        result = measurement_model(
            mi.frame,
            graph=graph,
            survey=mi.survey,
            survey_area=mi.survey_area,
            years=used_years,
            shortfall=shortfall,
            alpha=alpha,
            min_population=float(settings.get("min_population")),
            seed=seed,
            approximate=approximate,
        )
        summary = result.summary()
        notes += list(summary.get("notes", []))
        if not result.published:
            notes.append(
                "FIT FAILED ITS CHECKS: no zwijgwijk or effort flags are published for this run; see "
                "model.diagnostics (gradient at the mode, Hessian, hyperparameter optimiser)"
            )
        names = wh.areas(division=mi.division, level=mi.level, geometry=False).set_index("code")["name"]
        out = result.details().copy()
        if "area_code" in out.columns:
            out = out.set_index("area_code")
        out.insert(0, "name", names.reindex(out.index))
        out["synthetic"] = mi.synthetic
        params = {
            "period": mi.period,
            "level": mi.level,
            "division": mi.division,
            **mi.record(),
            "alpha": alpha,
            "shortfall": shortfall,
            "years": years,
            "years_used": used_years,
            "seed": seed,
            "inputs": mi.meta["indicators"],
            "absent": mi.meta["absent"],
            "notes": notes,
            "model": {k: v for k, v in summary.items() if k != "notes"},
        }
        run_id = wh.store_result(
            "zwijgwijken",
            out,
            parameters=params,
            division=mi.division,
            period=mi.period,
            level=mi.level,
            synthetic=mi.synthetic,
            started_at=started,
            inputs=[*ZWIJGWIJK_INDICATORS, NUISANCE],
        )
        progress(f"stored as run {run_id}")
        summary = {
            **summary,
            "period": mi.period,
            "level": mi.level,
            "division": mi.division,
            "synthetic_indicators": mi.synthetic_indicators,
            **mi.record(),
        }
        groups = area_groups(wh, mi.division, mi.level)
        return ComputeOutcome(run_id, out, summary, notes, mi.synthetic, result, groups)
    finally:
        wh.close()


HOTSPOT_COLUMNS = ["area_code", "statistic", "z", "p", "p_fdr", "category"]
EMERGING_COLUMNS = ["area_code", "category", "trend_tau", "trend_p"]
#: The 2015 -> 2022 area division change took effect on 24 March 2022. A series on the 2022 division has a
#: break there only where its earlier values were moved from the 2015 division (sources named "crosswalk:...").
DIVISION_BREAKS = {"2022": ["2022-03"]}


def _breaks(meta: dict) -> list[str]:
    moved = any(str(s).startswith("crosswalk:") for s in meta.get("sources", []))
    return DIVISION_BREAKS.get(meta["division"], []) if moved else []


def _graph(wh: Warehouse, division: str, level: str):
    from .analysis.weights import build_graph

    areas = wh.areas(division=division, level=level)
    areas = areas[areas.geometry.notna()]
    return build_graph(areas, "queen", level=level)


def compute_hotspots(
    *,
    indicator: str,
    period: str | None = None,
    level: str = "buurt",
    method: str = "gi",
    division: str | None = None,
    permutations: int = 999,
    seed: int | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
    measure: str = "rate",
) -> ComputeOutcome:
    """Local hot spots of one indicator (Gi* or local Moran) with permutation inference and FDR.

    ``measure``: "rate" (default for counts of events): empirical-Bayes rates per 1,000 inhabitants
    (``analysis.rates.eb_rates``), so a hot spot is not merely where many people live; "count": the raw
    counts (labelled as such in the stored parameters). Indicators that are not counts are analysed as they
    are."""
    from .analysis.hotspots import gi_star, global_moran, local_moran
    from .errors import InputError

    if method not in ("gi", "lisa"):
        raise InputError(
            "Unknown method.",
            received=repr(method),
            expected="gi or lisa",
            fix="use --method gi (Getis-Ord Gi*) or --method lisa (local Moran)",
        )
    if measure not in ("rate", "count"):
        raise InputError(
            "Unknown measure.",
            received=repr(measure),
            expected="rate or count",
            fix="use --measure rate (empirical-Bayes rate per 1,000 inhabitants) or --measure count",
        )
    seed = settings.get("seed") if seed is None else seed
    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        from .analysis.rates import eb_rates
        from .indicators import is_flow

        unit = wh.query("SELECT unit FROM indicators WHERE indicator = ?", [indicator])
        flow = is_flow(indicator, unit["unit"].iloc[0] if len(unit) else None)
        use_rate = measure == "rate" and flow
        wanted = [indicator, "population"] if use_rate else [indicator]
        try:
            af = area_frame(wh, wanted, period=period, level=level, division=division)
        except InputError:
            if not use_rate:
                raise
            use_rate = False
            af = area_frame(wh, [indicator], period=period, level=level, division=division)
        if indicator not in af.frame.columns:
            raise InputError(
                "The indicator has no data for this period and level.",
                received=f"{indicator}, {af.period}, {af.level}",
                expected="observations to analyse",
                fix="choose another --period or --level (see `weerbaar indicators`)",
            )
        progress(f"spatial weights (queen contiguity) for {len(af.frame)} areas")
        weights = _graph(wh, af.division, af.level)
        values = af.frame[indicator]
        if use_rate and "population" in af.frame.columns and af.frame["population"].notna().any():
            values = eb_rates(values, af.frame["population"]).rename(indicator)
            analysed = "rate"
        else:
            analysed = "count" if flow else "value"
        progress(f"{'Gi*' if method == 'gi' else 'local Moran'} of the {analysed}s, {permutations} permutations")
        fn = gi_star if method == "gi" else local_moran
        result = fn(values, weights.graph, permutations=permutations, seed=seed)
        moran = global_moran(values.dropna(), weights.graph, permutations=permutations, seed=seed)
        out = result.to_frame()
        out["synthetic"] = af.synthetic
        notes = list(af.meta["notes"])
        if weights.islands:
            notes.append(f"islands: {', '.join(weights.islands)}")
        summary = {
            **result.summary(),
            "global_moran": moran.summary(),
            "period": af.period,
            "level": af.level,
            "division": af.division,
        }
        params = {
            "indicator": indicator,
            "period": af.period,
            "level": af.level,
            "division": af.division,
            "method": method,
            "measure": analysed,
            "permutations": permutations,
            "seed": seed,
            "weights": weights.summary(),
            "inputs": af.meta["indicators"],
            "notes": notes,
        }
        run_id = wh.store_result(
            f"hotspots.{method}",
            out,
            parameters=params,
            division=af.division,
            period=af.period,
            level=af.level,
            synthetic=af.synthetic,
            started_at=started,
            inputs=[indicator],
        )
        progress(f"stored as run {run_id}")
        return ComputeOutcome(run_id, out, summary, notes, af.synthetic, result)
    finally:
        wh.close()


def compute_emerging(
    *,
    indicator: str,
    start: str | None = None,
    end: str | None = None,
    level: str = "buurt",
    slice_kind: str = "quarter",
    division: str | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
    measure: str = "rate",
    trend_test: str | None = None,
) -> ComputeOutcome:
    """Emerging hot spot analysis (space-time Gi* and Mann-Kendall, ArcGIS Pro categories).

    ``measure``: "rate" (default for counts): per slice, empirical-Bayes rates per 1,000 inhabitants of the
    slice's year (the nearest year with population data); "count": the raw counts. ``trend_test``: mk,
    hamed-rao or seasonal (default: seasonal for slices shorter than a year, mk for years; decision 0029)."""
    from .analysis.emerging import emerging_hotspots
    from .analysis.inputs import area_series
    from .analysis.kendall import check_trend_test, default_trend_test
    from .analysis.rates import eb_rates
    from .errors import InputError
    from .indicators import is_flow

    trend_test = check_trend_test(trend_test) if trend_test else default_trend_test(slice_kind)

    if measure not in ("rate", "count"):
        raise InputError(
            "Unknown measure.",
            received=repr(measure),
            expected="rate or count",
            fix="use --measure rate (empirical-Bayes rate per 1,000 inhabitants) or --measure count",
        )

    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        series, meta = area_series(
            wh, indicator, start=start, end=end, level=level, division=division, slice_kind=slice_kind
        )
        progress(
            f"{series['area_code'].nunique()} areas x {series['period'].nunique()} {slice_kind} slices "
            f"({meta['first']} .. {meta['last']})"
        )
        weights = _graph(wh, meta["division"], level)
        unit = wh.query("SELECT unit FROM indicators WHERE indicator = ?", [indicator])
        analysed = "count" if is_flow(indicator, unit["unit"].iloc[0] if len(unit) else None) else "value"
        if measure == "rate" and analysed == "count":
            try:
                pop, _ = area_series(wh, "population", level=level, division=meta["division"], slice_kind="year")
            except InputError:
                pop = pd.DataFrame(columns=["area_code", "period", "value"])
            if len(pop):
                years = sorted(pop["period"].astype(str).unique())
                wide = pop.pivot_table(index="area_code", columns="period", values="value", aggfunc="first")
                parts = []
                for period, g in series.groupby("period"):
                    y = str(period)[:4]
                    near = _nearest_year(years, y)
                    counts = g.set_index("area_code")["value"]
                    rates = eb_rates(counts, wide[near].reindex(counts.index))
                    parts.append(g.assign(value=g["area_code"].map(rates).to_numpy()))
                series = pd.concat(parts, ignore_index=True)
                analysed = "rate"
        progress(f"emerging hot spots of the {analysed}s (trend test: {trend_test})")
        result = emerging_hotspots(series, weights.graph, indicator=indicator, trend_test=trend_test)
        return _store_series(
            wh,
            "emerging",
            result,
            result.to_frame(),
            meta,
            level,
            slice_kind,
            started,
            progress,
            weights=weights.summary(),
            measure=analysed,
            trend_test=trend_test,
        )
    finally:
        wh.close()


def compute_trends(
    *,
    indicator: str,
    start: str | None = None,
    end: str | None = None,
    level: str = "buurt",
    slice_kind: str = "year",
    division: str | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
    trend_test: str | None = None,
) -> ComputeOutcome:
    """Change against the previous slice and a year before, Mann-Kendall trend and change point per area
    (``trend_test``: mk, hamed-rao or seasonal; default seasonal below a year, mk for years)."""
    from .analysis.inputs import area_series
    from .analysis.kendall import check_trend_test, default_trend_test
    from .analysis.trends import trends

    trend_test = check_trend_test(trend_test) if trend_test else default_trend_test(slice_kind)

    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        series, meta = area_series(
            wh, indicator, start=start, end=end, level=level, division=division, slice_kind=slice_kind
        )
        breaks = _breaks(meta)
        progress(
            f"trends for {series['area_code'].nunique()} areas ({meta['first']} .. {meta['last']}); "
            f"series breaks: {', '.join(breaks) or 'none'}"
        )
        result = trends(series, indicator=indicator, breaks=breaks, counts=meta["flow"], trend_test=trend_test)
        out = result.to_frame()
        if "area_code" in out.columns:
            out = out.set_index("area_code")
        return _store_series(
            wh,
            "trends",
            result,
            out.drop(columns=["indicator"], errors="ignore"),
            meta,
            level,
            slice_kind,
            started,
            progress,
            breaks=breaks,
            trend_test=trend_test,
        )
    finally:
        wh.close()


def _store_series(
    wh: Warehouse,
    kind: str,
    result,
    out: pd.DataFrame,
    meta: dict,
    level: str,
    slice_kind: str,
    started: datetime,
    progress: Progress,
    **extra,
) -> ComputeOutcome:
    """Store the result of an analysis over a time series (emerging hot spots, trends) with a run id."""
    out = out.assign(synthetic=meta["synthetic"])
    span = f"{meta['first']}..{meta['last']}"
    params = {
        "indicator": meta["indicator"],
        "from": meta["first"],
        "to": meta["last"],
        "slice": slice_kind,
        "level": level,
        "division": meta["division"],
        "notes": meta["notes"],
        **extra,
    }
    run_id = wh.store_result(
        kind,
        out,
        parameters=params,
        division=meta["division"],
        period=span,
        level=level,
        synthetic=meta["synthetic"],
        started_at=started,
        inputs=[meta["indicator"]],
    )
    progress(f"stored as run {run_id}")
    summary = {**result.summary(), "period": span, "level": level}
    return ComputeOutcome(run_id, out, summary, list(meta["notes"]), meta["synthetic"], result)
