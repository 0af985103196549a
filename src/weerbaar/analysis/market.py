"""The money behind the use: pure grams a day, street purity and street price to euros a year.

    street grams a day = pure grams a day / purity
    euros a year       = street grams a day x price (EUR a gram) x 365

Point values use the modes of the inputs; intervals come from a seeded Monte Carlo in which each
uncertain input is triangular (low, mode, high). The programme's own figures are the worked example
in docs/methods/wastewater.md: 2 kg of pure cocaine a day at EUR 50 a gram is EUR 36.5 million a
year if sold pure, EUR 73 million at a street purity of 50 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import SupportsFloat

import numpy as np

from ..errors import InputError
from .wastewater import Estimate, _check_mc, interval, triangular_quantile

__all__ = ["Uncertain", "market", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365


def _finite(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, SupportsFloat | str):
        raise InputError(
            f"The {what} is not a number.", received=repr(x), expected="a number", fix=f"give the {what} as a number"
        )
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} is not a number.", received=repr(x), expected="a number", fix=f"give the {what} as a number"
        ) from None
    if not math.isfinite(v):
        raise InputError(
            f"The {what} is not a finite number.",
            received=repr(x),
            expected="a finite number",
            fix=f"give the {what} as a number",
        )
    return v


@dataclass(frozen=True)
class Uncertain:
    """An uncertain input: a fixed value (``Uncertain(0.6)``) or triangular (``Uncertain(0.6, 0.5, 0.75)``).

    ``mode`` is the most likely value and is what the point estimate uses; ``low`` and ``high``
    bound the triangular distribution (both or neither).
    """

    mode: float
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _finite(self.mode, "value"))
        if (self.low is None) != (self.high is None):
            raise InputError(
                "An uncertain input needs both a low and a high bound, or neither.",
                received=f"low={self.low!r}, mode={self.mode!r}, high={self.high!r}",
                expected="a fixed value, or low <= mode <= high",
                fix="give low:mode:high, e.g. 0.5:0.6:0.75, or just the value",
            )
        if self.low is None:
            return
        low, high = _finite(self.low, "low bound"), _finite(self.high, "high bound")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        if not low <= self.mode <= high:
            raise InputError(
                "The bounds of an uncertain input are out of order.",
                received=f"low={low:g}, mode={self.mode:g}, high={high:g}",
                expected="low <= mode <= high",
                fix="write the range as low:mode:high, e.g. 0.5:0.6:0.75",
            )

    @property
    def fixed(self) -> bool:
        return self.low is None or self.low == self.high

    def bounds(self) -> tuple[float, float]:
        return (self.mode, self.mode) if self.low is None or self.high is None else (self.low, self.high)

    @classmethod
    def parse(cls, text: str) -> Uncertain:
        """``"0.6"`` (fixed) or ``"0.5:0.6:0.75"`` (low:mode:high), as typed on the command line."""
        if isinstance(text, Uncertain):
            return text
        if isinstance(text, int | float) and not isinstance(text, bool):
            return cls(float(text))
        parts = [p.strip() for p in str(text).split(":")]
        if len(parts) not in (1, 3) or any(not p for p in parts):
            raise InputError(
                "Cannot read the uncertain input.",
                received=repr(text),
                expected="a number (0.6) or low:mode:high (0.5:0.6:0.75)",
                fix="give one value, or three values separated by colons",
            )
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise InputError(
                "Cannot read the uncertain input: not a number.",
                received=repr(text),
                expected="a number (0.6) or low:mode:high (0.5:0.6:0.75)",
                fix="use digits and a decimal point, e.g. 0.55",
            ) from None
        if len(values) == 1:
            return cls(values[0])
        low, mode, high = values
        return cls(mode, low, high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws: the value itself when fixed, else triangular. Always takes ``n`` uniforms from
        ``rng``, so making one input uncertain leaves the draws of the others unchanged."""
        u = rng.random(n)
        low, high = self.bounds()
        return triangular_quantile(u, low, self.mode, high)

    def __str__(self) -> str:
        return f"{self.mode:g}" if self.low is None else f"{self.low:g}:{self.mode:g}:{self.high:g}"


def _as_uncertain(x: object, what: str) -> Uncertain:
    if isinstance(x, Uncertain):
        return x
    if isinstance(x, str):
        return Uncertain.parse(x)
    return Uncertain(_finite(x, what))


def _check_positive(u: Uncertain, what: str, unit: str, fix: str) -> None:
    low, _ = u.bounds()
    if low <= 0 or u.mode <= 0:
        raise InputError(
            f"The {what} must be positive.",
            received=str(u),
            expected=f"a value > 0 ({unit}), every bound included",
            fix=fix,
        )


def _check_purity(u: Uncertain) -> None:
    low, high = u.bounds()
    if not (low > 0 and high <= 1):
        raise InputError(
            "The purity must be a fraction above 0 and at most 1.",
            received=str(u),
            expected="purity in (0, 1], every bound included (0.6 means 60 % pure)",
            fix="give the purity as a fraction, e.g. 0.6 or 0.5:0.6:0.75, not as a percentage",
        )


def market(
    pure_grams_per_day: Uncertain | float,
    purity: Uncertain | float,
    price_eur_per_gram: Uncertain | float,
    *,
    level: float = 0.9,
    draws: int = 10_000,
    seed: int = 20191203,
) -> dict[str, Estimate]:
    """Street grams a day and euros a year from pure grams a day, purity and price, with intervals.

    Returns ``{"street_grams_per_day", "eur_per_year", "pure_grams_per_day"}``, each an Estimate whose
    value uses the modes and whose interval is the central ``level`` of the Monte Carlo draws (inputs
    independent). A mode at a bound of its range can put the point value at the edge of the interval.
    """
    pure = _as_uncertain(pure_grams_per_day, "pure grams a day")
    pur = _as_uncertain(purity, "purity")
    price = _as_uncertain(price_eur_per_gram, "price")
    _check_positive(pure, "pure amount", "grams a day", "give the pure grams a day, e.g. 2000")
    _check_purity(pur)
    _check_positive(price, "price", "EUR a gram", "give the street price in euros a gram, e.g. 50")
    lv, n = _check_mc(level, draws, seed)

    rng = np.random.default_rng(seed)
    pure_d, purity_d, price_d = pure.draw(rng, n), pur.draw(rng, n), price.draw(rng, n)
    street_d = pure_d / purity_d
    eur_d = street_d * price_d * DAYS_PER_YEAR

    street = pure.mode / pur.mode
    return {
        "street_grams_per_day": interval(street_d, street, lv),
        "eur_per_year": interval(eur_d, street * price.mode * DAYS_PER_YEAR, lv),
        "pure_grams_per_day": interval(pure_d, pure.mode, lv),
    }
