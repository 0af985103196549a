"""Rates per 1,000 inhabitants with global empirical-Bayes shrinkage (Marshall 1991).

Small populations make raw rates jumpy: one registration in a buurt of 80 inhabitants is 12.5 per
1,000. The empirical-Bayes estimate pulls each raw rate towards the city-wide rate, the more so the
smaller the population. See docs/methods/rates.md; cross-checked against
``esda.smoothing.Empirical_Bayes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["eb_rates", "raw_rates"]

PER = 1000.0


def raw_rates(events: pd.Series, population: pd.Series, per: float = PER) -> pd.Series:
    """Events per ``per`` inhabitants; NaN where the population is missing or zero."""
    pop = population.reindex(events.index).astype("float64")
    return (events.astype("float64") / pop.where(pop > 0)) * per


def eb_rates(events: pd.Series, population: pd.Series, per: float = PER) -> pd.Series:
    """Global empirical-Bayes smoothed rates (Marshall 1991), per ``per`` inhabitants.

    With raw rates r_i = y_i / n_i, the city rate m = sum(y) / sum(n), and the method-of-moments
    prior variance s2 = sum(n_i (r_i - m)^2) / sum(n) - m / mean(n) (floored at 0), the estimate
    is m + w_i (r_i - m) with w_i = s2 / (s2 + m / n_i). Areas without population or events stay
    NaN; they take no part in m and s2.
    """
    y = events.astype("float64")
    n = population.reindex(events.index).astype("float64")
    ok = y.notna() & n.notna() & (n > 0)
    out = pd.Series(np.nan, index=events.index, dtype="float64")
    if not ok.any():
        return out
    yv, nv = y[ok].to_numpy(), n[ok].to_numpy()
    r = yv / nv
    m = yv.sum() / nv.sum()
    s2 = max((nv * (r - m) ** 2).sum() / nv.sum() - m / nv.mean(), 0.0)
    w = np.where(s2 > 0, s2 / (s2 + m / nv), 0.0)
    out[ok] = (m + w * (r - m)) * per
    return out
