"""``weerbaar compute ...``: run an analysis on the warehouse and store it with a run id."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .base import Format, _progress, _show, _synthetic_banner, _write_out, app, err, out

#: ``--trend-test`` of the emerging hot spots and the trends (decision 0029).
TrendTest = Annotated[
    str | None,
    typer.Option(
        "--trend-test",
        help="mk (Mann-Kendall), hamed-rao (corrected for serial correlation) or seasonal (seasonal Kendall); "
        "default: seasonal for month, quarter and half slices, mk for years (decision 0029)",
    ),
]

compute_app = typer.Typer(no_args_is_help=True, help="Run an analysis on the warehouse and store it with a run id.")
app.add_typer(compute_app, name="compute")


@compute_app.command("vulnerability")
def compute_vulnerability(
    config: Annotated[
        Path | None, typer.Option(help="TOML configuration of the index (default: the documented default inventory)")
    ] = None,
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    division: Annotated[str | None, typer.Option(help="Division (default: sole loaded, or WEERBAAR_DIVISION)")] = None,
    draws: Annotated[int, typer.Option(min=0, help="Monte Carlo draws of the uncertainty analysis")] = 1000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    explain: Annotated[
        str | None, typer.Option(help="Explain one area: each domain beside its stadsdeel and the city")
    ] = None,
    problem: Annotated[
        str,
        typer.Option(
            help="Problem domain: auto (the measurement model's posterior problem where a fit is possible, "
            "else the indicators), model (require the fit) or indicators"
        ),
    ] = "auto",
    sobol: Annotated[
        int, typer.Option(min=0, help="Base sample N of the Sobol indices (N (k + 2) runs; 0: none)")
    ] = 256,
    checks: Annotated[
        bool, typer.Option("--checks", help="Show the JRC step-4 checks (correlations, Cronbach's alpha, PCA)")
    ] = False,
) -> None:
    """Criminogenic vulnerability inventory: composite index with rank intervals (measure 7)."""
    from ..analysis.composite import CompositeConfig, CompositeResult
    from ..compute import compute_vulnerability as run_it
    from .inventory_show import show_inventory_extras

    cfg = CompositeConfig.from_toml(config) if config else None
    outcome = run_it(
        config=cfg,
        period=period,
        level=level,
        division=division,
        draws=draws,
        seed=seed,
        progress=_progress,
        problem=problem,
        sobol_n=sobol,
    )
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    _write_out(outcome.frame, out_file)
    s = outcome.summary
    unc = s["uncertainty"]
    out.print(
        f"run {outcome.run_id}: {s['ranked']} of {s['areas']} areas ranked ({s['period']}, {s['level']}); "
        f"median 90% rank interval width {unc['median_interval_width']:.0f} ranks; most influential choice: "
        f"{unc['most_influential']}"
    )
    top = outcome.frame[outcome.frame["ranked"]].sort_values("rank").head(10)
    _show(
        top.reset_index()[["area_code", "name", "stadsdeel", "rank", "rank_low", "rank_high", "composite"]].round(
            {"composite": 3}
        ),
        Format.table,
        title="Highest composite (rank, 90% interval)",
    )
    show_inventory_extras(outcome, checks)
    if explain:
        row = outcome.frame.loc[explain] if explain in outcome.frame.index else None
        assert isinstance(outcome.details, CompositeResult)  # the composite index's result, kept for this
        table = outcome.details.explain(explain, outcome.groups).round(3)
        rank = "not ranked" if row is None or not row["ranked"] else f"rank {row['rank']}"
        if row is not None and row["ranked"]:
            rank += f", 90% interval {row['rank_low']}-{row['rank_high']}"
        _show(table, Format.table, title=f"{explain} {'' if row is None else row['name']}: {rank}")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("zwijgwijken")
def compute_zwijgwijken(
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    years: Annotated[
        int,
        typer.Option(
            min=1, help="Years of data ending with --period (a year): more years, more power to find under-reporting"
        ),
    ] = 10,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    division: Annotated[str | None, typer.Option(help="Division (default: sole loaded, or WEERBAAR_DIVISION)")] = None,
    alpha: Annotated[
        float | None,
        typer.Option(min=0.0001, max=0.5, help="Bayesian FDR of the flagged set (default 0.20: docs/decisions/0032)"),
    ] = None,
    shortfall: Annotated[
        float, typer.Option(min=0.05, max=0.95, help="Zwijgwijk: propensity below the city's x (1 - shortfall)")
    ] = 0.5,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    full_fit: Annotated[
        bool,
        typer.Option(
            "--full-fit",
            help="Estimate the hyperparameters on all areas even above 5,000 (default there: on a connected block "
            "of 1,600, about 5x faster; decision 0033)",
        ),
    ] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Write every column (models, reasons, synthetic), not only the eight standard ones"
        ),
    ] = False,
) -> None:
    """Silent neighbourhoods (zwijgwijken) and effort-driven registrations: observed against expected."""
    from ..compute import ZWIJGWIJK_COLUMNS
    from ..compute import compute_zwijgwijken as run_it

    outcome = run_it(
        period=period,
        years=years,
        level=level,
        division=division,
        alpha=alpha,
        shortfall=shortfall,
        seed=seed,
        approximate=False if full_fit else None,
        progress=_progress,
    )
    if not outcome.summary.get("flags_published", True):
        err.print("[red]The model fit failed its checks: no flags are published (see --details / the run).[/red]")
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    for name, ch in outcome.summary.get("channels", {}).items():
        err.print(f"input {name}: {ch['status']} ({ch['how']})", highlight=False)
    for item in outcome.summary.get("not_estimated", []):
        err.print(f"not estimated: {item['what']}: {item['why']}", highlight=False)
    _write_out(outcome.frame, out_file, None if details else ZWIJGWIJK_COLUMNS)
    flags = outcome.frame["flag"].value_counts()
    s = outcome.summary
    out.print(
        f"run {outcome.run_id}: {len(outcome.frame)} areas ({s['period']}, {s['level']}); "
        f"{int(flags.get('zwijgwijk', 0))} flagged zwijgwijk, {int(flags.get('effort', 0))} flagged effort-driven"
    )
    flagged = outcome.frame[outcome.frame["flag"] != ""].sort_values(["flag", "p_under"])
    if len(flagged):
        _show(
            flagged.reset_index()[
                ["area_code", "name", "flag", "observed", "expected", "ratio", "ratio_low", "ratio_high", "p_under"]
            ].round(3),
            Format.table,
            title="Flagged areas",
        )
    _synthetic_banner(outcome.synthetic)


@compute_app.command("hotspots")
def compute_hotspots(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    method: Annotated[str, typer.Option(help="gi (Getis-Ord Gi*) or lisa (local Moran)")] = "gi",
    division: Annotated[str | None, typer.Option(help="Division (default: sole loaded, or WEERBAAR_DIVISION)")] = None,
    permutations: Annotated[int, typer.Option(min=0, help="Conditional permutations (0: analytical)")] = 999,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Write every column, not only the six standard ones")
    ] = False,
    measure: Annotated[
        str, typer.Option(help="rate (empirical-Bayes per 1,000 inhabitants, default) or count (raw counts)")
    ] = "rate",
) -> None:
    """Where an indicator concentrates: local hot and cold spots with FDR-corrected permutation p-values."""
    from ..compute import HOTSPOT_COLUMNS
    from ..compute import compute_hotspots as run_it

    outcome = run_it(
        indicator=indicator,
        period=period,
        level=level,
        method=method,
        division=division,
        permutations=permutations,
        seed=seed,
        progress=_progress,
        measure=measure,
    )
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    _write_out(outcome.frame, out_file, None if details else HOTSPOT_COLUMNS)
    counts = outcome.frame["category"].value_counts()
    moran = outcome.summary["global_moran"]
    out.print(
        f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {outcome.summary['level']}; global "
        f"Moran's I {moran.get('I', float('nan')):.3f} (p {moran.get('p_sim', moran.get('p', float('nan')))})"
    )
    _show(counts.rename_axis("category").reset_index(name="areas"), Format.table, title="Categories")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("emerging")
def compute_emerging(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    start: Annotated[str | None, typer.Option("--from", help="First period (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last period (default: last with data)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    slice_kind: Annotated[str, typer.Option("--slice", help="Time slice: month, quarter, half or year")] = "quarter",
    division: Annotated[str | None, typer.Option(help="Division (default: sole loaded, or WEERBAAR_DIVISION)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Write every column, not only the four standard ones")
    ] = False,
    measure: Annotated[
        str, typer.Option(help="rate (empirical-Bayes per 1,000 inhabitants, default) or count (raw counts)")
    ] = "rate",
    trend_test: TrendTest = None,
) -> None:
    """Emerging hot spots over time (new, intensifying, persistent, diminishing, ...), ArcGIS Pro categories."""
    from ..compute import EMERGING_COLUMNS
    from ..compute import compute_emerging as run_it

    outcome = run_it(
        indicator=indicator,
        start=start,
        end=end,
        level=level,
        slice_kind=slice_kind,
        division=division,
        progress=_progress,
        measure=measure,
        trend_test=trend_test,
    )
    _write_out(outcome.frame, out_file, None if details else EMERGING_COLUMNS)
    counts = outcome.frame["category"].value_counts()
    test = outcome.summary["parameters"].get("trend_test", "mk")
    out.print(f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {level}; trend test {test}")
    _show(counts.rename_axis("category").reset_index(name="areas"), Format.table, title="Categories")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("trends")
def compute_trends(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    start: Annotated[str | None, typer.Option("--from", help="First period (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last period (default: last with data)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied, stadsdeel or stad")] = "buurt",
    slice_kind: Annotated[str, typer.Option("--slice", help="Time slice: month, quarter, half or year")] = "year",
    division: Annotated[str | None, typer.Option(help="Division (default: sole loaded, or WEERBAAR_DIVISION)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    trend_test: TrendTest = None,
) -> None:
    """Change against the previous period and a year before (with intervals), trend and change point per area."""
    from ..compute import compute_trends as run_it

    outcome = run_it(
        indicator=indicator,
        start=start,
        end=end,
        level=level,
        slice_kind=slice_kind,
        division=division,
        progress=_progress,
        trend_test=trend_test,
    )
    _write_out(outcome.frame, out_file)
    counts = outcome.frame["trend"].value_counts()
    out.print(f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {level}")
    _show(counts.rename_axis("trend").reset_index(name="areas"), Format.table, title="Trends")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("standard")
def compute_standard() -> None:
    """Compute the standard results (inventory, zwijgwijken, hot spots, emerging) that are missing or stale
    (their sources changed since, e.g. after `weerbaar ingest reports` replaced a synthetic stand-in)."""
    from ..standard import ensure_ready

    done = ensure_ready(progress=_progress, build=False)
    n = len(done["computed"])
    out.print(
        f"{n} standard result{'s' if n != 1 else ''} computed"
        + (": " + ", ".join(done["computed"]) if n else "")
        + (f" ({done['stale']} of them were stale)" if done.get("stale") else "")
        + ("" if n or done.get("failed") else "; every standard result is up to date with its sources")
    )
    for f in done.get("failed", []):
        out.print(f"not computed: {f['label']}: {f['reason']}")
