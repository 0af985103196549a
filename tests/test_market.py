"""The street-market calculator: the programme's worked example, Monte Carlo intervals, input errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.analysis.market import Uncertain, market
from weerbaar.errors import InputError


def test_the_programmes_figures_by_hand():
    # 2 kg of pure cocaine a day, 50 % pure on the street, EUR 50 a gram:
    # 2000 / 0.5 = 4000 street grams a day; 4000 x 50 x 365 = EUR 73.0 million a year
    # (the programme's "some EUR 75 million").
    r = market(2000, 0.5, 50)
    assert r["street_grams_per_day"].value == pytest.approx(4000)
    assert r["eur_per_year"].value == pytest.approx(73_000_000)
    assert r["pure_grams_per_day"].value == pytest.approx(2000)
    # fixed inputs: nothing to vary
    assert r["eur_per_year"].low == pytest.approx(73_000_000) and r["eur_per_year"].high == pytest.approx(73_000_000)
    assert r["eur_per_year"].to_dict() == {"value": 73e6, "low": 73e6, "high": 73e6, "level": 0.9}


def test_purity_matters():
    assert market(2000, 1.0, 50)["eur_per_year"].value == pytest.approx(36_500_000)  # sold pure
    assert market(2000, 0.5, 50)["eur_per_year"].value == pytest.approx(73_000_000)
    assert market(2000, 0.25, 50)["eur_per_year"].value == pytest.approx(146_000_000)


def test_uncertain_inputs_give_an_interval_around_the_modes():
    r = market(Uncertain(2000, 1800, 2400), Uncertain.parse("0.4:0.5:0.7"), Uncertain.parse("40:50:60"))
    eur = r["eur_per_year"]
    assert eur.value == pytest.approx(73_000_000) and eur.low < eur.value < eur.high
    assert 1800 <= r["pure_grams_per_day"].low < 2000 < r["pure_grams_per_day"].high <= 2400
    assert r["street_grams_per_day"].low >= 1800 / 0.7 and r["street_grams_per_day"].high <= 2400 / 0.4


def test_same_seed_same_result():
    args = (Uncertain(2000, 1500, 2500), Uncertain(0.6, 0.4, 0.8), Uncertain(50, 40, 70))
    assert market(*args, seed=3) == market(*args, seed=3)
    assert market(*args, seed=3)["eur_per_year"].low != market(*args, seed=4)["eur_per_year"].low


def test_one_uncertain_input_leaves_the_draws_of_the_others_alone():
    a = market(Uncertain(2000, 1500, 2500), 0.5, 50)
    b = market(Uncertain(2000, 1500, 2500), Uncertain(0.5, 0.3, 0.8), Uncertain(50, 30, 70))
    assert a["pure_grams_per_day"] == b["pure_grams_per_day"]


def test_a_mode_at_a_bound_puts_the_point_at_the_edge():
    # purity at least 50 %: every draw sells fewer street grams than the point value
    r = market(2000, Uncertain(0.5, 0.5, 0.9), 50)
    assert r["street_grams_per_day"].high <= r["street_grams_per_day"].value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.6", Uncertain(0.6)),
        (" 0.6 ", Uncertain(0.6)),
        ("0.5:0.6:0.75", Uncertain(0.6, 0.5, 0.75)),
        ("1800 : 2000 : 2400", Uncertain(2000, 1800, 2400)),
        ("2e3", Uncertain(2000)),
        (50, Uncertain(50)),
    ],
)
def test_parse(text, expected):
    assert Uncertain.parse(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "0.5:0.6", "0.5::0.7", "1:2:3:4", "0.5:x:0.7", "nan", "inf"])
def test_parse_errors(text):
    with pytest.raises(InputError) as exc:
        Uncertain.parse(text)
    assert exc.value.received and exc.value.expected and exc.value.fix


def test_low_above_high_is_an_error():
    with pytest.raises(InputError) as exc:
        Uncertain.parse("0.75:0.6:0.5")
    assert "low <= mode <= high" in exc.value.expected and "low=0.75" in exc.value.received
    with pytest.raises(InputError):
        Uncertain(0.4, 0.5, 0.75)  # mode below low
    with pytest.raises(InputError):
        Uncertain(0.9, 0.5, 0.75)  # mode above high
    with pytest.raises(InputError) as exc:
        Uncertain(0.6, low=0.5)  # one bound only
    assert "both" in exc.value.problem


@pytest.mark.parametrize("purity", [0, 0.0, 1.2, -0.5, "0:0.5:0.8", "0.5:0.9:1.1", Uncertain(1.5)])
def test_purity_outside_0_1_is_an_error(purity):
    with pytest.raises(InputError) as exc:
        market(2000, purity, 50)
    assert "purity" in exc.value.problem.lower() and "(0, 1]" in exc.value.expected
    assert "fraction" in exc.value.fix


@pytest.mark.parametrize(
    ("pure", "price", "what"),
    [(0, 50, "pure"), (-2000, 50, "pure"), ("-10:100:200", 50, "pure"), (2000, 0, "price"), (2000, -1, "price")],
)
def test_amounts_and_prices_must_be_positive(pure, price, what):
    with pytest.raises(InputError) as exc:
        market(pure, 0.5, price)
    assert what in exc.value.problem and "> 0" in exc.value.expected


@pytest.mark.parametrize("kwargs", [{"level": 0}, {"level": 1.5}, {"draws": 5}, {"seed": -1}])
def test_monte_carlo_argument_errors(kwargs):
    with pytest.raises(InputError):
        market(2000, 0.5, 50, **kwargs)


def test_not_a_number():
    with pytest.raises(InputError):
        market(math.nan, 0.5, 50)
    with pytest.raises(InputError):
        market(2000, True, 50)
    with pytest.raises(InputError):
        market(2000, 0.5, "fifty")


def test_draw():
    rng = np.random.default_rng(0)
    assert Uncertain(3.0).draw(rng, 5) == pytest.approx([3.0] * 5)
    d = Uncertain(0.6, 0.5, 0.8).draw(rng, 100_000)
    assert d.min() >= 0.5 and d.max() <= 0.8 and d.mean() == pytest.approx((0.5 + 0.6 + 0.8) / 3, rel=0.01)
    assert str(Uncertain(0.6, 0.5, 0.8)) == "0.5:0.6:0.8" and str(Uncertain(2000)) == "2000"


# -- properties ------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=1e5),
    st.floats(min_value=0.01, max_value=1.0),
    st.floats(min_value=0.5, max_value=500.0),
)
def test_the_point_is_the_formula(pure, purity, price):
    r = market(pure, purity, price, draws=100)
    assert r["street_grams_per_day"].value == pytest.approx(pure / purity)
    assert r["eur_per_year"].value == pytest.approx(pure / purity * price * 365)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.05, max_value=0.9), st.floats(min_value=0.01, max_value=0.09))
def test_higher_purity_means_less_street_cocaine_and_money(p, dp):
    assert market(2000, p + dp, 50)["eur_per_year"].value < market(2000, p, 50)["eur_per_year"].value


@settings(max_examples=30, deadline=None)
@given(
    st.floats(min_value=0.3, max_value=0.7),
    st.floats(min_value=0.02, max_value=0.1),
    st.floats(min_value=0.05, max_value=0.2),
    st.integers(min_value=0, max_value=2**31),
)
def test_wider_input_uncertainty_gives_a_wider_interval(mode, half, extra, seed):
    narrow = market(2000, Uncertain(mode, mode - half, mode + half), Uncertain(50, 40, 60), seed=seed, draws=4000)
    wide = market(
        2000,
        Uncertain(mode, mode - half - extra * mode, min(1.0, mode + half + extra * mode)),
        Uncertain(50, 40, 60),
        seed=seed,
        draws=4000,
    )
    for key in ("street_grams_per_day", "eur_per_year"):
        assert wide[key].high - wide[key].low > narrow[key].high - narrow[key].low


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.2, max_value=0.8), st.floats(min_value=0.01, max_value=0.15))
def test_symmetric_inputs_keep_the_point_inside(mode, half):
    r = market(Uncertain(2000, 1600, 2400), Uncertain(mode, mode - half, mode + half), Uncertain(50, 40, 60))
    for e in r.values():
        assert e.low <= e.value <= e.high
