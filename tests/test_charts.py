"""Chart and map specs: classification, metadata lines, schema validity and rendering with vl-convert."""

from __future__ import annotations

import copy
import html
import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc  # noqa: E402 - a dependency of weerbaar, never skipped
from altair.utils.schemapi import validate_jsonschema

from weerbaar.analysis.channels import FLAGS
from weerbaar.analysis.emerging import CATEGORIES as EMERGING_VALUES
from weerbaar.analysis.hotspots import GI_CATEGORIES
from weerbaar.charts import (
    EMERGING_CATEGORIES,
    FLAG_CATEGORIES,
    FLAG_VALUES,
    HOTSPOT_CATEGORIES,
    ChartMeta,
    bar_compare,
    choropleth,
    class_of,
    classify,
    domain_chart,
    flag_category,
    period_date,
    rank_interval_chart,
    subtitle_lines,
    trend_chart,
)
from weerbaar.charts.common import base_config, label
from weerbaar.errors import InputError

# The Vega-Lite schema of the installed Altair (v6; v5 for Altair 5).
SCHEMA = (getattr(alt.vegalite, "v6", None) or alt.vegalite.v5).schema.core.load_schema()
MARK_NL = "SYNTHETISCHE DEMONSTRATIEDATA — geen echte cijfers"
MARK_EN = "SYNTHETIC DEMONSTRATION DATA — not real figures"


# -- fixtures ------------------------------------------------------------------------------------


def squares_geojson(categories: list[str | None] | None = None) -> dict:
    """Four squares of about 1.4 km around Amsterdam Centraal, rings counter-clockwise (RFC 7946)."""
    rows = [
        ("A01", "Burgwallen", 1.5, "published"),
        ("A02", "Jordaan", 12.25, "published"),
        ("A03", "De Pijp", 4.0, "withheld"),  # a value that must not show
        ("A04", "Oost", None, "missing"),
    ]
    feats = []
    for i, (code, name, value, status) in enumerate(rows):
        x, y = 4.88 + 0.02 * (i % 2), 52.36 + 0.0125 * (i // 2)
        ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.0125], [x, y + 0.0125], [x, y]]
        props = {
            "code": code,
            "name": name,
            "value": value,
            "label": "afgeschermd" if status == "withheld" else (None if value is None else str(value)),
            "status": status,
            "href": f"/nl/gebied/{code}",
        }
        if categories is not None:
            props["category"] = categories[i]
        feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def trend_frame() -> pd.DataFrame:
    rows = []
    for series, base in (("Burgwallen", 12.0), ("Stad", 8.0)):
        for year in range(2019, 2024):
            for q in range(1, 5):
                v = base + (year - 2019) + q / 4
                status = "withheld" if (series == "Burgwallen" and year == 2021 and q == 2) else "final"
                rows.append(
                    {
                        "series": series,
                        "period": f"{year}-Q{q}",
                        "value": v,
                        "low": v - 1,
                        "high": v + 1,
                        "status": status,
                    }
                )
    return pd.DataFrame(rows)


def bar_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Centrum", "Nieuw-West", "Noord", "Oost"],
            "value": [12.5, 8.1, np.nan, 6.3],
            "reference": 8.0,
            "status": ["final", "final", "withheld", "final"],
        }
    )


def rank_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Kolenkit", "Slotermeer", "Bijlmer C", "Kolenkit"],
            "code": ["E38", "F11", "T93", "X01"],
            "rank": [3, 1, 2, 4],
            "rank_low": [1, 1, 1, 2],
            "rank_high": [9, 4, 6, 12],
            "stadsdeel": ["West", "Nieuw-West", "Zuidoost", "Elders"],
            "href": ["/nl/gebied/E38", "/nl/gebied/F11", "/nl/gebied/T93", "/nl/gebied/X01"],
        }
    )


def domain_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["Bewoners", "Geregistreerd", "Overlast"],
            "area": [0.82, 0.65, np.nan],
            "stadsdeel": [0.6, 0.55, 0.7],
            "stad": [0.5, 0.5, 0.5],
        }
    )


def meta(synthetic: bool = False, lang: str = "nl", **kw) -> ChartMeta:
    defaults = {
        "title": "Drugsoverlast & meldingen",
        "source": "Politie (synthetisch)" if synthetic else "OIS Amsterdam",
        "period": "2019-Q1 .. 2023-Q4",
        "unit": "per 1.000 inwoners",
    }
    defaults.update(kw)
    return ChartMeta(synthetic=synthetic, lang=lang, **defaults)


BUILDERS = {
    "choropleth": lambda m, w: choropleth(squares_geojson(), m, width=w),
    "choropleth_hotspots": lambda m, w: choropleth(
        squares_geojson(["hot spot 99%", "not significant", None, "insufficient data"]),
        m,
        categories=HOTSPOT_CATEGORIES(m.lang),
        width=w,
    ),
    "trend_chart": lambda m, w: trend_chart(trend_frame(), m, breaks=["2022-Q1"], width=w),
    "bar_compare": lambda m, w: bar_compare(bar_frame(), m, width=w, highlight="Noord"),
    "rank_interval_chart": lambda m, w: rank_interval_chart(rank_frame(), m, highlight="E38", width=w),
    "domain_chart": lambda m, w: domain_chart(domain_frame(), m, width=w),
}


def assert_valid(spec: dict) -> None:
    json.dumps(spec, allow_nan=False)  # plain JSON, no NaN
    validate_jsonschema(spec, SCHEMA)


# -- classification ------------------------------------------------------------------------------


def test_quantile_bins_equal_numpy_quantiles():
    values = pd.Series(np.arange(1.0, 21.0) ** 1.5)
    c = classify(values, "quantiles", k=5)
    expected = np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0])
    assert c.scheme == "quantiles"
    assert np.allclose(c.bins, expected)
    assert c.counts == [4, 4, 4, 4, 4]
    assert len(c.labels) == 5
    assert c.labels[0].startswith("1 – ") or c.labels[0].startswith("1,0 – ")
    assert "," in c.labels[1]  # Dutch decimal comma


def test_natural_breaks_find_clusters_and_are_deterministic():
    values = pd.Series([1.0, 1.1, 1.2, 5.0, 5.1, 9.0, 9.2])
    a = classify(values, "natural_breaks", k=3)
    b = classify(values.sample(frac=1, random_state=3), "natural_breaks", k=3)
    assert a.bins == pytest.approx([1.2, 5.1, 9.2])
    assert a.bins == b.bins
    assert a.counts == [3, 2, 2]


def test_fixed_bins_and_labels():
    values = pd.Series([0.5, 2.0, 3.0, 7.5, 10.0])
    c = classify(values, "fixed", bins=[2, 5, 10])
    assert c.bins == [2, 5, 10]
    assert c.counts == [2, 1, 2]
    assert c.labels == ["≤ 2", "2 – 5", "5 – 10"]
    # values above the last bound get an extra class up to the maximum
    above = classify(pd.Series([1.0, 12.0]), "fixed", bins=[2, 5, 10])
    assert above.bins == [2, 5, 10, 12]
    assert above.counts == [1, 0, 0, 1]
    # an open top class
    open_top = classify(pd.Series([1.0, 12.0]), "fixed", bins=[2, 5, math.inf], lang="en")
    assert open_top.labels == ["≤ 2", "2 – 5", "> 5"]
    assert open_top.counts == [1, 0, 1]


def test_nan_values_are_excluded():
    values = pd.Series([1.0, np.nan, 2.0, 3.0, np.nan, 4.0, None])
    c = classify(values, "quantiles", k=2)
    assert sum(c.counts) == 4
    assert c.bins == pytest.approx([2.5, 4.0])
    idx = class_of(values, c)
    assert idx.isna().tolist() == [False, True, False, False, True, False, True]
    assert idx.dropna().tolist() == [0, 0, 1, 1]


def test_k_larger_than_unique_values():
    values = pd.Series([1.0, 1.0, 2.0, 2.0, 3.0])
    for scheme in ("quantiles", "natural_breaks"):
        c = classify(values, scheme, k=5)
        assert c.bins == [1.0, 2.0, 3.0]
        assert c.counts == [2, 2, 1]
        assert len(c.labels) == 3
    single = classify(pd.Series([4.0, 4.0]), "quantiles", k=5)
    assert single.bins == [4.0]
    assert single.labels == ["4"]


def test_all_nan_gives_an_empty_classification():
    c = classify(pd.Series([np.nan, None]), "quantiles")
    assert c.bins == [] and c.labels == [] and c.counts == []
    assert class_of(pd.Series([1.0]), c).isna().all()
    fixed = classify(pd.Series([np.nan]), "fixed", bins=[1, 2])
    assert fixed.bins == [1, 2] and fixed.counts == [0, 0]


def test_english_number_format_in_labels():
    c = classify(pd.Series([0.25, 1500.5, 2500.75, 4000.0]), "fixed", bins=[1000.5, 3000, 5000], lang="en")
    assert c.labels[0] == "≤ 1,000.5"
    nl = classify(pd.Series([0.25, 1500.5, 2500.75, 4000.0]), "fixed", bins=[1000.5, 3000, 5000], lang="nl")
    assert nl.labels[0] == "≤ 1.000,5"


def test_class_of_bounds():
    c = classify(pd.Series([1.0, 2.0, 3.0, 4.0]), "fixed", bins=[2, 4])
    idx = class_of(pd.Series([0.0, 2.0, 2.01, 4.0, 4.5, np.nan], index=list("abcdef")), c)
    assert list(idx.index) == list("abcdef")
    assert idx.tolist()[:4] == [0, 0, 1, 1]
    assert idx.isna().tolist()[4:] == [True, True]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scheme": "jenks"}, "Unknown classification scheme"),
        ({"scheme": "fixed"}, "without class bounds"),
        ({"scheme": "fixed", "bins": [5, 2, 10]}, "strictly increasing"),
        ({"scheme": "fixed", "bins": [1, 1, 2]}, "strictly increasing"),
        ({"scheme": "quantiles", "k": 0}, "positive whole number"),
        ({"scheme": "quantiles", "k": 12}, "palette"),
    ],
)
def test_classify_errors(kwargs, match):
    with pytest.raises(InputError, match=match) as err:
        classify(pd.Series([1.0, 2.0, 3.0]), **kwargs)
    assert err.value.expected and err.value.fix


# -- metadata lines ------------------------------------------------------------------------------


def test_subtitle_lines_dutch_and_english():
    m = meta(note="Afgeschermd: aantallen onder 5")
    assert subtitle_lines(m) == [
        "Bron: OIS Amsterdam · Periode: 2019-Q1 .. 2023-Q4 · Eenheid: per 1.000 inwoners",
        "Afgeschermd: aantallen onder 5",
    ]
    en = meta(synthetic=True, lang="en", unit="%")
    assert subtitle_lines(en) == [
        MARK_EN,
        "Source: Politie (synthetisch) · Period: 2019-Q1 .. 2023-Q4 · Unit: %",
    ]
    assert subtitle_lines(meta(synthetic=True))[0] == MARK_NL


def test_labels_and_language_check():
    assert label("withheld", "nl") == "Afgeschermd"
    assert label("withheld", "en") == "Withheld"
    assert label("series_break", "en") == "Series break"
    assert label("city", "nl") == "Stad"
    with pytest.raises(InputError):
        ChartMeta("t", "s", "p", "u", lang="de")
    with pytest.raises(InputError):
        label("nonsense")
    cfg = base_config("nl")
    assert cfg["locale"]["number"]["decimal"] == ","
    assert base_config("en")["locale"]["number"]["decimal"] == "."
    assert cfg["view"]["stroke"] is None


# -- every chart: schema, rendering, marks -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("synthetic", [True, False])
def test_chart_is_valid_and_renders(name, synthetic):
    m = meta(synthetic=synthetic)
    spec = BUILDERS[name](m, 600)
    assert_valid(spec)
    assert spec["width"] == 600
    assert spec["usermeta"]["synthetic"] is synthetic
    assert spec["usermeta"]["source"] == m.source
    assert spec["usermeta"]["period"] == m.period
    assert spec["usermeta"]["unit"] == m.unit
    svg = vlc.vegalite_to_svg(spec)
    assert html.escape(m.title, quote=False) in svg
    assert html.escape(m.source, quote=False) in svg
    assert m.period in svg
    assert (MARK_NL in svg) is synthetic
    assert MARK_EN not in svg


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_chart_in_english_and_container_width(name):
    m = meta(synthetic=True, lang="en")
    spec = BUILDERS[name](m, None)
    assert spec["width"] == "container"
    assert spec["autosize"]["type"] == "fit-x"
    assert_valid(spec)
    svg = vlc.vegalite_to_svg(spec)  # headless: the container falls back to a default width
    # in a container the mark takes two lines, the subtitle is wrapped for a phone
    assert "SYNTHETIC DEMONSTRATION DATA" in svg and "not real figures" in svg
    assert "Source: Politie (synthetisch)" in svg
    assert all(len(line) <= 60 for line in spec["title"]["subtitle"])
    assert spec["config"]["locale"]["number"]["decimal"] == "."


# -- maps ----------------------------------------------------------------------------------------


def _walk(node):
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _datasets(spec: dict) -> list:
    """Every inline data set: the consolidated ``datasets`` and any ``data.values``."""
    out = list(spec.get("datasets", {}).values())
    out += [d["values"] for d in _walk(spec) if isinstance(d.get("values"), list | dict) and "mark" not in d]
    return out


def _features(spec: dict) -> list[dict]:
    for values in _datasets(spec):
        if isinstance(values, dict) and values.get("type") == "FeatureCollection":
            return values["features"]
    raise AssertionError("no feature collection in spec")


def _encoding(spec: dict, channel: str) -> dict:
    for d in _walk(spec):
        if isinstance(d.get("encoding"), dict) and channel in d["encoding"]:
            return d["encoding"][channel]
    raise AssertionError(f"no {channel} encoding")


def _color(spec: dict) -> dict:
    return _encoding(spec, "color")


def test_choropleth_numeric_keys_legend_and_winding():
    gj = squares_geojson()
    before = copy.deepcopy(gj)
    spec = choropleth(gj, meta(), classification=classify(pd.Series([1.5, 12.25]), "fixed", bins=[5, 15]))
    assert gj == before  # the input is not changed
    props = {f["properties"]["code"]: f["properties"] for f in _features(spec)}
    assert props["A01"]["_key"] == "≤ 5"
    assert props["A02"]["_key"] == "5 – 15"
    assert props["A03"]["_key"] == "Afgeschermd"  # withheld wins over its value
    assert props["A04"]["_key"] == "Geen gegevens"
    assert props["A04"]["_nodata"] is True
    colour = _color(spec)
    assert colour["scale"]["domain"] == ["≤ 5", "5 – 15", "Afgeschermd", "Geen gegevens"]
    assert len(colour["scale"]["range"]) == 4
    # exterior rings clockwise for d3-geo (negative shoelace area with lon as x, lat as y)
    for f in _features(spec):
        ring = f["geometry"]["coordinates"][0]
        area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))
        assert area < 0
    assert _encoding(spec, "href")["field"] == "properties.href"
    assert [d["projection"]["type"] for d in _walk(spec) if "projection" in d] == ["mercator"]


def test_choropleth_default_classification_and_no_href():
    spec = choropleth(squares_geojson(), meta(lang="en"), href=False, width=500)
    with pytest.raises(AssertionError):
        _encoding(spec, "href")
    domain = _color(spec)["scale"]["domain"]
    assert domain[-2:] == ["Withheld", "No data"]
    tooltip_titles = [t["title"] for t in _encoding(spec, "tooltip")]
    assert tooltip_titles[0] == "Area"


def test_choropleth_categorical_legend_order_and_unknown():
    cats = ["cold spot 99%", "hot spot 99%", None, "hot spot 99%"]
    spec = choropleth(squares_geojson(cats), meta(), categories=HOTSPOT_CATEGORIES("nl"), width=500)
    colour = _color(spec)
    # the given order (hot before cold), only what occurs, then withheld (A03: no category, withheld)
    assert colour["scale"]["domain"] == ["Hotspot (99%)", "Coldspot (99%)", "Afgeschermd"]
    with pytest.raises(InputError, match="without a legend entry"):
        choropleth(squares_geojson(["hot spot", None, None, None]), meta(), categories=HOTSPOT_CATEGORIES())


def test_choropleth_rejects_projected_coordinates():
    gj = squares_geojson()
    gj["features"][0]["geometry"]["coordinates"][0][0] = [121000.0, 487000.0]
    with pytest.raises(InputError, match="longitude/latitude"):
        choropleth(gj, meta())
    with pytest.raises(InputError, match="FeatureCollection"):
        choropleth({"type": "Feature"}, meta())


def test_category_palettes_cover_the_analysis_categories():
    for lang in ("nl", "en"):
        hot = HOTSPOT_CATEGORIES(lang)
        assert {v for v, _, _ in hot} == set(GI_CATEGORIES)
        emerging = EMERGING_CATEGORIES(lang)
        assert {v for v, _, _ in emerging} == set(EMERGING_VALUES)
        flags = FLAG_CATEGORIES(lang)
        assert tuple(v for v, _, _ in flags) == FLAG_VALUES
        for rows in (hot, emerging, flags):
            assert len({lbl for _, lbl, _ in rows}) == len(rows)
            assert all(c.startswith("#") and len(c) == 7 for _, _, c in rows)
    assert HOTSPOT_CATEGORIES("nl")[0] == ("hot spot 99%", "Hotspot (99%)", "#67001f")  # RdBu dark end
    assert {flag_category(f, True) for f in FLAGS} == {"zwijgwijk", "effort", "none"}
    assert flag_category("", tested=False) == "not tested"


# -- series --------------------------------------------------------------------------------------


def test_period_date():
    assert period_date("2019") == "2019-01-01T00:00:00"
    assert period_date("2019-H2") == "2019-07-01T00:00:00"
    assert period_date("2019-Q3") == "2019-07-01T00:00:00"
    assert period_date("2019-11") == "2019-11-01T00:00:00"
    with pytest.raises(InputError, match="Malformed period"):
        period_date("2019Q3")


def test_trend_chart_gaps_band_and_breaks():
    spec = trend_chart(trend_frame(), meta(lang="en"), breaks=["2022-Q1"], width=600)
    rows = [r for values in _datasets(spec) for r in values if isinstance(r, dict) and r.get("series") == "Burgwallen"]
    gap = [r for r in rows if r["period"] == "2021-Q2"][0]
    assert gap["value"] is None and gap["low"] is None  # withheld: a gap, not a zero
    marks = json.dumps(spec)
    assert '"strokeDash": [4, 4]' in marks
    assert "Series break" in marks
    assert '"mark": {"type": "area"' in marks or '"type": "area"' in marks
    svg = vlc.vegalite_to_svg(spec)
    assert "Series break" in svg


def test_trend_chart_single_series_and_errors():
    frame = pd.DataFrame({"series": "Stad", "period": [str(y) for y in range(2015, 2025)], "value": range(10)})
    spec = trend_chart(frame, meta(), width=600)
    assert_valid(spec)
    with pytest.raises(InputError, match="missing columns"):
        trend_chart(frame.drop(columns="value"), meta())
    many = pd.DataFrame({"series": [f"s{i}" for i in range(12)], "period": "2020", "value": 1.0})
    with pytest.raises(InputError, match="Too many series"):
        trend_chart(many, meta())


def test_bar_compare_reference_forms():
    spec = bar_compare(bar_frame(), meta(), width=600)
    text = json.dumps(spec, ensure_ascii=False)
    assert "Stad (8)" in text
    assert "afgeschermd" in text
    per_row = bar_frame().assign(reference=[8.0, 7.0, 6.0, np.nan])
    spec2 = bar_compare(per_row, meta(lang="en"), width=600, reference_label="Stadsdeel")
    assert_valid(spec2)
    assert '"type": "tick"' in json.dumps(spec2)
    vlc.vegalite_to_svg(spec2)



def test_bar_values_fit_a_phone_and_the_synthetic_mark_hugs_the_right_edge():
    """At 390 px the plot is ~150 px wide: long bars carry their value inside (white), short ones after the bar;
    the synthetic mark ends at the plot's right edge, whatever the width of the axis labels on the left."""
    spec = bar_compare(bar_frame(), meta(synthetic=True), width=None)
    rows = next(v for v in _datasets(spec) if isinstance(v, list) and v and "_in" in v[0])
    assert {r["area"]: r["_in"] for r in rows} == {"Centrum": True, "Nieuw-West": True, "Noord": False, "Oost": False}
    texts = [lay for lay in spec["layer"][0]["layer"] if lay["mark"]["type"] == "text"]
    assert {(t["mark"]["align"], t["mark"]["color"]) for t in texts} == {("left", "#1f2328"), ("right", "#ffffff")}
    mark = spec["layer"][1]
    assert mark["mark"]["align"] == "right" and mark["encoding"]["x"] == {"value": "width"}
    assert_valid(spec)
    vlc.vegalite_to_svg(bar_compare(bar_frame(), meta(synthetic=True), width=390))


# -- ranking -------------------------------------------------------------------------------------


def test_rank_chart_order_caption_and_highlight():
    spec = rank_interval_chart(rank_frame(), meta(), highlight="E38", width=600)
    assert spec["title"]["subtitle"][-1] == "Rang 1 = meest kwetsbaar; lijn = 90%-rangorde-interval"
    rows = next(v for v in _datasets(spec) if isinstance(v, list) and v and "code" in v[0])
    assert [r["code"] for r in rows] == ["F11", "T93", "E38", "X01"]
    assert {r["_label"] for r in rows} >= {"Kolenkit (E38)", "Kolenkit (X01)"}
    assert [r["_hl"] for r in rows] == [False, False, True, False]
    en = rank_interval_chart(rank_frame(), meta(lang="en"), width=600)
    assert en["title"]["subtitle"][-1] == "Rank 1 = most vulnerable; line = 90% rank interval"


def test_domain_chart_names():
    spec = domain_chart(domain_frame(), meta(), width=600, names=("Kolenkit", "West", "Amsterdam"))
    assert_valid(spec)
    svg = vlc.vegalite_to_svg(spec)
    for name in ("Kolenkit", "West", "Amsterdam", "Bewoners"):
        assert name in svg
    with pytest.raises(InputError, match="missing columns"):
        domain_chart(domain_frame().drop(columns="stad"), meta())


def test_withheld_numbers_never_reach_the_spec():
    spec = choropleth(squares_geojson(), meta(), width=500)
    withheld = next(f["properties"] for f in _features(spec) if f["properties"]["code"] == "A03")
    assert withheld["value"] is None
    assert withheld["label"] == "afgeschermd"
    bars = bar_frame().assign(value=[12.5, 8.1, 3.0, 6.3], label=["12,5", "8,1", "3", "6,3"])
    text = json.dumps(bar_compare(bars, meta(), width=500), ensure_ascii=False)
    assert '"3"' not in text and "afgeschermd" in text
    trend = trend_frame()
    hidden = trend["status"] == "withheld"
    secret = trend.loc[hidden, "value"].iloc[0]
    rows = [r for v in _datasets(trend_chart(trend, meta(), width=500)) for r in v if isinstance(r, dict)]
    assert all(r.get("value") != secret for r in rows)


def test_map_legend_at_the_bottom():
    spec = choropleth(squares_geojson(), meta(), width=360, legend_orient="bottom")
    assert _color(spec)["legend"]["orient"] == "bottom"
    assert_valid(spec)
    vlc.vegalite_to_svg(spec)
    with pytest.raises(InputError, match="legend position"):
        choropleth(squares_geojson(), meta(), legend_orient="left")


def test_wrapping_for_narrow_charts():
    from weerbaar.charts.common import wrap_text

    line = "Bron: Politie (synthetisch) · Periode: 2015-Q1 .. 2024-Q4 · Eenheid: per 1.000 inwoners"
    assert wrap_text(line, 200) == [line]
    assert wrap_text(line, 60) == [
        "Bron: Politie (synthetisch) · Periode: 2015-Q1 .. 2024-Q4",
        "Eenheid: per 1.000 inwoners",
    ]
    assert all(
        len(part) <= 20 for part in wrap_text("een heel lange notitie over afscherming van kleine aantallen", 20)
    )
    spec = trend_chart(trend_frame(), meta(synthetic=True), width=360)
    svg = vlc.vegalite_to_svg(spec)
    assert "SYNTHETISCHE DEMONSTRATIEDATA" in svg and "geen echte cijfers" in svg
    assert MARK_NL not in svg  # two lines on a narrow chart
