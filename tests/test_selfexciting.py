"""Self-exciting point process: the likelihood against an independent O(n) recursion, parameter recovery on
simulations (a small version of benchmarks/validate_selfexciting.py), alert windows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from weerbaar.analysis.selfexciting import alert_windows, fit_hawkes, simulate_hawkes
from weerbaar.errors import InputError


def ozaki_loglik(t, T, mu, alpha, beta):
    """Exact log-likelihood of mu + sum alpha beta exp(-beta (t - t_j)) by Ozaki's (1979) recursion."""
    A = 0.0
    ll = 0.0
    prev = None
    for ti in t:
        if prev is not None:
            A = np.exp(-beta * (ti - prev)) * (1.0 + A)
        ll += np.log(mu + alpha * beta * A)
        prev = ti
    return ll - mu * T - alpha * np.sum(1 - np.exp(-beta * (T - t)))


@pytest.fixture(scope="module")
def temporal():
    sim = simulate_hawkes(mu_per_day=1.0, theta=0.5, omega=0.5, sigma=100, span_days=400, season=0.0, seed=42)
    return np.sort(sim["t"].to_numpy())


def test_temporal_fit_equals_the_exact_likelihood_maximum(temporal):
    t, T = temporal, 400.0
    fit = fit_hawkes(None, None, t, span_days=T, temporal_only=True, trend=False, season=False, max_days=T)
    mu, th, om = np.exp(fit.params["b0"]), fit.params["theta"], fit.params["omega"]
    # our log-likelihood at the optimum equals the recursion's
    assert fit.loglik == pytest.approx(ozaki_loglik(t, T, mu, th, om), rel=1e-9, abs=1e-6)
    # and the recursion's own maximum is the same point
    res = optimize.minimize(
        lambda p: -ozaki_loglik(t, T, *np.exp(p)),
        np.log([0.5, 0.3, 0.2]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000},
    )
    ref = np.exp(res.x)
    assert mu == pytest.approx(ref[0], rel=2e-3)
    assert th == pytest.approx(ref[1], rel=2e-3)
    assert om == pytest.approx(ref[2], rel=2e-3)
    lo, hi = fit.intervals["theta"]
    assert lo < th < hi


def test_branching_ratio_recovered_in_most_simulations():
    hits = []
    for k in range(8):
        sim = simulate_hawkes(mu_per_day=0.2, theta=0.4, omega=0.2, sigma=150, span_days=730, seed=100 + k)
        fit = fit_hawkes(sim["x"], sim["y"], sim["t"], span_days=730)
        lo, hi = fit.intervals["theta"]
        hits.append(lo <= 0.4 <= hi)
        assert fit.background_share.min() > 0 and fit.background_share.max() <= 1
    assert sum(hits) >= 6, hits
    assert 100 < fit.reach_m < 220 and 2 < fit.decay_days < 10
    assert "%" in fit.summary("nl") and "follow an earlier one" in fit.summary("en")


def test_no_triggering_gives_a_small_branching_ratio():
    rng = np.random.default_rng(5)
    n = 600
    fit = fit_hawkes(rng.uniform(0, 8000, n), rng.uniform(0, 8000, n), np.sort(rng.uniform(0, 700, n)), span_days=700)
    assert fit.intervals["theta"][0] < 0.05


def test_alert_windows():
    sim = simulate_hawkes(mu_per_day=0.6, theta=0.4, omega=0.2, sigma=150, span_days=730, seed=7)
    fit = fit_hawkes(sim["x"], sim["y"], sim["t"], span_days=730)
    w = alert_windows(fit, sim["x"], sim["y"], sim["t"], ratio=2.0)
    assert len(w) == len(sim) and (w["days"] >= 0).all() and (w["radius_m"] >= 0).all()
    assert (w["expected_in_window"] <= w["expected_triggered"] + 1e-12).all()
    # a stricter threshold gives smaller windows
    w5 = alert_windows(fit, sim["x"], sim["y"], sim["t"], ratio=5.0)
    assert (w5["days"] <= w["days"] + 1e-12).all() and (w5["radius_m"] <= w["radius_m"] + 1e-9).all()


def test_bad_input():
    with pytest.raises(InputError, match="Too few"):
        fit_hawkes([0, 1], [0, 1], [0, 1])


def test_cli_selfexciting_and_alerts_on_a_file(tmp_path, home):
    import pandas as pd
    from typer.testing import CliRunner

    from weerbaar.cli import app

    sim = simulate_hawkes(mu_per_day=0.4, theta=0.4, omega=0.2, sigma=150, span_days=365, seed=3)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(sim["t"], unit="D")
    f = tmp_path / "sim.csv"
    pd.DataFrame(
        {
            "event_id": [f"s{k}" for k in range(len(sim))],
            "x": sim["x"],
            "y": sim["y"],
            "occurred_at": when.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "status": "synthetic",
        }
    ).to_csv(f, index=False)
    runner = CliRunner()
    out = tmp_path / "fit.csv"
    r = runner.invoke(app, ["compute", "selfexciting", "--events", str(f), "--out", str(out)])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out)
    assert list(table["parameter"]) == ["branching_ratio", "decay_days", "reach_m"]
    assert "SYNTHETIC" in r.output
    out2 = tmp_path / "alerts.csv"
    r = runner.invoke(app, ["alerts", "--events", str(f), "--as-of", "2023-12-20", "--out", str(out2)])
    assert r.exit_code == 0, r.output
    windows = pd.read_csv(out2, parse_dates=["occurred_at", "until"])
    assert len(windows) > 0
    assert (windows["occurred_at"] <= "2023-12-20").all() and (windows["until"] >= "2023-12-20").all()
    r = runner.invoke(app, ["alerts", "--events", str(f), "--as-of", "gisteren"])
    assert r.exit_code == 2 and "as-of" in r.output
