"""Server-rendered pages (Jinja2). The state of every view is in its URL; Dutch by default, ``lang=en``.

Charts are Vega-Lite specs from ``weerbaar.charts`` embedded with vega-embed; every chart has a
table with the same figures next to it, for keyboard and screen-reader users.

One module per page (or group of related pages) on the one router of ``pages.common``; this package
exposes the names the other web modules use as ``pages.<name>``.
"""

# the page modules in the route order of the former single module (their routes register on import)
from . import common, layers, overview_page, areas, trends, documents, drug_use  # isort: skip  # noqa: F401
from ..i18n import number, t
from .areas import _domain_label, _profile_trend, area_page, inventory_page, sparkline
from .common import (
    _UNITS_NL,
    CLASS_SCHEMES,
    TEMPLATES,
    DivisionQ,
    Lang,
    Text,
    _breaks,
    _chosen_first,
    _data,
    _lang,
    _map_levels,
    _short,
    _unit,
    amsterdam_time,
    cached_page,
    chart_meta,
    error_page,
    is_number,
    render,
    router,
)
from .documents import _md, _summary, _title_of, docs_dir, method_page, methods_page, programme_page, sources_page
from .drug_use import drug_use_page, i18n_days
from .layers import CHANNELS, _bins, _default_layer, _fit_period, _layer_levels, _layer_options, layer_options, map_form
from .overview_page import _categories, _city_trend, _disclosure_note, _is_count, map_view, overview
from .trends import compare_page, trends_page

__all__ = [
    "TEMPLATES",
    "router",
    "Lang",
    "Text",
    "DivisionQ",
    "CLASS_SCHEMES",
    "_data",
    "cached_page",
    "_map_levels",
    "_chosen_first",
    "_lang",
    "render",
    "_short",
    "error_page",
    "chart_meta",
    "_UNITS_NL",
    "_unit",
    "_breaks",
    "is_number",
    "amsterdam_time",
    "CHANNELS",
    "layer_options",
    "_layer_options",
    "_default_layer",
    "_bins",
    "_layer_levels",
    "_fit_period",
    "map_form",
    "_disclosure_note",
    "_categories",
    "overview",
    "map_view",
    "_is_count",
    "_city_trend",
    "sparkline",
    "area_page",
    "_domain_label",
    "_profile_trend",
    "inventory_page",
    "trends_page",
    "compare_page",
    "sources_page",
    "docs_dir",
    "_md",
    "_title_of",
    "programme_page",
    "_summary",
    "methods_page",
    "method_page",
    "drug_use_page",
    "i18n_days",
    "number",
    "t",
]
