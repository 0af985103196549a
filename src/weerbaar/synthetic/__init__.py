"""Synthetic scenarios with planted truth, for demonstrations, tests and benchmarks.

Nothing generated here is real: every observation and incident carries ``status = synthetic``.
``grid_areas`` builds a synthetic city of square buurten, ``fixture_city`` the tiny one used in
fast tests, and ``generate`` draws a scenario (observations, incidents, and the truth table of
what was planted) over any set of buurten. See docs/methods/synthetic.md.
"""

from .events import EVENT_TYPES, simulate_events
from .generator import (
    COUNT_INDICATORS,
    HOTSPOT_PATTERNS,
    INDICATORS,
    TRUTH_COLUMNS,
    Calibration,
    ModelParameters,
    Scenario,
    generate,
)
from .grid import fixture_city, grid_areas, queen_adjacency

__all__ = [
    "COUNT_INDICATORS",
    "EVENT_TYPES",
    "HOTSPOT_PATTERNS",
    "INDICATORS",
    "TRUTH_COLUMNS",
    "Calibration",
    "ModelParameters",
    "Scenario",
    "fixture_city",
    "generate",
    "grid_areas",
    "queen_adjacency",
    "simulate_events",
]
