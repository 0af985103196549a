"""Displacement and diffusion of benefits around one place-based intervention (measure 10).

Two measures over counts before and after an intervention in a target area, a buffer around it (where
displaced trade would go) and a control area (the background trend):

* the **Weighted Displacement Quotient** (Bowers & Johnson 2003)::

      success   = A_a / C_a - A_b / C_b        (target, relative to control; < 0 means the target improved)
      buffer    = B_a / C'_a - B_b / C'_b      (buffer, relative to its control)
      WDQ       = buffer / success

  WDQ > 0: diffusion of benefits (the buffer improved too); WDQ < 0: displacement; |WDQ| > 1: the buffer
  effect is larger than the direct effect. It is only meaningful when ``success < 0`` and has no sampling
  distribution, so it comes with the **total net effect** ``TNE = (A_b C_a/C_b - A_a) + (B_b C'_a/C'_b - B_a)``
  (events prevented, > 0 is good) and is read beside the WDD test.

* the **Weighted Displacement Difference** with its standard error (Wheeler & Ratcliffe 2018)::

      WDD = (A_a - A_b) - (C_a - C_b) + (B_a - B_b) - (C'_a - C'_b)
      Var = A_a + A_b + C_a + C_b + B_a + B_b + C'_a + C'_b        (independent Poisson counts)
      z   = WDD / sqrt(Var),   p = 2 (1 - Phi(|z|))

  WDD < 0 is a net reduction in the target plus buffer. When one control serves both target and buffer
  (no separate buffer control) its change enters twice, ``- 2 (C_a - C_b)``, and its variance four times.

Unequal before/after windows: ``time_weights=(w_before, w_after)`` multiply the counts (and their
variances by ``w**2``), e.g. ``(after_months / before_months, 1)`` puts the before window on the after
window's scale. See docs/methods/displacement.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..errors import InputError

__all__ = ["Counts", "DisplacementResult", "displacement", "parse_counts", "rings"]

MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Counts:
    """Counts in one area before and after the intervention."""

    before: float
    after: float

    def __post_init__(self) -> None:
        for name in ("before", "after"):
            v = getattr(self, name)
            if not isinstance(v, int | float | np.integer | np.floating) or not math.isfinite(float(v)):
                raise InputError(
                    "A count is not a number.",
                    received=repr(v),
                    expected="a non-negative number of events",
                    fix="give counts as BEFORE,AFTER, e.g. 120,85",
                )
            if float(v) < 0 or float(v) > MAX_COUNT:
                raise InputError(
                    "A count is outside the sane range.",
                    received=repr(v),
                    expected=f"0 to {MAX_COUNT:,} events",
                    fix="check the counts: they are numbers of events in a window, never negative",
                )


def parse_counts(text: str, what: str = "counts") -> Counts:
    """``"120,85"`` -> ``Counts(120, 85)``, with an error that says what was wrong."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2 or not all(parts):
        raise InputError(
            f"The {what} are not two numbers.",
            received=repr(text),
            expected="BEFORE,AFTER, two non-negative numbers separated by a comma, e.g. 120,85",
            fix=f"write the {what} as BEFORE,AFTER",
        )
    try:
        before, after = (float(p) for p in parts)
    except ValueError:
        raise InputError(
            f"The {what} are not numbers.",
            received=repr(text),
            expected="BEFORE,AFTER, e.g. 120,85",
            fix=f"write the {what} as two numbers separated by a comma",
        ) from None
    return Counts(before, after)


@dataclass(frozen=True)
class DisplacementResult:
    target: Counts
    buffer: Counts | None
    control: Counts
    buffer_control: Counts | None  # None: the control serves the buffer too
    time_weights: tuple[float, float]
    success: float  # A_a/C_a - A_b/C_b (NaN when a control count is 0)
    buffer_measure: float
    wdq: float  # NaN when undefined (no buffer, success == 0, control count 0)
    tne: float  # total net effect: events prevented (> 0 good)
    wdd_local: float
    wdd_displacement: float
    wdd: float
    wdd_se: float
    z: float
    p: float
    ci_low: float
    ci_high: float
    alpha: float
    notes: tuple[str, ...]

    def summary(self) -> dict:
        d = asdict(self)
        for key in ("target", "buffer", "control", "buffer_control"):
            d[key] = None if d[key] is None else [d[key]["before"], d[key]["after"]]
        d["time_weights"] = list(self.time_weights)
        d["notes"] = list(self.notes)
        d["interpretation"] = self.interpretation()
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for name, c in (
            ("target", self.target),
            ("buffer", self.buffer),
            ("control", self.control),
            ("buffer_control", self.buffer_control),
        ):
            if c is not None:
                rows.append({"area": name, "before": c.before, "after": c.after})
        return pd.DataFrame(rows).set_index("area")

    def interpretation(self) -> str:
        """A plain-language reading (English), following Bowers & Johnson's thresholds."""
        if not math.isfinite(self.success) or self.success >= 0:
            target = "the target did not improve relative to the control, so the WDQ is not interpretable"
        elif self.buffer is None or not math.isfinite(self.wdq):
            target = "the target improved relative to the control"
        elif self.wdq > 1:
            target = "diffusion of benefits larger than the direct effect"
        elif self.wdq > 0:
            target = "diffusion of benefits smaller than the direct effect"
        elif self.wdq == 0:
            target = "no displacement or diffusion"
        elif self.wdq >= -1:
            target = "some displacement, smaller than the direct effect (net benefit)"
        else:
            target = "displacement larger than the direct effect (net harm)"
        sig = "significant" if self.p < self.alpha else "not significant"
        return f"{target}; WDD {self.wdd:+.1f} events ({sig} at alpha {self.alpha:g}, p = {self.p:.3g})"


def _ratio(a: float, c: float) -> float:
    return a / c if c > 0 else float("nan")


def displacement(
    target: Counts,
    buffer: Counts | None,
    control: Counts,
    buffer_control: Counts | None = None,
    *,
    time_weights: tuple[float, float] = (1.0, 1.0),
    alpha: float = 0.05,
) -> DisplacementResult:
    """WDQ (Bowers & Johnson 2003) and WDD with standard error and z-test (Wheeler & Ratcliffe 2018)."""
    if not (0 < alpha < 1):
        raise InputError("alpha is out of range.", received=repr(alpha), expected="0 < alpha < 1", fix="use 0.05")
    wb, wa = (float(w) for w in time_weights)
    if not (wb > 0 and wa > 0 and math.isfinite(wb) and math.isfinite(wa)):
        raise InputError(
            "Time weights must be positive.",
            received=repr(time_weights),
            expected="(w_before, w_after), both > 0",
            fix="use (after_length / before_length, 1) for windows of unequal length",
        )
    notes: list[str] = []
    a_b, a_a = wb * target.before, wa * target.after
    c_b, c_a = wb * control.before, wa * control.after
    bc = buffer_control if buffer_control is not None else control
    d_b, d_a = wb * bc.before, wa * bc.after

    success = _ratio(a_a, c_a) - _ratio(a_b, c_b)
    if control.before == 0 or control.after == 0:
        notes.append("a control count is 0: the WDQ ratios are undefined")
    buffer_measure = float("nan")
    wdq = float("nan")
    tne = (a_b * c_a / c_b - a_a) if c_b > 0 else float("nan")
    if buffer is not None:
        b_b, b_a = wb * buffer.before, wa * buffer.after
        buffer_measure = _ratio(b_a, d_a) - _ratio(b_b, d_b)
        if math.isfinite(success) and success != 0 and math.isfinite(buffer_measure):
            wdq = buffer_measure / success
        elif success == 0:
            notes.append("the success measure is 0: the WDQ is undefined")
        tne = tne + ((b_b * d_a / d_b - b_a) if d_b > 0 else float("nan"))
        if math.isfinite(success) and success >= 0:
            notes.append("the target did not improve relative to the control: read the WDQ with care")
    else:
        notes.append("no buffer: only the local effect is estimated")

    local = (a_a - a_b) - (c_a - c_b)
    var = wa**2 * (target.after + control.after) + wb**2 * (target.before + control.before)
    disp = 0.0
    if buffer is not None:
        disp = (b_a - b_b) - (d_a - d_b)
        var += wa**2 * buffer.after + wb**2 * buffer.before
        if buffer_control is None:
            # the same control counts enter twice: coefficient 2, variance 4x (3x more on top of the local term)
            var += 3 * (wa**2 * control.after + wb**2 * control.before)
        else:
            var += wa**2 * buffer_control.after + wb**2 * buffer_control.before
    wdd = local + disp
    se = math.sqrt(var)
    if se > 0:
        z = wdd / se
        p = float(2 * norm.sf(abs(z)))
    else:
        z, p = float("nan"), 1.0
        notes.append("all counts are 0: no test")
    q = float(norm.ppf(1 - alpha / 2))
    return DisplacementResult(
        target=target,
        buffer=buffer,
        control=control,
        buffer_control=buffer_control,
        time_weights=(wb, wa),
        success=float(success),
        buffer_measure=float(buffer_measure),
        wdq=float(wdq),
        tne=float(tne),
        wdd_local=float(local),
        wdd_displacement=float(disp),
        wdd=float(wdd),
        wdd_se=float(se),
        z=float(z),
        p=p,
        ci_low=float(wdd - q * se),
        ci_high=float(wdd + q * se),
        alpha=float(alpha),
        notes=tuple(notes),
    )


def rings(
    neighbours: dict[str, set[str]], target: set[str], *, buffer_rings: int = 1, control_rings: int = 2
) -> tuple[list[str], list[str]]:
    """Buffer and control areas as rings of contiguous areas around ``target``.

    ``neighbours`` maps each area code to its neighbours (e.g. queen contiguity). The buffer is the areas
    within ``buffer_rings`` steps of the target; the control the areas from ``buffer_rings + 1`` to
    ``buffer_rings + control_rings`` steps. Returns ``(buffer, control)`` as sorted lists.
    """
    unknown = sorted(set(target) - set(neighbours))
    if unknown:
        raise InputError(
            "Target areas are not in the area division.",
            received=", ".join(unknown[:5]),
            expected="codes of the areas of the chosen level and division",
            fix="see `weerbaar areas --level buurt` for the codes",
        )
    if buffer_rings < 1 or control_rings < 1:
        raise InputError(
            "Rings must be at least 1.",
            received=f"buffer {buffer_rings}, control {control_rings}",
            expected="1 or more",
            fix="use --buffer-rings 1 --control-rings 2",
        )
    seen = set(target)
    frontier = set(target)
    layers: list[set[str]] = []
    for _ in range(buffer_rings + control_rings):
        nxt = {n for a in frontier for n in neighbours.get(a, ())} - seen
        layers.append(nxt)
        seen |= nxt
        frontier = nxt
    buffer = set().union(*layers[:buffer_rings])
    control = set().union(*layers[buffer_rings:])
    return sorted(buffer), sorted(control)
