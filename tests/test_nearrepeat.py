"""Near-repeat (Knox) analysis: band semantics, brute-force pair counts, the Near Repeat Calculator's published
counts on Chicago 2016, permutation properties and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from weerbaar.analysis.nearrepeat import knox_test, parse_breaks
from weerbaar.cli import app
from weerbaar.errors import InputError

runner = CliRunner()


def brute_force(x, y, t, sds, tds, distance):
    """Every pair enumerated, banded closed-left/open-right with open last bands."""
    sds, tds = np.asarray(sds, float), np.asarray(tds, float)
    out = np.zeros((len(sds), len(tds)), dtype=np.int64)
    i, j = np.triu_indices(len(x), k=1)
    dx, dy = np.abs(x[i] - x[j]), np.abs(y[i] - y[j])
    d = dx + dy if distance == "manhattan" else np.sqrt(dx * dx + dy * dy)
    dt = np.abs(t[i] - t[j])
    for a in range(len(sds)):
        hi = sds[a + 1] if a + 1 < len(sds) else np.inf
        for b in range(len(tds)):
            thi = tds[b + 1] if b + 1 < len(tds) else np.inf
            out[a, b] = int(((d >= sds[a]) & (d < hi) & (dt >= tds[b]) & (dt < thi)).sum())
    return out


@pytest.fixture(scope="session")
def chicago(shared_data):
    d = pd.read_csv(shared_data / "events" / "chicago_burglary_2014_2017.csv")
    d["t"] = pd.to_datetime(d["date_single"], format="%d/%m/%Y")
    return d


@pytest.mark.parametrize("distance", ["manhattan", "euclidean"])
def test_observed_counts_equal_brute_force_on_chicago(chicago, distance):
    sub = chicago[chicago["t"].dt.year == 2015].iloc[:2500]
    x, y = sub["x"].to_numpy(), sub["y"].to_numpy()
    t = ((sub["t"] - sub["t"].min()).dt.days).to_numpy(dtype=float)
    for sds, tds in [([0, 1, 100, 200, 300], [0, 7, 14, 21]), ([50, 400, 1000], [1, 3])]:
        r = knox_test(x, y, t, sds, tds, distance=distance, permutations=0)
        assert (r.observed == brute_force(x, y, t, sds, tds, distance)).all()


def test_matches_near_repeat_calculator_on_chicago_2016(chicago):
    """Ratcliffe's NRC 1.3 on Chicago 2016 (tobydavies/NearRepeat, notebooks/nrc_output): the NRC's labels
    'a to b' mean [a-1, b), so its 'same location / 1-100 / 101-200 / 201-300 / >300 m' x '0-2 / 3-4 / >4 days'
    table is sds 0,1,100,200,300 x tds 0,2,4 here (Euclidean)."""
    sub = chicago[chicago["t"].between("2016-01-01", "2016-12-31")]
    assert len(sub) == 11701  # "Source data records used: 11701"
    t = ((sub["t"] - pd.Timestamp("2016-01-01")).dt.days).to_numpy(dtype=float)
    r = knox_test(sub["x"], sub["y"], t, [0, 1, 100, 200, 300], [0, 2, 4], distance="euclidean", permutations=0)
    nrc = np.array(
        [
            [202, 51, 1025],
            [189, 143, 7762],
            [290, 343, 23366],
            [456, 526, 41305],
            [577857, 760260, 67037075],
        ]
    )
    # the two bounded time bands and the open space band agree exactly
    assert (r.observed[:, :2] == nrc[:, :2]).all()
    assert (r.observed[4] == nrc[4]).all()
    # the open time band within 300 m: same column total; the NRC's split over the space bands differs by a few
    # pairs (<= 8 of 1,000-41,000), which the brute-force test shows is the NRC's, not ours
    assert r.observed[:4, 2].sum() == nrc[:4, 2].sum()
    assert np.abs(r.observed[:4, 2] - nrc[:4, 2]).max() <= 8
    assert r.observed.sum() == len(sub) * (len(sub) - 1) // 2


def test_permutations_expected_p_and_seed():
    rng = np.random.default_rng(3)
    n = 400
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    t = rng.uniform(0, 365, n)
    # plant near repeats: 60 copies 20 m and 1 day away
    k = 60
    x = np.append(x, x[:k] + 20)
    y = np.append(y, y[:k])
    t = np.append(t, t[:k] + 1)
    a = knox_test(x, y, t, [0, 100, 500], [0, 7, 30], permutations=199, seed=5)
    b = knox_test(x[::-1], y[::-1], t[::-1], [0, 100, 500], [0, 7, 30], permutations=199, seed=5)
    assert (a.observed == b.observed).all()
    c = knox_test(x, y, t, [0, 100, 500], [0, 7, 30], permutations=199, seed=5)
    assert np.allclose(a.expected, c.expected) and np.allclose(a.p, c.p)
    # the expected counts keep the time-band totals (times are only permuted)
    assert np.allclose(a.expected.sum(axis=0), a.observed.sum(axis=0))
    assert a.knox_ratio[0, 0] > 3 and a.p[0, 0] == pytest.approx(1 / 200)
    assert ((a.p > 0) & (a.p <= 1)).all()
    frame = a.to_frame()
    assert list(frame.columns) == [
        "space_from",
        "space_to",
        "time_from",
        "time_to",
        "observed",
        "expected",
        "knox_ratio",
        "p",
    ]
    assert frame["space_to"].isna().sum() == 3 and frame["time_to"].isna().sum() == 3
    assert "keer" in a.summary("nl") and "times" in a.summary("en")
    # Dutch sentences use a decimal comma ("20,9 keer", "p = 0,005"), English a point
    import re

    assert re.search(r"\d,\d keer", a.summary("nl")) and not re.search(r"\d\.\d", a.summary("nl"))
    assert re.search(r"\d\.\d times", a.summary("en"))


def test_no_pattern_under_independence():
    rng = np.random.default_rng(11)
    n = 600
    r = knox_test(
        rng.uniform(0, 3000, n),
        rng.uniform(0, 3000, n),
        rng.uniform(0, 720, n),
        [0, 200, 600],
        [0, 14, 60],
        permutations=99,
        seed=1,
    )
    assert np.nanmax(np.abs(r.knox_ratio - 1)) < 0.5
    assert "Geen significant" in r.summary("nl") or (r.p <= 0.05).sum() <= 2


def test_bad_breaks_and_distance():
    with pytest.raises(InputError, match="increasing"):
        parse_breaks("0,100,50", what="space")
    with pytest.raises(InputError, match="Malformed"):
        parse_breaks("0,a", what="time")
    with pytest.raises(InputError, match="distance"):
        knox_test([0, 1], [0, 1], [0, 1], [0, 1], [0, 1], distance="chebyshev")


def test_cli_with_events_file(tmp_path, home):
    rng = np.random.default_rng(2)
    n = 300
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    f = tmp_path / "ev.csv"
    pd.DataFrame(
        {
            "x": rng.uniform(0, 5000, n),
            "y": rng.uniform(0, 5000, n),
            "date_single": days.strftime("%d/%m/%Y"),
            "type": np.where(np.arange(n) % 2, "violence.shooting", "violence.explosion"),
        }
    ).to_csv(f, index=False)
    out = tmp_path / "knox.csv"
    r = runner.invoke(
        app,
        [
            "compute",
            "nearrepeat",
            "--events",
            str(f),
            "--type",
            "violence.shooting",
            "--sds",
            "0,1,100,200,300",
            "--tds",
            "0,7,14,21",
            "--permutations",
            "19",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "space_from",
        "space_to",
        "time_from",
        "time_to",
        "observed",
        "expected",
        "knox_ratio",
        "p",
    ]
    assert len(table) == 20 and table["observed"].sum() == 150 * 149 // 2
    raw = out.read_text().splitlines()
    assert raw[4].startswith("0.0,1.0,21.0,,")  # the open last time band has an empty time_to
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,date\n1,2,yesterday\n3,4,2020-01-01\n")
    r = runner.invoke(
        app, ["compute", "nearrepeat", "--events", str(bad), "--sds", "0,100", "--tds", "0,7", "--out", str(out)]
    )
    assert r.exit_code == 2 and "Unparseable" in r.output
