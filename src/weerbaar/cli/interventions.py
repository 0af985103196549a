"""CLI verbs of issue 19: ``weerbaar compute displacement`` (and the intervention register's commands)."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import InputError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class OutFormat(StrEnum):
    table = "table"
    json = "json"


def _json(value) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), indent=2, ensure_ascii=False, default=str)


def _print_displacement(summary: dict, fmt: OutFormat, extra: dict | None = None) -> None:
    if fmt == OutFormat.json:
        typer.echo(_json({**summary, **(extra or {})}))
        return

    def f(v, spec=".3f"):
        return "n/a" if v is None else format(v, spec)

    for name in ("target", "buffer", "control", "buffer_control"):
        if summary.get(name) is not None:
            b, a = summary[name]
            out.print(f"{name:15s} before {b:10,.1f}  after {a:10,.1f}", highlight=False)
    out.print(
        f"WDQ {f(summary['wdq'])} (success {f(summary['success'])}, buffer {f(summary['buffer_measure'])}); "
        f"total net effect {f(summary['tne'], '.1f')} events prevented",
        highlight=False,
    )
    out.print(
        f"WDD {summary['wdd']:+.1f} (local {summary['wdd_local']:+.1f}, buffer {summary['wdd_displacement']:+.1f}), "
        f"SE {summary['wdd_se']:.2f}, z {f(summary['z'], '.2f')}, p {summary['p']:.4g}, "
        f"{100 * (1 - summary['alpha']):.0f}% interval {summary['ci_low']:+.1f} to {summary['ci_high']:+.1f}",
        highlight=False,
    )
    out.print(summary["interpretation"], highlight=False)
    for note in summary["notes"]:
        err.print(f"note: {note}", highlight=False)


def compute_displacement_cmd(
    target: Annotated[str | None, typer.Option(help="Hand entry: target counts BEFORE,AFTER")] = None,
    buffer: Annotated[str | None, typer.Option(help="Hand entry: buffer counts BEFORE,AFTER")] = None,
    control: Annotated[str | None, typer.Option(help="Hand entry: control counts BEFORE,AFTER")] = None,
    buffer_control: Annotated[
        str | None, typer.Option(help="Hand entry: counts of a separate control for the buffer, BEFORE,AFTER")
    ] = None,
    target_areas: Annotated[
        str | None, typer.Option(help="Warehouse mode: target area codes, comma-separated (e.g. AC02,AC03)")
    ] = None,
    buffer_areas: Annotated[
        str | None, typer.Option(help="Warehouse mode: buffer areas (default: the ring of neighbours)")
    ] = None,
    control_areas: Annotated[
        str | None, typer.Option(help="Warehouse mode: control areas (default: the rings beyond the buffer)")
    ] = None,
    buffer_control_areas: Annotated[
        str | None, typer.Option(help="Warehouse mode: a separate control for the buffer")
    ] = None,
    indicator: Annotated[
        str | None, typer.Option(help="Warehouse mode: count this indicator, e.g. registered.drug_trade")
    ] = None,
    events: Annotated[str | None, typer.Option(help="Warehouse mode: count events of this type instead")] = None,
    before: Annotated[str | None, typer.Option(help="Warehouse mode: before window, e.g. 2019-01..2019-12")] = None,
    after: Annotated[str | None, typer.Option(help="Warehouse mode: after window, e.g. 2020-01..2020-12")] = None,
    level: Annotated[str, typer.Option(help="Warehouse mode: area level")] = "buurt",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    buffer_rings: Annotated[int, typer.Option(min=1, max=5, help="Rings of neighbours that form the buffer")] = 1,
    control_rings: Annotated[
        int, typer.Option(min=1, max=10, help="Rings beyond the buffer that form the control")
    ] = 2,
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, help="Significance level of the WDD test")] = 0.05,
    fmt: Annotated[OutFormat, typer.Option("--format", help="table or json")] = OutFormat.table,
) -> None:
    """Displacement or diffusion around one intervention: WDQ (Bowers & Johnson) and WDD test (Wheeler & Ratcliffe).

    Hand entry: --target/--buffer/--control [--buffer-control] BEFORE,AFTER (one control serves both when
    --buffer-control is absent). Warehouse mode: --target-areas with --indicator or --events and
    --before/--after windows; buffer and control default to rings of neighbouring areas.
    """
    from ..analysis.displacement import displacement, parse_counts

    hand = any(v is not None for v in (target, buffer, control, buffer_control))
    if hand:
        if target_areas or buffer_areas or control_areas or buffer_control_areas:
            raise InputError(
                "Hand entry and warehouse mode are mixed.",
                received="counts (--target ...) and area codes (--target-areas ...)",
                expected="one mode",
                fix="give counts with --target/--buffer/--control, or areas with --target-areas",
            )
        if target is None or control is None or buffer is None:
            raise InputError(
                "Hand entry needs target, buffer and control counts.",
                received=f"--target {target!r}, --buffer {buffer!r}, --control {control!r}",
                expected="--target BEFORE,AFTER --buffer BEFORE,AFTER --control BEFORE,AFTER",
                fix="give all three (and --buffer-control for a separate control of the buffer)",
            )
        result = displacement(
            parse_counts(target, "target counts"),
            parse_counts(buffer, "buffer counts"),
            parse_counts(control, "control counts"),
            parse_counts(buffer_control, "buffer-control counts") if buffer_control else None,
            alpha=alpha,
        )
        _print_displacement(result.summary(), fmt)
        return
    if not target_areas or not before or not after:
        raise InputError(
            "No counts and no target areas.",
            received="neither --target nor --target-areas with --before and --after",
            expected="hand entry (--target/--buffer/--control BEFORE,AFTER) or warehouse mode "
            "(--target-areas CODES --indicator NAME --before FROM..TO --after FROM..TO)",
            fix="see `weerbaar compute displacement --help`",
        )
    from ..compute_displacement import compute_displacement

    run_id, result, described = compute_displacement(
        target=target_areas,
        buffer=buffer_areas,
        control=control_areas,
        buffer_control=buffer_control_areas,
        indicator=indicator,
        event_type=events,
        before=before,
        after=after,
        level=level,
        division=division,
        buffer_rings=buffer_rings,
        control_rings=control_rings,
        alpha=alpha,
    )
    extra = {"run_id": run_id, **described}
    if fmt == OutFormat.table:
        for k, v in described["areas"].items():
            tag = " (derived)" if k in described["derived"] else ""
            out.print(f"{k}{tag}: {', '.join(v) if v else '(none)'}", highlight=False)
    _print_displacement(result.summary(), fmt, extra)
    if fmt == OutFormat.table:
        out.print(f"run {run_id}", highlight=False)
    if described["synthetic"]:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="Operational store (default WEERBAAR_DATABASE_URL or SQLite in the data folder)"
    ),
]


def _url(database_url: str | None) -> str:
    from ..interventions import prepared

    return prepared(database_url)


def ingest_interventions_cmd(
    file: Annotated[Path, typer.Argument(help="CSV (header row) or GeoJSON file of interventions")],
    division: Annotated[
        str | None, typer.Option(help="Area division of the buurt codes (default WEERBAAR_DIVISION)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import interventions into the register (all or nothing; a known external_id is skipped)."""
    from ..interventions import import_file

    summary = import_file(file, url=_url(database_url), division=division)
    out.print(
        f"{summary.added} intervention{'s' if summary.added != 1 else ''} added from {summary.file}"
        + (f", {summary.skipped} already in the register" if summary.skipped else ""),
        highlight=False,
    )


interventions_app = typer.Typer(no_args_is_help=True, help="The intervention register (measure 10): list and export.")


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@interventions_app.command("list")
def interventions_list(
    public: Annotated[bool, typer.Option("--public", help="Only what the public sees (area level)")] = False,
    measure: Annotated[int | None, typer.Option(min=1, max=15, help="Only interventions of this measure")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table, csv or json")] = ListFormat.table,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of the screen")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The register; --public shows kind, months, buurten, partner and measure only (no location or note)."""
    import csv
    import io

    from .. import store
    from ..interventions import as_dict, list_interventions

    url = _url(database_url)
    with store.session(url, write=False) as s:
        rows = [as_dict(r, public=public) for r in list_interventions(s, measure=measure)]
    if fmt == ListFormat.json:
        text = _json(rows) + "\n"
    elif fmt == ListFormat.csv or out_file is not None:
        buf = io.StringIO()
        fields = list(rows[0]) if rows else ["id", "kind", "start", "end", "areas", "partner", "measure"]
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({**r, "areas": ";".join(r["areas"])})
        text = buf.getvalue()
    else:
        for r in rows:
            syn = " [SYNTHETIC]" if r["synthetic"] else ""
            out.print(
                f"{r['id']:>4} {r['kind']:20s} {r['start']} - {r['end'] or '':10s} measure {r['measure'] or '-':>2} "
                f"{r['partner']}: {', '.join(r['areas'][:6])}{' ...' if len(r['areas']) > 6 else ''}{syn}",
                highlight=False,
            )
        out.print(f"{len(rows)} interventions", highlight=False)
        return
    if out_file is None:
        typer.echo(text, nl=False)
        return
    try:
        out_file.write_text(text, "utf-8")
    except OSError as exc:
        raise InputError(
            "Cannot write the output file.", received=f"{out_file}: {exc.strerror}", expected="a writable path"
        ) from None
    err.print(f"wrote {len(rows)} interventions to {out_file}", highlight=False)


def compute_did_cmd(
    indicator: Annotated[str, typer.Option(help="Monthly count per buurt, e.g. registered.drug_trade")],
    control: Annotated[
        str, typer.Option(help="never (never-treated buurten) or notyet (also not-yet-treated)")
    ] = "notyet",
    kind: Annotated[
        list[str] | None, typer.Option(help="Only interventions of this kind (repeatable), e.g. closure_13b")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First month YYYY-MM (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month YYYY-MM (default: last with data)")] = None,
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format", help="table or json")] = OutFormat.table,
    database_url: DatabaseUrl = None,
) -> None:
    """Effects of the register's interventions over time: staggered DiD (Callaway & Sant'Anna) per buurt and month."""
    from ..compute_effects import compute_did

    run_id, result, described = compute_did(
        indicator=indicator, control=control, kinds=kind, start=start, end=end, division=division,
        url=_url(database_url),
    )  # fmt: skip
    s = result.summary()
    if fmt == OutFormat.json:
        typer.echo(_json({"run_id": run_id, **described, **s, "event_study": result.event.to_dict(orient="records")}))
    else:
        out.print(
            f"run {run_id}: {described['indicator']}, {described['from']}..{described['to']}, "
            f"{described['treated_in_window']} of {described['buurten']} buurten treated in the window "
            f"(control: {control})",
            highlight=False,
        )
        out.print(
            f"overall ATT {s['simple_att']:+.3f} a buurt-month "
            f"(95% {s['simple_low']:+.3f} to {s['simple_high']:+.3f}); "
            f"{s['pre_trend_cells_significant']} of {s['pre_trend_cells']} pre-treatment cells significant "
            "(parallel-trends check)",
            highlight=False,
        )
        ev = result.event[(result.event["e"] >= -6) & (result.event["e"] <= 12)]
        for r in ev.itertuples():
            out.print(f"  e={r.e:+3d}  {r.att:+8.3f}  [{r.low:+8.3f}, {r.high:+8.3f}]", highlight=False)
    if described["synthetic"]:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


def compute_synth_cmd(
    indicator: Annotated[str, typer.Option(help="Monthly count per buurt, e.g. registered.drug_trade")],
    treated: Annotated[str, typer.Option(help="The buurt of the intervention, e.g. AC02")],
    start: Annotated[str, typer.Option(help="Month the intervention started, YYYY-MM")],
    before: Annotated[str | None, typer.Option("--from", help="First month YYYY-MM (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month YYYY-MM (default: last with data)")] = None,
    donor: Annotated[
        list[str] | None, typer.Option(help="Donor buurt (repeatable; default: untouched buurten of its stadsdeel)")
    ] = None,
    placebo: Annotated[bool, typer.Option(help="Placebo tests over the donors (slower)")] = True,
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format", help="table or json")] = OutFormat.table,
    database_url: DatabaseUrl = None,
) -> None:
    """Synthetic control for one treated buurt (Abadie et al. 2010) with placebo tests over the donor buurten."""
    from ..compute_effects import compute_synthetic_control

    run_id, result, described = compute_synthetic_control(
        indicator=indicator, treated=treated, start=start, before=before, end=end, donors=donor,
        division=division, url=_url(database_url), placebo=placebo,
    )  # fmt: skip
    s = result.summary()
    if fmt == OutFormat.json:
        path = result.path.reset_index().rename(columns={"q": "quarter"}).to_dict(orient="records")
        typer.echo(_json({"run_id": run_id, **described, **s, "path": path}))
    else:
        out.print(
            f"run {run_id}: {treated}, {described['indicator']}, start {described['start']}, "
            f"{described['donors']} donors; weights {s['weights']}",
            highlight=False,
        )
        out.print(
            f"mean gap after the start {s['mean_gap_after']:+.2f} a quarter; pre-treatment RMSPE {s['pre_rmspe']:.2f}; "
            f"placebo p = {s['p_value']:.3f} ({s['placebos']} placebos)",
            highlight=False,
        )
    if described["synthetic"]:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


def compute_proximity_cmd(
    events: Annotated[str | None, typer.Option(help="Report points: events of this type, e.g. report.dealing")] = None,
    store_reports: Annotated[
        bool, typer.Option("--store-reports", help="Report points: residents' reports in the operational store")
    ] = False,
    background: Annotated[
        str, typer.Option(help="Null intensity per buurt: an indicator (population) or 'area'")
    ] = "population",
    radius: Annotated[str, typer.Option(help="Distances in metres, comma-separated")] = "50,100,200,300,500",
    simulations: Annotated[int, typer.Option(min=19, max=9999, help="Monte Carlo simulations")] = 999,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    facility_counts_radius: Annotated[
        float | None,
        typer.Option(
            "--facility-counts",
            help="Also print reports within this radius per facility, disclosure-controlled (partners only)",
        ),
    ] = None,
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format", help="table or json")] = OutFormat.table,
    database_url: DatabaseUrl = None,
) -> None:
    """Dealing near schools and playgrounds (measure 11): colocation quotient and cross-K/L with envelopes."""
    from .. import settings
    from ..analysis.proximity import cross_k, facility_counts
    from ..compute_effects import proximity_inputs

    division = division or settings.get("division")
    seed = settings.get("seed") if seed is None else seed
    try:
        radii = tuple(float(r) for r in radius.split(","))
    except ValueError:
        raise InputError(
            "The distances are not numbers.", received=repr(radius), expected="e.g. 50,100,200", fix="fix --radius"
        ) from None
    fac, pts, grid, synthetic = proximity_inputs(
        events=events, store_reports=store_reports, background=background, division=division,
        url=_url(database_url) if store_reports else None, home=None,
    )  # fmt: skip
    result = cross_k(fac, pts, grid, radii=radii, simulations=simulations, seed=int(seed))
    counts = None
    if facility_counts_radius:
        counts = facility_counts(fac, pts, facility_counts_radius, int(settings.get("disclosure_threshold")))
    if fmt == OutFormat.json:
        payload = {**result.summary(), "table": result.table.to_dict(orient="records"), "synthetic": synthetic}
        if counts is not None:
            payload["facility_counts"] = counts[["facility_id", "name", "type", "shown"]].to_dict(orient="records")
        typer.echo(_json(payload))
    else:
        out.print(f"{result.n_reports} reports, {len(fac)} facilities, {simulations} simulations", highlight=False)
        for ftype, g in result.table.groupby("facility_type"):
            out.print(f"{ftype} (CLQ reports -> {ftype}: {result.clq[ftype]:.2f})", highlight=False)
            for row in g.to_dict(orient="records"):
                pairs, low, high = float(row["pairs"]), float(row["low"]), float(row["high"])
                flag = "above" if pairs > high else ("below" if pairs < low else "inside")
                out.print(
                    f"  r={row['r']:5.0f} m  pairs {pairs:8.0f}  expected {row['expected']:8.1f}  "
                    f"envelope {low:8.0f}-{high:<8.0f} p {row['p']:.3f}  {flag}",
                    highlight=False,
                )
        if counts is not None:
            out.print(f"reports within {facility_counts_radius:.0f} m per facility (PARTNERS ONLY)", highlight=False)
            for c in counts.head(30).to_dict(orient="records"):
                out.print(f"  {str(c['type']):17s} {c['name'] or c['facility_id']}: {c['shown']}", highlight=False)
    if synthetic:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    """Attach this module's commands to the main CLI."""
    compute_app.command("displacement")(compute_displacement_cmd)
    ingest_app.command("interventions")(ingest_interventions_cmd)
    compute_app.command("did")(compute_did_cmd)
    compute_app.command("synthetic-control")(compute_synth_cmd)
    compute_app.command("facility-proximity")(compute_proximity_cmd)
    app.add_typer(interventions_app, name="interventions")
