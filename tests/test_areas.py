"""Area registry rules and the crosswalk on hand-checkable squares."""

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from conftest import square_areas
from weerbaar.areas import apply_crosswalk, build_crosswalk, validate_areas
from weerbaar.errors import InputError


def test_valid_squares_pass_and_keep_rd():
    out = validate_areas(square_areas())
    assert out.crs.to_epsg() == 28992 and len(out) == 7


def test_bowtie_is_repaired():
    gdf = square_areas()
    x0, y0 = 120000, 485000
    bowtie = Polygon([(x0, y0), (x0 + 1000, y0 + 1000), (x0 + 1000, y0), (x0, y0 + 1000)])
    gdf.loc[gdf["code"] == "B1", "geometry"] = bowtie
    out = validate_areas(gdf)
    g = out.set_index("code").loc["B1", "geometry"]
    assert g.is_valid and g.geom_type in ("Polygon", "MultiPolygon") and g.area == pytest.approx(500000)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda g: g.assign(level=g["level"].replace("buurt", "street")), "Unknown area level"),
        (lambda g: pd.concat([g, g.iloc[[3]]]), "Duplicate area code"),
        (lambda g: g.assign(parent=g["parent"].where(g["code"] != "B1", "B2")), "not at a higher level"),
        (lambda g: g.assign(parent=g["parent"].where(g["code"] != "W1", None)), "without a parent"),
        (lambda g: g.set_crs(None, allow_override=True), "no coordinate reference system"),
        (lambda g: g.set_crs(4326, allow_override=True), "outside the Netherlands"),
    ],
)
def test_rule_violations(change, message):
    with pytest.raises(InputError, match=message):
        validate_areas(gpd.GeoDataFrame(change(square_areas())))


def test_crosswalk_halves():
    old = gpd.GeoDataFrame({"code": ["O"]}, geometry=[box(0, 0, 2000, 1000)], crs=28992)
    new = gpd.GeoDataFrame(
        {"code": ["N1", "N2"]}, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=28992
    )
    cw = build_crosswalk(old, new, from_division="a", to_division="b")
    assert cw["weight"].tolist() == pytest.approx([0.5, 0.5]) and cw["to_share"].tolist() == pytest.approx([1, 1])
    moved = apply_crosswalk(pd.Series({"O": 10.0}), cw, kind="count")
    assert moved.to_dict() == pytest.approx({"N1": 5.0, "N2": 5.0})
    back = build_crosswalk(new, old, from_division="b", to_division="a")
    rate = apply_crosswalk(pd.Series({"N1": 10.0, "N2": 20.0}), back, kind="rate")
    assert rate["O"] == pytest.approx(15.0)


@settings(max_examples=30, deadline=None)
@given(
    cuts=st.lists(st.floats(min_value=50, max_value=1950), min_size=1, max_size=4, unique=True),
    values=st.lists(st.floats(min_value=0, max_value=1e6), min_size=3, max_size=3),
)
def test_crosswalk_preserves_totals(cuts, values):
    """Moving counts between any two partitions of the same ground keeps the total."""
    old = gpd.GeoDataFrame(
        {"code": ["a", "b", "c"]},
        geometry=[box(0, 0, 700, 1000), box(700, 0, 1300, 1000), box(1300, 0, 2000, 1000)],
        crs=28992,
    )
    xs = [0, *sorted(cuts), 2000]
    new = gpd.GeoDataFrame(
        {"code": [f"n{i}" for i in range(len(xs) - 1)]},
        geometry=[box(xs[i], 0, xs[i + 1], 1000) for i in range(len(xs) - 1)],
        crs=28992,
    )
    cw = build_crosswalk(old, new, from_division="o", to_division="n")
    assert cw.groupby("from_code")["weight"].sum().to_numpy() == pytest.approx(1.0)
    moved = apply_crosswalk(pd.Series(values, index=["a", "b", "c"]), cw)
    assert moved.sum() == pytest.approx(sum(values), rel=1e-9, abs=1e-6)


def test_real_crosswalk_2015_2022(shared_data):
    from weerbaar.sources.amsterdam_areas import Areas2015, Areas2022

    old = Areas2015().read(shared_data).areas.query("level == 'buurt'")
    new = Areas2022().read(shared_data).areas.query("level == 'buurt'")
    cw = build_crosswalk(old, new, from_division="2015", to_division="2022")
    assert cw.groupby("from_code")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert set(cw["from_code"]) == set(old["code"])  # every old buurt lands somewhere
    # Weesp joined in 2022: most Weesp buurten get nothing, but Driemond (T98, Zuidoost in 2015) moved to stadsdeel S.
    weesp = set(new.loc[new["parent"].str.startswith("S"), "code"])
    assert len(weesp - set(cw["to_code"])) > 10
    assert cw.loc[cw["from_code"] == "T98a"].sort_values("weight").iloc[-1]["to_code"].startswith("SA")
    single = cw.groupby("from_code")["weight"].max()
    assert (single > 0.99).mean() > 0.3  # many buurten carried over unchanged or nearly so


def test_move_counts_by_hand():
    """Counts split by overlap weight and summed; a withheld part withholds its target; provisional spreads."""
    import math

    import pandas as pd

    from weerbaar.areas import move_counts

    cw = pd.DataFrame(
        {"from_code": ["a", "a", "b", "c"], "to_code": ["X", "Y", "Y", "Z"], "weight": [0.25, 0.75, 1.0, 1.0]}
    )
    obs = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "a"],
            "period": ["2020", "2020", "2020", "2021"],
            "indicator": ["registered.drug_trade"] * 4,
            "value": [8.0, 2.0, float("nan"), 4.0],
            "unit": ["count"] * 4,
            "status": ["final", "provisional", "suppressed", "final"],
        }
    )
    out = move_counts(obs, cw, to_division="2022").set_index(["period", "area_code"])
    assert out.loc[("2020", "X"), "value"] == 2.0 and out.loc[("2020", "X"), "status"] == "final"
    assert out.loc[("2020", "Y"), "value"] == 8.0 and out.loc[("2020", "Y"), "status"] == "provisional"
    assert math.isnan(out.loc[("2020", "Z"), "value"]) and out.loc[("2020", "Z"), "status"] == "suppressed"
    assert out.loc[("2021", "X"), "value"] + out.loc[("2021", "Y"), "value"] == 4.0
    assert set(out["division"]) == {"2022"}
