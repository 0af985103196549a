"""Choropleth maps: classified numbers or categories per area, with withheld and missing areas kept visible.

The input is a GeoJSON FeatureCollection in WGS84 (lon/lat). Each feature's ``properties`` hold at
least ``code``, ``name``, ``value`` (number or null), ``label`` (display text such as "12,3" or
"afgeschermd"), ``status`` ("published", "final", "provisional", "withheld"/"suppressed",
"missing", ...), ``href`` (the area profile URL) and, for categorical maps, ``category``.

Numbers are classified with mapclassify (quantiles, Fisher-Jenks natural breaks, or fixed bounds)
and coloured with ColorBrewer YlGnBu (colour-blind safe). Withheld areas are mid grey, areas
without data white with a grey outline; both get their own legend entry. The data are copied:
rings are rewound to the orientation d3-geo expects (RFC 7946 order would fill the whole globe),
and computed fields are added to the copy's properties with a leading underscore.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd

from ..errors import InputError
from .common import ChartMeta, apply, check_lang, format_number, label

__all__ = [
    "SCHEMES",
    "WITHHELD_COLOUR",
    "NO_DATA_COLOUR",
    "Classification",
    "classify",
    "class_of",
    "sequential_colours",
    "choropleth",
    "HOTSPOT_CATEGORIES",
    "EMERGING_CATEGORIES",
    "FLAG_CATEGORIES",
    "FLAG_VALUES",
    "flag_category",
]

SCHEMES = ("quantiles", "natural_breaks", "fixed")
WITHHELD_COLOUR = "#a3a3a3"
NO_DATA_COLOUR = "#ffffff"
NO_DATA_OUTLINE = "#8c959f"
NOT_SIGNIFICANT_COLOUR = "#ececec"
WITHHELD_STATUSES = frozenset({"withheld", "suppressed", "afgeschermd"})
MISSING_STATUSES = frozenset({"missing", "no data", "geen gegevens"})

#: ColorBrewer YlGnBu for 1..9 classes (colour-blind safe, prints well in grey).
_YLGNBU = {
    1: ["#41b6c4"],
    2: ["#a1dab4", "#225ea8"],
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    9: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"],
}


def sequential_colours(k: int) -> list[str]:
    """``k`` colours (1..9) from light to dark, ColorBrewer YlGnBu."""
    if not 1 <= k <= 9:
        raise InputError(
            "Too many or too few classes for the map palette.",
            received=str(k),
            expected="1 to 9 classes",
            fix="pass k between 1 and 9, or fewer fixed bounds",
        )
    return list(_YLGNBU[k])


# -- classification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """Class bounds for a numeric map.

    ``bins`` are the upper bounds (class i holds ``bins[i-1] < v <= bins[i]``, class 0 everything
    ``<= bins[0]``), ``labels`` the legend texts in the chart language, ``counts`` the number of
    (non-missing) values per class. An empty classification (no values) has no bins.
    """

    scheme: str
    bins: list[float]
    labels: list[str]
    counts: list[int] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.bins)


def _numeric(values: Iterable) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _decimals(points: list[float]) -> int:
    """The fewest decimals (0..4) at which the class bounds stay distinct, at least what their size needs."""
    points = sorted({float(p) for p in points if math.isfinite(p)})
    finite = [abs(p) for p in points]
    if not finite:
        return 0
    spread = max(finite) - min(finite) if len(finite) > 1 else max(finite)
    scale = max(spread, max(finite))
    start = 0 if scale >= 100 else 1 if scale >= 10 else 2 if scale >= 1 else 3
    if all(float(p).is_integer() for p in points if math.isfinite(p)):
        start = 0
    for d in range(start, 5):
        shown = [round(p, d) for p in points if math.isfinite(p)]
        if len(set(shown)) == len(shown):
            return d
    return 4


def _fmt(value: float, decimals: int, lang: str) -> str:
    return format_number(value, decimals, lang)


def _integer_labels(scheme: str, bins: list[float], lowest: float | None, lang: str) -> list[str]:
    """Labels of classes of whole numbers: a class (a, b] holds a+1 .. b, shown without decimals."""
    out = []
    for i, hi in enumerate(bins):
        top = math.floor(hi) if math.isfinite(hi) else hi
        if i == 0:
            low = None if (scheme == "fixed" or lowest is None) else math.ceil(lowest)
        else:
            low = math.floor(bins[i - 1]) + 1
        if math.isinf(top):
            out.append(f"≥ {_fmt(low, 0, lang)}" if low is not None else "")
        elif low is None:
            out.append(f"≤ {_fmt(top, 0, lang)}")
        elif low >= top:
            out.append(_fmt(top, 0, lang))
        else:
            out.append(f"{_fmt(low, 0, lang)} – {_fmt(top, 0, lang)}")
    return out


def _labels(scheme: str, bins: list[float], lowest: float | None, lang: str, integer: bool = False) -> list[str]:
    if not bins:
        return []
    if integer:
        return _integer_labels(scheme, bins, lowest, lang)
    points = list(bins) + ([lowest] if lowest is not None else [])
    if scheme == "fixed":  # the chosen bounds as given
        d = max((next((i for i in range(5) if round(b, i) == b), 4) for b in bins if math.isfinite(b)), default=0)
    else:
        d = _decimals(points)
    out = []
    for i, hi in enumerate(bins):
        if i == 0:
            if scheme == "fixed" or lowest is None:
                out.append(f"≤ {_fmt(hi, d, lang)}")
            elif lowest == hi:
                out.append(_fmt(hi, d, lang))
            else:
                out.append(f"{_fmt(lowest, d, lang)} – {_fmt(hi, d, lang)}")
        elif math.isinf(hi):
            out.append(f"> {_fmt(bins[i - 1], d, lang)}")
        else:
            out.append(f"{_fmt(bins[i - 1], d, lang)} – {_fmt(hi, d, lang)}")
    return out


def _check_fixed(bins: list[float] | None) -> list[float]:
    if bins is None or len(bins) == 0:
        raise InputError(
            "Fixed classification without class bounds.",
            received=repr(bins),
            expected="a list of increasing upper bounds, e.g. [1, 2.5, 5, 10]",
            fix='pass bins=[...] with scheme="fixed", or use scheme="quantiles"',
        )
    try:
        b = [float(x) for x in bins]
    except (TypeError, ValueError):
        raise InputError(
            "Class bounds must be numbers.",
            received=repr(bins),
            expected="a list of increasing numbers",
            fix="pass numeric upper bounds",
        ) from None
    if any(math.isnan(x) for x in b) or any(math.isinf(x) for x in b[:-1]) or b[-1] == -math.inf:
        raise InputError(
            "Class bounds must be finite numbers (only the last may be infinity).",
            received=repr(bins),
            expected="finite increasing numbers, optionally ending in float('inf')",
            fix="remove NaN or infinite bounds",
        )
    if any(b2 <= b1 for b1, b2 in zip(b, b[1:], strict=False)):
        raise InputError(
            "Class bounds must be strictly increasing.",
            received=repr(bins),
            expected="upper bounds sorted from low to high, no repeats",
            fix="sort the bounds and drop duplicates",
        )
    if len(b) > 9:
        sequential_colours(len(b))  # raises
    return b


def classify(
    values: pd.Series | Iterable[float],
    scheme: str = "quantiles",
    k: int = 5,
    bins: list[float] | None = None,
    lang: str = "nl",
    integer: bool = False,
) -> Classification:
    """Classify numbers for a map: ``quantiles``, ``natural_breaks`` (Fisher-Jenks, deterministic) or ``fixed``.

    NaN (and infinite) values are left out. With fewer distinct values than ``k`` the number of
    classes drops to the number of distinct values; no values at all give an empty classification
    (for ``fixed``: the given bounds with zero counts). For ``fixed``, values above the last bound
    get one extra class up to the maximum (as mapclassify.UserDefined does); end the bounds with
    ``float("inf")`` for an open top class ("> 10").

    ``integer=True`` is for counts (whole numbers): the bounds become whole numbers and the labels say
    which counts a class holds ("0", "1 – 2", "3 – 7"), never "0,0 – 2,4".
    """
    check_lang(lang)
    if scheme not in SCHEMES:
        raise InputError(
            "Unknown classification scheme.",
            received=repr(scheme),
            expected=", ".join(SCHEMES),
            fix='use scheme="quantiles", "natural_breaks" or "fixed" (with bins=[...])',
        )
    y = _numeric(values)
    y = y[np.isfinite(y)].to_numpy()
    if scheme == "fixed":
        b = _check_fixed(bins)
        if len(y):
            import mapclassify as mc

            finite_top = b[:-1] if math.isinf(b[-1]) else b
            if finite_top:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    extended = [float(x) for x in mc.UserDefined(y, finite_top).bins]
                b = extended if not math.isinf(b[-1]) else [*finite_top, math.inf]
            sequential_colours(len(b))
        out = Classification("fixed", b, _labels("fixed", b, None, lang, integer), [0] * len(b))
        return _with_counts(out, y)
    if not isinstance(k, int | np.integer) or k < 1:
        raise InputError(
            "The number of classes must be a positive whole number.",
            received=repr(k),
            expected="an integer from 1 to 9",
            fix="pass for example k=5",
        )
    sequential_colours(int(k))
    if len(y) == 0:
        return Classification(scheme, [], [], [])
    uniq = np.unique(y)
    k_eff = int(min(k, len(uniq)))
    if k_eff == len(uniq):
        b = [float(v) for v in uniq]
    else:
        import mapclassify as mc

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if scheme == "quantiles":
                b = [float(v) for v in mc.Quantiles(y, k=k_eff).bins]
            else:
                b = [float(v) for v in mc.FisherJenks(y, k=k_eff).bins]
        b = sorted(set(b))
    if integer:
        b = sorted({float(math.floor(v)) for v in b})
    b[-1] = max(b[-1], float(y.max()))
    out = Classification(scheme, b, _labels(scheme, b, float(y.min()), lang, integer), [0] * len(b))
    return _with_counts(out, y)


def _with_counts(c: Classification, y: np.ndarray) -> Classification:
    idx = class_of(pd.Series(y, dtype="float64"), c)
    counts = [int((idx == i).sum()) for i in range(c.k)]
    return Classification(c.scheme, c.bins, c.labels, counts)


def class_of(values: pd.Series | Iterable[float], classification: Classification) -> pd.Series:
    """The class index (0-based, nullable Int64) of each value; NA for NaN and for values above the last bound."""
    s = values if isinstance(values, pd.Series) else pd.Series(list(values))
    y = _numeric(s)
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    if not classification.bins:
        return out
    bins = np.asarray(classification.bins, dtype="float64")
    ok = np.isfinite(y.to_numpy())
    idx = np.searchsorted(bins, y.to_numpy()[ok], side="left")
    idx = np.where(idx >= len(bins), -1, idx)
    vals = pd.array(idx, dtype="Int64")
    vals[idx < 0] = pd.NA
    out[ok] = vals
    return out


# -- category palettes ---------------------------------------------------------------------------


def _pick(lang: str, rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    check_lang(lang)
    return [(value, nl if lang == "nl" else en, colour) for value, nl, en, colour in rows]


def HOTSPOT_CATEGORIES(lang: str = "nl") -> list[tuple[str, str, str]]:  # noqa: N802 - a palette constant
    """Gi* categories of ``weerbaar.analysis.hotspots`` as (value, legend label, colour), hot to cold.

    Values: "hot spot 99%", "hot spot 95%", "hot spot 90%", "not significant", "cold spot 90%",
    "cold spot 95%", "cold spot 99%", "insufficient data". Colours: the six outer classes of ColorBrewer
    RdBu (11), red for hot and blue for cold, darker with more confidence (a diverging scheme readable
    with the common colour-blindnesses; even the 90% classes stand out from the grey of "not
    significant"), insufficient data as "no data" (white, grey outline).
    """
    return _pick(
        lang,
        [
            ("hot spot 99%", "Hotspot (99%)", "Hot spot (99%)", "#67001f"),
            ("hot spot 95%", "Hotspot (95%)", "Hot spot (95%)", "#b2182b"),
            ("hot spot 90%", "Hotspot (90%)", "Hot spot (90%)", "#d6604d"),
            ("not significant", "Niet significant", "Not significant", NOT_SIGNIFICANT_COLOUR),
            ("cold spot 90%", "Coldspot (90%)", "Cold spot (90%)", "#4393c3"),
            ("cold spot 95%", "Coldspot (95%)", "Cold spot (95%)", "#2166ac"),
            ("cold spot 99%", "Coldspot (99%)", "Cold spot (99%)", "#053061"),
            ("insufficient data", "Onvoldoende gegevens", "Insufficient data", NO_DATA_COLOUR),
        ],
    )


def EMERGING_CATEGORIES(lang: str = "nl") -> list[tuple[str, str, str]]:  # noqa: N802 - a palette constant
    """Emerging hot spot categories of ``weerbaar.analysis.emerging`` as (value, legend label, colour).

    Values: "{kind} hot spot" and "{kind} cold spot" for kind in new, consecutive, intensifying,
    persistent, diminishing, sporadic, oscillating, historical; then "no pattern detected" and
    "insufficient data". Hot spots in reds (steady patterns) and oranges (irregular ones), cold
    spots in blues and blue-purples, no pattern light grey, insufficient data as "no data".
    """
    hot = [
        ("new", "Nieuwe hotspot", "New hot spot", "#fc9272"),
        ("consecutive", "Aaneengesloten hotspot", "Consecutive hot spot", "#ef3b2c"),
        ("intensifying", "Toenemende hotspot", "Intensifying hot spot", "#67000d"),
        ("persistent", "Aanhoudende hotspot", "Persistent hot spot", "#a50f15"),
        ("diminishing", "Afnemende hotspot", "Diminishing hot spot", "#fdd0a2"),
        ("sporadic", "Sporadische hotspot", "Sporadic hot spot", "#fd8d3c"),
        ("oscillating", "Wisselende hotspot", "Oscillating hot spot", "#d94801"),
        ("historical", "Voormalige hotspot", "Historical hot spot", "#c7a99a"),
    ]
    cold = [
        ("new", "Nieuwe coldspot", "New cold spot", "#9ecae1"),
        ("consecutive", "Aaneengesloten coldspot", "Consecutive cold spot", "#4292c6"),
        ("intensifying", "Toenemende coldspot", "Intensifying cold spot", "#08306b"),
        ("persistent", "Aanhoudende coldspot", "Persistent cold spot", "#2171b5"),
        ("diminishing", "Afnemende coldspot", "Diminishing cold spot", "#c6dbef"),
        ("sporadic", "Sporadische coldspot", "Sporadic cold spot", "#9e9ac8"),
        ("oscillating", "Wisselende coldspot", "Oscillating cold spot", "#54278f"),
        ("historical", "Voormalige coldspot", "Historical cold spot", "#a9b4c4"),
    ]
    rows = [(f"{k} hot spot", nl, en, c) for k, nl, en, c in hot]
    rows += [(f"{k} cold spot", nl, en, c) for k, nl, en, c in cold]
    rows += [
        ("no pattern detected", "Geen patroon", "No pattern detected", NOT_SIGNIFICANT_COLOUR),
        ("insufficient data", "Onvoldoende gegevens", "Insufficient data", NO_DATA_COLOUR),
    ]
    return _pick(lang, rows)


#: The category values of the zwijgwijk map, see FLAG_CATEGORIES and flag_category.
FLAG_VALUES = ("zwijgwijk", "effort", "none", "not tested")


def FLAG_CATEGORIES(lang: str = "nl") -> list[tuple[str, str, str]]:  # noqa: N802 - a palette constant
    """Zwijgwijk map categories as (value, legend label, colour).

    Values (``FLAG_VALUES``):

    * ``"zwijgwijk"``: flag "zwijgwijk" of the measurement model (fewer reports than expected);
    * ``"effort"``: flag "effort" (registrations driven by police effort);
    * ``"none"``: tested, not flagged (the analysis stores flag "");
    * ``"not tested"``: column ``tested`` False (missing input, too few inhabitants, ...).

    ``flag_category(flag, tested)`` turns the analysis columns into these values. Colours: purple
    and orange (ColorBrewer PuOr ends, colour-blind safe), light grey, white with outline.
    """
    return _pick(
        lang,
        [
            (
                "zwijgwijk",
                "Zwijgwijk (minder meldingen dan verwacht)",
                "Zwijgwijk (fewer reports than expected)",
                "#5e3c99",
            ),
            ("effort", "Registraties gedreven door politie-inzet", "Registrations driven by police effort", "#e66101"),
            ("none", "Niet gesignaleerd", "Not flagged", NOT_SIGNIFICANT_COLOUR),
            ("not tested", "Niet getoetst", "Not tested", NO_DATA_COLOUR),
        ],
    )


def flag_category(flag: str | None, tested: bool = True) -> str:
    """The FLAG_CATEGORIES value of one area from its ``flag`` ("zwijgwijk", "effort" or "") and ``tested``."""
    if flag in ("zwijgwijk", "effort"):
        return flag
    return "none" if tested else "not tested"


# -- the map -------------------------------------------------------------------------------------


def _signed_area(ring: list) -> float:
    total = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        total += x1 * y2 - x2 * y1
    return total / 2


def _round_ring(ring: list, exterior: bool) -> list:
    pts = [[round(float(p[0]), 5), round(float(p[1]), 5)] for p in ring]
    ccw = _signed_area(pts) > 0
    # d3-geo: exterior rings clockwise, holes counter-clockwise (the reverse of RFC 7946).
    if ccw == exterior:
        pts.reverse()
    return pts


def _rewind(geometry: dict | None) -> dict | None:
    if not geometry:
        return None
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_round_ring(r, i == 0) for i, r in enumerate(geometry["coordinates"])]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [[_round_ring(r, i == 0) for i, r in enumerate(poly)] for poly in geometry["coordinates"]],
        }
    if kind == "GeometryCollection":
        parts = [_rewind(g) for g in geometry.get("geometries", [])]
        return {"type": kind, "geometries": [g for g in parts if g]}
    return copy.deepcopy(geometry)


def _check_geojson(geojson: Any) -> list[dict]:
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise InputError(
            "The map needs a GeoJSON FeatureCollection.",
            received=type(geojson).__name__ if not isinstance(geojson, dict) else repr(geojson.get("type")),
            expected='{"type": "FeatureCollection", "features": [...]} in WGS84 lon/lat',
            fix="pass GeoDataFrame.to_crs(4326).__geo_interface__ or the /geo endpoint's JSON",
        )
    feats = geojson.get("features")
    if not isinstance(feats, list):
        raise InputError(
            "The FeatureCollection has no feature list.",
            received=repr(type(feats).__name__),
            expected="a list of features",
            fix='add "features": [...]',
        )
    for f in feats[:20]:
        geom = (f or {}).get("geometry") or {}
        first = geom.get("coordinates")
        while isinstance(first, list) and first and isinstance(first[0], list):
            first = first[0]
        if isinstance(first, list) and len(first) >= 2 and (abs(first[0]) > 180 or abs(first[1]) > 90):
            raise InputError(
                "Map coordinates are not longitude/latitude.",
                received=f"a coordinate {first[:2]}",
                expected="WGS84 (EPSG:4326) lon/lat, e.g. [4.9, 52.37]",
                fix="reproject first: frame.to_crs(4326)",
            )
    return feats


def _status_text(status: str, lang: str) -> str:
    s = (status or "").strip().lower()
    if s in WITHHELD_STATUSES:
        return label("status_withheld", lang)
    if s in MISSING_STATUSES:
        return label("status_missing", lang)
    key = f"status_{s}" if s in ("final", "provisional", "synthetic") else s
    if key == "published" or key.startswith("status_"):
        return label(key, lang)
    return status or ""


def _value_label(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return label("status_missing", lang)
    v = float(value)
    d = 0 if v.is_integer() else 2 if abs(v) < 100 else 1
    text = format_number(v, d, lang)
    sep = "," if lang == "nl" else "."
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return text


def choropleth(
    geojson: dict,
    meta: ChartMeta,
    *,
    field: str = "value",
    classification: Classification | None = None,
    categories: list[tuple[str, str, str]] | None = None,
    width: int | None = None,
    height: int = 420,
    href: bool = True,
    tooltip_fields: list[tuple[str, str]] | None = None,
    legend_title: str | None = None,
    legend_orient: Literal["right", "bottom"] = "right",
) -> dict:
    """A choropleth of areas: numeric (classified) or categorical, as a Vega-Lite spec dict.

    Numeric (``categories`` None): features are coloured by their class of ``properties[field]``;
    without ``classification`` one is made with ``classify(values, "quantiles", 5)``. Values above
    the last bound of a given classification are shown in the top class. Features with a
    withheld status ("withheld"/"suppressed") are grey ("Afgeschermd"), whatever their value; with a
    null value they are white with an outline ("Geen gegevens").

    Categorical: ``categories`` is [(category value, legend label, colour), ...] (e.g.
    ``HOTSPOT_CATEGORIES(lang)``); features are coloured by ``properties["category"]``. A null or
    empty category shows as withheld or no data by status; an unknown category is an error.
    Only categories that occur are listed in the legend, in the given order.

    Withheld features lose their value in the spec (``value`` and ``field`` set to null, label
    "afgeschermd"), so the number never reaches the browser.

    ``tooltip_fields``: [(property name, title), ...]; default: name, category (categorical),
    value label and status. ``href=True`` links each area to ``properties["href"]`` (click opens it).
    ``legend_orient``: "right" (default) or "bottom" (two columns under the map, for narrow pages).
    """
    if legend_orient not in ("right", "bottom"):
        raise InputError(
            "Unknown legend position.",
            received=repr(legend_orient),
            expected='"right" or "bottom"',
            fix='pass legend_orient="right" or "bottom"',
        )
    lang = meta.lang
    feats = _check_geojson(geojson)
    withheld_lbl, nodata_lbl = label("withheld", lang), label("no_data", lang)
    out_feats: list[dict] = []
    keys: list[str] = []
    for f in feats:
        geom = _rewind((f or {}).get("geometry"))
        if not geom:
            continue
        props = dict(f.get("properties") or {})
        status = str(props.get("status") or "")
        withheld = status.strip().lower() in WITHHELD_STATUSES
        props["_status"] = _status_text(status, lang) or (
            label("status_missing", lang) if props.get(field) is None else label("published", lang)
        )
        if withheld:  # never ship a withheld number to the browser
            for key in {field, "value"} & set(props):
                props[key] = None
            props["label"] = label("status_withheld", lang)
        elif "label" not in props or props["label"] is None:
            props["label"] = _value_label(props.get(field), lang)
        props["_aria"] = f"{props.get('name') or props.get('code') or ''}: {props['label']}"
        out_feats.append({"type": "Feature", "geometry": geom, "properties": props})
        keys.append("withheld" if withheld else "")

    if categories is not None:
        domain, colours = _categorical_keys(out_feats, keys, categories, withheld_lbl, nodata_lbl, lang)
        title = legend_title if legend_title is not None else label("category", lang)
    else:
        domain, colours = _numeric_keys(out_feats, keys, field, classification, withheld_lbl, nodata_lbl, lang)
        title = legend_title if legend_title is not None else meta.unit
    # No-data areas last, so their outline is drawn over the white borders of their neighbours.
    out_feats.sort(key=lambda f: f["properties"]["_nodata"])

    # Altair copies and walks inline data (0.4 s for 500 areas): build the spec around a placeholder and put
    # the features in afterwards.
    placeholder = {"type": "FeatureCollection", "features": [], "weerbaar": "areas"}
    data = alt.InlineData(values=placeholder, format=alt.DataFormat(type="json", property="features"))
    if tooltip_fields is None:
        tooltip_fields = [("name", label("area", lang))]
        if categories is not None:
            tooltip_fields.append(("_key", label("category", lang)))
        tooltip_fields += [("label", f"{label('value', lang)} ({meta.unit})"), ("_status", label("status", lang))]
    tooltip = [alt.Tooltip(f"properties.{name}:N", title=title_) for name, title_ in tooltip_fields]
    encoding: dict[str, Any] = {
        "color": alt.Color(
            "properties._key:N",
            scale=alt.Scale(domain=domain, range=colours),
            legend=alt.Legend(
                title=title,
                orient=legend_orient,
                columns=2 if legend_orient == "bottom" else alt.Undefined,
                direction="vertical",
                symbolType="square",
                symbolStrokeColor=NO_DATA_OUTLINE,
                symbolStrokeWidth=0.6,
                symbolSize=180,
                labelLimit=300,
            ),
            sort=domain,
        ),
        "stroke": alt.condition("datum.properties._nodata", alt.value(NO_DATA_OUTLINE), alt.value("#ffffff")),
        "tooltip": tooltip,
        # what a screen reader says for an area (instead of Vega-Lite's list of internal fields)
        "description": alt.Description("properties._aria:N"),
    }
    has_href = href and any(f["properties"].get("href") for f in out_feats)
    if has_href:
        encoding["href"] = alt.Href("properties.href:N")
    chart = (
        alt.Chart(data)
        .mark_geoshape(strokeWidth=0.7, cursor="pointer" if has_href else "default")
        .encode(**encoding)
        .project(type="mercator")
    )
    spec = apply(chart, meta, width, height)
    for name, values in spec.get("datasets", {}).items():
        if isinstance(values, dict) and values.get("weerbaar") == "areas":
            spec["datasets"][name] = {"type": "FeatureCollection", "features": out_feats}
    return spec


def _numeric_keys(feats, keys, field, classification, withheld_lbl, nodata_lbl, lang):
    values = pd.Series(
        [np.nan if k else f["properties"].get(field) for f, k in zip(feats, keys, strict=True)], dtype="object"
    )
    values = _numeric(values)
    c = classification if classification is not None else classify(values, "quantiles", 5, lang=lang)
    idx = class_of(values, c)
    if c.bins:
        over = values.notna() & idx.isna() & (values > c.bins[-1])
        idx[over] = c.k - 1
    colours = sequential_colours(c.k) if c.k else []
    domain = list(c.labels)
    used_withheld = used_nodata = False
    for f, k, i in zip(feats, keys, idx, strict=True):
        p = f["properties"]
        p["_nodata"] = False
        if k == "withheld":
            p["_key"], used_withheld = withheld_lbl, True
        elif pd.isna(i):
            p["_key"], p["_nodata"], used_nodata = nodata_lbl, True, True
        else:
            p["_key"] = c.labels[int(i)]
            p["_class"] = int(i)
    if used_withheld:
        domain.append(withheld_lbl)
        colours.append(WITHHELD_COLOUR)
    if used_nodata:
        domain.append(nodata_lbl)
        colours.append(NO_DATA_COLOUR)
    return domain, colours


def _categorical_keys(feats, keys, categories, withheld_lbl, nodata_lbl, lang):
    known = {}
    for row in categories:
        if len(row) != 3:
            raise InputError(
                "Each map category needs a value, a legend label and a colour.",
                received=repr(row),
                expected="(value, label, colour), e.g. ('hot spot 99%', 'Hotspot (99%)', '#b2182b')",
                fix="use HOTSPOT_CATEGORIES(lang), EMERGING_CATEGORIES(lang) or FLAG_CATEGORIES(lang)",
            )
        known[str(row[0])] = (str(row[1]), str(row[2]))
    unknown = sorted(
        {
            str(f["properties"].get("category"))
            for f in feats
            if f["properties"].get("category") not in (None, "") and str(f["properties"].get("category")) not in known
        }
    )
    if unknown:
        raise InputError(
            "Map categories without a legend entry.",
            received=", ".join(unknown[:10]),
            expected=", ".join(known),
            fix="add the categories to the list or map them to one of the expected values",
        )
    used = set()
    extra_withheld = extra_nodata = False
    for f, k in zip(feats, keys, strict=True):
        p = f["properties"]
        cat = p.get("category")
        p["_nodata"] = False
        if cat not in (None, ""):
            lbl, colour = known[str(cat)]
            p["_key"] = lbl
            p["_nodata"] = colour.lower() == NO_DATA_COLOUR
            used.add(str(cat))
        elif k == "withheld":
            p["_key"], extra_withheld = withheld_lbl, True
        else:
            p["_key"], p["_nodata"], extra_nodata = nodata_lbl, True, True
    domain, colours = [], []
    for value, (lbl, colour) in known.items():
        if value in used and lbl not in domain:
            domain.append(lbl)
            colours.append(colour)
    if extra_withheld and withheld_lbl not in domain:
        domain.append(withheld_lbl)
        colours.append(WITHHELD_COLOUR)
    if extra_nodata and nodata_lbl not in domain:
        domain.append(nodata_lbl)
        colours.append(NO_DATA_COLOUR)
    return domain, colours
