"""The inventory of measure 7 on the measurement model: where the drug problem and susceptibility concentrate.

The problem domain is the measurement model's posterior drug problem (``analysis.measurement``: one
latent problem seen through survey, tips, reports and registrations, each with its own distortion
by fear and police effort), not those distorted channels themselves; structural susceptibility
(``ses.vulnerable_pct``) stays a domain of its own. Where no fit is possible (a channel missing that
the model needs, too few areas) or the fit fails its checks, the inventory falls back to the
indicator domains of decision 0006 and says so. See docs/decisions/0026-inventory-on-the-measurement-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError
from .channels import MODEL_INDICATORS
from .composite import CompositeConfig, IndicatorSpec
from .measurement import measurement_model

if TYPE_CHECKING:
    from libpysal.graph import Graph

__all__ = ["PROBLEM", "ProblemEstimate", "model_config", "channels_config", "estimate_problem"]

#: The index's indicator for the posterior problem (the median of the posterior log drug problem).
PROBLEM = "model.problem"
#: What the measurement model reads from the area frame (one list: ``channels.MODEL_INDICATORS``).
MODEL_INPUTS = tuple(MODEL_INDICATORS)


def model_config(base: CompositeConfig | None = None) -> CompositeConfig:
    """Two domains: ``problem`` (the posterior problem) and ``vulnerability`` (structural susceptibility)."""
    base = base or CompositeConfig.default()
    return base.replace(
        indicators=(IndicatorSpec(PROBLEM, "problem"), IndicatorSpec("ses.vulnerable_pct", "vulnerability")),
        domain_weights={},
        effort_dependent_domains=(),
    )


def channels_config(base: CompositeConfig | None = None) -> CompositeConfig:
    """The indicator domains of decision 0006 plus the posterior problem (for the step-4 checks only)."""
    base = base or CompositeConfig.default()
    return base.replace(indicators=(*base.indicators, IndicatorSpec(PROBLEM, "problem")))


@dataclass(frozen=True)
class ProblemEstimate:
    """The posterior problem per area (``source`` "model"), or why the indicators are used (``source``
    "indicators")."""

    source: str  # "model" or "indicators"
    median: pd.Series | None = None  # posterior median log problem, index area code
    draws: pd.DataFrame | None = field(default=None, repr=False)  # area x posterior draw
    reason: str = ""
    fit: dict = field(default_factory=dict, repr=False)  # diagnostics and model notes

    @property
    def used(self) -> bool:
        return self.source == "model"

    def summary(self) -> dict:
        out: dict[str, str | int] = {"problem_source": self.source}
        if self.used:
            # a "model" estimate always carries its draws and median (estimate_problem)
            assert self.draws is not None and self.median is not None
            out["posterior_draws"] = int(self.draws.shape[1])
            out["areas_estimated"] = int(self.median.notna().sum())
        else:
            out["fallback_reason"] = self.reason
        return out


def estimate_problem(
    frame: pd.DataFrame,
    *,
    graph: Graph | None = None,
    survey: pd.DataFrame | None = None,
    survey_area: pd.Series | None = None,
    min_population: float = 250.0,
    draws: int = 200,
    seed: int | np.random.Generator = 0,
) -> ProblemEstimate:
    """Fit the measurement model to one period's inputs and keep the posterior problem draws.

    ``frame`` (and ``survey``, ``survey_area`` for a survey at its own areas) as ``channels.model_inputs``
    gives them: the same inputs as ``compute zwijgwijken``. Areas the model does not estimate (population
    unknown or below ``min_population`` in its inputs) have no median (NaN).
    Never raises for a fit that is not possible: the estimate then says ``source = "indicators"`` and why.
    """
    try:
        result = measurement_model(
            frame,
            graph=graph,
            years=1,
            survey=survey,
            survey_area=survey_area,
            min_population=min_population,
            draws=draws,
            seed=seed,
        )
    except InputError as exc:
        return ProblemEstimate("indicators", reason=f"no measurement fit possible: {exc.problem}")
    diag = result.fit["diagnostics"]
    info = {"diagnostics": diag, "notes": list(result.notes), "missing": dict(result.missing_indicators)}
    if not diag.get("converged"):
        return ProblemEstimate(
            "indicators",
            reason="the measurement model's fit did not pass its checks (see the zwijgwijken diagnostics)",
            fit=info,
        )
    codes = pd.Index(result.draws["codes"], name="area_code")
    prob = pd.DataFrame(result.draws["problem"], index=codes)
    prob = prob.sub(prob.median(axis=0).median())  # level relative to the median area (as problem_level)
    median = prob.median(axis=1).reindex(frame.index.map(str))
    return ProblemEstimate("model", median, prob, "", info)
