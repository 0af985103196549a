"""The vulnerability inventory: ranks with their uncertainty, and one area's domain scores."""

from __future__ import annotations

import json
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from .common import ACCENT, ACCENT_LIGHT, INK, MUTED, NEUTRAL, PRIMARY, ChartMeta, apply, label
from .series import _numeric, _records, _require, value_text

__all__ = ["rank_interval_chart", "domain_chart"]

INTERVAL = "#9aa3ad"


def _rank_text(value: float, lang: str) -> str:
    return value_text(round(float(value)), lang) if pd.notna(value) else "–"


def rank_interval_chart(
    frame: pd.DataFrame,
    meta: ChartMeta,
    *,
    highlight: str | None = None,
    width: int | None = None,
    height: int | None = None,
) -> dict:
    """Areas sorted by rank (1 = most vulnerable, at the top), a point at the rank and a line over its 90 % interval.

    ``frame``: ``name``, ``code``, ``rank``, ``rank_low``, ``rank_high``; optional ``stadsdeel`` and
    ``href`` (clicking a point or line opens it). One row per area, the caller chooses the top N.
    ``highlight``: the name or code of one area, drawn in the accent colour with a bold label.
    Names that occur twice get their code added. ``height=None``: 22 px per area.
    """
    _require(frame, ["name", "code", "rank", "rank_low", "rank_high"], "rank chart")
    lang = meta.lang
    df = frame.copy()
    df["name"], df["code"] = df["name"].astype(str), df["code"].astype(str)
    for c in ("rank", "rank_low", "rank_high"):
        df[c] = _numeric(df, c)
    df = df.sort_values(["rank", "name"], kind="stable", na_position="last").reset_index(drop=True)
    dup = df["name"].duplicated(keep=False)
    df["_label"] = np.where(dup, df["name"] + " (" + df["code"] + ")", df["name"])
    df["_hl"] = (df["name"] == str(highlight)) | (df["code"] == str(highlight)) if highlight is not None else False
    df["_interval"] = [
        f"{_rank_text(lo, lang)} – {_rank_text(hi, lang)}"
        for lo, hi in zip(df["rank_low"], df["rank_high"], strict=True)
    ]
    df["_rank"] = [_rank_text(r, lang) for r in df["rank"]]
    cols = ["name", "code", "_label", "rank", "rank_low", "rank_high", "_hl", "_interval", "_rank"]
    has_sd = "stadsdeel" in df.columns
    has_href = "href" in df.columns and df["href"].notna().any()
    cols += (["stadsdeel"] if has_sd else []) + (["href"] if has_href else [])
    records = _records(df[cols])
    order = list(df["_label"])
    hl_labels = [lbl for lbl, h in zip(df["_label"], df["_hl"], strict=True) if h]
    test = " || ".join(f"datum.value === {json.dumps(lbl)}" for lbl in hl_labels) or "false"

    y = alt.Y(
        "_label:N",
        title=None,
        sort=order,
        axis=alt.Axis(
            labelLimit=260,
            labelColor=alt.condition(test, alt.value(INK), alt.value(MUTED)),
            labelFontWeight=alt.condition(test, alt.value("bold"), alt.value("normal")),
        ),
    )
    ranks = df[["rank", "rank_low", "rank_high"]].to_numpy(dtype="float64")
    hi = float(np.nanmax(ranks)) if np.isfinite(ranks).any() else 2.0
    x_scale = alt.Scale(domain=[1, max(hi, 2.0)], nice=False, zero=False)
    tooltip = [alt.Tooltip("name:N", title=label("area", lang))]
    if has_sd:
        tooltip.append(alt.Tooltip("stadsdeel:N", title=label("stadsdeel", lang)))
    tooltip += [
        alt.Tooltip("_rank:N", title=label("rank", lang)),
        alt.Tooltip("_interval:N", title=label("rank_interval", lang)),
    ]
    extra = {"href": alt.Href("href:N")} if has_href else {}
    cursor: Literal["pointer", "default"] = "pointer" if has_href else "default"
    base = alt.Chart(alt.Data(values=records))
    rule = base.mark_rule(strokeWidth=2.5, strokeCap="round", cursor=cursor).encode(
        x=alt.X(
            "rank_low:Q", title=label("rank", lang), scale=x_scale, axis=alt.Axis(format="d", tickCount=6, grid=True)
        ),
        x2="rank_high:Q",
        y=y,
        color=alt.condition("datum._hl", alt.value(ACCENT_LIGHT), alt.value(INTERVAL)),
        tooltip=tooltip,
        **extra,
    )
    point = base.mark_point(filled=True, opacity=1, cursor=cursor).encode(
        x="rank:Q",
        y=y,
        color=alt.condition("datum._hl", alt.value(ACCENT), alt.value(PRIMARY)),
        size=alt.condition("datum._hl", alt.value(90), alt.value(55)),
        tooltip=tooltip,
        **extra,
    )
    return apply(
        alt.layer(rule, point),
        meta,
        width,
        height if height is not None else 22 * max(len(order), 1),
        extra_lines=[label("rank_caption", lang)],
    )


def domain_chart(
    frame: pd.DataFrame,
    meta: ChartMeta,
    *,
    width: int | None = None,
    height: int | None = None,
    names: tuple[str, str, str] | None = None,
) -> dict:
    """Domain scores (0..1) of one area next to its stadsdeel and the city, as dots on a line per domain.

    ``frame``: ``domain`` (label), ``area``, ``stadsdeel``, ``stad`` (scores 0..1; NaN = not shown),
    one row per domain, in display order. ``names``: legend names for the three columns, e.g.
    ("Kolenkitbuurt", "Nieuw-West", "Amsterdam"); default "Dit gebied", "Stadsdeel", "Stad".
    ``height=None``: 30 px per domain.
    """
    _require(frame, ["domain", "area", "stadsdeel", "stad"], "domain chart")
    lang = meta.lang
    names = names or (label("this_area", lang), label("stadsdeel", lang), label("city", lang))
    names = (str(names[0]), str(names[1]), str(names[2]))
    df = frame.copy().reset_index(drop=True)
    df["domain"] = df["domain"].astype(str)
    for c in ("area", "stadsdeel", "stad"):
        df[c] = _numeric(df, c)
    order = list(dict.fromkeys(df["domain"]))
    long = []
    for _, row in df.iterrows():
        vals = [row[c] for c in ("area", "stadsdeel", "stad")]
        finite = [v for v in vals if pd.notna(v)]
        for who, v in zip(names, vals, strict=True):
            long.append(
                {
                    "domain": row["domain"],
                    "who": who,
                    "score": float(v) if pd.notna(v) else None,
                    "_text": value_text(v, lang, decimals=2) if pd.notna(v) else label("status_missing", lang),
                    "_lo": min(finite) if finite else None,
                    "_hi": max(finite) if finite else None,
                }
            )
    y = alt.Y("domain:N", title=None, sort=order, axis=alt.Axis(labelLimit=240, labelColor=INK))
    x = alt.X(
        "score:Q",
        title=meta.unit,
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2~f", grid=True),
    )
    base = alt.Chart(alt.Data(values=long))
    span = (
        base.transform_filter("isValid(datum._lo)")
        .mark_rule(color="#c9ced4", strokeWidth=2)
        .encode(x=alt.X("_lo:Q", scale=alt.Scale(domain=[0, 1], nice=False)), x2="_hi:Q", y=y)
    )
    colours = [ACCENT, PRIMARY, NEUTRAL]
    dots = (
        base.transform_filter("isValid(datum.score)")
        .mark_point(filled=True, opacity=1, stroke="#ffffff", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "who:N",
                scale=alt.Scale(domain=list(names), range=colours),
                sort=list(names),
                legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
            ),
            shape=alt.Shape(
                "who:N", scale=alt.Scale(domain=list(names), range=["circle", "square", "diamond"]), sort=list(names)
            ),
            size=alt.condition(f"datum.who === {json.dumps(names[0])}", alt.value(150), alt.value(80)),
            order=alt.Order("_z:Q"),
            tooltip=[
                alt.Tooltip("domain:N", title=label("domain", lang)),
                alt.Tooltip("who:N", title=label("area", lang)),
                alt.Tooltip("_text:N", title=meta.unit),
            ],
        )
        .transform_calculate(_z=f"datum.who === {json.dumps(names[0])} ? 1 : 0")
    )
    return apply(alt.layer(span, dots), meta, width, height if height is not None else 30 * max(len(order), 1))
