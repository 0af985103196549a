"""The map form: the layer picker and the choices made consistent (layer, level, period, class bounds)."""

from __future__ import annotations

import re

import pandas as pd

from ... import charts
from ...contract import LEVELS
from ...errors import InputError, NotFoundError
from ...public import PublicData
from .. import views
from ..i18n import t
from .common import (
    _map_levels,
)

#: Non-canonical indicators shown among the drug channels in the layer picker (real police registrations).
CHANNELS = ("registered.drug_nuisance", "registered.nuisance.alcohol_drugs")


def layer_options(data: PublicData, division: str, lang: str) -> list[dict]:
    """The map layer picker: canonical indicators, analyses, then the other sources' indicators (made once
    per warehouse version: the 2015 division has hundreds)."""
    return data.cached(("layer-options", division, lang), lambda: _layer_options(data, division, lang))


def _layer_options(data: PublicData, division: str, lang: str) -> list[dict]:
    cat = data.catalogue()
    cat = cat[cat["division"] == division]
    label = "label_en" if lang == "en" else "label_nl"
    # the drug channels side by side: the canonical ones (some synthetic stand-ins) and the real police
    # nuisance registrations; each says whether it is synthetic and whether it depends on police effort
    channel = cat["canonical"] | cat["indicator"].isin(CHANNELS)

    def channel_label(r) -> str:
        text = getattr(r, label)
        if bool(r.synthetic):
            return f"{text} ({t('channel.synthetic', lang)})"
        effort = getattr(r, "effort_dependent", None)
        if effort is not None and pd.notna(effort) and bool(effort):
            return f"{text} ({t('channel.effort', lang)})"
        return text

    groups = [
        {
            "label": t("group.indicators", lang),
            "options": [(r.indicator, channel_label(r)) for r in cat[channel].itertuples()],
        }
    ]
    results = []
    runs = data.runs(division)
    for layer_kind in views.RESULT_LAYERS:
        for indicator in runs[runs["kind"] == layer_kind].drop_duplicates(subset=["indicator"])["indicator"]:
            value = f"result:{layer_kind}" + (f":{indicator}" if indicator else "")
            text = t(f"result.{layer_kind}", lang)
            if indicator:
                text += f" — {views.indicator_label(data, indicator, division, lang)}"
            results.append((value, text))
    results += views.trend_test_options(data, runs, division, lang)  # emerging hot spots by another trend test
    if results:
        groups.append({"label": t("group.results", lang), "options": results})
    other = cat[~channel]
    if len(other):
        groups.append(
            {
                "label": t("group.other", lang),
                "options": [(r.indicator, f"{getattr(r, label)} ({r.indicator})") for r in other.itertuples()],
            }
        )
    return groups


def _default_layer(data: PublicData, division: str) -> str:
    cat = data.catalogue()
    cat = cat[cat["division"] == division]
    for pref in ("registered.drug_trade", "reports.drug_nuisance", "safety.index"):
        if (cat["indicator"] == pref).any():
            return pref
    if cat.empty:
        raise NotFoundError(
            "This division has no data to map.",
            received=division,
            expected="a division with observations",
            fix="choose another division",
        )
    return str(cat["indicator"].iloc[0])


def _bins(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(x.replace(",", ".")) for x in re.split(r"[;\s]+|,\s", text.strip()) if x]
    except ValueError:
        raise InputError(
            "The class breaks are not numbers.",
            received=repr(text),
            expected="numbers separated by spaces or semicolons, e.g. 1; 5; 10; 20",
            fix="type the upper bounds of the classes, smallest first",
        ) from None


def _layer_levels(data: PublicData, division: str, layer: str, levels: list[str]) -> list[str]:
    """The map levels at which an indicator layer has data (an analysis exists at its own level)."""
    kind, indicator, _ = views.parse_layer(layer)
    if kind != "indicator":
        return levels
    assert indicator is not None  # parse_layer: an indicator layer is named by its indicator
    info = data.indicator(indicator, division)
    published = [lv for lv in info["levels"] if lv in LEVELS]
    if info["canonical"] or info["flow"]:
        # canonical indicators and counts are aggregated up from the finest level they are published at
        finest = max((LEVELS.index(lv) for lv in published), default=len(LEVELS) - 1)
        return [lv for lv in levels if LEVELS.index(lv) <= finest] or levels
    return [lv for lv in levels if lv in published] or levels


def _fit_period(periods: dict[str, list[str]], period: str | None) -> str | None:
    """The asked period when the layer has it; else the latest of the same kind; else the default (None)."""
    if not period:
        return None
    if any(period in ps for ps in periods.values()):
        return period
    kind = {4: "year", 7: "month"}.get(len(period)) or ("half" if "-H" in period else "quarter")
    same = periods.get(kind) or []
    return same[0] if same else None


def map_form(
    data: PublicData,
    *,
    division: str | None,
    layer: str | None,
    level: str | None,
    period: str | None,
    classes: str = "quantiles",
    bins: str | None = None,
    lang: str = "nl",
) -> dict:
    """The map form's choices made consistent: a layer the division holds, a level and a period the layer has
    data for, valid fixed class bounds. What had to change is listed in ``adjusted`` (texts for the page)."""
    division = data.division(division)
    adjusted: list[str] = []
    groups = layer_options(data, division, lang)
    offered = {value for g in groups for value, _ in g["options"]}
    if layer and layer not in offered:
        adjusted.append(t("map.adjusted.layer", lang, division=t(f"division.{division}", lang)))
        layer = None
    layer = layer or _default_layer(data, division)
    levels = _layer_levels(data, division, layer, _map_levels(data, division))
    asked_level = level
    wanted = level or "wijk"  # wijken: counts big enough to show, areas small enough to see
    level = wanted if wanted in levels else ("wijk" if "wijk" in levels else levels[-1])
    if asked_level and level != asked_level:
        adjusted.append(t("map.adjusted.level", lang, level=t(f"level.{level}", lang).lower()))
    kind, indicator, _ = views.parse_layer(layer)
    if kind == "indicator" and period:
        assert indicator is not None  # parse_layer: an indicator layer is named by its indicator
        fitted = _fit_period(data.periods(division, indicator, level), period)
        if fitted != period:
            adjusted.append(t("map.adjusted.period", lang, period=period))
            period = fitted
    bins_error = None
    parsed_bins = None
    if classes == "fixed":
        try:
            parsed_bins = _bins(bins)
            if parsed_bins is not None:
                charts.classify([], "fixed", bins=parsed_bins, lang=lang)  # validates the bounds
        except InputError:
            bins_error = t("map.bins.invalid", lang, received=bins or "")
            parsed_bins = None
    return {
        "division": division,
        "layer": layer,
        "level": level,
        "asked_level": asked_level,
        "levels": levels,
        "period": period,
        "groups": groups,
        "adjusted": adjusted,
        "bins_error": bins_error,
        "bins": parsed_bins,
    }
