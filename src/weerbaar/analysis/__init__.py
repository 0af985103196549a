"""Analyses: pure functions over per-area frames, one module per method.

Usable from a notebook::

    from weerbaar.analysis import composite_index, rank_uncertainty, CompositeConfig
    result = composite_index(frame)          # frame: index area code, one column per indicator
    result.to_frame(); result.summary(); result.explain("AH03")
"""

from .composite import CompositeConfig, CompositeResult, IndicatorSpec, composite_index
from .emerging import EmergingResult, emerging_hotspots
from .hotspots import GlobalMoranResult, LocalResult, gi_star, global_moran, local_moran
from .inference import fdr_bh, mann_kendall
from .inputs import AreaFrame, area_frame, area_groups
from .measurement import MeasurementResult, measurement_model
from .rates import eb_rates, raw_rates
from .trends import TrendResult, trends
from .uncertainty import UncertaintyResult, first_order_indices, rank_uncertainty
from .weights import WeightsResult, build_graph

__all__ = [
    "MeasurementResult",
    "measurement_model",
    "EmergingResult",
    "GlobalMoranResult",
    "LocalResult",
    "TrendResult",
    "WeightsResult",
    "build_graph",
    "emerging_hotspots",
    "fdr_bh",
    "gi_star",
    "global_moran",
    "local_moran",
    "mann_kendall",
    "trends",
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
