"""The public read model: what pages, the open API and (later) the council report may show.

Everything public goes through here, so disclosure control is applied in one place
(``docs/decisions/0007-disclosure-control.md``):

* counts of events (flow indicators) come from a *protected cube* per division and indicator:
  every area level and period kind at once, with primary and secondary suppression over area
  and time totals (or rounding), so no view can be combined with another to recover a cell;
* rates per 1,000 inhabitants are computed from the published counts and withheld with them;
* stored results keep only their public measures; counts in them, and measures computed from
  a withheld count, are withheld (see ``RESULT_RULES``).

The warehouse is opened read-only for each cache miss and closed again, so ``weerbaar compute`` can
run while the dashboard serves (a cache miss during the write is answered 503 "being updated"; what
is cached stays available); caches are dropped when the warehouse file changes.

``PublicData`` is one class made of parts, one module each (``docs/architecture.md``): ``base`` (plumbing and
caches), ``meta``, ``areas``, ``catalogue`` (indicators), ``cubes`` (protected counts), ``values`` (tables and
layers), ``prevalence`` (drug use) and ``results`` (stored results).
"""

from __future__ import annotations

from .areas import MAP_LEVELS as MAP_LEVELS
from .areas import SIMPLIFY_M as SIMPLIFY_M
from .areas import AreasPart
from .catalogue import NOT_PUBLIC as NOT_PUBLIC
from .catalogue import CataloguePart
from .cubes import CUBE_CACHE_VERSION as CUBE_CACHE_VERSION
from .cubes import CUBE_COLUMNS as CUBE_COLUMNS
from .cubes import CubesPart
from .meta import MetaPart
from .prevalence import PrevalencePart
from .results import RESULT_KINDS, ResultsPart, ResultView
from .results import WITHHELD_REASONS as WITHHELD_REASONS
from .values import DERIVED_FROM as DERIVED_FROM
from .values import KINDS as KINDS
from .values import Layer, ValuesPart

__all__ = ["PublicData", "RESULT_KINDS", "ResultView", "Layer"]


class PublicData(MetaPart, AreasPart, CataloguePart, CubesPart, ValuesPart, PrevalencePart, ResultsPart):
    """Disclosure-controlled, cached access to one warehouse for the dashboard, the API and the report."""
