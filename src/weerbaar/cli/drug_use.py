"""Drug use from the sewer and the market behind it: ``weerbaar wastewater``, ``weerbaar market``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from .. import pipeline, settings
from ..errors import WeerbaarError
from .base import Format, _fmt_num, _show, app, err, out


@app.command()
def wastewater(
    city: Annotated[str, typer.Option(help="City as named in the EUDA data (matched by name).")] = "Amsterdam",
    year: Annotated[int | None, typer.Option(help="Year (default: the city's latest).")] = None,
    substance: Annotated[
        str | None,
        typer.Option(help="cocaine, mdma, amphetamine, methamphetamine, ketamine or cannabis (default: all)."),
    ] = None,
    concentration: Annotated[
        float | None,
        typer.Option(help="Own measurement: metabolite concentration in ng/L (with --flow, --population)."),
    ] = None,
    flow: Annotated[float | None, typer.Option(help="Own measurement: daily wastewater flow in L/day.")] = None,
    population: Annotated[
        float | None,
        typer.Option(
            help="Population served: for an own measurement, or the people the EUDA figures' grams a day are "
            "computed for (default: the EUDA site table)."
        ),
    ] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of the interval.", min=100)] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
) -> None:
    """Drug use from the sewer: consumption per 1000 inhabitants a day, grams a day, interval and rank (annex 2).

    With --concentration, --flow and --population it back-calculates an own measurement instead."""
    from ..analysis.wastewater import SUBSTANCES, consumption_interval, load_from_measurements
    from ..analysis.wastewater import substance as find_substance
    from ..drug_use import Wastewater, load_wastewater

    seed = settings.get("seed") if seed is None else seed
    own = [concentration, flow, population]
    if any(v is not None for v in own):
        if concentration is None or flow is None or population is None or substance is None:
            raise WeerbaarError(
                "An own measurement needs a concentration, a flow, a population and a substance.",
                received=f"concentration={concentration}, flow={flow}, population={population}, substance={substance}",
                expected="--concentration NG_PER_L --flow L_PER_DAY --population N --substance S",
                fix="give all four",
            )
        sub = find_substance(substance)
        load = load_from_measurements(concentration, flow, population)
        est = consumption_interval(load, sub.key, population, draws=draws, seed=seed)
        result = {
            "substance": sub.key,
            "metabolite": sub.metabolite,
            "load_mg_per_1000_per_day": load,
            "correction_factor": sub.correction_factor,
            **{k: v.to_dict() for k, v in est.items()},
            "caveat": sub.caveat,
        }
        if fmt is Format.json:
            sys.stdout.write(json.dumps(result, indent=1) + "\n")
        else:
            _show(
                pd.DataFrame(
                    [
                        {k: v for k, v in result.items() if not isinstance(v, dict)}
                        | {
                            "per_1000": est["per_1000"].value,
                            "per_1000_low": est["per_1000"].low,
                            "per_1000_high": est["per_1000"].high,
                            "grams_per_day": est["grams_per_day"].value,
                            "grams_low": est["grams_per_day"].low,
                            "grams_high": est["grams_per_day"].high,
                        }
                    ]
                ),
                fmt,
            )
        return
    with pipeline.open_warehouse() as wh:
        ww = Wastewater(*load_wastewater(wh))
    name = ww.city(city)
    keys = (
        [ww.substance(substance)]
        if substance
        else [s for s in SUBSTANCES if ww.years(name, s) and (year is None or year in ww.years(name, s))]
    )
    if not keys:
        raise WeerbaarError(
            "No wastewater data for that city and year.",
            received=f"{name}, {year}",
            expected="a year with measurements: "
            + ", ".join(f"{s} {ww.years(name, s)[0]}-{ww.years(name, s)[-1]}" for s in SUBSTANCES if ww.years(name, s)),
            fix="choose another --year",
        )
    rows = [ww.summary(name, year, k, draws=draws, seed=seed, population=population) for k in keys]
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows if substance is None else rows[0], indent=1, ensure_ascii=False) + "\n")
        return
    flat = pd.DataFrame(
        [
            {
                "substance": r["substance"],
                "year": r["year"],
                "load_mg_per_1000": r["load_mg_per_1000_per_day"],
                "consumption_mg_per_1000": r["consumption_mg_per_1000_per_day"]["value"],
                "consumption_low": r["consumption_mg_per_1000_per_day"]["low"],
                "consumption_high": r["consumption_mg_per_1000_per_day"]["high"],
                "grams_per_day": (r["grams_per_day"] or {}).get("value"),
                "grams_low": (r["grams_per_day"] or {}).get("low"),
                "grams_high": (r["grams_per_day"] or {}).get("high"),
                "rank": r["rank"],
                "cities": r["cities"],
                "change_pct": r["change_pct"],
            }
            for r in rows
        ]
    )
    if fmt is Format.csv:
        _show(flat, fmt)
        return
    table = Table(title=f"{name}: drug use from the sewer (EUDA/SCORE), 90% intervals")
    for col in ("substance", "year", "mg/1000/day (interval)", "grams/day (interval)", "rank (Europe)", "vs prev."):
        table.add_column(col, justify="left" if col == "substance" else "right", no_wrap=True)
    for r, f in zip(rows, flat.to_dict("records"), strict=True):
        grams = (
            f"{_fmt_num(f['grams_per_day'], 0)} ({_fmt_num(f['grams_low'], 0)}-{_fmt_num(f['grams_high'], 0)})"
            if f["grams_per_day"] is not None
            else ""
        )
        table.add_row(
            r["substance"],
            str(r["year"]),
            f"{_fmt_num(f['consumption_mg_per_1000'], 0)} ({_fmt_num(f['consumption_low'], 0)}-"
            f"{_fmt_num(f['consumption_high'], 0)})",
            grams,
            f"{r['rank']}/{r['cities']}",
            "" if r["change_pct"] is None else f"{r['change_pct']:+.0f}%",
        )
    out.print(table)
    pop = rows[0]["population_served"] if rows else None
    err.print(
        f"consumption of the parent drug, back-calculated from the metabolite load; grams for the {pop:,.0f} "
        "people the treatment plant serves (latest site table). Source: EUDA and the SCORE group."
        if pop
        else "Source: EUDA and the SCORE group.",
        highlight=False,
    )
    for r in rows:
        if r["caveat"]:
            err.print(f"note ({r['substance']}): {r['caveat']}", highlight=False)


@app.command()
def market(
    pure_grams_per_day: Annotated[
        str, typer.Option(help="Pure grams a day: a value, or low:mode:high (e.g. 1800:2000:2400).")
    ],
    purity: Annotated[str, typer.Option(help="Street purity in (0, 1]: a value or low:mode:high.")],
    price: Annotated[str, typer.Option(help="Street price in EUR a gram: a value or low:mode:high.")],
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.", min=100)] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
) -> None:
    """The money behind the use: pure grams a day -> street grams through purity -> euros a year through price."""
    from ..analysis.market import Uncertain
    from ..analysis.market import market as market_estimate

    seed = settings.get("seed") if seed is None else seed
    result = market_estimate(
        Uncertain.parse(pure_grams_per_day), Uncertain.parse(purity), Uncertain.parse(price), draws=draws, seed=seed
    )
    frame = pd.DataFrame([{"figure": k, **v.to_dict()} for k, v in result.items()])
    if fmt is not Format.table:
        _show(frame, fmt)
        return
    table = Table(title="Street market estimate, 90% intervals")
    for col in ("figure", "value", "low", "high"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for row in frame.to_dict("records"):
        digits = 0
        table.add_row(
            row["figure"], _fmt_num(row["value"], digits), _fmt_num(row["low"], digits), _fmt_num(row["high"], digits)
        )
    out.print(table)
