"""A SYNTHETIC world of interventions with planted effects and displacement (issue 19), for demos and validation.

A square grid of buurten with monthly Poisson counts of registrations (buurt level x seasonal city trend); a set
of interventions, each in one buurt from its start month on, that lowers the target's rate by ``effect`` (a
share) and raises the rate of its queen neighbours by ``displacement`` (a share). Everything it returns is
labelled synthetic and carries the planted truth, so an estimator can be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["InterventionWorld", "intervention_world"]


@dataclass(frozen=True)
class InterventionWorld:
    counts: pd.DataFrame  # unit, time, y (month index 0..T-1), status = synthetic
    interventions: pd.DataFrame  # unit, start, kind, status = synthetic
    neighbours: dict[str, set[str]]
    rate: pd.DataFrame  # unit x time: the expected counts with the planted effects
    baseline: pd.DataFrame  # unit x time: the expected counts without any intervention
    effect: float
    displacement: float


def intervention_world(
    *,
    side: int = 24,
    months: int = 72,
    n_interventions: int = 12,
    effect: float = 0.4,
    displacement: float = 0.2,
    seed: int = 0,
) -> InterventionWorld:
    """``side`` x ``side`` buurten (codes ``S000`` ...), interventions far enough apart that buffers do not touch."""
    rng = np.random.default_rng(seed)
    codes = [f"S{i:03d}" for i in range(side * side)]

    def rc(i: int) -> tuple[int, int]:
        return divmod(i, side)

    neighbours = {
        codes[i]: {
            codes[r * side + c]
            for r in range(rc(i)[0] - 1, rc(i)[0] + 2)
            for c in range(rc(i)[1] - 1, rc(i)[1] + 2)
            if 0 <= r < side and 0 <= c < side and (r, c) != rc(i)
        }
        for i in range(side * side)
    }
    level = rng.gamma(3.0, 3.0, side * side) + 2.0
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(months) / 12) + 0.002 * np.arange(months)
    base = level[:, None] * season[None, :]
    # interventions in buurten away from the edge, with no overlapping rings of 2
    chosen: list[int] = []
    for i in rng.permutation(side * side):
        r, c = rc(int(i))
        if not (2 <= r < side - 2 and 2 <= c < side - 2):
            continue
        if all(max(abs(r - rc(j)[0]), abs(c - rc(j)[1])) > 4 for j in chosen):
            chosen.append(int(i))
        if len(chosen) == n_interventions:
            break
    # three waves, so that several buurten share a start month (a DiD group of one buurt has no variance)
    waves = rng.choice(np.arange(months // 3, months - months // 4), 3, replace=False)
    starts = waves[np.arange(len(chosen)) % 3]
    kinds = rng.choice(["closure_13b", "area_ban", "camera_area", "enforcement_focus"], len(chosen))
    mult = np.ones_like(base)
    for i, s in zip(chosen, starts, strict=True):
        mult[i, s:] *= 1 - effect
        for nb in neighbours[codes[i]]:
            mult[codes.index(nb), s:] *= 1 + displacement
    rate = base * mult
    y = rng.poisson(rate)
    counts = pd.DataFrame(
        {
            "unit": np.repeat(codes, months),
            "time": np.tile(np.arange(months), len(codes)),
            "y": y.ravel(),
            "status": "synthetic",
        }
    )
    interventions = pd.DataFrame(
        {"unit": [codes[i] for i in chosen], "start": starts, "kind": kinds, "status": "synthetic"}
    )
    return InterventionWorld(
        counts=counts,
        interventions=interventions,
        neighbours=neighbours,
        rate=pd.DataFrame(rate, index=codes),
        baseline=pd.DataFrame(base, index=codes),
        effect=effect,
        displacement=displacement,
    )
