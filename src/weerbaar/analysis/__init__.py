"""Analyses: pure functions over per-area frames, one module per method.

Usable from a notebook::

    from weerbaar.analysis import composite_index, rank_uncertainty, CompositeConfig
    result = composite_index(frame)          # frame: index area code, one column per indicator
    result.to_frame(); result.summary(); result.explain("AH03")
"""

from .composite import CompositeConfig, CompositeResult, IndicatorSpec, composite_index
from .inputs import AreaFrame, area_frame, area_groups
from .rates import eb_rates, raw_rates
from .uncertainty import UncertaintyResult, first_order_indices, rank_uncertainty

__all__ = [
    "AreaFrame",
    "CompositeConfig",
    "CompositeResult",
    "IndicatorSpec",
    "UncertaintyResult",
    "area_frame",
    "area_groups",
    "composite_index",
    "eb_rates",
    "first_order_indices",
    "rank_uncertainty",
    "raw_rates",
]
