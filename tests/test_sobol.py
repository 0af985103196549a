"""Sobol indices (analysis.sobol) on the Ishigami function, whose indices are known analytically."""

import numpy as np
import pytest

from weerbaar.analysis.sobol import saltelli_matrices, sobol_indices
from weerbaar.errors import InputError

A, B = 7.0, 0.1
# Ishigami & Homma (1990); Saltelli et al. (2008), Primer p. 179: a = 7, b = 0.1
S1 = (0.3139, 0.4424, 0.0)
ST = (0.5576, 0.4424, 0.2437)


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * u  # each input uniform on [-pi, pi]
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_analytic_values_of_the_ishigami_function():
    """The analytic indices themselves, from the variance terms (so the constants above are right)."""
    v1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    assert (v1 / v, v2 / v) == pytest.approx(S1[:2], abs=1e-4)
    assert ((v1 + v13) / v, v2 / v, v13 / v) == pytest.approx(ST, abs=1e-4)


def test_ishigami_first_and_total_order():
    n = 2**13  # 8,192 base rows, 40,960 evaluations: the estimators' error is about 0.01 here
    r = sobol_indices(ishigami, ["x1", "x2", "x3"], n=n, seed=1)
    t = r.indices.set_index("factor")
    assert t["first_order"].to_numpy() == pytest.approx(S1, abs=0.03)
    assert t["total_order"].to_numpy() == pytest.approx(ST, abs=0.03)
    # the bootstrap intervals cover the truth (they are 90 % intervals: allow a small miss)
    lo, hi = t["total_low"].to_numpy(), t["total_high"].to_numpy()
    assert np.all((lo - 0.01 <= ST) & (np.array(ST) <= hi + 0.01))
    assert r.evaluations == n * 5
    assert r.summary()["most_influential"] == "x1"


def test_ishigami_more_samples_less_error():
    err = []
    for n in (2**8, 2**14):
        t = sobol_indices(ishigami, ["x1", "x2", "x3"], n=n, seed=2, bootstrap=0).indices
        err.append(np.abs(t["total_order"].to_numpy() - ST).max())
    assert err[1] < err[0] and err[1] < 0.02


def test_groups_and_additive_model():
    """y = u0 + u1 + 2 u2: variances 1:1:4; grouping u0 and u1 gives their sum, no interactions."""

    def f(u):
        return u[:, 0] + u[:, 1] + 2 * u[:, 2]

    t = sobol_indices(f, {"pair": [0, 1], "big": [2]}, n=4096, seed=3).indices.set_index("factor")
    assert t.loc["pair", "first_order"] == pytest.approx(2 / 6, abs=0.02)
    assert t.loc["big", "first_order"] == pytest.approx(4 / 6, abs=0.02)
    assert (t["total_order"] - t["first_order"]).abs().max() < 0.02


def test_seeded_and_bad_input():
    a1, b1 = saltelli_matrices(3, 64, 5)
    a2, b2 = saltelli_matrices(3, 64, 5)
    assert np.array_equal(a1, a2) and np.array_equal(b1, b2) and not np.array_equal(a1, b1)
    with pytest.raises(InputError, match="too small"):
        sobol_indices(ishigami, ["x1", "x2", "x3"], n=4)
    with pytest.raises(InputError, match="split the inputs"):
        sobol_indices(ishigami, {"a": [0], "b": [0, 2]}, n=64)
    with pytest.raises(InputError, match="wrong number"):
        sobol_indices(lambda u: u[:10, 0], ["x1"], n=64)


def test_agrees_with_salib():
    """Cross-check with SALib (test-only dependency) on the same Ishigami problem."""
    pytest.importorskip("SALib")
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    u = salib_sample.sample(problem, 2**12, calc_second_order=False, seed=4)
    ref = salib_sobol.analyze(problem, ishigami(u), calc_second_order=False, seed=4)
    ours = sobol_indices(ishigami, ["x1", "x2", "x3"], n=2**12, seed=4, bootstrap=0).indices
    assert ours["first_order"].to_numpy() == pytest.approx(ref["S1"], abs=0.04)
    assert ours["total_order"].to_numpy() == pytest.approx(ref["ST"], abs=0.04)
