"""Step 4 of the JRC/OECD handbook for a composite index: the multivariate checks of its indicators.

On the ranked areas with every indicator present, using the index's own normalised values
(``norm.<indicator>`` of a ``CompositeResult``; with the default percentile ranks, Pearson
correlations of them are Spearman correlations of the indicators):

* the correlation matrix of the indicators, and of each indicator with every domain score and the
  composite (an indicator that does not correlate with its own domain, or correlates negatively, is
  suspect; one that correlates with the composite as much as its domain does dominates it);
* Cronbach's alpha per domain with two or more indicators, and over all indicators, on standardised
  values: alpha = k / (k - 1) (1 - sum of item variances / variance of the sum); 0.7 is the usual
  threshold for a consistent domain (a single-indicator domain has no alpha);
* principal components of the correlation matrix: eigenvalues, the share of variance each explains
  and the cumulative share, the loadings; components with eigenvalue > 1 (Kaiser) are counted.

See docs/methods/composite-index.md ("JRC step-4 checks").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .composite import CompositeResult

__all__ = ["CompositeChecks", "composite_checks", "cronbach_alpha"]


def cronbach_alpha(items: np.ndarray | pd.DataFrame, standardise: bool = True) -> float:
    """Cronbach's alpha of the columns of ``items`` (rows: areas); NaN for fewer than 2 items or 3 rows."""
    x = np.asarray(items, dtype="float64")
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 3:
        return float("nan")
    if standardise:
        sd = x.std(axis=0, ddof=1)
        x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    k = x.shape[1]
    total = x.sum(axis=1).var(ddof=1)
    if not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


@dataclass(frozen=True)
class CompositeChecks:
    correlations: pd.DataFrame  # indicator x indicator
    with_scores: pd.DataFrame  # indicator x (domain scores, composite)
    alpha: pd.DataFrame  # domain, indicators, alpha
    pca: pd.DataFrame  # component, eigenvalue, explained, cumulative
    loadings: pd.DataFrame  # indicator x component
    areas: int
    notes: tuple[str, ...]

    def summary(self) -> dict:
        def r(v: float) -> float | None:
            return None if pd.isna(v) else round(float(v), 3)

        return {
            "areas": self.areas,
            "correlations": {i: {j: r(v) for j, v in row.items()} for i, row in self.correlations.iterrows()},
            "with_scores": {i: {j: r(v) for j, v in row.items()} for i, row in self.with_scores.iterrows()},
            "cronbach_alpha": {d: r(a) for d, a in zip(self.alpha["domain"], self.alpha["alpha"], strict=True)},
            "eigenvalues": [r(v) for v in self.pca["eigenvalue"]],
            "explained": [r(v) for v in self.pca["explained"]],
            "components_kaiser": int((self.pca["eigenvalue"] > 1).sum()),
            "notes": list(self.notes),
        }


def composite_checks(result: CompositeResult) -> CompositeChecks:
    """The step-4 checks of a ``CompositeResult`` (``analysis.composite.composite_index``)."""
    t = result.table
    specs = [s for s in result.config.indicators if f"norm.{s.name}" in t.columns]
    if not specs:
        raise InputError(
            "The result has no normalised indicators.",
            received=", ".join(map(str, t.columns)),
            expected="norm.<indicator> columns of composite_index",
            fix="pass the result of composite_index",
        )
    names = [s.name for s in specs]
    norm = t.loc[t["ranked"], [f"norm.{n}" for n in names]].set_axis(names, axis=1).dropna()
    scores = t.loc[norm.index, [f"domain.{d}" for d in result.domains] + ["composite"]]
    notes: list[str] = []
    sd = norm.std(ddof=1)
    constant = [c for c in names if not sd[c] > 0]
    if constant:
        notes.append("constant over the ranked areas (no correlation): " + ", ".join(constant))
    corr = norm.corr()
    with_scores = pd.DataFrame(
        {c: [norm[n].corr(scores[c]) for n in names] for c in scores.columns}, index=names
    ).rename(columns=lambda c: c.removeprefix("domain."))
    rows = []
    for d in result.domains:
        members = [s.name for s in specs if s.domain == d]
        rows.append({"domain": d, "indicators": len(members), "alpha": cronbach_alpha(norm[members].to_numpy())})
        if len(members) < 2:
            notes.append(f"domain '{d}' has one indicator: no Cronbach's alpha")
    rows.append({"domain": "(all indicators)", "indicators": len(names), "alpha": cronbach_alpha(norm.to_numpy())})
    usable = [c for c in names if c not in constant]
    if len(usable) >= 2 and len(norm) > len(usable):
        vals, vecs = np.linalg.eigh(corr.loc[usable, usable].to_numpy())
        order = np.argsort(vals)[::-1]
        vals, vecs = np.clip(vals[order], 0, None), vecs[:, order]
        vecs = vecs * np.where(vecs.sum(axis=0) < 0, -1.0, 1.0)  # sign: mostly positive loadings
        comps = [f"PC{j + 1}" for j in range(len(vals))]
        pca = pd.DataFrame(
            {
                "component": comps,
                "eigenvalue": vals,
                "explained": vals / vals.sum(),
                "cumulative": np.cumsum(vals) / vals.sum(),
            }
        )
        loadings = pd.DataFrame(vecs * np.sqrt(vals), index=usable, columns=comps)
    else:
        notes.append("fewer than two varying indicators: no principal components")
        pca = pd.DataFrame(columns=["component", "eigenvalue", "explained", "cumulative"])
        loadings = pd.DataFrame(index=usable)
    return CompositeChecks(corr, with_scores, pd.DataFrame(rows), pca, loadings, len(norm), tuple(notes))
