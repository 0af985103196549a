"""Chart and map specs (Vega-Lite, built with Altair) shared by the dashboard and the PDF report.

Every function returns a plain JSON-able dict with the data inlined. Every chart states source,
period and unit, and shows a "synthetic demonstration data" mark when ``meta.synthetic`` is True::

    from weerbaar.charts import ChartMeta, trend_chart
    meta = ChartMeta("Drugsoverlast", source="Politie (synthetisch)", period="2015 .. 2024",
                     unit="per 1.000 inwoners", synthetic=True)
    spec = trend_chart(frame, meta)            # width "container": the dashboard (vega-embed)
    spec = trend_chart(frame, meta, width=640) # fixed width: the report (vl_convert.vegalite_to_svg)
"""

from .common import ChartMeta, apply, base_config, label, subtitle_lines, synthetic_mark
from .maps import (
    EMERGING_CATEGORIES,
    FLAG_CATEGORIES,
    FLAG_VALUES,
    HOTSPOT_CATEGORIES,
    Classification,
    choropleth,
    class_of,
    classify,
    flag_category,
    sequential_colours,
)
from .ranking import domain_chart, rank_interval_chart
from .series import bar_compare, period_date, trend_chart

__all__ = [
    "ChartMeta",
    "apply",
    "base_config",
    "label",
    "subtitle_lines",
    "synthetic_mark",
    "Classification",
    "classify",
    "class_of",
    "choropleth",
    "sequential_colours",
    "HOTSPOT_CATEGORIES",
    "EMERGING_CATEGORIES",
    "FLAG_CATEGORIES",
    "FLAG_VALUES",
    "flag_category",
    "trend_chart",
    "bar_compare",
    "period_date",
    "rank_interval_chart",
    "domain_chart",
]
