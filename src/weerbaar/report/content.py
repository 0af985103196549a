"""Gather the council report's content from the public read model (never the warehouse itself).

Everything here reads: published counts and layers, stored results, the wastewater data and the programme
register. The only arithmetic is presentation (a difference between two published counts, a share); no analysis
is computed. The output is a plain ``Report`` in a fixed order, with no clock time in it, so two builds from one
snapshot are identical.
"""

from __future__ import annotations

from collections.abc import Callable

from ..public import PublicData
from .model import Heading, Report
from .sections.annex import AnnexSection
from .sections.base import CHANGE_AREAS, COUNTS, NUISANCE, REPORTS, WIDTH, GathererBase, _unit, count_classes
from .sections.drug_crime import DrugCrimeSection
from .sections.hotspots import HotspotsSection
from .sections.interventions import InterventionsSection
from .sections.inventory import InventorySection
from .sections.measures import MeasuresSection
from .sections.nuisance import NuisanceSection
from .sections.reports import ReportsSection
from .sections.summary import SummarySection
from .sections.violence import ViolenceSection
from .sections.wastewater import WastewaterSection
from .texts import rt


class Gatherer(
    SummarySection,
    DrugCrimeSection,
    NuisanceSection,
    InventorySection,
    WastewaterSection,
    ReportsSection,
    HotspotsSection,
    ViolenceSection,
    MeasuresSection,
    InterventionsSection,
    AnnexSection,
    GathererBase,
):
    """Gathers the report's content: the state and helpers of ``sections.base``, one mixin a section
    (``sections/<section>.py``)."""


def load_interventions(home) -> dict | None:
    """The intervention register at area level (``interventions.register_view``), or None without a store."""
    try:
        from ..interventions import register_view
        from ..store.db import database_url

        return register_view(database_url(home))
    except Exception:  # noqa: BLE001 - a store that cannot be opened: the section says none are registered
        return None


def load_programme(home) -> object | None:
    """The programme register, or None when the module is not there."""
    try:
        from ..programme import load_register
    except ImportError:
        return None
    try:
        from ..store.db import database_url

        return load_register(database_url(home))
    except Exception:  # noqa: BLE001 - a store that cannot be opened: the register as the programme text has it
        try:
            from ..programme import seed_register

            return seed_register()
        except Exception:  # noqa: BLE001
            return None


def gather(
    data: PublicData,
    *,
    period: str,
    lang: str,
    register,
    progress: Callable[[str], None],
    runs: dict[tuple[str, str | None], str] | None = None,
    interventions: dict | None = None,
) -> Report:
    g = Gatherer(data, period, lang, progress, runs)
    progress("report: reading the disclosure-controlled counts")
    data.prefetch_cubes(g.division, [i for i in (*COUNTS, REPORTS) if g.has(i)])
    g.check_period()
    rises, changes_table = g.changes()
    progress("report: gathering the summary")
    sections = [g.summary(rises)]
    for name, make in (
        ("drug crime", lambda: g.drug_crime(changes_table)),
        ("nuisance", g.nuisance),
        ("inventory", g.inventory),
        ("wastewater", g.wastewater),
        ("residents' reports", g.reports),
        ("hot spots", g.hotspots),
        ("violence", g.violence),
        ("measures", lambda: g.measures(register)),
        ("interventions", lambda: g.interventions(interventions)),
        ("methods", g.methods),
        ("sources", g.sources),
        ("notes", g.notes),
    ):
        progress(f"report: gathering {name}")
        sections.append(make())
    meta = g.meta
    syn = meta["synthetic_sources"]
    notice = rt("synthetic.cover", lang, sources=", ".join(syn)) if syn else None
    colophon = (
        (rt("c.snapshot", lang), str(meta["snapshot"])),
        (rt("c.version", lang), f"weerbaar {meta['version']}"),
        (rt("c.built", lang), str(meta["built_at"] or "–")),
        (rt("c.params", lang), f"--period {period} --lang {lang}"),
        (rt("c.division", lang), g.division),
        (
            rt("c.register", lang),
            "–"
            if register is None
            else (
                rt("register.store" if register.source == "store" else "register.seed", lang)
                + (f", {max((m.updated_at for m in register.measures), default='') or ''}".rstrip(", "))
            ),
        ),
    )
    notes = (rt("c.repro", lang), rt("c.made", lang)) + ((notice,) if notice else ())
    cover = ((rt("period", lang), period), (rt("date", lang), g.date_text()))
    return Report(
        lang=lang,
        period=period,
        title=rt("title", lang),
        subtitle=rt("subtitle", lang),
        date_text=g.date_text(),
        cover=cover,
        synthetic_notice=notice,
        sections=tuple(sections),
        colophon=colophon,
        colophon_notes=notes,
    )


__all__ = [
    "gather",
    "load_programme",
    "Heading",
    "Gatherer",
    "load_interventions",
    "count_classes",
    "CHANGE_AREAS",
    "COUNTS",
    "NUISANCE",
    "REPORTS",
    "WIDTH",
    "_unit",
]
